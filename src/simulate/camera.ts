/**
 * Camera model: turns an expected-photon image into detector counts (ADU), and EMVA 1288-style calibration series.
 *
 * Per pixel p: e⁻ = min(Poisson(η·g_p·photons + (I_dark + I_hot,p)·t_exp), full well);
 * ADU = round(e⁻/K + offset_p + N(0, σ_read,p)/K), clipped to [0, 2^bits − 1].
 * K is the conversion gain in e⁻ per ADU (so ADU = e⁻/K + offset), η the quantum efficiency, g_p the PRNU gain.
 * The temporal variance of a pixel is therefore σ²_ADU = (μ_ADU − offset)/K + σ²_read/K² + 1/12 (quantisation).
 */
import { InvalidArgumentError } from "../core/errors.js";
import { Random, logFactorial } from "../core/random.js";
import { makeImage, type ImageView } from "../image/types.js";
import { normalInterval } from "./special.js";
import { requireInRange, requireInteger, requireNonNegative, requirePositive, requireShape } from "./validate.js";

/** Variance of uniform quantisation with a step of 1 ADU. */
const QUANTISATION_VARIANCE_ADU2 = 1 / 12;
/** Poisson and Gaussian tails beyond this many SDs (plus a margin) are dropped from the cached ADU distribution (< 10⁻²⁰). */
const TAIL_SDS = 12;
/** The cached ADU distribution is only built for expected signals up to this many electrons. */
const MAX_CACHED_MEAN_E = 5000;
/** The cached distribution is built after this many consecutive pixels with the same expected signal. */
const CACHE_MIN_RUN = 16;
/** Pixels within this many e⁻ above the cached background use the Poisson-superposition shortcut. */
const SPLIT_MAX_EXTRA_E = 1;
/** Below this expected signal (e⁻) Poisson deviates are drawn by sequential inversion. */
const SMALL_MEAN_E = 30;

/** Camera parameters. Defaults describe a typical scientific sCMOS in 16-bit mode. */
export interface CameraModelOptions {
  /** Quantum efficiency η in [0, 1]. @default 0.8 */
  readonly quantumEfficiency?: number;
  /**
   * Conversion gain K, e⁻ per ADU (ADU = e⁻/K + offset). The default makes the 16-bit ADC clip (65 535 ADU at
   * 29 446 e⁻) just before the full well, so saturated pixels read exactly 2^bits − 1. @default 0.45
   */
  readonly gainEPerAdu?: number;
  /** Offset (bias) added to every pixel, ADU. @default 100 */
  readonly offsetAdu?: number;
  /** Read noise, e⁻ RMS (median of the per-pixel map when `readNoiseSpread` > 0). @default 1.5 */
  readonly readNoiseE?: number;
  /** Dark current, e⁻/s per pixel. @default 0.5 */
  readonly darkCurrentEPerS?: number;
  /** Exposure time, s. @default 0.1 */
  readonly exposureS?: number;
  /** Full-well capacity, e⁻. @default 30000 */
  readonly fullWellE?: number;
  /** ADC bit depth, 1–16: counts are clipped to 2^bits − 1; ≤ 8 bits gives a Uint8Array. @default 16 */
  readonly bitDepth?: number;
  /** Fraction of hot pixels in [0, 1]. @default 0 */
  readonly hotPixelFraction?: number;
  /** Extra dark current of a hot pixel, e⁻/s. @default 1000 */
  readonly hotPixelDarkCurrentEPerS?: number;
  /** sCMOS: SD of the per-pixel offset around `offsetAdu`, ADU (fixed pattern). @default 0 */
  readonly pixelOffsetSdAdu?: number;
  /** sCMOS: log-normal spread σ of the per-pixel read noise (σ_p = readNoiseE·e^{N(0, spread)}). @default 0 */
  readonly readNoiseSpread?: number;
  /** Photo-response non-uniformity, % (SD of the per-pixel gain around 1). @default 0 */
  readonly prnuPercent?: number;
  /** Explicit per-pixel offset map (ny·nx, ADU); overrides `pixelOffsetSdAdu`. */
  readonly offsetMapAdu?: Float32Array;
  /** Explicit per-pixel read-noise map (ny·nx, e⁻ RMS); overrides `readNoiseSpread`. */
  readonly readNoiseMapE?: Float32Array;
}

/** Camera parameters with every default filled in. */
export interface ResolvedCameraModel {
  readonly quantumEfficiency: number;
  readonly gainEPerAdu: number;
  readonly offsetAdu: number;
  readonly readNoiseE: number;
  readonly darkCurrentEPerS: number;
  readonly exposureS: number;
  readonly fullWellE: number;
  readonly bitDepth: number;
  readonly hotPixelFraction: number;
  readonly hotPixelDarkCurrentEPerS: number;
  readonly pixelOffsetSdAdu: number;
  readonly readNoiseSpread: number;
  readonly prnuPercent: number;
}

/**
 * Fills the camera defaults and checks the values.
 *
 * @param options - Camera parameters.
 * @returns The resolved parameters (maps are handled by {@link createCameraSensor}).
 * @throws InvalidArgumentError for a QE outside [0, 1], non-positive gain/full well, negative noise, a bit depth
 *   outside 1–16, or an offset above the ADC range.
 *
 * Notes: maps (offset, read noise) are checked by {@link createCameraSensor}, which knows the sensor size.
 * @example
 * resolveCameraModel({ bitDepth: 12 }).gainEPerAdu; // → 0.45
 * @see EMVA Standard 1288 Release 4.0 (2021), §2 (linear camera model).
 */
export function resolveCameraModel(options: CameraModelOptions = {}): ResolvedCameraModel {
  const m: ResolvedCameraModel = {
    quantumEfficiency: options.quantumEfficiency ?? 0.8,
    gainEPerAdu: options.gainEPerAdu ?? 0.45,
    offsetAdu: options.offsetAdu ?? 100,
    readNoiseE: options.readNoiseE ?? 1.5,
    darkCurrentEPerS: options.darkCurrentEPerS ?? 0.5,
    exposureS: options.exposureS ?? 0.1,
    fullWellE: options.fullWellE ?? 30000,
    bitDepth: options.bitDepth ?? 16,
    hotPixelFraction: options.hotPixelFraction ?? 0,
    hotPixelDarkCurrentEPerS: options.hotPixelDarkCurrentEPerS ?? 1000,
    pixelOffsetSdAdu: options.pixelOffsetSdAdu ?? 0,
    readNoiseSpread: options.readNoiseSpread ?? 0,
    prnuPercent: options.prnuPercent ?? 0,
  };
  requireInRange("camera.quantumEfficiency", m.quantumEfficiency, 0, 1, "QE is a fraction, e.g. 0.8 for 80 %.");
  requirePositive("camera.gainEPerAdu", m.gainEPerAdu, "K is in e⁻ per ADU, e.g. 0.45 for a 16-bit sCMOS, ~2 for a 12-bit CCD.");
  requireNonNegative("camera.offsetAdu", m.offsetAdu);
  requireNonNegative("camera.readNoiseE", m.readNoiseE);
  requireNonNegative("camera.darkCurrentEPerS", m.darkCurrentEPerS);
  requireNonNegative("camera.exposureS", m.exposureS);
  requirePositive("camera.fullWellE", m.fullWellE);
  requireInteger("camera.bitDepth", m.bitDepth, 1, 16, "Cameras limiqc simulates store at most 16 bits per pixel.");
  requireInRange("camera.hotPixelFraction", m.hotPixelFraction, 0, 1);
  requireNonNegative("camera.hotPixelDarkCurrentEPerS", m.hotPixelDarkCurrentEPerS);
  requireNonNegative("camera.pixelOffsetSdAdu", m.pixelOffsetSdAdu);
  requireNonNegative("camera.readNoiseSpread", m.readNoiseSpread);
  requireNonNegative("camera.prnuPercent", m.prnuPercent);
  const maxAdu = 2 ** m.bitDepth - 1;
  if (m.offsetAdu >= maxAdu) {
    throw new InvalidArgumentError(
      `camera.offsetAdu ${m.offsetAdu} is not below the ADC maximum ${maxAdu} (${m.bitDepth} bits).`,
      "Lower the offset or raise bitDepth.",
    );
  }
  return m;
}

/** A camera with its fixed-pattern maps drawn once, so every frame shares the same hot pixels and offsets. */
export interface CameraSensor {
  readonly model: ResolvedCameraModel;
  /** Sensor rows. */
  readonly ny: number;
  /** Sensor columns. */
  readonly nx: number;
  /** Per-pixel offset, ADU (null = uniform `offsetAdu`). */
  readonly offsetMapAdu: Float32Array | null;
  /** Per-pixel read noise, e⁻ RMS (null = uniform `readNoiseE`). */
  readonly readNoiseMapE: Float32Array | null;
  /** Per-pixel relative gain (PRNU), mean ≈ 1 (null = 1 everywhere). */
  readonly gainMap: Float32Array | null;
  /** Hot pixel indices y·nx + x, ascending. */
  readonly hotPixels: Int32Array;
  /** What a measurement should find, in explicit units. */
  readonly truth: CameraTruth;
}

/** The planted camera parameters. */
export interface CameraTruth {
  readonly quantumEfficiency: number;
  readonly gainEPerAdu: number;
  /** 1/K, ADU per e⁻ (EMVA "overall system gain"). */
  readonly systemGainAduPerE: number;
  readonly offsetAdu: number;
  /** Nominal read noise (median of the map for sCMOS), e⁻. */
  readonly readNoiseE: number;
  /** √(mean σ_p²) over the sensor, e⁻ (MetroloJ_QC "RMS read noise"). */
  readonly readNoiseRmsE: number;
  /** Median of σ_p over the sensor, e⁻ (MetroloJ_QC "median read noise"). */
  readonly readNoiseMedianE: number;
  readonly darkCurrentEPerS: number;
  readonly exposureS: number;
  readonly fullWellE: number;
  readonly bitDepth: number;
  /** 2^bits − 1. */
  readonly maxAdu: number;
  /** Electrons at which the output saturates: min(full well, (maxAdu − offset)·K), e⁻. */
  readonly saturationE: number;
  readonly prnuPercent: number;
  /** Spatial SD of the offset map, ADU (0 when uniform). */
  readonly offsetSdAdu: number;
  /** Hot pixels as y·nx + x. */
  readonly hotPixelIndices: readonly number[];
  readonly hotPixelDarkCurrentEPerS: number;
}

/**
 * Draws a camera's fixed pattern (hot pixels, sCMOS offset and read-noise maps, PRNU).
 *
 * @param ny - Sensor rows (≥ 1).
 * @param nx - Sensor columns (≥ 1).
 * @param options - Camera parameters.
 * @param rng - Random source (consumed).
 * @returns The sensor, with its truth.
 * @throws InvalidArgumentError for invalid parameters or maps of the wrong length.
 *
 * Notes: the number of hot pixels is round(fraction·ny·nx), at distinct uniformly random positions.
 * @example
 * createCameraSensor(100, 100, { hotPixelFraction: 0.002 }, new Random(1)).hotPixels.length; // → 20
 * @see EMVA 1288 Release 4.0 §8 (spatial non-uniformity, defect pixels).
 */
export function createCameraSensor(ny: number, nx: number, options: CameraModelOptions, rng: Random): CameraSensor {
  requireShape("sensor shape", [ny, nx], 2);
  const model = resolveCameraModel(options);
  const n = ny * nx;
  for (const [name, map] of [
    ["camera.offsetMapAdu", options.offsetMapAdu],
    ["camera.readNoiseMapE", options.readNoiseMapE],
  ] as const) {
    if (map && map.length !== n) {
      throw new InvalidArgumentError(`${name} has ${map.length} values; the sensor has ${ny} × ${nx} = ${n} pixels.`, "Give one value per pixel, row-major (x fastest).");
    }
  }
  let offsetMapAdu: Float32Array | null = options.offsetMapAdu ? Float32Array.from(options.offsetMapAdu) : null;
  if (!offsetMapAdu && model.pixelOffsetSdAdu > 0) {
    offsetMapAdu = new Float32Array(n);
    for (let p = 0; p < n; p++) offsetMapAdu[p] = model.offsetAdu + rng.normal(0, model.pixelOffsetSdAdu);
  }
  let readNoiseMapE: Float32Array | null = options.readNoiseMapE ? Float32Array.from(options.readNoiseMapE) : null;
  if (!readNoiseMapE && model.readNoiseSpread > 0) {
    readNoiseMapE = new Float32Array(n);
    for (let p = 0; p < n; p++) readNoiseMapE[p] = model.readNoiseE * Math.exp(rng.normal(0, model.readNoiseSpread));
  }
  let gainMap: Float32Array | null = null;
  if (model.prnuPercent > 0) {
    gainMap = new Float32Array(n);
    for (let p = 0; p < n; p++) gainMap[p] = Math.max(0, 1 + rng.normal(0, model.prnuPercent / 100));
  }
  const nHot = Math.round(model.hotPixelFraction * n);
  const hot = new Set<number>();
  while (hot.size < nHot) hot.add(Math.min(n - 1, Math.floor(rng.uniform() * n)));
  const hotPixels = Int32Array.from([...hot].sort((a, b) => a - b));
  let rms = model.readNoiseE;
  let median = model.readNoiseE;
  if (readNoiseMapE) {
    let s2 = 0;
    for (let p = 0; p < n; p++) s2 += readNoiseMapE[p] * readNoiseMapE[p];
    rms = Math.sqrt(s2 / n);
    const sorted = Float64Array.from(readNoiseMapE).sort();
    median = n % 2 === 1 ? sorted[(n - 1) / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
  }
  let offsetSd = 0;
  if (offsetMapAdu) {
    let s = 0;
    let s2 = 0;
    for (let p = 0; p < n; p++) {
      s += offsetMapAdu[p];
      s2 += offsetMapAdu[p] * offsetMapAdu[p];
    }
    offsetSd = Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2));
  }
  const maxAdu = 2 ** model.bitDepth - 1;
  const truth: CameraTruth = {
    quantumEfficiency: model.quantumEfficiency,
    gainEPerAdu: model.gainEPerAdu,
    systemGainAduPerE: 1 / model.gainEPerAdu,
    offsetAdu: model.offsetAdu,
    readNoiseE: model.readNoiseE,
    readNoiseRmsE: rms,
    readNoiseMedianE: median,
    darkCurrentEPerS: model.darkCurrentEPerS,
    exposureS: model.exposureS,
    fullWellE: model.fullWellE,
    bitDepth: model.bitDepth,
    maxAdu,
    saturationE: Math.min(model.fullWellE, (maxAdu - model.offsetAdu) * model.gainEPerAdu),
    prnuPercent: model.prnuPercent,
    offsetSdAdu: offsetSd,
    hotPixelIndices: Array.from(hotPixels),
    hotPixelDarkCurrentEPerS: model.hotPixelDarkCurrentEPerS,
  };
  return { model, ny, nx, offsetMapAdu, readNoiseMapE, gainMap, hotPixels, truth };
}

/**
 * Applies the camera model to expected photons, plane by plane, writing counts into `out`.
 *
 * @param expectedPhotons - Expected photons per pixel, planes of ny·nx (x fastest); length a multiple of ny·nx.
 * @param sensor - The camera (fixed pattern shared by all planes).
 * @param rng - Random source (consumed: one Poisson and, with read noise, one normal draw per pixel).
 * @param out - Receives ADU; same length as `expectedPhotons`.
 * @param exposureS - Exposure time for the dark signal, s. @default sensor.model.exposureS
 * @returns Nothing (fills `out`).
 * @throws InvalidArgumentError when the lengths do not match the sensor.
 *
 * Notes: negative expected photons are treated as 0. Saturation: electrons clip at the full well before read
 * noise, then the ADC clips to [0, 2^bits − 1]. Speed without approximation: when 16 consecutive pixels share an
 * expected signal (the background), its exact electron distribution (and, without offset/read-noise maps, its exact
 * ADU distribution including read noise, rounding and clipping) is tabulated and sampled with one uniform per pixel;
 * pixels up to 1 e⁻ above that background use Poisson superposition (background + Poisson(extra)). Tails beyond
 * 12 SD (probability < 10⁻²⁰) are dropped from the tables.
 * @example
 * const sensor = createCameraSensor(64, 64, {}, new Random(1));
 * const out = new Uint16Array(64 * 64);
 * applyCameraInto(new Float32Array(64 * 64).fill(100), sensor, new Random(2), out); // mean(out) ≈ 100 + (80 + 0.05)/0.45
 * @see EMVA 1288 Release 4.0 §2.
 */
export function applyCameraInto(expectedPhotons: Float32Array, sensor: CameraSensor, rng: Random, out: Uint8Array | Uint16Array, exposureS?: number): void {
  const planeSize = sensor.ny * sensor.nx;
  if (expectedPhotons.length % planeSize !== 0 || out.length !== expectedPhotons.length) {
    throw new InvalidArgumentError(
      `The expected-photon image has ${expectedPhotons.length} values and the output ${out.length}; both must be the same multiple of the sensor size ${sensor.ny} × ${sensor.nx}.`,
      "Create the sensor with the image's [ny, nx].",
    );
  }
  const m = sensor.model;
  const t = exposureS ?? m.exposureS;
  requireNonNegative("exposureS", t);
  const qe = m.quantumEfficiency;
  const invK = 1 / m.gainEPerAdu;
  const dark = m.darkCurrentEPerS * t;
  const hotExtra = m.hotPixelDarkCurrentEPerS * t;
  const fullWell = Math.floor(m.fullWellE); // whole electrons
  const maxAdu = 2 ** m.bitDepth - 1;
  const offMap = sensor.offsetMapAdu;
  const rnMap = sensor.readNoiseMapE;
  const gMap = sensor.gainMap;
  const hot = sensor.hotPixels;
  const off = m.offsetAdu;
  const rn = m.readNoiseE;
  const nPlanes = expectedPhotons.length / planeSize;
  // Exact shortcuts (see Notes): once CACHE_MIN_RUN consecutive pixels share an expected signal (the background),
  // its electron distribution, and on a uniform sensor its ADU distribution, are tabulated and sampled by inversion.
  const uniformSensor = !offMap && !rnMap;
  const eDist = new DiscreteDistribution();
  const aDist = new DiscreteDistribution();
  const gauss = new NormalDeviates(rng);
  let cMean = Number.NaN;
  let lastMean = Number.NaN;
  let run = 0;
  for (let k = 0; k < nPlanes; k++) {
    const base = k * planeSize;
    let h = 0;
    for (let p = 0; p < planeSize; p++) {
      const ph = expectedPhotons[base + p];
      let mean = (ph > 0 ? qe * ph * (gMap ? gMap[p] : 1) : 0) + dark;
      if (h < hot.length && hot[h] === p) {
        mean += hotExtra;
        h++;
      }
      if (mean === lastMean) run++;
      else {
        run = 1;
        lastMean = mean;
      }
      if (mean !== cMean && run >= CACHE_MIN_RUN && mean <= MAX_CACHED_MEAN_E) {
        eDist.setPoisson(mean);
        if (uniformSensor) aDist.setAdu(mean, fullWell, invK, off, rn * invK, maxAdu);
        cMean = mean;
      }
      let e: number;
      if (mean === cMean) {
        const u = rng.uniform();
        if (uniformSensor) {
          out[base + p] = aDist.sample(u);
          continue;
        }
        e = eDist.sample(u);
      } else {
        const extra = mean - cMean;
        if (extra > 0 && extra < SPLIT_MAX_EXTRA_E) {
          // Poisson superposition: e = Poisson(cMean) + Poisson(extra). The extra part is 0 with probability
          // p₀ = e^{−extra}; then the pixel is distributed exactly like the cached background, and u₀/p₀ is a fresh
          // uniform for it.
          const u0 = rng.uniform();
          let pk = Math.exp(-extra);
          if (u0 < pk) {
            const uc = u0 / pk;
            if (uniformSensor) {
              out[base + p] = aDist.sample(uc);
              continue;
            }
            e = eDist.sample(uc);
          } else {
            let cdf = pk;
            let kx = 0;
            while (u0 > cdf && pk > 0) {
              kx++;
              pk *= extra / kx;
              cdf += pk;
            }
            e = kx + eDist.sample(rng.uniform());
          }
        } else e = poissonDeviate(rng, mean);
      }
      if (e > fullWell) e = fullWell;
      const sr = rnMap ? rnMap[p] : rn;
      let v = e * invK + (offMap ? offMap[p] : off);
      if (sr > 0) v += gauss.next() * sr * invK;
      let adu = Math.round(v);
      if (adu < 0) adu = 0;
      else if (adu > maxAdu) adu = maxAdu;
      out[base + p] = adu;
    }
  }
}

/**
 * Exact Poisson deviate: sequential inversion with one uniform below {@link SMALL_MEAN_E}, PTRS (Random.poisson) above.
 * @see L. Devroye, Non-Uniform Random Variate Generation (1986), §X.3; W. Hörmann, Insur. Math. Econ. 12:39 (1993).
 */
function poissonDeviate(rng: Random, mean: number): number {
  if (mean <= 0) return 0;
  if (mean >= SMALL_MEAN_E) return rng.poisson(mean);
  const u = rng.uniform();
  let pk = Math.exp(-mean);
  let cdf = pk;
  let e = 0;
  while (u > cdf && pk > 0) {
    e++;
    pk *= mean / e;
    cdf += pk;
  }
  return e;
}

/**
 * Standard normal deviates by the Marsaglia polar method from Random.uniform, keeping the spare in a numeric field
 * (the same algorithm as Random.normal, without boxing the spare value in the hot loop).
 * @see G. Marsaglia & T. A. Bray, SIAM Rev. 6:260 (1964).
 */
class NormalDeviates {
  private spare = 0;
  private hasSpare = false;
  constructor(private readonly rng: Random) {}
  next(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.rng.uniform() - 1;
      v = 2 * this.rng.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * f;
    this.hasSpare = true;
    return u * f;
  }
}

/**
 * A tabulated discrete distribution on consecutive integers, sampled by inversion with a guide table: one uniform,
 * one table look-up and about one comparison per draw.
 * @see H.-C. Chen & Y. Asau, J. Chinese Inst. Eng. 5 (1974); L. Devroye (1986), §III.2.4.
 */
class DiscreteDistribution {
  private cdf: Float64Array = new Float64Array(1);
  private guide: Int32Array = new Int32Array(1);
  private first = 0;
  private last = 0;

  /** Smallest value whose CDF reaches u ∈ [0, 1). */
  sample(u: number): number {
    const cdf = this.cdf;
    let j = this.guide[(u * this.guide.length) | 0];
    while (j < this.last && cdf[j] < u) j++;
    return this.first + j;
  }

  /** Tabulates a (possibly unnormalised) pmf of the values first, first + 1, … */
  private setPmf(pmf: Float64Array, first: number): void {
    const n = pmf.length;
    const cdf = new Float64Array(n);
    let acc = 0;
    for (let i = 0; i < n; i++) {
      acc += pmf[i];
      cdf[i] = acc;
    }
    for (let i = 0; i < n; i++) cdf[i] /= acc;
    const m = 4 * n;
    const guide = new Int32Array(m);
    let k = 0;
    for (let j = 0; j < m; j++) {
      while (k < n - 1 && cdf[k] < j / m) k++;
      guide[j] = k;
    }
    this.cdf = cdf;
    this.guide = guide;
    this.first = first;
    this.last = n - 1;
  }

  /** Poisson(meanE) electrons (tails beyond 12 SD + 10 dropped, < 10⁻²⁰). */
  setPoisson(meanE: number): void {
    const sd = Math.sqrt(meanE);
    const lo = Math.max(0, Math.floor(meanE - TAIL_SDS * sd - 10));
    const hi = Math.ceil(meanE + TAIL_SDS * sd + 10);
    const pmf = new Float64Array(hi - lo + 1);
    const logMean = meanE > 0 ? Math.log(meanE) : 0;
    for (let e = lo; e <= hi; e++) pmf[e - lo] = meanE > 0 ? Math.exp(e * logMean - meanE - logFactorial(e)) : e === 0 ? 1 : 0;
    this.setPmf(pmf, lo);
  }

  /** ADU of a uniform-sensor pixel: round(min(Poisson(meanE), full well)/K + offset + N(0, readSdAdu)), ADC-clipped. */
  setAdu(meanE: number, fullWellE: number, invK: number, offsetAdu: number, readSdAdu: number, maxAdu: number): void {
    const sdE = Math.sqrt(meanE);
    const eHi = Math.min(fullWellE, Math.ceil(meanE + TAIL_SDS * sdE + 10));
    const eLo = Math.min(eHi, Math.max(0, Math.floor(meanE - TAIL_SDS * sdE - 10)));
    const aLo = Math.max(0, Math.floor(eLo * invK + offsetAdu - TAIL_SDS * readSdAdu - 1));
    const aHi = Math.min(maxAdu, Math.ceil(eHi * invK + offsetAdu + TAIL_SDS * readSdAdu + 1));
    const pmf = new Float64Array(aHi - aLo + 1);
    const logMean = meanE > 0 ? Math.log(meanE) : 0;
    let below = 0;
    for (let e = eLo; e <= eHi; e++) {
      // Poisson clipped at the full well: the mass at and above the full well piles up there
      let pe: number;
      if (e === fullWellE) pe = Math.max(0, 1 - below);
      else if (meanE <= 0) pe = e === 0 ? 1 : 0;
      else pe = Math.exp(e * logMean - meanE - logFactorial(e));
      below += pe;
      if (pe === 0) continue;
      const mu = e * invK + offsetAdu;
      if (readSdAdu <= 0) {
        const a = Math.min(aHi, Math.max(aLo, Math.round(mu)));
        pmf[a - aLo] += pe;
        continue;
      }
      const from = Math.max(aLo, Math.floor(mu - TAIL_SDS * readSdAdu - 1));
      const to = Math.min(aHi, Math.ceil(mu + TAIL_SDS * readSdAdu + 1));
      const inv = 1 / readSdAdu;
      for (let a = from; a <= to; a++) {
        // ADC clipping: everything below 0 reads 0, everything above the maximum reads the maximum
        const lo = a === 0 ? Number.NEGATIVE_INFINITY : (a - 0.5 - mu) * inv;
        const hi = a === maxAdu ? Number.POSITIVE_INFINITY : (a + 0.5 - mu) * inv;
        pmf[a - aLo] += pe * (lo === Number.NEGATIVE_INFINITY ? 1 - normalInterval(hi, 40) : hi === Number.POSITIVE_INFINITY ? normalInterval(lo, 40) : normalInterval(lo, hi));
      }
    }
    this.setPmf(pmf, aLo);
  }
}

/**
 * Applies the camera model to an expected-photon image and returns new counts.
 *
 * @param expectedPhotons - Expected photons per pixel, planes of ny·nx.
 * @param sensor - The camera.
 * @param rng - Random source.
 * @param exposureS - Exposure for the dark signal, s. @default sensor.model.exposureS
 * @returns ADU as a Uint8Array (bit depth ≤ 8) or Uint16Array.
 * @throws InvalidArgumentError when the lengths do not match the sensor.
 *
 * Notes: see {@link applyCameraInto} for the model and the exact sampling shortcuts.
 * @example
 * applyCameraModel(new Float32Array(4), createCameraSensor(2, 2, { bitDepth: 8, offsetAdu: 10 }, new Random(1)), new Random(2)); // a Uint8Array
 * @see {@link applyCameraInto}.
 */
export function applyCameraModel(expectedPhotons: Float32Array, sensor: CameraSensor, rng: Random, exposureS?: number): Uint8Array | Uint16Array {
  const out = sensor.model.bitDepth <= 8 ? new Uint8Array(expectedPhotons.length) : new Uint16Array(expectedPhotons.length);
  applyCameraInto(expectedPhotons, sensor, rng, out, exposureS);
  return out;
}

/** Result of {@link simulateCameraImage}. */
export interface CameraImage {
  readonly image: ImageView<Uint8Array | Uint16Array>;
  readonly truth: { readonly camera: CameraTruth; readonly seed: number };
}

/**
 * Runs an expected-photon image through a freshly drawn camera.
 *
 * @param expected - Expected photons per voxel (any shape; the sensor is ny × nx and applied to every plane).
 * @param options - Camera parameters and `seed` (@default 1).
 * @returns `{ image, truth }` with the counts (bitDepth and voxel size carried over) and the camera truth.
 * @throws InvalidArgumentError for invalid camera parameters.
 *
 * Notes: one Random(seed) draws the fixed pattern first, then the frames.
 * @example
 * const flat = makeImage(new Float32Array(64 * 64).fill(1000), [1, 64, 64]);
 * const { image, truth } = simulateCameraImage(flat, { seed: 3, gainEPerAdu: 2 });
 * // mean(image) ≈ truth.camera.offsetAdu + (0.8·1000 + 0.05)/2
 * @see EMVA 1288 Release 4.0.
 */
export function simulateCameraImage(expected: ImageView<Float32Array>, options: CameraModelOptions & { readonly seed?: number } = {}): CameraImage {
  const seed = options.seed ?? 1;
  const rng = new Random(seed);
  const [, ny, nx] = expected.shape;
  const sensor = createCameraSensor(ny, nx, options, rng);
  const data = applyCameraModel(expected.data, sensor, rng);
  return {
    image: makeImage(data, expected.shape, { voxelSizeUm: expected.voxelSizeUm, bitDepth: sensor.model.bitDepth, channel: expected.channel }),
    truth: { camera: sensor.truth, seed },
  };
}

// ---------------------------------------------------------------------------------------------
// EMVA 1288 photon-transfer series
// ---------------------------------------------------------------------------------------------

/** Options for {@link simulateCameraSeries}. */
export interface CameraSeriesOptions {
  /** Frame size [ny, nx], px. @default [64, 64] */
  readonly shape?: readonly [ny: number, nx: number];
  /** Camera parameters; `exposureS` is the longest exposure in "exposure" mode. */
  readonly camera?: CameraModelOptions;
  /** Number of illumination levels (each: two flat frames and two dark frames). @default 24 */
  readonly levels?: number;
  /**
   * "irradiance": fixed exposure, photons rise linearly with the level. "exposure": fixed irradiance, exposure
   * rises linearly (dark signal grows with it, so dark current can be measured). @default "exposure"
   */
  readonly vary?: "irradiance" | "exposure";
  /** Photons per pixel at the top level. @default 1.15 × the photons that saturate the pixel */
  readonly maxPhotonsPerPixel?: number;
  /** Dark time series frames at the base exposure (MetroloJ_QC dark-noise protocol); 0 for none. @default 0 */
  readonly darkSeriesFrames?: number;
  /** Random seed. @default 1 */
  readonly seed?: number;
}

/** One illumination level: a pair of flat frames and a pair of dark frames at the same exposure. */
export interface CameraSeriesLevel {
  readonly exposureS: number;
  /** Mean photons per pixel during the exposure (μ_p). */
  readonly photonsPerPixel: number;
  readonly flat: readonly [ImageView<Uint8Array | Uint16Array>, ImageView<Uint8Array | Uint16Array>];
  readonly dark: readonly [ImageView<Uint8Array | Uint16Array>, ImageView<Uint8Array | Uint16Array>];
}

/** Expected statistics of one level for a nominal pixel (no hot pixel, uniform offset), before ADC clipping. */
export interface CameraSeriesLevelTruth {
  readonly exposureS: number;
  readonly photonsPerPixel: number;
  /** offset + (η·μ_p + I_dark·t)/K, ADU. */
  readonly expectedMeanAdu: number;
  /** (η·μ_p + I_dark·t)/K² + σ²_read/K² + 1/12, ADU². */
  readonly expectedVarianceAdu2: number;
  /** offset + I_dark·t/K, ADU. */
  readonly expectedDarkMeanAdu: number;
  /** I_dark·t/K² + σ²_read/K² + 1/12, ADU². */
  readonly expectedDarkVarianceAdu2: number;
  /** True when the mean signal + 3 SD reaches the saturation electrons (full well or ADC). */
  readonly saturated: boolean;
}

/** Result of {@link simulateCameraSeries}. */
export interface CameraSeries {
  readonly levels: readonly CameraSeriesLevel[];
  /** Dark time series [frames, ny, nx] at the base exposure, when requested. */
  readonly darkSeries: ImageView<Uint8Array | Uint16Array> | null;
  readonly truth: CameraTruth & {
    readonly levels: readonly CameraSeriesLevelTruth[];
    readonly vary: "irradiance" | "exposure";
    /** Photons per pixel at which the mean signal reaches saturationE. */
    readonly saturationPhotons: number;
    readonly seed: number;
  };
}

/**
 * Simulates an EMVA 1288 photon-transfer acquisition: at each of `levels` illumination steps a pair of uniformly
 * illuminated frames and a pair of dark frames, plus an optional dark time series.
 *
 * @param options - Frame size, camera, number of levels, what varies, seed.
 * @returns Frames per level and the truth {gainEPerAdu, offsetAdu, readNoiseE, darkCurrentEPerS, fullWellE, ...}.
 * @throws InvalidArgumentError for invalid camera parameters or counts.
 *
 * Notes: level i (1…levels) has μ_p = maxPhotons·i/levels; in "exposure" mode t = exposureS·i/levels. Mean and
 * variance follow ADU = e⁻/K + offset and σ² = (μ − offset)/K + σ²_read/K² + 1/12 until saturation, where the
 * variance collapses. Frame pairs give the temporal variance as var(A − B)/2, free of fixed-pattern noise.
 * @example
 * const s = simulateCameraSeries({ seed: 2, levels: 10 });
 * // s.truth.gainEPerAdu → 0.45
 * @see EMVA Standard 1288 Release 4.0 (2021); github.com/EMVA1288/emva1288.
 */
export function simulateCameraSeries(options: CameraSeriesOptions = {}): CameraSeries {
  const [ny, nx] = options.shape ?? [64, 64];
  requireShape("shape", [ny, nx], 2);
  const nLevels = options.levels ?? 24;
  requireInteger("levels", nLevels, 2, 10_000, "EMVA 1288 asks for about 50 levels; use at least 2.");
  const darkFrames = options.darkSeriesFrames ?? 0;
  requireInteger("darkSeriesFrames", darkFrames, 0, 100_000);
  const vary = options.vary ?? "exposure";
  const seed = options.seed ?? 1;
  const rng = new Random(seed);
  const sensor = createCameraSensor(ny, nx, options.camera ?? {}, rng);
  const m = sensor.model;
  if (vary === "exposure") requirePositive("camera.exposureS", m.exposureS, "Exposure mode scales the exposure up to camera.exposureS.");
  const K = m.gainEPerAdu;
  const tMax = m.exposureS;
  const saturationPhotons = (sensor.truth.saturationE - m.darkCurrentEPerS * tMax) / Math.max(m.quantumEfficiency, 1e-12);
  const maxPhotons = options.maxPhotonsPerPixel ?? 1.15 * saturationPhotons;
  requirePositive("maxPhotonsPerPixel", maxPhotons);
  const n = ny * nx;
  const expected = new Float32Array(n);
  const zeros = new Float32Array(n);
  const levels: CameraSeriesLevel[] = [];
  const levelTruth: CameraSeriesLevelTruth[] = [];
  const frame = (photons: Float32Array, t: number): ImageView<Uint8Array | Uint16Array> =>
    makeImage(applyCameraModel(photons, sensor, rng, t), [1, ny, nx], { bitDepth: m.bitDepth });
  const rn2 = sensor.truth.readNoiseRmsE ** 2;
  for (let i = 1; i <= nLevels; i++) {
    const t = vary === "exposure" ? (tMax * i) / nLevels : tMax;
    const photons = (maxPhotons * i) / nLevels;
    expected.fill(photons);
    const flat: [ImageView<Uint8Array | Uint16Array>, ImageView<Uint8Array | Uint16Array>] = [frame(expected, t), frame(expected, t)];
    const dark: [ImageView<Uint8Array | Uint16Array>, ImageView<Uint8Array | Uint16Array>] = [frame(zeros, t), frame(zeros, t)];
    levels.push({ exposureS: t, photonsPerPixel: photons, flat, dark });
    const eSignal = m.quantumEfficiency * photons + m.darkCurrentEPerS * t;
    const eDark = m.darkCurrentEPerS * t;
    levelTruth.push({
      exposureS: t,
      photonsPerPixel: photons,
      expectedMeanAdu: m.offsetAdu + eSignal / K,
      expectedVarianceAdu2: eSignal / (K * K) + rn2 / (K * K) + QUANTISATION_VARIANCE_ADU2,
      expectedDarkMeanAdu: m.offsetAdu + eDark / K,
      expectedDarkVarianceAdu2: eDark / (K * K) + rn2 / (K * K) + QUANTISATION_VARIANCE_ADU2,
      saturated: eSignal + 3 * Math.sqrt(eSignal + rn2) >= sensor.truth.saturationE,
    });
  }
  let darkSeries: ImageView<Uint8Array | Uint16Array> | null = null;
  if (darkFrames > 0) {
    const z = new Float32Array(n * darkFrames);
    darkSeries = makeImage(applyCameraModel(z, sensor, rng, tMax), [darkFrames, ny, nx], { bitDepth: m.bitDepth });
  }
  return {
    levels,
    darkSeries,
    truth: { ...sensor.truth, levels: levelTruth, vary, saturationPhotons, seed },
  };
}
