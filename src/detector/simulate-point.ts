/**
 * Point-detector (PMT, GaAsP, HyD) images of a homogeneous fluorescent solution, with known SNR: photon shot noise,
 * multiplication gain with excess noise, offset and electronic read noise.
 */
import { InvalidArgumentError } from "../core/errors.js";
import { Random } from "../core/random.js";
import { type ImageView, makeImage } from "../image/types.js";

/** Options of {@link simulatePointDetectorImage}. */
export interface PointDetectorSimOptions {
  /** Image size [frames, ny, nx]. @default [1, 128, 128] */
  readonly shape?: readonly [number, number, number];
  /** Mean detected photons per pixel (0 for a dark image). @default 20 */
  readonly photonsPerPixel?: number;
  /** Mean ADU per detected photon (detector gain × digitiser). @default 10 */
  readonly gainAduPerPhoton?: number;
  /** Excess noise factor F ≥ 1 of the multiplication (PMT ≈ 1.2–1.5, HyD counting 1). @default 1.3 */
  readonly excessNoiseFactor?: number;
  /** Offset, ADU. @default 10 */
  readonly offsetAdu?: number;
  /** Gaussian electronic noise, ADU RMS. @default 2 */
  readonly readNoiseAdu?: number;
  /** ADC bit depth (values clip at 2^bits − 1). @default 12 */
  readonly bitDepth?: number;
  /** Random seed. @default 1 */
  readonly seed?: number;
}

/** Result of {@link simulatePointDetectorImage}. */
export interface PointDetectorSim {
  readonly image: ImageView<Uint16Array>;
  readonly truth: {
    readonly photonsPerPixel: number;
    readonly gainAduPerPhoton: number;
    readonly excessNoiseFactor: number;
    readonly offsetAdu: number;
    readonly readNoiseAdu: number;
    /** λ·G, ADU. */
    readonly signalAdu: number;
    /** √(F·λ·G² + σ_r² + 1/12), ADU (before clipping). */
    readonly noiseAdu: number;
    /** signalAdu / noiseAdu (NoiSee SNR of the dark-subtracted image). */
    readonly snr: number;
    readonly seed: number;
  };
}

/** Gamma(shape k, scale 1) deviate, Marsaglia & Tsang (2000); k < 1 via the boost U^(1/k). */
function gamma(rng: Random, k: number): number {
  if (k < 1) return gamma(rng, k + 1) * rng.uniform() ** (1 / k);
  const d = k - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.uniform();
    if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * Simulates a point-detector image of a homogeneous fluorescent solution (or a dark image with 0 photons).
 *
 * @param options - Shape, photons, gain, excess noise, offset, read noise, bit depth, seed.
 * @returns `{ image, truth }`: counts and the planted signal, noise and SNR.
 * @throws InvalidArgumentError for negative photons, a non-positive gain, F < 1, or a bad shape.
 *
 * Notes: per pixel n ~ Poisson(λ) photoelectrons; the multiplied charge of n electrons is Gamma(n/(F − 1),
 * G·(F − 1)) (mean n·G, variance n·G²·(F − 1)), so the output variance is F·λ·G² (exactly n·G when F = 1);
 * then offset + N(0, σ_r), rounded and clipped to [0, 2^bits − 1].
 * @example
 * const { image, truth } = simulatePointDetectorImage({ photonsPerPixel: 50, seed: 2 });
 * // truth.snr = 500/√(1.3·50·100 + 4 + 1/12) ≈ 6.2
 * @see Ferrand et al., Sci Rep 9:1165 (2019) (NoiSee); Hamamatsu, Photomultiplier Tubes (2017), §4 (excess noise).
 */
export function simulatePointDetectorImage(options: PointDetectorSimOptions = {}): PointDetectorSim {
  const shape = options.shape ?? [1, 128, 128];
  if (shape.length !== 3 || !shape.every((v) => Number.isInteger(v) && v >= 1)) {
    throw new InvalidArgumentError(`shape is [${shape.join(", ")}]; expected [frames, ny, nx] of positive integers.`, "E.g. [1, 128, 128].");
  }
  const lambda = options.photonsPerPixel ?? 20;
  const g = options.gainAduPerPhoton ?? 10;
  const f = options.excessNoiseFactor ?? 1.3;
  const off = options.offsetAdu ?? 10;
  const rn = options.readNoiseAdu ?? 2;
  const bits = options.bitDepth ?? 12;
  if (!(lambda >= 0)) throw new InvalidArgumentError(`photonsPerPixel is ${lambda}; expected ≥ 0.`, "Use 0 for a dark image.");
  if (!(g > 0)) throw new InvalidArgumentError(`gainAduPerPhoton is ${g}; expected > 0.`, "E.g. 10 ADU per photon.");
  if (!(f >= 1)) throw new InvalidArgumentError(`excessNoiseFactor is ${f}; expected ≥ 1.`, "1 for photon counting, ~1.3 for a PMT.");
  if (!(rn >= 0) || !(off >= 0)) throw new InvalidArgumentError(`offsetAdu ${off} and readNoiseAdu ${rn} must be ≥ 0.`, "Use e.g. 10 and 2.");
  if (!(Number.isInteger(bits) && bits >= 1 && bits <= 16)) throw new InvalidArgumentError(`bitDepth is ${bits}; expected 1–16.`, "E.g. 12.");
  const seed = options.seed ?? 1;
  const rng = new Random(seed);
  const n = shape[0] * shape[1] * shape[2];
  const out = new Uint16Array(n);
  const max = 2 ** bits - 1;
  for (let p = 0; p < n; p++) {
    const k = rng.poisson(lambda);
    let charge = 0;
    if (k > 0) charge = f > 1 ? gamma(rng, k / (f - 1)) * g * (f - 1) : k * g;
    let v = Math.round(off + charge + (rn > 0 ? rng.normal(0, rn) : 0));
    if (v < 0) v = 0;
    else if (v > max) v = max;
    out[p] = v;
  }
  const signal = lambda * g;
  const noise = Math.sqrt(f * lambda * g * g + rn * rn + 1 / 12);
  return {
    image: makeImage(out, shape, { bitDepth: bits }),
    truth: { photonsPerPixel: lambda, gainAduPerPhoton: g, excessNoiseFactor: f, offsetAdu: off, readNoiseAdu: rn, signalAdu: signal, noiseAdu: noise, snr: signal / noise, seed },
  };
}
