/**
 * Stability metrics of a time series of readings (light-source power in mW, or mean image intensity in ADU):
 * stability factor S, coefficient of variation, drift and warm-up time.
 */
import { FitError, InsufficientDataError, InvalidArgumentError } from "../core/errors.js";
import { type Quantity, type Unit, quantity } from "../core/quantity.js";
import { fitLine } from "../fit/linear.js";
import { median } from "../fit/robust.js";

const SECONDS_PER_HOUR = 3600;
/** Fewest readings after warm-up for the drift to be fitted on that part alone. */
const MIN_DRIFT_READINGS = 10;

/** Options of {@link measureSeriesStability}. */
export interface SeriesStabilityOptions {
  /** Width of the centred moving average used to find the end of warm-up, s. @default 30 */
  readonly smoothingWindowS?: number;
  /** Warmed up = the smoothed reading stays within ± this of the reference trend, %. @default 1 */
  readonly warmupTolerancePercent?: number;
  /** Fraction of the series, at its end, that defines the reference trend (assumed warmed up), 0–1. @default 0.5 */
  readonly referenceFraction?: number;
}

/** Resolved {@link SeriesStabilityOptions}. */
export interface ResolvedSeriesStabilityOptions {
  readonly smoothingWindowS: number;
  readonly warmupTolerancePercent: number;
  readonly referenceFraction: number;
}

/** Warm-up: how long the readings took to settle onto their final trend. */
export interface WarmupEstimate {
  /**
   * Time from the first reading to the end of warm-up, s; uncertainty = the median sampling interval (the time
   * resolution of the estimate). 0 when the series starts within tolerance.
   */
  readonly timeS: Quantity;
  /** False when the smoothed readings leave the tolerance band inside the reference part too (no stable end state). */
  readonly stabilised: boolean;
  /** Largest deviation of the smoothed readings from the reference trend before warm-up ended, %. */
  readonly maxDeviationPercent: number;
  readonly tolerancePercent: number;
  /** One sentence: what was found. */
  readonly reason: string;
}

/** Stability of one series of readings. Uncertainties are one standard error unless stated otherwise. */
export interface SeriesStability {
  readonly n: number;
  /** Last time − first time, s. */
  readonly durationS: number;
  readonly medianIntervalS: number;
  /** Largest interval between consecutive readings, s. */
  readonly maxIntervalS: number;
  /** Mean ± SE (σ/√n, readings taken as independent). */
  readonly mean: Quantity;
  /** Population SD (as the QUAREP Tool-Kit) ± its normal-theory SE σ/√(2(n−1)). */
  readonly sd: Quantity;
  readonly min: Quantity;
  readonly max: Quantity;
  /** S = 100·(1 − (max − min)/(max + min)), %. A range statistic: uncertainty 0 = not estimated. */
  readonly stabilityPercent: Quantity;
  /** CV = 100·σ/mean (population σ), % ± CV/√(2(n−1)). */
  readonly cvPercent: Quantity;
  /** OLS slope of the readings against time after warm-up (all readings when warm-up did not end or too few remain), unit/h ± SE. */
  readonly driftPerH: Quantity;
  /** The slope relative to the mean of the fitted readings, %/h ± SE. */
  readonly driftPercentPerH: Quantity;
  /** Readings the drift was fitted on. */
  readonly driftReadings: number;
  /** Null when the series is shorter than two smoothing windows. */
  readonly warmup: WarmupEstimate | null;
}

/**
 * Fills the defaults of {@link SeriesStabilityOptions} and checks them.
 * @param o - Options.
 * @returns The resolved options.
 * @throws InvalidArgumentError for a non-positive window or tolerance, or a reference fraction outside (0, 1].
 */
export function resolveSeriesStabilityOptions(o: SeriesStabilityOptions = {}): ResolvedSeriesStabilityOptions {
  const r = { smoothingWindowS: 30, warmupTolerancePercent: 1, referenceFraction: 0.5, ...o };
  if (!(r.smoothingWindowS > 0)) throw new InvalidArgumentError(`smoothingWindowS is ${r.smoothingWindowS}; expected > 0 s.`, "Use e.g. 30 s (30 readings at 1 Hz).");
  if (!(r.warmupTolerancePercent > 0)) throw new InvalidArgumentError(`warmupTolerancePercent is ${r.warmupTolerancePercent}; expected > 0 %.`, "Use e.g. 1 %.");
  if (!(r.referenceFraction > 0 && r.referenceFraction <= 1)) {
    throw new InvalidArgumentError(`referenceFraction is ${r.referenceFraction}; expected a fraction in (0, 1].`, "Use e.g. 0.5 (the second half of the series).");
  }
  return r;
}

/**
 * Centred moving average over a time window (irregular sampling allowed): out[i] = mean of the readings with
 * |t_j − t_i| ≤ window/2. O(n) with two pointers.
 *
 * @param timesS - Non-decreasing times, s.
 * @param values - Readings (same length).
 * @param windowS - Full window width, s (> 0).
 * @returns The smoothed readings.
 * @throws InvalidArgumentError when the lengths differ or the window is not positive.
 */
export function movingAverageByTime(timesS: readonly number[], values: readonly number[], windowS: number): Float64Array {
  const n = values.length;
  if (timesS.length !== n) throw new InvalidArgumentError(`movingAverageByTime got ${timesS.length} times and ${n} values.`, "Pass one time per value.");
  if (!(windowS > 0)) throw new InvalidArgumentError(`windowS is ${windowS}; expected > 0 s.`, "Pass the averaging window in seconds.");
  const out = new Float64Array(n);
  const half = windowS / 2;
  let lo = 0;
  let hi = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    while (hi < n && timesS[hi] <= timesS[i] + half) sum += values[hi++];
    while (timesS[lo] < timesS[i] - half) sum -= values[lo++];
    out[i] = sum / (hi - lo);
  }
  return out;
}

/**
 * Stability of a series of readings: S, CV, mean, SD, min/max, drift and warm-up time.
 *
 * @param timesS - Reading times, s, non-decreasing (irregular sampling allowed).
 * @param values - Readings in `unit` (power in mW, or mean intensity in ADU); positive mean required.
 * @param unit - Unit of the readings ("mW", "ADU", ...).
 * @param options - Warm-up detection settings, see {@link SeriesStabilityOptions}.
 * @returns The metrics, see {@link SeriesStability}.
 * @throws InsufficientDataError for fewer than 2 readings.
 * @throws InvalidArgumentError when lengths differ, a value is not finite, times decrease, or the mean is ≤ 0.
 *
 * Notes: S and CV follow the QUAREP Tool-Kit (population SD) and are computed over all readings, warm-up
 * included, as the protocol does. **Warm-up** (limiqc definition, no published one exists): the reference trend
 * is the OLS line through the last `referenceFraction` of the series; the readings are smoothed with a centred
 * moving average of `smoothingWindowS`; warm-up ends at the first reading after which every smoothed reading stays
 * within ±`warmupTolerancePercent` of the trend. For P(t) = P∞(1 − a·e^{−t/τ}) this is τ·ln(a/tol). When the
 * smoothed readings also leave the band inside the reference part (a mode hop, a strong drift), `stabilised` is
 * false. **Drift** is the OLS slope over the readings after warm-up (all readings when warm-up did not end or
 * fewer than 10 remain), relative to their mean; its SE assumes independent residuals (an underestimate for
 * correlated noise). With irregular sampling every reading has equal weight in S, CV and the fit.
 * @example
 * const s = measureSeriesStability([0, 1, 2, 3], [1, 1.02, 0.98, 1], "mW");
 * // s.stabilityPercent.value → 98; s.cvPercent.value ≈ 1.414
 * @see QUAREP-LiMi-Tool-Kit pageLightSourceResults (S, CV); microscope-metrics light_source_power; peers.md F22.
 */
export function measureSeriesStability(timesS: readonly number[], values: readonly number[], unit: Unit, options: SeriesStabilityOptions = {}): SeriesStability {
  const o = resolveSeriesStabilityOptions(options);
  const n = values.length;
  if (timesS.length !== n) throw new InvalidArgumentError(`measureSeriesStability got ${timesS.length} times and ${n} readings.`, "Pass one time per reading.");
  if (n < 2) throw new InsufficientDataError(`Stability needs at least 2 readings; got ${n}.`, "Record the source for longer (the protocol: 1 reading/s for 5 min).");
  let sum = 0;
  let mn = Number.POSITIVE_INFINITY;
  let mx = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v) || !Number.isFinite(timesS[i])) {
      throw new InvalidArgumentError(`Reading ${i} is ${v} at time ${timesS[i]}; every reading and time must be finite.`, "Remove or repair unreadable readings first (readPowerLog reports them).");
    }
    if (i > 0 && timesS[i] < timesS[i - 1]) {
      throw new InvalidArgumentError(`Time goes backwards at reading ${i} (${timesS[i - 1]} s → ${timesS[i]} s).`, "Sort the readings by time.");
    }
    sum += v;
    if (v < mn) mn = v;
    if (v > mx) mx = v;
  }
  const mean = sum / n;
  if (!(mean > 0)) {
    throw new InvalidArgumentError(`The mean reading is ${mean} ${unit}; stability needs a positive signal.`, "Check that the series holds light-on readings (subtract the dark level of images first).");
  }
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  const sd = Math.sqrt(ss / n);
  const cv = (100 * sd) / mean;
  const intervals: number[] = [];
  let maxInterval = 0;
  for (let i = 1; i < n; i++) {
    const d = timesS[i] - timesS[i - 1];
    intervals.push(d);
    if (d > maxInterval) maxInterval = d;
  }
  const medianInterval = median(intervals);
  const durationS = timesS[n - 1] - timesS[0];
  const warmup = durationS >= 2 * o.smoothingWindowS ? estimateWarmup(timesS, values, o, medianInterval) : null;
  // drift after warm-up
  let from = 0;
  if (warmup?.stabilised) {
    const tEnd = timesS[0] + warmup.timeS.value;
    let k = 0;
    while (k < n && timesS[k] < tEnd) k++;
    if (n - k >= MIN_DRIFT_READINGS) from = k;
  }
  const { slope, slopeSe, fitMean } = driftFit(timesS, values, from);
  const se = (x: number): number => (n > 1 ? x / Math.sqrt(2 * (n - 1)) : 0);
  return {
    n,
    durationS,
    medianIntervalS: medianInterval,
    maxIntervalS: maxInterval,
    mean: quantity(mean, sd / Math.sqrt(n), unit),
    sd: quantity(sd, se(sd), unit),
    min: quantity(mn, 0, unit),
    max: quantity(mx, 0, unit),
    stabilityPercent: quantity(100 * (1 - (mx - mn) / (mx + mn)), 0, "%"),
    cvPercent: quantity(cv, se(cv), "%"),
    driftPerH: quantity(slope * SECONDS_PER_HOUR, slopeSe * SECONDS_PER_HOUR, unit),
    driftPercentPerH: quantity((100 * slope * SECONDS_PER_HOUR) / fitMean, (100 * slopeSe * SECONDS_PER_HOUR) / fitMean, "%"),
    driftReadings: n - from,
    warmup,
  };
}

function driftFit(timesS: readonly number[], values: readonly number[], from: number): { slope: number; slopeSe: number; fitMean: number } {
  const t = timesS.slice(from);
  const v = values.slice(from);
  let m = 0;
  for (const x of v) m += x;
  m /= v.length;
  if (v.length < 3 || t[t.length - 1] === t[0]) return { slope: 0, slopeSe: 0, fitMean: m };
  try {
    const f = fitLine(t, v);
    return { slope: f.slope.value, slopeSe: f.slope.standardError, fitMean: m };
  } catch (e) {
    if (e instanceof FitError) return { slope: 0, slopeSe: 0, fitMean: m };
    throw e;
  }
}

function estimateWarmup(timesS: readonly number[], values: readonly number[], o: ResolvedSeriesStabilityOptions, intervalS: number): WarmupEstimate {
  const n = values.length;
  const t0 = timesS[0];
  const tRef = t0 + (1 - o.referenceFraction) * (timesS[n - 1] - t0);
  let k = 0;
  while (k < n && timesS[k] < tRef) k++;
  const refT = timesS.slice(k);
  const refV = values.slice(k);
  let a = 0;
  let b = 0;
  if (refV.length >= 3 && refT[refT.length - 1] > refT[0]) {
    const f = fitLine(refT, refV);
    a = f.intercept.value;
    b = f.slope.value;
  } else {
    a = refV.reduce((x, y) => x + y, 0) / refV.length;
  }
  const smooth = movingAverageByTime(timesS, values, o.smoothingWindowS);
  let lastOut = -1;
  let maxDev = 0;
  for (let i = 0; i < n; i++) {
    const trend = a + b * timesS[i];
    const dev = trend !== 0 ? (100 * (smooth[i] - trend)) / trend : 0;
    if (Math.abs(dev) > o.warmupTolerancePercent) {
      lastOut = i;
      if (Math.abs(dev) > Math.abs(maxDev)) maxDev = dev;
    }
  }
  const tol = o.warmupTolerancePercent;
  if (lastOut < 0) {
    return { timeS: quantity(0, intervalS, "s"), stabilised: true, maxDeviationPercent: 0, tolerancePercent: tol, reason: `Within ±${tol} % of the final trend from the first reading.` };
  }
  if (lastOut >= k || lastOut === n - 1) {
    return {
      timeS: quantity(timesS[n - 1] - t0, intervalS, "s"),
      stabilised: false,
      maxDeviationPercent: maxDev,
      tolerancePercent: tol,
      reason: `The smoothed readings leave ±${tol} % of the final trend even at ${(timesS[lastOut] - t0).toFixed(0)} s, inside the last ${Math.round(o.referenceFraction * 100)} % of the series: no stable end state (mode hop, strong drift, or a series too short for the warm-up).`,
    };
  }
  const end = timesS[lastOut + 1] - t0;
  return {
    timeS: quantity(end, intervalS, "s"),
    stabilised: true,
    maxDeviationPercent: maxDev,
    tolerancePercent: tol,
    reason: `Settled within ±${tol} % of the final trend after ${end.toFixed(0)} s (largest earlier deviation ${maxDev.toFixed(2)} %).`,
  };
}
