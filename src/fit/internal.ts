/**
 * Helpers shared by the fitting modules. Not re-exported from `src/fit/index.ts`.
 * @module
 */
import { FitError, InvalidArgumentError } from "../core/errors.js";

/**
 * Copies numbers into a fresh Float64Array, refusing NaN and ±Infinity.
 * @param values - Input samples (any numeric array-like).
 * @param what - Name used in the error message (e.g. "y").
 * @returns A new Float64Array with the same values.
 * @throws FitError when a value is not finite.
 */
export function finiteCopy(values: ArrayLike<number>, what: string): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      throw new FitError(
        `${what}[${i}] is ${v}; all ${n} values must be finite numbers.`,
        "Remove or mask NaN/Infinity samples (e.g. from a division by zero or a missing pixel) before fitting.",
      );
    }
    out[i] = v;
  }
  return out;
}

/**
 * Validates optional per-sample weights (must be finite and ≥ 0, one per sample).
 * @param weights - Weights or undefined.
 * @param n - Number of samples.
 * @returns A Float64Array copy, or null when no weights were given.
 * @throws InvalidArgumentError for a length mismatch or a negative/non-finite weight.
 */
export function checkWeights(weights: ArrayLike<number> | undefined, n: number): Float64Array | null {
  if (weights === undefined) return null;
  if (weights.length !== n) {
    throw new InvalidArgumentError(
      `weights has ${weights.length} entries but there are ${n} samples.`,
      "Pass one weight (1/σ²) per sample, in the same order as the data.",
    );
  }
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = weights[i];
    if (!Number.isFinite(v) || v < 0) {
      throw new InvalidArgumentError(
        `weights[${i}] is ${v}; weights must be finite and ≥ 0.`,
        "Weights are 1/σ² of each sample; use 0 to ignore a sample.",
      );
    }
    w[i] = v;
  }
  return w;
}

/** Number of samples with a positive weight (all of them when w is null). */
export function countUsed(w: Float64Array | null, n: number): number {
  if (w === null) return n;
  let k = 0;
  for (let i = 0; i < n; i++) if (w[i] > 0) k++;
  return k;
}

/**
 * Coefficient of determination R² = 1 − SSres/SStot, with (weighted) mean ȳ.
 * When SStot = 0 (constant data) R² is 1 if SSres = 0, else 0, so no NaN leaves the module.
 * @param y - Observed values.
 * @param w - Weights or null.
 * @param ssr - (Weighted) residual sum of squares.
 * @returns R², ≤ 1 (can be negative for a model worse than the mean).
 */
export function rSquaredOf(y: Float64Array, w: Float64Array | null, ssr: number): number {
  const n = y.length;
  let sw = 0;
  let swy = 0;
  for (let i = 0; i < n; i++) {
    const wi = w === null ? 1 : w[i];
    sw += wi;
    swy += wi * y[i];
  }
  const mean = swy / sw;
  let sst = 0;
  for (let i = 0; i < n; i++) {
    const d = y[i] - mean;
    sst += (w === null ? 1 : w[i]) * d * d;
  }
  if (!(sst > 0)) return ssr > 0 ? 0 : 1;
  return 1 - ssr / sst;
}

/** Relative size of a Cholesky pivot (on a unit-diagonal matrix) below which the problem is singular. */
export const SINGULAR_PIVOT = 1e-13;

/**
 * Inverts a symmetric positive-definite P×P matrix (row-major, lower triangle read) via
 * Cholesky on the correlation-scaled matrix D⁻¹AD⁻¹ (scale-free singularity test).
 * @param a - Matrix, row-major P×P; only the lower triangle is read. Not modified.
 * @param size - P.
 * @param out - Receives the full symmetric inverse (row-major P×P).
 * @returns −1 on success, otherwise the index of the first parameter found to be
 *   degenerate (zero diagonal, or linearly dependent on earlier ones).
 */
export function invertSpd(a: Float64Array, size: number, out: Float64Array): number {
  const d = new Float64Array(size);
  for (let k = 0; k < size; k++) {
    const v = a[k * size + k];
    if (!(v > 0) || !Number.isFinite(v)) return k;
    d[k] = Math.sqrt(v);
  }
  const l = new Float64Array(size * size);
  for (let j = 0; j < size; j++) {
    let s = 1;
    for (let k = 0; k < j; k++) s -= l[j * size + k] * l[j * size + k];
    if (!(s > SINGULAR_PIVOT)) return j;
    const dj = Math.sqrt(s);
    l[j * size + j] = dj;
    for (let i = j + 1; i < size; i++) {
      let t = a[i * size + j] / (d[i] * d[j]);
      for (let k = 0; k < j; k++) t -= l[i * size + k] * l[j * size + k];
      l[i * size + j] = t / dj;
    }
  }
  // inverse of L (lower triangular), in place into li
  const li = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    li[i * size + i] = 1 / l[i * size + i];
    for (let j = 0; j < i; j++) {
      let t = 0;
      for (let k = j; k < i; k++) t -= l[i * size + k] * li[k * size + j];
      li[i * size + j] = t / l[i * size + i];
    }
  }
  // (LLᵀ)⁻¹ = L⁻ᵀL⁻¹, then undo the scaling
  for (let i = 0; i < size; i++) {
    for (let j = 0; j <= i; j++) {
      let t = 0;
      for (let k = i; k < size; k++) t += li[k * size + i] * li[k * size + j];
      const v = t / (d[i] * d[j]);
      out[i * size + j] = v;
      out[j * size + i] = v;
    }
  }
  return -1;
}

export { selectInPlace } from "../core/select.js";
