/**
 * Helpers shared by the bead PSF files (not part of the public API).
 * @module
 */
import { metroloJOutlierFences, METROLOJ_MIN_OUTLIER_SAMPLES, robustZ } from "../fit/robust.js";

/**
 * Flags upper outliers of `values` (indices into `values`) by the chosen aggregate test; null when the test cannot run.
 */
export function upperOutliers(values: readonly number[], test: "robust-z" | "metroloj-iqr" | "none", zMax: number): { indices: number[]; describe: (i: number) => string } | null {
  if (test === "none" || values.length < METROLOJ_MIN_OUTLIER_SAMPLES) return null;
  if (test === "robust-z") {
    const z = robustZ(values);
    const idx: number[] = [];
    for (let i = 0; i < z.length; i++) if (z[i] > zMax) idx.push(i);
    return { indices: idx, describe: (i) => `robust z ${z[i].toFixed(1)} > ${zMax}` };
  }
  const f = metroloJOutlierFences(values, { mode: "iqr" });
  const idx = f.outlierIndices.filter((i) => values[i] > f.upper);
  return { indices: idx, describe: () => `above the upper fence Q3 + 1.5·IQR = ${fmt(f.upper)}` };
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2);
}
