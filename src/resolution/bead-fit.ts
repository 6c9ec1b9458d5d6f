/**
 * Per-bead PSF fits: a 3D Gaussian (sub-voxel, PSFj / napari-psf-analysis style) and three 1D Gaussians through
 * the brightest voxel (MetroloJ_QC), both weighted by a noise model estimated from the bead itself.
 * @module
 */
import { FitError, InvalidArgumentError } from "../core/errors.js";
import { type Quantity, quantity } from "../core/quantity.js";
import { type Gaussian1DFit, type Gaussian3DFit, fitGaussian1D, fitGaussian3D } from "../fit/gaussian.js";
import type { ImageView } from "../image/types.js";
import { FWHM_PER_SIGMA } from "../optics/constants.js";
import type { BeadRoi } from "./bead-detection.js";

/** One axis of a Gaussian fit, in µm (image coordinates: µm from the centre of voxel (0, 0, 0)). */
export interface PsfAxisFit {
  /** FWHM = 2√(2 ln 2)·σ, µm ± fit standard error. */
  readonly fwhm: Quantity;
  /** Centre, µm ± fit standard error. */
  readonly centre: Quantity;
}

/** A 1D Gaussian profile fit (F1: I = offset + amplitude·exp(−(x − c)²/(2σ²))). */
export interface PsfProfileFit extends PsfAxisFit {
  /** Peak height above the offset, ADU. */
  readonly amplitudeAdu: number;
  readonly offsetAdu: number;
  /** 1 − SS_res/SS_tot, unweighted (F2; not ImageJ's getFitGoodness). */
  readonly rSquared: number;
  /** Samples in the profile. */
  readonly samples: number;
}

/** The axis-aligned 3D Gaussian fit of one bead. */
export interface PsfGaussian3DFit {
  readonly x: PsfAxisFit;
  readonly y: PsfAxisFit;
  readonly z: PsfAxisFit;
  readonly amplitudeAdu: number;
  readonly offsetAdu: number;
  /** 1 − SS_res/SS_tot over the fit box, unweighted (F2). */
  readonly rSquared: number;
  readonly iterations: number;
}

/** Noise model var(I) = constant + slope·(I − offset)⁺ estimated from the residuals of an unweighted fit, ADU². */
export interface BeadNoiseModel {
  /** Variance at the background level, ADU². */
  readonly constantAdu2: number;
  /** Variance per ADU of signal above the background, ADU (≈ the system gain in ADU/e⁻ for shot noise). */
  readonly slopeAdu: number;
  /** False when the residuals were zero (noise-free data): the fits were unweighted. */
  readonly used: boolean;
}

/** All fits of one bead. */
export interface BeadPsfFit {
  /** 3D Gaussian (PSFj-style sub-voxel fit): the default "3d" method. */
  readonly fit3d: PsfGaussian3DFit;
  /** 1D Gaussians along x, y and z through the brightest voxel (MetroloJ_QC definition): the "1d" method. */
  readonly fit1d: { readonly x: PsfProfileFit; readonly y: PsfProfileFit; readonly z: PsfProfileFit };
  /** FWHM(1D) − FWHM(3D) per axis, µm (positive: the 1D profile through the maximum reads wider; peers.md §2.2). */
  readonly difference1dMinus3dUm: { readonly x: number; readonly y: number; readonly z: number };
  /** Voxel the 1D profiles pass through (image coordinates, px): maximum of the 3 × 3 × 3 box mean. */
  readonly profileVoxel: { readonly x: number; readonly y: number; readonly z: number };
  readonly noise: BeadNoiseModel;
}

/** Fits shorter than this many samples along an axis are refused (a 1D Gaussian has 4 parameters). */
const MIN_SAMPLES_PER_AXIS = 5;
/** Lower bound of the variance constant as a fraction of the mean squared residual (keeps weights finite). */
const VARIANCE_FLOOR_FRACTION = 0.01;

/**
 * Fits the PSF of one bead: a 3D Gaussian over its fit box and 1D Gaussians along x, y and z through its
 * brightest voxel, with standard errors from a noise model estimated on the bead.
 *
 * @param image - The z-stack [nz, ny, nx] with its voxel size (µm).
 * @param roi - The bead's fit box in voxel indices (see {@link findBeads}); at least 5 voxels per axis.
 * @param initialSigmaUm - Starting σ [lateral, axial], µm (e.g. the theoretical FWHM / 2.355). @default moments of the data
 * @returns The 3D and 1D fits in µm, their difference and the noise model.
 * @throws FitError when the box is too small, a fit does not converge to finite values, or the data are flat.
 * @throws InvalidArgumentError when the box leaves the image.
 *
 * Notes: (1) an unweighted 3D fit; (2) the squared residuals are regressed on the fitted signal above the offset,
 * var = a + b·m (a ≥ 1 % of the mean squared residual, b ≥ 0): Poisson + read noise in ADU without knowing the
 * camera gain or offset; (3) the 3D fit is repeated with weights 1/var and (4) the 1D profiles are fitted with the
 * same weights evaluated on the 3D model. Standard errors are rescaled by the reduced χ² of each weighted fit
 * (weights treated as relative), so they stay honest if the noise model is off by a constant factor. Unweighted
 * standard errors understate the FWHM uncertainty by 2–3× on shot-noise-limited beads, because the ROI is mostly
 * background whose variance is lower than at the peak. The model is point-sampled (no voxel integration), as in
 * MetroloJ_QC, PSFj and napari-psf-analysis. A 1D profile through the brightest voxel is biased when the bead
 * centre is off the profile line for non-separable PSFs (Airy); the 3D fit is not (peers.md §2.2).
 * @see Faklaris et al. (2022) doi:10.1083/jcb.202107093 (MetroloJ_QC 1D fits); Theer et al. (2014) doi:10.1038/nmeth.3102 (PSFj);
 *   fmi-faim/napari-psf-analysis issue #4 (1D bias)
 * @example
 * const f = fitBeadPsf(stack, { x0: 40, y0: 40, z0: 8, width: 17, height: 17, depth: 15 });
 * f.fit3d.x.fwhm.value; // lateral FWHM along x, µm
 */
export function fitBeadPsf(image: ImageView, roi: BeadRoi, initialSigmaUm?: readonly [number, number]): BeadPsfFit {
  const [nz, ny, nx] = image.shape;
  const v = image.voxelSizeUm;
  if (!v) throw new InvalidArgumentError("fitBeadPsf needs the image's voxel size.", "Set voxelSizeUm on the image.");
  const [dz, dy, dx] = v;
  const { x0, y0, z0, width: w, height: h, depth: d } = roi;
  if (x0 < 0 || y0 < 0 || z0 < 0 || x0 + w > nx || y0 + h > ny || z0 + d > nz || !Number.isInteger(x0 + y0 + z0 + w + h + d)) {
    throw new InvalidArgumentError(`Fit box x ${x0}+${w}, y ${y0}+${h}, z ${z0}+${d} leaves the image [${image.shape.join(", ")}].`, "Use the boxes from findBeads.");
  }
  if (w < MIN_SAMPLES_PER_AXIS || h < MIN_SAMPLES_PER_AXIS || d < MIN_SAMPLES_PER_AXIS) {
    throw new FitError(
      `The fit box is ${w} × ${h} × ${d} voxels; at least ${MIN_SAMPLES_PER_AXIS} per axis are needed for the Gaussian fits.`,
      "Acquire more planes around the beads, or enlarge roiHalfWidthUm / roiHalfDepthUm.",
    );
  }
  const n = w * h * d;
  const vals = new Float64Array(n);
  const plane = ny * nx;
  const src = image.data;
  for (let z = 0; z < d; z++) {
    for (let y = 0; y < h; y++) {
      const off = (z0 + z) * plane + (y0 + y) * nx + x0;
      const o = (z * h + y) * w;
      for (let x = 0; x < w; x++) vals[o + x] = src[off + x];
    }
  }
  const dims: [number, number, number] = [d, h, w];
  const init = initialSigmaUm ? { sigmaX: initialSigmaUm[0] / dx, sigmaY: initialSigmaUm[0] / dy, sigmaZ: initialSigmaUm[1] / dz } : {};
  const pass1 = checked(fitGaussian3D(vals, dims, init), "3D");
  const ex = new Float64Array(w);
  const ey = new Float64Array(h);
  const ez = new Float64Array(d);
  const excess = new Float64Array(n);
  modelExcess(pass1, ex, ey, ez, excess);
  const noise = noiseModel(vals, excess, pass1.offset.value);
  let fit = pass1;
  let weights: Float64Array | undefined;
  if (noise.used) {
    weights = new Float64Array(n);
    for (let i = 0; i < n; i++) weights[i] = 1 / (noise.constantAdu2 + noise.slopeAdu * Math.max(excess[i], 0));
    fit = checked(
      fitGaussian3D(
        vals,
        dims,
        {
          centreX: pass1.centreX.value,
          centreY: pass1.centreY.value,
          centreZ: pass1.centreZ.value,
          sigmaX: pass1.sigmaX.value,
          sigmaY: pass1.sigmaY.value,
          sigmaZ: pass1.sigmaZ.value,
          amplitude: pass1.amplitude.value,
          offset: pass1.offset.value,
        },
        { weights, weightsAreInverseVariance: false },
      ),
      "weighted 3D",
    );
    modelExcess(fit, ex, ey, ez, excess);
    for (let i = 0; i < n; i++) weights[i] = 1 / (noise.constantAdu2 + noise.slopeAdu * Math.max(excess[i], 0));
  }
  const off = fit.offset.value;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += vals[i];
  mean /= n;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    ssRes += (vals[i] - off - excess[i]) ** 2;
    ssTot += (vals[i] - mean) ** 2;
  }
  const fit3d: PsfGaussian3DFit = {
    x: axis3(fit.fwhmX, fit.centreX, x0, dx),
    y: axis3(fit.fwhmY, fit.centreY, y0, dy),
    z: axis3(fit.fwhmZ, fit.centreZ, z0, dz),
    amplitudeAdu: fit.amplitude.value,
    offsetAdu: off,
    rSquared: ssTot > 0 ? 1 - ssRes / ssTot : 1,
    iterations: pass1.iterations + (noise.used ? fit.iterations : 0),
  };

  // 1D profiles through the maximum of the 3×3×3 box mean
  const [mx, my, mz] = boxMeanArgmax(vals, w, h, d);
  const px = new Float64Array(w);
  const wx = new Float64Array(w);
  for (let x = 0; x < w; x++) {
    const i = (mz * h + my) * w + x;
    px[x] = vals[i];
    if (weights) wx[x] = weights[i];
  }
  const py = new Float64Array(h);
  const wy = new Float64Array(h);
  for (let y = 0; y < h; y++) {
    const i = (mz * h + y) * w + mx;
    py[y] = vals[i];
    if (weights) wy[y] = weights[i];
  }
  const pz = new Float64Array(d);
  const wz = new Float64Array(d);
  for (let z = 0; z < d; z++) {
    const i = (z * h + my) * w + mx;
    pz[z] = vals[i];
    if (weights) wz[z] = weights[i];
  }
  const fit1d = {
    x: profileFit(px, weights ? wx : undefined, x0, dx, "x"),
    y: profileFit(py, weights ? wy : undefined, y0, dy, "y"),
    z: profileFit(pz, weights ? wz : undefined, z0, dz, "z"),
  };
  return {
    fit3d,
    fit1d,
    difference1dMinus3dUm: {
      x: fit1d.x.fwhm.value - fit3d.x.fwhm.value,
      y: fit1d.y.fwhm.value - fit3d.y.fwhm.value,
      z: fit1d.z.fwhm.value - fit3d.z.fwhm.value,
    },
    profileVoxel: { x: x0 + mx, y: y0 + my, z: z0 + mz },
    noise,
  };
}

function checked<T extends Gaussian3DFit | Gaussian1DFit>(f: T, what: string): T {
  if (!f.converged) throw new FitError(`The ${what} Gaussian fit did not converge (${f.reason}).`, "The bead may be too dim, clipped or not Gaussian-like.");
  return f;
}

function axis3(fwhm: { value: number; standardError: number }, centre: { value: number; standardError: number }, origin: number, size: number): PsfAxisFit {
  return { fwhm: quantity(fwhm.value * size, fwhm.standardError * size, "um"), centre: quantity((origin + centre.value) * size, centre.standardError * size, "um") };
}

/** Fills m_i = A·exp(−…) (the model above its offset) over the box, via separable tables. */
function modelExcess(f: Gaussian3DFit, ex: Float64Array, ey: Float64Array, ez: Float64Array, out: Float64Array): void {
  table(ex, f.centreX.value, f.sigmaX.value);
  table(ey, f.centreY.value, f.sigmaY.value);
  table(ez, f.centreZ.value, f.sigmaZ.value);
  const a = f.amplitude.value;
  const w = ex.length;
  const h = ey.length;
  let i = 0;
  for (let z = 0; z < ez.length; z++) {
    const az = a * ez[z];
    for (let y = 0; y < h; y++) {
      const ayz = az * ey[y];
      for (let x = 0; x < w; x++) out[i++] = ayz * ex[x];
    }
  }
}

function table(out: Float64Array, c: number, s: number): void {
  const k = -0.5 / (s * s);
  for (let i = 0; i < out.length; i++) out[i] = Math.exp(k * (i - c) * (i - c));
}

/** Least-squares line r² = a + b·m through the squared residuals. */
function noiseModel(vals: Float64Array, excess: Float64Array, offset: number): BeadNoiseModel {
  const n = vals.length;
  let sm = 0;
  let sr = 0;
  for (let i = 0; i < n; i++) {
    const m = excess[i];
    const r = vals[i] - offset - m;
    sm += m;
    sr += r * r;
  }
  const mm = sm / n;
  const mr = sr / n;
  if (!(mr > 0)) return { constantAdu2: 0, slopeAdu: 0, used: false };
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const m = excess[i];
    const r = vals[i] - offset - m;
    sxx += (m - mm) * (m - mm);
    sxy += (m - mm) * (r * r - mr);
  }
  let b = sxx > 0 ? sxy / sxx : 0;
  if (!(b > 0)) b = 0;
  let a = mr - b * mm;
  a = Math.max(a, VARIANCE_FLOOR_FRACTION * mr);
  return { constantAdu2: a, slopeAdu: b, used: true };
}

/** (x, y, z) within the box of the maximum of the 3 × 3 × 3 box mean (clipped at the box faces). */
function boxMeanArgmax(vals: Float64Array, w: number, h: number, d: number): [number, number, number] {
  let best = Number.NEGATIVE_INFINITY;
  let bx = 0;
  let by = 0;
  let bz = 0;
  for (let z = 0; z < d; z++) {
    const za = Math.max(0, z - 1);
    const zb = Math.min(d - 1, z + 1);
    for (let y = 0; y < h; y++) {
      const ya = Math.max(0, y - 1);
      const yb = Math.min(h - 1, y + 1);
      for (let x = 0; x < w; x++) {
        const xa = Math.max(0, x - 1);
        const xb = Math.min(w - 1, x + 1);
        let s = 0;
        for (let zz = za; zz <= zb; zz++) for (let yy = ya; yy <= yb; yy++) for (let xx = xa; xx <= xb; xx++) s += vals[(zz * h + yy) * w + xx];
        s /= (zb - za + 1) * (yb - ya + 1) * (xb - xa + 1);
        if (s > best) {
          best = s;
          bx = x;
          by = y;
          bz = z;
        }
      }
    }
  }
  return [bx, by, bz];
}

function profileFit(p: Float64Array, w: Float64Array | undefined, origin: number, size: number, axis: string): PsfProfileFit {
  const xs = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) xs[i] = i;
  let f: Gaussian1DFit;
  try {
    f = checked(fitGaussian1D(xs, p, {}, w ? { weights: w, weightsAreInverseVariance: false } : {}), `1D ${axis}`);
  } catch (e) {
    if (e instanceof FitError) throw new FitError(`1D ${axis} profile: ${e.message.split("\n")[0]}`, e.hint);
    throw e;
  }
  let mean = 0;
  for (let i = 0; i < p.length; i++) mean += p[i];
  mean /= p.length;
  let ssRes = 0;
  let ssTot = 0;
  const c = f.centre.value;
  const k = -0.5 / (f.sigma.value * f.sigma.value);
  for (let i = 0; i < p.length; i++) {
    const m = f.offset.value + f.amplitude.value * Math.exp(k * (i - c) * (i - c));
    ssRes += (p[i] - m) ** 2;
    ssTot += (p[i] - mean) ** 2;
  }
  return {
    fwhm: quantity(f.fwhm.value * size, f.fwhm.standardError * size, "um"),
    centre: quantity((origin + c) * size, f.centre.standardError * size, "um"),
    amplitudeAdu: f.amplitude.value,
    offsetAdu: f.offset.value,
    rSquared: ssTot > 0 ? 1 - ssRes / ssTot : 1,
    samples: p.length,
  };
}

/**
 * Removes the bead's own size from a measured FWHM by quadrature subtraction: FWHM_psf = √(FWHM² − k·D²),
 * k = (2√(2 ln 2))²/20 ≈ 0.277.
 *
 * @param fwhm - Measured FWHM, µm ± SE.
 * @param beadDiameterUm - Bead diameter D, µm (0 returns the input).
 * @returns The corrected FWHM, µm, with the SE scaled by FWHM/FWHM_psf (first-order propagation).
 * @throws InvalidArgumentError when D < 0, or FWHM² ≤ k·D² (the bead is too large for this FWHM: no correction is defined).
 *
 * Notes: a uniform solid sphere of diameter D has a per-axis variance D²/20; convolving a Gaussian PSF with it adds
 * that variance, so in FWHM units k·D² with k = 8 ln 2/20. This is exact for second moments and a good approximation
 * of the fitted Gaussian width while D ≲ FWHM; for a 100 nm bead and a 200 nm FWHM it removes 3.5 % of the FWHM
 * (the common rule FWHM² − D² would remove 13 %, too much). PSFj's empirical α correction (F7 in peers.md) is not used.
 * @see peers.md F7; W. F. Sheppard-type moment corrections; Theer et al. (2014) doi:10.1038/nmeth.3102
 * @example
 * correctForBeadSize({ value: 0.2, uncertainty: 0.004, unit: "um" }, 0.1).value; // 0.1929
 */
export function correctForBeadSize(fwhm: Quantity, beadDiameterUm: number): Quantity {
  if (!(Number.isFinite(beadDiameterUm) && beadDiameterUm >= 0)) {
    throw new InvalidArgumentError(`beadDiameterUm is ${beadDiameterUm}; expected a diameter ≥ 0 in µm.`, "Give the bead diameter from the supplier (e.g. 0.1 or 0.175), or 0 for no correction.");
  }
  if (beadDiameterUm === 0) return fwhm;
  const sub = BEAD_SIZE_K * beadDiameterUm * beadDiameterUm;
  const f2 = fwhm.value * fwhm.value;
  if (!(f2 > sub)) {
    throw new InvalidArgumentError(
      `A bead of ${beadDiameterUm} µm cannot be removed from a measured FWHM of ${fwhm.value.toPrecision(3)} µm (FWHM² ≤ 0.277·D²).`,
      "Check the bead diameter (µm, not nm) or measure with sub-resolution beads (100–200 nm).",
    );
  }
  const c = Math.sqrt(f2 - sub);
  return quantity(c, (fwhm.uncertainty * fwhm.value) / c, fwhm.unit);
}

/** k of {@link correctForBeadSize}: FWHM_PER_SIGMA²/20 (uniform sphere variance D²/20 in FWHM units). */
export const BEAD_SIZE_K: number = (FWHM_PER_SIGMA * FWHM_PER_SIGMA) / 20;
