/**
 * Smooth illumination models (exp of a 2D Legendre series) fitted to the grid of block means of a flat-field image,
 * with iterative outlier clipping so that dust, debris and hot clusters do not bend the model.
 */
import { FitError, InsufficientDataError, InvalidArgumentError } from "../core/errors.js";
import { type SmoothGrid, medianOf } from "./grid.js";

/** Consistency factor turning a median absolute deviation into a Gaussian SD. */
const MAD_SCALE = 1.482602218505602;
/** Outlier-clipping refits of the illumination model. */
const MAX_CLIP_ITERATIONS = 5;
/** Clipping stops when fewer than this fraction of the fit cells change status. */
const CLIP_CONVERGED_FRACTION = 0.002;
/** Highest polynomial degree accepted (the design has (d + 1)(d + 2)/2 columns). */
export const MAX_ILLUMINATION_DEGREE = 10;

/**
 * Kinds of smooth illumination model: "polynomial" = exp of a 2D polynomial (default degree 8);
 * "gaussian" = exp of a quadric, i.e. an elliptical, rotated, off-centre Gaussian (degree 2).
 */
export type IlluminationModelKind = "polynomial" | "gaussian";

/**
 * A smooth model of the illumination I(x, y) (dark subtracted, data units), JSON-serialisable:
 * ln I = Σ c_pq·P_p(u)·P_q(v) over p + q ≤ degree (P = Legendre polynomials), with u = (x − cx)/hx,
 * v = (y − cy)/hy (cx, cy = image centre; hx, hy = half the image size, px), so u, v ∈ [−1, 1] over the image.
 */
export interface IlluminationModel {
  readonly kind: IlluminationModelKind;
  /** Image size [ny, nx] the model was fitted on, px. */
  readonly imageShape: readonly [number, number];
  /** Polynomial degree of ln I (2 for the Gaussian). */
  readonly degree: number;
  /** Orders [p, q] of P_p(u)·P_q(v) per coefficient. */
  readonly terms: readonly (readonly [number, number])[];
  /** Coefficients of ln I (ln of data units). */
  readonly coefficients: readonly number[];
  /** Normalisation centre [cx, cy], px. */
  readonly centrePx: readonly [number, number];
  /** Normalisation half sizes [hx, hy], px. */
  readonly halfSizePx: readonly [number, number];
  /** RMS of (grid − model)/model over the cells used in the final fit, % (noise plus model mismatch). */
  readonly rmsResidualPercent: number;
}

/** A fitted model with the cells it rejected. */
export interface IlluminationFit {
  readonly model: IlluminationModel;
  /** 1 where a grid cell deviates by more than clipSigma robust SDs (relative) from the final model. */
  readonly outlierCells: Uint8Array;
  /** Model value at each grid cell centre, data units. */
  readonly predicted: Float64Array;
  /** Robust SD of the relative residuals (grid − model)/model, scaled to the brightness of the model maximum (1 = 100 %). */
  readonly relativeResidualSd: number;
}

/** Polynomial exponents in a fixed order: by total degree, then by decreasing power of u. */
export function polynomialTerms(degree: number): [number, number][] {
  const t: [number, number][] = [];
  for (let d = 0; d <= degree; d++) for (let p = d; p >= 0; p--) t.push([p, d - p]);
  return t;
}

/** The fit uses at most about this many grid cells (all border cells plus a regular subset of the interior). */
const MAX_FIT_CELLS = 4000;

/**
 * Fits ln I = Legendre series in (u, v) to the grid's block means by weighted least squares (weights ∝ I, as for
 * shot noise), clipping outliers (|r|·√w > clipSigma·SD_robust) and refitting up to {@link MAX_CLIP_ITERATIONS} times.
 *
 * @param grid - Grid of block trimmed means (dark subtracted).
 * @param kind - "polynomial" or "gaussian" (degree 2).
 * @param degree - Polynomial degree (ignored for the Gaussian).
 * @param clipSigma - Outlier threshold in robust SDs of the residuals.
 * @returns The model, the outlier mask and the model at each cell.
 * @throws InvalidArgumentError for a degree outside 1…10.
 * @throws InsufficientDataError when fewer positive cells than model terms remain.
 * @throws FitError when the fit fails.
 *
 * Notes: fitting the logarithm makes Gaussian vignetting exact at degree 2 and the cos⁴ law and linear gradients
 * nearly so (max error < 0.5 % at degree 8 even at U ≈ 10 %), where a polynomial in I itself needs very high
 * degrees near the corners. Cells ≤ 0 (no signal) get weight 0.
 */
export function fitIlluminationModel(grid: SmoothGrid, kind: IlluminationModelKind, degree: number, clipSigma: number): IlluminationFit {
  const deg = kind === "gaussian" ? 2 : degree;
  if (!(Number.isInteger(deg) && deg >= 1 && deg <= MAX_ILLUMINATION_DEGREE)) {
    throw new InvalidArgumentError(`Illumination polynomial degree ${deg}; expected an integer 1…${MAX_ILLUMINATION_DEGREE}.`, "Use 6–8 for vignetting; 8 is the default.");
  }
  const [gy, gx] = grid.shape;
  const [ny, nx] = grid.imageShape;
  const n = gx * gy;
  const centre: [number, number] = [(nx - 1) / 2, (ny - 1) / 2];
  const half: [number, number] = [Math.max((nx - 1) / 2, 0.5), Math.max((ny - 1) / 2, 0.5)];
  const terms = polynomialTerms(deg);
  const p = terms.length;
  // cells used by the fit: the border ring plus a regular subset of the interior
  const stride = Math.max(1, Math.floor(Math.sqrt(n / MAX_FIT_CELLS)));
  const fitCells: number[] = [];
  for (let j = 0; j < gy; j++) {
    for (let i = 0; i < gx; i++) {
      const border = i === 0 || j === 0 || i === gx - 1 || j === gy - 1;
      if (border || (i % stride === 0 && j % stride === 0)) fitCells.push(j * gx + i);
    }
  }
  const m = fitCells.length;
  const design = new Float64Array(m * p);
  const y = new Float64Array(m);
  const base = new Float64Array(m);
  const weights = new Float64Array(m);
  const up = new Float64Array(deg + 1);
  const vp = new Float64Array(deg + 1);
  let maxRaw = 0;
  for (let c = 0; c < n; c++) if (grid.raw[c] > maxRaw) maxRaw = grid.raw[c];
  if (!(maxRaw > 0)) {
    throw new InsufficientDataError("No grid cell has a positive (dark-subtracted) intensity.", "Check the illumination and the dark image.");
  }
  for (let k = 0; k < m; k++) {
    const c = fitCells[k];
    const i = c % gx;
    const j = (c - i) / gx;
    legendre((grid.xCentresPx[i] - centre[0]) / half[0], up);
    legendre((grid.yCentresPx[j] - centre[1]) / half[1], vp);
    for (let t = 0; t < p; t++) design[k * p + t] = up[terms[t][0]] * vp[terms[t][1]];
    const v = grid.raw[c];
    base[k] = v > 0 ? v / maxRaw : 0;
    y[k] = v > 0 ? Math.log(v) : 0;
    weights[k] = base[k];
  }
  let coefficients: Float64Array = new Float64Array(p);
  let sd = 0;
  const resid = new Float64Array(m);
  const fitResid = new Float64Array(m);
  for (let it = 0; it < MAX_CLIP_ITERATIONS; it++) {
    let used = 0;
    for (let k = 0; k < m; k++) used += weights[k] > 0 ? 1 : 0;
    if (used <= p) {
      throw new InsufficientDataError(
        `Only ${used} grid cells are usable for the illumination model, which has ${p} terms.`,
        "Use a larger image, a smaller bin size, or a lower polynomial degree; check that the slide covers the whole field.",
      );
    }
    coefficients = solveWeightedNormal(design, p, y, weights);
    for (let k = 0; k < m; k++) {
      let pr = 0;
      for (let t = 0; t < p; t++) pr += design[k * p + t] * coefficients[t];
      fitResid[k] = y[k] - pr;
    }
    // normalised residuals r·√(I/Imax) ≈ relative deviation at the brightness of the maximum
    let k2 = 0;
    for (let k = 0; k < m; k++) {
      if (!(weights[k] > 0)) continue;
      resid[k2++] = fitResid[k] * Math.sqrt(base[k]);
    }
    const med = medianOf(resid, k2);
    for (let k = 0; k < k2; k++) resid[k] = Math.abs(resid[k] - med);
    sd = MAD_SCALE * medianOf(resid, k2);
    let changed = 0;
    for (let k = 0; k < m; k++) {
      if (!(base[k] > 0)) continue;
      const out = Math.abs(fitResid[k] * Math.sqrt(base[k])) > clipSigma * sd;
      const w = out ? 0 : base[k];
      if ((w > 0) !== (weights[k] > 0)) changed++;
      weights[k] = w;
    }
    if (changed <= m * CLIP_CONVERGED_FRACTION) break;
  }
  if (!coefficients.every(Number.isFinite)) {
    throw new FitError("The illumination model has non-finite coefficients.", "Check that the image is a flat field (a homogeneous slide), not a sample with structure.");
  }
  const model: IlluminationModel = {
    kind,
    imageShape: [ny, nx],
    degree: deg,
    terms,
    coefficients: Array.from(coefficients),
    centrePx: centre,
    halfSizePx: half,
    rmsResidualPercent: 0,
  };
  // model and outliers on every cell
  const predicted = new Float64Array(n);
  const outliers = new Uint8Array(n);
  let s2 = 0;
  let used = 0;
  evaluateOnGrid(model, grid.xCentresPx, grid.yCentresPx, predicted);
  for (let j = 0; j < gy; j++) {
    for (let i = 0; i < gx; i++) {
      const c = j * gx + i;
      const pr = predicted[c];
      const rel = (grid.raw[c] - pr) / pr;
      const norm = rel * Math.sqrt(pr / maxRaw);
      if (Math.abs(norm) > clipSigma * sd) outliers[c] = 1;
      else {
        s2 += rel * rel;
        used++;
      }
    }
  }
  return { model: { ...model, rmsResidualPercent: used > 0 ? 100 * Math.sqrt(s2 / used) : 0 }, outlierCells: outliers, predicted, relativeResidualSd: sd };
}

/** Legendre polynomials P_0…P_n at x (Bonnet's recursion), into out (length n + 1). */
function legendre(x: number, out: Float64Array): void {
  out[0] = 1;
  if (out.length > 1) out[1] = x;
  for (let k = 2; k < out.length; k++) out[k] = ((2 * k - 1) * x * out[k - 1] - (k - 1) * out[k - 2]) / k;
}

/**
 * Weighted least squares by the normal equations (XᵀWX)β = XᵀWy and a Cholesky factorisation. The Legendre basis keeps
 * XᵀWX well conditioned (nearly diagonal on a regular grid), and the p × p system is far cheaper than a QR of X.
 * @throws FitError when the system is singular (too few distinct positions for the degree).
 */
function solveWeightedNormal(design: Float64Array, p: number, y: Float64Array, w: Float64Array): Float64Array {
  const m = y.length;
  const a = new Float64Array(p * p);
  const b = new Float64Array(p);
  for (let k = 0; k < m; k++) {
    const wk = w[k];
    if (!(wk > 0)) continue;
    const row = k * p;
    for (let r = 0; r < p; r++) {
      const xr = design[row + r] * wk;
      b[r] += xr * y[k];
      for (let c = 0; c <= r; c++) a[r * p + c] += xr * design[row + c];
    }
  }
  // Cholesky, lower triangle in place
  for (let j = 0; j < p; j++) {
    let d = a[j * p + j];
    for (let k = 0; k < j; k++) d -= a[j * p + k] * a[j * p + k];
    if (!(d > 1e-12 * Math.abs(a[j * p + j]) && d > 0)) {
      throw new FitError("The illumination model's normal equations are singular.", "Use a lower polynomial degree or a smaller bin size (more grid cells).");
    }
    const l = Math.sqrt(d);
    a[j * p + j] = l;
    for (let i = j + 1; i < p; i++) {
      let sum = a[i * p + j];
      for (let k = 0; k < j; k++) sum -= a[i * p + k] * a[j * p + k];
      a[i * p + j] = sum / l;
    }
  }
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= a[i * p + k] * z[k];
    z[i] = sum / a[i * p + i];
  }
  const beta = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let sum = z[i];
    for (let k = i + 1; k < p; k++) sum -= a[k * p + i] * beta[k];
    beta[i] = sum / a[i * p + i];
  }
  return beta;
}

/**
 * Value of an illumination model at a pixel position.
 *
 * @param model - A fitted {@link IlluminationModel}.
 * @param xPx - Column, px (pixel centres at integers).
 * @param yPx - Row, px.
 * @returns Model intensity, data units (dark subtracted).
 * @throws Nothing.
 *
 * Notes: outside the image the polynomial is extrapolated and quickly meaningless; evaluate inside.
 * @see {@link fitIlluminationModel}
 * @example
 * evaluateIlluminationModel({ kind: "polynomial", imageShape: [3, 3], degree: 1, terms: [[0, 0], [1, 0], [0, 1]],
 *   coefficients: [Math.log(5), 0, 0], centrePx: [1, 1], halfSizePx: [1, 1], rmsResidualPercent: 0 }, 0, 0); // 5
 */
export function evaluateIlluminationModel(model: IlluminationModel, xPx: number, yPx: number): number {
  const pu = new Float64Array(model.degree + 1);
  const pv = new Float64Array(model.degree + 1);
  legendre((xPx - model.centrePx[0]) / model.halfSizePx[0], pu);
  legendre((yPx - model.centrePx[1]) / model.halfSizePx[1], pv);
  let s = 0;
  for (let t = 0; t < model.terms.length; t++) s += model.coefficients[t] * pu[model.terms[t][0]] * pv[model.terms[t][1]];
  return Math.exp(s);
}

/**
 * Evaluates a model on the tensor grid of column positions xs and row positions ys (px), into out (x fastest).
 * Per row, ln I is a Legendre series in u with v-dependent coefficients (a table of P_p(u) per column).
 */
export function evaluateOnGrid(model: IlluminationModel, xs: ArrayLike<number>, ys: ArrayLike<number>, out: Float64Array | Float32Array): void {
  const d1 = model.degree + 1;
  const nx = xs.length;
  const [cx, cy] = model.centrePx;
  const [hx, hy] = model.halfSizePx;
  // P_p(u) for every column, and per row the coefficients a_p(v) = Σ_q c_pq·P_q(v)
  const pu = new Float64Array(nx * d1);
  const tmp = new Float64Array(d1);
  for (let i = 0; i < nx; i++) {
    legendre((xs[i] - cx) / hx, tmp);
    pu.set(tmp, i * d1);
  }
  const pv = new Float64Array(d1);
  const a = new Float64Array(d1);
  for (let j = 0; j < ys.length; j++) {
    legendre((ys[j] - cy) / hy, pv);
    a.fill(0);
    for (let t = 0; t < model.terms.length; t++) a[model.terms[t][0]] += model.coefficients[t] * pv[model.terms[t][1]];
    const row = j * nx;
    for (let i = 0; i < nx; i++) {
      let s = 0;
      const o = i * d1;
      for (let p = 0; p < d1; p++) s += a[p] * pu[o + p];
      out[row + i] = Math.exp(s);
    }
  }
}

/**
 * Renders an illumination model over the full pixel grid.
 *
 * @param model - A fitted model.
 * @returns ny·nx values (x fastest), data units.
 * @throws Nothing.
 *
 * Notes: ln I is evaluated per row as a Legendre series in u whose coefficients depend on v, so the cost is about
 * (degree + 1) multiply-adds and one exp per pixel.
 */
export function renderIlluminationModel(model: IlluminationModel): Float32Array {
  const [ny, nx] = model.imageShape;
  const out = new Float32Array(nx * ny);
  const xs = new Float64Array(nx);
  const ys = new Float64Array(ny);
  for (let x = 0; x < nx; x++) xs[x] = x;
  for (let y = 0; y < ny; y++) ys[y] = y;
  evaluateOnGrid(model, xs, ys, out);
  return out;
}
