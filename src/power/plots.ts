/**
 * Figures of the power protocol: relative power against time with the stability band, and linearity with
 * residuals. They return plain Plotly figures for `showPlot`.
 */
import { InvalidArgumentError } from "../core/errors.js";
import { type PlotlyFigure, linePlot } from "../notebook/plotly.js";
import type { PowerLogResult } from "./analyse.js";
import type { PowerLogData } from "./parse.js";

const SECONDS_PER_MINUTE = 60;
/** Share of the linearity figure's height given to the residual panel. */
const RESIDUAL_PANEL = 0.28;
const PANEL_GAP = 0.08;

/**
 * Power against time for each (wavelength, set point) series, relative to the series mean, with the band that the
 * stability-factor limit allows (S ≥ S_lim ⇔ all readings within ±(100 − S_lim) % of the mid-range).
 *
 * @param log - The parsed log (readings).
 * @param result - Its analysis ({@link analysePowerLog}).
 * @returns A line plot: x = time from the start of the log (min), y = 100·(P/mean − 1) (%), one line per series,
 *   dashed reference lines at ±(100 − S_warn) % and ±(100 − S_fail) %.
 * @throws DimensionError only if the log and result do not belong together (block ranges outside the log).
 * @see analysePowerLog
 */
export function powerTimePlot(log: PowerLogData, result: PowerLogResult): PlotlyFigure {
  const series = result.series.map((s) => {
    const x: number[] = [];
    const y: number[] = [];
    const mean = s.stability.mean.value;
    for (const bi of s.blocks) {
      const b = result.blocks[bi];
      for (let i = b.start; i < b.end; i++) {
        x.push(log.timesS[i] / SECONDS_PER_MINUTE);
        y.push(100 * (log.powersMw[i] / mean - 1));
      }
      // break the line between blocks
      x.push(Number.NaN);
      y.push(Number.NaN);
    }
    return { x, y, name: `${s.label} (S ${s.stability.stabilityPercent.value.toFixed(2)} %)` };
  });
  const w = 100 - result.limits.stabilityPercent.warn;
  const f = 100 - result.limits.stabilityPercent.fail;
  return linePlot(series, {
    xLabel: "Time",
    xUnit: "min",
    yLabel: "Power − mean",
    yUnit: "%",
    title: "Power against time (relative to each series' mean)",
    hLines: [
      { at: w, label: `S ${result.limits.stabilityPercent.warn} % band`, color: "#bf8700" },
      { at: -w, color: "#bf8700" },
      { at: f, label: `S ${result.limits.stabilityPercent.fail} % band` },
      { at: -f },
    ],
  });
}

/**
 * Linearity of one wavelength: mean power against set point with the OLS and through-origin fits (top), and the
 * deviation of each set point from the OLS line in % (bottom).
 *
 * @param result - An analysis with at least one linearity fit.
 * @param wavelengthNm - Which wavelength. @default the first with a fit
 * @returns A two-panel figure (shared x = set point, %).
 * @throws InvalidArgumentError when the result has no linearity fit for that wavelength (needs ≥ 3 set points).
 * @see analysePowerLog
 */
export function powerLinearityPlot(result: PowerLogResult, wavelengthNm?: number): PlotlyFigure {
  const l = wavelengthNm === undefined ? result.linearity[0] : result.linearity.find((x) => x.wavelengthNm === wavelengthNm);
  if (!l) {
    const have = result.linearity.map((x) => x.wavelengthNm).join(", ") || "none";
    throw new InvalidArgumentError(
      `No linearity fit${wavelengthNm === undefined ? "" : ` for ${wavelengthNm} nm`} in this result (fits for: ${have}).`,
      "Linearity needs at least 3 different set points of one wavelength in the log.",
    );
  }
  const s = l.settingsPercent;
  const xMax = Math.max(...s);
  const lineX = [0, xMax];
  const title = `Linearity${l.wavelengthNm === null ? "" : ` ${l.wavelengthNm} nm`}: R² = ${l.rSquared.toFixed(5)}, ${l.slopeMwPerPercent.value.toPrecision(4)} mW per %`;
  const fig = linePlot(
    [
      { x: lineX, y: lineX.map((x) => l.interceptMw.value + l.slopeMwPerPercent.value * x), name: "OLS fit" },
      { x: lineX, y: lineX.map((x) => l.originSlopeMwPerPercent.value * x), name: "fit through origin", dash: "dash" },
    ],
    { xLabel: "Set point", xUnit: "%", yLabel: "Power at the sample", yUnit: "mW", title },
  );
  const data = fig.data as Record<string, unknown>[];
  data.push({
    type: "scatter",
    mode: "markers",
    name: "measured (mean ± SE)",
    x: [...s],
    y: l.powersMw.map((q) => q.value),
    error_y: { type: "data", array: l.powersMw.map((q) => q.uncertainty), visible: true },
    marker: { size: 9 },
  });
  data.push({ type: "scatter", mode: "markers", name: "deviation from OLS", x: [...s], y: [...l.deviationsPercent], yaxis: "y2", marker: { size: 8, symbol: "diamond" } });
  const layout = (fig.layout ?? {}) as Record<string, unknown>;
  const yaxis = (layout.yaxis ?? {}) as Record<string, unknown>;
  layout.yaxis = { ...yaxis, domain: [RESIDUAL_PANEL + PANEL_GAP, 1] };
  layout.yaxis2 = { title: { text: "Deviation (%)" }, domain: [0, RESIDUAL_PANEL], anchor: "x", zeroline: true };
  layout.height = 560;
  return { ...fig, data, layout };
}
