import { describe, expect, test } from "vitest";
import type { Notebook } from "../../src/notebook/nbformat.js";
import { plotBundle, plotlyInit } from "../../src/notebook/plotly.js";
import { renderReport, summaryLine } from "../../src/report/notebook-report.js";

const nb = (outputs: Record<string, unknown>[], metadata: Record<string, unknown>[] = []): Notebook => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: [
    { cell_type: "markdown", source: "# Title <b>x</b>", metadata: {} },
    {
      cell_type: "code",
      source: "x",
      metadata: {},
      execution_count: 1,
      outputs: outputs.map((data, i) => ({ output_type: "display_data", data, metadata: metadata[i] ?? {} })),
    },
  ],
});

describe("HTML report", () => {
  test("inlines plotly.js once, drops the notebooks' own init outputs, keeps every figure however large", () => {
    const big = plotBundle({ data: [{ type: "scatter", x: Array.from({ length: 30000 }, (_, i) => i), y: Array.from({ length: 30000 }, (_, i) => i * 1.5) }] });
    expect((big["text/html"] as string).length).toBeGreaterThan(200_000);
    const small = plotBundle({ data: [{ type: "bar", x: [1, 2], y: [3, 4] }] });
    const html = renderReport([
      {
        path: "a.ipynb",
        ok: true,
        durationMs: 1000,
        verdicts: [{ level: "pass", title: "T", reason: "fine" }],
        notebook: nb([plotlyInit(), big, small], [{ limiqc: { role: "plotly-init" } }]),
      },
    ]);
    expect(html.match(/class="limiqc-plot"/g)).toHaveLength(2);
    expect(html.match(/if\(!window\.Plotly\)/g) ?? []).toHaveLength(0); // the notebook's init is not repeated
    expect(html).toContain("<h1>Title <b>x</b></h1>");
    expect(html).toContain('class="lq-level lq-pass"');
  });

  test("the summary line names the verdict, or the failing cell", () => {
    const base = { path: "/x/05-resolution.ipynb", notebook: nb([]), durationMs: 2500 };
    expect(summaryLine({ ...base, ok: true, verdicts: [{ level: "fail", reason: "too wide" }] })).toMatch(/^FAIL\s+05-resolution\.ipynb — too wide \(2\.5 s\)/);
    expect(summaryLine({ ...base, ok: false, verdicts: [], failure: { cellIndex: 3, source: "", errorText: "boom" } })).toMatch(/^ERROR 05-resolution\.ipynb: cell 3 failed/);
  });
});
