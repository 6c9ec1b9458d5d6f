/**
 * Stage / focus drift over time (MetroloJ_QC driftProfiler definitions): relative position, frame-to-frame
 * displacement, velocity, squared displacement and MSD, and the stabilisation time.
 */
import { InsufficientDataError, InvalidArgumentError } from "../core/errors.js";
import { type Provenance, makeProvenance } from "../core/provenance.js";
import { type Quantity, type Verdict, quantity } from "../core/quantity.js";
import { fitGaussian3D } from "../fit/gaussian.js";
import { FitError } from "../core/errors.js";
import { type OpticalSetup, theoreticalResolution } from "../optics/resolution.js";
import { judge } from "../protocols/load.js";
import { verdictFromChecks } from "../protocols/verdict.js";
import { crop } from "../image/roi.js";
import type { ImageView } from "../image/types.js";
import { type BeadLocalisationOptions, localiseBeadSeries } from "./localise.js";
import { DEFAULT_STAGE_LIMITS, type StageCheck, type StageLimits } from "./repeatability.js";

const SECONDS_PER_MINUTE = 60;
const SECONDS_PER_HOUR = 3600;
/** MetroloJ_QC's isotropic default stabilisation threshold, µm. */
export const DEFAULT_DRIFT_THRESHOLD_UM = 0.2;
/** Lags of the time-averaged MSD go up to this fraction of the series. */
const MSD_MAX_LAG_FRACTION = 0.25;

/** One time point of a drift series. */
export interface DriftPositionInput {
  readonly timeS: number;
  /** Position, µm; null when the time point was excluded. */
  readonly xUm: number | null;
  readonly yUm: number | null;
  /** Focus position, µm (3D series); omit or null for 2D. */
  readonly zUm?: number | null;
  readonly excludedReason?: string | null;
}

/** Options of {@link measureStageDrift}. */
export interface StageDriftOptions {
  /** Stabilisation threshold on the frame-to-frame displacement, µm. @default the lateral resolution from `optics`, else 0.2 µm (MetroloJ_QC) */
  readonly thresholdUm?: number;
  /** Optical setup for the resolution-based threshold (MetroloJ_QC formulas). */
  readonly optics?: OpticalSetup;
  /** Limits overriding {@link DEFAULT_STAGE_LIMITS} (stabilisationS is used). */
  readonly limits?: Partial<StageLimits>;
}

/** Mean and spread of frame-to-frame velocities (the library's Quantity has no rate units, so both are plain numbers). */
export interface DriftVelocity {
  readonly meanUmPerMin: number;
  /** SD of the velocities (spread, not a standard error). */
  readonly sdUmPerMin: number;
  readonly steps: number;
}

/** Result record of {@link measureStageDrift}. */
export interface StageDriftResult {
  readonly dimensions: 2 | 3;
  /** Times of the usable time points, s. */
  readonly timesS: readonly number[];
  /** Positions relative to the first usable time point, µm (z empty for 2D). */
  readonly relativeXUm: readonly number[];
  readonly relativeYUm: readonly number[];
  readonly relativeZUm: readonly number[];
  /** |p(t_i) − p(t_{i−1})|, µm (2D or 3D), one per time point after the first. */
  readonly stepsUm: readonly number[];
  /** steps / Δt, µm per minute. */
  readonly velocitiesUmPerMin: readonly number[];
  /** x_rel² + y_rel² (+ z_rel²) per time point (MetroloJ_QC "MSD"), µm². */
  readonly squaredDisplacementUm2: readonly number[];
  /** Time-averaged mean squared displacement by lag (lags up to a quarter of the series), µm². */
  readonly msd: readonly { readonly lagS: number; readonly msdUm2: number; readonly pairs: number }[];
  readonly stabilisation: {
    readonly thresholdUm: number;
    /** "resolution (…)" or "MetroloJ_QC default" or "user". */
    readonly thresholdSource: string;
    /** Time after which every step stays ≤ threshold, s (uncertainty: one frame interval); null when it never stabilises. */
    readonly timeS: Quantity | null;
    /** The same rule per axis (|Δx|, |Δy|, |Δz|), s. */
    readonly perAxisS: { readonly x: number | null; readonly y: number | null; readonly z: number | null };
  };
  /** Mean and SD of the velocity over all steps, before and after stabilisation, µm/min (null when there are no such steps). */
  readonly velocity: { readonly all: DriftVelocity; readonly beforeStabilisation: DriftVelocity | null; readonly afterStabilisation: DriftVelocity | null };
  /** Last minus first usable position, µm (2D or 3D length). */
  readonly totalDisplacementUm: number;
  /** Straight-line drift after stabilisation (all points when not stabilised), µm/h per axis. */
  readonly driftRateUmPerH: { readonly x: number; readonly y: number; readonly z: number | null };
  readonly excluded: readonly { readonly index: number; readonly reason: string }[];
  readonly checks: readonly StageCheck[];
  readonly verdict: Verdict;
  readonly provenance: Provenance;
}

/** MetroloJ_QC getStabilisationTimepoint: first index k ≥ 1 such that every step j ≥ k is ≤ threshold; −1 if none. */
function stabilisationIndex(steps: readonly number[], threshold: number): number {
  // steps[j − 1] is the step into time point j
  let last = 0;
  for (let j = 1; j <= steps.length; j++) if (steps[j - 1] > threshold) last = j;
  const k = Math.max(1, last + 1);
  return k <= steps.length ? k : -1;
}

function meanSd(v: readonly number[]): DriftVelocity | null {
  if (v.length === 0) return null;
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1)) : 0;
  return { meanUmPerMin: m, sdUmPerMin: sd, steps: v.length };
}

function slopePerH(t: readonly number[], v: readonly number[]): number {
  const n = t.length;
  if (n < 3) return 0;
  const tm = t.reduce((a, b) => a + b, 0) / n;
  const vm = v.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (t[i] - tm) * (v[i] - vm);
    sxx += (t[i] - tm) ** 2;
  }
  return sxx > 0 ? (sxy / sxx) * SECONDS_PER_HOUR : 0;
}

/**
 * Drift and stabilisation of a bead's position over time (stage drift in x, y; focus drift in z).
 *
 * @param positions - One entry per time point (excluded ones with null positions and a reason).
 * @param options - Threshold (or optics for the resolution threshold) and limits; see {@link StageDriftOptions}.
 * @returns Relative positions, steps, velocities, squared displacement and MSD, the stabilisation time (overall and
 *   per axis), velocity before/after stabilisation, drift rates, checks and verdict.
 * @throws InsufficientDataError for fewer than 3 usable time points.
 * @throws InvalidArgumentError when times decrease or the threshold is not positive.
 *
 * Notes: definitions of MetroloJ_QC's driftProfiler: x_rel(t) = x(t) − x(t₀); the "MSD" per time point is the
 * squared displacement from the start x_rel² + y_rel² (+ z_rel²); the step is the displacement between
 * consecutive usable time points (2D for xy series, 3D when z is given), velocity = step/Δt. **Stabilisation
 * time**: the time of the first time point t_k (k ≥ 1) after which every step is ≤ the threshold (each axis
 * separately for perAxisS); null when the last step is above it. Default threshold: the lateral resolution of the
 * optics (MetroloJ_QC formulas) when `optics` is given, else 0.2 µm (MetroloJ_QC's isotropic default); for a
 * 3D series with optics MetroloJ_QC uses the resolution ellipsoid, limiqc the lateral resolution (stricter).
 * The time-averaged MSD(τ) = ⟨|p(t + τ) − p(t)|²⟩ is added for diffusion-like analysis. Velocity uncertainties
 * are given as mean and SD (spread) in µm per minute.
 * @example
 * const d = simulateDriftSeries({ render: false, seed: 5 });
 * measureStageDrift(d.truth.timesS.map((t, i) => ({ timeS: t, xUm: d.truth.positionsUm[i][0], yUm: d.truth.positionsUm[i][1] }))).stabilisation.timeS;
 * @see MetroloJ_QC `stage/driftProfiler.java` (peers.md F26); quarep-protocols.md §WG6.
 */
export function measureStageDrift(positions: readonly DriftPositionInput[], options: StageDriftOptions = {}): StageDriftResult {
  const excluded: { index: number; reason: string }[] = [];
  const pts: { t: number; x: number; y: number; z: number | null }[] = [];
  positions.forEach((p, i) => {
    if (p.xUm === null || p.yUm === null || p.excludedReason) {
      excluded.push({ index: i, reason: p.excludedReason ?? "no position" });
      return;
    }
    if (pts.length && p.timeS < pts[pts.length - 1].t) throw new InvalidArgumentError(`Time goes backwards at time point ${i} (${p.timeS} s).`, "Sort the time points.");
    pts.push({ t: p.timeS, x: p.xUm, y: p.yUm, z: p.zUm ?? null });
  });
  if (pts.length < 3) throw new InsufficientDataError(`Drift needs at least 3 usable time points; ${pts.length} of ${positions.length} are usable.`, "Check the excluded frames (bead lost or out of focus?).");
  const is3d = pts.every((p) => p.z !== null);
  let threshold: number;
  let source: string;
  if (options.thresholdUm !== undefined) {
    if (!(options.thresholdUm > 0)) throw new InvalidArgumentError(`thresholdUm is ${options.thresholdUm}; expected > 0 µm.`, "Use the lateral resolution or 0.2 µm.");
    threshold = options.thresholdUm;
    source = "user";
  } else if (options.optics) {
    const res = theoreticalResolution(options.optics);
    threshold = res.lateralFwhmUm;
    source = `lateral resolution ${res.lateralFormula} = ${res.lateralFwhmUm.toFixed(3)} µm (MetroloJ_QC formulas)`;
  } else {
    threshold = DEFAULT_DRIFT_THRESHOLD_UM;
    source = "MetroloJ_QC isotropic default (no optics given)";
  }
  const p0 = pts[0];
  const times = pts.map((p) => p.t);
  const rx = pts.map((p) => p.x - p0.x);
  const ry = pts.map((p) => p.y - p0.y);
  const rz = is3d ? pts.map((p) => (p.z as number) - (p0.z as number)) : [];
  const steps: number[] = [];
  const vel: number[] = [];
  const ax: number[] = [];
  const ay: number[] = [];
  const az: number[] = [];
  for (let i = 1; i < pts.length; i++) {
    const dx = rx[i] - rx[i - 1];
    const dy = ry[i] - ry[i - 1];
    const dz = is3d ? rz[i] - rz[i - 1] : 0;
    const s = Math.hypot(dx, dy, dz);
    steps.push(s);
    ax.push(Math.abs(dx));
    ay.push(Math.abs(dy));
    az.push(Math.abs(dz));
    const dt = times[i] - times[i - 1];
    vel.push(dt > 0 ? (s / dt) * SECONDS_PER_MINUTE : 0);
  }
  const sq = pts.map((_, i) => rx[i] ** 2 + ry[i] ** 2 + (is3d ? rz[i] ** 2 : 0));
  const maxLag = Math.max(1, Math.floor(MSD_MAX_LAG_FRACTION * pts.length));
  const msd: { lagS: number; msdUm2: number; pairs: number }[] = [];
  for (let k = 1; k <= maxLag; k++) {
    let s = 0;
    let lag = 0;
    for (let i = k; i < pts.length; i++) {
      s += (rx[i] - rx[i - k]) ** 2 + (ry[i] - ry[i - k]) ** 2 + (is3d ? (rz[i] - rz[i - k]) ** 2 : 0);
      lag += times[i] - times[i - k];
    }
    const pairs = pts.length - k;
    msd.push({ lagS: lag / pairs, msdUm2: s / pairs, pairs });
  }
  const k = stabilisationIndex(steps, threshold);
  const dtMedian = [...times.slice(1).map((t, i) => t - times[i])].sort((a, b) => a - b)[Math.floor((times.length - 1) / 2)] ?? 0;
  const perAxis = (a: readonly number[]): number | null => {
    const j = stabilisationIndex(a, threshold);
    return j < 0 ? null : times[j];
  };
  const from = k >= 1 ? k : 0;
  const tAfter = times.slice(from);
  const limits: StageLimits = { ...DEFAULT_STAGE_LIMITS, ...options.limits };
  const checks: StageCheck[] = [];
  const stabS = k >= 0 ? times[k] - times[0] : null;
  if (stabS === null) {
    checks.push({
      id: "stabilisation",
      subject: "drift",
      value: times[times.length - 1] - times[0],
      unit: "s",
      limit: `≤ ${limits.stabilisationS.fail}`,
      level: "fail",
      reason: `drift: the stage did not stabilise: the last step (${steps[steps.length - 1].toFixed(3)} µm) is above the ${threshold.toFixed(3)} µm threshold.`,
    });
  } else {
    const j = judge({ id: "stabilisation", description: "stabilisation time", metric: "stabilisation", unit: "s", direction: "max", fail: limits.stabilisationS.fail, warn: limits.stabilisationS.warn, source: "limiqc default: no published limit" }, stabS);
    checks.push({ id: "stabilisation", subject: "drift", value: stabS, unit: "s", limit: `≤ ${limits.stabilisationS.fail}`, level: j.level, reason: `drift: ${j.reason}` });
  }
  const notes: string[] = [`Stabilisation threshold ${threshold.toFixed(3)} µm: ${source}.`];
  if (excluded.length) notes.push(`${excluded.length} time point(s) excluded: ${excluded.slice(0, 5).map((e) => `#${e.index} (${e.reason})`).join("; ")}.`);
  const last = pts.length - 1;
  return {
    dimensions: is3d ? 3 : 2,
    timesS: times,
    relativeXUm: rx,
    relativeYUm: ry,
    relativeZUm: rz,
    stepsUm: steps,
    velocitiesUmPerMin: vel,
    squaredDisplacementUm2: sq,
    msd,
    stabilisation: {
      thresholdUm: threshold,
      thresholdSource: source,
      timeS: k >= 0 ? quantity(times[k], dtMedian, "s") : null,
      perAxisS: { x: perAxis(ax), y: perAxis(ay), z: is3d ? perAxis(az) : null },
    },
    velocity: {
      all: meanSd(vel) as DriftVelocity,
      beforeStabilisation: k > 1 ? meanSd(vel.slice(0, k - 1)) : null,
      afterStabilisation: k >= 1 ? meanSd(vel.slice(k - 1)) : null,
    },
    totalDisplacementUm: Math.sqrt(sq[last]),
    driftRateUmPerH: {
      x: slopePerH(tAfter, rx.slice(from)),
      y: slopePerH(tAfter, ry.slice(from)),
      z: is3d ? slopePerH(tAfter, rz.slice(from)) : null,
    },
    excluded,
    checks,
    verdict: verdictFromChecks(checks),
    provenance: makeProvenance("measureStageDrift", { thresholdUm: threshold, thresholdSource: source, limits }, [], notes),
  };
}

/**
 * Bead positions of a drift time-lapse from images: 2D frames (x, y by {@link localiseBeadSeries}) or one z-stack
 * per time point (x, y, z by a 3D Gaussian fit around the brightest voxel).
 *
 * @param frames - A [T, ny, nx] stack of 2D frames, or an array of [nz, ny, nx] stacks (one per time point).
 * @param timesS - Time of each time point, s.
 * @param options - Localisation options (method, threshold, box, pixel size).
 * @returns Inputs for {@link measureStageDrift}, excluded time points with their reason.
 * @throws InvalidArgumentError when the number of times differs from the number of time points, or the voxel size is missing.
 * @see localiseBeadSeries; MetroloJ_QC driftProfiler.
 */
export function localiseDriftSeries(frames: ImageView | readonly ImageView[], timesS: readonly number[], options: BeadLocalisationOptions = {}): DriftPositionInput[] {
  if (!Array.isArray(frames)) {
    const stack = frames as ImageView;
    if (timesS.length !== stack.shape[0]) throw new InvalidArgumentError(`${timesS.length} times for ${stack.shape[0]} frames.`, "Give one time per frame.");
    const loc = localiseBeadSeries(stack, options);
    if (loc.pixelSizeUm === null) throw new InvalidArgumentError("The frames carry no pixel size, so positions cannot be given in µm.", "Pass pixelSizeUm.");
    return loc.positions.map((p, i) => ({ timeS: timesS[i], xUm: p.xUm, yUm: p.yUm, excludedReason: p.reason }));
  }
  const stacks = frames as readonly ImageView[];
  if (timesS.length !== stacks.length) throw new InvalidArgumentError(`${timesS.length} times for ${stacks.length} time points.`, "Give one time per time point.");
  const h = options.boxHalfPx ?? 6;
  return stacks.map((s, i) => {
    const v = s.voxelSizeUm;
    const px = options.pixelSizeUm ?? v?.[2];
    if (!v || !px) throw new InvalidArgumentError(`Time point ${i} carries no voxel size.`, "Save the stacks with calibration (OME-TIFF) or pass pixelSizeUm.");
    const [nz, ny, nx] = s.shape;
    let best = 0;
    for (let j = 1; j < s.data.length; j++) if (s.data[j] > s.data[best]) best = j;
    const z = Math.floor(best / (ny * nx));
    const y = Math.floor((best - z * ny * nx) / nx);
    const x = best - z * ny * nx - y * nx;
    const hz = Math.min(z, nz - 1 - z, Math.max(2, Math.floor(nz / 2)));
    if (x < h || y < h || x > nx - 1 - h || y > ny - 1 - h || hz < 2) {
      return { timeS: timesS[i], xUm: null, yUm: null, zUm: null, excludedReason: `brightest voxel (${x}, ${y}, ${z}) too close to the edge of the stack for a 3D fit` };
    }
    try {
      const box = crop(s, { x0: x - h, y0: y - h, z0: z - hz, width: 2 * h + 1, height: 2 * h + 1, depth: 2 * hz + 1 });
      const f = fitGaussian3D(box.data, box.shape);
      return { timeS: timesS[i], xUm: (x - h + f.centreX.value) * px, yUm: (y - h + f.centreY.value) * (options.pixelSizeUm ?? v[1]), zUm: (z - hz + f.centreZ.value) * v[0] };
    } catch (e) {
      if (e instanceof FitError) return { timeS: timesS[i], xUm: null, yUm: null, zUm: null, excludedReason: `3D Gaussian fit failed: ${e.message.split("\n")[0]}` };
      throw e;
    }
  });
}
