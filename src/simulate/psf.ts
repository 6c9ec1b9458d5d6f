/**
 * Point-spread-function models for the simulators, evaluated on a voxel grid around a sub-pixel centre.
 *
 * Conventions used throughout `src/simulate/`:
 * - Pixel (voxel) centres sit at integer coordinates: voxel (i, j, k) covers x ∈ [i − ½, i + ½] px, and
 *   the physical position of its centre is (i·dx, j·dy, k·dz) µm from the centre of voxel (0, 0, 0).
 * - Image-array properties keep the ImageView order [z, y, x] (`shape`, `voxelSizeUm`); physical vectors
 *   (positions, FWHMs, shifts) are written [x, y, z]. Parameter names say which.
 * - A PSF is normalised so that its integral over the plane through the bead (dz = 0) is 1 per µm²:
 *   rendering `photons` makes the in-focus plane of a bead sum to `photons` (before QE and noise).
 */
import { InvalidArgumentError } from "../core/errors.js";
import { makeImage, type ImageView } from "../image/types.js";
import { FWHM_PER_SIGMA } from "../optics/constants.js";
import { besselJ0, besselJSeries, gaussLegendre, normalInterval } from "./special.js";
import { requireFiniteTuple, requireNonNegative, requirePositive, requireShape, requireVoxelSize } from "./validate.js";

/** A physical vector in [x, y, z] order (µm or px, as the name of the value says). */
export type Xyz = readonly [x: number, y: number, z: number];
/** An image-array triple in [z, y, x] order (ImageView `shape` and `voxelSizeUm`). */
export type Zyx = readonly [z: number, y: number, x: number];

const TWO_PI = 2 * Math.PI;
const SQRT_TWO_PI = Math.sqrt(TWO_PI);
/** Variance of one axis of a uniform solid sphere of diameter D is D²/20. */
const SPHERE_VARIANCE_PER_D2 = 1 / 20;
/** Variance of a uniform box of width Δ is Δ²/12. */
const BOX_VARIANCE_PER_WIDTH2 = 1 / 12;
/** Gaussian render window half-width, in standard deviations (tail beyond it: < 7·10⁻⁵ per axis). */
const GAUSSIAN_WINDOW_SIGMAS = 4;
/** Scalar table radial step: (λ/NA)/32. */
const RADIAL_STEPS_PER_LAMBDA_NA = 32;
/** Scalar table axial step: (n·λ/NA²)/24. */
const AXIAL_STEPS_PER_N_LAMBDA_NA2 = 24;
/** Default lateral radius of the widefield table: 12·λ/NA (in-focus energy outside < 2 %). */
const WIDEFIELD_RADIUS_LAMBDA_NA = 12;
/** Default lateral radius of the confocal table: 6·λ/NA (the product PSF decays as r⁻⁶). */
const CONFOCAL_RADIUS_LAMBDA_NA = 6;
/** Angular samples of the pupil used to expand exp(iW(ρ, φ)) in e^{imφ}. */
const PUPIL_ANGULAR_SAMPLES = 128;
/** Highest |m| kept in the angular expansion. */
const MAX_ANGULAR_ORDER = 48;
/** Angular orders with max|f_m(ρ)| below this are dropped. */
const ANGULAR_ORDER_TOLERANCE = 1e-4;
/** Largest table the scalar model will build (entries × terms). */
const MAX_TABLE_ENTRIES = 60_000_000;
/** Sphere sampling for bead-size convolution: cells per bead radius. */
const SPHERE_CELLS_PER_RADIUS = 3;

// ---------------------------------------------------------------------------------------------
// Model specifications
// ---------------------------------------------------------------------------------------------

/** A separable 3D Gaussian PSF. */
export interface GaussianPsfSpec {
  readonly kind: "gaussian";
  /** FWHM along [x, y, z], µm (before bead size and pixel integration). @default [0.25, 0.25, 0.7] */
  readonly fwhmUm?: Xyz;
}

/** One Zernike pupil-phase term, Noll index and amplitude in waves. */
export interface ZernikeTerm {
  /**
   * Noll index j ≥ 4: 4 defocus, 5 oblique astigmatism (√6ρ²sin2φ), 6 vertical astigmatism (√6ρ²cos2φ),
   * 7 coma y, 8 coma x, 9/10 trefoil, 11 primary spherical (√5(6ρ⁴ − 6ρ² + 1)), up to 66.
   * Piston and tip/tilt (1–3) are refused: they only move the PSF; use the bead position or channel shift.
   */
  readonly noll: number;
  /** Amplitude in waves: RMS over the pupil, or the peak of the un-normalised polynomial (see `zernikeUnit`). */
  readonly waves: number;
}

/**
 * Scalar diffraction model of a widefield (or confocal) PSF.
 *
 * Paraxial (Born & Wolf): U(r, ψ, z) = ∫₀¹∫₀^{2π} A(ρ)·exp(i·[D(ρ, z) + W(ρ, φ)])·exp(i·k·NA·ρ·r·cos(φ − ψ)) ρ dφ dρ,
 * with D = −k·z·NA²·ρ²/(2n) and A = 1. Debye (non-paraxial, scalar Richards–Wolf): D = k·z·(√(n² − NA²ρ²) − n)
 * and aplanatic apodisation A = (1 − (NA·ρ/n)²)^(−1/4). k = 2π/λ (vacuum); z > 0 is a plane on the far side
 * of the focus (larger stack index). The pupil angle φ is measured from +x towards +y in image axes.
 */
export interface ScalarPsfSpec {
  readonly kind: "scalar";
  /** Numerical aperture of the objective (< immersionIndex). @default 1.4 */
  readonly numericalAperture?: number;
  /** Refractive index of the immersion medium. @default 1.518 */
  readonly immersionIndex?: number;
  /** Emission (detection) wavelength, nm. @default 520 */
  readonly emissionWavelengthNm?: number;
  /** Excitation wavelength, nm (confocal only). @default 488 */
  readonly excitationWavelengthNm?: number;
  /**
   * "widefield": detection PSF only. "confocal": product of the excitation and emission widefield PSFs
   * (infinitely small pinhole; a ~1 AU pinhole is slightly wider). @default "widefield"
   */
  readonly modality?: "widefield" | "confocal";
  /** Defocus phase model, see the interface summary. @default "paraxial" */
  readonly approximation?: "paraxial" | "debye";
  /** Pupil phase aberrations (same amplitude in waves at both wavelengths for confocal). @default [] */
  readonly zernike?: readonly ZernikeTerm[];
  /** Unit of `ZernikeTerm.waves`: "rms" (Noll-normalised) or "peak" (un-normalised polynomial). @default "rms" */
  readonly zernikeUnit?: "rms" | "peak";
}

/** Either PSF model. */
export type PsfSpec = GaussianPsfSpec | ScalarPsfSpec;

/** A scalar spec with every default filled in and aberrations converted to RMS waves. */
export interface ResolvedScalarPsfSpec {
  readonly kind: "scalar";
  readonly numericalAperture: number;
  readonly immersionIndex: number;
  readonly emissionWavelengthNm: number;
  readonly excitationWavelengthNm: number;
  readonly modality: "widefield" | "confocal";
  readonly approximation: "paraxial" | "debye";
  /** Terms in RMS waves (Noll-normalised), whatever unit was given. */
  readonly zernike: readonly ZernikeTerm[];
}

/** Default Gaussian FWHM [x, y, z] in µm. */
export const DEFAULT_GAUSSIAN_FWHM_UM: Xyz = [0.25, 0.25, 0.7];

/**
 * Fills the defaults of a scalar PSF spec and checks it.
 *
 * @param spec - The scalar model.
 * @returns The resolved spec, aberrations in RMS waves.
 * @throws InvalidArgumentError when NA ≥ n, a wavelength or index is not positive, or a Zernike index is unsupported.
 *
 * Notes: the Debye model needs NA < n strictly (its apodisation diverges at NA = n).
 * @example
 * resolveScalarPsfSpec({ kind: "scalar", zernike: [{ noll: 11, waves: 1 }], zernikeUnit: "peak" }).zernike[0].waves; // → 1/√5
 * @see M. Born & E. Wolf, Principles of Optics, 7th ed., §8.8; R. J. Noll, JOSA 66:207 (1976), doi:10.1364/JOSA.66.000207.
 */
export function resolveScalarPsfSpec(spec: ScalarPsfSpec): ResolvedScalarPsfSpec {
  const numericalAperture = spec.numericalAperture ?? 1.4;
  const immersionIndex = spec.immersionIndex ?? 1.518;
  const emissionWavelengthNm = spec.emissionWavelengthNm ?? 520;
  const excitationWavelengthNm = spec.excitationWavelengthNm ?? 488;
  requirePositive("numericalAperture", numericalAperture);
  requirePositive("immersionIndex", immersionIndex);
  requirePositive("emissionWavelengthNm", emissionWavelengthNm);
  requirePositive("excitationWavelengthNm", excitationWavelengthNm);
  if (numericalAperture >= immersionIndex) {
    throw new InvalidArgumentError(
      `numericalAperture ${numericalAperture} is not below the immersion index ${immersionIndex}; NA = n·sin(α) must be < n.`,
      "Check the objective: an oil objective has NA ≤ 1.49 with n = 1.518; a dry objective has NA < 1 with n = 1.",
    );
  }
  const unit = spec.zernikeUnit ?? "rms";
  const zernike: ZernikeTerm[] = [];
  for (const term of spec.zernike ?? []) {
    if (!Number.isInteger(term.noll) || term.noll < 4 || term.noll > 66) {
      throw new InvalidArgumentError(
        `Zernike Noll index ${term.noll} is not supported; expected an integer in [4, 66].`,
        "Piston and tip/tilt (1–3) only move the PSF: set the bead position or the channel shift instead.",
      );
    }
    if (!Number.isFinite(term.waves)) {
      throw new InvalidArgumentError(`Zernike term ${term.noll} has amplitude ${term.waves}; expected a finite number of waves.`, "Give the amplitude in waves.");
    }
    const [n, m] = nollToNm(term.noll);
    const norm = m === 0 ? Math.sqrt(n + 1) : Math.sqrt(2 * (n + 1));
    zernike.push({ noll: term.noll, waves: unit === "rms" ? term.waves : term.waves / norm });
  }
  return {
    kind: "scalar",
    numericalAperture,
    immersionIndex,
    emissionWavelengthNm,
    excitationWavelengthNm,
    modality: spec.modality ?? "widefield",
    approximation: spec.approximation ?? "paraxial",
    zernike,
  };
}

/**
 * Radial and azimuthal orders (n, m) of a Noll-indexed Zernike polynomial; m < 0 means a sin(|m|φ) term.
 *
 * @param j - Noll index ≥ 1.
 * @returns [n, m].
 * @throws Never.
 *
 * Notes: odd j carry sin terms (m < 0), even j cos terms.
 * @example
 * nollToNm(11); // → [4, 0] (primary spherical)
 * nollToNm(5); // → [2, -2] (oblique astigmatism)
 * @see R. J. Noll, JOSA 66:207 (1976).
 */
export function nollToNm(j: number): [number, number] {
  let n = 0;
  let j1 = j - 1;
  while (j1 > n) {
    n++;
    j1 -= n;
  }
  let m = (n % 2) + 2 * Math.floor((j1 + ((n + 1) % 2)) / 2);
  if (j % 2 === 1 && m !== 0) m = -m;
  return [n, m];
}

/**
 * Noll-normalised Zernike polynomial Z_j(ρ, φ) (unit RMS over the unit disk).
 *
 * @param j - Noll index ≥ 1.
 * @param rho - Normalised pupil radius in [0, 1].
 * @param phi - Pupil angle, radians, from +x towards +y.
 * @returns Z_j(ρ, φ).
 * @throws Never.
 *
 * Notes: normalisation √(n + 1) for m = 0 and √(2(n + 1)) otherwise.
 * @example
 * zernikeNoll(11, 1, 0); // → √5 (spherical at the pupil edge)
 * @see R. J. Noll, JOSA 66:207 (1976).
 */
export function zernikeNoll(j: number, rho: number, phi: number): number {
  const [n, m] = nollToNm(j);
  const am = Math.abs(m);
  let radial = 0;
  for (let s = 0; s <= (n - am) / 2; s++) {
    const c = ((s % 2 === 0 ? 1 : -1) * factorial(n - s)) / (factorial(s) * factorial((n + am) / 2 - s) * factorial((n - am) / 2 - s));
    radial += c * rho ** (n - 2 * s);
  }
  if (m === 0) return Math.sqrt(n + 1) * radial;
  return Math.sqrt(2 * (n + 1)) * radial * (m > 0 ? Math.cos(am * phi) : Math.sin(am * phi));
}

function factorial(k: number): number {
  let f = 1;
  for (let i = 2; i <= k; i++) f *= i;
  return f;
}

// ---------------------------------------------------------------------------------------------
// Kernels: what the bead renderer calls
// ---------------------------------------------------------------------------------------------

/**
 * A PSF prepared for one voxel grid. Values are expected photons per voxel for a bead of `photons`
 * whose in-focus plane integral is `photons`.
 */
export interface PsfKernel {
  readonly model: "gaussian" | "scalar";
  /** FWHM [x, y, z] in µm an ideal fit would see (effective: bead size and pixel integration included). */
  readonly fwhmUm: Xyz;
  /** Position of the intensity maximum relative to the nominal bead centre, [x, y, z] µm (non-zero with aberrations). */
  readonly peakOffsetUm: Xyz;
  /** Range of dz = z_plane − z_bead (µm) where the kernel is defined; planes outside receive nothing. */
  readonly dzRangeUm: readonly [min: number, max: number];
  /** Lateral radius (µm) beyond which the kernel is truncated. */
  readonly radiusUm: number;
  /** Largest expected value of one voxel per photon (bead centred on a voxel, at its peak plane). */
  readonly peakPerPhoton: number;
  /** Normalised intensity per µm² at lateral offset (xUm, yUm) and axial offset dzUm (0 outside the kernel). */
  intensityAt(xUm: number, yUm: number, dzUm: number): number;
  /**
   * Adds a bead to one image plane.
   * @param plane - ny·nx expected photons, x fastest (modified in place).
   * @param ny - Rows.
   * @param nx - Columns.
   * @param xPx - Bead centre x in pixels (pixel centres at integers).
   * @param yPx - Bead centre y in pixels.
   * @param dzUm - Axial offset of this plane from the bead centre, µm.
   * @param photons - Bead brightness (in-focus plane integral), photons.
   */
  addToPlane(plane: Float32Array, ny: number, nx: number, xPx: number, yPx: number, dzUm: number, photons: number): void;
}

/** Options for {@link createPsfKernel}. */
export interface PsfKernelOptions {
  /**
   * Gaussian only. false: point-sample the PSF at voxel centres (a fitted Gaussian recovers the planted FWHM).
   * true: integrate the PSF over each voxel box [i ± ½]·Δ per axis (erf-based); the effective FWHM reported uses
   * σ_eff² = σ² + Δ²/12 per axis, which is exact for the discrete second moment and approximate (a few % for
   * σ ≲ 1 voxel) for a Gaussian fit. @default false
   */
  readonly pixelIntegration?: boolean;
  /**
   * Bead diameter, µm. Gaussian: added in quadrature as σ² + D²/20 (the per-axis variance of a uniform sphere;
   * matches the second moment exactly, the shape only approximately). Scalar: the intensity table is convolved with
   * a uniform solid sphere (radially symmetric models only). @default 0
   */
  readonly beadDiameterUm?: number;
  /** Scalar only: range of dz = z_plane − z_bead (µm) the table covers. @default ±8 axial FWHMs (paraxial estimate) */
  readonly dzRangeUm?: readonly [min: number, max: number];
  /** Scalar only: lateral radius of the table, µm. @default 12·λ/NA widefield, 6·λ/NA confocal */
  readonly radiusUm?: number;
}

/**
 * Prepares a PSF for rendering on a voxel grid.
 *
 * @param spec - Gaussian or scalar model.
 * @param voxelSizeUm - Voxel size [dz, dy, dx], µm.
 * @param options - Pixel integration, bead size, table extent.
 * @returns A kernel whose `addToPlane` accumulates expected photons into a plane.
 * @throws InvalidArgumentError for non-positive sizes, NA ≥ n, a table too large, pixel integration asked of the
 *   scalar model, or a bead diameter with asymmetric aberrations (not supported).
 *
 * Notes: the scalar model precomputes a (r, z) lookup table (complex angular terms when aberrations break radial
 * symmetry) and renders by bilinear interpolation; light beyond `radiusUm` is dropped (out-of-focus planes of a
 * widefield PSF lose the most).
 * @example
 * const k = createPsfKernel({ kind: "gaussian", fwhmUm: [0.3, 0.3, 0.9] }, [0.2, 0.1, 0.1]);
 * k.fwhmUm; // → [0.3, 0.3, 0.9]
 * @see Born & Wolf §8.8; B. Richards & E. Wolf, Proc. R. Soc. A 253:358 (1959).
 */
export function createPsfKernel(spec: PsfSpec, voxelSizeUm: Zyx, options: PsfKernelOptions = {}): PsfKernel {
  requireVoxelSize("voxelSizeUm", voxelSizeUm, 3);
  const beadDiameterUm = options.beadDiameterUm ?? 0;
  requireNonNegative("beadDiameterUm", beadDiameterUm, "Give the bead diameter in µm (0 for a point source).");
  if (spec.kind === "gaussian") return new GaussianPsfKernel(spec.fwhmUm ?? DEFAULT_GAUSSIAN_FWHM_UM, voxelSizeUm, options.pixelIntegration ?? false, beadDiameterUm);
  if (options.pixelIntegration) {
    throw new InvalidArgumentError(
      "pixelIntegration is only implemented for the Gaussian PSF; the scalar model is point-sampled at voxel centres.",
      "Drop pixelIntegration, or use { kind: \"gaussian\" } if you need box-integrated voxels.",
    );
  }
  return new ScalarPsfKernel(resolveScalarPsfSpec(spec), voxelSizeUm, options, beadDiameterUm);
}

/**
 * Effective Gaussian FWHM [x, y, z] (µm) after bead size and pixel integration.
 *
 * @param fwhmUm - PSF FWHM [x, y, z], µm.
 * @param voxelSizeUm - Voxel size [dz, dy, dx], µm.
 * @param options - `pixelIntegration` and `beadDiameterUm` as in {@link PsfKernelOptions}.
 * @returns FWHM_eff = 2.3548·√(σ² + D²/20 + [pixelIntegration] Δ²/12) per axis.
 * @throws InvalidArgumentError for non-positive sizes.
 *
 * Notes: both added terms are variance matches. They are exact for second moments; a Gaussian fitted to the
 * box-integrated profile comes out within ~1 % of this when σ ≥ 1 voxel.
 * @example
 * effectiveGaussianFwhmUm([0.25, 0.25, 0.7], [0.2, 0.1, 0.1], { pixelIntegration: true })[0]; // → 2.3548·√(0.10617² + 0.1²/12) ≈ 0.2591
 * @see W. F. Sheppard, Proc. London Math. Soc. 29:353 (1898) (grouping correction Δ²/12).
 */
export function effectiveGaussianFwhmUm(fwhmUm: Xyz, voxelSizeUm: Zyx, options: { readonly pixelIntegration?: boolean; readonly beadDiameterUm?: number } = {}): Xyz {
  requireFiniteTuple("fwhmUm", fwhmUm, 3, "[x, y, z] in µm");
  fwhmUm.forEach((f, i) => {
    requirePositive(`fwhmUm[${i}]`, f, "FWHMs are in µm and must be > 0.");
  });
  requireVoxelSize("voxelSizeUm", voxelSizeUm, 3);
  const d = options.beadDiameterUm ?? 0;
  requireNonNegative("beadDiameterUm", d);
  const out = [0, 0, 0];
  for (let a = 0; a < 3; a++) {
    const s = fwhmUm[a] / FWHM_PER_SIGMA;
    const delta = voxelSizeUm[2 - a];
    const v = s * s + SPHERE_VARIANCE_PER_D2 * d * d + (options.pixelIntegration ? BOX_VARIANCE_PER_WIDTH2 * delta * delta : 0);
    out[a] = Math.sqrt(v) * FWHM_PER_SIGMA;
  }
  return [out[0], out[1], out[2]];
}

class GaussianPsfKernel implements PsfKernel {
  readonly model = "gaussian" as const;
  readonly fwhmUm: Xyz;
  readonly peakOffsetUm: Xyz = [0, 0, 0];
  readonly dzRangeUm: readonly [number, number];
  readonly radiusUm: number;
  readonly peakPerPhoton: number;
  private readonly sx: number;
  private readonly sy: number;
  private readonly sz: number;
  private readonly sxUm: number;
  private readonly syUm: number;
  private readonly szUm: number;
  private readonly dx: number;
  private readonly dy: number;
  private readonly dz: number;
  private readonly integrate: boolean;
  private readonly wx: Float64Array;
  private readonly wy: Float64Array;

  constructor(fwhmUm: Xyz, voxelSizeUm: Zyx, pixelIntegration: boolean, beadDiameterUm: number) {
    requireFiniteTuple("fwhmUm", fwhmUm, 3, "[x, y, z] in µm");
    fwhmUm.forEach((f, i) => {
      requirePositive(`fwhmUm[${i}]`, f, "FWHMs are in µm and must be > 0.");
    });
    const rendered = effectiveGaussianFwhmUm(fwhmUm, voxelSizeUm, { beadDiameterUm });
    this.fwhmUm = effectiveGaussianFwhmUm(fwhmUm, voxelSizeUm, { beadDiameterUm, pixelIntegration });
    [this.dz, this.dy, this.dx] = voxelSizeUm;
    this.sxUm = rendered[0] / FWHM_PER_SIGMA;
    this.syUm = rendered[1] / FWHM_PER_SIGMA;
    this.szUm = rendered[2] / FWHM_PER_SIGMA;
    this.sx = this.sxUm / this.dx;
    this.sy = this.syUm / this.dy;
    this.sz = this.szUm / this.dz;
    this.integrate = pixelIntegration;
    const extent = pixelIntegration ? 0.5 : 0;
    this.dzRangeUm = [-(GAUSSIAN_WINDOW_SIGMAS * this.sz + extent) * this.dz, (GAUSSIAN_WINDOW_SIGMAS * this.sz + extent) * this.dz];
    this.radiusUm = GAUSSIAN_WINDOW_SIGMAS * Math.max(this.sxUm, this.syUm) + extent * Math.max(this.dx, this.dy);
    this.wx = new Float64Array(2 * Math.ceil(GAUSSIAN_WINDOW_SIGMAS * this.sx + 1) + 3);
    this.wy = new Float64Array(2 * Math.ceil(GAUSSIAN_WINDOW_SIGMAS * this.sy + 1) + 3);
    this.peakPerPhoton = pixelIntegration
      ? normalInterval(-0.5 / this.sx, 0.5 / this.sx) * normalInterval(-0.5 / this.sy, 0.5 / this.sy) * SQRT_TWO_PI * this.sz * normalInterval(-0.5 / this.sz, 0.5 / this.sz)
      : 1 / (TWO_PI * this.sx * this.sy);
  }

  intensityAt(xUm: number, yUm: number, dzUm: number): number {
    const ex = xUm / this.sxUm;
    const ey = yUm / this.syUm;
    const ez = dzUm / this.szUm;
    return Math.exp(-0.5 * (ex * ex + ey * ey + ez * ez)) / (TWO_PI * this.sxUm * this.syUm);
  }

  addToPlane(plane: Float32Array, ny: number, nx: number, xPx: number, yPx: number, dzUm: number, photons: number): void {
    const dzPx = dzUm / this.dz;
    const halfZ = GAUSSIAN_WINDOW_SIGMAS * this.sz + (this.integrate ? 0.5 : 0);
    if (dzPx < -halfZ || dzPx > halfZ) return;
    const wz = this.integrate
      ? SQRT_TWO_PI * this.sz * normalInterval((dzPx - 0.5) / this.sz, (dzPx + 0.5) / this.sz)
      : Math.exp((-0.5 * dzPx * dzPx) / (this.sz * this.sz));
    const x0 = Math.max(0, Math.ceil(xPx - GAUSSIAN_WINDOW_SIGMAS * this.sx - 1));
    const x1 = Math.min(nx - 1, Math.floor(xPx + GAUSSIAN_WINDOW_SIGMAS * this.sx + 1));
    const y0 = Math.max(0, Math.ceil(yPx - GAUSSIAN_WINDOW_SIGMAS * this.sy - 1));
    const y1 = Math.min(ny - 1, Math.floor(yPx + GAUSSIAN_WINDOW_SIGMAS * this.sy + 1));
    if (x0 > x1 || y0 > y1) return;
    fillAxisWeights(this.wx, x0, x1, xPx, this.sx, this.integrate);
    fillAxisWeights(this.wy, y0, y1, yPx, this.sy, this.integrate);
    const wx = this.wx;
    const wy = this.wy;
    const a = photons * wz;
    for (let j = y0; j <= y1; j++) {
      const ay = a * wy[j - y0];
      const row = j * nx;
      for (let i = x0; i <= x1; i++) plane[row + i] += ay * wx[i - x0];
    }
  }
}

/** Per-pixel weights of a unit-area 1D Gaussian: sampled density or box integral (pixel units). */
function fillAxisWeights(out: Float64Array, i0: number, i1: number, centre: number, sigma: number, integrate: boolean): void {
  if (integrate) {
    const inv = 1 / sigma;
    for (let i = i0; i <= i1; i++) out[i - i0] = normalInterval((i - 0.5 - centre) * inv, (i + 0.5 - centre) * inv);
  } else {
    const norm = 1 / (SQRT_TWO_PI * sigma);
    const k = -0.5 / (sigma * sigma);
    for (let i = i0; i <= i1; i++) {
      const d = i - centre;
      out[i - i0] = norm * Math.exp(k * d * d);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Scalar diffraction model
// ---------------------------------------------------------------------------------------------

interface PupilParams {
  readonly wavelengthUm: number;
  readonly na: number;
  readonly n: number;
  readonly debye: boolean;
  readonly zernike: readonly ZernikeTerm[];
}

/** Complex angular terms T_m(r, z) on a regular (z, r) grid: field S(r, ψ, z) = Σ_m e^{imψ}·T_m(r, z). */
interface FieldTable {
  readonly orders: Int32Array;
  readonly re: Float32Array[];
  readonly im: Float32Array[];
  /** Factor turning |S|² into intensity per µm² with unit plane integral (widefield). */
  readonly energyNorm: number;
}

interface Grid {
  readonly dr: number;
  readonly nr: number;
  readonly z0: number;
  readonly dzT: number;
  readonly nz: number;
}

/** Angular Fourier components f_m(ρ_j) of exp(i·W(ρ, φ)), W in radians. */
function pupilAngularTerms(zernike: readonly ZernikeTerm[], rho: Float64Array): { orders: number[]; re: Float64Array[]; im: Float64Array[] } {
  const nrho = rho.length;
  const symmetric = zernike.every((t) => nollToNm(t.noll)[1] === 0);
  if (symmetric) {
    const re = new Float64Array(nrho);
    const im = new Float64Array(nrho);
    for (let j = 0; j < nrho; j++) {
      let w = 0;
      for (const t of zernike) w += TWO_PI * t.waves * zernikeNoll(t.noll, rho[j], 0);
      re[j] = Math.cos(w);
      im[j] = Math.sin(w);
    }
    return { orders: [0], re: [re], im: [im] };
  }
  const nphi = PUPIL_ANGULAR_SAMPLES;
  const cosTab = new Float64Array(nphi);
  const sinTab = new Float64Array(nphi);
  for (let p = 0; p < nphi; p++) {
    cosTab[p] = Math.cos((TWO_PI * p) / nphi);
    sinTab[p] = Math.sin((TWO_PI * p) / nphi);
  }
  const wRe = new Float64Array(nphi);
  const wIm = new Float64Array(nphi);
  const nm = 2 * MAX_ANGULAR_ORDER + 1;
  const allRe = Array.from({ length: nm }, () => new Float64Array(nrho));
  const allIm = Array.from({ length: nm }, () => new Float64Array(nrho));
  const maxAbs = new Float64Array(nm);
  for (let j = 0; j < nrho; j++) {
    for (let p = 0; p < nphi; p++) {
      const phi = (TWO_PI * p) / nphi;
      let w = 0;
      for (const t of zernike) w += TWO_PI * t.waves * zernikeNoll(t.noll, rho[j], phi);
      wRe[p] = Math.cos(w);
      wIm[p] = Math.sin(w);
    }
    for (let q = 0; q < nm; q++) {
      const m = q - MAX_ANGULAR_ORDER;
      let sr = 0;
      let si = 0;
      for (let p = 0; p < nphi; p++) {
        // e^{−imφ_p}
        const idx = (((-m * p) % nphi) + nphi) % nphi;
        const c = cosTab[idx];
        const s = sinTab[idx];
        sr += wRe[p] * c - wIm[p] * s;
        si += wRe[p] * s + wIm[p] * c;
      }
      allRe[q][j] = sr / nphi;
      allIm[q][j] = si / nphi;
      maxAbs[q] = Math.max(maxAbs[q], Math.hypot(sr, si) / nphi);
    }
  }
  // keep significant orders, sorted by |m| so the renderer can build e^{i|m|ψ} incrementally
  const kept: number[] = [];
  for (let q = 0; q < nm; q++) if (maxAbs[q] > ANGULAR_ORDER_TOLERANCE) kept.push(q - MAX_ANGULAR_ORDER);
  kept.sort((a, b) => Math.abs(a) - Math.abs(b) || a - b);
  const orders: number[] = [];
  const res: Float64Array[] = [];
  const ims: Float64Array[] = [];
  for (const m of kept) {
    orders.push(m);
    res.push(allRe[m + MAX_ANGULAR_ORDER]);
    ims.push(allIm[m + MAX_ANGULAR_ORDER]);
  }
  return { orders, re: res, im: ims };
}

/** Largest |∂W/∂ρ| (radians per unit ρ) of the aberration phase, sampled. */
function maxAberrationSlope(zernike: readonly ZernikeTerm[]): number {
  if (zernike.length === 0) return 0;
  const nr = 100;
  const np = 16;
  let best = 0;
  for (let a = 0; a < np; a++) {
    const phi = (TWO_PI * a) / np;
    let prev = 0;
    for (let i = 0; i <= nr; i++) {
      let w = 0;
      for (const t of zernike) w += TWO_PI * t.waves * zernikeNoll(t.noll, i / nr, phi);
      if (i > 0) best = Math.max(best, Math.abs(w - prev) * nr);
      prev = w;
    }
  }
  return best;
}

/** Computes T_m(r, z) for one pupil on the grid. */
function computeFieldTable(p: PupilParams, g: Grid): FieldTable {
  const k = TWO_PI / p.wavelengthUm;
  const kna = k * p.na;
  const rMax = (g.nr - 1) * g.dr;
  const zAbsMax = Math.max(Math.abs(g.z0), Math.abs(g.z0 + (g.nz - 1) * g.dzT));
  // Highest local frequency of the integrand on t ∈ [−1, 1] (ρ = (t + 1)/2): Bessel, defocus and aberration phases.
  const omegaBessel = (kna * rMax) / 2;
  const omegaDefocus = p.debye ? (k * zAbsMax * p.na * p.na) / (2 * Math.sqrt(p.n * p.n - p.na * p.na)) : (k * zAbsMax * p.na * p.na) / (2 * p.n);
  const omegaAberration = maxAberrationSlope(p.zernike) / 2;
  const nrho = Math.min(4096, Math.ceil(0.75 * (omegaBessel + omegaDefocus + omegaAberration)) + 48);
  const { nodes: rho, weights } = gaussLegendre(nrho, 0, 1);
  const apod = new Float64Array(nrho);
  let apod2 = 0;
  for (let j = 0; j < nrho; j++) {
    apod[j] = p.debye ? (1 - ((p.na * rho[j]) / p.n) ** 2) ** -0.25 : 1;
    apod2 += weights[j] * apod[j] * apod[j] * rho[j];
  }
  const energyNorm = (kna * kna) / (TWO_PI * apod2);
  const ang = pupilAngularTerms(p.zernike, rho);
  const orders = Int32Array.from(ang.orders);
  const nt = orders.length;
  const absOrders = [...new Set(ang.orders.map((m) => Math.abs(m)))].sort((a, b) => a - b);
  const mMax = absOrders[absOrders.length - 1];
  // J_|m|(v_i ρ_j), one matrix per |m|
  const bessel = new Map<number, Float64Array>();
  for (const am of absOrders) bessel.set(am, new Float64Array(g.nr * nrho));
  const series = new Float64Array(mMax + 1);
  for (let i = 0; i < g.nr; i++) {
    const v = kna * i * g.dr;
    for (let j = 0; j < nrho; j++) {
      const x = v * rho[j];
      if (mMax === 0) {
        bessel.get(0)![i * nrho + j] = besselJ0(x);
      } else {
        besselJSeries(x, mMax, series);
        for (const am of absOrders) bessel.get(am)![i * nrho + j] = series[am];
      }
    }
  }
  const re: Float32Array[] = [];
  const im: Float32Array[] = [];
  for (let t = 0; t < nt; t++) {
    re.push(new Float32Array(g.nz * g.nr));
    im.push(new Float32Array(g.nz * g.nr));
  }
  const gRe = new Float64Array(nrho);
  const gIm = new Float64Array(nrho);
  const cosD = new Float64Array(nrho);
  const sinD = new Float64Array(nrho);
  // f_{+m} = c·f_{−m} (|c| = 1) for real cos/sin aberrations: then T_{+m} = c·T_{−m}, computed once
  const partner = new Int32Array(nt).fill(-1);
  const partnerRe = new Float64Array(nt);
  const partnerIm = new Float64Array(nt);
  for (let t = 0; t < nt; t++) {
    const m = orders[t];
    if (m <= 0) continue;
    const u = orders.indexOf(-m);
    if (u < 0) continue;
    let jBest = 0;
    for (let j = 0; j < nrho; j++) if (Math.hypot(ang.re[u][j], ang.im[u][j]) > Math.hypot(ang.re[u][jBest], ang.im[u][jBest])) jBest = j;
    const ar = ang.re[u][jBest];
    const ai = ang.im[u][jBest];
    const den = ar * ar + ai * ai;
    const cr = (ang.re[t][jBest] * ar + ang.im[t][jBest] * ai) / den;
    const ci = (ang.im[t][jBest] * ar - ang.re[t][jBest] * ai) / den;
    let ok = true;
    for (let j = 0; j < nrho && ok; j++) {
      const er = ang.re[t][j] - (cr * ang.re[u][j] - ci * ang.im[u][j]);
      const ei = ang.im[t][j] - (cr * ang.im[u][j] + ci * ang.re[u][j]);
      if (Math.hypot(er, ei) > 1e-9 * Math.sqrt(den)) ok = false;
    }
    if (ok) {
      partner[t] = u;
      partnerRe[t] = cr;
      partnerIm[t] = ci;
    }
  }
  for (let iz = 0; iz < g.nz; iz++) {
    const z = g.z0 + iz * g.dzT;
    for (let j = 0; j < nrho; j++) {
      const d = p.debye ? k * z * (Math.sqrt(p.n * p.n - p.na * p.na * rho[j] * rho[j]) - p.n) : (-k * z * p.na * p.na * rho[j] * rho[j]) / (2 * p.n);
      const a = weights[j] * rho[j] * apod[j];
      cosD[j] = a * Math.cos(d);
      sinD[j] = a * Math.sin(d);
    }
    for (let t = 0; t < nt; t++) {
      const base = iz * g.nr;
      if (partner[t] >= 0) {
        const u = partner[t];
        const cr = partnerRe[t];
        const ci = partnerIm[t];
        for (let i = 0; i < g.nr; i++) {
          const a = re[u][base + i];
          const b = im[u][base + i];
          re[t][base + i] = cr * a - ci * b;
          im[t][base + i] = cr * b + ci * a;
        }
        continue;
      }
      const fr = ang.re[t];
      const fi = ang.im[t];
      for (let j = 0; j < nrho; j++) {
        gRe[j] = cosD[j] * fr[j] - sinD[j] * fi[j];
        gIm[j] = cosD[j] * fi[j] + sinD[j] * fr[j];
      }
      const am = Math.abs(orders[t]);
      const jm = bessel.get(am)!;
      // i^|m| rotation
      const rot = am % 4;
      const outRe = re[t];
      const outIm = im[t];
      for (let i = 0; i < g.nr; i++) {
        let sr = 0;
        let si = 0;
        const row = i * nrho;
        for (let j = 0; j < nrho; j++) {
          const b = jm[row + j];
          sr += b * gRe[j];
          si += b * gIm[j];
        }
        let ore = sr;
        let oim = si;
        if (rot === 1) {
          ore = -si;
          oim = sr;
        } else if (rot === 2) {
          ore = -sr;
          oim = -si;
        } else if (rot === 3) {
          ore = si;
          oim = -sr;
        }
        outRe[base + i] = ore;
        outIm[base + i] = oim;
      }
    }
  }
  return { orders, re, im, energyNorm };
}

/** Scalar PSF renderer backed by a precomputed (r, z) table. */
class ScalarPsfKernel implements PsfKernel {
  readonly model = "scalar" as const;
  readonly fwhmUm: Xyz;
  readonly peakOffsetUm: Xyz;
  readonly dzRangeUm: readonly [number, number];
  readonly radiusUm: number;
  readonly peakPerPhoton: number;
  readonly spec: ResolvedScalarPsfSpec;
  private readonly grid: Grid;
  private readonly dx: number;
  private readonly dy: number;
  /** Symmetric case: normalised intensity table [iz·nr + ir]. */
  private readonly intensity: Float32Array | null;
  /** Asymmetric case: one or two field tables (emission, excitation) and the overall normalisation. */
  private readonly fields: FieldTable[];
  private readonly norm: number;
  private readonly row: Float32Array;
  private readonly rowsRe: Float32Array[][];
  private readonly rowsIm: Float32Array[][];

  constructor(spec: ResolvedScalarPsfSpec, voxelSizeUm: Zyx, options: PsfKernelOptions, beadDiameterUm: number) {
    this.spec = spec;
    this.dy = voxelSizeUm[1];
    this.dx = voxelSizeUm[2];
    const na = spec.numericalAperture;
    const n = spec.immersionIndex;
    const confocal = spec.modality === "confocal";
    const lambdas = confocal ? [spec.emissionWavelengthNm / 1000, spec.excitationWavelengthNm / 1000] : [spec.emissionWavelengthNm / 1000];
    const lambdaMin = Math.min(...lambdas);
    const lambdaMax = Math.max(...lambdas);
    const axialScale = (n * lambdaMin) / (na * na);
    const paraxialAxialFwhm = (1.772 * n * lambdaMax) / (na * na);
    const radiusUm = options.radiusUm ?? ((confocal ? CONFOCAL_RADIUS_LAMBDA_NA : WIDEFIELD_RADIUS_LAMBDA_NA) * lambdaMax) / na;
    requirePositive("radiusUm", radiusUm, "The table radius is in µm; leave it undefined for the default.");
    const requested = options.dzRangeUm ?? [-8 * paraxialAxialFwhm, 8 * paraxialAxialFwhm];
    requireFiniteTuple("dzRangeUm", requested, 2, "[min, max] in µm");
    if (!(requested[1] > requested[0])) {
      throw new InvalidArgumentError(`dzRangeUm is [${requested.join(", ")}]; expected min < max.`, "Give the axial range of the table as [min, max] in µm around the bead.");
    }
    // always cover ±4 axial FWHMs so the FWHM truth can be measured on the table
    const cover = 4 * paraxialAxialFwhm;
    const dzRange: [number, number] = [Math.min(requested[0], -cover), Math.max(requested[1], cover)];
    this.radiusUm = radiusUm;
    this.dzRangeUm = [dzRange[0], dzRange[1]];
    const dr = lambdaMin / na / RADIAL_STEPS_PER_LAMBDA_NA;
    const dzT = axialScale / AXIAL_STEPS_PER_N_LAMBDA_NA2;
    const pupils: PupilParams[] = lambdas.map((l) => ({ wavelengthUm: l, na, n, debye: spec.approximation === "debye", zernike: spec.zernike }));
    const symmetric = spec.zernike.every((t) => nollToNm(t.noll)[1] === 0);
    const beadR = beadDiameterUm / 2;
    if (beadR > 0 && !symmetric) {
      throw new InvalidArgumentError(
        `beadDiameterUm ${beadDiameterUm} cannot be combined with asymmetric aberrations (Zernike ${spec.zernike.map((t) => t.noll).join(", ")}).`,
        "Use beadDiameterUm: 0 (sub-resolution beads) with astigmatism/coma, or keep only defocus/spherical terms.",
      );
    }
    // grid, extended by the bead radius when the table is later convolved with a sphere
    const ext = beadR > 0 ? beadR + 2 * dr : 0;
    const nr = Math.ceil((radiusUm + ext) / dr) + 2;
    // z = 0 (the nominal focus) is a grid node, so a symmetric PSF peaks exactly there
    const z0 = -Math.ceil(-dzRange[0] / dzT) * dzT - (beadR > 0 ? Math.ceil(beadR / dzT + 2) * dzT : 0);
    const nz = Math.ceil((dzRange[1] + (beadR > 0 ? beadR + 2 * dzT : 0) - z0) / dzT) + 2;
    if (nr * nz * (symmetric ? 1 : 2 * 20) > MAX_TABLE_ENTRIES) {
      throw new InvalidArgumentError(
        `The scalar PSF table would need ${nr} × ${nz} (r × z) entries; the limit is ${MAX_TABLE_ENTRIES}.`,
        "Reduce the stack depth or radiusUm, or use the Gaussian model for very deep stacks.",
      );
    }
    const grid: Grid = { dr, nr, z0, dzT, nz };
    const tables = pupils.map((p) => computeFieldTable(p, grid));
    if (symmetric) {
      let table: Float32Array = new Float32Array(nr * nz);
      for (let q = 0; q < table.length; q++) {
        let v = 1;
        for (const t of tables) v *= (t.re[0][q] * t.re[0][q] + t.im[0][q] * t.im[0][q]) * t.energyNorm;
        table[q] = v;
      }
      let outGrid = grid;
      if (beadR > 0) {
        const conv = convolveWithSphere(table, grid, beadR, radiusUm, dzRange);
        table = conv.table;
        outGrid = conv.grid;
      }
      this.grid = outGrid;
      this.intensity = table;
      this.fields = [];
      this.norm = 1;
    } else {
      this.grid = grid;
      this.intensity = null;
      this.fields = tables;
      this.norm = tables.reduce((a, t) => a * t.energyNorm, 1);
    }
    this.row = new Float32Array(this.grid.nr);
    this.rowsRe = this.fields.map((f) => f.orders.length > 0 ? Array.from(f.orders, () => new Float32Array(this.grid.nr)) : []);
    this.rowsIm = this.fields.map((f) => f.orders.length > 0 ? Array.from(f.orders, () => new Float32Array(this.grid.nr)) : []);
    // Confocal: the product is not energy-preserving per plane; renormalise to a unit in-focus plane integral.
    if (confocal) {
      const e = this.planeIntegral(0);
      if (this.intensity) for (let q = 0; q < this.intensity.length; q++) this.intensity[q] /= e;
      else this.norm /= e;
    }
    const m = measurePsfFwhm(this, dr / 4, lambdaMax / na);
    this.fwhmUm = m.fwhmUm;
    this.peakOffsetUm = m.peakUm;
    this.peakPerPhoton = m.peakValue * this.dx * this.dy;
  }

  /** ∫ I(x, y, dz) dx dy over the table disk (polar quadrature). */
  private planeIntegral(dzUm: number): number {
    const nphi = 64;
    const g = this.grid;
    let s = 0;
    for (let i = 1; i < g.nr - 1; i++) {
      const r = i * g.dr;
      let ring = 0;
      for (let p = 0; p < nphi; p++) {
        const a = (TWO_PI * p) / nphi;
        ring += this.intensityAt(r * Math.cos(a), r * Math.sin(a), dzUm);
      }
      s += (ring / nphi) * TWO_PI * r * g.dr;
    }
    return s + this.intensityAt(0, 0, dzUm) * Math.PI * (g.dr / 2) ** 2;
  }

  intensityAt(xUm: number, yUm: number, dzUm: number): number {
    const g = this.grid;
    const r = Math.hypot(xUm, yUm);
    if (r > this.radiusUm || dzUm < this.dzRangeUm[0] || dzUm > this.dzRangeUm[1]) return 0;
    const tr = r / g.dr;
    const tz = (dzUm - g.z0) / g.dzT;
    const ir = Math.min(Math.floor(tr), g.nr - 2);
    const iz = Math.min(Math.max(Math.floor(tz), 0), g.nz - 2);
    const fr = tr - ir;
    const fz = tz - iz;
    const q00 = iz * g.nr + ir;
    if (this.intensity) return bilerp(this.intensity, q00, g.nr, fr, fz);
    const psi = r > 0 ? Math.atan2(yUm, xUm) : 0;
    let v = this.norm;
    for (const f of this.fields) {
      let sr = 0;
      let si = 0;
      for (let t = 0; t < f.orders.length; t++) {
        const a = psi * f.orders[t];
        const tre = bilerp(f.re[t], q00, g.nr, fr, fz);
        const tim = bilerp(f.im[t], q00, g.nr, fr, fz);
        const c = Math.cos(a);
        const s = Math.sin(a);
        sr += c * tre - s * tim;
        si += c * tim + s * tre;
      }
      v *= sr * sr + si * si;
    }
    return v;
  }

  addToPlane(plane: Float32Array, ny: number, nx: number, xPx: number, yPx: number, dzUm: number, photons: number): void {
    if (dzUm < this.dzRangeUm[0] || dzUm > this.dzRangeUm[1]) return;
    const g = this.grid;
    const tz = (dzUm - g.z0) / g.dzT;
    const iz = Math.min(Math.max(Math.floor(tz), 0), g.nz - 2);
    const fz = tz - iz;
    const dx = this.dx;
    const dy = this.dy;
    const rPxX = this.radiusUm / dx;
    const rPxY = this.radiusUm / dy;
    const x0 = Math.max(0, Math.ceil(xPx - rPxX));
    const x1 = Math.min(nx - 1, Math.floor(xPx + rPxX));
    const y0 = Math.max(0, Math.ceil(yPx - rPxY));
    const y1 = Math.min(ny - 1, Math.floor(yPx + rPxY));
    if (x0 > x1 || y0 > y1) return;
    const invDr = 1 / g.dr;
    const rLimit = this.radiusUm * invDr;
    const nrm2 = g.nr - 2;
    const scale = photons * dx * dy;
    if (this.intensity) {
      const row = this.row;
      const t = this.intensity;
      const a = iz * g.nr;
      const b = a + g.nr;
      for (let i = 0; i < g.nr; i++) row[i] = (1 - fz) * t[a + i] + fz * t[b + i];
      for (let j = y0; j <= y1; j++) {
        const ddy = (j - yPx) * dy;
        const ddy2 = ddy * ddy;
        const base = j * nx;
        for (let i = x0; i <= x1; i++) {
          const ddx = (i - xPx) * dx;
          const tr = Math.sqrt(ddx * ddx + ddy2) * invDr;
          if (tr > rLimit) continue;
          let ir = tr | 0;
          if (ir > nrm2) ir = nrm2;
          const fr = tr - ir;
          plane[base + i] += scale * (row[ir] + fr * (row[ir + 1] - row[ir]));
        }
      }
      return;
    }
    // asymmetric: interpolate every angular term in z, then sum e^{imψ}·T_m per pixel
    const nf = this.fields.length;
    for (let f = 0; f < nf; f++) {
      const fld = this.fields[f];
      const a = iz * g.nr;
      const b = a + g.nr;
      for (let t = 0; t < fld.orders.length; t++) {
        const rr = this.rowsRe[f][t];
        const ri = this.rowsIm[f][t];
        const tr = fld.re[t];
        const ti = fld.im[t];
        for (let i = 0; i < g.nr; i++) {
          rr[i] = (1 - fz) * tr[a + i] + fz * tr[b + i];
          ri[i] = (1 - fz) * ti[a + i] + fz * ti[b + i];
        }
      }
    }
    const s = scale * this.norm;
    for (let j = y0; j <= y1; j++) {
      const ddy = (j - yPx) * dy;
      const ddy2 = ddy * ddy;
      const base = j * nx;
      for (let i = x0; i <= x1; i++) {
        const ddx = (i - xPx) * dx;
        const r = Math.sqrt(ddx * ddx + ddy2);
        const tr = r * invDr;
        if (tr > rLimit) continue;
        let ir = tr | 0;
        if (ir > nrm2) ir = nrm2;
        const fr = tr - ir;
        const c1 = r > 0 ? ddx / r : 1;
        const s1 = r > 0 ? ddy / r : 0;
        let v = s;
        for (let f = 0; f < nf; f++) {
          const orders = this.fields[f].orders;
          const rowsRe = this.rowsRe[f];
          const rowsIm = this.rowsIm[f];
          let sr = 0;
          let si = 0;
          let cp = 1;
          let sp = 0;
          let pCur = 0;
          // orders are sorted by |m|; negative orders use the conjugate of e^{i|m|ψ}
          for (let t = 0; t < orders.length; t++) {
            const m = orders[t];
            const am = m < 0 ? -m : m;
            while (pCur < am) {
              const nc = cp * c1 - sp * s1;
              sp = cp * s1 + sp * c1;
              cp = nc;
              pCur++;
            }
            const rr = rowsRe[t];
            const ri = rowsIm[t];
            const tre = rr[ir] + fr * (rr[ir + 1] - rr[ir]);
            const tim = ri[ir] + fr * (ri[ir + 1] - ri[ir]);
            const ss = m < 0 ? -sp : sp;
            sr += cp * tre - ss * tim;
            si += cp * tim + ss * tre;
          }
          v *= sr * sr + si * si;
        }
        plane[base + i] += v;
      }
    }
  }
}

/** Bilinear interpolation in a (z, r) table at q00 = iz·nr + ir. */
function bilerp(t: Float32Array, q00: number, nr: number, fr: number, fz: number): number {
  const q10 = q00 + nr;
  return (1 - fz) * ((1 - fr) * t[q00] + fr * t[q00 + 1]) + fz * ((1 - fr) * t[q10] + fr * t[q10 + 1]);
}

/** Averages the intensity table over a uniform solid sphere of radius R (incoherent bead). */
function convolveWithSphere(table: Float32Array, g: Grid, radius: number, radiusUm: number, dzRange: readonly [number, number]): { table: Float32Array; grid: Grid } {
  const h = radius / SPHERE_CELLS_PER_RADIUS;
  const pts: number[] = [];
  for (let a = -SPHERE_CELLS_PER_RADIUS; a < SPHERE_CELLS_PER_RADIUS; a++) {
    for (let b = -SPHERE_CELLS_PER_RADIUS; b < SPHERE_CELLS_PER_RADIUS; b++) {
      for (let c = -SPHERE_CELLS_PER_RADIUS; c < SPHERE_CELLS_PER_RADIUS; c++) {
        const x = (a + 0.5) * h;
        const y = (b + 0.5) * h;
        const z = (c + 0.5) * h;
        if (x * x + y * y + z * z <= radius * radius) pts.push(x, y, z);
      }
    }
  }
  const np = pts.length / 3;
  const nr = Math.ceil(radiusUm / g.dr) + 2;
  const z0 = -Math.ceil(-dzRange[0] / g.dzT) * g.dzT;
  const nz = Math.ceil((dzRange[1] - z0) / g.dzT) + 2;
  const out = new Float32Array(nr * nz);
  for (let iz = 0; iz < nz; iz++) {
    const z = z0 + iz * g.dzT;
    for (let ir = 0; ir < nr; ir++) {
      const r = ir * g.dr;
      let s = 0;
      for (let p = 0; p < np; p++) {
        const px = r - pts[3 * p];
        const py = pts[3 * p + 1];
        const tr = Math.sqrt(px * px + py * py) / g.dr;
        const tz = (z - pts[3 * p + 2] - g.z0) / g.dzT;
        const jr = Math.floor(tr);
        const jz = Math.floor(tz);
        if (jr >= g.nr - 1 || jz < 0 || jz >= g.nz - 1) continue;
        const fr = tr - jr;
        const fz = tz - jz;
        const q = jz * g.nr + jr;
        s += (1 - fz) * ((1 - fr) * table[q] + fr * table[q + 1]) + fz * ((1 - fr) * table[q + g.nr] + fr * table[q + g.nr + 1]);
      }
      out[iz * nr + ir] = s / np;
    }
  }
  return { table: out, grid: { dr: g.dr, nr, z0, dzT: g.dzT, nz } };
}

// ---------------------------------------------------------------------------------------------
// Numerical FWHM of a kernel
// ---------------------------------------------------------------------------------------------

/**
 * Distance t ≥ 0 from (x0, y0, z0) along the unit direction e at which the intensity first drops below `half`:
 * stepping by `step`, then 50 bisections.
 * @throws InvalidArgumentError when the profile stays above `half` up to `limit`.
 */
function halfMaxDistance(kernel: PsfKernel, x0: number, y0: number, z0: number, ex: number, ey: number, ez: number, half: number, step: number, limit: number): number {
  let t = 0;
  while (t < limit) {
    const tn = t + step;
    if (kernel.intensityAt(x0 + ex * tn, y0 + ey * tn, z0 + ez * tn) < half) {
      let lo = t;
      let hi = tn;
      for (let k = 0; k < 50; k++) {
        const mid = (lo + hi) / 2;
        if (kernel.intensityAt(x0 + ex * mid, y0 + ey * mid, z0 + ez * mid) < half) hi = mid;
        else lo = mid;
      }
      return (lo + hi) / 2;
    }
    t = tn;
  }
  throw new InvalidArgumentError(
    `The PSF profile through (${x0.toFixed(3)}, ${y0.toFixed(3)}, ${z0.toFixed(3)}) µm does not fall to half maximum within ${limit.toFixed(2)} µm, so its FWHM cannot be measured.`,
    "Enlarge radiusUm / dzRangeUm, or reduce the aberration amplitude.",
  );
}

interface FwhmMeasurement {
  fwhmUm: Xyz;
  peakUm: Xyz;
  peakValue: number;
}

/** Finds the intensity maximum, then the half-maximum crossings along x, y and z through it (bisection). */
function measurePsfFwhm(kernel: PsfKernel, step: number, lateralSearchUm: number): FwhmMeasurement {
  const [zLo, zHi] = kernel.dzRangeUm;
  const nzs = 400;
  let best = { x: 0, y: 0, z: 0, v: -1 };
  const symmetricOnAxis = kernel instanceof ScalarPsfKernel && kernel.spec.zernike.every((t) => nollToNm(t.noll)[1] === 0);
  const nxy = symmetricOnAxis ? 0 : 8;
  const h = lateralSearchUm / 8;
  for (let a = 0; a <= nzs; a++) {
    const z = zLo + ((zHi - zLo) * a) / nzs;
    for (let b = -nxy; b <= nxy; b++) {
      for (let c = -nxy; c <= nxy; c++) {
        const v = kernel.intensityAt(b * h, c * h, z);
        if (v > best.v) best = { x: b * h, y: c * h, z, v };
      }
    }
  }
  // local refinement by shrinking pattern search
  let sz = (zHi - zLo) / nzs;
  let sxy = symmetricOnAxis ? 0 : h;
  for (let it = 0; it < 60; it++) {
    let improved = false;
    const cands: [number, number, number][] = [
      [best.x, best.y, best.z + sz],
      [best.x, best.y, best.z - sz],
    ];
    if (sxy > 0) cands.push([best.x + sxy, best.y, best.z], [best.x - sxy, best.y, best.z], [best.x, best.y + sxy, best.z], [best.x, best.y - sxy, best.z]);
    for (const [x, y, z] of cands) {
      const v = kernel.intensityAt(x, y, z);
      if (v > best.v) {
        best = { x, y, z, v };
        improved = true;
      }
    }
    if (!improved) {
      sz /= 2;
      sxy /= 2;
    }
    if (sz < 1e-6 && sxy < 1e-6) break;
  }
  const half = best.v / 2;
  const crossing = (ex: number, ey: number, ez: number, s: number, limit: number): number =>
    halfMaxDistance(kernel, best.x, best.y, best.z, ex, ey, ez, half, s, limit);
  const lat = kernel.radiusUm;
  const fx = crossing(1, 0, 0, step, lat) + crossing(-1, 0, 0, step, lat);
  const fy = crossing(0, 1, 0, step, lat) + crossing(0, -1, 0, step, lat);
  const zs = (zHi - zLo) / 2000;
  const fz = crossing(0, 0, 1, zs, zHi - best.z) + crossing(0, 0, -1, zs, best.z - zLo);
  // + 0 turns −0 into 0
  return { fwhmUm: [fx, fy, fz], peakUm: [best.x + 0, best.y + 0, best.z + 0], peakValue: best.v };
}

/** FWHM and peak position of a scalar PSF model, measured numerically on its table. */
export interface ScalarPsfFwhm {
  /** FWHM [x, y, z], µm, through the intensity maximum. */
  readonly fwhmUm: Xyz;
  /** Position of the intensity maximum relative to the nominal focus, [x, y, z] µm. */
  readonly peakOffsetUm: Xyz;
  /** The resolved model. */
  readonly spec: ResolvedScalarPsfSpec;
}

/**
 * Theoretical FWHM of a scalar PSF model, measured numerically from its lookup table.
 *
 * @param spec - The scalar model.
 * @param options - `beadDiameterUm` (sphere-convolved table), `dzRangeUm`, `radiusUm` as in {@link PsfKernelOptions}.
 * @returns FWHM [x, y, z] in µm through the intensity maximum and the maximum's offset from nominal focus.
 * @throws InvalidArgumentError for an invalid model or a table range that misses the half maximum.
 *
 * Notes: profiles are taken along the image axes through the 3D maximum (best focus); with spherical aberration
 * the maximum moves away from the nominal focus (`peakOffsetUm[2]`). Crossings are located by bisection on the
 * bilinearly interpolated table (steps λ/(32·NA) and n·λ/(24·NA²)); the paraxial aberration-free case reproduces
 * 0.5145·λ/NA and 1.772·n·λ/NA² to better than 0.5 %.
 * @example
 * scalarPsfFwhmUm({ kind: "scalar", numericalAperture: 1.4, emissionWavelengthNm: 520 }).fwhmUm; // → ≈ [0.191, 0.191, 0.714]
 * @see Born & Wolf §8.8 (Airy pattern and axial intensity sinc²(u/4)).
 */
export function scalarPsfFwhmUm(spec: ScalarPsfSpec, options: Omit<PsfKernelOptions, "pixelIntegration"> = {}): ScalarPsfFwhm {
  const r = resolveScalarPsfSpec(spec);
  // voxel size is irrelevant to the measurement; any positive value works
  const k = new ScalarPsfKernel(r, [0.1, 0.05, 0.05], options, options.beadDiameterUm ?? 0);
  return { fwhmUm: k.fwhmUm, peakOffsetUm: k.peakOffsetUm, spec: r };
}

/**
 * Lateral FWHM [x, y] (µm) of a kernel in the plane at axial offset dzUm, through the plane's maximum on the
 * lateral search grid (±λ/NA for scalar kernels).
 *
 * @param kernel - A kernel from {@link createPsfKernel}.
 * @param dzUm - Axial offset of the plane from the nominal bead centre, µm.
 * @returns [FWHM_x, FWHM_y] in µm.
 * @throws InvalidArgumentError when the profile does not fall to half maximum inside the kernel radius.
 *
 * Notes: used to show astigmatism (x and y widths swap above and below focus).
 * @example
 * const k = createPsfKernel({ kind: "scalar", zernike: [{ noll: 6, waves: 0.12 }] }, [0.1, 0.05, 0.05]);
 * lateralFwhmAtUm(k, 0.4); // x and y differ, and swap at −0.4 µm
 * @see microscopy-metrics astigmatism index (peers.md F30).
 */
export function lateralFwhmAtUm(kernel: PsfKernel, dzUm: number): readonly [x: number, y: number] {
  const step = kernel.radiusUm / 2000;
  let bx = 0;
  let by = 0;
  let bv = kernel.intensityAt(0, 0, dzUm);
  const search = kernel.radiusUm / 6;
  const ns = 24;
  for (let a = -ns; a <= ns; a++) {
    for (let b = -ns; b <= ns; b++) {
      const v = kernel.intensityAt((a * search) / ns, (b * search) / ns, dzUm);
      if (v > bv) {
        bv = v;
        bx = (a * search) / ns;
        by = (b * search) / ns;
      }
    }
  }
  const half = bv / 2;
  const cross = (ex: number, ey: number): number => halfMaxDistance(kernel, bx, by, dzUm, ex, ey, 0, half, step, kernel.radiusUm);
  return [cross(1, 0) + cross(-1, 0), cross(0, 1) + cross(0, -1)];
}

// ---------------------------------------------------------------------------------------------
// Standalone PSF images
// ---------------------------------------------------------------------------------------------

/** Options for {@link evaluatePsf}. */
export interface EvaluatePsfOptions extends PsfKernelOptions {
  /** Image shape [nz, ny, nx]. @default [33, 65, 65] */
  readonly shape?: Zyx;
  /** Voxel size [dz, dy, dx], µm. @default [0.1, 0.05, 0.05] */
  readonly voxelSizeUm?: Zyx;
  /** PSF centre [x, y, z] in pixels (pixel centres at integers). @default the central voxel */
  readonly centrePx?: Xyz;
  /** In-focus plane integral, photons. @default 1 */
  readonly photons?: number;
}

/** A noise-free PSF image and what was planted. */
export interface PsfImage {
  /** Expected photons per voxel (no noise, no background). */
  readonly image: ImageView<Float32Array>;
  readonly truth: {
    readonly model: "gaussian" | "scalar";
    readonly centrePx: Xyz;
    readonly centreUm: Xyz;
    /** Effective FWHM [x, y, z], µm (see {@link PsfKernel.fwhmUm}). */
    readonly fwhmUm: Xyz;
    readonly peakOffsetUm: Xyz;
    readonly photons: number;
    readonly pixelIntegration: boolean;
    readonly beadDiameterUm: number;
  };
}

/**
 * Evaluates a PSF model on a voxel grid around a sub-pixel centre (noise-free).
 *
 * @param spec - Gaussian or scalar model.
 * @param options - Grid, centre, photons and kernel options.
 * @returns `{ image, truth }`: expected photons per voxel, and the planted centre and FWHM.
 * @throws InvalidArgumentError for invalid sizes or models (see {@link createPsfKernel}).
 *
 * Notes: sampling convention in the module header (pixel centres at integer coordinates, point sampling unless
 * `pixelIntegration`). The in-focus plane sums to `photons` up to truncation of the kernel window.
 * @example
 * const { image, truth } = evaluatePsf({ kind: "gaussian", fwhmUm: [0.3, 0.3, 0.9] }, { centrePx: [32.3, 31.8, 16.1] });
 * // truth.fwhmUm → [0.3, 0.3, 0.9]
 * @see Born & Wolf §8.8.
 */
export function evaluatePsf(spec: PsfSpec, options: EvaluatePsfOptions = {}): PsfImage {
  const shape = options.shape ?? [33, 65, 65];
  const voxelSizeUm = options.voxelSizeUm ?? [0.1, 0.05, 0.05];
  requireShape("shape", shape, 3);
  requireVoxelSize("voxelSizeUm", voxelSizeUm, 3);
  const [nz, ny, nx] = shape;
  const centrePx = options.centrePx ?? [(nx - 1) / 2, (ny - 1) / 2, (nz - 1) / 2];
  requireFiniteTuple("centrePx", centrePx, 3, "[x, y, z] in pixels");
  const photons = options.photons ?? 1;
  requireNonNegative("photons", photons);
  const [dz, dy, dx] = voxelSizeUm;
  const dzRange = options.dzRangeUm ?? (spec.kind === "scalar" ? [-centrePx[2] * dz - dz, (nz - 1 - centrePx[2]) * dz + dz] : undefined);
  const kernel = createPsfKernel(spec, voxelSizeUm, { ...options, dzRangeUm: dzRange });
  const data = new Float32Array(nz * ny * nx);
  for (let k = 0; k < nz; k++) {
    const plane = data.subarray(k * ny * nx, (k + 1) * ny * nx);
    kernel.addToPlane(plane, ny, nx, centrePx[0], centrePx[1], (k - centrePx[2]) * dz, photons);
  }
  return {
    image: makeImage(data, [nz, ny, nx], { voxelSizeUm: [dz, dy, dx] }),
    truth: {
      model: kernel.model,
      centrePx: [centrePx[0], centrePx[1], centrePx[2]],
      centreUm: [centrePx[0] * dx, centrePx[1] * dy, centrePx[2] * dz],
      fwhmUm: kernel.fwhmUm,
      peakOffsetUm: kernel.peakOffsetUm,
      photons,
      pixelIntegration: options.pixelIntegration ?? false,
      beadDiameterUm: options.beadDiameterUm ?? 0,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Field-dependent effects
// ---------------------------------------------------------------------------------------------

/** Field-dependent focus: tilted focal plane and field curvature. */
export interface FieldFocusOptions {
  /**
   * Tilt of the focal plane, mrad, [along x, along y]: Δz = tan(θx)·(x − x_c) + tan(θy)·(y − y_c), with (x_c, y_c)
   * the field centre. @default [0, 0]
   */
  readonly fieldTiltMrad?: readonly [x: number, y: number];
  /**
   * Field curvature as a paraboloid: Δz = sag·ρ²/R², where ρ is the distance from the field centre and R the
   * half-diagonal (centre to corner), so `fieldCurvatureUm` is the focus shift at the field corner, µm. @default 0
   */
  readonly fieldCurvatureUm?: number;
}

/**
 * Focus shift (µm) of a point at (xUm, yUm) from a tilted, curved focal surface.
 *
 * @param xUm - Lateral position x, µm.
 * @param yUm - Lateral position y, µm.
 * @param fieldCentreUm - Field centre (optical axis) [x, y], µm.
 * @param cornerRadiusUm - Distance from the field centre to the corner, µm (> 0).
 * @param field - Tilt and curvature.
 * @returns Δz, µm, added to the bead's z (positive = focuses at a larger stack index).
 * @throws Never.
 *
 * Notes: analysis side: fit z₀ = a + b·x + c·y (+ quadric) over bead focus positions (peers.md F13).
 * @example
 * focusShiftUm(100, 80, [50, 40], Math.hypot(50, 40), { fieldCurvatureUm: 1.5 }); // → 1.5 (at the corner)
 * @see PSFj field maps, Theer et al. Nat Methods 11:981 (2014), doi:10.1038/nmeth.3102.
 */
export function focusShiftUm(xUm: number, yUm: number, fieldCentreUm: readonly [number, number], cornerRadiusUm: number, field: FieldFocusOptions): number {
  const [tx, ty] = field.fieldTiltMrad ?? [0, 0];
  const dxc = xUm - fieldCentreUm[0];
  const dyc = yUm - fieldCentreUm[1];
  const sag = field.fieldCurvatureUm ?? 0;
  return Math.tan(tx / 1000) * dxc + Math.tan(ty / 1000) * dyc + (sag * (dxc * dxc + dyc * dyc)) / (cornerRadiusUm * cornerRadiusUm);
}

/**
 * Position of a point in a channel with lateral chromatic magnification and a constant shift.
 *
 * @param positionUm - Position [x, y, z] in the reference channel, µm.
 * @param fieldCentreUm - Centre of magnification [x, y], µm (the optical axis).
 * @param magnification - Relative lateral magnification of the channel (1 = none; 1.001 = +0.1 %).
 * @param shiftUm - Constant shift [x, y, z], µm.
 * @returns [x, y, z] in the channel, µm: x' = x_c + M·(x − x_c) + s_x (same for y), z' = z + s_z.
 * @throws Never.
 *
 * Notes: axial chromatic aberration is the z shift; magnification is lateral only.
 * @example
 * chromaticPositionUm([60, 30, 5], [50, 40], 1.01, [0.1, -0.2, 0.3]); // → [60.2, 29.7, 5.3]
 * @see ISO 21073:2019 (chromatic aberration); MetroloJ_QC co-alignment.
 */
export function chromaticPositionUm(positionUm: Xyz, fieldCentreUm: readonly [number, number], magnification: number, shiftUm: Xyz): Xyz {
  return [
    fieldCentreUm[0] + magnification * (positionUm[0] - fieldCentreUm[0]) + shiftUm[0],
    fieldCentreUm[1] + magnification * (positionUm[1] - fieldCentreUm[1]) + shiftUm[1],
    positionUm[2] + shiftUm[2],
  ];
}
