// Registers the Jupyter kernelspec "limiqc (TypeScript)" for the current user (or into --prefix DIR / $JUPYTER_DATA_DIR).
// Writes kernel.json directly (no Python needed); `jupyter kernelspec list` then shows it.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const ifJupyter = args.includes("--if-jupyter");
const prefixAt = args.indexOf("--prefix");

function jupyterDataDir() {
  if (process.env.JUPYTER_DATA_DIR) return process.env.JUPYTER_DATA_DIR;
  try {
    const out = execFileSync("jupyter", ["--data-dir"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    if (out) return out;
  } catch {
    /* no jupyter on PATH: fall back to the platform default */
  }
  if (process.platform === "darwin") return join(homedir(), "Library", "Jupyter");
  if (process.platform === "win32") return join(process.env.APPDATA ?? homedir(), "jupyter");
  return join(process.env.XDG_DATA_HOME ?? join(homedir(), ".local", "share"), "jupyter");
}

function hasJupyter() {
  try {
    execFileSync("jupyter", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

if (ifJupyter && !hasJupyter()) {
  console.log("limiqc: Jupyter not found on PATH, kernel not registered (run `npm run kernel:install` after installing Jupyter).");
  process.exit(0);
}
const base = prefixAt >= 0 ? resolve(args[prefixAt + 1]) : jupyterDataDir();
const dir = join(base, "kernels", "limiqc");
mkdirSync(dir, { recursive: true });
const spec = {
  argv: [process.execPath, join(root, "kernel", "limiqc-kernel.cjs"), "--config-path", "{connection_file}"],
  display_name: "limiqc (TypeScript)",
  language: "typescript",
  metadata: { limiqc: { root } },
};
writeFileSync(join(dir, "kernel.json"), `${JSON.stringify(spec, null, 2)}\n`);
console.log(`limiqc: kernel "limiqc (TypeScript)" registered in ${dir}`);
