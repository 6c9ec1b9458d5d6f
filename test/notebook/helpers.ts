import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Notebook } from "../../src/notebook/nbformat.js";

/** Writes a notebook of code cells (strings) or markdown cells ({ md }) to a fresh temp folder outside the repo. */
export function writeTempNotebook(name: string, cells: (string | { md: string })[], dir = mkdtempSync(join(tmpdir(), "limiqc-nb-"))): string {
  const nb: Notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "limiqc", display_name: "limiqc (TypeScript)", language: "typescript" } },
    cells: cells.map((c) =>
      typeof c === "string"
        ? { cell_type: "code", source: c, metadata: {}, outputs: [], execution_count: null }
        : { cell_type: "markdown", source: c.md, metadata: {} },
    ),
  };
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(nb));
  return path;
}
