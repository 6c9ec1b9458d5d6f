/**
 * Simulated images of known resolution, for validating Fourier ring correlation and decorrelation analysis.
 *
 * A random object (points, line segments or a white-noise texture) is filtered by the optical transfer function
 * (OTF) of an ideal circular pupil (Airy PSF, hard cutoff at 2·NA/λ) or of a Gaussian PSF, then imaged by a
 * simple camera (Poisson photon noise + Gaussian read noise, offset and gain) as several independent noise
 * realisations of the same noise-free field.
 * @module
 */
import { InvalidArgumentError } from "../core/errors.js";
import { Random } from "../core/random.js";
import { fft2d, ifft2d } from "../image/fft.js";
import { type ImageView, makeImage } from "../image/types.js";
import { FWHM_PER_SIGMA } from "../optics/constants.js";

/** What the simulated object is made of. */
export type ResolutionTestStructure = "points" | "lines" | "points-and-lines" | "texture";

/** Which PSF blurs the object. */
export type ResolutionTestPsf = "airy" | "gaussian" | "band-limited";

/** Options of {@link simulateResolutionImages}. */
export interface ResolutionImageOptions {
  /** Image width, px. @default 512 */
  readonly widthPx?: number;
  /** Image height, px. @default widthPx */
  readonly heightPx?: number;
  /** Pixel size (square pixels), µm. @default 0.04 */
  readonly pixelSizeUm?: number;
  /**
   * PSF model: "airy" (ideal incoherent circular pupil, OTF cutoff 2·NA/λ), "gaussian" (no hard cutoff), or
   * "band-limited" (OTF = 1 up to 2·NA/λ and 0 beyond: an image whose resolution is exactly λ/(2·NA), the unambiguous
   * reference for estimators of the highest frequency with signal, such as decorrelation analysis). @default "airy"
   */
  readonly psf?: ResolutionTestPsf;
  /** Emission wavelength, nm (Airy PSF). @default 520 */
  readonly wavelengthNm?: number;
  /** Numerical aperture (Airy PSF). @default 1.3 */
  readonly na?: number;
  /** FWHM of the Gaussian PSF, µm. @default the Airy FWHM 0.5145·λ/NA of `wavelengthNm` and `na` */
  readonly gaussianFwhmUm?: number;
  /** Object: sparse single-pixel points, line segments, both, or a white-noise texture. @default "points" */
  readonly structure?: ResolutionTestStructure;
  /** Density of point emitters, per µm² ("points" and "points-and-lines"). @default 6 */
  readonly pointDensityPerUm2?: number;
  /** Density of line segments, per µm² ("lines" and "points-and-lines"). @default 0.5 */
  readonly lineDensityPerUm2?: number;
  /** Length of each line segment, µm (uniform between half and one and a half times this). @default 2 */
  readonly lineLengthUm?: number;
  /** Mean signal (object) photons per pixel over the field, before background. @default 200 */
  readonly meanSignalPhotons?: number;
  /** Uniform background, photons per pixel. @default 10 */
  readonly backgroundPhotons?: number;
  /** Camera read noise, e⁻ RMS. @default 1.5 */
  readonly readNoiseE?: number;
  /** Conversion gain, e⁻ per ADU (ADU = e⁻/gain + offset). @default 1 */
  readonly gainEPerAdu?: number;
  /** Camera offset, ADU. @default 100 */
  readonly offsetAdu?: number;
  /** Number of independent noise realisations of the same field. @default 2 */
  readonly realisations?: number;
  /**
   * Margin simulated around the field and cropped away, px, so that structure crosses the image edges as in a real
   * acquisition instead of wrapping around. 0 gives a periodic image (faster for power-of-two sizes).
   * @default 4 × the PSF FWHM in pixels, rounded up
   */
  readonly marginPx?: number;
  /** Seed of the random number generator. @default 1 */
  readonly seed?: number;
}

/** What was planted in a {@link simulateResolutionImages} field, in explicit units. */
export interface ResolutionImageTruth {
  readonly psf: ResolutionTestPsf;
  readonly structure: ResolutionTestStructure;
  readonly pixelSizeUm: number;
  /** Nyquist frequency of the sampling, 1/(2·pixel size), cycles/µm. */
  readonly nyquistCyclesPerUm: number;
  /** Emission wavelength, nm (Airy PSF; recorded for the Gaussian PSF too). */
  readonly wavelengthNm: number;
  readonly na: number;
  /** OTF cutoff 2·NA/λ, cycles/µm, for the Airy PSF; absent for the Gaussian PSF (no hard cutoff). */
  readonly otfCutoffCyclesPerUm?: number;
  /** Abbe resolution λ/(2·NA) = 1/cutoff, µm, for the Airy PSF; absent for the Gaussian PSF. */
  readonly abbeResolutionUm?: number;
  /** FWHM of the PSF, µm (Airy: 0.5145·λ/NA; Gaussian: as requested). */
  readonly psfFwhmUm: number;
  /** Gaussian PSF: σ of the OTF exp(−2π²σ²f²) in µm; absent for the Airy PSF. */
  readonly gaussianSigmaUm?: number;
  readonly meanSignalPhotons: number;
  readonly backgroundPhotons: number;
  readonly readNoiseE: number;
  readonly gainEPerAdu: number;
  readonly offsetAdu: number;
  readonly seed: number;
}

/** Independent noisy images of one simulated field, with the noise-free image and the truth. */
export interface ResolutionImageSet {
  /** The noisy images (ADU, rounded to integers, stored as Float32), shape [1, heightPx, widthPx], with voxelSizeUm. */
  readonly images: ImageView<Float32Array>[];
  /** Expected photons per pixel (signal + background) without noise. */
  readonly noiseFree: ImageView<Float32Array>;
  readonly truth: ResolutionImageTruth;
}

/** FWHM of the Airy intensity pattern in units of λ/NA. */
export const AIRY_FWHM_PER_LAMBDA_OVER_NA = 0.5145;
const NM_PER_UM = 1000;
/** Step along a line segment when rasterising it, px. */
const LINE_STEP_PX = 0.5;
/** Margin around the field in PSF FWHMs. */
const MARGIN_FWHMS = 4;
/** Smallest image side the simulator makes, px. */
const MIN_SIDE_PX = 8;
/** Largest FFT canvas side, px (memory guard). */
const MAX_CANVAS_PX = 8192;

interface ResolvedResolutionImageOptions {
  widthPx: number;
  heightPx: number;
  pixelSizeUm: number;
  psf: ResolutionTestPsf;
  wavelengthNm: number;
  na: number;
  gaussianFwhmUm: number;
  structure: ResolutionTestStructure;
  pointDensityPerUm2: number;
  lineDensityPerUm2: number;
  lineLengthUm: number;
  meanSignalPhotons: number;
  backgroundPhotons: number;
  readNoiseE: number;
  gainEPerAdu: number;
  offsetAdu: number;
  realisations: number;
  marginPx: number;
  seed: number;
}

function check(name: string, value: number, ok: boolean, expected: string): void {
  if (!ok) throw new InvalidArgumentError(`simulateResolutionImages: ${name} is ${value}; expected ${expected}.`, `Pass ${name} as ${expected}, or omit it for the default.`);
}

function resolveOptions(o: ResolutionImageOptions): ResolvedResolutionImageOptions {
  const widthPx = o.widthPx ?? 512;
  const wavelengthNm = o.wavelengthNm ?? 520;
  const na = o.na ?? 1.3;
  const r: ResolvedResolutionImageOptions = {
    widthPx,
    heightPx: o.heightPx ?? widthPx,
    pixelSizeUm: o.pixelSizeUm ?? 0.04,
    psf: o.psf ?? "airy",
    wavelengthNm,
    na,
    gaussianFwhmUm: o.gaussianFwhmUm ?? (AIRY_FWHM_PER_LAMBDA_OVER_NA * wavelengthNm) / NM_PER_UM / na,
    structure: o.structure ?? "points",
    pointDensityPerUm2: o.pointDensityPerUm2 ?? 6,
    lineDensityPerUm2: o.lineDensityPerUm2 ?? 0.5,
    lineLengthUm: o.lineLengthUm ?? 2,
    meanSignalPhotons: o.meanSignalPhotons ?? 200,
    backgroundPhotons: o.backgroundPhotons ?? 10,
    readNoiseE: o.readNoiseE ?? 1.5,
    gainEPerAdu: o.gainEPerAdu ?? 1,
    offsetAdu: o.offsetAdu ?? 100,
    realisations: o.realisations ?? 2,
    marginPx: 0,
    seed: o.seed ?? 1,
  };
  const int = (name: string, v: number, min: number): void => check(name, v, Number.isInteger(v) && v >= min, `an integer ≥ ${min}`);
  const pos = (name: string, v: number): void => check(name, v, Number.isFinite(v) && v > 0, "a finite number > 0");
  const nonNeg = (name: string, v: number): void => check(name, v, Number.isFinite(v) && v >= 0, "a finite number ≥ 0");
  int("widthPx", r.widthPx, MIN_SIDE_PX);
  int("heightPx", r.heightPx, MIN_SIDE_PX);
  pos("pixelSizeUm", r.pixelSizeUm);
  pos("wavelengthNm", r.wavelengthNm);
  pos("na", r.na);
  pos("gaussianFwhmUm", r.gaussianFwhmUm);
  nonNeg("pointDensityPerUm2", r.pointDensityPerUm2);
  nonNeg("lineDensityPerUm2", r.lineDensityPerUm2);
  pos("lineLengthUm", r.lineLengthUm);
  nonNeg("meanSignalPhotons", r.meanSignalPhotons);
  nonNeg("backgroundPhotons", r.backgroundPhotons);
  nonNeg("readNoiseE", r.readNoiseE);
  pos("gainEPerAdu", r.gainEPerAdu);
  check("offsetAdu", r.offsetAdu, Number.isFinite(r.offsetAdu), "a finite number");
  int("realisations", r.realisations, 1);
  if (r.psf !== "airy" && r.psf !== "gaussian" && r.psf !== "band-limited") {
    throw new InvalidArgumentError(`simulateResolutionImages: psf "${r.psf}" is not supported; expected "airy", "gaussian" or "band-limited".`, 'Use "airy" for a hard OTF cutoff at 2·NA/λ.');
  }
  if (r.psf === "band-limited" && r.structure !== "texture") {
    // A hard band limit rings: sparse points and lines go negative between them, and clipping the negative photons
    // would put back frequencies above the limit, so the planted resolution would no longer be the true one.
    throw new InvalidArgumentError(
      `simulateResolutionImages: psf "band-limited" needs structure "texture", not "${r.structure}".`,
      'Use structure "texture" (its band-limited image stays positive), or psf "airy" for sparse objects.',
    );
  }
  if (!["points", "lines", "points-and-lines", "texture"].includes(r.structure)) {
    throw new InvalidArgumentError(
      `simulateResolutionImages: structure "${r.structure}" is not supported; expected "points", "lines", "points-and-lines" or "texture".`,
      'Use "points" or "texture" for a flat object spectrum.',
    );
  }
  const fwhmUm = r.psf === "gaussian" ? r.gaussianFwhmUm : (AIRY_FWHM_PER_LAMBDA_OVER_NA * r.wavelengthNm) / NM_PER_UM / r.na;
  r.marginPx = o.marginPx ?? Math.ceil((MARGIN_FWHMS * fwhmUm) / r.pixelSizeUm);
  int("marginPx", r.marginPx, 0);
  return r;
}

function nextPow2(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}

/**
 * Incoherent optical transfer function of an aberration-free circular pupil.
 *
 * @param s - Spatial frequency as a fraction of the cutoff f_c = 2·NA/λ (s ≥ 0; dimensionless).
 * @returns OTF(s) = (2/π)(acos s − s·√(1 − s²)) for s < 1, 0 from s = 1 on; 1 at s = 0.
 *
 * Notes: the autocorrelation of the pupil disk, normalised to 1 at zero frequency; the Fourier transform of the Airy
 * intensity pattern. Negative s is not meaningful (NaN-free but outside the formula's domain: pass |s|).
 * @see Goodman, "Introduction to Fourier Optics", 3rd ed. (2005), §6.3.
 * @example
 * circularPupilOtf(0.5); // ≈ 0.3910
 */
export function circularPupilOtf(s: number): number {
  if (s >= 1) return 0;
  return (2 / Math.PI) * (Math.acos(s) - s * Math.sqrt(1 - s * s));
}

/** Random object on the canvas (photons, arbitrary scale; normalised later). */
function drawObject(o: ResolvedResolutionImageOptions, W: number, H: number, rng: Random): Float64Array {
  const obj = new Float64Array(W * H);
  const areaUm2 = W * H * o.pixelSizeUm * o.pixelSizeUm;
  if (o.structure === "texture") {
    for (let i = 0; i < obj.length; i++) obj[i] = -Math.log(1 - rng.uniform());
    return obj;
  }
  if (o.structure === "points" || o.structure === "points-and-lines") {
    const n = rng.poisson(o.pointDensityPerUm2 * areaUm2);
    for (let k = 0; k < n; k++) {
      const x = Math.floor(rng.uniform() * W);
      const y = Math.floor(rng.uniform() * H);
      obj[y * W + x] = obj[y * W + x]! + 1;
    }
  }
  if (o.structure === "lines" || o.structure === "points-and-lines") {
    const n = rng.poisson(o.lineDensityPerUm2 * areaUm2);
    // a line carries the photons of one point per µm of length
    const weightPerStep = LINE_STEP_PX * o.pixelSizeUm;
    for (let k = 0; k < n; k++) {
      const lengthPx = (o.lineLengthUm * rng.range(0.5, 1.5)) / o.pixelSizeUm;
      const angle = rng.range(0, Math.PI);
      const dx = Math.cos(angle);
      const dy = Math.sin(angle);
      const x0 = rng.uniform() * W;
      const y0 = rng.uniform() * H;
      const steps = Math.ceil(lengthPx / LINE_STEP_PX);
      for (let s = 0; s <= steps; s++) {
        const t = s * LINE_STEP_PX;
        const x = (((Math.round(x0 + t * dx) % W) + W) % W) | 0;
        const y = (((Math.round(y0 + t * dy) % H) + H) % H) | 0;
        obj[y * W + x] = obj[y * W + x]! + weightPerStep;
      }
    }
  }
  return obj;
}

/**
 * Simulates independent noisy images of one random field blurred by a PSF of known resolution.
 *
 * @param options - Size, pixel size, PSF, object, photon budget and camera, see {@link ResolutionImageOptions}.
 * @returns `realisations` noisy images (ADU) of the same field, the noise-free expected photons, and the truth
 *   (OTF cutoff 2·NA/λ in cycles/µm and the Abbe resolution λ/(2·NA) in µm for the Airy PSF).
 * @throws InvalidArgumentError when an option is out of range (non-positive size, unknown PSF or structure, ...)
 *   or the simulation canvas would exceed 8192 px on a side.
 *
 * Notes: the object is drawn on a power-of-two canvas of at least the field plus `marginPx` on each side,
 * Fourier-filtered with the OTF (Airy: (2/π)(acos s − s√(1−s²)), s = f·λ/(2·NA); Gaussian: exp(−2π²σ²f²)),
 * clipped at 0 (rounding), then the centre is cropped. Points sit on pixel centres and the texture is white, so
 * their spectra are flat up to Nyquist: the image spectrum is then the OTF², and with the Airy PSF no signal
 * exists beyond 2·NA/λ. The object is scaled to `meanSignalPhotons` per pixel over the canvas. Each
 * realisation draws e⁻ = Poisson(signal + background) + N(0, readNoiseE) and ADU = round(e⁻/gain + offset)
 * (no clipping, no quantum efficiency: the photon numbers are detected photons).
 * @see Goodman, "Introduction to Fourier Optics", 3rd ed. (2005), §6.3 (OTF of a circular pupil).
 * @example
 * const { images, truth } = simulateResolutionImages({ widthPx: 256, seed: 3 });
 * truth.abbeResolutionUm; // 0.2 (λ = 520 nm, NA 1.3)
 */
export function simulateResolutionImages(options: ResolutionImageOptions = {}): ResolutionImageSet {
  const o = resolveOptions(options);
  const W = nextPow2(o.widthPx + 2 * o.marginPx);
  const H = nextPow2(o.heightPx + 2 * o.marginPx);
  if (W > MAX_CANVAS_PX || H > MAX_CANVAS_PX) {
    throw new InvalidArgumentError(
      `simulateResolutionImages: the simulation canvas would be ${W} × ${H} px; the limit is ${MAX_CANVAS_PX} px per side.`,
      "Use a smaller image or a smaller marginPx (0 simulates a periodic field without margin).",
    );
  }
  const rng = new Random(o.seed);
  const obj = drawObject(o, W, H, rng);
  let sum = 0;
  for (let i = 0; i < obj.length; i++) sum += obj[i]!;
  const scale = sum > 0 ? (o.meanSignalPhotons * obj.length) / sum : 0;

  const spectrum = fft2d(makeImage(obj, [1, H, W]));
  const d = spectrum.data;
  const cutoff = (2 * o.na) / (o.wavelengthNm / NM_PER_UM);
  const sigmaUm = o.gaussianFwhmUm / FWHM_PER_SIGMA;
  const gaussK = -2 * Math.PI * Math.PI * sigmaUm * sigmaUm;
  for (let ky = 0; ky < H; ky++) {
    const fy = (ky <= H / 2 ? ky : ky - H) / (H * o.pixelSizeUm);
    for (let kx = 0; kx < W; kx++) {
      const fx = (kx <= W / 2 ? kx : kx - W) / (W * o.pixelSizeUm);
      const f2 = fx * fx + fy * fy;
      const otf =
        o.psf === "airy" ? circularPupilOtf(Math.sqrt(f2) / cutoff) : o.psf === "band-limited" ? (f2 < cutoff * cutoff ? 1 : 0) : Math.exp(gaussK * f2);
      const i = 2 * (ky * W + kx);
      d[i] = d[i]! * otf * scale;
      d[i + 1] = d[i + 1]! * otf * scale;
    }
  }
  const blurred = ifft2d(spectrum).data;

  const { widthPx: nx, heightPx: ny } = o;
  const x0 = (W - nx) >> 1;
  const y0 = (H - ny) >> 1;
  const expected = new Float32Array(nx * ny);
  for (let y = 0; y < ny; y++) {
    for (let x = 0; x < nx; x++) {
      const v = blurred[2 * ((y + y0) * W + x + x0)]!;
      expected[y * nx + x] = Math.max(v, 0) + o.backgroundPhotons;
    }
  }
  const voxelSizeUm = [o.pixelSizeUm, o.pixelSizeUm, o.pixelSizeUm] as const;
  const images: ImageView<Float32Array>[] = [];
  for (let r = 0; r < o.realisations; r++) {
    const out = new Float32Array(nx * ny);
    for (let i = 0; i < out.length; i++) {
      const e = rng.poisson(expected[i]!) + (o.readNoiseE > 0 ? rng.normal(0, o.readNoiseE) : 0);
      out[i] = Math.round(e / o.gainEPerAdu + o.offsetAdu);
    }
    images.push(makeImage(out, [1, ny, nx], { voxelSizeUm }));
  }
  const airy = o.psf !== "gaussian"; // both pupil models have the hard cutoff 2·NA/λ
  const truth: ResolutionImageTruth = {
    psf: o.psf,
    structure: o.structure,
    pixelSizeUm: o.pixelSizeUm,
    nyquistCyclesPerUm: 1 / (2 * o.pixelSizeUm),
    wavelengthNm: o.wavelengthNm,
    na: o.na,
    ...(airy ? { otfCutoffCyclesPerUm: cutoff, abbeResolutionUm: 1 / cutoff } : { gaussianSigmaUm: sigmaUm }),
    psfFwhmUm: airy ? (AIRY_FWHM_PER_LAMBDA_OVER_NA * o.wavelengthNm) / NM_PER_UM / o.na : o.gaussianFwhmUm,
    meanSignalPhotons: o.meanSignalPhotons,
    backgroundPhotons: o.backgroundPhotons,
    readNoiseE: o.readNoiseE,
    gainEPerAdu: o.gainEPerAdu,
    offsetAdu: o.offsetAdu,
    seed: o.seed,
  };
  return { images, noiseFree: makeImage(expected, [1, ny, nx], { voxelSizeUm }), truth };
}
