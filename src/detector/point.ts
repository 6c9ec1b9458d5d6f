/**
 * Point detectors (PMT, GaAsP, HyD) of scanning microscopes: NoiSee signal-to-noise and signal-to-background from a
 * fluorescent solution and a dark image, and a gain (HV) series for linearity and noise against gain.
 */
import { InsufficientDataError, InvalidArgumentError, SaturationError } from "../core/errors.js";
import { type Provenance, makeProvenance } from "../core/provenance.js";
import { type Quantity, type Verdict, quantity } from "../core/quantity.js";
import { fitLine } from "../fit/linear.js";
import { checkCropBox } from "../image/internal.js";
import { crop, type CropBox } from "../image/roi.js";
import { type ImageView, saturationValue } from "../image/types.js";
import { judge } from "../protocols/load.js";
import { verdictFromChecks } from "../protocols/verdict.js";
import { framesOf, frameSetStats } from "./frames.js";
import { DEFAULT_DETECTOR_LIMITS, type DetectorCheck, type DetectorLimits } from "./photon-transfer.js";

/** Options of {@link measurePointDetectorSnr}. */
export interface PointDetectorSnrOptions {
  /** Region of the solution image to measure (x0, y0, width, height; all planes). @default the whole image */
  readonly roi?: CropBox;
  /** Saturation value, ADU. @default 2^bitDepth − 1 or the storage maximum */
  readonly saturationAdu?: number;
  /** Above this fraction of saturated pixels the SNR is not measured. @default 0.001 */
  readonly maxSaturatedFraction?: number;
  /** SNR of this detector at these settings last time (baseline), for the verdict. @default none */
  readonly baselineSnr?: number;
  /** Limits overriding {@link DEFAULT_DETECTOR_LIMITS} (snrRatio is used). */
  readonly limits?: Partial<DetectorLimits>;
}

/** Result record of {@link measurePointDetectorSnr}. */
export interface PointDetectorSnrResult {
  /** Mean of S = I − mean(dark) ± SE, ADU. */
  readonly signalAdu: Quantity;
  /** SD of S (spatial, over all pixels and planes) ± SE, ADU. */
  readonly noiseAdu: Quantity;
  /** NoiSee SNR = mean(S)/SD(S) ± SE. */
  readonly snr: Quantity;
  /** NoiSee SBR = mean(S)/mean(dark) ± SE; null when the dark mean is ≤ 0 (photon counting without offset). */
  readonly sbr: Quantity | null;
  readonly darkMeanAdu: Quantity;
  readonly darkSdAdu: Quantity;
  readonly saturatedFraction: number;
  readonly pixels: number;
  readonly checks: readonly DetectorCheck[];
  readonly verdict: Verdict;
  readonly options: { readonly roi: CropBox | null; readonly saturationAdu: number; readonly maxSaturatedFraction: number; readonly baselineSnr: number | null };
  readonly provenance: Provenance;
}

function meanSd(d: ImageView["data"]): { mean: number; sd: number; n: number } {
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i];
  const mean = s / d.length;
  let ss = 0;
  for (let i = 0; i < d.length; i++) ss += (d[i] - mean) ** 2;
  return { mean, sd: Math.sqrt(ss / Math.max(1, d.length - 1)), n: d.length };
}

function countAtLeast(d: ImageView["data"], v: number): number {
  let k = 0;
  for (let i = 0; i < d.length; i++) if (d[i] >= v) k++;
  return k;
}

/**
 * NoiSee "fluorescein" SNR and SBR of a point detector: an image of a homogeneous fluorescent solution and a dark
 * image (laser off) at the same detector settings.
 *
 * @param solution - Image (or frames) of the solution, shape [planes, ny, nx], ADU.
 * @param dark - Dark image at the same settings, any shape, ADU.
 * @param options - ROI, saturation, baseline SNR; see {@link PointDetectorSnrOptions}.
 * @returns SNR, SBR, signal and noise with standard errors, checks and provenance.
 * @throws SaturationError when more than `maxSaturatedFraction` of the ROI is saturated.
 * @throws DimensionError when the ROI leaves the image.
 * @throws InvalidArgumentError when the signal is not above the dark level.
 *
 * Notes: S = I − mean(dark); SNR = mean(S)/SD(S); SBR = mean(S)/mean(dark) (NoiSee, Ferrand et al. 2019). The SD
 * is spatial, so uneven illumination of the field lowers the SNR: use a central ROI where the field is flat, or
 * several frames. The SE of the SNR is the normal-theory SNR·√(1/(2(N − 1)) + 1/(N·SNR²)) (N pixels).
 * There are no absolute pass values: compare with the same detector and settings over time (baselineSnr).
 * @example
 * const sig = simulatePointDetectorImage({ photonsPerPixel: 50, seed: 1 }).image;
 * const dark = simulatePointDetectorImage({ photonsPerPixel: 0, seed: 2 }).image;
 * measurePointDetectorSnr(sig, dark).snr.value; // ≈ 6.2
 * @see Ferrand A. et al., "Using the NoiSee workflow to measure signal-to-noise ratios of confocal microscopes", Sci Rep 9:1165 (2019), doi:10.1038/s41598-018-37781-3; imcf/noisee `NoiSee_Fluorescein_Analysis.ijm`.
 */
export function measurePointDetectorSnr(solution: ImageView, dark: ImageView, options: PointDetectorSnrOptions = {}): PointDetectorSnrResult {
  const sat = options.saturationAdu ?? saturationValue(solution);
  const maxFrac = options.maxSaturatedFraction ?? 0.001;
  const roiImg = options.roi ? crop(solution, { ...checkCropBox([1, solution.shape[1], solution.shape[2]], { ...options.roi, z0: 0, depth: 1 }, "measurePointDetectorSnr roi"), z0: 0, depth: solution.shape[0] }) : solution;
  const satCount = countAtLeast(roiImg.data, sat);
  const satFrac = satCount / roiImg.data.length;
  if (satFrac > maxFrac) {
    throw new SaturationError(
      `${(100 * satFrac).toFixed(2)} % of the solution pixels are at ≥ ${sat} ADU (limit ${(100 * maxFrac).toFixed(2)} %).`,
      "Lower the detector gain (HV) or the laser power and acquire again.",
    );
  }
  const d = meanSd(dark.data);
  const s = meanSd(roiImg.data);
  const signal = s.mean - d.mean;
  if (!(signal > 0)) {
    throw new InvalidArgumentError(`The solution image (mean ${s.mean.toFixed(2)} ADU) is not brighter than the dark image (mean ${d.mean.toFixed(2)} ADU).`, "Check that the laser was on for the solution image and off for the dark image.");
  }
  const n = s.n;
  const snr = signal / s.sd;
  const snrSe = snr * Math.sqrt(1 / (2 * (n - 1)) + 1 / (n * snr * snr));
  const sbr = d.mean > 0 ? quantity(signal / d.mean, (signal / d.mean) * Math.hypot(s.sd / Math.sqrt(n) / signal, d.sd / Math.sqrt(d.n) / d.mean), "1") : null;
  const limits: DetectorLimits = { ...DEFAULT_DETECTOR_LIMITS, ...options.limits };
  const checks: DetectorCheck[] = [];
  if (options.baselineSnr !== undefined) {
    if (!(options.baselineSnr > 0)) throw new InvalidArgumentError(`baselineSnr is ${options.baselineSnr}; expected > 0.`, "Pass the SNR measured last time at the same settings.");
    const ratio = snr / options.baselineSnr;
    const j = judge({ id: "snr-ratio", description: "SNR / baseline", metric: "snrRatio", unit: "1", direction: "min", fail: limits.snrRatio.fail, warn: limits.snrRatio.warn, source: "limiqc default: no published limit" }, ratio);
    checks.push({ id: "snr-ratio", subject: `SNR ${snr.toPrecision(3)} vs baseline ${options.baselineSnr}`, value: ratio, unit: "1", limit: `≥ ${limits.snrRatio.fail}`, level: j.level, reason: `point detector: ${j.reason}` });
  }
  const notes: string[] = [];
  if (sbr === null) notes.push(`The dark mean is ${d.mean.toFixed(3)} ADU (≤ 0): SBR is undefined (photon counting without offset).`);
  if (satCount > 0) notes.push(`${satCount} saturated pixel(s) in the solution image (within the ${(100 * maxFrac).toFixed(2)} % allowed).`);
  const roi = options.roi ?? null;
  return {
    signalAdu: quantity(signal, Math.hypot(s.sd / Math.sqrt(n), d.sd / Math.sqrt(d.n)), "ADU"),
    noiseAdu: quantity(s.sd, s.sd / Math.sqrt(2 * (n - 1)), "ADU"),
    snr: quantity(snr, snrSe, "1"),
    sbr,
    darkMeanAdu: quantity(d.mean, d.sd / Math.sqrt(d.n), "ADU"),
    darkSdAdu: quantity(d.sd, d.sd / Math.sqrt(2 * Math.max(1, d.n - 1)), "ADU"),
    saturatedFraction: satFrac,
    pixels: n,
    checks,
    verdict: checks.length ? verdictFromChecks(checks) : { level: "pass", reason: `SNR ${snr.toPrecision(3)}${sbr ? `, SBR ${sbr.value.toPrecision(3)}` : ""}: no baseline given (NoiSee has no absolute limits; keep this value as the baseline).` },
    options: { roi, saturationAdu: sat, maxSaturatedFraction: maxFrac, baselineSnr: options.baselineSnr ?? null },
    provenance: makeProvenance("measurePointDetectorSnr", { roi, saturationAdu: sat, maxSaturatedFraction: maxFrac, baselineSnr: options.baselineSnr ?? null }, [], notes),
  };
}

/** One gain (HV) setting of a gain series. */
export interface GainSeriesLevelInput {
  /** Detector gain setting: HV in V, or gain in % / a.u. */
  readonly gain: number;
  /** Image(s) of the solution: [planes, ny, nx]; with ≥ 2 planes the noise is temporal, else spatial. */
  readonly image: ImageView;
  /** Dark image(s) at the same gain. @default none (offset from options) */
  readonly dark?: ImageView;
}

/** Options of {@link measureDetectorGainSeries}. */
export interface GainSeriesOptions {
  /** Offset used for levels without a dark image, ADU. @default 0 */
  readonly offsetAdu?: number;
  /** Saturation value, ADU. @default 2^bitDepth − 1 or the storage maximum */
  readonly saturationAdu?: number;
  /** Levels with more than this fraction of saturated pixels are excluded. @default 0.001 */
  readonly maxSaturatedFraction?: number;
}

/** One level of a gain series. */
export interface GainSeriesLevel {
  readonly gain: number;
  readonly signalAdu: number;
  readonly noiseAdu: number;
  readonly snr: number;
  /** (σ² − σ²_dark)/signal: ADU per detected photon × excess noise factor (G·F). */
  readonly apparentGainAduPerPhoton: number;
  /** signal / apparent gain = detected photons / F per pixel. */
  readonly photonsPerPixelOverF: number;
  readonly noiseKind: "temporal" | "spatial";
  readonly saturatedFraction: number;
  readonly used: boolean;
  readonly exclusion: string | null;
}

/** Result record of {@link measureDetectorGainSeries}. */
export interface GainSeriesResult {
  readonly levels: readonly GainSeriesLevel[];
  /** Power law signal ∝ gain^k (PMT: gain ∝ HV^k): exponent k ± SE and R² of the log–log fit. */
  readonly powerLaw: { readonly exponent: Quantity; readonly rSquared: number };
  /** Straight line signal = a + b·gain (detectors with a linear gain setting): R² and largest deviation, %. */
  readonly linear: { readonly rSquared: number; readonly maxDeviationPercent: number };
  /** CV of photonsPerPixelOverF across used levels, %: the light is the same, so it should be small. */
  readonly photonConsistencyCvPercent: number;
  readonly provenance: Provenance;
}

/**
 * Gain (HV) series of a point detector on a fluorescent solution: signal, noise, SNR and apparent gain per
 * setting, and how the signal follows the setting.
 *
 * @param levels - ≥ 3 settings, any order (sorted by gain).
 * @param options - Offset for levels without darks, saturation; see {@link GainSeriesOptions}.
 * @returns Per-level values, a power-law and a linear fit of signal against gain, and a photon-consistency CV.
 * @throws InsufficientDataError with fewer than 3 unsaturated levels.
 * @throws InvalidArgumentError for a non-positive gain or a signal not above the offset.
 *
 * Notes: photon transfer for scanning detectors: with shot-noise-limited light, σ² − σ²_dark = G·F·signal, so
 * the apparent gain G·F (ADU per detected photon, times the excess noise factor F) comes from mean and variance
 * alone, and signal/(G·F) = photons/F should not change with the gain setting: a trend flags non-linearity or
 * saturation. Photon counting (HyD) gives G·F ≈ 1 count per photon. Noise is temporal with ≥ 2 frames per level
 * (preferred), else spatial (includes illumination unevenness).
 * @example
 * // PMT: signal ∝ HV^k with k ≈ 7 for a 9-dynode tube
 * @see multiphoton-qc `compute_quantalsize.m` (peers.md F24); Hamamatsu, Photomultiplier Tubes (2017), §4.
 */
export function measureDetectorGainSeries(levels: readonly GainSeriesLevelInput[], options: GainSeriesOptions = {}): GainSeriesResult {
  const maxFrac = options.maxSaturatedFraction ?? 0.001;
  const out: GainSeriesLevel[] = [...levels]
    .sort((a, b) => a.gain - b.gain)
    .map((lv) => {
      if (!(lv.gain > 0)) throw new InvalidArgumentError(`Gain setting ${lv.gain}; expected > 0.`, "Give the HV in volts or the gain setting.");
      const sat = options.saturationAdu ?? saturationValue(lv.image);
      const frames = framesOf(lv.image);
      let mean: number;
      let variance: number;
      let kind: "temporal" | "spatial";
      let satFrac: number;
      if (frames.length >= 2) {
        const st = frameSetStats(frames, sat, `gain ${lv.gain}`).stats;
        mean = st.meanAdu;
        variance = st.temporalVarianceAdu2;
        satFrac = st.saturatedFraction;
        kind = "temporal";
      } else {
        const m = meanSd(lv.image.data);
        mean = m.mean;
        variance = m.sd * m.sd;
        satFrac = countAtLeast(lv.image.data, sat) / lv.image.data.length;
        kind = "spatial";
      }
      let offset = options.offsetAdu ?? 0;
      let darkVar = 0;
      if (lv.dark) {
        const df = framesOf(lv.dark);
        if (df.length >= 2 && kind === "temporal") {
          const st = frameSetStats(df, sat, `dark at gain ${lv.gain}`).stats;
          offset = st.meanAdu;
          darkVar = st.temporalVarianceAdu2;
        } else {
          const m = meanSd(lv.dark.data);
          offset = m.mean;
          darkVar = m.sd * m.sd;
        }
      }
      const signal = mean - offset;
      const exclusion = satFrac > maxFrac ? `saturated: ${(100 * satFrac).toFixed(2)} % of pixels at ≥ ${sat} ADU` : !(signal > 0) ? "signal not above the offset" : null;
      const apparent = signal > 0 ? (variance - darkVar) / signal : 0;
      return {
        gain: lv.gain,
        signalAdu: signal,
        noiseAdu: Math.sqrt(variance),
        snr: signal > 0 ? signal / Math.sqrt(variance) : 0,
        apparentGainAduPerPhoton: apparent,
        photonsPerPixelOverF: apparent > 0 ? signal / apparent : 0,
        noiseKind: kind,
        saturatedFraction: satFrac,
        used: exclusion === null,
        exclusion,
      };
    });
  const used = out.filter((l) => l.used);
  if (used.length < 3) {
    throw new InsufficientDataError(`A gain series needs ≥ 3 usable settings; ${used.length} of ${out.length} are usable (${out.filter((l) => !l.used).map((l) => `${l.gain}: ${l.exclusion}`).join("; ") || "none excluded"}).`, "Add settings below saturation.");
  }
  const lg = fitLine(
    used.map((l) => Math.log(l.gain)),
    used.map((l) => Math.log(l.signalAdu)),
  );
  const lin = fitLine(
    used.map((l) => l.gain),
    used.map((l) => l.signalAdu),
  );
  const dev = used.map((l) => {
    const fit = lin.intercept.value + lin.slope.value * l.gain;
    return fit !== 0 ? (100 * (l.signalAdu - fit)) / fit : 0;
  });
  const ph = used.map((l) => l.photonsPerPixelOverF);
  const phMean = ph.reduce((a, b) => a + b, 0) / ph.length;
  const phSd = Math.sqrt(ph.reduce((a, b) => a + (b - phMean) ** 2, 0) / Math.max(1, ph.length - 1));
  return {
    levels: out,
    powerLaw: { exponent: quantity(lg.slope.value, lg.slope.standardError, "1"), rSquared: lg.rSquared },
    linear: { rSquared: lin.rSquared, maxDeviationPercent: Math.max(...dev.map(Math.abs)) },
    photonConsistencyCvPercent: phMean > 0 ? (100 * phSd) / phMean : 0,
    provenance: makeProvenance("measureDetectorGainSeries", { offsetAdu: options.offsetAdu ?? 0, saturationAdu: options.saturationAdu ?? null, maxSaturatedFraction: maxFrac }, [], []),
  };
}
