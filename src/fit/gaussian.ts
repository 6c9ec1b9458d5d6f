/**
 * Gaussian peak fits in 1D, 2D (axis-aligned or rotated) and 3D (axis-aligned), by
 * Levenberg–Marquardt with analytic Jacobians. All widths are in the input's coordinate
 * unit (pixels for images); callers convert to µm.
 * @module
 */
import { DimensionError, FitError, InvalidArgumentError } from "../core/errors.js";
import type { ImageView } from "../image/types.js";
import { FWHM_PER_SIGMA } from "../optics/constants.js";
import { finiteCopy, selectInPlace } from "./internal.js";
import { type FitParameter, type LmOptions, type LmResult, type LmStopReason, levenbergMarquardt, type ModelFunction } from "./lm.js";

/** Fit controls shared by the Gaussian fits (weights, tolerances, iteration limit); see {@link LmOptions}. */
export type GaussianFitOptions = Pick<LmOptions, "weights" | "weightsAreInverseVariance" | "maxIterations" | "ftol" | "xtol" | "gtol">;

/** Convergence and quality fields common to all Gaussian fit results. */
export interface GaussianFitQuality {
  /** 1 − SSres/SStot (F2 in peers.md; not ImageJ's getFitGoodness). */
  readonly rSquared: number;
  /** Residual sum of squares at the optimum (weighted if weights were given), intensity². */
  readonly ssr: number;
  readonly converged: boolean;
  readonly iterations: number;
  readonly reason: LmStopReason;
}

/** Starting values for {@link fitGaussian1D}; anything omitted is estimated from the data. */
export interface Gaussian1DInit {
  centre?: number;
  sigma?: number;
  amplitude?: number;
  offset?: number;
}

/** Result of {@link fitGaussian1D}. Values ± one standard error; x units for centre/sigma/fwhm. */
export interface Gaussian1DFit extends GaussianFitQuality {
  readonly centre: FitParameter;
  readonly sigma: FitParameter;
  /** FWHM = FWHM_PER_SIGMA·σ, SE scaled likewise. */
  readonly fwhm: FitParameter;
  /** Peak height above the offset, y units. */
  readonly amplitude: FitParameter;
  /** Baseline, y units. */
  readonly offset: FitParameter;
}

/** Starting values for {@link fitGaussian2D}. sigmaX/sigmaY for axis-aligned fits, sigma1/sigma2/angleRad for rotated ones. */
export interface Gaussian2DInit {
  centreX?: number;
  centreY?: number;
  sigmaX?: number;
  sigmaY?: number;
  sigma1?: number;
  sigma2?: number;
  angleRad?: number;
  amplitude?: number;
  offset?: number;
}

/** Options of {@link fitGaussian2D}. */
export interface Gaussian2DOptions extends GaussianFitOptions {
  /** Fit a rotated elliptical Gaussian (σ1, σ2, θ) instead of an axis-aligned one (σx, σy). @default false */
  rotated?: boolean;
  /** Starting values; omitted ones come from the half-maximum region's moments. @default {} */
  init?: Gaussian2DInit;
}

/**
 * Result of {@link fitGaussian2D}, in pixels with pixel centres at integer (x = column, y = row).
 * Both parametrisations are always filled:
 * - axis-aligned fit: sigmaX/sigmaY fitted; sigma1 = max, sigma2 = min, angleRad = 0 (σx ≥ σy) or π/2,
 *   with angle standard error 0 (fixed by the model, not measured);
 * - rotated fit: sigma1 ≥ sigma2 along the principal axes, angleRad ∈ (−π/2, π/2] from +x towards +y
 *   (the direction of the σ1 axis; image y points down), and sigmaX/sigmaY are the marginal SDs
 *   √(σ1²cos²θ + σ2²sin²θ), √(σ1²sin²θ + σ2²cos²θ) with delta-method standard errors.
 */
export interface Gaussian2DFit extends GaussianFitQuality {
  readonly rotated: boolean;
  readonly centreX: FitParameter;
  readonly centreY: FitParameter;
  readonly sigmaX: FitParameter;
  readonly sigmaY: FitParameter;
  readonly sigma1: FitParameter;
  readonly sigma2: FitParameter;
  readonly angleRad: FitParameter;
  readonly fwhmX: FitParameter;
  readonly fwhmY: FitParameter;
  readonly fwhm1: FitParameter;
  readonly fwhm2: FitParameter;
  readonly amplitude: FitParameter;
  readonly offset: FitParameter;
}

/** Starting values for {@link fitGaussian3D}, pixels / intensity units. */
export interface Gaussian3DInit {
  centreX?: number;
  centreY?: number;
  centreZ?: number;
  sigmaX?: number;
  sigmaY?: number;
  sigmaZ?: number;
  amplitude?: number;
  offset?: number;
}

/** Options of {@link fitGaussian3D}. */
export interface Gaussian3DOptions extends GaussianFitOptions {
  /** Share one lateral width σx = σy (7 parameters instead of 8). @default false */
  tieLateralSigma?: boolean;
}

/** Result of {@link fitGaussian3D}, in pixels (voxel indices, centres at integers). */
export interface Gaussian3DFit extends GaussianFitQuality {
  readonly centreX: FitParameter;
  readonly centreY: FitParameter;
  readonly centreZ: FitParameter;
  readonly sigmaX: FitParameter;
  readonly sigmaY: FitParameter;
  readonly sigmaZ: FitParameter;
  readonly fwhmX: FitParameter;
  readonly fwhmY: FitParameter;
  readonly fwhmZ: FitParameter;
  readonly amplitude: FitParameter;
  readonly offset: FitParameter;
}

/** Lowest width the fits may reach, as a fraction of the sample spacing (keeps σ > 0). */
const SIGMA_MIN_FRACTION = 1e-3;
/** Smallest automatic starting width, in sample spacings. */
const SIGMA_GUESS_MIN = 0.5;
/** Percentile of the data used as the starting background for 2D/3D fits. */
const OFFSET_GUESS_QUANTILE = 0.1;
const TWO_LN2 = 2 * Math.LN2;
/** Smallest starting σ1/σ2 ratio for the rotated fit, so the angle has a non-zero derivative. */
const MIN_START_ELONGATION = 1.05;

/**
 * Fits y = offset + amplitude·exp(−(x − centre)²/(2σ²)) to a 1D profile.
 *
 * @param x - Sample positions (any unit, e.g. pixels or µm), N values.
 * @param y - Intensities at x, N values (N ≥ 5).
 * @param init - Optional starting values; omitted ones are guessed: offset = min(y),
 *   amplitude = max(y) − offset, centre and σ from the half-maximum crossings (linear
 *   interpolation; centre = their midpoint), falling back to the argmax and the second moment.
 * @param options - Weights and fit controls, see {@link GaussianFitOptions}.
 * @returns centre, sigma, fwhm, amplitude, offset (value + standard error) and fit quality.
 * @throws FitError when N ≤ 4, the data are not finite, the profile is flat, or the fit is singular.
 * @throws InvalidArgumentError when x and y differ in length or init.sigma ≤ 0.
 *
 * Notes: this is MetroloJ_QC's profile model (F1 in peers.md: I = a + (b − a)·exp(−(x − c)²/(2d²)),
 * amplitude = b − a). σ is kept > 0 by a lower bound of 1e-3 sample spacings. Standard errors are
 * scaled by s² = SSR/(N − 4) unless true 1/σ² weights are given (see {@link LmResult}).
 * A profile through the brightest pixel of a bead is biased when the true centre is off the
 * profile line (peers.md §2.2); prefer {@link fitGaussian3D} or {@link fitGaussian2D}.
 *
 * @see MetroloJ_QC `resolution/PSFprofiler.java`; Faklaris et al. (2022) J Cell Biol 221:e202107093, doi:10.1083/jcb.202107093
 * @example
 * ```ts
 * const x = Array.from({ length: 21 }, (_, i) => i);
 * const y = x.map((v) => 10 + 100 * Math.exp(-((v - 10.3) ** 2) / (2 * 2 ** 2)));
 * fitGaussian1D(x, y).fwhm.value; // ≈ 4.7096 (= 2.35482·2)
 * ```
 */
export function fitGaussian1D(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  init: Gaussian1DInit = {},
  options: GaussianFitOptions = {},
): Gaussian1DFit {
  if (x.length !== y.length) {
    throw new InvalidArgumentError(`x has ${x.length} values but y has ${y.length}.`, "Pass one position per intensity sample.");
  }
  const xs = finiteCopy(x, "x");
  const ys = finiteCopy(y, "y");
  const n = xs.length;
  if (n <= 4) {
    throw new FitError(`A 1D Gaussian fit has 4 parameters but the profile has only ${n} samples.`, "Use a profile of at least 5 (better ≥ 3 FWHM long) samples.");
  }
  let xmin = xs[0];
  let xmax = xs[0];
  let ymin = ys[0];
  let ymax = ys[0];
  let imax = 0;
  for (let i = 1; i < n; i++) {
    if (xs[i] < xmin) xmin = xs[i];
    if (xs[i] > xmax) xmax = xs[i];
    if (ys[i] < ymin) ymin = ys[i];
    if (ys[i] > ymax) {
      ymax = ys[i];
      imax = i;
    }
  }
  const spacing = (xmax - xmin) / (n - 1);
  if (!(spacing > 0)) {
    throw new FitError(`All ${n} x positions are equal (${xmin}); a width cannot be fitted.`, "Pass the sample positions along the profile.");
  }
  const offset0 = init.offset ?? ymin;
  const amp0 = init.amplitude ?? ymax - offset0;
  if (init.amplitude === undefined && !(ymax > ymin)) {
    throw new FitError(`The profile is flat (all values ${ymin}); there is no peak to fit.`, "Check that the profile crosses the object (bead, line) and is not saturated or empty.");
  }
  checkSigmaInit(init.sigma, "sigma");
  const crossing = halfMaxCrossings(xs, ys, imax, offset0, amp0);
  const centre0 = crossing?.centre ?? xs[imax];
  const sigma0 = Math.max(crossing?.sigma ?? momentSigma1D(xs, ys, offset0, xs[imax]), SIGMA_GUESS_MIN * spacing);
  const p0 = [offset0, amp0, init.centre ?? centre0, init.sigma ?? sigma0];
  const model: ModelFunction = (p, i, jac) => {
    const d = xs[i] - p[2];
    const s = p[3];
    const is2 = 1 / (s * s);
    const e = Math.exp(-0.5 * d * d * is2);
    const ae = p[1] * e;
    jac[0] = 1;
    jac[1] = e;
    jac[2] = ae * d * is2;
    jac[3] = (ae * d * d * is2) / s;
    return p[0] + ae;
  };
  const inf = Number.POSITIVE_INFINITY;
  const r = levenbergMarquardt(model, ys, p0, {
    ...options,
    lowerBounds: [-inf, -inf, -inf, SIGMA_MIN_FRACTION * spacing],
    parameterNames: ["offset", "amplitude", "centre", "sigma"],
  });
  const sigma = param(r, 3);
  return {
    centre: param(r, 2),
    sigma,
    fwhm: fwhmOf(sigma),
    amplitude: param(r, 1),
    offset: param(r, 0),
    ...quality(r),
  };
}

/** Centre and σ from the half-maximum crossings around imax, or null when x is not monotonic or no crossing exists. */
function halfMaxCrossings(xs: Float64Array, ys: Float64Array, imax: number, offset: number, amp: number): { centre: number; sigma: number } | null {
  const n = xs.length;
  const ascending = xs[n - 1] > xs[0];
  for (let i = 1; i < n; i++) if (ascending ? xs[i] <= xs[i - 1] : xs[i] >= xs[i - 1]) return null;
  const half = offset + 0.5 * amp;
  let left = Number.NaN;
  for (let i = imax; i > 0; i--) {
    if (ys[i - 1] < half) {
      left = xs[i - 1] + ((half - ys[i - 1]) / (ys[i] - ys[i - 1])) * (xs[i] - xs[i - 1]);
      break;
    }
  }
  let right = Number.NaN;
  for (let i = imax; i < n - 1; i++) {
    if (ys[i + 1] < half) {
      right = xs[i] + ((ys[i] - half) / (ys[i] - ys[i + 1])) * (xs[i + 1] - xs[i]);
      break;
    }
  }
  const hasL = Number.isFinite(left);
  const hasR = Number.isFinite(right);
  if (hasL && hasR) return { centre: 0.5 * (left + right), sigma: Math.abs(right - left) / FWHM_PER_SIGMA };
  if (hasL) return { centre: xs[imax], sigma: (2 * Math.abs(xs[imax] - left)) / FWHM_PER_SIGMA };
  if (hasR) return { centre: xs[imax], sigma: (2 * Math.abs(right - xs[imax])) / FWHM_PER_SIGMA };
  return null;
}

/** σ from the second moment of the positive part of (y − offset) about c. */
function momentSigma1D(xs: Float64Array, ys: Float64Array, offset: number, c: number): number {
  let sw = 0;
  let s2 = 0;
  for (let i = 0; i < xs.length; i++) {
    const wv = ys[i] - offset;
    if (wv > 0) {
      sw += wv;
      s2 += wv * (xs[i] - c) ** 2;
    }
  }
  return sw > 0 ? Math.sqrt(s2 / sw) : 0;
}

/**
 * Fits a 2D Gaussian spot: axis-aligned
 * I = offset + A·exp(−(x − x0)²/(2σx²) − (y − y0)²/(2σy²)), or rotated (`rotated: true`)
 * I = offset + A·exp(−u²/(2σ1²) − v²/(2σ2²)), u = (x − x0)cosθ + (y − y0)sinθ, v = −(x − x0)sinθ + (y − y0)cosθ.
 *
 * @param image - A single-plane {@link ImageView} (shape [1, ny, nx]).
 * @param options - `rotated` (default false), `init`, weights, tolerances.
 * @returns Centre, widths (both parametrisations, see {@link Gaussian2DFit}), FWHMs, amplitude, offset, quality; pixels.
 * @throws DimensionError when the data length does not match the dims, an axis has < 3 pixels, or the image has nz > 1.
 * @throws FitError when there are too few pixels, non-finite data, a flat image, or a singular fit
 *   (a perfectly round spot fitted with `rotated: true` has an undefined angle).
 * @throws InvalidArgumentError when an init width is ≤ 0.
 *
 * Notes: coordinates are pixel indices (pixel centres at integers); the model is point-sampled at
 * pixel centres (no pixel integration, as in MetroloJ_QC, PSFj and napari-psf-analysis), so for a
 * detector that integrates over the pixel the fitted σ² ≈ σ_true² + 1/12 px² (+4 % at σ = 1 px, +1 % at 2 px).
 * Automatic start: offset = 10th percentile, amplitude = max − offset, centre = centroid of the
 * above-half-maximum pixels weighted by their excess, widths/angle from the covariance of that
 * region (uniform-ellipse moments, σ² = 2·var/ln 2). Standard errors as in {@link LmResult}.
 *
 * @see PSFj `BeadFrame2D.findPSF` (F3 in peers.md); Theer et al. (2014) Nat Methods 11:981, doi:10.1038/nmeth.3102
 */
export function fitGaussian2D(image: ImageView, options?: Gaussian2DOptions): Gaussian2DFit;
/**
 * Fits a 2D Gaussian spot to raw pixel values; same model, result and errors as the
 * {@link ImageView} overload.
 * @param data - Pixel values row-major, x fastest (index = y·nx + x), any numeric array.
 * @param dims - ROI shape [ny, nx].
 * @param options - `rotated` (default false), `init`, weights, tolerances.
 * @returns See {@link Gaussian2DFit}; pixels.
 * @throws DimensionError when data.length ≠ ny·nx or an axis has < 3 pixels.
 * @throws FitError for too few pixels, non-finite data, a flat ROI, or a singular fit.
 * @throws InvalidArgumentError when an init width is ≤ 0.
 */
export function fitGaussian2D(data: ArrayLike<number>, dims: readonly [number, number], options?: Gaussian2DOptions): Gaussian2DFit;
/** Implementation of both overloads. */
export function fitGaussian2D(
  imageOrData: ImageView | ArrayLike<number>,
  dimsOrOptions?: readonly [number, number] | Gaussian2DOptions,
  maybeOptions?: Gaussian2DOptions,
): Gaussian2DFit {
  let data: ArrayLike<number>;
  let ny: number;
  let nx: number;
  let options: Gaussian2DOptions;
  if (isImageView(imageOrData)) {
    const [nz, sy, sx] = imageOrData.shape;
    if (nz !== 1) {
      throw new DimensionError(
        `fitGaussian2D needs a single plane but the image has ${nz} slices (shape [${imageOrData.shape.join(", ")}]).`,
        "Pick one z-plane (e.g. the best-focus slice) or use fitGaussian3D.",
      );
    }
    data = imageOrData.data;
    ny = sy;
    nx = sx;
    options = (dimsOrOptions as Gaussian2DOptions | undefined) ?? {};
  } else {
    const dims = dimsOrOptions as readonly [number, number] | undefined;
    if (!Array.isArray(dims) || dims.length !== 2) {
      throw new DimensionError("fitGaussian2D(data, dims) needs dims = [ny, nx].", "Pass the ROI size as [rows, columns].");
    }
    [ny, nx] = dims;
    data = imageOrData;
    options = maybeOptions ?? {};
  }
  checkDims([ny, nx], data.length, "fitGaussian2D");
  const v = finiteCopy(data, "data");
  const rotated = options.rotated ?? false;
  const init = options.init ?? {};
  const g = guessMoments(v, [1, ny, nx], init.offset, init.amplitude);
  for (const [key, val] of Object.entries(init)) if (key.startsWith("sigma")) checkSigmaInit(val as number | undefined, key);
  const x0 = init.centreX ?? g.cx;
  const y0 = init.centreY ?? g.cy;
  const inf = Number.POSITIVE_INFINITY;
  const sMin = SIGMA_MIN_FRACTION;
  let r: LmResult;
  if (!rotated) {
    const ex = new Float64Array(nx);
    const gx = new Float64Array(nx);
    const hx = new Float64Array(nx);
    const ey = new Float64Array(ny);
    const gy = new Float64Array(ny);
    const hy = new Float64Array(ny);
    let ix = 0;
    let iy = 0;
    const model: ModelFunction = (p, i, jac) => {
      if (i === 0) {
        axisTables(p[2], p[4], ex, gx, hx);
        axisTables(p[3], p[5], ey, gy, hy);
        ix = 0;
        iy = 0;
      }
      const e = ex[ix] * ey[iy];
      const ae = p[1] * e;
      jac[0] = 1;
      jac[1] = e;
      jac[2] = ae * gx[ix];
      jac[3] = ae * gy[iy];
      jac[4] = ae * hx[ix];
      jac[5] = ae * hy[iy];
      if (++ix === nx) {
        ix = 0;
        iy++;
      }
      return p[0] + ae;
    };
    const p0 = [g.offset, g.amplitude, x0, y0, init.sigmaX ?? g.sigma[2], init.sigmaY ?? g.sigma[1]];
    r = levenbergMarquardt(model, v, p0, {
      ...options,
      lowerBounds: [-inf, -inf, -inf, -inf, sMin, sMin],
      parameterNames: ["offset", "amplitude", "centreX", "centreY", "sigmaX", "sigmaY"],
    });
    const sx = param(r, 4);
    const sy = param(r, 5);
    const xMajor = sx.value >= sy.value;
    const s1 = xMajor ? sx : sy;
    const s2 = xMajor ? sy : sx;
    return {
      rotated: false,
      centreX: param(r, 2),
      centreY: param(r, 3),
      sigmaX: sx,
      sigmaY: sy,
      sigma1: s1,
      sigma2: s2,
      angleRad: { value: xMajor ? 0 : Math.PI / 2, standardError: 0 },
      fwhmX: fwhmOf(sx),
      fwhmY: fwhmOf(sy),
      fwhm1: fwhmOf(s1),
      fwhm2: fwhmOf(s2),
      amplitude: param(r, 1),
      offset: param(r, 0),
      ...quality(r),
    };
  }
  let cos = 1;
  let sin = 0;
  let i1 = 1;
  let i2 = 1;
  let ix = 0;
  let iy = 0;
  const model: ModelFunction = (p, i, jac) => {
    if (i === 0) {
      cos = Math.cos(p[6]);
      sin = Math.sin(p[6]);
      i1 = 1 / (p[4] * p[4]);
      i2 = 1 / (p[5] * p[5]);
      ix = 0;
      iy = 0;
    }
    const dx = ix - p[2];
    const dy = iy - p[3];
    const u = cos * dx + sin * dy;
    const w = cos * dy - sin * dx;
    const e = Math.exp(-0.5 * (u * u * i1 + w * w * i2));
    const ae = p[1] * e;
    jac[0] = 1;
    jac[1] = e;
    jac[2] = ae * (u * cos * i1 - w * sin * i2);
    jac[3] = ae * (u * sin * i1 + w * cos * i2);
    jac[4] = (ae * u * u * i1) / p[4];
    jac[5] = (ae * w * w * i2) / p[5];
    jac[6] = ae * u * w * (i2 - i1);
    if (++ix === nx) {
      ix = 0;
      iy++;
    }
    return p[0] + ae;
  };
  let s10 = init.sigma1 ?? g.major;
  let s20 = init.sigma2 ?? g.minor;
  if (init.sigma1 === undefined && init.sigma2 === undefined && s10 < MIN_START_ELONGATION * s20) {
    s10 = MIN_START_ELONGATION * s20;
  }
  if (s10 === s20) s20 = s10 / MIN_START_ELONGATION;
  const p0 = [g.offset, g.amplitude, x0, y0, s10, s20, init.angleRad ?? g.angle];
  try {
    r = levenbergMarquardt(model, v, p0, {
      ...options,
      lowerBounds: [-inf, -inf, -inf, -inf, sMin, sMin, -inf],
      parameterNames: ["offset", "amplitude", "centreX", "centreY", "sigma1", "sigma2", "angle"],
    });
  } catch (e) {
    if (e instanceof FitError && e.message.includes("parameter angle")) {
      throw new FitError(
        "The spot is round (σ1 = σ2 at the optimum), so its orientation angle is undefined and the rotated fit is singular.",
        "Fit with rotated: false (axis-aligned); for a round spot σx = σy and the angle carries no information.",
      );
    }
    throw e;
  }
  return rotatedResult(r);
}

/** Builds the rotated-fit result: σ1 ≥ σ2, θ ∈ (−π/2, π/2], marginal σx/σy by the delta method. */
function rotatedResult(r: LmResult): Gaussian2DFit {
  const P = 7;
  const cov = r.covariance;
  let k1 = 4;
  let k2 = 5;
  let theta = r.params[6];
  if (r.params[4] < r.params[5]) {
    k1 = 5;
    k2 = 4;
    theta += Math.PI / 2;
  }
  theta = normaliseAngle(theta);
  const s1 = r.params[k1];
  const s2 = r.params[k2];
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  const sx = Math.sqrt(s1 * s1 * c * c + s2 * s2 * s * s);
  const sy = Math.sqrt(s1 * s1 * s * s + s2 * s2 * c * c);
  // gradients w.r.t. (σ1, σ2, θ); θ's derivative is unchanged by the π/2 shift convention
  const idx = [k1, k2, 6];
  const gxv = [(s1 * c * c) / sx, (s2 * s * s) / sx, (c * s * (s2 * s2 - s1 * s1)) / sx];
  const gyv = [(s1 * s * s) / sy, (s2 * c * c) / sy, (c * s * (s1 * s1 - s2 * s2)) / sy];
  const quad = (gv: number[]): number => {
    let t = 0;
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) t += gv[a] * gv[b] * cov[idx[a] * P + idx[b]];
    return Math.sqrt(Math.max(0, t));
  };
  const sigma1 = param(r, k1);
  const sigma2 = param(r, k2);
  const sigmaX = { value: sx, standardError: quad(gxv) };
  const sigmaY = { value: sy, standardError: quad(gyv) };
  return {
    rotated: true,
    centreX: param(r, 2),
    centreY: param(r, 3),
    sigmaX,
    sigmaY,
    sigma1,
    sigma2,
    angleRad: { value: theta, standardError: r.standardErrors[6] },
    fwhmX: fwhmOf(sigmaX),
    fwhmY: fwhmOf(sigmaY),
    fwhm1: fwhmOf(sigma1),
    fwhm2: fwhmOf(sigma2),
    amplitude: param(r, 1),
    offset: param(r, 0),
    ...quality(r),
  };
}

/** Maps an angle into (−π/2, π/2] (an ellipse's axis is defined modulo π). */
function normaliseAngle(theta: number): number {
  let t = theta % Math.PI;
  if (t > Math.PI / 2) t -= Math.PI;
  else if (t <= -Math.PI / 2) t += Math.PI;
  return t;
}

/**
 * Fits an axis-aligned 3D Gaussian
 * I = offset + A·exp(−(x − x0)²/(2σx²) − (y − y0)²/(2σy²) − (z − z0)²/(2σz²)) to a sub-volume.
 *
 * @param data - ROI voxels, x fastest then y then z (index = (z·ny + y)·nx + x); any numeric typed array.
 * @param dims - ROI shape [nz, ny, nx] (same order as {@link ImageView.shape}).
 * @param init - Optional starting values (voxel coordinates within the ROI); omitted ones are
 *   estimated: offset = 10th percentile, amplitude = max − offset, centre = excess-weighted centroid of
 *   the above-half-maximum voxels, σ per axis from that region's variance (uniform-ellipsoid moments, σ² = 5·var/(2 ln 2)).
 * @param options - `tieLateralSigma` (7 instead of 8 parameters), weights, tolerances.
 * @returns Centre, σ and FWHM per axis, amplitude, offset (value + standard error), fit quality; all in voxels.
 * @throws DimensionError when data.length ≠ nz·ny·nx, a dimension is not a positive integer, or an axis has < 3 samples.
 * @throws FitError when there are too few voxels, non-finite data, a flat ROI, or a singular fit.
 * @throws InvalidArgumentError when an init width is ≤ 0.
 *
 * Notes: coordinates are ROI voxel indices with voxel centres at integers; add the ROI origin and
 * multiply by the voxel size (µm) in the caller. The model is point-sampled (no voxel integration;
 * with integrating pixels σ² ≈ σ_true² + 1/12 px², see {@link fitGaussian2D}).
 * Each iteration costs only nx + ny + nz exponentials (separable tables), so a 11×11×9 ROI fits in
 * well under a millisecond. Standard errors as in {@link LmResult} (unweighted: scaled by SSR/(N − P)).
 *
 * @see napari-psf-analysis `fit_3d.py` (F4 in peers.md, full-covariance variant); QUAREP-LiMi WG5 bead PSF protocol
 * @example
 * ```ts
 * const dims = [9, 11, 11] as const;
 * const data = new Float32Array(9 * 11 * 11);
 * // ... fill with a bead ...
 * const f = fitGaussian3D(data, dims);
 * f.fwhmZ.value; // axial FWHM in z-steps
 * ```
 */
export function fitGaussian3D(
  data: ArrayLike<number>,
  dims: readonly [number, number, number],
  init: Gaussian3DInit = {},
  options: Gaussian3DOptions = {},
): Gaussian3DFit {
  checkDims(dims, data.length, "fitGaussian3D");
  const [nz, ny, nx] = dims;
  const v = finiteCopy(data, "data");
  const tie = options.tieLateralSigma ?? false;
  for (const [key, val] of Object.entries(init)) if (key.startsWith("sigma")) checkSigmaInit(val as number | undefined, key);
  const g = guessMoments(v, [nz, ny, nx], init.offset, init.amplitude);
  const ex = new Float64Array(nx);
  const gx = new Float64Array(nx);
  const hx = new Float64Array(nx);
  const ey = new Float64Array(ny);
  const gy = new Float64Array(ny);
  const hy = new Float64Array(ny);
  const ez = new Float64Array(nz);
  const gz = new Float64Array(nz);
  const hz = new Float64Array(nz);
  let ix = 0;
  let iy = 0;
  let iz = 0;
  const sz = tie ? 6 : 7;
  const sy = tie ? 5 : 6;
  const model: ModelFunction = (p, i, jac) => {
    if (i === 0) {
      axisTables(p[2], p[5], ex, gx, hx);
      axisTables(p[3], p[sy], ey, gy, hy);
      axisTables(p[4], p[sz], ez, gz, hz);
      ix = 0;
      iy = 0;
      iz = 0;
    }
    const e = ex[ix] * ey[iy] * ez[iz];
    const ae = p[1] * e;
    jac[0] = 1;
    jac[1] = e;
    jac[2] = ae * gx[ix];
    jac[3] = ae * gy[iy];
    jac[4] = ae * gz[iz];
    if (tie) {
      jac[5] = ae * (hx[ix] + hy[iy]);
      jac[6] = ae * hz[iz];
    } else {
      jac[5] = ae * hx[ix];
      jac[6] = ae * hy[iy];
      jac[7] = ae * hz[iz];
    }
    if (++ix === nx) {
      ix = 0;
      if (++iy === ny) {
        iy = 0;
        iz++;
      }
    }
    return p[0] + ae;
  };
  const inf = Number.POSITIVE_INFINITY;
  const sMin = SIGMA_MIN_FRACTION;
  const sxy0 = init.sigmaX ?? init.sigmaY ?? Math.sqrt(g.sigma[2] * g.sigma[1]);
  const p0 = tie
    ? [g.offset, g.amplitude, init.centreX ?? g.cx, init.centreY ?? g.cy, init.centreZ ?? g.cz, sxy0, init.sigmaZ ?? g.sigma[0]]
    : [
        g.offset,
        g.amplitude,
        init.centreX ?? g.cx,
        init.centreY ?? g.cy,
        init.centreZ ?? g.cz,
        init.sigmaX ?? g.sigma[2],
        init.sigmaY ?? g.sigma[1],
        init.sigmaZ ?? g.sigma[0],
      ];
  const names = tie
    ? ["offset", "amplitude", "centreX", "centreY", "centreZ", "sigmaXY", "sigmaZ"]
    : ["offset", "amplitude", "centreX", "centreY", "centreZ", "sigmaX", "sigmaY", "sigmaZ"];
  const lower = tie ? [-inf, -inf, -inf, -inf, -inf, sMin, sMin] : [-inf, -inf, -inf, -inf, -inf, sMin, sMin, sMin];
  const r = levenbergMarquardt(model, v, p0, { ...options, lowerBounds: lower, parameterNames: names });
  const sigmaX = param(r, 5);
  const sigmaY = param(r, sy);
  const sigmaZ = param(r, sz);
  return {
    centreX: param(r, 2),
    centreY: param(r, 3),
    centreZ: param(r, 4),
    sigmaX,
    sigmaY,
    sigmaZ,
    fwhmX: fwhmOf(sigmaX),
    fwhmY: fwhmOf(sigmaY),
    fwhmZ: fwhmOf(sigmaZ),
    amplitude: param(r, 1),
    offset: param(r, 0),
    ...quality(r),
  };
}

/** Fills exp(−d²/(2s²)), d/s², d²/s³ for d = index − c along one axis. */
function axisTables(c: number, s: number, e: Float64Array, g: Float64Array, h: Float64Array): void {
  const is2 = 1 / (s * s);
  for (let k = 0; k < e.length; k++) {
    const d = k - c;
    const q = d * is2;
    e[k] = Math.exp(-0.5 * d * q);
    g[k] = q;
    h[k] = (d * q) / s;
  }
}

interface MomentGuess {
  offset: number;
  amplitude: number;
  cx: number;
  cy: number;
  cz: number;
  /** σ per axis [z, y, x] */
  sigma: [number, number, number];
  /** principal widths and angle of the lateral (x, y) covariance */
  major: number;
  minor: number;
  angle: number;
}

/** Starting values from the above-half-maximum region of a 2D (nz = 1) or 3D block. */
function guessMoments(v: Float64Array, dims: readonly [number, number, number], offsetInit?: number, ampInit?: number): MomentGuess {
  const [nz, ny, nx] = dims;
  const n = v.length;
  let vmax = v[0];
  let vmin = v[0];
  let imax = 0;
  for (let i = 1; i < n; i++) {
    if (v[i] > vmax) {
      vmax = v[i];
      imax = i;
    }
    if (v[i] < vmin) vmin = v[i];
  }
  if (!(vmax > vmin) && ampInit === undefined) {
    throw new FitError(`The ROI is flat (all ${n} values are ${vmin}); there is no spot to fit.`, "Check the ROI position and that the image is not empty or fully saturated.");
  }
  const offset = offsetInit ?? selectInPlace(Float64Array.from(v), Math.floor(OFFSET_GUESS_QUANTILE * (n - 1)));
  const amplitude = ampInit ?? vmax - offset;
  const half = offset + 0.5 * amplitude;
  let sw = 0;
  let mx = 0;
  let my = 0;
  let mz = 0;
  let cnt = 0;
  let ux = 0;
  let uy = 0;
  let uz = 0;
  let i = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        const e = v[i] - half;
        if (e >= 0) {
          const wv = e + Number.MIN_VALUE;
          sw += wv;
          mx += wv * x;
          my += wv * y;
          mz += wv * z;
          cnt++;
          ux += x;
          uy += y;
          uz += z;
        }
      }
    }
  }
  if (cnt === 0) {
    // a user-given amplitude put the half-maximum above the data: start at the brightest voxel
    const x = imax % nx;
    const y = Math.floor(imax / nx) % ny;
    const z = Math.floor(imax / (nx * ny));
    return { offset, amplitude, cx: x, cy: y, cz: z, sigma: [1, 1, 1], major: 1, minor: 1, angle: 0 };
  }
  ux /= cnt;
  uy /= cnt;
  uz /= cnt;
  let vxx = 0;
  let vyy = 0;
  let vzz = 0;
  let vxy = 0;
  i = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        if (v[i] >= half) {
          const dx = x - ux;
          const dy = y - uy;
          const dz = z - uz;
          vxx += dx * dx;
          vyy += dy * dy;
          vzz += dz * dz;
          vxy += dx * dy;
        }
      }
    }
  }
  vxx /= cnt;
  vyy /= cnt;
  vzz /= cnt;
  vxy /= cnt;
  const dim = nz > 1 ? 3 : 2;
  const k = (dim + 2) / TWO_LN2;
  const sig = (var_: number): number => Math.max(SIGMA_GUESS_MIN, Math.sqrt(var_ * k));
  // lateral principal axes (2D only, used by the rotated fit)
  const tr = 0.5 * (vxx + vyy);
  const det = Math.sqrt(0.25 * (vxx - vyy) ** 2 + vxy * vxy);
  return {
    offset,
    amplitude,
    cx: mx / sw,
    cy: my / sw,
    cz: mz / sw,
    sigma: [sig(vzz), sig(vyy), sig(vxx)],
    major: sig(tr + det),
    minor: sig(tr - det),
    angle: 0.5 * Math.atan2(2 * vxy, vxx - vyy),
  };
}

/** Fewest samples per axis that can determine a centre and a width along it. */
const MIN_SAMPLES_PER_AXIS = 3;

function checkDims(dims: readonly number[], length: number, fn: string): void {
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 1) {
      throw new DimensionError(`${fn}: dims [${dims.join(", ")}] has a dimension that is not a positive integer.`, "Pass the ROI shape, slowest axis first (z, y, x).");
    }
  }
  if (dims.some((d) => d < MIN_SAMPLES_PER_AXIS)) {
    throw new DimensionError(
      `${fn}: dims [${dims.join(", ")}] has an axis with fewer than ${MIN_SAMPLES_PER_AXIS} samples, which cannot determine a centre and a width along it.`,
      fn === "fitGaussian3D" ? "Use a z-stack ROI with ≥ 3 slices (better ≥ 3 FWHM), or fitGaussian2D for a single plane." : "Use an ROI of at least 3 × 3 pixels (better ≥ 3 FWHM per side).",
    );
  }
  const need = dims.reduce((a, b) => a * b, 1);
  if (need !== length) {
    throw new DimensionError(
      `${fn}: data holds ${length} values but dims [${dims.join(", ")}] need ${need}.`,
      "Check the dims order: limiqc uses [nz, ny, nx] / [ny, nx] with x fastest.",
    );
  }
}

function checkSigmaInit(s: number | undefined, name: string): void {
  if (s !== undefined && !(s > 0 && Number.isFinite(s))) {
    throw new InvalidArgumentError(`init.${name} is ${s}; a starting width must be a positive finite number.`, "Omit it to use the automatic estimate.");
  }
}

function isImageView(v: ImageView | ArrayLike<number>): v is ImageView {
  return typeof v === "object" && v !== null && "shape" in v && "data" in v;
}

function param(r: LmResult, k: number): FitParameter {
  return { value: r.params[k], standardError: r.standardErrors[k] };
}

function fwhmOf(s: FitParameter): FitParameter {
  return { value: FWHM_PER_SIGMA * s.value, standardError: FWHM_PER_SIGMA * s.standardError };
}

function quality(r: LmResult): GaussianFitQuality {
  return { rSquared: r.rSquared, ssr: r.ssr, converged: r.converged, iterations: r.iterations, reason: r.reason };
}
