/** The parts of the Jupyter notebook format (nbformat 4) that limiqc reads and writes. */

export type MultilineString = string | string[];

export interface StreamOutput {
  output_type: "stream";
  name: "stdout" | "stderr";
  text: MultilineString;
}
export interface DisplayDataOutput {
  output_type: "display_data";
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}
export interface ExecuteResultOutput {
  output_type: "execute_result";
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  execution_count: number | null;
}
export interface ErrorOutput {
  output_type: "error";
  ename: string;
  evalue: string;
  traceback: string[];
}
export type Output = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

export interface CodeCell {
  cell_type: "code";
  id?: string;
  source: MultilineString;
  metadata: Record<string, unknown>;
  outputs: Output[];
  execution_count: number | null;
}
export interface MarkdownCell {
  cell_type: "markdown" | "raw";
  id?: string;
  source: MultilineString;
  metadata: Record<string, unknown>;
}
export type Cell = CodeCell | MarkdownCell;

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
}

/** Joins nbformat's list-of-lines strings. */
export function joinSource(s: MultilineString): string {
  return Array.isArray(s) ? s.join("") : s;
}

/** Copy of a notebook with every code cell's outputs and execution counts removed (what we commit). */
export function stripOutputs(nb: Notebook): Notebook {
  return {
    ...nb,
    cells: nb.cells.map((c) => (c.cell_type === "code" ? { ...c, outputs: [], execution_count: null } : c)),
  };
}

/** Serialises like Jupyter does (1-space indent, trailing newline) so diffs stay small. */
export function serializeNotebook(nb: Notebook): string {
  return `${JSON.stringify(nb, null, 1)}\n`;
}
