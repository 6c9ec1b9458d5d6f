import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { serializeNotebook, stripOutputs, type Notebook } from "../../src/notebook/nbformat.js";
import { type NotebookRun, runNotebook } from "../../src/notebook/runner.js";
import { renderReport } from "../../src/report/notebook-report.js";
// @ts-expect-error plain ESM helper script without types
import { CHROMIUM, renderedPlotCount } from "../../scripts/chromium.mjs";

// Every notebook in notebooks/ is executed through the real kernel, as `npm start` does.
const NOTEBOOK_DIR = resolve("notebooks");
const notebooks = readdirSync(NOTEBOOK_DIR).filter((f) => f.endsWith(".ipynb")).sort();
const JUPYTER = "/usr/bin/jupyter";
const needsTools = process.env.CI === "true"; // CI installs Chromium and Jupyter; elsewhere those checks may skip

const runs = new Map<string, NotebookRun>();
let outDir = "";

/** Number of plotly figure outputs in an executed notebook. */
function plotOutputs(nb: Notebook): number {
  let n = 0;
  for (const c of nb.cells) {
    if (c.cell_type !== "code") continue;
    for (const o of c.outputs) if (o.output_type === "display_data" && o.data["application/vnd.plotly.v1+json"]) n++;
  }
  return n;
}

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), "limiqc-notebooks-"));
  mkdirSync(join(outDir, "notebooks"));
  // Two at a time: the machine has two cores and each kernel compiles cells with TypeScript.
  const queue = [...notebooks];
  await Promise.all(
    [0, 1].map(async () => {
      for (let name = queue.shift(); name; name = queue.shift()) {
        const run = await runNotebook(join(NOTEBOOK_DIR, name));
        runs.set(name, run);
        writeFileSync(join(outDir, "notebooks", name), serializeNotebook(run.notebook));
      }
    }),
  );
}, 1_800_000);

describe.each(notebooks)("notebook %s", (name) => {
  test("is committed without outputs", () => {
    const text = readFileSync(join(NOTEBOOK_DIR, name), "utf8");
    const nb = JSON.parse(text) as Notebook;
    expect(serializeNotebook(stripOutputs(nb))).toBe(text);
    expect((nb.metadata.kernelspec as { name: string }).name).toBe("limiqc");
  });

  test("runs top to bottom through the limiqc kernel", () => {
    const run = runs.get(name)!;
    expect(run.failure, run.failure ? `cell ${run.failure.cellIndex}:\n${run.failure.source}\n${run.failure.errorText}` : "").toBeUndefined();
    expect(run.ok).toBe(true);
  });

  test("shows a pass/warn/fail verdict with a reason", () => {
    const run = runs.get(name)!;
    expect(run.verdicts.length).toBeGreaterThan(0);
    for (const v of run.verdicts) {
      expect(["pass", "warn", "fail"]).toContain(v.level);
      expect(v.reason?.length ?? 0).toBeGreaterThan(10);
    }
  });
});

describe("offline rendering", () => {
  test("the HTML report opens offline and every plot renders", () => {
    if (!CHROMIUM) {
      expect(needsTools, "Chromium is required in CI").toBe(false);
      return;
    }
    const all = [...runs.values()];
    const reportPath = join(outDir, "report.html");
    writeFileSync(reportPath, renderReport(all));
    const expected = all.reduce((s, r) => s + plotOutputs(r.notebook), 0);
    expect(expected).toBeGreaterThan(0);
    expect(renderedPlotCount(reportPath)).toBe(expected);
  }, 180_000);

  test("a notebook exported by `jupyter nbconvert --to html` renders its plots offline", () => {
    if (!CHROMIUM || !existsSync(JUPYTER)) {
      expect(needsTools, "Chromium and Jupyter's nbconvert are required in CI").toBe(false);
      return;
    }
    const executed = join(outDir, "notebooks", "00-start-here.ipynb");
    execFileSync(JUPYTER, ["nbconvert", "--to", "html", executed, "--output-dir", outDir], {
      env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: "1" },
      stdio: "ignore",
    });
    const html = join(outDir, "00-start-here.html");
    const nb = JSON.parse(readFileSync(executed, "utf8")) as Notebook;
    expect(plotOutputs(nb)).toBeGreaterThan(0);
    expect(renderedPlotCount(html)).toBe(plotOutputs(nb));
  }, 180_000);
});
