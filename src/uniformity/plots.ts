/**
 * Figures of the field-uniformity protocol (plain Plotly figure objects; show them with `showPlot`).
 */
import { heatmapPlot, linePlot, type PlotlyFigure } from "../notebook/plotly.js";
import type { FlatFieldCorrectionResult } from "./correction.js";
import type { FieldUniformityResult } from "./measure.js";

/**
 * Iso-intensity band map (10 % steps of the maximum) with the maximum, the reference-zone centroid and the image
 * centre marked.
 *
 * @param result - From {@link measureFieldUniformity}.
 * @returns A heatmap figure in µm when the pixel size is known, else in px.
 * @throws Nothing for a valid result.
 *
 * Notes: cells are binPx wide (± 1 px where the image size is not a multiple); the map is drawn with a uniform
 * spacing of binPx, which misplaces cells by less than one cell.
 * @see MetroloJ_QC field illumination "normalized intensity" image.
 * @example
 * showPlot(fieldUniformityMapFigure(measureFieldUniformity(image, { dark })));
 */
export function fieldUniformityMapFigure(result: FieldUniformityResult): PlotlyFigure {
  const px = result.pixelSizeUm;
  const scale = px ?? 1;
  const unit = px !== undefined ? "um" : "px";
  const iso = result.isoIntensity;
  const b = iso.binPx;
  const fig = heatmapPlot(iso.bands, {
    dims: iso.gridShape,
    x0: ((b - 1) / 2) * scale,
    y0: ((b - 1) / 2) * scale,
    dx: b * scale,
    dy: b * scale,
    xLabel: "x",
    xUnit: unit,
    yLabel: "y",
    yUnit: unit,
    zLabel: "Band (lower edge)",
    zUnit: "%",
    zRange: [0, 100 - iso.stepPercent],
    colorscale: "viridis",
    title: `Iso-intensity bands (${iso.stepPercent} % steps of the maximum), U = ${result.uniformity.value.toFixed(1)} %, C = ${result.centeringAccuracy.value.toFixed(1)} %`,
  });
  const [ny, nx] = result.imageShape;
  const marks: [string, number, number, string][] = [
    ["maximum", result.maxLocationPx.x.value, result.maxLocationPx.y.value, "x"],
    ["reference-zone centroid", result.referenceCentroidPx.x, result.referenceCentroidPx.y, "circle-open"],
    ["image centre", (nx - 1) / 2, (ny - 1) / 2, "cross-thin-open"],
  ];
  for (const [name, x, y, symbol] of marks) {
    // open symbols are drawn in marker.color: black; the filled "x" is white with a black outline (visible on any band)
    const open = symbol.endsWith("-open");
    fig.data.push({ type: "scatter", mode: "markers", name, x: [x * scale], y: [y * scale], marker: { symbol, size: 14, color: open ? "#000000" : "#ffffff", line: { color: "#000000", width: 2 } } });
  }
  (fig.layout as Record<string, unknown>).showlegend = true;
  (fig.layout as Record<string, unknown>).legend = { orientation: "h", y: -0.15 };
  return fig;
}

/**
 * The four intensity profiles through the image centre (horizontal, vertical, both diagonals) on the smoothed
 * image, relative to the maximum, with the 50 % uniformity limit.
 *
 * @param result - From {@link measureFieldUniformity}.
 * @returns A line figure; x = signed distance from the image centre (µm when known).
 * @throws Nothing for a valid result.
 *
 * Notes: every profile point above the dashed line means U ≥ 50 % along that line.
 * @see MetroloJ_QC field illumination profiles.
 * @example
 * showPlot(fieldUniformityProfilesFigure(result));
 */
export function fieldUniformityProfilesFigure(result: FieldUniformityResult): PlotlyFigure {
  const useUm = result.pixelSizeUm !== undefined;
  return linePlot(
    result.profiles.map((p) => ({ x: (useUm ? p.distanceUm : undefined) ?? p.distancePx, y: p.relativeIntensityPercent, name: p.name })),
    {
      xLabel: "Distance from the image centre",
      xUnit: useUm ? "um" : "px",
      yLabel: "Intensity / maximum",
      yUnit: "%",
      title: "Profiles through the image centre (smoothed)",
      hLines: [{ at: result.options.uniformityLimitPercent, label: `U limit ${result.options.uniformityLimitPercent} %` }],
    },
  );
}

/**
 * Profiles of a flat image before and after flat-field correction, relative to their means.
 *
 * @param result - From {@link correctFlatField}.
 * @param pixelSizeUm - Pixel size for a µm axis. @default px axis
 * @returns A line figure with the horizontal and diagonal profiles before (dashed) and after (solid).
 * @throws Nothing for a valid result.
 *
 * Notes: after a good correction the profiles are flat at 100 % within the noise (see after.noiseCv).
 * @example
 * showPlot(flatFieldComparisonFigure(correctFlatField(flat2, correction, { dark })));
 */
export function flatFieldComparisonFigure(result: FlatFieldCorrectionResult, pixelSizeUm?: number): PlotlyFigure {
  const s = pixelSizeUm ?? 1;
  const series = [
    ...result.before.profiles.map((p) => ({ x: p.distancePx.map((d) => d * s), y: p.relativeToMeanPercent, name: `before, ${p.name}`, dash: "dash" as const })),
    ...result.after.profiles.map((p) => ({ x: p.distancePx.map((d) => d * s), y: p.relativeToMeanPercent, name: `after, ${p.name}` })),
  ];
  return linePlot(series, {
    xLabel: "Distance from the image centre",
    xUnit: pixelSizeUm !== undefined ? "um" : "px",
    yLabel: "Intensity / mean",
    yUnit: "%",
    title: `Flat-field correction: CV ${result.before.cv.value.toFixed(2)} % → ${result.after.cv.value.toFixed(2)} % (noise alone ${result.after.noiseCv.value.toFixed(2)} %)`,
  });
}
