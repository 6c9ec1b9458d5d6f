/**
 * Camera characterisation by the EMVA 1288 photon-transfer method (Release 4.0 definitions): system gain,
 * offset, read noise, dark current, saturation capacity, dynamic range, linearity error, DSNU, PRNU and the SNR curve.
 */
import { DimensionError, FitError, InsufficientDataError, InvalidArgumentError } from "../core/errors.js";
import { type Provenance, makeProvenance } from "../core/provenance.js";
import { type Quantity, type Verdict, quantity } from "../core/quantity.js";
import { fitLine } from "../fit/linear.js";
import { type ImageView, saturationValue } from "../image/types.js";
import { judge } from "../protocols/load.js";
import { verdictFromChecks } from "../protocols/verdict.js";
import { type FrameSetStats, frameSetStats } from "./frames.js";

/** Variance of uniform quantisation with a step of 1 ADU (EMVA σ²_q). */
export const QUANTISATION_VARIANCE_ADU2: number = 1 / 12;
/** EMVA 1288: dark variances below this are replaced by it (the read noise is then an upper bound), ADU². */
export const EMVA_MIN_DARK_VARIANCE_ADU2 = 0.24;
const DB_PER_DECADE = 20;

/** One illumination level of a photon-transfer series. */
export interface PhotonTransferLevelInput {
  /** Exposure time, s. */
  readonly exposureS: number;
  /** Mean photons per pixel during the exposure (calibrated irradiance), when known (enables QE). */
  readonly photonsPerPixel?: number;
  /** Relative illumination (LED current, filter transmission, ...) when photons are unknown. @default 1 */
  readonly relativeIllumination?: number;
  /** ≥ 2 uniformly illuminated frames. */
  readonly flat: readonly ImageView[];
  /** ≥ 2 dark frames at the same exposure (may be shared between levels). */
  readonly dark: readonly ImageView[];
  /** Name for messages (e.g. the file). */
  readonly label?: string;
}

/** Camera specification ("birth certificate") to compare with; anything omitted is not judged. */
export interface CameraSpec {
  readonly conversionGainEPerAdu?: number;
  readonly readNoiseE?: number;
  readonly darkCurrentEPerS?: number;
}

/** Warn/fail limits of the detector protocol (limiqc defaults: no published limits). Match protocols/detector/protocol.json. */
export interface DetectorLimits {
  /** |K − K_spec|/K_spec, %. */
  readonly gainDeviationPercent: { readonly warn: number; readonly fail: number };
  /** Read noise / spec. */
  readonly readNoiseRatio: { readonly warn: number; readonly fail: number };
  /** Dark current / spec. */
  readonly darkCurrentRatio: { readonly warn: number; readonly fail: number };
  /** max(|LE_min|, |LE_max|), %. */
  readonly linearityErrorPercent: { readonly warn: number; readonly fail: number };
  /** Warm + cold + hot pixels (dark test), % of the sensor. */
  readonly defectPixelPercent: { readonly warn: number; readonly fail: number };
  /** Point detector SNR / baseline SNR (smaller is worse). */
  readonly snrRatio: { readonly warn: number; readonly fail: number };
}

/** limiqc default limits of the detector protocol (no published limits; see protocols/detector/sop.md). */
export const DEFAULT_DETECTOR_LIMITS: DetectorLimits = {
  gainDeviationPercent: { warn: 5, fail: 10 },
  readNoiseRatio: { warn: 1.1, fail: 1.25 },
  darkCurrentRatio: { warn: 1.5, fail: 2 },
  linearityErrorPercent: { warn: 1, fail: 3 },
  defectPixelPercent: { warn: 0.1, fail: 1 },
  snrRatio: { warn: 0.9, fail: 0.8 },
};

/** Options of {@link measurePhotonTransfer}. */
export interface PhotonTransferOptions {
  /** ADC maximum counted as saturated, ADU. @default 2^bitDepth − 1 of the frames (or the storage type's maximum) */
  readonly saturationAdu?: number;
  /** A level with more than this fraction of pixels at saturation in any flat frame is excluded. @default 0.001 */
  readonly maxSaturatedFraction?: number;
  /** Gain fit range: levels up to this fraction of the saturation signal (EMVA 1288: 0.7). @default 0.7 */
  readonly gainFitMaxFraction?: number;
  /** Linearity range as fractions of the saturation signal (EMVA 1288: 5–95 %). @default [0.05, 0.95] */
  readonly linearityRange?: readonly [number, number];
  /** Camera specification to compare with. @default {} */
  readonly spec?: CameraSpec;
  /** Limits overriding {@link DEFAULT_DETECTOR_LIMITS}. */
  readonly limits?: Partial<DetectorLimits>;
}

/** Statistics of one level. */
export interface PhotonTransferLevel {
  readonly index: number;
  readonly label: string;
  readonly exposureS: number;
  readonly photonsPerPixel: number | null;
  /** Abscissa of the linearity fit: photons per pixel, else exposure × relative illumination. */
  readonly stimulus: number;
  readonly frames: number;
  readonly darkFrames: number;
  /** μ_y, ADU. */
  readonly meanAdu: number;
  /** μ_y.dark, ADU. */
  readonly darkMeanAdu: number;
  /** μ_y − μ_y.dark, ADU. */
  readonly signalAdu: number;
  /** σ²_y, ADU². */
  readonly varianceAdu2: number;
  /** σ²_y.dark, ADU². */
  readonly darkVarianceAdu2: number;
  /** SNR = (μ_y − μ_y.dark)/σ_y. */
  readonly snr: number;
  readonly saturatedFraction: number;
  readonly usedForGain: boolean;
  /** Why the level is not in the gain fit (null when it is). */
  readonly exclusion: string | null;
}

/** One judged metric of a detector result. */
export interface DetectorCheck {
  readonly id: string;
  readonly subject: string;
  readonly value: number;
  readonly unit: string;
  readonly limit: string;
  readonly level: "pass" | "warn" | "fail";
  readonly reason: string;
}

/** Result record of {@link measurePhotonTransfer}. Uncertainties are one standard error unless stated. */
export interface PhotonTransferResult {
  readonly levels: readonly PhotonTransferLevel[];
  /** EMVA overall system gain K, ADU per e⁻ (unit "1" = ADU/e⁻): slope of σ²_y − σ²_y.dark against μ_y − μ_y.dark through the origin. */
  readonly systemGainAduPerE: Quantity;
  /** Conversion gain 1/K, e⁻ per ADU. */
  readonly conversionGainEPerAdu: Quantity;
  readonly gainFit: { readonly levels: number; readonly rSquared: number };
  /** Dark level at zero exposure (intercept of μ_y.dark against exposure; the mean dark level with one exposure), ADU. */
  readonly offsetAdu: Quantity;
  /** Temporal dark noise σ_d = √(σ²_y.dark(0) − 1/12)/K, e⁻. */
  readonly readNoiseE: Quantity;
  /** √σ²_y.dark(0), ADU (including quantisation). */
  readonly readNoiseAdu: Quantity;
  /** Dark current from the mean: slope(μ_y.dark vs t)/K, e⁻/s; null with fewer than 3 dark exposures. */
  readonly darkCurrentEPerS: Quantity | null;
  /** Dark current from the variance: slope(σ²_y.dark vs t)/K², e⁻/s; null with fewer than 3 dark exposures. */
  readonly darkCurrentFromVarianceEPerS: Quantity | null;
  /** Saturation (the variance maximum); null when the series does not reach it. Uncertainty: half the level spacing. */
  readonly saturation: { readonly level: number; readonly meanAdu: Quantity; readonly capacityE: Quantity } | null;
  /** μ_e.sat/(σ_y.dark/K + ½) (EMVA μ_p.sat/μ_p.min), ratio and dB; null without saturation. */
  readonly dynamicRange: { readonly ratio: number; readonly db: number } | null;
  /** √μ_e.sat, ratio and dB; null without saturation. */
  readonly snrMax: { readonly ratio: number; readonly db: number } | null;
  /** EMVA linearity error LE_min/LE_max over 5–95 % of saturation, %; null with fewer than 3 levels in range. */
  readonly linearityError: { readonly minPercent: number; readonly maxPercent: number; readonly levels: number } | null;
  /** DSNU_1288 = s_y.dark/K, e⁻ ± s/√(2(N−1)) (spatial sampling only). */
  readonly dsnuE: Quantity;
  /** PRNU_1288 = 100·√(s²_y − s²_y.dark)/(μ_y − μ_y.dark) at the level nearest 50 % of saturation, %; null without an unsaturated level. */
  readonly prnuPercent: Quantity | null;
  /** η = R/K with R the responsivity (ADU per photon), when every fitted level has photonsPerPixel. */
  readonly quantumEfficiency: Quantity | null;
  /** Measured SNR per level and the EMVA model SNR(μ_e) = μ_e/√(σ_d² + σ_q²/K² + μ_e) at the same signals. */
  readonly snrCurve: { readonly signalE: readonly number[]; readonly measured: readonly number[]; readonly model: readonly number[] };
  readonly spec: CameraSpec;
  readonly checks: readonly DetectorCheck[];
  readonly verdict: Verdict;
  readonly options: {
    readonly saturationAdu: number;
    readonly maxSaturatedFraction: number;
    readonly gainFitMaxFraction: number;
    readonly linearityRange: readonly [number, number];
  };
  readonly provenance: Provenance;
}

interface DarkSet {
  exposureS: number;
  stats: FrameSetStats;
}

function darkKey(frames: readonly ImageView[]): readonly ImageView[] {
  return frames;
}

/**
 * EMVA 1288 photon-transfer analysis of a camera from pairs (or more) of flat frames at increasing exposure or
 * illumination, with dark frames at the same exposures.
 *
 * @param levels - The levels, any order (sorted by signal internally); ≥ 2 flat and ≥ 2 dark frames each.
 * @param options - Saturation value, fit ranges, specification and limits; see {@link PhotonTransferOptions}.
 * @returns The result record (JSON-serialisable), see {@link PhotonTransferResult}.
 * @throws InsufficientDataError for fewer than 2 usable levels in the gain fit (e.g. everything saturated), or a
 *   level with fewer than 2 flat or dark frames.
 * @throws DimensionError when frames differ in size within a level, between flats and darks, or between levels
 *   (the message names the level and frame).
 * @throws FitError when the gain is not positive (signal does not rise, or dark frames brighter than flats).
 * @throws InvalidArgumentError for invalid options or a non-positive exposure.
 *
 * Notes: per level μ_y is the mean of the flat frames and σ²_y the temporal variance from frame differences
 * with frame-to-frame level changes removed (EMVA's pair formula); dark likewise. K (ADU/e⁻) is the slope of
 * σ²_y − σ²_y.dark against μ_y − μ_y.dark **through the origin** over the levels up to 70 % of saturation.
 * Saturation is the level of maximum variance (EMVA); levels with more than 0.1 % of pixels at the ADC maximum
 * or beyond the variance peak are excluded with the reason. Offset, read noise and dark current come from the
 * dark frames: intercepts and slopes against exposure when ≥ 3 exposures exist (EMVA), else the mean of the dark
 * sets; σ²_y.dark below 0.24 ADU² is replaced by 0.24 (EMVA). DSNU and PRNU use the EMVA spatial variance of the
 * frame average corrected by σ²/L; with only 2 frames per level they are noisy (EMVA asks for ~100).
 * No published acceptance limits exist for cameras: the verdict compares with the specification you pass and
 * judges the linearity error against limiqc defaults.
 * @example
 * const s = simulateCameraSeries({ seed: 2, levels: 16 });
 * const r = measurePhotonTransfer(s.levels.map((l) => ({ exposureS: l.exposureS, flat: l.flat, dark: l.dark })));
 * // r.conversionGainEPerAdu.value ≈ s.truth.gainEPerAdu (0.45)
 * @see EMVA Standard 1288 Release 4.0 (2021); github.com/EMVA1288/emva1288 `process/results.py`; quarep-protocols.md §WG2.
 */
export function measurePhotonTransfer(levels: readonly PhotonTransferLevelInput[], options: PhotonTransferOptions = {}): PhotonTransferResult {
  if (levels.length < 2) {
    throw new InsufficientDataError(`A photon transfer curve needs at least 2 illumination levels; got ${levels.length}.`, "Acquire flat-frame pairs at many (EMVA: ~50) exposures from dark to saturation.");
  }
  const sat = options.saturationAdu ?? saturationValue(levels[0].flat[0] ?? levels[0].dark[0]);
  const maxSatFrac = options.maxSaturatedFraction ?? 0.001;
  const fitMax = options.gainFitMaxFraction ?? 0.7;
  const linRange = options.linearityRange ?? [0.05, 0.95];
  if (!(Number.isFinite(sat) && sat > 0)) throw new InvalidArgumentError(`saturationAdu is ${sat}; expected a positive number of ADU.`, "Pass the ADC maximum, e.g. 4095 for 12 bits.");
  if (!(maxSatFrac >= 0 && maxSatFrac < 1)) throw new InvalidArgumentError(`maxSaturatedFraction is ${maxSatFrac}; expected a fraction in [0, 1).`, "Use e.g. 0.001.");
  if (!(fitMax > 0 && fitMax <= 1)) throw new InvalidArgumentError(`gainFitMaxFraction is ${fitMax}; expected a fraction in (0, 1].`, "EMVA 1288 uses 0.7.");
  if (!(linRange[0] >= 0 && linRange[1] > linRange[0] && linRange[1] <= 1)) {
    throw new InvalidArgumentError(`linearityRange is [${linRange.join(", ")}]; expected 0 ≤ lo < hi ≤ 1.`, "EMVA 1288 uses [0.05, 0.95].");
  }
  const spec = options.spec ?? {};
  const limits: DetectorLimits = { ...DEFAULT_DETECTOR_LIMITS, ...options.limits };
  const notes: string[] = [];

  // --- dark sets (shared arrays are analysed once) ---
  const darkCache = new Map<readonly ImageView[], DarkSet>();
  const darkOf = (lv: PhotonTransferLevelInput, i: number): DarkSet => {
    const key = darkKey(lv.dark);
    let d = darkCache.get(key);
    if (!d) {
      d = { exposureS: lv.exposureS, stats: frameSetStats(lv.dark, sat, `dark frames of level ${i} (${lv.label ?? `${lv.exposureS} s`})`).stats };
      darkCache.set(key, d);
    }
    return d;
  };
  const raw = levels.map((lv, i) => {
    if (!(lv.exposureS >= 0 && Number.isFinite(lv.exposureS))) {
      throw new InvalidArgumentError(`Level ${i} (${lv.label ?? "unnamed"}) has exposure ${lv.exposureS} s; expected ≥ 0.`, "Give the exposure time in seconds.");
    }
    const flat = frameSetStats(lv.flat, sat, `flat frames of level ${i} (${lv.label ?? `${lv.exposureS} s`})`).stats;
    const dark = darkOf(lv, i);
    if (flat.nx !== dark.stats.nx || flat.ny !== dark.stats.ny) {
      throw new DimensionError(
        `Level ${i} (${lv.label ?? `${lv.exposureS} s`}): flat frames are ${flat.ny} × ${flat.nx} px but its dark frames are ${dark.stats.ny} × ${dark.stats.nx} px.`,
        "Acquire flat and dark frames with the same ROI and binning.",
      );
    }
    return { lv, i, flat, dark };
  });
  const [ny0, nx0] = [raw[0].flat.ny, raw[0].flat.nx];
  for (const r of raw) {
    if (r.flat.ny !== ny0 || r.flat.nx !== nx0) {
      throw new DimensionError(
        `Level ${r.i} (${r.lv.label ?? `${r.lv.exposureS} s`}) has ${r.flat.ny} × ${r.flat.nx} px frames but level 0 has ${ny0} × ${nx0}.`,
        "Every frame of the series must have the same size (same ROI and binning).",
      );
    }
  }
  raw.sort((a, b) => a.flat.meanAdu - a.dark.stats.meanAdu - (b.flat.meanAdu - b.dark.stats.meanAdu));

  // --- saturation: maximum of the variance over all levels ---
  let peak = 0;
  for (let k = 1; k < raw.length; k++) if (raw[k].flat.temporalVarianceAdu2 > raw[peak].flat.temporalVarianceAdu2) peak = k;
  const anyClipped = raw.some((r) => r.flat.saturatedFraction > maxSatFrac);
  const reached = peak < raw.length - 1 || anyClipped;
  const peakSignal = raw[peak].flat.meanAdu - raw[peak].dark.stats.meanAdu;
  const levelsOut: PhotonTransferLevel[] = raw.map((r, k) => {
    const signal = r.flat.meanAdu - r.dark.stats.meanAdu;
    let exclusion: string | null = null;
    if (r.flat.saturatedFraction > maxSatFrac) {
      exclusion = `saturated: ${(100 * r.flat.saturatedFraction).toFixed(2)} % of pixels at ≥ ${sat} ADU in a flat frame (limit ${(100 * maxSatFrac).toFixed(2)} %)`;
    } else if (reached && k > peak) exclusion = "beyond the saturation point (the variance falls after its maximum)";
    else if (reached && signal > fitMax * peakSignal) exclusion = `above ${Math.round(fitMax * 100)} % of the saturation signal (EMVA 1288 gain-fit range)`;
    const photons = r.lv.photonsPerPixel ?? null;
    return {
      index: r.i,
      label: r.lv.label ?? `level ${r.i}`,
      exposureS: r.lv.exposureS,
      photonsPerPixel: photons,
      stimulus: photons ?? r.lv.exposureS * (r.lv.relativeIllumination ?? 1),
      frames: r.flat.frames,
      darkFrames: r.dark.stats.frames,
      meanAdu: r.flat.meanAdu,
      darkMeanAdu: r.dark.stats.meanAdu,
      signalAdu: signal,
      varianceAdu2: r.flat.temporalVarianceAdu2,
      darkVarianceAdu2: r.dark.stats.temporalVarianceAdu2,
      snr: signal / Math.sqrt(r.flat.temporalVarianceAdu2),
      saturatedFraction: r.flat.saturatedFraction,
      usedForGain: exclusion === null,
      exclusion,
    };
  });
  if (!reached) notes.push("The series does not reach saturation (the variance still rises at the last level): saturation capacity, dynamic range and SNR_max are not reported, and all levels are used for the gain.");
  const used = levelsOut.filter((l) => l.usedForGain);
  if (used.length < 2) {
    const why = levelsOut.map((l) => `${l.label}: ${l.exclusion ?? "used"}`).join("; ");
    throw new InsufficientDataError(`Only ${used.length} level(s) are usable for the gain fit (${why}).`, "Add levels below saturation (shorter exposures or less light).");
  }
  const gx = used.map((l) => l.signalAdu);
  const gy = used.map((l) => l.varianceAdu2 - l.darkVarianceAdu2);
  const gfit = fitLine(gx, gy, { intercept: false });
  const K = gfit.slope.value;
  if (!(K > 0)) {
    throw new FitError(`The photon transfer slope is ${K} ADU/e⁻; expected > 0 (noise should grow with signal).`, "Check that flats are brighter than darks and that the illumination rises across levels.");
  }
  const Kse = gfit.slope.standardError;
  const c = 1 / K;
  const cSe = Kse / (K * K);

  // --- dark: offset, read noise, dark current ---
  const darkSets = [...darkCache.values()].sort((a, b) => a.exposureS - b.exposureS);
  const exposures = new Set(darkSets.map((d) => d.exposureS));
  let offset: Quantity;
  let dark0: { v: number; se: number };
  let darkCurrent: Quantity | null = null;
  let darkCurrentVar: Quantity | null = null;
  const nPix = ny0 * nx0;
  if (exposures.size >= 3) {
    const t = darkSets.map((d) => d.exposureS);
    const fm = fitLine(t, darkSets.map((d) => d.stats.meanAdu));
    const fv = fitLine(t, darkSets.map((d) => d.stats.temporalVarianceAdu2));
    offset = quantity(fm.intercept.value, fm.intercept.standardError, "ADU");
    dark0 = { v: fv.intercept.value, se: fv.intercept.standardError };
    darkCurrent = quantity(fm.slope.value * c, Math.hypot(fm.slope.standardError * c, fm.slope.value * cSe), "e-/s");
    darkCurrentVar = quantity(fv.slope.value * c * c, Math.hypot(fv.slope.standardError * c * c, 2 * fv.slope.value * c * cSe), "e-/s");
  } else {
    const first = darkSets[0];
    let m = 0;
    for (const d of darkSets) m += d.stats.meanAdu;
    m /= darkSets.length;
    offset = quantity(m, Math.sqrt(first.stats.temporalVarianceAdu2 / (nPix * first.stats.frames)), "ADU");
    dark0 = { v: first.stats.temporalVarianceAdu2, se: first.stats.temporalVarianceAdu2 * Math.sqrt(2 / (nPix * (first.stats.frames - 1))) };
    notes.push(`Dark frames at ${exposures.size} exposure(s): dark current needs ≥ 3 (EMVA 1288); offset and read noise come from the ${first.exposureS} s dark frames (dark signal included).`);
  }
  let dark0v = dark0.v;
  if (dark0v < EMVA_MIN_DARK_VARIANCE_ADU2) {
    notes.push(`Dark variance ${dark0v.toFixed(3)} ADU² is below ${EMVA_MIN_DARK_VARIANCE_ADU2} ADU²; replaced by ${EMVA_MIN_DARK_VARIANCE_ADU2} (EMVA 1288), so the read noise is an upper bound.`);
    dark0v = EMVA_MIN_DARK_VARIANCE_ADU2;
  }
  const rnAdu = Math.sqrt(dark0v - QUANTISATION_VARIANCE_ADU2);
  const readNoiseE = quantity(rnAdu * c, Math.hypot((c * dark0.se) / (2 * rnAdu), rnAdu * cSe), "e-");
  const readNoiseAdu = quantity(Math.sqrt(dark0v), dark0.se / (2 * Math.sqrt(dark0v)), "ADU");

  // --- saturation, dynamic range, SNR max ---
  let saturation: PhotonTransferResult["saturation"] = null;
  let dynamicRange: PhotonTransferResult["dynamicRange"] = null;
  let snrMax: PhotonTransferResult["snrMax"] = null;
  if (reached) {
    const pk = levelsOut[peak];
    const prev = levelsOut[Math.max(0, peak - 1)];
    const next = levelsOut[Math.min(levelsOut.length - 1, peak + 1)];
    const halfStep = Math.max(pk.signalAdu - prev.signalAdu, next.signalAdu - pk.signalAdu) / 2;
    const capE = pk.signalAdu * c;
    saturation = { level: pk.index, meanAdu: quantity(pk.meanAdu, halfStep, "ADU"), capacityE: quantity(capE, Math.hypot(halfStep * c, pk.signalAdu * cSe), "e-") };
    const dr = capE / (Math.sqrt(dark0v) * c + 0.5);
    dynamicRange = { ratio: dr, db: DB_PER_DECADE * Math.log10(dr) };
    snrMax = { ratio: Math.sqrt(capE), db: DB_PER_DECADE * Math.log10(Math.sqrt(capE)) };
  }

  // --- linearity error ---
  const satSignal = reached ? peakSignal : levelsOut[levelsOut.length - 1].signalAdu;
  const linLevels = levelsOut.filter((l) => l.saturatedFraction <= maxSatFrac && l.signalAdu >= linRange[0] * satSignal && l.signalAdu <= linRange[1] * satSignal);
  let linearityError: PhotonTransferResult["linearityError"] = null;
  if (linLevels.length >= 3 && new Set(linLevels.map((l) => l.stimulus)).size >= 2) {
    const lf = fitLine(
      linLevels.map((l) => l.stimulus),
      linLevels.map((l) => l.signalAdu),
    );
    const dev = linLevels.map((l) => {
      const fit = lf.intercept.value + lf.slope.value * l.stimulus;
      return (100 * (l.signalAdu - fit)) / fit;
    });
    linearityError = { minPercent: Math.min(...dev), maxPercent: Math.max(...dev), levels: linLevels.length };
  } else notes.push(`Linearity error not computed: ${linLevels.length} level(s) between ${linRange[0] * 100} % and ${linRange[1] * 100} % of saturation (need ≥ 3 with different stimuli).`);

  // --- DSNU, PRNU ---
  const darkForDsnu = darkSets.reduce((a, b) => (b.stats.frames > a.stats.frames ? b : a));
  const s2dark = darkForDsnu.stats.spatialVarianceAdu2;
  const sDark = Math.sqrt(Math.max(0, s2dark));
  const dsnuE = quantity(sDark * c, (sDark * c) / Math.sqrt(2 * (nPix - 1)), "e-");
  let prnuPercent: Quantity | null = null;
  const unsat = raw.filter((r) => r.flat.saturatedFraction <= maxSatFrac);
  if (unsat.length) {
    const half = 0.5 * satSignal;
    const ref = unsat.reduce((a, b) => (Math.abs(b.flat.meanAdu - b.dark.stats.meanAdu - half) < Math.abs(a.flat.meanAdu - a.dark.stats.meanAdu - half) ? b : a));
    const sig = ref.flat.meanAdu - ref.dark.stats.meanAdu;
    const s2 = ref.flat.spatialVarianceAdu2 - ref.dark.stats.spatialVarianceAdu2;
    const p = (100 * Math.sqrt(Math.max(0, s2))) / sig;
    prnuPercent = quantity(p, p / Math.sqrt(2 * (nPix - 1)), "%");
    if (ref.flat.frames < 16) notes.push(`DSNU and PRNU from ${ref.flat.frames} flat and ${darkForDsnu.stats.frames} dark frames: EMVA 1288 averages ~100 frames; expect a noisy estimate.`);
  }

  // --- QE ---
  let quantumEfficiency: Quantity | null = null;
  if (used.every((l) => l.photonsPerPixel !== null && l.photonsPerPixel > 0)) {
    const rf = fitLine(
      used.map((l) => l.photonsPerPixel as number),
      used.map((l) => l.signalAdu),
      { intercept: false },
    );
    const eta = rf.slope.value / K;
    quantumEfficiency = quantity(eta, Math.hypot(rf.slope.standardError / K, (eta * Kse) / K), "1");
  }

  // --- SNR curve ---
  const rnE = readNoiseE.value;
  const qE2 = QUANTISATION_VARIANCE_ADU2 * c * c;
  const signalE = levelsOut.map((l) => l.signalAdu * c);
  const snrCurve = {
    signalE,
    measured: levelsOut.map((l) => l.snr),
    model: signalE.map((e) => (e > 0 ? e / Math.sqrt(rnE * rnE + qE2 + e) : 0)),
  };

  // --- checks ---
  const checks: DetectorCheck[] = [];
  const src = "limiqc default: no published limit";
  const add = (id: string, description: string, subject: string, unit: string, l: { warn: number; fail: number }, value: number, direction: "max" | "min" = "max"): void => {
    const j = judge({ id, description, metric: id, unit, direction, fail: l.fail, warn: l.warn, source: src }, value);
    checks.push({ id, subject, value, unit, limit: `${direction === "max" ? "≤" : "≥"} ${l.fail}`, level: j.level, reason: `${subject}: ${j.reason}` });
  };
  if (spec.conversionGainEPerAdu !== undefined) {
    add("gain-deviation", "|conversion gain − specification|", `conversion gain ${c.toPrecision(4)} e⁻/ADU vs ${spec.conversionGainEPerAdu}`, "%", limits.gainDeviationPercent, (100 * Math.abs(c - spec.conversionGainEPerAdu)) / spec.conversionGainEPerAdu);
  }
  if (spec.readNoiseE !== undefined) {
    add("read-noise-ratio", "read noise / specification", `read noise ${readNoiseE.value.toPrecision(3)} e⁻ vs ${spec.readNoiseE}`, "1", limits.readNoiseRatio, readNoiseE.value / spec.readNoiseE);
  }
  if (spec.darkCurrentEPerS !== undefined) {
    if (darkCurrent) add("dark-current-ratio", "dark current / specification", `dark current ${darkCurrent.value.toPrecision(3)} e⁻/s vs ${spec.darkCurrentEPerS}`, "1", limits.darkCurrentRatio, darkCurrent.value / spec.darkCurrentEPerS);
    else checks.push({ id: "dark-current-ratio", subject: "dark current", value: 0, unit: "1", limit: `≤ ${limits.darkCurrentRatio.fail}`, level: "warn", reason: "dark current: not measured (dark frames at fewer than 3 exposures), so it could not be compared with the specification." });
  }
  if (linearityError) {
    add("linearity-error", "EMVA linearity error max(|LE_min|, |LE_max|)", "linearity error", "%", limits.linearityErrorPercent, Math.max(Math.abs(linearityError.minPercent), Math.abs(linearityError.maxPercent)));
  }
  const excluded = levelsOut.filter((l) => l.exclusion?.startsWith("saturated"));
  if (excluded.length) notes.push(`${excluded.length} saturated level(s) excluded: ${excluded.map((l) => l.label).join(", ")}.`);
  const resolved = { saturationAdu: sat, maxSaturatedFraction: maxSatFrac, gainFitMaxFraction: fitMax, linearityRange: linRange };
  return {
    levels: levelsOut,
    systemGainAduPerE: quantity(K, Kse, "1"),
    conversionGainEPerAdu: quantity(c, cSe, "e-/ADU"),
    gainFit: { levels: used.length, rSquared: gfit.rSquared },
    offsetAdu: offset,
    readNoiseE,
    readNoiseAdu,
    darkCurrentEPerS: darkCurrent,
    darkCurrentFromVarianceEPerS: darkCurrentVar,
    saturation,
    dynamicRange,
    snrMax,
    linearityError,
    dsnuE,
    prnuPercent,
    quantumEfficiency,
    snrCurve,
    spec,
    checks,
    verdict: checks.length ? verdictFromChecks(checks) : { level: "pass", reason: "No specification given and nothing out of limits: compare the values with the camera's data sheet (no published limits)." },
    options: resolved,
    provenance: makeProvenance("measurePhotonTransfer", { ...resolved, spec, limits }, [], notes),
  };
}
