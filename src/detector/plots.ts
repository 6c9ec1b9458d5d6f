/**
 * Figures of the detector protocol: photon transfer curve with the gain fit and the saturation knee, SNR against
 * signal, noise maps, and a point-detector gain series.
 */
import { type PlotlyFigure, heatmapPlot, linePlot } from "../notebook/plotly.js";
import type { CameraPixelMaps } from "./dark.js";
import type { PhotonTransferResult } from "./photon-transfer.js";
import type { GainSeriesResult } from "./point.js";

/**
 * Photon transfer curve: temporal variance σ²_y − σ²_y.dark against signal μ_y − μ_y.dark (ADU), levels used for
 * the gain and excluded ones as separate markers, the fitted line of slope K through the origin, and a vertical
 * line at the saturation knee.
 *
 * @param result - From {@link measurePhotonTransfer}.
 * @returns A Plotly figure (log–log axes).
 */
export function photonTransferPlot(result: PhotonTransferResult): PlotlyFigure {
  const used = result.levels.filter((l) => l.usedForGain);
  const other = result.levels.filter((l) => !l.usedForGain);
  const K = result.systemGainAduPerE.value;
  const xs = result.levels.map((l) => l.signalAdu).filter((x) => x > 0);
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  const fig = linePlot({ x: [lo, hi], y: [K * lo, K * hi], name: `fit: K = ${K.toPrecision(4)} ADU/e⁻ (${result.conversionGainEPerAdu.value.toPrecision(4)} e⁻/ADU)`, dash: "dash" }, {
    xLabel: "Signal μ − μ_dark",
    xUnit: "ADU",
    yLabel: "Temporal variance σ² − σ²_dark",
    yUnit: "ADU²",
    title: "Photon transfer curve (EMVA 1288)",
    logX: true,
    logY: true,
    ...(result.saturation ? { vLines: [{ at: result.saturation.meanAdu.value - result.levels.find((l) => l.index === result.saturation!.level)!.darkMeanAdu, label: `saturation ${Math.round(result.saturation.capacityE.value)} e⁻` }] } : {}),
  });
  const data = fig.data as Record<string, unknown>[];
  const pos = (v: number): number | null => (v > 0 ? v : null);
  data.push({ type: "scatter", mode: "markers", name: "used for the gain", x: used.map((l) => pos(l.signalAdu)), y: used.map((l) => pos(l.varianceAdu2 - l.darkVarianceAdu2)), marker: { size: 8 } });
  if (other.length) {
    data.push({
      type: "scatter",
      mode: "markers",
      name: "excluded",
      x: other.map((l) => pos(l.signalAdu)),
      y: other.map((l) => pos(l.varianceAdu2 - l.darkVarianceAdu2)),
      text: other.map((l) => `${l.label}: ${l.exclusion}`),
      marker: { size: 8, symbol: "x" },
    });
  }
  return fig;
}

/**
 * SNR against signal in electrons: the measured SNR per level and the EMVA model curve (read noise, quantisation
 * and shot noise), with the ideal shot-noise limit √μ_e.
 *
 * @param result - From {@link measurePhotonTransfer}.
 * @returns A log–log line plot.
 */
export function cameraSnrPlot(result: PhotonTransferResult): PlotlyFigure {
  const c = result.snrCurve;
  const keep = c.signalE.map((e, i) => e > 0 && c.measured[i] > 0);
  const x = c.signalE.filter((_, i) => keep[i]);
  const fig = linePlot(
    [
      { x, y: c.model.filter((_, i) => keep[i]), name: `model (σ_d = ${result.readNoiseE.value.toPrecision(3)} e⁻)` },
      { x, y: x.map((e) => Math.sqrt(e)), name: "shot-noise limit √μ_e", dash: "dot" },
    ],
    { xLabel: "Signal", xUnit: "e-", yLabel: "SNR", title: "Signal-to-noise ratio", logX: true, logY: true },
  );
  (fig.data as Record<string, unknown>[]).push({ type: "scatter", mode: "markers", name: "measured", x, y: c.measured.filter((_, i) => keep[i]), marker: { size: 8 } });
  return fig;
}

/**
 * Heat map of a per-pixel map (noise, offset, warm frequency) of a dark series.
 *
 * @param maps - From {@link cameraPixelMaps}.
 * @param which - "noise" (temporal SD), "offset" or "warm" (fraction of frames warm). @default "noise"
 * @returns A heat map figure (block-averaged for large sensors).
 */
export function noiseMapPlot(maps: CameraPixelMaps, which: "noise" | "offset" | "warm" = "noise"): PlotlyFigure {
  const img = which === "noise" ? maps.noise : which === "offset" ? maps.offsetAdu : maps.warmFrequency;
  const [, ny, nx] = img.shape;
  const label = which === "noise" ? "Temporal noise" : which === "offset" ? "Offset" : "Warm in fraction of frames";
  const unit = which === "noise" ? maps.noiseUnit : which === "offset" ? "ADU" : "1";
  return heatmapPlot(img.data, { dims: [ny, nx], xLabel: "x", xUnit: "px", yLabel: "y", yUnit: "px", zLabel: label, zUnit: unit, title: `${label} per pixel`, colorscale: "inferno" });
}

/**
 * Gain series of a point detector: signal and SNR against the gain setting (log–log), with the power-law fit.
 *
 * @param result - From {@link measureDetectorGainSeries}.
 * @returns A line plot with signal (left) and SNR (right axis).
 */
export function gainSeriesPlot(result: GainSeriesResult): PlotlyFigure {
  const used = result.levels.filter((l) => l.used);
  const fig = linePlot(
    { x: used.map((l) => l.gain), y: used.map((l) => l.signalAdu), name: `signal (∝ gain^${result.powerLaw.exponent.value.toFixed(2)})` },
    { xLabel: "Gain setting", yLabel: "Signal", yUnit: "ADU", title: "Point detector: signal and SNR against gain", logX: true, logY: true },
  );
  (fig.data as Record<string, unknown>[]).push({ type: "scatter", mode: "lines+markers", name: "SNR", x: used.map((l) => l.gain), y: used.map((l) => l.snr), yaxis: "y2" });
  const layout = (fig.layout ?? {}) as Record<string, unknown>;
  layout.yaxis2 = { title: { text: "SNR" }, overlaying: "y", side: "right", type: "log" };
  return { ...fig, layout };
}
