/**
 * Registration transforms between two channels fitted to bead displacements: translation, affine and a low-order
 * polynomial (lateral chromatic magnification, distortion differences), with residuals against the noise floor,
 * and resampling of a channel into the reference channel's frame.
 * @module
 */
import { DimensionError, FitError, InsufficientDataError, InvalidArgumentError } from "../core/errors.js";
import { fitLinearModel } from "../fit/linear.js";
import { type ImageView, makeImage, requireVoxelSizeUm } from "../image/types.js";

/** Transform families. */
export type RegistrationKind = "translation" | "affine" | "polynomial";

/** Displacements of beads from a reference channel to a target channel, µm, with their standard errors. */
export interface BeadDisplacements {
  /** Reference-channel bead positions, µm from the centre of voxel (0, 0, 0). */
  readonly xUm: ArrayLike<number>;
  readonly yUm: ArrayLike<number>;
  /** Target − reference, µm. */
  readonly dxUm: ArrayLike<number>;
  readonly dyUm: ArrayLike<number>;
  readonly dzUm: ArrayLike<number>;
  /** Standard errors of the displacements, µm (> 0). */
  readonly dxSeUm: ArrayLike<number>;
  readonly dySeUm: ArrayLike<number>;
  readonly dzSeUm: ArrayLike<number>;
}

/**
 * A fitted registration transform (JSON-serialisable). The displacement from the reference to the target channel is
 * d_a(x, y) = Σ_k c_a,k·u^p_k·v^q_k for each axis a ∈ {x, y, z}, with u = (x − x0)/s, v = (y − y0)/s
 * ((x0, y0) = field centre, s = half the field diagonal, all µm): translation = constant, affine = degree 1,
 * polynomial = degree ≥ 2. The target channel's content at reference position p is found at p + d(p).
 */
export interface RegistrationTransform {
  readonly kind: RegistrationKind;
  readonly degree: number;
  /** Exponents [p, q] of u^p·v^q per coefficient. */
  readonly terms: readonly (readonly [number, number])[];
  /** Field centre (x0, y0), µm. */
  readonly originUm: readonly [number, number];
  /** Coordinate scale s, µm. */
  readonly scaleUm: number;
  /** Coefficients of the displacement along x, y, z, µm. */
  readonly coefficients: { readonly x: number[]; readonly y: number[]; readonly z: number[] };
  /** Their standard errors (from the bead standard errors, inverse-variance weights), µm. */
  readonly standardErrors: { readonly x: number[]; readonly y: number[]; readonly z: number[] };
  /** Beads the fit used. */
  readonly beads: number;
  /** RMS residual displacement after correction, nm (lateral = √(rx² + ry²), axial = |rz|), corrected for the fitted parameters (×√(N/(N − P))). */
  readonly residualRmsNm: { readonly lateral: number; readonly axial: number };
  /** RMS of the bead displacement standard errors, nm: what the residual would be if only fit noise were left. */
  readonly noiseFloorNm: { readonly lateral: number; readonly axial: number };
  /** residualRms / noiseFloor: ≈ 1 when the transform explains everything but the centroid noise. */
  readonly residualToNoise: { readonly lateral: number; readonly axial: number };
  /** Reduced χ² of the weighted fit per axis. */
  readonly chi2PerDof: { readonly x: number; readonly y: number; readonly z: number };
  /** Shift at the field centre (the constant terms), nm. */
  readonly centreShiftNm: { readonly x: number; readonly y: number; readonly z: number };
  /** Affine and polynomial: relative lateral magnification − 1 at the centre (∂dx/∂x, ∂dy/∂y), ppm. */
  readonly magnificationPpm?: { readonly x: number; readonly y: number };
  /** Affine and polynomial: rotation (∂dy/∂x − ∂dx/∂y)/2 at the centre, mrad. */
  readonly rotationMrad?: number;
}

/** Most coefficients a polynomial transform may have per axis (degree 3: 10). */
const MAX_POLYNOMIAL_DEGREE = 3;
const NM_PER_UM = 1000;
const PPM = 1e6;
const MRAD = 1e3;

function termsOf(degree: number): [number, number][] {
  const t: [number, number][] = [];
  for (let d = 0; d <= degree; d++) for (let p = d; p >= 0; p--) t.push([p, d - p]);
  return t;
}

/**
 * Fits a registration transform to bead displacements by inverse-variance weighted least squares.
 *
 * @param d - Reference positions and displacements with standard errors, µm.
 * @param kind - "translation", "affine" or "polynomial".
 * @param fieldUm - Field of view [width, height], µm (sets the origin and the coordinate scale).
 * @param degree - Polynomial degree (2 or 3) for "polynomial". @default 2
 * @returns The transform with coefficients, standard errors, residuals and the noise floor.
 * @throws InsufficientDataError when there are not more beads than coefficients.
 * @throws InvalidArgumentError for a bad kind or degree, or a non-positive standard error.
 * @throws FitError when the bead positions cannot determine the model (e.g. all on one line).
 *
 * Notes: z is modelled as a function of (x, y) like x and y (beads on a coverslip lie in one plane, so a z term is
 * not identifiable). The noise floor is the RMS of the displacement standard errors; residualToNoise ≈ 1 means the
 * model leaves only centroid noise. Displacement SEs below 0.1 nm are floored at 0.1 nm to keep weights finite.
 * @see MetroloJ_QC coAlignement (single-bead shifts); Kozubek & Matula (2000) J Microsc 200:206 (chromatic shifts across the field)
 * @example
 * const t = fitRegistrationTransform(displacements, "affine", [66.5, 66.5]);
 * t.magnificationPpm; // lateral chromatic magnification, ppm
 */
export function fitRegistrationTransform(d: BeadDisplacements, kind: RegistrationKind, fieldUm: readonly [number, number], degree = 2): RegistrationTransform {
  const deg = kind === "translation" ? 0 : kind === "affine" ? 1 : degree;
  if (kind !== "translation" && kind !== "affine" && kind !== "polynomial") {
    throw new InvalidArgumentError(`Registration kind "${String(kind)}" is unknown.`, 'Use "translation", "affine" or "polynomial".');
  }
  if (kind === "polynomial" && !(Number.isInteger(degree) && degree >= 2 && degree <= MAX_POLYNOMIAL_DEGREE)) {
    throw new InvalidArgumentError(`Polynomial registration degree ${degree}; expected 2 or 3.`, "Use 2 (default) or 3; affine covers degree 1.");
  }
  const n = d.xUm.length;
  const terms = termsOf(deg);
  const p = terms.length;
  if (n <= p) {
    throw new InsufficientDataError(
      `A ${kind} registration needs more than ${p} beads (one per coefficient and axis), but only ${n} are usable.`,
      "Image a field with more multi-colour beads, or use a simpler transform (translation needs 2 beads, affine 4).",
    );
  }
  const x0 = fieldUm[0] / 2;
  const y0 = fieldUm[1] / 2;
  const s = Math.max(Math.hypot(fieldUm[0], fieldUm[1]) / 2, 1e-6);
  const design = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    const u = (d.xUm[i] - x0) / s;
    const v = (d.yUm[i] - y0) / s;
    for (let k = 0; k < p; k++) design[i * p + k] = u ** terms[k][0] * v ** terms[k][1];
  }
  const SE_FLOOR_UM = 1e-4;
  const axes = ["x", "y", "z"] as const;
  const values = { x: d.dxUm, y: d.dyUm, z: d.dzUm };
  const ses = { x: d.dxSeUm, y: d.dySeUm, z: d.dzSeUm };
  const coefficients = { x: [] as number[], y: [] as number[], z: [] as number[] };
  const standardErrors = { x: [] as number[], y: [] as number[], z: [] as number[] };
  const chi2 = { x: 0, y: 0, z: 0 };
  const resid = { x: new Float64Array(n), y: new Float64Array(n), z: new Float64Array(n) };
  for (const a of axes) {
    const w = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const se = ses[a][i];
      if (!(se >= 0) || !Number.isFinite(se)) throw new InvalidArgumentError(`Displacement standard error ${se} µm of bead ${i} (${a}) is not a finite number ≥ 0.`, "Pass the fit standard errors.");
      const sf = Math.max(se, SE_FLOOR_UM);
      w[i] = 1 / (sf * sf);
    }
    let f: ReturnType<typeof fitLinearModel>;
    try {
      f = fitLinearModel(design, p, values[a], { weights: w, weightsAreInverseVariance: true });
    } catch (e) {
      if (e instanceof FitError) {
        throw new FitError(`The ${kind} registration cannot be determined from these ${n} bead positions (${e.message.split("\n")[0]}).`, "Use beads spread over the field, or a simpler transform.");
      }
      throw e;
    }
    coefficients[a] = Array.from(f.coefficients);
    standardErrors[a] = Array.from(f.standardErrors);
    chi2[a] = f.dof > 0 ? f.ssr / f.dof : 0;
    for (let i = 0; i < n; i++) resid[a][i] = f.residuals[i];
  }
  let lat2 = 0;
  let ax2 = 0;
  let seLat2 = 0;
  let seAx2 = 0;
  for (let i = 0; i < n; i++) {
    lat2 += resid.x[i] ** 2 + resid.y[i] ** 2;
    ax2 += resid.z[i] ** 2;
    seLat2 += d.dxSeUm[i] ** 2 + d.dySeUm[i] ** 2;
    seAx2 += d.dzSeUm[i] ** 2;
  }
  const dofScale = n / (n - p);
  const residualRmsNm = { lateral: NM_PER_UM * Math.sqrt((lat2 / n) * dofScale), axial: NM_PER_UM * Math.sqrt((ax2 / n) * dofScale) };
  const noiseFloorNm = { lateral: NM_PER_UM * Math.sqrt(seLat2 / n), axial: NM_PER_UM * Math.sqrt(seAx2 / n) };
  const ratio = (r: number, f: number): number => (f > 0 ? r / f : r > 0 ? Number.POSITIVE_INFINITY : 1);
  const t: RegistrationTransform = {
    kind,
    degree: deg,
    terms,
    originUm: [x0, y0],
    scaleUm: s,
    coefficients,
    standardErrors,
    beads: n,
    residualRmsNm,
    noiseFloorNm,
    residualToNoise: { lateral: ratio(residualRmsNm.lateral, noiseFloorNm.lateral), axial: ratio(residualRmsNm.axial, noiseFloorNm.axial) },
    chi2PerDof: chi2,
    centreShiftNm: { x: NM_PER_UM * coefficients.x[0], y: NM_PER_UM * coefficients.y[0], z: NM_PER_UM * coefficients.z[0] },
  };
  if (deg >= 1) {
    // terms [1, u, v, ...]: ∂d/∂x = c_u / s
    return {
      ...t,
      magnificationPpm: { x: (PPM * coefficients.x[1]) / s, y: (PPM * coefficients.y[2]) / s },
      rotationMrad: (MRAD * (coefficients.y[1] - coefficients.x[2])) / (2 * s),
    };
  }
  return t;
}

/**
 * Displacement (target − reference) predicted by a transform at a reference position, µm.
 *
 * @param t - A fitted transform.
 * @param xUm - Reference x, µm from the centre of voxel (0, 0, 0).
 * @param yUm - Reference y, µm.
 * @returns [dx, dy, dz], µm.
 * @throws Nothing.
 *
 * Notes: outside the area covered by beads a polynomial extrapolates and soon means nothing.
 * @see {@link fitRegistrationTransform}
 * @example
 * registrationDisplacementUm(t, 33, 33); // shift at the field centre = the constant terms
 */
export function registrationDisplacementUm(t: RegistrationTransform, xUm: number, yUm: number): [number, number, number] {
  const u = (xUm - t.originUm[0]) / t.scaleUm;
  const v = (yUm - t.originUm[1]) / t.scaleUm;
  let dx = 0;
  let dy = 0;
  let dz = 0;
  for (let k = 0; k < t.terms.length; k++) {
    const b = u ** t.terms[k][0] * v ** t.terms[k][1];
    dx += t.coefficients.x[k] * b;
    dy += t.coefficients.y[k] * b;
    dz += t.coefficients.z[k] * b;
  }
  return [dx, dy, dz];
}

/**
 * Resamples a target channel into the reference channel's frame: out(p) = target(p + d(p)), trilinear interpolation.
 *
 * @param image - The target channel (2D or 3D) with its voxel size.
 * @param t - Transform fitted from the reference to this channel (see {@link measureCoregistration}).
 * @param options - `fill`: value outside the target image. @default 0
 * @returns A Float32 image of the same shape and voxel size, registered onto the reference channel.
 * @throws MissingPixelSizeError when the image has no voxel size.
 * @throws DimensionError when the image is empty.
 *
 * Notes: the displacement depends on (x, y) only, so it is computed once per pixel column and reused for every
 * plane; z is shifted by d_z(x, y)/dz planes. Trilinear interpolation slightly smooths the image (as any sub-pixel
 * shift does); measure registration on the original data, correct only for display or colocalisation.
 * @see {@link fitRegistrationTransform}
 * @example
 * const aligned = applyRegistration(redStack, result.pairs[0].transforms.affine);
 */
export function applyRegistration(image: ImageView, t: RegistrationTransform, options: { fill?: number } = {}): ImageView<Float32Array> {
  const [dz, dy, dx] = requireVoxelSizeUm(image, "Applying a registration");
  const [nz, ny, nx] = image.shape;
  if (nz * ny * nx === 0) throw new DimensionError("applyRegistration got an empty image.", "Pass the channel to register.");
  const fill = options.fill ?? 0;
  const out = new Float32Array(nz * ny * nx);
  const data = image.data;
  const plane = ny * nx;
  const sx = new Float64Array(plane);
  const sy = new Float64Array(plane);
  const sz = new Float64Array(plane);
  for (let y = 0; y < ny; y++) {
    for (let x = 0; x < nx; x++) {
      const [ux, uy, uz] = registrationDisplacementUm(t, x * dx, y * dy);
      sx[y * nx + x] = x + ux / dx;
      sy[y * nx + x] = y + uy / dy;
      sz[y * nx + x] = uz / dz;
    }
  }
  for (let z = 0; z < nz; z++) {
    const base = z * plane;
    for (let q = 0; q < plane; q++) {
      const fx = sx[q];
      const fy = sy[q];
      const fz = nz > 1 ? z + sz[q] : 0;
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      const z0 = Math.floor(fz);
      if (x0 < 0 || y0 < 0 || z0 < 0 || x0 >= nx || y0 >= ny || z0 >= nz || (x0 === nx - 1 && fx > x0) || (y0 === ny - 1 && fy > y0) || (z0 === nz - 1 && fz > z0)) {
        out[base + q] = fill;
        continue;
      }
      const tx = fx - x0;
      const ty = fy - y0;
      const tz = fz - z0;
      const x1 = tx > 0 ? x0 + 1 : x0;
      const y1 = ty > 0 ? y0 + 1 : y0;
      const z1 = tz > 0 ? z0 + 1 : z0;
      const p00 = z0 * plane + y0 * nx;
      const p01 = z0 * plane + y1 * nx;
      const p10 = z1 * plane + y0 * nx;
      const p11 = z1 * plane + y1 * nx;
      const a = data[p00 + x0] + tx * (data[p00 + x1] - data[p00 + x0]);
      const b = data[p01 + x0] + tx * (data[p01 + x1] - data[p01 + x0]);
      const c = data[p10 + x0] + tx * (data[p10 + x1] - data[p10 + x0]);
      const e = data[p11 + x0] + tx * (data[p11 + x1] - data[p11 + x0]);
      const lo = a + ty * (b - a);
      const hi = c + ty * (e - c);
      out[base + q] = lo + tz * (hi - lo);
    }
  }
  return makeImage(out, image.shape, { voxelSizeUm: image.voxelSizeUm, channel: image.channel });
}
