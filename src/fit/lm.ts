/**
 * Levenberg–Marquardt non-linear least squares with an analytic Jacobian.
 * @module
 */
import { FitError, InvalidArgumentError } from "../core/errors.js";
import { checkWeights, countUsed, finiteCopy, invertSpd, rSquaredOf } from "./internal.js";

/**
 * A model evaluated one sample at a time.
 *
 * `model(p, i, jac)` returns the model value for sample `i` at parameters `p` and writes
 * ∂f/∂p_k into `jac[k]` for every parameter k.
 *
 * Guarantee given by {@link levenbergMarquardt}: for each parameter vector it evaluates the
 * samples in ascending order i = 0, 1, …, N − 1 without interruption. A model may therefore
 * rebuild per-pass lookup tables (e.g. separable exponentials) when `i === 0`.
 */
export type ModelFunction = (p: Float64Array, i: number, jac: Float64Array) => number;

/** A fitted parameter: its value and one standard error (see {@link LmResult.standardErrors}). */
export interface FitParameter {
  readonly value: number;
  readonly standardError: number;
}

/** Weighting shared by all least-squares fits in `src/fit/`. */
export interface WeightOptions {
  /**
   * Per-sample weights wᵢ (the cost is Σ wᵢ·rᵢ²). Use 1/σᵢ² when the per-sample noise SD
   * σᵢ is known; 0 drops a sample. @default undefined (all weights 1)
   */
  weights?: ArrayLike<number>;
  /**
   * Only used when `weights` is given. `true`: the weights are true inverse variances 1/σᵢ²,
   * so the covariance is (JᵀWJ)⁻¹ with no rescaling (χ²/dof should then be ≈ 1).
   * `false`: the weights are only relative, and the covariance is rescaled by
   * s² = Σwᵢrᵢ²/(N − P) as for an unweighted fit.
   * @default true
   */
  weightsAreInverseVariance?: boolean;
}

/** Options of {@link levenbergMarquardt}. */
export interface LmOptions extends WeightOptions {
  /** Maximum number of Jacobian evaluations (outer iterations). @default 200 */
  maxIterations?: number;
  /** Stop when an accepted, nearly Gauss–Newton step lowers the SSR by less than ftol·SSR. @default 1e-10 */
  ftol?: number;
  /** Stop when every parameter moves by less than xtol·(|p| + xtol) in an accepted step. @default 1e-10 */
  xtol?: number;
  /** Stop when max_k |Jₖᵀ W r| / √(JₖᵀWJₖ · SSR) ≤ gtol (residuals orthogonal to the Jacobian). @default 1e-10 */
  gtol?: number;
  /** Initial Marquardt damping λ (multiplies diag(JᵀWJ)). @default 1e-3 */
  initialDamping?: number;
  /** Lower bounds per parameter (−Infinity for none); trial points are clamped into the box. @default none */
  lowerBounds?: ArrayLike<number>;
  /** Upper bounds per parameter (+Infinity for none). @default none */
  upperBounds?: ArrayLike<number>;
  /** Parameter names used in error messages. @default ["p0", "p1", …] */
  parameterNames?: readonly string[];
}

/** Why the iteration stopped. All but "maxIterations" count as converged. */
export type LmStopReason = "exact" | "gtol" | "ftol" | "xtol" | "stalled" | "maxIterations";

/** Result of {@link levenbergMarquardt}. */
export interface LmResult {
  /** Best-fit parameters. */
  readonly params: Float64Array;
  /**
   * One standard error per parameter, √diag(covariance). Unweighted fits (or relative
   * weights): √(diag((JᵀWJ)⁻¹)·s²) with s² = SSR/(N − P). Weights that are true 1/σ²
   * (the default when weights are given): √diag((JᵀWJ)⁻¹), no s² factor.
   * Linearised at the optimum; clamped parameters sitting on a bound keep the
   * unconstrained value.
   */
  readonly standardErrors: Float64Array;
  /** Parameter covariance, row-major P×P, scaled as described for standardErrors. */
  readonly covariance: Float64Array;
  /** 1 − SSres/SStot with the (weighted) mean of y; 1 for a perfect fit of constant data. */
  readonly rSquared: number;
  /** Residual sum of squares Σ wᵢ (yᵢ − fᵢ)² at the optimum (χ² when w = 1/σ²). */
  readonly ssr: number;
  /** Degrees of freedom N_used − P (samples with weight 0 are not counted). */
  readonly dof: number;
  /** s² = SSR/dof, the residual variance (reduced χ² when w = 1/σ²). */
  readonly residualVariance: number;
  /** Number of outer iterations (each solves the damped normal equations at least once). */
  readonly iterations: number;
  readonly converged: boolean;
  readonly reason: LmStopReason;
  /** One sentence describing the stop reason. */
  readonly message: string;
}

const LAMBDA_MIN = 1e-12;
const LAMBDA_MAX = 1e16;
const LAMBDA_FACTOR = 10;
/** ftol convergence is only trusted when the accepted step was close to Gauss–Newton. */
const FTOL_MAX_DAMPING = 1;
/** Floor of the damping diagonal relative to its largest entry (columns with a zero derivative). */
const DAMPING_FLOOR = 1e-12;

const STOP_MESSAGES: Record<LmStopReason, string> = {
  exact: "the model reproduces the data exactly (SSR = 0)",
  gtol: "the residuals are orthogonal to the Jacobian (gradient tolerance)",
  ftol: "the SSR no longer decreases (relative tolerance ftol)",
  xtol: "the parameters no longer change (relative tolerance xtol)",
  stalled: "no step can lower the SSR further at floating-point precision",
  maxIterations: "the iteration limit was reached before convergence",
};

/**
 * Fits `model` to `y` by Levenberg–Marquardt (Marquardt diagonal scaling, damped normal
 * equations solved by Cholesky), minimising Σ wᵢ (yᵢ − f(p; i))².
 *
 * @param model - Model with analytic Jacobian, see {@link ModelFunction}.
 * @param y - Observed samples, N values (any unit; the model must match).
 * @param initialParams - Starting parameters, P values. Clamped into the bounds.
 * @param options - Tolerances, weights, bounds; see {@link LmOptions}.
 * @returns Parameters, standard errors, covariance, R², SSR, convergence information.
 * @throws FitError when N_used ≤ P, when y or the model at the start is not finite, or when
 *   JᵀWJ at the optimum is singular (a parameter does not influence the model or duplicates others).
 * @throws InvalidArgumentError for malformed options (bounds/weights of the wrong length, lower > upper).
 *
 * Notes: all work buffers (Float64Array) are allocated once per call; each trial costs one pass
 * of the model over the N samples (Jacobian stored column-major), and JᵀWJ is formed by dot
 * products only for accepted trials.
 * The damping starts at `initialDamping`, is divided by 10 after a successful step and multiplied
 * by 10 after a failed one; when λ exceeds 1e16 without a decrease the fit stops as "stalled"
 * (converged: a minimum at floating-point resolution). Bounds are enforced by clamping.
 * Standard errors assume independent errors and a model that is locally linear over ±1 SE.
 *
 * @see K. Levenberg (1944) Q. Appl. Math. 2:164; D. W. Marquardt (1963) J. SIAM 11:431, doi:10.1137/0111030
 * @see W. H. Press et al., Numerical Recipes, 3rd ed., §15.5
 * @example
 * ```ts
 * // straight line y = a + b·x through (0,1), (1,3), (2,5), (3,7)
 * const x = [0, 1, 2, 3];
 * const r = levenbergMarquardt((p, i, j) => { j[0] = 1; j[1] = x[i]; return p[0] + p[1] * x[i]; }, [1, 3, 5, 7], [0, 0]);
 * // r.params ≈ [1, 2], r.converged === true
 * ```
 */
export function levenbergMarquardt(
  model: ModelFunction,
  y: ArrayLike<number>,
  initialParams: ArrayLike<number>,
  options: LmOptions = {},
): LmResult {
  const P = initialParams.length;
  const N = y.length;
  const names = Array.from({ length: P }, (_, k) => options.parameterNames?.[k] ?? `p${k}`);
  const maxIterations = options.maxIterations ?? 200;
  const ftol = options.ftol ?? 1e-10;
  const xtol = options.xtol ?? 1e-10;
  const gtol = options.gtol ?? 1e-10;
  const lambda0 = options.initialDamping ?? 1e-3;
  if (P < 1) throw new InvalidArgumentError("initialParams is empty.", "Give one starting value per model parameter.");
  const yy = finiteCopy(y, "y");
  const w = checkWeights(options.weights, N);
  const absoluteWeights = w !== null && (options.weightsAreInverseVariance ?? true);
  const nUsed = countUsed(w, N);
  if (nUsed <= P) {
    throw new FitError(
      `Only ${nUsed} usable samples for ${P} parameters; a least-squares fit needs more samples than parameters (N > P).`,
      "Use a larger ROI / longer profile, or fix some parameters.",
    );
  }
  const lo = bounds(options.lowerBounds, P, Number.NEGATIVE_INFINITY, "lowerBounds");
  const hi = bounds(options.upperBounds, P, Number.POSITIVE_INFINITY, "upperBounds");
  for (let k = 0; k < P; k++) {
    if (lo[k] > hi[k]) {
      throw new InvalidArgumentError(`Bound of ${names[k]}: lower ${lo[k]} > upper ${hi[k]}.`, "Swap or fix the bounds.");
    }
  }

  let p = new Float64Array(P);
  let pTrial = new Float64Array(P);
  for (let k = 0; k < P; k++) {
    const v = initialParams[k];
    if (!Number.isFinite(v)) {
      throw new FitError(`Initial value of ${names[k]} is ${v}.`, "Give finite starting values (check the automatic guess inputs).");
    }
    p[k] = Math.min(hi[k], Math.max(lo[k], v));
  }
  const jac = new Float64Array(P);
  const jtj = new Float64Array(P * P);
  const jtr = new Float64Array(P);
  let cols = new Float64Array(N * P);
  let colsTrial = new Float64Array(N * P);
  let res = new Float64Array(N);
  let resTrial = new Float64Array(N);
  let sw: Float64Array | null = null;
  if (w !== null) {
    sw = new Float64Array(N);
    for (let i = 0; i < N; i++) sw[i] = Math.sqrt(w[i]);
  }
  const jacobianError = (): FitError =>
    new FitError("The model's Jacobian is not finite at the current parameters.", "Check the starting values and the model's derivatives.");
  const a = new Float64Array(P * P);
  const dp = new Float64Array(P);

  let cost = evaluatePass(model, p, yy, sw, jac, cols, res, N, P);
  if (!Number.isFinite(cost)) {
    throw new FitError(
      "The model is not finite at the starting parameters.",
      "Check the initial guess (e.g. a zero width) and that the model handles these parameter values.",
    );
  }
  if (!normalEquations(cols, res, jtj, jtr, N, P)) throw jacobianError();
  let lambda = lambda0;
  let iterations = 0;
  let reason: LmStopReason = "maxIterations";
  while (iterations < maxIterations) {
    iterations++;
    if (cost === 0) {
      reason = "exact";
      break;
    }
    let gmax = 0;
    let dmax = 0;
    for (let k = 0; k < P; k++) {
      const d = jtj[k * P + k];
      if (d > dmax) dmax = d;
      if (d > 0) gmax = Math.max(gmax, Math.abs(jtr[k]) / Math.sqrt(d * cost));
    }
    if (gmax <= gtol) {
      reason = "gtol";
      break;
    }
    const floor = DAMPING_FLOOR * (dmax > 0 ? dmax : 1);
    let accepted = false;
    let stop = false;
    while (lambda <= LAMBDA_MAX) {
      for (let k = 0; k < P; k++) {
        for (let m = 0; m < k; m++) a[k * P + m] = jtj[k * P + m];
        const d = jtj[k * P + k];
        a[k * P + k] = d + lambda * Math.max(d, floor);
      }
      if (!choleskySolve(a, jtr, dp, P)) {
        lambda *= LAMBDA_FACTOR;
        continue;
      }
      let small = true;
      for (let k = 0; k < P; k++) {
        const v = Math.min(hi[k], Math.max(lo[k], p[k] + dp[k]));
        pTrial[k] = v;
        if (Math.abs(v - p[k]) > xtol * (Math.abs(p[k]) + xtol)) small = false;
      }
      const trialCost = evaluatePass(model, pTrial, yy, sw, jac, colsTrial, resTrial, N, P);
      if (trialCost < cost) {
        const decrease = cost - trialCost;
        const prev = cost;
        const lambdaUsed = lambda;
        const tp = p;
        p = pTrial;
        pTrial = tp;
        const tc = cols;
        cols = colsTrial;
        colsTrial = tc;
        const tr = res;
        res = resTrial;
        resTrial = tr;
        if (!normalEquations(cols, res, jtj, jtr, N, P)) throw jacobianError();
        cost = trialCost;
        lambda = Math.max(lambda / LAMBDA_FACTOR, LAMBDA_MIN);
        accepted = true;
        if (decrease <= ftol * prev && lambdaUsed <= FTOL_MAX_DAMPING) {
          reason = "ftol";
          stop = true;
        } else if (small) {
          reason = "xtol";
          stop = true;
        }
        break;
      }
      lambda *= LAMBDA_FACTOR;
    }
    if (!accepted) {
      reason = "stalled";
      break;
    }
    if (stop) break;
  }

  // covariance at the final parameters (jtj belongs to p)
  const covariance = new Float64Array(P * P);
  const bad = invertSpd(jtj, P, covariance);
  if (bad >= 0) {
    throw new FitError(
      `The fit is singular: parameter ${names[bad]} is not determined by the data (JᵀWJ is not invertible).`,
      "The data may be flat or too small to constrain this parameter (e.g. no peak, or a width far below one sample). Check the ROI or fix that parameter.",
    );
  }
  const dof = nUsed - P;
  const s2 = cost / dof;
  const scale = absoluteWeights ? 1 : s2;
  const standardErrors = new Float64Array(P);
  for (let k = 0; k < P * P; k++) covariance[k] *= scale;
  for (let k = 0; k < P; k++) standardErrors[k] = Math.sqrt(covariance[k * P + k]);
  return {
    params: p,
    standardErrors,
    covariance,
    rSquared: rSquaredOf(yy, w, cost),
    ssr: cost,
    dof,
    residualVariance: s2,
    iterations,
    converged: reason !== "maxIterations",
    reason,
    message: STOP_MESSAGES[reason],
  };
}

/**
 * One model pass at q: stores √wᵢ·∂f/∂pₖ column-major in cols (P×N) and √wᵢ·rᵢ in res, and
 * returns the SSR Σwᵢrᵢ² (Infinity if non-finite).
 */
function evaluatePass(
  model: ModelFunction,
  q: Float64Array,
  y: Float64Array,
  sw: Float64Array | null,
  jac: Float64Array,
  cols: Float64Array,
  res: Float64Array,
  n: number,
  np: number,
): number {
  let c = 0;
  for (let i = 0; i < n; i++) {
    const f = model(q, i, jac);
    const s = sw === null ? 1 : sw[i];
    const r = s * (y[i] - f);
    res[i] = r;
    c += r * r;
    for (let k = 0; k < np; k++) cols[k * n + i] = s * jac[k];
  }
  return Number.isFinite(c) ? c : Number.POSITIVE_INFINITY;
}

/**
 * Normal equations from the stored columns: JᵀWJ (lower triangle) and JᵀWr as dot products.
 * @returns false when a value is not finite.
 */
function normalEquations(cols: Float64Array, res: Float64Array, jtj: Float64Array, jtr: Float64Array, n: number, np: number): boolean {
  for (let k = 0; k < np; k++) {
    const ok = k * n;
    let g = 0;
    for (let i = 0; i < n; i++) g += cols[ok + i] * res[i];
    jtr[k] = g;
    const rk = k * np;
    let m = 0;
    // four columns per sweep: each cols[ok + i] is loaded once for four products
    for (; m + 3 <= k; m += 4) {
      const o0 = m * n;
      const o1 = o0 + n;
      const o2 = o1 + n;
      const o3 = o2 + n;
      let t0 = 0;
      let t1 = 0;
      let t2 = 0;
      let t3 = 0;
      for (let i = 0; i < n; i++) {
        const v = cols[ok + i];
        t0 += v * cols[o0 + i];
        t1 += v * cols[o1 + i];
        t2 += v * cols[o2 + i];
        t3 += v * cols[o3 + i];
      }
      jtj[rk + m] = t0;
      jtj[rk + m + 1] = t1;
      jtj[rk + m + 2] = t2;
      jtj[rk + m + 3] = t3;
    }
    for (; m <= k; m++) {
      const om = m * n;
      let t = 0;
      for (let i = 0; i < n; i++) t += cols[ok + i] * cols[om + i];
      jtj[rk + m] = t;
    }
  }
  for (let k = 0; k < np * np; k++) if (!Number.isFinite(jtj[k])) return false;
  for (let k = 0; k < np; k++) if (!Number.isFinite(jtr[k])) return false;
  return true;
}

function bounds(b: ArrayLike<number> | undefined, size: number, fill: number, what: string): Float64Array {
  const out = new Float64Array(size).fill(fill);
  if (b === undefined) return out;
  if (b.length !== size) {
    throw new InvalidArgumentError(`${what} has ${b.length} entries for ${size} parameters.`, "Give one bound per parameter (±Infinity for none).");
  }
  for (let k = 0; k < size; k++) {
    if (Number.isNaN(b[k])) throw new InvalidArgumentError(`${what}[${k}] is NaN.`, "Use ±Infinity for an unbounded parameter.");
    out[k] = b[k];
  }
  return out;
}

/**
 * Solves A·x = b for symmetric positive-definite A (lower triangle read, overwritten with L).
 * @returns false when A is not numerically positive definite.
 */
function choleskySolve(a: Float64Array, b: Float64Array, x: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let s = a[j * n + j];
    for (let k = 0; k < j; k++) s -= a[j * n + k] * a[j * n + k];
    if (!(s > 0)) return false;
    const d = Math.sqrt(s);
    a[j * n + j] = d;
    for (let i = j + 1; i < n; i++) {
      let t = a[i * n + j];
      for (let k = 0; k < j; k++) t -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = t / d;
    }
  }
  for (let i = 0; i < n; i++) {
    let t = b[i];
    for (let k = 0; k < i; k++) t -= a[i * n + k] * x[k];
    x[i] = t / a[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let t = x[i];
    for (let k = i + 1; k < n; k++) t -= a[k * n + i] * x[k];
    x[i] = t / a[i * n + i];
  }
  for (let i = 0; i < n; i++) if (!Number.isFinite(x[i])) return false;
  return true;
}
