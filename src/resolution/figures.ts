/**
 * Figures and tables of a bead PSF measurement for notebooks and reports: a bead gallery (XY/XZ/YZ maximum
 * projections with the fitted FWHM ellipse and profile overlaid), profiles with their fits, FWHM maps over the
 * field, the focus map with the fitted surface, and tables of beads and of the summary.
 * @module
 */
import { InvalidArgumentError } from "../core/errors.js";
import type { Quantity } from "../core/quantity.js";
import { evaluateSurface } from "../fit/linear.js";
import type { ImageView } from "../image/types.js";
import { FWHM_PER_SIGMA } from "../optics/constants.js";
import type { PlotlyFigure } from "../notebook/plotly.js";
import type { BeadPsfResult, PsfBeadRecord } from "./bead-psf.js";

/** Options of {@link psfGalleryFigure}. */
export interface PsfGalleryOptions {
  /** At most this many accepted beads are shown (brightest first). @default 8 */
  maxBeads?: number;
  /** Beads per row (each bead takes three panels: XY, XZ, YZ). @default 2 */
  beadsPerRow?: number;
  /** Height of one row of panels, px. @default 260 */
  rowHeightPx?: number;
}

const GALLERY_DEFAULTS = { maxBeads: 8, beadsPerRow: 2, rowHeightPx: 260 } as const;
const ELLIPSE_POINTS = 48;
const CURVE_POINTS = 60;
/** Fraction of a panel's height used by the overlaid profile curve. */
const CURVE_HEIGHT_FRACTION = 0.35;
const PANEL_GAP = 0.012;
const VALUE_DIGITS = 1000;
const OVERLAY_ELLIPSE = "rgba(255,255,255,0.9)";
const OVERLAY_CURVE = "#56B4E9";

function accepted(result: BeadPsfResult): PsfBeadRecord[] {
  return result.beads.filter((b) => b.accepted && b.fit);
}

function beadLabel(b: PsfBeadRecord): string {
  const f = b.fwhmUm;
  return f ? `#${b.id}: ${f.x.value.toFixed(3)} / ${f.y.value.toFixed(3)} / ${f.z.value.toFixed(3)} µm` : `#${b.id}`;
}

/**
 * A gallery of the accepted beads: for each, maximum-intensity projections of its fit box along z (XY), y (XZ)
 * and x (YZ), square-root scaled ("MIPs for PSFs"), with the 3D fit's half-maximum ellipse and a 1D fit curve
 * overlaid (x profile on XY, z profile on XZ, y profile on YZ).
 *
 * @param stack - The stack the result was measured on (same channel).
 * @param result - A {@link measureBeadPsf} result.
 * @param options - Number of beads, beads per row, row height (see {@link PsfGalleryOptions}).
 * @returns A plotly figure (heatmaps in µm relative to the detected voxel, equal axis scaling per panel).
 * @throws InvalidArgumentError when the stack's shape differs from the result's, or no bead was accepted.
 *
 * Notes: each projection is normalised to its own range: (√(I − I_min) scaled to 0–1), as MetroloJ_QC's sqrt
 * views, so dim side lobes and asymmetries show. The panel titles give FWHM x / y / z of the chosen method.
 * Values are rounded to 3 decimals to keep the notebook small.
 * @see "MIPs for PSFs" (peers.md §1.12); MetroloJ_QC sqrt PSF images; napari-psf-analysis bead summary figure
 * @example
 * showPlot(psfGalleryFigure(stack, result, { maxBeads: 6 }));
 */
export function psfGalleryFigure(stack: ImageView, result: BeadPsfResult, options: PsfGalleryOptions = {}): PlotlyFigure {
  checkStack(stack, result);
  const maxBeads = options.maxBeads ?? GALLERY_DEFAULTS.maxBeads;
  const perRow = options.beadsPerRow ?? GALLERY_DEFAULTS.beadsPerRow;
  const rowPx = options.rowHeightPx ?? GALLERY_DEFAULTS.rowHeightPx;
  if (!(Number.isInteger(maxBeads) && maxBeads >= 1 && Number.isInteger(perRow) && perRow >= 1)) {
    throw new InvalidArgumentError(`maxBeads ${maxBeads} and beadsPerRow ${perRow} must be positive integers.`, "Use e.g. { maxBeads: 8, beadsPerRow: 2 }.");
  }
  const beads = accepted(result).slice(0, maxBeads);
  if (beads.length === 0) {
    throw new InvalidArgumentError("No accepted bead to show in the gallery.", "See the bead table for why every bead was rejected.");
  }
  const rows = Math.ceil(beads.length / perRow);
  const cols = 3 * perRow;
  const [dz, dy, dx] = result.voxelSizeUm;
  const data: object[] = [];
  const layout: Record<string, unknown> = {
    height: rows * rowPx + 80,
    margin: { l: 30, r: 20, t: 60, b: 30 },
    showlegend: false,
    title: { text: `Accepted beads (${beads.length} of ${result.counts.accepted}): XY, XZ, YZ max projections, √ scale; dashed: 3D-fit FWHM ellipse; blue: 1D fit` },
  };
  const annotations: object[] = [];
  beads.forEach((b, k) => {
    const row = Math.floor(k / perRow);
    const col0 = (k % perRow) * 3;
    const roi = b.roi;
    const fit = b.fit!;
    const views = beadMips(stack, roi);
    // offsets of the fitted centre from the detected voxel, µm
    const cx = fit.fit3d.x.centre.value - b.detectedUm.x;
    const cy = fit.fit3d.y.centre.value - b.detectedUm.y;
    const cz = fit.fit3d.z.centre.value - b.detectedUm.z;
    const fx = fit.fit3d.x.fwhm.value / 2;
    const fy = fit.fit3d.y.fwhm.value / 2;
    const fz = fit.fit3d.z.fwhm.value / 2;
    const x0 = roi.x0 * dx - b.detectedUm.x;
    const y0 = roi.y0 * dy - b.detectedUm.y;
    const z0 = roi.z0 * dz - b.detectedUm.z;
    const panels = [
      { img: views.xy, w: roi.width, h: roi.height, ox: x0, oy: y0, sx: dx, sy: dy, e: [cx, cy, fx, fy], prof: fit.fit1d.x, profOrigin: b.detectedUm.x, vertical: false, name: "XY" },
      { img: views.xz, w: roi.width, h: roi.depth, ox: x0, oy: z0, sx: dx, sy: dz, e: [cx, cz, fx, fz], prof: fit.fit1d.z, profOrigin: b.detectedUm.z, vertical: true, name: "XZ" },
      { img: views.yz, w: roi.height, h: roi.depth, ox: y0, oy: z0, sx: dy, sy: dz, e: [cy, cz, fy, fz], prof: fit.fit1d.y, profOrigin: b.detectedUm.y, vertical: false, name: "YZ" },
    ];
    panels.forEach((p, j) => {
      const idx = row * cols + col0 + j + 1;
      const xa = idx === 1 ? "x" : `x${idx}`;
      const ya = idx === 1 ? "y" : `y${idx}`;
      const colW = 1 / cols;
      const rowH = 1 / rows;
      const domX = [(col0 + j) * colW + PANEL_GAP, (col0 + j + 1) * colW - PANEL_GAP];
      const domY = [1 - (row + 1) * rowH + PANEL_GAP * 3, 1 - row * rowH - PANEL_GAP * 3];
      layout[xa === "x" ? "xaxis" : `xaxis${idx}`] = { domain: domX, anchor: ya, showticklabels: false, showgrid: false, zeroline: false, constrain: "domain", ticks: "" };
      layout[ya === "y" ? "yaxis" : `yaxis${idx}`] = { domain: domY, anchor: xa, showticklabels: false, showgrid: false, zeroline: false, scaleanchor: xa, autorange: "reversed", constrain: "domain", ticks: "" };
      data.push({
        type: "heatmap",
        z: p.img,
        x0: p.ox,
        dx: p.sx,
        y0: p.oy,
        dy: p.sy,
        xaxis: xa,
        yaxis: ya,
        colorscale: "Viridis",
        showscale: false,
        zmin: 0,
        zmax: 1,
        hovertemplate: `${p.name} (%{x:.3f}, %{y:.3f}) µm<extra>bead ${b.id}</extra>`,
      });
      const [ex, ey, ax, ay] = p.e;
      const exs: number[] = [];
      const eys: number[] = [];
      for (let t = 0; t <= ELLIPSE_POINTS; t++) {
        const a = (2 * Math.PI * t) / ELLIPSE_POINTS;
        exs.push(round(ex + ax * Math.cos(a)));
        eys.push(round(ey + ay * Math.sin(a)));
      }
      data.push({ type: "scatter", mode: "lines", x: exs, y: eys, xaxis: xa, yaxis: ya, line: { color: OVERLAY_ELLIPSE, width: 1.2, dash: "dash" }, hoverinfo: "skip" });
      // 1D fit curve: along the panel's horizontal axis (x on XY, y on YZ) or its vertical axis (z on XZ)
      const along = p.vertical ? { lo: p.oy, n: p.h, s: p.sy } : { lo: p.ox, n: p.w, s: p.sx };
      const across = p.vertical ? { lo: p.ox, n: p.w, s: p.sx } : { lo: p.oy, n: p.h, s: p.sy };
      const span = across.n * across.s;
      const base = p.vertical ? across.lo - across.s / 2 : across.lo + (across.n - 0.5) * across.s;
      const sigma = p.prof.fwhm.value / FWHM_PER_SIGMA;
      const centre = p.prof.centre.value - p.profOrigin;
      const cu: number[] = [];
      const cv: number[] = [];
      for (let t = 0; t <= CURVE_POINTS; t++) {
        const u = along.lo - along.s / 2 + (along.n * along.s * t) / CURVE_POINTS;
        const g = Math.exp((-0.5 * (u - centre) ** 2) / (sigma * sigma));
        const h = CURVE_HEIGHT_FRACTION * span * g;
        const v = p.vertical ? base + h : base - h;
        if (p.vertical) {
          cu.push(round(v));
          cv.push(round(u));
        } else {
          cu.push(round(u));
          cv.push(round(v));
        }
      }
      data.push({ type: "scatter", mode: "lines", x: cu, y: cv, xaxis: xa, yaxis: ya, line: { color: OVERLAY_CURVE, width: 1.5 }, hoverinfo: "skip" });
    });
    annotations.push({
      xref: "paper",
      yref: "paper",
      x: ((col0 + 1.5) * 1) / cols,
      y: 1 - row / rows,
      xanchor: "center",
      yanchor: "bottom",
      showarrow: false,
      text: beadLabel(b),
      font: { size: 12 },
    });
  });
  layout.annotations = annotations;
  return { data, layout };
}

/** √-scaled maximum projections of a fit box: xy [h][w], xz [d][w], yz [d][h]. */
function beadMips(stack: ImageView, roi: PsfBeadRecord["roi"]): { xy: number[][]; xz: number[][]; yz: number[][] } {
  const [, ny, nx] = stack.shape;
  const { x0, y0, z0, width: w, height: h, depth: d } = roi;
  const xy = new Float64Array(w * h).fill(Number.NEGATIVE_INFINITY);
  const xz = new Float64Array(w * d).fill(Number.NEGATIVE_INFINITY);
  const yz = new Float64Array(h * d).fill(Number.NEGATIVE_INFINITY);
  const src = stack.data;
  for (let z = 0; z < d; z++) {
    for (let y = 0; y < h; y++) {
      const off = ((z0 + z) * ny + y0 + y) * nx + x0;
      for (let x = 0; x < w; x++) {
        const v = src[off + x];
        if (v > xy[y * w + x]) xy[y * w + x] = v;
        if (v > xz[z * w + x]) xz[z * w + x] = v;
        if (v > yz[z * h + y]) yz[z * h + y] = v;
      }
    }
  }
  return { xy: sqrtRows(xy, w, h), xz: sqrtRows(xz, w, d), yz: sqrtRows(yz, h, d) };
}

function sqrtRows(a: Float64Array, w: number, h: number): number[][] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of a) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const range = hi > lo ? hi - lo : 1;
  const rows: number[][] = [];
  for (let y = 0; y < h; y++) {
    const r: number[] = [];
    for (let x = 0; x < w; x++) r.push(Math.round(Math.sqrt((a[y * w + x] - lo) / range) * VALUE_DIGITS) / VALUE_DIGITS);
    rows.push(r);
  }
  return rows;
}

function round(v: number): number {
  return Math.round(v * 1e5) / 1e5;
}

function checkStack(stack: ImageView, result: BeadPsfResult): void {
  const same = stack.shape.every((n, i) => n === result.shape[i]);
  if (!same) {
    throw new InvalidArgumentError(
      `The stack has shape [${stack.shape.join(", ")}] but the result was measured on [${result.shape.join(", ")}].`,
      "Pass the same channel's stack that measureBeadPsf analysed.",
    );
  }
}

/**
 * Intensity profiles of one bead along x, y and z through its brightest voxel, with the 1D Gaussian fits and the
 * 3D Gaussian fit evaluated along the same lines.
 *
 * @param stack - The stack the result was measured on.
 * @param result - A {@link measureBeadPsf} result.
 * @param beadId - Bead to show. @default the first accepted bead (the brightest)
 * @returns A figure with three panels (x, y, z), positions in µm relative to the bead's detected voxel, intensity in ADU.
 * @throws InvalidArgumentError when the bead does not exist or was not fitted, or the stack does not match.
 *
 * Notes: points are the data, the solid line the 1D fit (MetroloJ_QC), the dashed line the 3D fit (its amplitude
 * is that of the 3D model on the profile line, so an off-line centre shows as a lower dashed curve).
 * @see fitBeadPsf
 * @example
 * showPlot(psfProfilesFigure(stack, result));
 */
export function psfProfilesFigure(stack: ImageView, result: BeadPsfResult, beadId?: number): PlotlyFigure {
  checkStack(stack, result);
  const bead = beadId === undefined ? accepted(result)[0] : result.beads.find((b) => b.id === beadId);
  if (!bead) throw new InvalidArgumentError(beadId === undefined ? "No accepted bead to plot." : `Bead ${beadId} does not exist.`, "Pick an id from the bead table.");
  if (!bead.fit) throw new InvalidArgumentError(`Bead ${bead.id} was not fitted (${bead.rejections.map((r) => r.rule).join(", ")}).`, "Pick an accepted bead from the bead table.");
  const fit = bead.fit;
  const [dz, dy, dx] = result.voxelSizeUm;
  const [, ny, nx] = stack.shape;
  const pv = fit.profileVoxel;
  const roi = bead.roi;
  const axes = [
    { name: "x", n: roi.width, lo: roi.x0, s: dx, at: (i: number) => (pv.z * ny + pv.y) * nx + i, f1: fit.fit1d.x, c: bead.detectedUm.x },
    { name: "y", n: roi.height, lo: roi.y0, s: dy, at: (i: number) => (pv.z * ny + i) * nx + pv.x, f1: fit.fit1d.y, c: bead.detectedUm.y },
    { name: "z", n: roi.depth, lo: roi.z0, s: dz, at: (i: number) => (i * ny + pv.y) * nx + pv.x, f1: fit.fit1d.z, c: bead.detectedUm.z },
  ] as const;
  const f3 = fit.fit3d;
  const g3 = (name: "x" | "y" | "z", u: number): number => Math.exp((-0.5 * (u - f3[name].centre.value) ** 2) / (f3[name].fwhm.value / FWHM_PER_SIGMA) ** 2);
  // 3D model amplitude on the profile line = A·Π over the two other axes
  const lineAmp = (name: "x" | "y" | "z"): number => {
    const pos = { x: pv.x * dx, y: pv.y * dy, z: pv.z * dz };
    let a = f3.amplitudeAdu;
    for (const o of ["x", "y", "z"] as const) if (o !== name) a *= g3(o, pos[o]);
    return a;
  };
  const data: object[] = [];
  const layout: Record<string, unknown> = {
    height: 420,
    margin: { l: 70, r: 30, t: 50, b: 120 },
    title: { text: `Bead ${bead.id}: profiles through the brightest voxel (points), 1D fits (solid), 3D fit (dashed)` },
    legend: { orientation: "h", x: 0.5, xanchor: "center", y: -0.38 },
  };
  axes.forEach((a, k) => {
    const xa = k === 0 ? "x" : `x${k + 1}`;
    const ya = k === 0 ? "y" : `y${k + 1}`;
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < a.n; i++) {
      xs.push(round((a.lo + i) * a.s - a.c));
      ys.push(stack.data[a.at(a.lo + i)]);
    }
    const fx: number[] = [];
    const f1: number[] = [];
    const f3v: number[] = [];
    const s1 = a.f1.fwhm.value / FWHM_PER_SIGMA;
    const amp3 = lineAmp(a.name);
    for (let t = 0; t <= CURVE_POINTS; t++) {
      const u = (a.lo - 0.5) * a.s + ((a.n * a.s) * t) / CURVE_POINTS;
      fx.push(round(u - a.c));
      f1.push(round(a.f1.offsetAdu + a.f1.amplitudeAdu * Math.exp((-0.5 * (u - a.f1.centre.value) ** 2) / (s1 * s1))));
      f3v.push(round(f3.offsetAdu + amp3 * g3(a.name, u)));
    }
    const show = k === 0;
    data.push({ type: "scatter", mode: "markers", x: xs, y: ys, xaxis: xa, yaxis: ya, name: "data", marker: { color: "#000000", size: 6 }, showlegend: show, legendgroup: "d" });
    data.push({ type: "scatter", mode: "lines", x: fx, y: f1, xaxis: xa, yaxis: ya, name: "1D Gaussian fit", line: { color: "#0072B2", width: 2 }, showlegend: show, legendgroup: "1" });
    data.push({ type: "scatter", mode: "lines", x: fx, y: f3v, xaxis: xa, yaxis: ya, name: "3D Gaussian fit", line: { color: "#D55E00", width: 2, dash: "dash" }, showlegend: show, legendgroup: "3" });
    const dom = [k / 3 + 0.04, (k + 1) / 3 - 0.02];
    layout[k === 0 ? "xaxis" : `xaxis${k + 1}`] = {
      domain: dom,
      anchor: ya,
      title: { text: `${a.name} (µm) — FWHM 1D ${a.f1.fwhm.value.toFixed(3)}, 3D ${f3[a.name].fwhm.value.toFixed(3)} µm` },
      showgrid: true,
      gridcolor: "#e5e5e5",
    };
    layout[k === 0 ? "yaxis" : `yaxis${k + 1}`] = { anchor: xa, title: { text: k === 0 ? "Intensity (ADU)" : "" }, showgrid: true, gridcolor: "#e5e5e5" };
  });
  return { data, layout };
}

/** Which per-bead value {@link psfFieldMapFigure} colours the beads by. */
export type PsfFieldQuantity = "lateral" | "x" | "y" | "z" | "asymmetry" | "focus";

/**
 * FWHM (or asymmetry, or focus position) of every accepted bead at its position in the field; rejected beads are
 * shown as grey crosses.
 *
 * @param result - A {@link measureBeadPsf} result.
 * @param quantity - "lateral" (mean of x and y FWHM), "x", "y", "z", "asymmetry" (LAR) or "focus" (bead z, µm). @default "lateral"
 * @returns A scatter map in µm (image orientation: y down), colour = the value.
 * @throws InvalidArgumentError for an unknown quantity or when no bead was accepted.
 *
 * Notes: use it to see field dependence (PSFj-style maps, without interpolation): FWHM growing towards the
 * corners points at field curvature or off-axis aberrations; a gradient of focus at tilt.
 * @see PSFj field maps (F13 in peers.md)
 * @example
 * showPlot(psfFieldMapFigure(result, "z"));
 */
export function psfFieldMapFigure(result: BeadPsfResult, quantity: PsfFieldQuantity = "lateral"): PlotlyFigure {
  const pick: Record<PsfFieldQuantity, (b: PsfBeadRecord) => number> = {
    lateral: (b) => 0.5 * (b.fwhmUm!.x.value + b.fwhmUm!.y.value),
    x: (b) => b.fwhmUm!.x.value,
    y: (b) => b.fwhmUm!.y.value,
    z: (b) => b.fwhmUm!.z.value,
    asymmetry: (b) => b.lateralAsymmetry!.value,
    focus: (b) => b.centreUm!.z.value,
  };
  const labels: Record<PsfFieldQuantity, string> = {
    lateral: "Lateral FWHM (µm)",
    x: "FWHM x (µm)",
    y: "FWHM y (µm)",
    z: "Axial FWHM (µm)",
    asymmetry: "Lateral asymmetry min/max",
    focus: "Focus z (µm)",
  };
  if (!(quantity in pick)) throw new InvalidArgumentError(`Unknown field quantity "${quantity}".`, `Use one of ${Object.keys(pick).join(", ")}.`);
  const acc = accepted(result);
  if (acc.length === 0) throw new InvalidArgumentError("No accepted bead to map.", "See the bead table for why every bead was rejected.");
  const rej = result.beads.filter((b) => !b.accepted);
  const [, ny, nx] = result.shape;
  const [, dy, dx] = result.voxelSizeUm;
  const vals = acc.map((b) => round(pick[quantity](b)));
  const data: object[] = [
    {
      type: "scatter",
      mode: "markers",
      name: "accepted",
      x: acc.map((b) => round(b.centreUm!.x.value)),
      y: acc.map((b) => round(b.centreUm!.y.value)),
      text: acc.map((b, i) => `bead ${b.id}: ${vals[i]}`),
      hoverinfo: "text",
      marker: { size: 13, color: vals, colorscale: "Viridis", showscale: true, colorbar: { title: { text: labels[quantity] } }, line: { color: "#000000", width: 0.5 } },
    },
  ];
  if (rej.length) {
    data.push({
      type: "scatter",
      mode: "markers",
      name: "rejected",
      x: rej.map((b) => round(b.detectedUm.x)),
      y: rej.map((b) => round(b.detectedUm.y)),
      text: rej.map((b) => `bead ${b.id}: ${b.rejections.map((r) => r.rule).join(", ")}`),
      hoverinfo: "text",
      marker: { size: 9, symbol: "x", color: "#999999" },
    });
  }
  return {
    data,
    layout: {
      title: { text: `${labels[quantity]} across the field (${acc.length} beads)` },
      xaxis: { title: { text: "x (µm)" }, range: [-dx / 2, (nx - 0.5) * dx], constrain: "domain" },
      yaxis: { title: { text: "y (µm)" }, range: [(ny - 0.5) * dy, -dy / 2], scaleanchor: "x", constrain: "domain" },
      height: 480,
      legend: { orientation: "h", y: -0.15 },
    },
  };
}

/**
 * Focus position of the accepted beads over the field with the fitted focal surface (quadric, or plane with few
 * beads) as a background map, both relative to the surface at the field centre.
 *
 * @param result - A {@link measureBeadPsf} result with a field fit.
 * @param gridCells - Cells of the background map per side. @default 40
 * @returns A heatmap of the fitted surface (µm) with bead markers on the same colour scale.
 * @throws InvalidArgumentError when the result has no field fit (too few beads).
 *
 * Notes: the title reports the tilt (mrad) and the field curvature (sag at the corner, µm).
 * @see fitFocusField
 * @example
 * showPlot(psfFocusMapFigure(result));
 */
export function psfFocusMapFigure(result: BeadPsfResult, gridCells = 40): PlotlyFigure {
  const f = result.field;
  if (!f) throw new InvalidArgumentError("The result has no focal-plane fit (too few accepted beads).", "Image a field with at least 4 (for tilt) or 10 (for curvature) usable beads.");
  if (!(Number.isInteger(gridCells) && gridCells >= 2)) throw new InvalidArgumentError(`gridCells is ${gridCells}; expected an integer ≥ 2.`, "Use e.g. 40.");
  const surf = f.quadric ?? f.plane;
  const fit = { degree: surf.degree, coefficients: Float64Array.from(surf.coefficients) };
  const [xc, yc] = f.fieldCentreUm;
  const z0 = surf.coefficients[0];
  const [, ny, nx] = result.shape;
  const [, dy, dx] = result.voxelSizeUm;
  const w = (nx - 1) * dx;
  const h = (ny - 1) * dy;
  const zs: number[][] = [];
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < gridCells; j++) {
    const row: number[] = [];
    const y = (h * (j + 0.5)) / gridCells;
    for (let i = 0; i < gridCells; i++) {
      const x = (w * (i + 0.5)) / gridCells;
      const v = round(evaluateSurface(fit, x - xc, y - yc) - z0);
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      row.push(v);
    }
    zs.push(row);
  }
  const acc = accepted(result);
  const bz = acc.map((b) => round(b.fit!.fit3d.z.centre.value - z0));
  for (const v of bz) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const curv = f.fieldCurvatureUm ? `, field curvature ${fmtQ(f.fieldCurvatureUm, 3)} µm at the corner` : "";
  return {
    data: [
      { type: "heatmap", z: zs, x0: w / gridCells / 2, dx: w / gridCells, y0: h / gridCells / 2, dy: h / gridCells, coloraxis: "coloraxis", hovertemplate: "fit %{z:.3f} µm<extra></extra>" },
      {
        type: "scatter",
        mode: "markers",
        x: acc.map((b) => round(b.fit!.fit3d.x.centre.value)),
        y: acc.map((b) => round(b.fit!.fit3d.y.centre.value)),
        text: acc.map((b, i) => `bead ${b.id}: ${bz[i]} µm`),
        hoverinfo: "text",
        marker: { size: 12, color: bz, coloraxis: "coloraxis", line: { color: "#000000", width: 1 } },
        showlegend: false,
      },
    ],
    layout: {
      title: { text: `Focus relative to the field centre: tilt ${fmtQ(f.tiltMrad, 2)} mrad${curv}` },
      coloraxis: { colorscale: "RdBu", cmin: Math.min(lo, -hi), cmax: Math.max(hi, -lo), colorbar: { title: { text: "Δz focus (µm)" } } },
      xaxis: { title: { text: "x (µm)" }, range: [0, w], constrain: "domain" },
      yaxis: { title: { text: "y (µm)" }, range: [h, 0], scaleanchor: "x", constrain: "domain" },
      height: 480,
    },
  };
}

function fmtQ(q: Quantity, digits: number): string {
  return `${q.value.toFixed(digits)} ± ${q.uncertainty.toFixed(digits)}`;
}

/**
 * One row per bead (accepted first, then rejected, each brightest first) for `showTable`: position, FWHM of the chosen
 * method, the 1D − 3D difference along z, SBR, asymmetry, the 1D fits' worst R², status and reasons.
 *
 * @param result - A {@link measureBeadPsf} result.
 * @returns Rows with column names carrying their units.
 * @throws Never.
 * @example
 * showTable(psfBeadTable(result), { title: "Beads" });
 */
export function psfBeadTable(result: BeadPsfResult): Record<string, unknown>[] {
  const order = [...result.beads.filter((b) => b.accepted), ...result.beads.filter((b) => !b.accepted)];
  return order.map((b) => {
    const f = b.fwhmUm;
    const fit = b.fit;
    return {
      bead: b.id,
      status: b.accepted ? "accepted" : "rejected",
      "x (µm)": round3(b.centreUm?.x.value ?? b.detectedUm.x),
      "y (µm)": round3(b.centreUm?.y.value ?? b.detectedUm.y),
      "z (µm)": round3(b.centreUm?.z.value ?? b.detectedUm.z),
      "FWHM x (µm)": f ? round3(f.x.value) : null,
      "FWHM y (µm)": f ? round3(f.y.value) : null,
      "FWHM z (µm)": f ? round3(f.z.value) : null,
      "z: 1D − 3D (µm)": fit ? round3(fit.difference1dMinus3dUm.z) : null,
      SBR: b.sbr === null ? null : Math.round(b.sbr * 100) / 100,
      LAR: b.lateralAsymmetry ? round3(b.lateralAsymmetry.value) : null,
      "R² (1D, worst)": fit ? round3(Math.min(fit.fit1d.x.rSquared, fit.fit1d.y.rSquared, fit.fit1d.z.rSquared)) : null,
      reasons: b.rejections.map((r) => `${r.rule}: ${r.reason}`).join("; "),
    };
  });
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/**
 * The summary as a table: one row per axis with mean ± SEM, SD, median, n, theory, ratio and the 1D − 3D difference.
 *
 * @param result - A {@link measureBeadPsf} result.
 * @returns Rows for `showTable`; empty when no bead was accepted.
 * @throws Never.
 * @example
 * showTable(psfSummaryTable(result), { title: "FWHM over beads" });
 */
export function psfSummaryTable(result: BeadPsfResult): Record<string, unknown>[] {
  const s = result.summary;
  if (!s) return [];
  return (["x", "y", "z"] as const).map((a) => {
    const v = s[a];
    return {
      axis: a,
      [`FWHM mean (${s.method})`]: v.mean,
      "SD (µm)": round3(v.sdUm),
      "median (µm)": round3(v.medianUm),
      n: v.n,
      "theory (µm)": round3(v.theoreticalUm),
      "measured/theory": v.ratio,
      "1D − 3D (µm)": round3(v.difference1dMinus3dUm.mean),
    };
  });
}
