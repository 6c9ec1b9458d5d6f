/**
 * Illumination stability without a power meter: mean intensity per frame of a time-lapse of a fluorescent slide.
 */
import { DimensionError, InvalidArgumentError } from "../core/errors.js";
import { type Provenance, makeProvenance } from "../core/provenance.js";
import type { Verdict } from "../core/quantity.js";
import { checkCropBox } from "../image/internal.js";
import type { CropBox } from "../image/roi.js";
import type { ImageView } from "../image/types.js";
import { judge } from "../protocols/load.js";
import { DEFAULT_POWER_LIMITS, type PowerCheck, type PowerLimits } from "./analyse.js";
import { verdictFromChecks } from "../protocols/verdict.js";
import { type ResolvedSeriesStabilityOptions, type SeriesStability, type SeriesStabilityOptions, measureSeriesStability, resolveSeriesStabilityOptions } from "./metrics.js";

/** Options of {@link measureIntensityStability}. */
export interface IntensityStabilityOptions {
  /** Time between frames, s (ignored when `timesS` is given). @default 1 */
  readonly frameIntervalS?: number;
  /** Time of each frame, s (irregular time-lapses). @default i·frameIntervalS */
  readonly timesS?: readonly number[];
  /** Region to average (x0, y0, width, height; z ignored). @default the whole frame */
  readonly roi?: CropBox;
  /** Camera offset (dark level) subtracted from every mean, ADU. @default 0 (with a note: S and CV then refer to signal + offset) */
  readonly darkOffsetAdu?: number;
  /** Warm-up detection, see {@link SeriesStabilityOptions}. */
  readonly stability?: SeriesStabilityOptions;
  /** Limits overriding the power-protocol defaults (S, CV, drift, warm-up are used). */
  readonly limits?: Partial<PowerLimits>;
}

/** Result record of {@link measureIntensityStability}. */
export interface IntensityStabilityResult {
  readonly frames: number;
  readonly timesS: readonly number[];
  /** Mean intensity per frame in the ROI, minus the dark offset, ADU. */
  readonly meansAdu: readonly number[];
  readonly stability: SeriesStability;
  readonly checks: readonly PowerCheck[];
  readonly verdict: Verdict;
  readonly options: {
    readonly roi: CropBox | null;
    readonly darkOffsetAdu: number;
    readonly stability: ResolvedSeriesStabilityOptions;
  };
  readonly provenance: Provenance;
}

/**
 * Illumination stability from a time-lapse of a homogeneous fluorescent slide: the mean intensity of each frame
 * (in a ROI, minus the camera offset) is treated like a power-meter series (S, CV, drift, warm-up).
 *
 * @param stack - Time-lapse with time as the first axis: shape [frames, ny, nx], any pixel type.
 * @param options - Frame times, ROI, dark offset, warm-up settings, limits; see {@link IntensityStabilityOptions}.
 * @returns Means per frame (ADU), the stability metrics, checks against the power-protocol limits, and provenance.
 * @throws DimensionError when the stack has fewer than 2 frames, or the ROI leaves the frame.
 * @throws InvalidArgumentError for a non-positive interval, a wrong number of times, or a mean ≤ 0 after the offset.
 *
 * Notes: without a power meter, this measures the whole chain: source, fibre, optics, camera and fluorophore.
 * Bleaching of the slide looks like a negative drift: use a bleach-resistant slide (e.g. a coloured plastic
 * slide) and low excitation. Subtract the camera offset (darkOffsetAdu, from a dark frame) or S and CV are
 * diluted by it. Limits and definitions as {@link analysePowerLog} (no published limits).
 * @example
 * const r = measureIntensityStability(makeImage(new Float32Array([100, 100, 102, 102, 98, 98]), [3, 1, 2]));
 * // r.meansAdu → [100, 102, 98]; r.stability.stabilityPercent.value → 98
 * @see QUAREP-LiMi WG1 (stability); Faklaris et al. 2022 J Cell Biol 221:e202107093 (illumination stability with a fluorescent slide).
 */
export function measureIntensityStability(stack: ImageView, options: IntensityStabilityOptions = {}): IntensityStabilityResult {
  const [nf, ny, nx] = stack.shape;
  if (nf < 2) {
    throw new DimensionError(`Intensity stability needs a time-lapse of at least 2 frames; the image has ${nf} (shape [${stack.shape.join(", ")}]).`, "Open the time-lapse with time as the first axis.");
  }
  const interval = options.frameIntervalS ?? 1;
  if (!(interval > 0)) throw new InvalidArgumentError(`frameIntervalS is ${interval}; expected > 0 s.`, "Pass the time between frames.");
  const times = options.timesS ? [...options.timesS] : Array.from({ length: nf }, (_, i) => i * interval);
  if (times.length !== nf) throw new InvalidArgumentError(`timesS has ${times.length} values for ${nf} frames.`, "Give one time per frame.");
  const box = options.roi ? checkCropBox([1, ny, nx], { ...options.roi, z0: 0, depth: 1 }, "measureIntensityStability roi") : { x0: 0, y0: 0, width: nx, height: ny };
  const offset = options.darkOffsetAdu ?? 0;
  if (!Number.isFinite(offset)) throw new InvalidArgumentError(`darkOffsetAdu is ${offset}; expected a finite number of ADU.`, "Measure it from a dark frame (mean), or omit it.");
  const d = stack.data;
  const means: number[] = new Array(nf);
  const count = box.width * box.height;
  for (let f = 0; f < nf; f++) {
    let s = 0;
    for (let y = box.y0; y < box.y0 + box.height; y++) {
      const row = (f * ny + y) * nx;
      for (let x = box.x0; x < box.x0 + box.width; x++) s += d[row + x];
    }
    means[f] = s / count - offset;
  }
  const so = resolveSeriesStabilityOptions(options.stability);
  const stability = measureSeriesStability(times, means, "ADU", so);
  const limits: PowerLimits = { ...DEFAULT_POWER_LIMITS, ...options.limits };
  const checks: PowerCheck[] = [];
  const src = "limiqc default: no published limit";
  const add = (id: string, description: string, unit: string, direction: "max" | "min", l: { warn: number; fail: number }, value: number): void => {
    const j = judge({ id, description, metric: id, unit, direction, fail: l.fail, warn: l.warn, source: src }, value);
    checks.push({ id, subject: "time-lapse", value, unit, limit: `${direction === "max" ? "≤" : "≥"} ${l.fail}`, level: j.level, reason: `time-lapse: ${j.reason}` });
  };
  add("stability", "stability factor S", "%", "min", limits.stabilityPercent, stability.stabilityPercent.value);
  add("cv", "CV", "%", "max", limits.cvPercent, stability.cvPercent.value);
  if (stability.driftReadings >= 10 && stability.durationS >= 60) add("drift", "|drift|", "%/h", "max", limits.driftPercentPerH, Math.abs(stability.driftPercentPerH.value));
  if (stability.warmup?.stabilised) add("warmup", "warm-up time", "s", "max", limits.warmupS, stability.warmup.timeS.value);
  const notes: string[] = [];
  if (options.darkOffsetAdu === undefined) notes.push("No dark offset subtracted: S and CV refer to signal + camera offset (pass darkOffsetAdu from a dark frame).");
  const roi = options.roi ? { x0: box.x0, y0: box.y0, width: box.width, height: box.height } : null;
  return {
    frames: nf,
    timesS: times,
    meansAdu: means,
    stability,
    checks,
    verdict: verdictFromChecks(checks),
    options: { roi, darkOffsetAdu: offset, stability: so },
    provenance: makeProvenance("measureIntensityStability", { roi, darkOffsetAdu: offset, stability: so, limits, frameIntervalS: interval }, [], notes),
  };
}
