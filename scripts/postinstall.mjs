// Runs on `npm install` in a checkout (npm "prepare"): build the library, then register the Jupyter kernel if Jupyter is present.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
if (existsSync(tsc)) {
  const r = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { stdio: "inherit", cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
if (!process.env.LIMIQC_SKIP_KERNEL_INSTALL) {
  spawnSync(process.execPath, [join(root, "scripts", "kernel-install.mjs"), "--if-jupyter"], { stdio: "inherit", cwd: root });
}
