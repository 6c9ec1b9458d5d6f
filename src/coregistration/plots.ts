/**
 * Figures of the co-registration protocol (plain Plotly figure objects; show them with `showPlot`).
 * @module
 */
import { type PlotlyFigure, scatterPlot } from "../notebook/plotly.js";
import type { CoregistrationResult, CoregPair } from "./measure.js";
import { registrationDisplacementUm } from "./transform.js";

/** The longest arrow of the quiver plot spans about this fraction of the field. */
const ARROW_FIELD_FRACTION = 0.08;

/**
 * Quiver-like map of the lateral shifts of one channel pair across the field: a marker at each bead (reference
 * position, coloured by the axial shift) and a line along its lateral shift, magnified so the longest arrow spans 8 %
 * of the field. By default the mean shift is subtracted first (stated in the title), so that the field-dependent part
 * — lateral chromatic magnification, rotation — is visible; the residuals after a transform are drawn at the same scale.
 *
 * @param pair - One pair of {@link measureCoregistration}.
 * @param options - `subtractMean` (default true); `residualOf`: "translation" | "affine" | "polynomial" | null. @default "affine"
 * @returns A scatter figure in µm (image coordinates, y down).
 * @throws Nothing for a valid pair.
 *
 * Notes: the arrow magnification is in the title ("arrows ×k").
 * @see MetroloJ_QC coAlignement (single bead); PSFj chromatic shift maps.
 * @example
 * showPlot(coregistrationShiftFigure(result.pairs[0]));
 */
export function coregistrationShiftFigure(
  pair: CoregPair,
  options: { subtractMean?: boolean; residualOf?: "translation" | "affine" | "polynomial" | null } = {},
): PlotlyFigure {
  const b = pair.beads;
  const xs = b.map((r) => r.xUm);
  const ys = b.map((r) => r.yUm);
  const sub = options.subtractMean ?? true;
  const mx = sub ? pair.summary.meanDxNm.value / 1000 : 0;
  const my = sub ? pair.summary.meanDyNm.value / 1000 : 0;
  const sx = (i: number): number => b[i].dxNm.value / 1000 - mx;
  const sy = (i: number): number => b[i].dyNm.value / 1000 - my;
  const span = Math.max(1e-9, Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
  const longestUm = Math.max(1e-9, ...b.map((_, i) => Math.hypot(sx(i), sy(i))));
  const k = (ARROW_FIELD_FRACTION * span) / longestUm;
  const line = (dx: (i: number) => number, dy: (i: number) => number): { x: (number | null)[]; y: (number | null)[] } => {
    const lx: (number | null)[] = [];
    const ly: (number | null)[] = [];
    for (let i = 0; i < b.length; i++) {
      lx.push(xs[i], xs[i] + k * dx(i), null);
      ly.push(ys[i], ys[i] + k * dy(i), null);
    }
    return { x: lx, y: ly };
  };
  const removed = sub ? `, mean shift (${pair.summary.meanDxNm.value.toFixed(0)}, ${pair.summary.meanDyNm.value.toFixed(0)}) nm removed` : "";
  const fig = scatterPlot(
    { x: xs, y: ys, name: "beads (reference position)", text: b.map((r) => `bead ${r.beadId}: Δ = (${r.dxNm.value.toFixed(0)}, ${r.dyNm.value.toFixed(0)}, ${r.dzNm.value.toFixed(0)}) nm, ratio ${r.ratio.value.toFixed(2)}`) },
    {
      xLabel: "x",
      xUnit: "um",
      yLabel: "y",
      yUnit: "um",
      title: `Lateral shift of channel ${pair.target} vs channel ${pair.reference} (arrows ×${k.toPrecision(3)}${removed})`,
      heightPx: 600,
    },
  );
  const markers = fig.data[0] as Record<string, unknown>;
  markers.marker = { size: 8, color: b.map((r) => r.dzNm.value), colorscale: "RdBu", showscale: true, colorbar: { title: { text: "Δz (nm)" } } };
  const measured = line(sx, sy);
  fig.data.push({ type: "scatter", mode: "lines", name: sub ? "shift − mean shift" : "shift", x: measured.x, y: measured.y, line: { color: "#0072B2", width: 2 } });
  const kind = options.residualOf === undefined ? "affine" : options.residualOf;
  const t = kind ? pair.transforms[kind] : null;
  if (t) {
    const res = line(
      (i) => b[i].dxNm.value / 1000 - registrationDisplacementUm(t, xs[i], ys[i])[0],
      (i) => b[i].dyNm.value / 1000 - registrationDisplacementUm(t, xs[i], ys[i])[1],
    );
    fig.data.push({ type: "scatter", mode: "lines", name: `residual after ${kind} correction`, x: res.x, y: res.y, line: { color: "#D55E00", width: 2 } });
  }
  const layout = fig.layout as Record<string, unknown>;
  const yaxis = layout.yaxis as Record<string, unknown>;
  layout.yaxis = { ...yaxis, autorange: "reversed", scaleanchor: "x" };
  layout.legend = { orientation: "h", y: -0.15 };
  return fig;
}

/**
 * Co-registration ratio of every bead against its distance from the field centre, one series per channel pair,
 * with the pass limit.
 *
 * @param result - From {@link measureCoregistration}.
 * @returns A scatter figure; error bars are the ratios' standard errors.
 * @throws Nothing for a valid result.
 *
 * Notes: a ratio growing with the distance from the centre is lateral chromatic magnification; a constant offset is a
 * translation (misaligned camera, dichroic or filter).
 * @example
 * showPlot(coregistrationRatioFigure(result));
 */
export function coregistrationRatioFigure(result: CoregistrationResult): PlotlyFigure {
  const [, ny, nx] = result.shape;
  const cx = ((nx - 1) * result.voxelSizeUm[2]) / 2;
  const cy = ((ny - 1) * result.voxelSizeUm[1]) / 2;
  return scatterPlot(
    result.pairs.map((p) => ({
      x: p.beads.map((b) => Math.hypot(b.xUm - cx, b.yUm - cy)),
      y: p.beads.map((b) => b.ratio.value),
      yError: p.beads.map((b) => b.ratio.uncertainty),
      name: `channel ${p.reference} → ${p.target}`,
      text: p.beads.map((b) => `bead ${b.beadId}`),
    })),
    {
      xLabel: "Distance from the field centre",
      xUnit: "um",
      yLabel: "Co-registration ratio d / r_ref",
      title: "Co-registration ratio per bead (MetroloJ_QC)",
      hLines: [{ at: result.options.ratioLimit, label: `limit ${result.options.ratioLimit}` }],
    },
  );
}
