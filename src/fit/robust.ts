/**
 * Robust statistics: median, quantiles, MAD, IQR, Tukey fences, robust z-scores and
 * MetroloJ_QC's batch outlier fences. Inputs are never modified (values are copied before sorting).
 * @module
 */
import { InsufficientDataError, InvalidArgumentError } from "../core/errors.js";

/** MAD → SD factor for normal data: 1/Φ⁻¹(3/4) ≈ 1.4826. */
export const MAD_TO_SD: number = 1.482602218505602;

/** Minimum sample size for MetroloJ_QC's outlier fences (below it no value is flagged). */
export const METROLOJ_MIN_OUTLIER_SAMPLES = 5;

/**
 * How quartiles are computed.
 * - "linear": linear interpolation between order statistics at h = (n − 1)·p
 *   (Hyndman & Fan type 7; R's and NumPy's default).
 * - "halves": Q1/Q3 are the medians of the lower/upper halves of the sorted data, the middle
 *   value excluded when n is odd (MetroloJ_QC `dataTricks.getOutliersFences`; Moore & McCabe).
 */
export type QuartileMethod = "linear" | "halves";

/** Quartiles of a sample. */
export interface Quartiles {
  readonly q1: number;
  readonly median: number;
  readonly q3: number;
  /** q3 − q1 */
  readonly iqr: number;
  readonly method: QuartileMethod;
}

/** Outlier fences and the values outside them (strictly below `lower` or above `upper`). */
export interface Fences {
  /** Values below this are outliers (−Infinity when no fence applies). */
  readonly lower: number;
  /** Values above this are outliers (+Infinity when no fence applies). */
  readonly upper: number;
  /** Indices (into the input) of the outliers, ascending. */
  readonly outlierIndices: number[];
}

/** Result of {@link tukeyFences}. */
export interface TukeyFences extends Fences {
  readonly quartiles: Quartiles;
  readonly factor: number;
}

/** Options of {@link tukeyFences}. */
export interface TukeyFenceOptions {
  /** Fence distance in IQRs beyond Q1 and Q3. @default 1.5 */
  factor?: number;
  /** Quartile definition. @default "linear" */
  quartileMethod?: QuartileMethod;
}

/** Options of {@link mad}. */
export interface MadOptions {
  /** Multiply by {@link MAD_TO_SD} (≈ 1.4826) to estimate the SD of normal data. @default false (raw MAD) */
  scaled?: boolean;
}

/** Options of {@link metroloJOutlierFences}. */
export interface MetroloJOutlierOptions {
  /** "iqr": Tukey fences on half-median quartiles; "median": median ± quantile of |x − median|. @default "iqr" */
  mode?: "iqr" | "median";
  /** IQR multiplier of the "iqr" mode (MetroloJ_QC `QC_Options.iqrFactor`). @default 1.5 */
  iqrFactor?: number;
  /** Quantile of |x − median| used by the "median" mode (`QC_Options.outlierQuantile`). @default 0.9 */
  quantile?: number;
}

/** Result of {@link metroloJOutlierFences}. */
export interface MetroloJOutlierFences extends Fences {
  readonly mode: "iqr" | "median";
  /** Whether fences were set (false: fewer than 5 values, zero spread, or not significant). */
  readonly applied: boolean;
  /**
   * "median" mode only: (q − median(δ))/IQR(δ) with δ = |x − median(x)|; fences apply when ≥ 1.
   * +Infinity when IQR(δ) = 0 and q > median(δ); 0 when IQR(δ) = 0 and q = median(δ). 0 in "iqr" mode.
   */
  readonly significance: number;
  /** Why fences were or were not applied. */
  readonly reason: string;
}

/**
 * Median (mean of the two middle values for even n).
 * @param values - Sample, not modified.
 * @returns The median.
 * @throws InsufficientDataError when values is empty.
 * @throws InvalidArgumentError when a value is NaN or infinite.
 * @example
 * ```ts
 * median([3, 1, 4, 1, 5]); // 3
 * ```
 */
export function median(values: ArrayLike<number>): number {
  return medianOfSorted(sortedCopy(values, "median"));
}

/**
 * Quantile by linear interpolation between order statistics (Hyndman & Fan type 7, the R/NumPy default):
 * h = (n − 1)·p, Q = x₍⌊h⌋₎ + (h − ⌊h⌋)(x₍⌊h⌋+1₎ − x₍⌊h⌋₎) on the sorted sample (0-based).
 * @param values - Sample, not modified.
 * @param probability - p in [0, 1].
 * @returns The p-quantile.
 * @throws InsufficientDataError when values is empty.
 * @throws InvalidArgumentError when p is outside [0, 1] or a value is not finite.
 * @see R. J. Hyndman & Y. Fan (1996) Am. Stat. 50:361, doi:10.1080/00031305.1996.10473566
 */
export function quantile(values: ArrayLike<number>, probability: number): number {
  if (!(probability >= 0 && probability <= 1)) {
    throw new InvalidArgumentError(`probability is ${probability}; expected a value in [0, 1].`, "Use e.g. 0.25 for the first quartile (not 25).");
  }
  return quantileOfSorted(sortedCopy(values, "quantile"), probability);
}

/**
 * Q1, median, Q3 and IQR.
 * @param values - Sample, not modified.
 * @param method - Quartile definition, see {@link QuartileMethod}. @default "linear"
 * @returns The quartiles.
 * @throws InsufficientDataError when values is empty, or has < 2 values with method "halves".
 * @throws InvalidArgumentError when a value is not finite.
 * @example
 * ```ts
 * quartiles([1, 2, 3, 4, 5, 6, 7, 8, 9], "halves"); // q1 2.5, median 5, q3 7.5
 * quartiles([1, 2, 3, 4, 5, 6, 7, 8, 9]);          // q1 3,   median 5, q3 7 (linear)
 * ```
 */
export function quartiles(values: ArrayLike<number>, method: QuartileMethod = "linear"): Quartiles {
  return quartilesOfSorted(sortedCopy(values, "quartiles"), method);
}

/**
 * Interquartile range Q3 − Q1.
 * @param values - Sample, not modified.
 * @param method - Quartile definition. @default "linear"
 * @returns The IQR (same unit as the values).
 * @throws InsufficientDataError when values is empty (or < 2 values with "halves").
 * @throws InvalidArgumentError when a value is not finite.
 */
export function iqr(values: ArrayLike<number>, method: QuartileMethod = "linear"): number {
  return quartiles(values, method).iqr;
}

/**
 * Median absolute deviation, median(|x − median(x)|); raw by default, or ×1.4826 with `scaled: true`
 * (a consistent estimator of the SD for normal data).
 * @param values - Sample, not modified.
 * @param options - `scaled` (default false: raw MAD).
 * @returns The MAD (same unit as the values).
 * @throws InsufficientDataError when values is empty.
 * @throws InvalidArgumentError when a value is not finite.
 * @see F. R. Hampel (1974) J. Am. Stat. Assoc. 69:383, doi:10.1080/01621459.1974.10482962
 * @example
 * ```ts
 * mad([1, 2, 3, 4, 100]); // 1
 * ```
 */
export function mad(values: ArrayLike<number>, options: MadOptions = {}): number {
  const s = sortedCopy(values, "mad");
  const m = medianOfSorted(s);
  const raw = medianOfSorted(absDeviationsSorted(s, m));
  return options.scaled ? MAD_TO_SD * raw : raw;
}

/**
 * Tukey fences [Q1 − k·IQR, Q3 + k·IQR] and the values strictly outside them.
 * @param values - Sample, not modified.
 * @param options - `factor` k (default 1.5), `quartileMethod` (default "linear").
 * @returns Fences, quartiles and outlier indices.
 * @throws InsufficientDataError when values is empty (or < 2 values with "halves").
 * @throws InvalidArgumentError when a value or the factor is not finite / factor < 0.
 * @see J. W. Tukey, Exploratory Data Analysis (1977)
 */
export function tukeyFences(values: ArrayLike<number>, options: TukeyFenceOptions = {}): TukeyFences {
  const factor = options.factor ?? 1.5;
  if (!(factor >= 0 && Number.isFinite(factor))) {
    throw new InvalidArgumentError(`factor is ${factor}; expected a finite number ≥ 0.`, "1.5 flags outliers, 3 flags far-out values.");
  }
  const q = quartilesOfSorted(sortedCopy(values, "tukeyFences"), options.quartileMethod ?? "linear");
  const lower = q.q1 - factor * q.iqr;
  const upper = q.q3 + factor * q.iqr;
  return { lower, upper, outlierIndices: outside(values, lower, upper), quartiles: q, factor };
}

/**
 * Robust z-scores zᵢ = (xᵢ − median)/(1.4826·MAD).
 * @param values - Sample, not modified.
 * @returns One score per value (Float64Array).
 * @throws InsufficientDataError when values is empty.
 * @throws InvalidArgumentError when a value is not finite.
 *
 * Notes: when MAD = 0 (more than half the values identical) the scale falls back to
 * 1.2533·mean|x − median| (√(π/2), the mean-absolute-deviation SD factor); when that is 0 too
 * (all values equal) every score is 0. microscope-metrics uses 0.6745·(x − median)/mean|x − mean|
 * instead (F10 in peers.md); |z| > 3.5 is the usual outlier cut (Iglewicz & Hoaglin 1993).
 * @example
 * ```ts
 * robustZ([1, 2, 3, 4, 100]); // [-1.349, -0.674, 0, 0.674, 65.4]
 * ```
 */
export function robustZ(values: ArrayLike<number>): Float64Array {
  const s = sortedCopy(values, "robustZ");
  const m = medianOfSorted(s);
  let scale = MAD_TO_SD * medianOfSorted(absDeviationsSorted(s, m));
  if (!(scale > 0)) {
    let sum = 0;
    for (let i = 0; i < s.length; i++) sum += Math.abs(s[i] - m);
    scale = MEAN_AD_TO_SD * (sum / s.length);
  }
  const z = new Float64Array(values.length);
  if (scale > 0) for (let i = 0; i < z.length; i++) z[i] = (values[i] - m) / scale;
  return z;
}

/**
 * MetroloJ_QC's batch outlier fences (F11 in peers.md), used to drop outlying beads before averaging.
 *
 * - "iqr" mode: Q1/Q3 = medians of the lower/upper halves of the sorted data (middle value excluded
 *   for odd n); fences Q1 − 1.5·IQR, Q3 + 1.5·IQR; none if IQR = 0.
 * - "median" mode: δᵢ = |xᵢ − median(x)|; q = the 0.9 quantile of δ by nearest rank (sorted δ at
 *   index ⌈0.9·n⌉ − 1); significance = (q − median(δ))/IQR(δ) with half-median quartiles of δ;
 *   if significance ≥ 1 the fences are median ± q, otherwise nothing is flagged.
 *
 * Outliers are values strictly below the lower or above the upper fence (as MetroloJ_QC's
 * `findOutliers`). With fewer than 5 values no fence is set.
 *
 * @param values - Sample (e.g. FWHM per bead), not modified.
 * @param options - `mode` (default "iqr"), `iqrFactor` (1.5), `quantile` (0.9).
 * @returns Fences (±Infinity when not applied), outlier indices, significance, reason.
 * @throws InvalidArgumentError when a value is not finite or an option is out of range.
 *
 * Notes: when IQR(δ) = 0 MetroloJ_QC divides by zero; here significance is +Infinity if q > median(δ)
 * (fences apply) and 0 otherwise (no fences), so no NaN is produced.
 *
 * @see MetroloJ_QC `utilities/tricks/dataTricks.getOutliersFences`, `setup/QC_Options`
 */
export function metroloJOutlierFences(values: ArrayLike<number>, options: MetroloJOutlierOptions = {}): MetroloJOutlierFences {
  const mode = options.mode ?? "iqr";
  const factor = options.iqrFactor ?? 1.5;
  const qLevel = options.quantile ?? 0.9;
  if (!(factor >= 0 && Number.isFinite(factor))) {
    throw new InvalidArgumentError(`iqrFactor is ${factor}; expected a finite number ≥ 0.`, "MetroloJ_QC's default is 1.5.");
  }
  if (!(qLevel > 0 && qLevel <= 1)) {
    throw new InvalidArgumentError(`quantile is ${qLevel}; expected a value in (0, 1].`, "MetroloJ_QC's default is 0.9.");
  }
  const none = (reason: string, significance = 0): MetroloJOutlierFences => ({
    mode,
    applied: false,
    lower: Number.NEGATIVE_INFINITY,
    upper: Number.POSITIVE_INFINITY,
    outlierIndices: [],
    significance,
    reason,
  });
  const n = values.length;
  if (n < METROLOJ_MIN_OUTLIER_SAMPLES) {
    for (let i = 0; i < n; i++) checkFinite(values[i], i, "metroloJOutlierFences");
    return none(`only ${n} values; outlier fences need at least ${METROLOJ_MIN_OUTLIER_SAMPLES}`);
  }
  const s = sortedCopy(values, "metroloJOutlierFences");
  if (mode === "iqr") {
    const q = quartilesOfSorted(s, "halves");
    if (!(q.iqr > 0)) return none("IQR is 0 (at least half the values are equal); no fences");
    const lower = q.q1 - factor * q.iqr;
    const upper = q.q3 + factor * q.iqr;
    return { mode, applied: true, lower, upper, outlierIndices: outside(values, lower, upper), significance: 0, reason: `Q1 − ${factor}·IQR, Q3 + ${factor}·IQR` };
  }
  const m = medianOfSorted(s);
  const d = absDeviationsSorted(s, m);
  const dMedian = medianOfSorted(d);
  const q = d[Math.max(0, Math.ceil(qLevel * n) - 1)];
  const dIqr = quartilesOfSorted(d, "halves").iqr;
  const significance = dIqr > 0 ? (q - dMedian) / dIqr : q > dMedian ? Number.POSITIVE_INFINITY : 0;
  if (!(significance >= 1)) return none(`significance ${significance.toFixed(3)} < 1: the spread is not dominated by outliers; no fences`, significance);
  const lower = m - q;
  const upper = m + q;
  return {
    mode,
    applied: true,
    lower,
    upper,
    outlierIndices: outside(values, lower, upper),
    significance,
    reason: `median ± ${qLevel} quantile of |x − median| (significance ${significance.toFixed(3)} ≥ 1)`,
  };
}

/** √(π/2): SD / mean absolute deviation for normal data. */
const MEAN_AD_TO_SD = Math.sqrt(Math.PI / 2);

function checkFinite(v: number, i: number, fn: string): void {
  if (!Number.isFinite(v)) {
    throw new InvalidArgumentError(`${fn}: value [${i}] is ${v}; all values must be finite.`, "Filter out NaN/Infinity (failed measurements) before computing statistics.");
  }
}

function sortedCopy(values: ArrayLike<number>, fn: string): Float64Array {
  const n = values.length;
  if (n === 0) throw new InsufficientDataError(`${fn}: no values were given.`, "Pass at least one measurement.");
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    checkFinite(values[i], i, fn);
    s[i] = values[i];
  }
  return s.sort();
}

function medianOfSorted(s: Float64Array): number {
  const n = s.length;
  const h = n >> 1;
  return n % 2 === 1 ? s[h] : 0.5 * (s[h - 1] + s[h]);
}

function quantileOfSorted(s: Float64Array, p: number): number {
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

function quartilesOfSorted(s: Float64Array, method: QuartileMethod): Quartiles {
  const n = s.length;
  const med = medianOfSorted(s);
  let q1: number;
  let q3: number;
  if (method === "halves") {
    if (n < 2) {
      throw new InsufficientDataError(`Half-median quartiles need at least 2 values, got ${n}.`, "Use the 'linear' quartile method or add values.");
    }
    const h = n >> 1;
    q1 = medianOfSorted(s.subarray(0, h));
    q3 = medianOfSorted(s.subarray(n - h));
  } else {
    q1 = quantileOfSorted(s, 0.25);
    q3 = quantileOfSorted(s, 0.75);
  }
  return { q1, median: med, q3, iqr: q3 - q1, method };
}

/** Sorted copy of |s − m|. */
function absDeviationsSorted(s: Float64Array, m: number): Float64Array {
  const d = new Float64Array(s.length);
  for (let i = 0; i < s.length; i++) d[i] = Math.abs(s[i] - m);
  return d.sort();
}

function outside(values: ArrayLike<number>, lower: number, upper: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i] < lower || values[i] > upper) out.push(i);
  return out;
}
