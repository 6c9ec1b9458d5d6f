import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, test } from "vitest";
import { DimensionError, InsufficientDataError } from "../../src/core/errors.js";
import { heatmapPlot, histogramPlot, linePlot, plotBundle, plotlyInit, resetPlotlyInit, scatterPlot, showPlot } from "../../src/notebook/plotly.js";

const PLOTLY_MIME = "application/vnd.plotly.v1+json";
type Fig = { data: Record<string, any>[]; layout: Record<string, any>; config: Record<string, any> };

describe("plotly init", () => {
  const source = readFileSync(createRequire(import.meta.url).resolve("plotly.js-cartesian-dist-min"), "utf8");

  test("inlines the whole plotly.js bundle in one script, with no early </script", () => {
    const init = plotlyInit();
    const html = init["text/html"] as string;
    expect(html.length).toBeGreaterThan(source.length);
    expect(html).toContain(source.slice(0, 2000));
    expect(html).toContain(source.slice(-2000));
    expect(html.match(/<\/script/gi)?.length).toBe(1);
    expect(html.endsWith("</script>")).toBe(true);
    expect(html).toContain("if(!window.Plotly){(function(define,module,exports){");
    expect(init["text/plain"]).toMatch(/^plotly\.js 4\.1\.1 loaded/);
  });

  test("outside a kernel showPlot returns the figure bundle and sends nothing", () => {
    resetPlotlyInit();
    const b = showPlot({ data: [{ type: "scatter", x: [1], y: [2] }] });
    expect(Object.keys(b).sort()).toEqual([PLOTLY_MIME, "text/html", "text/plain"]);
  });
});

describe("figure bundle", () => {
  test("has the plotly JSON, an HTML fallback that waits for Plotly, and text", () => {
    const b = plotBundle({ data: [{ type: "scatter", x: new Float32Array([1, 2]), y: [3, Number.NaN] }], layout: { title: { text: "T" } } });
    const fig = b[PLOTLY_MIME] as Fig;
    expect(fig.data[0].x).toEqual([1, 2]); // typed array → array
    expect(fig.data[0].y).toEqual([3, null]); // NaN → null (a gap)
    expect(fig.layout.paper_bgcolor).toBe("#ffffff");
    expect(fig.layout.font.size).toBeGreaterThanOrEqual(13);
    expect(fig.layout.title).toEqual({ text: "T" });
    expect(fig.config).toMatchObject({ displaylogo: false, responsive: true });
    const html = b["text/html"] as string;
    expect(html).toContain("window.Plotly.newPlot");
    expect(html).toMatch(/setTimeout\(go,50\)/);
    expect(b["text/plain"]).toBe('<Plotly figure "T": 1 trace(s): scatter>');
  });

  test("user layout and config override the defaults, deeply", () => {
    const fig = plotBundle({ data: [], layout: { font: { size: 20 }, height: 300 }, config: { displaylogo: true } })[PLOTLY_MIME] as Fig;
    expect(fig.layout.font.size).toBe(20);
    expect(fig.layout.font.family).toContain("Arial");
    expect(fig.layout.height).toBe(300);
    expect(fig.config.displaylogo).toBe(true);
    expect(fig.config.responsive).toBe(true);
  });

  test("escapes </ in the embedded JSON", () => {
    const evil = "</script><script>alert(1)</script>";
    const b = plotBundle({ data: [{ type: "scatter", name: evil, x: [1], y: [1] }] });
    const html = b["text/html"] as string;
    expect(html.match(/<\/script/gi)?.length).toBe(1); // only the real closing tag
    expect(html).not.toContain("<script>alert");
    expect(html).toContain("\\u003c/script>\\u003cscript>alert(1)\\u003c/script>");
    expect((b[PLOTLY_MIME] as Fig).data[0].name).toBe(evil); // the JSON output is data, not HTML
    // what the browser evaluates is the original figure
    const json = /var f=(\{.*?\});var n=0/.exec(html)?.[1] ?? "";
    expect(JSON.parse(json).data[0].name).toBe(evil);
  });

  test("each figure gets its own div id", () => {
    const id = (html: string): string => /id="([^"]+)"/.exec(html)?.[1] ?? "";
    const a = plotBundle({ data: [] })["text/html"] as string;
    const b = plotBundle({ data: [] })["text/html"] as string;
    expect(id(a)).not.toBe(id(b));
  });
});

describe("figure builders", () => {
  test("linePlot puts units in axis titles and escapes labels", () => {
    const f = linePlot([{ x: [0, 1, 2], y: [1, 0.98, 0.97], name: "488 nm <laser>" }], {
      xLabel: "Time",
      xUnit: "min",
      yLabel: "Relative power",
      yUnit: "1",
      title: "Power stability",
      hLines: [{ at: 0.95, label: "limit" }],
    }) as unknown as Fig;
    expect(f.layout.xaxis.title).toEqual({ text: "Time (min)" });
    expect(f.layout.yaxis.title).toEqual({ text: "Relative power" }); // dimensionless: no "(1)"
    expect(f.data[0]).toMatchObject({ type: "scatter", mode: "lines", x: [0, 1, 2], name: "488 nm &lt;laser&gt;" });
    expect(f.layout.shapes[0]).toMatchObject({ type: "line", y0: 0.95, y1: 0.95 });
    expect(f.layout.annotations[0].text).toBe("limit");
    expect(() => linePlot({ x: [1, 2], y: [1] }, { xLabel: "x", yLabel: "y" })).toThrow(DimensionError);
  });

  test("scatterPlot with error bars; µm shown for um", () => {
    const f = scatterPlot({ x: [1, 2, 3], y: new Float64Array([0.25, 0.26, 0.24]), yError: [0.01, 0.02, 0.01], name: "FWHM x" }, { xLabel: "Bead", yLabel: "FWHM", yUnit: "um" }) as unknown as Fig;
    expect(f.layout.yaxis.title.text).toBe("FWHM (µm)");
    expect(f.data[0].error_y).toMatchObject({ type: "data", array: [0.01, 0.02, 0.01], visible: true });
    expect(f.data[0].mode).toBe("markers");
    expect(() => scatterPlot({ x: [1, 2], y: [1, 2], yError: [1] }, { xLabel: "x", yLabel: "y" })).toThrow(/yError has 1 values but y has 2/);
  });

  test("heatmapPlot from a Float32Array + dims, with physical axes", () => {
    const z = new Float32Array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
    const f = heatmapPlot(z, { dims: [2, 3], dx: 0.5, dy: 0.5, xLabel: "x", xUnit: "um", yLabel: "y", yUnit: "um", zLabel: "Relative intensity", zUnit: "%" }) as unknown as Fig;
    const t = f.data[0];
    expect(t.z).toEqual([
      [0.1, 0.2, 0.3],
      [0.4, 0.5, 0.6],
    ]); // Float32 noise rounded to 6 significant digits
    expect([t.x0, t.dx, t.y0, t.dy]).toEqual([0, 0.5, 0, 0.5]);
    expect(t.colorbar.title.text).toBe("Relative intensity (%)");
    expect(f.layout.xaxis.title.text).toBe("x (µm)");
    expect(f.layout.yaxis.autorange).toBe("reversed");
    expect(Array.isArray(t.colorscale)).toBe(true);
    expect(t.colorscale[0]).toEqual([0, "rgb(68,1,84)"]); // viridis
    expect(() => heatmapPlot(z, { xLabel: "x", yLabel: "y", zLabel: "z" })).toThrow(/without dims/);
    expect(() => heatmapPlot(z, { dims: [4, 2], xLabel: "x", yLabel: "y", zLabel: "z" })).toThrow(DimensionError);
  });

  test("heatmapPlot from rows; large maps are binned with the axes kept physical", () => {
    const rows = [
      [1, 2],
      [3, 4],
    ];
    expect((heatmapPlot(rows, { xLabel: "x", yLabel: "y", zLabel: "z" }).data[0] as Fig["data"][0]).z).toEqual(rows);
    const big = new Float32Array(1000 * 1000).fill(2);
    const f = heatmapPlot(big, { dims: [1000, 1000], dx: 0.1, dy: 0.1, xLabel: "x", yLabel: "y", zLabel: "z", maxCells: 250_000 }) as unknown as Fig;
    const t = f.data[0];
    expect(t.z.length).toBe(500);
    expect(t.z[0].length).toBe(500);
    expect(t.z[10][10]).toBe(2);
    expect(t.dx).toBeCloseTo(0.2, 12);
    expect(t.x0).toBeCloseTo(0.05, 12);
    expect(f.layout.title.text).toContain("binned 2×2");
  });

  test("histogramPlot bins the values itself (known counts)", () => {
    const f = histogramPlot([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, Number.NaN], { xLabel: "Read noise", xUnit: "e-", bins: 5 }) as unknown as Fig;
    const t = f.data[0];
    expect(t.type).toBe("bar");
    expect(t.y).toEqual([2, 2, 2, 2, 2]);
    expect(t.x[0]).toBeCloseTo(0.9, 12);
    expect(t.width).toBeCloseTo(1.8, 12);
    expect(f.layout.xaxis.title.text).toBe("Read noise (e⁻)");
    expect(f.layout.yaxis.title.text).toBe("Count");
    const two = histogramPlot(
      [
        { values: [1, 1, 2], name: "a" },
        { values: [2, 3], name: "b" },
      ],
      { xLabel: "v", bins: 2, range: [1, 3] },
    ) as unknown as Fig;
    expect(two.data.map((d) => d.y)).toEqual([
      [2, 1],
      [0, 2],
    ]);
    expect(two.layout.barmode).toBe("overlay");
    expect(() => histogramPlot([Number.NaN], { xLabel: "v" })).toThrow(InsufficientDataError);
  });
});
