/**
 * Linear least squares: straight lines (with or without intercept), polynomials, 2D polynomial
 * surfaces (plane, quadric) and a general design-matrix solver (Householder QR, Float64).
 * @module
 */
import { FitError, InvalidArgumentError } from "../core/errors.js";
import { checkWeights, countUsed, finiteCopy, rSquaredOf } from "./internal.js";
import type { FitParameter, WeightOptions } from "./lm.js";

/** Options of {@link fitLine}. */
export interface LineFitOptions extends WeightOptions {
  /** Fit y = a + b·x (true) or y = b·x through the origin (false). @default true */
  intercept?: boolean;
}

/** Result of {@link fitLine}. Values ± one standard error. */
export interface LineFit {
  readonly slope: FitParameter;
  /** {value: 0, standardError: 0} when the line was forced through the origin. */
  readonly intercept: FitParameter;
  readonly hasIntercept: boolean;
  /** Covariance of slope and intercept (0 without intercept). */
  readonly slopeInterceptCovariance: number;
  /**
   * 1 − SSres/SStot with the (weighted) mean of y, also for the through-origin fit
   * (so it can be negative there; R's `lm` would use the uncentred Σy² instead).
   */
  readonly rSquared: number;
  /** yᵢ − ŷᵢ (unweighted), one per sample. */
  readonly residuals: Float64Array;
  /** Σ wᵢ rᵢ². */
  readonly ssr: number;
  /** N_used − number of coefficients. */
  readonly dof: number;
  /** s = √(SSR/dof), the residual standard deviation (in y units when unweighted). */
  readonly residualStandardError: number;
}

/** Result of {@link fitLinearModel}. */
export interface LinearModelFit {
  /** Coefficients β of y ≈ X·β. */
  readonly coefficients: Float64Array;
  readonly standardErrors: Float64Array;
  /** Covariance of β, row-major P×P (scaled by s² unless weights are true 1/σ², see {@link WeightOptions}). */
  readonly covariance: Float64Array;
  readonly rSquared: number;
  readonly residuals: Float64Array;
  readonly ssr: number;
  readonly dof: number;
  readonly residualStandardError: number;
}

/** Result of {@link fitPolynomial}: y = Σₖ cₖ·xᵏ, coefficients in ascending powers of the original x. */
export interface PolynomialFit extends LinearModelFit {
  readonly degree: number;
}

/** Result of {@link fitSurface}: z = Σ cₜ·termₜ(x, y) in the original x, y units. */
export interface SurfaceFit extends LinearModelFit {
  readonly degree: 1 | 2;
  /** Term of each coefficient: degree 1 ["1", "x", "y"]; degree 2 adds ["x^2", "x*y", "y^2"]. */
  readonly terms: readonly string[];
}

/**
 * Ordinary (or weighted) least-squares straight line, closed form on centred sums.
 *
 * @param x - Abscissae (any unit), N values.
 * @param y - Ordinates, N values.
 * @param options - `intercept` (default true), weights (see {@link WeightOptions}).
 * @returns Slope and intercept with standard errors, their covariance, R², residuals, SSR.
 * @throws FitError when N_used ≤ number of coefficients, data are not finite, or all x are equal
 *   (all x = 0 for the through-origin fit).
 * @throws InvalidArgumentError when x and y differ in length or weights are invalid.
 *
 * Notes: with intercept, b = Sxy/Sxx and a = ȳ − b·x̄ (weighted means/sums), Var(b) = s²/Sxx,
 * Var(a) = s²(1/Σw + x̄²/Sxx), Cov(a, b) = −x̄·s²/Sxx; through the origin b = Σwxy/Σwx²,
 * Var(b) = s²/Σwx². s² = SSR/dof, or 1 when weights are true 1/σ².
 *
 * @see N. R. Draper & H. Smith, Applied Regression Analysis, 3rd ed. (1998), ch. 1
 * @example
 * ```ts
 * fitLine([0, 1, 2, 3], [1, 3, 5, 7]).slope.value; // 2
 * ```
 */
export function fitLine(x: ArrayLike<number>, y: ArrayLike<number>, options: LineFitOptions = {}): LineFit {
  const { xs, ys, w } = prepare(x, y, options.weights, "x");
  const n = xs.length;
  const withIntercept = options.intercept ?? true;
  const p = withIntercept ? 2 : 1;
  const used = countUsed(w, n);
  requireMore(used, p, withIntercept ? "a line with intercept" : "a line through the origin");
  let sw = 0;
  let swx = 0;
  let swy = 0;
  for (let i = 0; i < n; i++) {
    const wi = w === null ? 1 : w[i];
    sw += wi;
    swx += wi * xs[i];
    swy += wi * ys[i];
  }
  const xm = withIntercept ? swx / sw : 0;
  const ym = withIntercept ? swy / sw : 0;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const wi = w === null ? 1 : w[i];
    const dx = xs[i] - xm;
    sxx += wi * dx * dx;
    sxy += wi * dx * (ys[i] - ym);
  }
  if (!(sxx > 0)) {
    throw new FitError(
      withIntercept ? `All x values are equal (${xm}); the slope is undetermined.` : "All x values are 0; the slope through the origin is undetermined.",
      "Measure at two or more different x positions.",
    );
  }
  const slope = sxy / sxx;
  const intercept = withIntercept ? ym - slope * xm : 0;
  const residuals = new Float64Array(n);
  let ssr = 0;
  for (let i = 0; i < n; i++) {
    const r = ys[i] - (intercept + slope * xs[i]);
    residuals[i] = r;
    ssr += (w === null ? 1 : w[i]) * r * r;
  }
  const dof = used - p;
  const s2 = ssr / dof;
  const scale = w !== null && (options.weightsAreInverseVariance ?? true) ? 1 : s2;
  const varSlope = scale / sxx;
  return {
    slope: { value: slope, standardError: Math.sqrt(varSlope) },
    intercept: { value: intercept, standardError: withIntercept ? Math.sqrt(scale * (1 / sw + (xm * xm) / sxx)) : 0 },
    hasIntercept: withIntercept,
    slopeInterceptCovariance: withIntercept ? -xm * varSlope : 0,
    rSquared: rSquaredOf(ys, w, ssr),
    residuals,
    ssr,
    dof,
    residualStandardError: Math.sqrt(s2),
  };
}

/**
 * Linear least squares y ≈ X·β for a general design matrix, by Householder QR on √w-scaled rows.
 *
 * @param design - X, row-major N×P (row i = the P regressors of sample i).
 * @param nCols - P, the number of coefficients.
 * @param y - N observations.
 * @param options - Weights (see {@link WeightOptions}).
 * @returns β, standard errors, covariance (R⁻¹R⁻ᵀ·s²), R² (centred), residuals, SSR, dof.
 * @throws FitError when N_used ≤ P, data are not finite, or X is rank deficient (a column is, to
 *   1e-10 of its norm, a combination of the previous ones).
 * @throws InvalidArgumentError when the design size is not N·P or weights are invalid.
 *
 * Notes: QR avoids squaring the condition number as the normal equations would. The R² uses the
 * mean of y even if X has no constant column. Columns of very different scales are fine for QR,
 * but centring/scaling regressors (as {@link fitPolynomial} and {@link fitSurface} do) still helps.
 *
 * @see G. H. Golub & C. F. Van Loan, Matrix Computations, 4th ed., §5.3
 */
export function fitLinearModel(design: ArrayLike<number>, nCols: number, y: ArrayLike<number>, options: WeightOptions = {}): LinearModelFit {
  const ys = finiteCopy(y, "y");
  const n = ys.length;
  if (!Number.isInteger(nCols) || nCols < 1) {
    throw new InvalidArgumentError(`nCols is ${nCols}; it must be a positive integer.`, "Pass the number of columns (coefficients) of the design matrix.");
  }
  if (design.length !== n * nCols) {
    throw new InvalidArgumentError(
      `The design matrix has ${design.length} entries but N·P = ${n}·${nCols} = ${n * nCols}.`,
      "Pass X row-major with one row of P regressors per observation.",
    );
  }
  const x = finiteCopy(design, "design");
  const w = checkWeights(options.weights, n);
  const used = countUsed(w, n);
  requireMore(used, nCols, "this linear model");
  const absolute = w !== null && (options.weightsAreInverseVariance ?? true);
  return solveQr(x, nCols, ys, w, absolute);
}

/**
 * Least-squares polynomial y = c₀ + c₁x + … + c_d·x^d.
 *
 * @param x - Abscissae, N values.
 * @param y - Ordinates, N values.
 * @param degree - Polynomial degree d (integer, 0…10).
 * @param options - Weights (see {@link WeightOptions}).
 * @returns Coefficients in ascending powers of the original x, with standard errors and covariance.
 * @throws FitError when N_used ≤ d + 1, data are not finite, or there are fewer than d + 1 distinct x.
 * @throws InvalidArgumentError when the degree is not an integer in 0…10 or lengths differ.
 *
 * Notes: solved by QR in the centred, scaled variable t = (x − x̄)/s (s = half the x range), then
 * mapped back exactly to powers of x (covariance by the same linear map). High degrees over an
 * x range far from 0 lose precision in the monomial coefficients themselves, not in the fit.
 *
 * @see G. H. Golub & C. F. Van Loan, Matrix Computations, 4th ed., §5.3
 * @example
 * ```ts
 * fitPolynomial([0, 1, 2, 3, 4], [1, 2, 5, 10, 17], 2).coefficients; // ≈ [1, 0, 1]
 * ```
 */
export function fitPolynomial(x: ArrayLike<number>, y: ArrayLike<number>, degree: number, options: WeightOptions = {}): PolynomialFit {
  if (!Number.isInteger(degree) || degree < 0 || degree > MAX_POLY_DEGREE) {
    throw new InvalidArgumentError(`degree is ${degree}; expected an integer from 0 to ${MAX_POLY_DEGREE}.`, "Low degrees (1–3) are usually what a QC trend needs.");
  }
  const { xs, ys, w } = prepare(x, y, options.weights, "x");
  const n = xs.length;
  const p = degree + 1;
  requireMore(countUsed(w, n), p, `a degree-${degree} polynomial`);
  const { centre, scale } = centreScale(xs);
  const design = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    const t = (xs[i] - centre) / scale;
    let v = 1;
    for (let k = 0; k < p; k++) {
      design[i * p + k] = v;
      v *= t;
    }
  }
  const absolute = w !== null && (options.weightsAreInverseVariance ?? true);
  const fit = solveQr(design, p, ys, w, absolute, (k) => (k === 0 ? "the constant term" : `the x^${k} term (fewer distinct x values than coefficients?)`));
  // T[j][k]: coefficient of x^j in ((x − m)/s)^k = Σ_j C(k,j) x^j (−m)^(k−j) / s^k
  const t = new Float64Array(p * p);
  for (let k = 0; k < p; k++) {
    for (let j = 0; j <= k; j++) t[j * p + k] = (binomial(k, j) * (-centre) ** (k - j)) / scale ** k;
  }
  return { ...transform(fit, t, p), degree };
}

/**
 * Evaluates Σₖ cₖ·xᵏ (Horner).
 * @param coefficients - Ascending powers, as returned by {@link fitPolynomial}.
 * @param x - Where to evaluate.
 * @returns The polynomial value.
 */
export function evaluatePolynomial(coefficients: ArrayLike<number>, x: number): number {
  let v = 0;
  for (let k = coefficients.length - 1; k >= 0; k--) v = v * x + coefficients[k];
  return v;
}

/**
 * Least-squares 2D polynomial surface z = f(x, y): a plane (degree 1: c₀ + c₁x + c₂y) or a
 * quadric (degree 2: + c₃x² + c₄xy + c₅y²). Used for focal-plane tilt and field curvature from
 * per-bead focus positions.
 *
 * @param x - x positions (e.g. µm), N values.
 * @param y - y positions (same unit as x), N values.
 * @param z - Values at (x, y) (e.g. bead focus z in µm), N values.
 * @param degree - 1 (plane) or 2 (quadric).
 * @param options - Weights (see {@link WeightOptions}).
 * @returns Coefficients in the original units, in the order of `terms`, with standard errors and covariance.
 * @throws FitError when N_used ≤ number of terms (3 or 6), data are not finite, or the points are
 *   degenerate (e.g. all on one line, which cannot determine a plane).
 * @throws InvalidArgumentError when the degree is not 1 or 2 or the lengths differ.
 *
 * Notes: solved by QR in centred, scaled coordinates and mapped back exactly. For a plane the tilt
 * angle is atan(√(c₁² + c₂²)); for a quadric the curvature terms are c₃, c₄, c₅.
 *
 * @see PSFj planarity (F13 in peers.md); NBO-Q `Planarity` field
 * @example
 * ```ts
 * const f = fitSurface([0, 1, 0, 1], [0, 0, 1, 1], [1, 3, 4, 6.001], 1); // ≈ z = 1 + 2x + 3y
 * ```
 */
export function fitSurface(x: ArrayLike<number>, y: ArrayLike<number>, z: ArrayLike<number>, degree: 1 | 2, options: WeightOptions = {}): SurfaceFit {
  if (degree !== 1 && degree !== 2) {
    throw new InvalidArgumentError(`degree is ${degree}; fitSurface supports 1 (plane) and 2 (quadric).`, "Use 1 for tilt, 2 for field curvature.");
  }
  if (x.length !== y.length || x.length !== z.length) {
    throw new InvalidArgumentError(`x, y and z have ${x.length}, ${y.length} and ${z.length} values.`, "Pass one (x, y, z) triple per point.");
  }
  const xs = finiteCopy(x, "x");
  const ysv = finiteCopy(y, "y");
  const zs = finiteCopy(z, "z");
  const w = checkWeights(options.weights, xs.length);
  const n = xs.length;
  const powers = degree === 1 ? PLANE_POWERS : QUADRIC_POWERS;
  const p = powers.length;
  requireMore(countUsed(w, n), p, degree === 1 ? "a plane" : "a quadric surface");
  const cx = centreScale(xs);
  const cy = centreScale(ysv);
  const design = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    const u = (xs[i] - cx.centre) / cx.scale;
    const v = (ysv[i] - cy.centre) / cy.scale;
    for (let k = 0; k < p; k++) design[i * p + k] = u ** powers[k][0] * v ** powers[k][1];
  }
  const absolute = w !== null && (options.weightsAreInverseVariance ?? true);
  const fit = solveQr(design, p, zs, w, absolute, () => "the surface (are the points all on one line?)");
  // u^a v^b = Σ_i Σ_j C(a,i)(−mx)^(a−i)/sx^a · C(b,j)(−my)^(b−j)/sy^b · x^i y^j
  const t = new Float64Array(p * p);
  for (let k = 0; k < p; k++) {
    const [a, b] = powers[k];
    for (let i = 0; i <= a; i++) {
      for (let j = 0; j <= b; j++) {
        const row = powers.findIndex(([pa, pb]) => pa === i && pb === j);
        t[row * p + k] +=
          ((binomial(a, i) * (-cx.centre) ** (a - i)) / cx.scale ** a) * ((binomial(b, j) * (-cy.centre) ** (b - j)) / cy.scale ** b);
      }
    }
  }
  return { ...transform(fit, t, p), degree, terms: degree === 1 ? PLANE_TERMS : QUADRIC_TERMS };
}

/**
 * Evaluates a fitted surface at (x, y).
 * @param fit - A {@link SurfaceFit} (or any object with matching `degree` and `coefficients`).
 * @param x - x position, same unit as the fit.
 * @param y - y position.
 * @returns z at (x, y).
 */
export function evaluateSurface(fit: Pick<SurfaceFit, "degree" | "coefficients">, x: number, y: number): number {
  const c = fit.coefficients;
  let v = c[0] + c[1] * x + c[2] * y;
  if (fit.degree === 2) v += c[3] * x * x + c[4] * x * y + c[5] * y * y;
  return v;
}

const MAX_POLY_DEGREE = 10;
/** Column norm fraction below which a QR pivot marks the design as rank deficient. */
const RANK_TOLERANCE = 1e-10;
const PLANE_POWERS: readonly (readonly [number, number])[] = [
  [0, 0],
  [1, 0],
  [0, 1],
];
const QUADRIC_POWERS: readonly (readonly [number, number])[] = [...PLANE_POWERS, [2, 0], [1, 1], [0, 2]];
const PLANE_TERMS = ["1", "x", "y"] as const;
const QUADRIC_TERMS = ["1", "x", "y", "x^2", "x*y", "y^2"] as const;

function prepare(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  weights: ArrayLike<number> | undefined,
  xName: string,
): { xs: Float64Array; ys: Float64Array; w: Float64Array | null } {
  if (x.length !== y.length) {
    throw new InvalidArgumentError(`${xName} has ${x.length} values but y has ${y.length}.`, "Pass one x per y.");
  }
  const xs = finiteCopy(x, xName);
  const ys = finiteCopy(y, "y");
  return { xs, ys, w: checkWeights(weights, xs.length) };
}

function requireMore(used: number, p: number, what: string): void {
  if (used <= p) {
    throw new FitError(
      `Fitting ${what} needs more than ${p} points (${p} coefficients plus at least one degree of freedom) but ${used} were given.`,
      "Add measurements, or fit a simpler model.",
    );
  }
}

/** Mean and half-range of x (half-range 1 when all x are equal). */
function centreScale(xs: Float64Array): { centre: number; scale: number } {
  let lo = xs[0];
  let hi = xs[0];
  let s = 0;
  for (let i = 0; i < xs.length; i++) {
    s += xs[i];
    if (xs[i] < lo) lo = xs[i];
    if (xs[i] > hi) hi = xs[i];
  }
  const half = 0.5 * (hi - lo);
  return { centre: s / xs.length, scale: half > 0 ? half : 1 };
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/** Maps coefficients β' = T·β and covariance T·C·Tᵀ (T row-major P×P). */
function transform(fit: LinearModelFit, t: Float64Array, p: number): LinearModelFit {
  const c = new Float64Array(p);
  const tc = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    let s = 0;
    for (let k = 0; k < p; k++) {
      s += t[i * p + k] * fit.coefficients[k];
      let u = 0;
      for (let m = 0; m < p; m++) u += t[i * p + m] * fit.covariance[m * p + k];
      tc[i * p + k] = u;
    }
    c[i] = s;
  }
  const cov = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let k = 0; k < p; k++) s += tc[i * p + k] * t[j * p + k];
      cov[i * p + j] = s;
    }
  }
  const se = new Float64Array(p);
  for (let i = 0; i < p; i++) se[i] = Math.sqrt(Math.max(0, cov[i * p + i]));
  return { ...fit, coefficients: c, standardErrors: se, covariance: cov };
}

/**
 * Householder QR least squares on √w-scaled rows. `x` (row-major N×P) is not modified.
 * @param describe - names column k in the rank-deficiency message.
 */
function solveQr(
  x: Float64Array,
  p: number,
  y: Float64Array,
  w: Float64Array | null,
  absoluteWeights: boolean,
  describe: (k: number) => string = (k) => `column ${k}`,
): LinearModelFit {
  const n = y.length;
  const a = new Float64Array(n * p);
  const b = new Float64Array(n);
  const colNorm = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    const sw = w === null ? 1 : Math.sqrt(w[i]);
    b[i] = sw * y[i];
    for (let k = 0; k < p; k++) {
      const v = sw * x[i * p + k];
      a[i * p + k] = v;
      colNorm[k] += v * v;
    }
  }
  const rdiag = new Float64Array(p);
  for (let k = 0; k < p; k++) {
    let norm = 0;
    for (let i = k; i < n; i++) norm += a[i * p + k] * a[i * p + k];
    norm = Math.sqrt(norm);
    if (!(norm > RANK_TOLERANCE * Math.sqrt(colNorm[k]))) {
      throw new FitError(`The design is rank deficient: ${describe(k)} is not determined by the data.`, "Spread the measurement positions, or fit a lower-degree model.");
    }
    const alpha = a[k * p + k] > 0 ? -norm : norm;
    a[k * p + k] -= alpha; // v = column − alpha·e_k, stored in place
    let vnorm2 = 0;
    for (let i = k; i < n; i++) vnorm2 += a[i * p + k] * a[i * p + k];
    for (let j = k + 1; j < p; j++) {
      let s = 0;
      for (let i = k; i < n; i++) s += a[i * p + k] * a[i * p + j];
      const f = (2 * s) / vnorm2;
      for (let i = k; i < n; i++) a[i * p + j] -= f * a[i * p + k];
    }
    let s = 0;
    for (let i = k; i < n; i++) s += a[i * p + k] * b[i];
    const f = (2 * s) / vnorm2;
    for (let i = k; i < n; i++) b[i] -= f * a[i * p + k];
    rdiag[k] = alpha;
  }
  // R: diag in rdiag, strict upper triangle in a[k*p + j], j > k
  const r = (k: number, j: number): number => (k === j ? rdiag[k] : a[k * p + j]);
  const beta = new Float64Array(p);
  for (let k = p - 1; k >= 0; k--) {
    let s = b[k];
    for (let j = k + 1; j < p; j++) s -= r(k, j) * beta[j];
    beta[k] = s / rdiag[k];
  }
  // R⁻¹ (upper triangular)
  const ri = new Float64Array(p * p);
  for (let k = p - 1; k >= 0; k--) {
    ri[k * p + k] = 1 / rdiag[k];
    for (let j = k + 1; j < p; j++) {
      let s = 0;
      for (let m = k + 1; m <= j; m++) s += r(k, m) * ri[m * p + j];
      ri[k * p + j] = -s / rdiag[k];
    }
  }
  const residuals = new Float64Array(n);
  let ssr = 0;
  for (let i = 0; i < n; i++) {
    let f = 0;
    for (let k = 0; k < p; k++) f += x[i * p + k] * beta[k];
    const res = y[i] - f;
    residuals[i] = res;
    ssr += (w === null ? 1 : w[i]) * res * res;
  }
  const dof = countUsed(w, n) - p;
  const s2 = ssr / dof;
  const scale = absoluteWeights ? 1 : s2;
  const covariance = new Float64Array(p * p);
  const standardErrors = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let m = Math.max(i, j); m < p; m++) s += ri[i * p + m] * ri[j * p + m];
      covariance[i * p + j] = s * scale;
    }
    standardErrors[i] = Math.sqrt(covariance[i * p + i]);
  }
  return {
    coefficients: beta,
    standardErrors,
    covariance,
    rSquared: rSquaredOf(y, w, ssr),
    residuals,
    ssr,
    dof,
    residualStandardError: Math.sqrt(s2),
  };
}
