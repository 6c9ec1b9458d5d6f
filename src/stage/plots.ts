/**
 * Figures of the stage protocol: positions per approach direction with 95 % confidence ellipses, and drift traces.
 */
import { InvalidArgumentError } from "../core/errors.js";
import { type PlotlyFigure, linePlot } from "../notebook/plotly.js";
import type { StageDriftResult } from "./drift.js";
import type { StageRepeatabilityResult } from "./repeatability.js";

/** χ² quantile with 2 degrees of freedom at 95 %: −2·ln(0.05). */
const CHI2_2DOF_95 = -2 * Math.log(0.05);
const ELLIPSE_POINTS = 73;
const NM_PER_UM = 1000;

/**
 * Points (x, y) of the confidence ellipse of a 2D sample: mean ± √χ²₂(p) along the principal axes of the covariance.
 *
 * @param xs - x values (≥ 3).
 * @param ys - y values (same length).
 * @param chi2 - χ² quantile (2 dof). @default 5.991 (95 %)
 * @returns Closed outline, {@link ELLIPSE_POINTS} points; empty when fewer than 3 points.
 */
export function confidenceEllipse(xs: readonly number[], ys: readonly number[], chi2: number = CHI2_2DOF_95): { x: number[]; y: number[] } {
  const n = xs.length;
  if (n < 3) return { x: [], y: [] };
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
    sxy += (xs[i] - mx) * (ys[i] - my);
  }
  sxx /= n - 1;
  syy /= n - 1;
  sxy /= n - 1;
  const tr = (sxx + syy) / 2;
  const det = Math.sqrt(((sxx - syy) / 2) ** 2 + sxy * sxy);
  const l1 = tr + det;
  const l2 = Math.max(0, tr - det);
  const theta = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  const a = Math.sqrt(chi2 * l1);
  const b = Math.sqrt(chi2 * l2);
  const x: number[] = [];
  const y: number[] = [];
  for (let k = 0; k < ELLIPSE_POINTS; k++) {
    const t = (2 * Math.PI * k) / (ELLIPSE_POINTS - 1);
    const u = a * Math.cos(t);
    const v = b * Math.sin(t);
    x.push(mx + u * Math.cos(theta) - v * Math.sin(theta));
    y.push(my + u * Math.sin(theta) + v * Math.cos(theta));
  }
  return { x, y };
}

/**
 * Scatter of the bead positions after each move, per approach direction, with 95 % confidence ellipses (nm,
 * relative to the mean of all captures of that move size).
 *
 * @param result - From {@link measureStageRepeatability}.
 * @param moveSizeUm - Which move size. @default the first
 * @returns The figure.
 * @throws InvalidArgumentError when the result has no such move size.
 */
export function stageScatterPlot(result: StageRepeatabilityResult, moveSizeUm?: number): PlotlyFigure {
  const size = moveSizeUm === undefined ? result.sizes[0] : result.sizes.find((s) => s.moveSizeUm === moveSizeUm);
  if (!size) throw new InvalidArgumentError(`No ${moveSizeUm} µm moves in this result (sizes: ${result.sizes.map((s) => s.moveSizeUm).join(", ")}).`, "Pass one of the move sizes.");
  const fig = linePlot([], {
    xLabel: "x − mean",
    xUnit: "nm",
    yLabel: "y − mean",
    yUnit: "nm",
    title: `Stage positions after ${size.moveSizeUm} µm moves (SD x ${(size.sdAllXUm.value * NM_PER_UM).toFixed(0)} nm, y ${(size.sdAllYUm.value * NM_PER_UM).toFixed(0)} nm)`,
    heightPx: 560,
  });
  const data = fig.data as Record<string, unknown>[];
  const palette = ["#000000", "#0072B2", "#E69F00", "#009E73", "#D55E00"];
  ["centre", "N", "E", "S", "W"].forEach((d, k) => {
    const pts = size.points.filter((p) => p.direction === d);
    if (!pts.length) return;
    const xs = pts.map((p) => p.xUm * NM_PER_UM);
    const ys = pts.map((p) => p.yUm * NM_PER_UM);
    data.push({ type: "scatter", mode: "markers", name: d === "centre" ? "start of round" : `from ${d}`, x: xs, y: ys, marker: { size: 7, color: palette[k] }, text: pts.map((p) => `capture ${p.index}`) });
    const e = confidenceEllipse(xs, ys);
    if (e.x.length) data.push({ type: "scatter", mode: "lines", name: `${d} 95 %`, x: e.x, y: e.y, line: { color: palette[k], width: 1.5, dash: "dot" }, showlegend: false });
  });
  const layout = (fig.layout ?? {}) as Record<string, unknown>;
  layout.yaxis = { ...((layout.yaxis as object) ?? {}), scaleanchor: "x", scaleratio: 1, autorange: "reversed" };
  layout.showlegend = true;
  return { ...fig, layout };
}

/**
 * Drift traces: position relative to the start against time for x, y (and z), with the stabilisation time.
 *
 * @param result - From {@link measureStageDrift}.
 * @returns A line plot (µm against min).
 */
export function driftPlot(result: StageDriftResult): PlotlyFigure {
  const t = result.timesS.map((s) => s / 60);
  const series = [
    { x: t, y: result.relativeXUm, name: "x" },
    { x: t, y: result.relativeYUm, name: "y" },
  ];
  if (result.dimensions === 3) series.push({ x: t, y: result.relativeZUm, name: "z (focus)" });
  const st = result.stabilisation.timeS;
  return linePlot(series, {
    xLabel: "Time",
    xUnit: "min",
    yLabel: "Position − start",
    yUnit: "um",
    title: `Drift (stabilised ${st ? `at ${(st.value / 60).toFixed(1)} min` : "never"}, threshold ${result.stabilisation.thresholdUm.toFixed(2)} µm per step)`,
    ...(st ? { vLines: [{ at: st.value / 60, label: "stabilised", color: "#1a7f37" }] } : {}),
  });
}
