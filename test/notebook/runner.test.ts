import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { runNotebook as runNotebookWithKernel } from "../../src/notebook/runner.js";
import { writeTempNotebook } from "./helpers.js";

// These tests start the real limiqc kernel (tslab) from dist/: `npm test` builds first. A per-cell limit makes a hung
// kernel fail the test with the runner's message instead of vitest's timeout.
const runNotebook = (path: string) => runNotebookWithKernel(path, { cellTimeoutMs: 60_000 });
describe("notebook runner (real kernel over ZeroMQ)", () => {
  test("runs a notebook outside the repository that imports limiqc by name", async () => {
    const path = writeTempNotebook("ok.ipynb", [
      { md: "# hello" },
      'import { Random, LIMIQC_VERSION } from "limiqc";\nconsole.log("version", LIMIQC_VERSION);',
      "const r = new Random(5);\nconsole.log(r.uniform() < 1);",
    ]);
    const run = await runNotebook(path);
    expect(run.failure).toBeUndefined();
    expect(run.ok).toBe(true);
    const outputs = run.notebook.cells.filter((c) => c.cell_type === "code").map((c) => JSON.stringify((c as { outputs: unknown }).outputs));
    expect(outputs[0]).toContain("version 0.");
    expect(outputs[1]).toContain("true");
  });

  test("a deliberately failing cell fails the run and names the cell and the error", async () => {
    const path = writeTempNotebook("fail.ipynb", ["console.log('first')", 'throw new Error("deliberate failure 42")', "console.log('never')"]);
    const run = await runNotebook(path);
    expect(run.ok).toBe(false);
    expect(run.failure?.cellIndex).toBe(1);
    expect(run.failure?.source).toContain("deliberate failure 42");
    expect(run.failure?.errorText).toContain("deliberate failure 42");
    const third = run.notebook.cells[2] as { outputs: unknown[] };
    expect(third.outputs).toHaveLength(0);
  });

  test("a type error fails the run with the compiler's message", async () => {
    const run = await runNotebook(writeTempNotebook("type.ipynb", ["const y: string = 5;"]));
    expect(run.ok).toBe(false);
    expect(run.failure?.errorText).toMatch(/not assignable to type 'string'/);
  });

  test("an unawaited rejected promise in the last cell still fails the run", async () => {
    const run = await runNotebook(writeTempNotebook("reject.ipynb", ['Promise.reject(new Error("escaped rejection"));\nconsole.log("after")']));
    expect(run.ok).toBe(false);
    expect(run.failure?.errorText).toContain("escaped rejection");
  });

  test("a throwing timer fails the run", async () => {
    const run = await runNotebook(
      writeTempNotebook("timer.ipynb", ['setTimeout(() => { throw new Error("timer threw"); }, 5);', "await new Promise((r) => setTimeout(r, 100));"]),
    );
    expect(run.ok).toBe(false);
    expect(run.failure?.errorText).toContain("timer threw");
  });
});

describe("kernelspec", () => {
  test("kernel:install writes a kernelspec that starts our launcher, and Jupyter lists it", () => {
    const prefix = mkdtempSync(join(tmpdir(), "limiqc-ks-"));
    execFileSync(process.execPath, ["scripts/kernel-install.mjs", "--prefix", prefix]);
    const spec = JSON.parse(readFileSync(join(prefix, "kernels", "limiqc", "kernel.json"), "utf8"));
    expect(spec.display_name).toBe("limiqc (TypeScript)");
    expect(spec.argv[1]).toMatch(/kernel[\\/]limiqc-kernel\.cjs$/);
    expect(existsSync(spec.argv[1])).toBe(true);
    expect(spec.argv).toContain("{connection_file}");
    if (existsSync("/usr/bin/jupyter")) {
      const list = execFileSync("/usr/bin/jupyter", ["kernelspec", "list"], { env: { ...process.env, JUPYTER_PATH: prefix }, encoding: "utf8" });
      expect(list).toMatch(/limiqc\s/);
    } else expect(process.env.CI, "Jupyter is required in CI").not.toBe("true");
  });

  test("Jupyter's own nbconvert executes a notebook through the registered kernel", () => {
    if (!existsSync("/usr/bin/jupyter")) {
      expect(process.env.CI, "Jupyter is required in CI").not.toBe("true");
      return;
    }
    const prefix = mkdtempSync(join(tmpdir(), "limiqc-ks-"));
    execFileSync(process.execPath, ["scripts/kernel-install.mjs", "--prefix", prefix]);
    const path = writeTempNotebook("nbconvert.ipynb", ['import { theoreticalResolution } from "limiqc";\nconsole.log("lateral nm", theoreticalResolution({ modality: "widefield", na: 1.4, immersionIndex: 1.518, emissionWavelengthNm: 520 }).lateralFwhmNm.toFixed(1));']);
    execFileSync("/usr/bin/jupyter", ["nbconvert", "--to", "notebook", "--execute", "--inplace", path], {
      env: { ...process.env, JUPYTER_PATH: prefix, PYDEVD_DISABLE_FILE_VALIDATION: "1" },
      stdio: "ignore",
      timeout: 120_000,
    });
    const executed = JSON.parse(readFileSync(path, "utf8"));
    expect(JSON.stringify(executed.cells[0].outputs)).toContain("lateral nm 189.4");
  }, 180_000);
});
