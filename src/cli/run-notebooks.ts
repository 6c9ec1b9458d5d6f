import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { serializeNotebook } from "../notebook/nbformat.js";
import { type NotebookRun, runNotebook } from "../notebook/runner.js";
import { renderReport, summaryLine } from "../report/notebook-report.js";
import type { Command } from "./common.js";

/** Runs async tasks with at most `jobs` in flight, keeping results in input order. */
async function mapLimited<T, R>(items: T[], jobs: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
  return out;
}

export const runNotebooksCommand: Command = {
  name: "run-notebooks",
  summary: "execute protocol notebooks through the limiqc kernel and write an HTML report",
  usage: "limiqc run-notebooks [NOTEBOOK.ipynb ...] [--out DIR] [--report FILE] [--jobs N]",
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { out: { type: "string", default: "out" }, report: { type: "string" }, jobs: { type: "string", default: "2" } },
    });
    const notebooks = positionals.length
      ? positionals.map((p) => resolve(p))
      : readdirSync("notebooks")
          .filter((f) => f.endsWith(".ipynb"))
          .sort()
          .map((f) => resolve("notebooks", f));
    const outDir = resolve(values.out);
    const executedDir = join(outDir, "notebooks");
    mkdirSync(executedDir, { recursive: true });
    const runs: NotebookRun[] = await mapLimited(notebooks, Math.max(1, Number(values.jobs) || 1), async (nb) => {
      const run = await runNotebook(nb);
      writeFileSync(join(executedDir, basename(nb)), serializeNotebook(run.notebook));
      console.log(summaryLine(run));
      if (!run.ok && run.failure) {
        console.log(`  cell ${run.failure.cellIndex}:\n${indent(run.failure.source)}\n  error:\n${indent(run.failure.errorText)}`);
      }
      return run;
    });
    const reportPath = resolve(values.report ?? join(outDir, "report.html"));
    mkdirSync(dirname(reportPath), { recursive: true });
    writeFileSync(reportPath, renderReport(runs));
    const failed = runs.filter((r) => !r.ok);
    const noVerdict = runs.filter((r) => r.ok && r.verdicts.length === 0);
    for (const r of noVerdict) console.log(`ERROR ${basename(r.path)}: displays no verdict (every protocol notebook must end with showVerdict)`);
    console.log(`report: ${reportPath}`);
    console.log(`notebooks: ${runs.length - failed.length - noVerdict.length} passed, ${failed.length + noVerdict.length} failed`);
    return failed.length || noVerdict.length ? 1 : 0;
  },
};

function indent(s: string): string {
  return s
    .trimEnd()
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
}
