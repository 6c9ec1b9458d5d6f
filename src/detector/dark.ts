/**
 * Dark-frame camera tests: MetroloJ_QC's dark-only camera noise protocol (offset, DSNU, median and RMS read noise,
 * warm/cold/hot pixels) and sCMOS per-pixel maps (offset, variance, noise).
 */
import { InvalidArgumentError } from "../core/errors.js";
import { type Provenance, makeProvenance } from "../core/provenance.js";
import { type Quantity, type Verdict, quantity } from "../core/quantity.js";
import { median } from "../fit/robust.js";
import { type ImageView, makeImage, saturationValue } from "../image/types.js";
import { judge } from "../protocols/load.js";
import { verdictFromChecks } from "../protocols/verdict.js";
import { framesOf, frameSetStats } from "./frames.js";
import { DEFAULT_DETECTOR_LIMITS, type DetectorCheck, type DetectorLimits } from "./photon-transfer.js";

/** Options of {@link measureCameraDarkNoise} and {@link cameraPixelMaps}. */
export interface CameraDarkNoiseOptions {
  /** Conversion gain, e⁻ per ADU (data sheet or {@link measurePhotonTransfer}); without it only ADU values are given. @default none */
  readonly conversionGainEPerAdu?: number;
  /** Warm/cold pixels: above (1 + t) or below (1 − t) times the frame mean, %. @default 20 (MetroloJ_QC) */
  readonly thresholdPercent?: number;
  /** A pixel is counted as warm/cold when it is so in at least this fraction of frames. @default 0.5 */
  readonly minFrequency?: number;
  /** Noisy pixels (sCMOS random telegraph noise): temporal SD above this multiple of the median SD. @default 3 */
  readonly noisyFactor?: number;
  /** Saturation value (hot pixels are saturated in a dark frame), ADU. @default 2^bitDepth − 1 or the storage maximum */
  readonly saturationAdu?: number;
  /** Read noise specification to compare the median read noise with, e⁻. @default none */
  readonly specReadNoiseE?: number;
  /** Limits overriding {@link DEFAULT_DETECTOR_LIMITS}. */
  readonly limits?: Partial<DetectorLimits>;
}

/** Per-pixel maps of a dark series, images of shape [1, ny, nx]. */
export interface CameraPixelMaps {
  /** Temporal mean per pixel, ADU. */
  readonly offsetAdu: ImageView<Float32Array>;
  /** Temporal variance per pixel (frame-to-frame level changes removed), ADU². */
  readonly varianceAdu2: ImageView<Float32Array>;
  /** Temporal SD per pixel, e⁻ when a conversion gain is given, else ADU. */
  readonly noise: ImageView<Float32Array>;
  readonly noiseUnit: "e-" | "ADU";
  /** Fraction of frames in which the pixel was warm (> (1 + t)·frame mean). */
  readonly warmFrequency: ImageView<Float32Array>;
  /** Fraction of frames in which the pixel was cold (< (1 − t)·frame mean). */
  readonly coldFrequency: ImageView<Float32Array>;
  /** Fraction of frames in which the pixel was saturated (hot). */
  readonly hotFrequency: ImageView<Float32Array>;
}

/** A class of defect pixels. */
export interface DefectPixelCount {
  /** Pixels with the behaviour in at least `minFrequency` of the frames. */
  readonly pixels: number;
  /** Pixels with the behaviour in at least one frame. */
  readonly anyFrame: number;
  /** pixels / sensor pixels, %. */
  readonly percent: number;
}

/** Result record of {@link measureCameraDarkNoise}. */
export interface CameraDarkNoiseResult {
  readonly frames: number;
  readonly ny: number;
  readonly nx: number;
  /** Mean of the temporal-average image ± its spatial SD/√N, ADU. */
  readonly offsetAdu: Quantity;
  /** MetroloJ_QC DSNU: spatial SD of the temporal-average image, ADU (includes temporal noise/√L). */
  readonly dsnuAdu: Quantity;
  readonly dsnuE: Quantity | null;
  /** Median over pixels of the temporal SD, ADU / e⁻. */
  readonly readNoiseMedianAdu: Quantity;
  readonly readNoiseMedianE: Quantity | null;
  /** √(mean over pixels of the temporal variance), ADU / e⁻. */
  readonly readNoiseRmsAdu: Quantity;
  readonly readNoiseRmsE: Quantity | null;
  readonly warm: DefectPixelCount;
  readonly cold: DefectPixelCount;
  /** Saturated in a dark frame. */
  readonly hot: DefectPixelCount;
  /** Temporal SD > noisyFactor × median (sCMOS RTS pixels). */
  readonly noisy: DefectPixelCount;
  /** Warm + cold + hot pixels (each counted once), % of the sensor. */
  readonly defectPercent: number;
  /** Histogram of the per-pixel noise (e⁻ with a conversion gain, else ADU): bin centres and counts. */
  readonly noiseHistogram: { readonly centres: readonly number[]; readonly counts: readonly number[]; readonly unit: "e-" | "ADU" };
  readonly checks: readonly DetectorCheck[];
  readonly verdict: Verdict;
  readonly options: { readonly conversionGainEPerAdu: number | null; readonly thresholdPercent: number; readonly minFrequency: number; readonly noisyFactor: number; readonly saturationAdu: number };
  readonly provenance: Provenance;
}

const HISTOGRAM_BINS = 60;
/** Upper end of the noise histogram as a multiple of the median (RTS tails are cut there). */
const HISTOGRAM_SPAN = 4;

function resolve(stack: ImageView, o: CameraDarkNoiseOptions) {
  const r = {
    conversionGainEPerAdu: o.conversionGainEPerAdu ?? null,
    thresholdPercent: o.thresholdPercent ?? 20,
    minFrequency: o.minFrequency ?? 0.5,
    noisyFactor: o.noisyFactor ?? 3,
    saturationAdu: o.saturationAdu ?? saturationValue(stack),
  };
  if (r.conversionGainEPerAdu !== null && !(r.conversionGainEPerAdu > 0)) {
    throw new InvalidArgumentError(`conversionGainEPerAdu is ${r.conversionGainEPerAdu}; expected > 0 e⁻/ADU.`, "Take it from the data sheet or from measurePhotonTransfer.");
  }
  if (!(r.thresholdPercent > 0 && r.thresholdPercent < 100)) throw new InvalidArgumentError(`thresholdPercent is ${r.thresholdPercent}; expected 0–100 %.`, "MetroloJ_QC uses 20 %.");
  if (!(r.minFrequency > 0 && r.minFrequency <= 1)) throw new InvalidArgumentError(`minFrequency is ${r.minFrequency}; expected a fraction in (0, 1].`, "Use 0.5 (the behaviour in at least half of the frames).");
  if (!(r.noisyFactor > 1)) throw new InvalidArgumentError(`noisyFactor is ${r.noisyFactor}; expected > 1.`, "Use e.g. 3.");
  return r;
}

/**
 * Per-pixel maps of a dark time series: offset, temporal variance and noise, and how often each pixel is warm,
 * cold or saturated.
 *
 * @param stack - Dark frames (lens cap on, shortest exposure), shape [L ≥ 2, ny, nx], ADU.
 * @param options - Conversion gain, warm/cold threshold, saturation value; see {@link CameraDarkNoiseOptions}.
 * @returns The maps (Float32 images of shape [1, ny, nx]).
 * @throws InsufficientDataError for fewer than 2 frames.
 * @throws InvalidArgumentError for invalid options.
 *
 * Notes: the per-pixel variance removes each frame's mean offset first (EMVA 1288), so a global flicker of the
 * bias does not count as pixel noise. Warm/cold: MetroloJ_QC's rule per frame, value > (1 + t)·frame mean or
 * < (1 − t)·frame mean (t = 20 %), the mean taken over the frame's unsaturated pixels (limiqc's refinement: saturated
 * pixels would otherwise lift the mean); with a camera offset of ~100 ADU this flags pixels with a dark signal of
 * ≳ 20 ADU. sCMOS calibration (Huang et al. 2013) uses exactly these offset and variance maps.
 * @see MetroloJ_QC `detection/camera.java`; Huang F. et al., Nat Methods 10:653 (2013), doi:10.1038/nmeth.2488; EMVA 1288 R4.0 §8.
 */
export function cameraPixelMaps(stack: ImageView, options: CameraDarkNoiseOptions = {}): CameraPixelMaps {
  return computeMaps(stack, resolve(stack, options)).maps;
}

function computeMaps(stack: ImageView, o: ReturnType<typeof resolve>) {
  const frames = framesOf(stack);
  const { stats, maps } = frameSetStats(frames, o.saturationAdu, "dark series", true);
  const [L, ny, nx] = stack.shape;
  const n = ny * nx;
  const warm = new Float32Array(n);
  const cold = new Float32Array(n);
  const t = o.thresholdPercent / 100;
  for (let j = 0; j < L; j++) {
    const d = frames[j].data;
    // the frame mean without saturated pixels: a few saturated pixels would otherwise lift it so far that every
    // other pixel falls below (1 − t)·mean on a small sensor
    let s = 0;
    let k = 0;
    for (let p = 0; p < n; p++) {
      if (d[p] < o.saturationAdu) {
        s += d[p];
        k++;
      }
    }
    const ref = k > 0 ? s / k : stats.frameMeansAdu[j];
    const hi = (1 + t) * ref;
    const lo = (1 - t) * ref;
    for (let p = 0; p < n; p++) {
      const v = d[p];
      if (v >= o.saturationAdu) continue; // hot, counted separately
      if (v > hi) warm[p]++;
      else if (v < lo) cold[p]++;
    }
  }
  const hot = new Float32Array(n);
  const noise = new Float32Array(n);
  const scale = o.conversionGainEPerAdu ?? 1;
  for (let p = 0; p < n; p++) {
    warm[p] /= L;
    cold[p] /= L;
    hot[p] = maps.saturatedFrames[p] / L;
    noise[p] = Math.sqrt(maps.varianceAdu2[p]) * scale;
  }
  const img = (a: Float32Array): ImageView<Float32Array> => makeImage(a, [1, ny, nx], stack.voxelSizeUm ? { voxelSizeUm: stack.voxelSizeUm } : {});
  return {
    stats,
    maps: {
      offsetAdu: img(maps.meanAdu),
      varianceAdu2: img(maps.varianceAdu2),
      noise: img(noise),
      noiseUnit: (o.conversionGainEPerAdu === null ? "ADU" : "e-") as "e-" | "ADU",
      warmFrequency: img(warm),
      coldFrequency: img(cold),
      hotFrequency: img(hot),
    },
  };
}

/**
 * MetroloJ_QC's dark-only camera test: offset, DSNU, median and RMS read noise, warm/cold/hot pixels and a noise
 * histogram, from a dark time series.
 *
 * @param stack - Dark frames (lens cap on), shape [L ≥ 2, ny, nx], ADU. MetroloJ_QC uses ~100 frames.
 * @param options - Conversion gain (for e⁻), thresholds, saturation, read-noise specification; see {@link CameraDarkNoiseOptions}.
 * @returns The result record (JSON-serialisable; the maps are in {@link cameraPixelMaps}).
 * @throws InsufficientDataError for fewer than 2 frames.
 * @throws InvalidArgumentError for invalid options.
 *
 * Notes: offset = mean of the temporal-average image; DSNU = spatial SD of that image (MetroloJ_QC; unlike EMVA's
 * DSNU_1288 it is not corrected for the residual temporal noise σ/√L); median read noise = median of the
 * per-pixel temporal SD; RMS read noise = √(mean of the per-pixel variance), both × conversion gain. A pixel is
 * warm/cold when it is beyond ±20 % of the frame mean in at least half of the frames (`minFrequency`), hot when
 * saturated in at least half; `anyFrame` counts those seen at least once. Verdict: defect-pixel percentage and
 * the median read noise against the specification (limiqc defaults; no published limits).
 * @example
 * const s = simulateCameraSeries({ darkSeriesFrames: 50, levels: 2, seed: 1 });
 * const r = measureCameraDarkNoise(s.darkSeries!, { conversionGainEPerAdu: 0.45 });
 * // r.readNoiseMedianE.value ≈ 1.5
 * @see MetroloJ_QC `detection/camera.java`; Faklaris et al. 2022 J Cell Biol 221:e202107093; quarep-protocols.md §WG2.
 */
export function measureCameraDarkNoise(stack: ImageView, options: CameraDarkNoiseOptions = {}): CameraDarkNoiseResult {
  const o = resolve(stack, options);
  const { stats, maps } = computeMaps(stack, o);
  const [L, ny, nx] = stack.shape;
  const n = ny * nx;
  const c = o.conversionGainEPerAdu;
  const noiseAdu = new Float64Array(n);
  let sumVar = 0;
  for (let p = 0; p < n; p++) {
    noiseAdu[p] = Math.sqrt(maps.varianceAdu2.data[p]);
    sumVar += maps.varianceAdu2.data[p];
  }
  const med = median(noiseAdu);
  const rms = Math.sqrt(sumVar / n);
  const dsnu = Math.sqrt(stats.spatialVarianceOfMeanAdu2);
  const e = (q: Quantity): Quantity | null => (c === null ? null : quantity(q.value * c, q.uncertainty * c, "e-"));
  const count = (freq: Float32Array): DefectPixelCount => {
    let pixels = 0;
    let any = 0;
    for (let p = 0; p < n; p++) {
      if (freq[p] >= o.minFrequency) pixels++;
      if (freq[p] > 0) any++;
    }
    return { pixels, anyFrame: any, percent: (100 * pixels) / n };
  };
  const warm = count(maps.warmFrequency.data);
  const cold = count(maps.coldFrequency.data);
  const hot = count(maps.hotFrequency.data);
  let noisyPixels = 0;
  for (let p = 0; p < n; p++) if (noiseAdu[p] > o.noisyFactor * med) noisyPixels++;
  const noisy = { pixels: noisyPixels, anyFrame: noisyPixels, percent: (100 * noisyPixels) / n };
  let defects = 0;
  for (let p = 0; p < n; p++) {
    if (maps.warmFrequency.data[p] >= o.minFrequency || maps.coldFrequency.data[p] >= o.minFrequency || maps.hotFrequency.data[p] >= o.minFrequency) defects++;
  }
  const defectPercent = (100 * defects) / n;
  // histogram of the per-pixel noise
  const scale = c ?? 1;
  const top = HISTOGRAM_SPAN * med * scale;
  const width = top > 0 ? top / HISTOGRAM_BINS : 1;
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  for (let p = 0; p < n; p++) {
    const k = Math.min(HISTOGRAM_BINS - 1, Math.floor((noiseAdu[p] * scale) / width));
    counts[k]++;
  }
  const centres = counts.map((_, k) => (k + 0.5) * width);
  const limits: DetectorLimits = { ...DEFAULT_DETECTOR_LIMITS, ...options.limits };
  const checks: DetectorCheck[] = [];
  const src = "limiqc default: no published limit";
  const jd = judge({ id: "defect-pixels", description: "warm, cold and hot pixels", metric: "defectPercent", unit: "%", direction: "max", fail: limits.defectPixelPercent.fail, warn: limits.defectPixelPercent.warn, source: src }, defectPercent);
  checks.push({ id: "defect-pixels", subject: "dark frames", value: defectPercent, unit: "%", limit: `≤ ${limits.defectPixelPercent.fail}`, level: jd.level, reason: `dark frames: ${jd.reason}` });
  if (options.specReadNoiseE !== undefined && c !== null) {
    const ratio = (med * c) / options.specReadNoiseE;
    const jr = judge({ id: "read-noise-ratio", description: "median read noise / specification", metric: "readNoiseRatio", unit: "1", direction: "max", fail: limits.readNoiseRatio.fail, warn: limits.readNoiseRatio.warn, source: src }, ratio);
    checks.push({ id: "read-noise-ratio", subject: `median read noise ${(med * c).toPrecision(3)} e⁻ vs ${options.specReadNoiseE}`, value: ratio, unit: "1", limit: `≤ ${limits.readNoiseRatio.fail}`, level: jr.level, reason: `median read noise: ${jr.reason}` });
  }
  const notes: string[] = [];
  if (c === null) notes.push("No conversion gain given: noise and DSNU are in ADU only.");
  if (L < 20) notes.push(`${L} dark frames: MetroloJ_QC uses ~100; per-pixel noise estimates are coarse.`);
  const seN = (x: number): number => x / Math.sqrt(2 * (L - 1) * n);
  const offsetAdu = quantity(stats.meanAdu, dsnu / Math.sqrt(n), "ADU");
  const dsnuAdu = quantity(dsnu, dsnu / Math.sqrt(2 * (n - 1)), "ADU");
  const medAdu = quantity(med, seN(med), "ADU");
  const rmsAdu = quantity(rms, seN(rms), "ADU");
  return {
    frames: L,
    ny,
    nx,
    offsetAdu,
    dsnuAdu,
    dsnuE: e(dsnuAdu),
    readNoiseMedianAdu: medAdu,
    readNoiseMedianE: e(medAdu),
    readNoiseRmsAdu: rmsAdu,
    readNoiseRmsE: e(rmsAdu),
    warm,
    cold,
    hot,
    noisy,
    defectPercent,
    noiseHistogram: { centres, counts, unit: c === null ? "ADU" : "e-" },
    checks,
    verdict: verdictFromChecks(checks),
    options: o,
    provenance: makeProvenance("measureCameraDarkNoise", { ...o, limits }, [], notes),
  };
}
