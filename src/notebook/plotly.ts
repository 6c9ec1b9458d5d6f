/**
 * Plotly figures that render offline everywhere a notebook is read.
 *
 * Each figure is one output with three MIME types: `application/vnd.plotly.v1+json` (drawn by
 * JupyterLab's plotly extension and VS Code's notebook renderers), `text/html` (a div and a script
 * that waits for `window.Plotly`: classic Notebook and `nbconvert --to html`), and `text/plain`.
 * plotly.js itself (`plotly.js-cartesian-dist-min`, 1.5 MB) is inlined once per kernel process by
 * an init output that `showPlot` sends automatically before the first figure. No CDN is used.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { DimensionError, InsufficientDataError, InvalidArgumentError } from "../core/errors.js";
import { display, isInKernel, type MimeBundle, makeBundle, toJsonSafe, withUnit } from "./display.js";
import { blockAverage, type ColormapName, colormapLut, LUT_SIZE } from "./png.js";

/** A Plotly figure as plain data (no dependency on plotly's typings). */
export interface PlotlyFigure {
  data: object[];
  layout?: object;
  config?: object;
}

const nodeRequire = createRequire(import.meta.url);
const PLOTLY_PACKAGE = "plotly.js-cartesian-dist-min";
/** globalThis key shared by every copy of this module in the process (e.g. src and dist both loaded). */
const INIT_SENT = Symbol.for("limiqc.notebook.plotlyInitSent");

/** Okabe–Ito palette: distinguishable with the common colour-vision deficiencies. */
const COLORWAY = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"];
const DEFAULT_HEIGHT_PX = 420;
const AXIS_STYLE = { showline: true, linecolor: "#444444", mirror: false, gridcolor: "#e5e5e5", zeroline: false, ticks: "outside", automargin: true };
/** Layout merged under every figure's own layout. */
export const DEFAULT_LAYOUT: Readonly<Record<string, unknown>> = {
  font: { family: "Helvetica, Arial, sans-serif", size: 14, color: "#1f2328" },
  paper_bgcolor: "#ffffff",
  plot_bgcolor: "#ffffff",
  colorway: COLORWAY,
  height: DEFAULT_HEIGHT_PX,
  margin: { l: 70, r: 30, t: 50, b: 60 },
  xaxis: AXIS_STYLE,
  yaxis: AXIS_STYLE,
  legend: { bgcolor: "rgba(255,255,255,0.85)" },
  hoverlabel: { font: { size: 13 } },
};
/** Config merged under every figure's own config. */
export const DEFAULT_CONFIG: Readonly<Record<string, unknown>> = { responsive: true, displaylogo: false, toImageButtonOptions: { format: "svg" } };

/** How long the figure script waits for plotly.js: 200 polls × 50 ms = 10 s. */
const WAIT_POLLS = 200;
const WAIT_INTERVAL_MS = 50;

let plotlySource: { js: string; version: string } | null = null;

function loadPlotly(): { js: string; version: string } {
  if (!plotlySource) {
    const js = readFileSync(nodeRequire.resolve(PLOTLY_PACKAGE), "utf8");
    let version = "unknown";
    try {
      version = (nodeRequire(`${PLOTLY_PACKAGE}/package.json`) as { version: string }).version;
    } catch {
      // the version is only a label
    }
    plotlySource = { js, version };
  }
  return plotlySource;
}

/** Makes a JS source safe inside an HTML `<script>` element (no early `</script`). */
function escapeScript(js: string): string {
  return js.replace(/<\/(script)/gi, "<\\/$1");
}

/** JSON for embedding in a `<script>`: `<` and the JS line separators escaped (still valid JSON). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/**
 * The output that loads plotly.js into the page, once per notebook.
 *
 * @returns `{ "text/html": <script> with the whole plotly.js bundle, "text/plain" }`.
 *
 * Notes: the bundle runs as `(function(define, module, exports){…}).call(window)` so an AMD or
 * CommonJS loader on the page cannot capture it, and only when `window.Plotly` is not yet
 * defined. `</script` inside the source is escaped. `showPlot` sends this automatically before
 * the first figure in a kernel process; call it yourself only to force a reload.
 * @see research/stack.md §1.2 (which front end renders what)
 */
export function plotlyInit(): MimeBundle {
  const { js, version } = loadPlotly();
  const html =
    `<script type="text/javascript">/* plotly.js ${version.replace(/[^\w.+-]/g, "")} (cartesian bundle), inlined by limiqc so figures render offline */\n` +
    `if(!window.Plotly){(function(define,module,exports){${escapeScript(js)}\n}).call(window);}</script>`;
  return makeBundle({ "text/html": html, "text/plain": `plotly.js ${version} loaded for offline figures` });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

/** Deep merge of plain objects; `over` wins; arrays and other values are replaced, not merged. */
function merge(base: Readonly<Record<string, unknown>>, over: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? merge(b, v) : v;
  }
  return out;
}

/** The figure with the default layout/config merged in, JSON-safe (typed arrays → arrays, NaN → null). */
function normaliseFigure(fig: PlotlyFigure): { data: unknown[]; layout: Record<string, unknown>; config: Record<string, unknown> } {
  if (!fig || !Array.isArray(fig.data)) {
    throw new InvalidArgumentError("A Plotly figure needs a data array of traces.", "Pass { data: [trace, ...], layout?, config? }, e.g. from linePlot().");
  }
  const layout = merge(DEFAULT_LAYOUT, (fig.layout ?? {}) as Record<string, unknown>);
  const config = merge(DEFAULT_CONFIG, (fig.config ?? {}) as Record<string, unknown>);
  return toJsonSafe({ data: fig.data, layout, config }) as { data: unknown[]; layout: Record<string, unknown>; config: Record<string, unknown> };
}

let figureCounter = 0;

/**
 * Builds the three-MIME output of one figure.
 *
 * @param fig Traces, layout, config (defaults from `DEFAULT_LAYOUT`/`DEFAULT_CONFIG` are merged under them).
 * @returns `{ "application/vnd.plotly.v1+json", "text/html", "text/plain" }`.
 * @throws InvalidArgumentError when `fig.data` is not an array.
 *
 * Notes: the HTML holds a placeholder text (visible where scripts do not run, e.g. an
 * untrusted notebook) and a script that draws the figure once `window.Plotly` exists, giving
 * up after 10 s with a message. The embedded JSON has every `<` escaped as `\u003c`, so trace
 * names or hover texts containing `</script>` cannot end the script early.
 */
export function plotBundle(fig: PlotlyFigure): MimeBundle {
  const f = normaliseFigure(fig);
  const id = `limiqc-plot-${Date.now().toString(36)}-${(figureCounter++).toString(36)}-${Math.floor(Math.random() * 1e9).toString(36)}`;
  const heightPx = typeof f.layout.height === "number" ? f.layout.height : DEFAULT_HEIGHT_PX;
  const html =
    `<div class="limiqc-plot" id="${id}" style="width:100%;min-width:320px;height:${heightPx}px;background:#ffffff;color:#57606a;font:13px Helvetica,Arial,sans-serif">` +
    "Interactive figure: it is drawn by plotly.js when the notebook is run (or trusted).</div>" +
    `<script type="text/javascript">(function(){var f=${scriptJson(f)};var n=0;function go(){var el=document.getElementById("${id}");if(!el){return;}` +
    `if(window.Plotly){el.textContent="";window.Plotly.newPlot(el,f.data,f.layout,f.config);}` +
    `else if(n++<${WAIT_POLLS}){setTimeout(go,${WAIT_INTERVAL_MS});}` +
    `else{el.textContent="plotly.js is not loaded on this page: restart the kernel and run the notebook from the top.";}}go();})();</script>`;
  const title = (f.layout.title as { text?: unknown } | undefined)?.text;
  const traces = f.data
    .map((t) => {
      const r = t as Record<string, unknown>;
      return `${r.type ?? "scatter"}${typeof r.name === "string" ? ` "${r.name}"` : ""}`;
    })
    .join(", ");
  return makeBundle({
    "application/vnd.plotly.v1+json": f,
    "text/html": html,
    "text/plain": `<Plotly figure${typeof title === "string" ? ` "${title}"` : ""}: ${f.data.length} trace(s)${traces ? `: ${traces}` : ""}>`,
  });
}

/**
 * Displays a figure; the first time in a kernel process it first sends `plotlyInit()`.
 *
 * @param fig Traces, layout, config.
 * @returns The figure's bundle (`plotBundle(fig)`), also outside a kernel where nothing is printed.
 * @throws InvalidArgumentError when `fig.data` is not an array.
 *
 * Notes: "first time" is per Node process (one kernel = one notebook run), tracked on
 * `globalThis` so two loaded copies of limiqc agree. Re-running a notebook in the same kernel
 * does not resend plotly.js: the live page still has it, but a file saved from that second run
 * lacks it; restart the kernel before a run whose output you keep (the notebook runner always
 * starts fresh kernels). `resetPlotlyInit()` forces a resend.
 * @example showPlot(linePlot({ x: [0, 1, 2], y: [1, 4, 9] }, { xLabel: "Time", xUnit: "s", yLabel: "Power", yUnit: "mW" }))
 */
export function showPlot(fig: PlotlyFigure): MimeBundle {
  const bundle = plotBundle(fig);
  if (isInKernel()) {
    const g = globalThis as unknown as Record<symbol, unknown>;
    if (g[INIT_SENT] !== true) {
      display(plotlyInit(), { limiqc: { role: "plotly-init" } }); // the report loads plotly once itself and skips these
      g[INIT_SENT] = true;
    }
    display(bundle);
  }
  return bundle;
}

/**
 * Forgets that plotly.js was sent, so the next `showPlot` sends it again (tests; a notebook
 * re-run whose output will be saved).
 *
 * @returns Nothing.
 */
export function resetPlotlyInit(): void {
  delete (globalThis as unknown as Record<symbol, unknown>)[INIT_SENT];
}

// ---------------------------------------------------------------------------------------------
// Figure builders

/** Axis labels and units shared by the builders; titles read "Label (unit)". */
export interface AxesOptions {
  /** x-axis label without unit, e.g. "Wavelength". */
  xLabel: string;
  /** x unit ("um" is shown as µm; omit or "1" for dimensionless). @default none */
  xUnit?: string;
  /** y-axis label without unit. */
  yLabel: string;
  /** y unit. @default none */
  yUnit?: string;
}

/** A reference line (a limit or a target) drawn across the plot. */
export interface ReferenceLine {
  /** Position in axis units. */
  at: number;
  /** Text shown next to the line. @default none */
  label?: string;
  /** CSS colour. @default "#cf222e" (red) */
  color?: string;
}

/** Options common to line, scatter and histogram plots. */
export interface FigureOptions extends AxesOptions {
  /** Figure title. @default none */
  title?: string;
  /** Figure height, px. @default 420 */
  heightPx?: number;
  /** Logarithmic x axis. @default false */
  logX?: boolean;
  /** Logarithmic y axis. @default false */
  logY?: boolean;
  /** Horizontal reference lines at y values. @default [] */
  hLines?: readonly ReferenceLine[];
  /** Vertical reference lines at x values. @default [] */
  vLines?: readonly ReferenceLine[];
}

/** One line: x and y of equal length. */
export interface LineSeries {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Legend entry. @default none */
  name?: string;
  /** Line style. @default "solid" */
  dash?: "solid" | "dash" | "dot" | "dashdot";
}

/** One set of points, optionally with symmetric error bars (same units as the data). */
export interface ScatterSeries {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  name?: string;
  /** ± error of each y value. @default none */
  yError?: ArrayLike<number>;
  /** ± error of each x value. @default none */
  xError?: ArrayLike<number>;
  /** Hover text per point (e.g. bead ids). @default none */
  text?: readonly string[];
}

const REFERENCE_COLOR = "#cf222e";

/**
 * Escapes text for Plotly's label renderer, which reads a small HTML subset (`<b>`, `<br>`, ...)
 * and decodes only a few entities (`&amp; &lt; &gt;` and numeric ones, not `&quot;`).
 */
function plotlyText(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function toArray(a: ArrayLike<number>): (number | null)[] {
  const out = new Array<number | null>(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    out[i] = Number.isFinite(v) ? v : null;
  }
  return out;
}

function checkSameLength(what: string, a: ArrayLike<unknown>, b: ArrayLike<unknown>, nameA: string, nameB: string): void {
  if (a.length !== b.length) {
    throw new DimensionError(`${what}: ${nameA} has ${a.length} values but ${nameB} has ${b.length}.`, `Give ${nameA} and ${nameB} one value per point.`);
  }
}

function axisTitle(label: string, unit: string | undefined): { text: string } {
  return { text: plotlyText(withUnit(label, unit)) };
}

function baseLayout(o: FigureOptions): Record<string, unknown> {
  const shapes: object[] = [];
  const annotations: object[] = [];
  for (const l of o.hLines ?? []) {
    const color = l.color ?? REFERENCE_COLOR;
    shapes.push({ type: "line", xref: "paper", x0: 0, x1: 1, yref: "y", y0: l.at, y1: l.at, line: { color, width: 1.5, dash: "dash" } });
    if (l.label) annotations.push({ xref: "paper", x: 1, xanchor: "right", yref: "y", y: l.at, yanchor: "bottom", text: plotlyText(l.label), showarrow: false, font: { color, size: 12 } });
  }
  for (const l of o.vLines ?? []) {
    const color = l.color ?? REFERENCE_COLOR;
    shapes.push({ type: "line", yref: "paper", y0: 0, y1: 1, xref: "x", x0: l.at, x1: l.at, line: { color, width: 1.5, dash: "dash" } });
    if (l.label) annotations.push({ yref: "paper", y: 1, yanchor: "top", xref: "x", x: l.at, xanchor: "left", text: plotlyText(l.label), showarrow: false, font: { color, size: 12 } });
  }
  const layout: Record<string, unknown> = {
    xaxis: { title: axisTitle(o.xLabel, o.xUnit), type: o.logX ? "log" : "linear" },
    yaxis: { title: axisTitle(o.yLabel, o.yUnit), type: o.logY ? "log" : "linear" },
    height: o.heightPx ?? DEFAULT_HEIGHT_PX,
  };
  if (o.title) layout.title = { text: plotlyText(o.title) };
  if (shapes.length) layout.shapes = shapes;
  if (annotations.length) layout.annotations = annotations;
  return layout;
}

function seriesList<T extends object>(s: T | readonly T[]): readonly T[] {
  return Array.isArray(s) ? (s as readonly T[]) : [s as T];
}

/**
 * A line plot of one or more series.
 *
 * @param series One `{x, y, name?, dash?}` or a list of them.
 * @param options Axis labels and units (titles read "Label (unit)"), title, height, log axes, reference lines.
 * @returns The figure (pass it to `showPlot`).
 * @throws DimensionError when a series' x and y differ in length.
 *
 * Notes: non-finite values become gaps (null). Plotly renders trace names and titles as
 * HTML-like text; titles and labels are escaped here.
 * @example linePlot({ x: [0, 10, 20], y: [1.0, 0.98, 0.97], name: "488 nm" }, { xLabel: "Time", xUnit: "min", yLabel: "Relative power", yUnit: "1" })
 */
export function linePlot(series: LineSeries | readonly LineSeries[], options: FigureOptions): PlotlyFigure {
  const data = seriesList(series).map((s, i) => {
    checkSameLength(`linePlot series ${i}`, s.x, s.y, "x", "y");
    return { type: "scatter", mode: "lines", x: toArray(s.x), y: toArray(s.y), name: s.name === undefined ? undefined : plotlyText(s.name), line: { dash: s.dash ?? "solid", width: 2 } };
  });
  return { data, layout: { ...baseLayout(options), showlegend: data.length > 1 || data.some((d) => d.name !== undefined) } };
}

/**
 * A scatter plot of one or more point sets, with optional error bars.
 *
 * @param series One `{x, y, name?, yError?, xError?, text?}` or a list of them.
 * @param options As `linePlot`, plus `showLine` (connect the points). @default showLine false
 * @returns The figure.
 * @throws DimensionError when x, y, an error array or text differ in length.
 *
 * Notes: error bars are symmetric (±) and in data units; say in the axis label or title what
 * they are (SD, SEM, fit SE).
 */
export function scatterPlot(series: ScatterSeries | readonly ScatterSeries[], options: FigureOptions & { showLine?: boolean }): PlotlyFigure {
  const data = seriesList(series).map((s, i) => {
    const what = `scatterPlot series ${i}`;
    checkSameLength(what, s.x, s.y, "x", "y");
    const trace: Record<string, unknown> = {
      type: "scatter",
      mode: options.showLine ? "lines+markers" : "markers",
      x: toArray(s.x),
      y: toArray(s.y),
      marker: { size: 8 },
    };
    if (s.name !== undefined) trace.name = plotlyText(s.name);
    if (s.yError) {
      checkSameLength(what, s.yError, s.y, "yError", "y");
      trace.error_y = { type: "data", array: toArray(s.yError), visible: true, thickness: 1.2, width: 3 };
    }
    if (s.xError) {
      checkSameLength(what, s.xError, s.x, "xError", "x");
      trace.error_x = { type: "data", array: toArray(s.xError), visible: true, thickness: 1.2, width: 3 };
    }
    if (s.text) {
      checkSameLength(what, s.text, s.x, "text", "x");
      trace.text = s.text.map((t) => plotlyText(t));
    }
    return trace;
  });
  return { data, layout: { ...baseLayout(options), showlegend: data.length > 1 || data.some((d) => d.name !== undefined) } };
}

/** Options for `heatmapPlot`. */
export interface HeatmapOptions extends AxesOptions {
  /** Label of the colour bar (the value), e.g. "Intensity". */
  zLabel: string;
  /** Unit of the values. @default none */
  zUnit?: string;
  /** [ny, nx] when `z` is a flat array (x fastest). */
  dims?: readonly [number, number];
  /** x of the first column's centre, in x units. @default 0 */
  x0?: number;
  /** Column spacing, in x units (e.g. pixel size in µm). @default 1 */
  dx?: number;
  /** y of the first row's centre. @default 0 */
  y0?: number;
  /** Row spacing. @default 1 */
  dy?: number;
  /** A limiqc colour map, or any Plotly colorscale name. @default "viridis" */
  colorscale?: ColormapName | string;
  /** Value range of the colour bar. @default data min–max */
  zRange?: readonly [number, number];
  /** Larger maps are block-averaged to at most this many cells (keeps the notebook small). @default 262144 (512²) */
  maxCells?: number;
  /** Image orientation: row 0 at the top and square cells when dx = dy. @default true */
  imageAxes?: boolean;
  title?: string;
  /** @default 480 */
  heightPx?: number;
}

const DEFAULT_MAX_CELLS = 512 * 512;
const HEATMAP_HEIGHT_PX = 480;
const COLORSCALE_STOPS = 17;
/** Significant digits kept for heatmap values in the JSON (Float32 data carries ~7). */
const HEATMAP_DIGITS = 6;

function colorscaleOf(name: string): string | [number, string][] {
  if (name === "gray" || name === "viridis" || name === "inferno" || name === "magma" || name === "fire") {
    const lut = colormapLut(name);
    const stops: [number, string][] = [];
    for (let k = 0; k < COLORSCALE_STOPS; k++) {
      const t = k / (COLORSCALE_STOPS - 1);
      const e = Math.round(t * (LUT_SIZE - 1)) * 3;
      stops.push([t, `rgb(${lut[e]},${lut[e + 1]},${lut[e + 2]})`]);
    }
    return stops;
  }
  return name;
}

/**
 * A heatmap of a 2D field (a uniformity map, a PSF slice, a registration error map).
 *
 * @param z Rows of values (`z[y][x]`), or a flat array (x fastest) with `options.dims = [ny, nx]`.
 * @param options Axis labels/units, value label/unit, physical axis scaling (x0, dx, y0, dy), colours.
 * @returns The figure.
 * @throws DimensionError when rows differ in length, `dims` is missing for a flat array, or does not match its length.
 * @throws InvalidArgumentError when `dims`, `dx`, `dy` or `maxCells` are not positive.
 *
 * Notes: maps above `maxCells` are block-averaged by the smallest integer factor that fits; the
 * axes stay in physical units and the title says "binned k×k". Values are rounded to 6
 * significant digits in the JSON.
 */
export function heatmapPlot(z: readonly (readonly number[])[] | ArrayLike<number>, options: HeatmapOptions): PlotlyFigure {
  let nx: number;
  let ny: number;
  let flat: Float32Array;
  const first = (z as ArrayLike<unknown>).length > 0 ? (z as ArrayLike<unknown>)[0] : undefined;
  if (Array.isArray(z) && (Array.isArray(first) || ArrayBuffer.isView(first))) {
    const rows = z as readonly (readonly number[])[];
    ny = rows.length;
    nx = rows[0].length;
    flat = new Float32Array(nx * ny);
    for (let y = 0; y < ny; y++) {
      if (rows[y].length !== nx) throw new DimensionError(`heatmapPlot: row ${y} has ${rows[y].length} values but row 0 has ${nx}.`, "Give every row the same length.");
      for (let x = 0; x < nx; x++) flat[y * nx + x] = rows[y][x];
    }
  } else {
    if (!options.dims) throw new DimensionError(`heatmapPlot got a flat array of ${(z as ArrayLike<number>).length} values without dims.`, "Pass dims: [ny, nx] (x fastest), or an array of rows.");
    [ny, nx] = options.dims;
    if (!(Number.isInteger(nx) && Number.isInteger(ny) && nx > 0 && ny > 0)) {
      throw new InvalidArgumentError(`heatmapPlot dims [${ny}, ${nx}] are not positive integers.`, "Pass dims: [ny, nx].");
    }
    const a = z as ArrayLike<number>;
    if (a.length !== nx * ny) throw new DimensionError(`heatmapPlot: ${a.length} values do not fill dims [${ny}, ${nx}] (${nx * ny}).`, "Check the dims order: [ny, nx], x fastest.");
    flat = Float32Array.from(a);
  }
  if (nx * ny === 0) throw new InsufficientDataError("heatmapPlot got an empty map.", "Pass at least one value.");
  const dx = options.dx ?? 1;
  const dy = options.dy ?? 1;
  const maxCells = options.maxCells ?? DEFAULT_MAX_CELLS;
  if (!(dx > 0 && dy > 0 && maxCells >= 1)) {
    throw new InvalidArgumentError(`heatmapPlot dx = ${dx}, dy = ${dy}, maxCells = ${maxCells}; all must be positive.`, "Use the pixel size (µm) as dx and dy.");
  }
  let factor = 1;
  while (Math.ceil(nx / factor) * Math.ceil(ny / factor) > maxCells) factor++;
  const binned = factor > 1 ? blockAverage(flat, nx, ny, factor) : { data: flat, nx, ny };
  const values: (number | null)[][] = [];
  for (let y = 0; y < binned.ny; y++) {
    const row = new Array<number | null>(binned.nx);
    for (let x = 0; x < binned.nx; x++) {
      const v = binned.data[y * binned.nx + x];
      row[x] = Number.isFinite(v) ? (Number.isInteger(v) ? v : Number(v.toPrecision(HEATMAP_DIGITS))) : null;
    }
    values.push(row);
  }
  const trace: Record<string, unknown> = {
    type: "heatmap",
    z: values,
    x0: (options.x0 ?? 0) + ((factor - 1) / 2) * dx,
    dx: dx * factor,
    y0: (options.y0 ?? 0) + ((factor - 1) / 2) * dy,
    dy: dy * factor,
    colorscale: colorscaleOf(options.colorscale ?? "viridis"),
    colorbar: { title: { text: plotlyText(withUnit(options.zLabel, options.zUnit)) } },
  };
  if (options.zRange) {
    trace.zmin = options.zRange[0];
    trace.zmax = options.zRange[1];
  }
  const layout: Record<string, unknown> = {
    xaxis: { title: axisTitle(options.xLabel, options.xUnit), showgrid: false, constrain: "domain" },
    yaxis: { title: axisTitle(options.yLabel, options.yUnit), showgrid: false, constrain: "domain" },
    height: options.heightPx ?? HEATMAP_HEIGHT_PX,
  };
  if (options.imageAxes ?? true) {
    (layout.yaxis as Record<string, unknown>).autorange = "reversed";
    (layout.yaxis as Record<string, unknown>).scaleanchor = "x";
  }
  const binnedNote = factor > 1 ? ` (binned ${factor}×${factor} for display)` : "";
  if (options.title || binnedNote) layout.title = { text: plotlyText((options.title ?? "") + binnedNote).trim() };
  return { data: [trace], layout };
}

/** One histogram series. */
export interface HistogramSeries {
  values: ArrayLike<number>;
  name?: string;
}

/** Options for `histogramPlot`; `yLabel` defaults to "Count". */
export interface HistogramPlotOptions extends Omit<FigureOptions, "yLabel"> {
  /** @default "Count" */
  yLabel?: string;
  /** Number of bins. @default √n clamped to 10–100 */
  bins?: number;
  /** Binned range; values outside are not counted. @default min–max of all finite values */
  range?: readonly [number, number];
}

const MIN_AUTO_BINS = 10;
const MAX_AUTO_BINS = 100;

/**
 * A histogram, binned here (so a million pixels become ≤ 100 bars, not a million JSON numbers).
 *
 * @param values The values, or a list of `{ values, name }` series sharing the same bins.
 * @param options Axis label/unit, bins, range, title, reference lines.
 * @returns The figure: one bar trace per series (x = bin centres, width = bin width), overlaid.
 * @throws InsufficientDataError when no value is finite.
 * @throws InvalidArgumentError when `bins` is not a positive integer or `range` is not increasing.
 *
 * Notes: non-finite values are skipped. A bin holds [left, right); the last bin also holds the
 * range maximum. When all values are equal, one bin of width 1 is centred on them.
 */
export function histogramPlot(values: ArrayLike<number> | readonly HistogramSeries[], options: HistogramPlotOptions): PlotlyFigure {
  const first = (values as ArrayLike<unknown>).length > 0 ? (values as ArrayLike<unknown>)[0] : undefined;
  const series: readonly HistogramSeries[] = Array.isArray(values) && typeof first === "object" && first !== null ? (values as readonly HistogramSeries[]) : [{ values: values as ArrayLike<number> }];
  let n = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const s of series) {
    const v = s.values;
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (!Number.isFinite(x)) continue;
      n++;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  }
  if (n === 0) throw new InsufficientDataError("histogramPlot got no finite values.", "Check that the measurement produced numbers (NaN and ±∞ are skipped).");
  if (options.range) {
    [lo, hi] = options.range;
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo)) {
      throw new InvalidArgumentError(`histogramPlot range [${lo}, ${hi}] is not an increasing pair of finite numbers.`, "Pass range: [low, high] with low < high.");
    }
  } else if (hi === lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  const bins = options.bins ?? Math.min(MAX_AUTO_BINS, Math.max(MIN_AUTO_BINS, Math.ceil(Math.sqrt(n))));
  if (!Number.isInteger(bins) || bins < 1) throw new InvalidArgumentError(`histogramPlot bins = ${bins}; expected a positive integer.`, "Use e.g. bins: 50.");
  const width = (hi - lo) / bins;
  const centres = new Array<number>(bins);
  for (let b = 0; b < bins; b++) centres[b] = lo + (b + 0.5) * width;
  const data = series.map((s) => {
    const counts = new Array<number>(bins).fill(0);
    const v = s.values;
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (!(x >= lo && x <= hi)) continue;
      let b = Math.floor((x - lo) / width);
      if (b >= bins) b = bins - 1;
      counts[b]++;
    }
    return {
      type: "bar",
      x: centres,
      y: counts,
      width,
      name: s.name === undefined ? undefined : plotlyText(s.name),
      opacity: series.length > 1 ? 0.6 : 1,
      marker: { line: { width: 0.5, color: "#ffffff" } },
    };
  });
  const layout = baseLayout({ ...options, yLabel: options.yLabel ?? "Count" });
  return { data, layout: { ...layout, barmode: "overlay", bargap: 0, showlegend: series.length > 1 } };
}
