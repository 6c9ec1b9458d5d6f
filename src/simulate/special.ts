/**
 * Special functions the simulators need (erf/erfc, Bessel J_n, Gauss–Legendre nodes).
 * Internal to `src/simulate/`: not re-exported from the module index, so it cannot clash
 * with the fitting or optics modules' own helpers.
 */

const SQRT1_2 = Math.SQRT1_2;

/**
 * Complementary error function erfc(x) with fractional error below 1.2·10⁻⁷ everywhere.
 *
 * @param x - Argument (any real number).
 * @returns erfc(x) in [0, 2].
 * @throws Never.
 *
 * Notes: Chebyshev-fitted rational approximation, accurate in the far tails too, so differences
 * of tail probabilities (pixel-integrated Gaussians far from the centre) keep their relative accuracy.
 * @see W. H. Press et al., Numerical Recipes in C, 2nd ed. (1992), §6.2, function `erfcc`.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const ans =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? ans : 2 - ans;
}

/**
 * Probability that a standard normal variable falls in [a, b] (a ≤ b), computed from the tail
 * on the side that avoids cancellation.
 *
 * @param a - Lower bound, in standard deviations.
 * @param b - Upper bound, in standard deviations.
 * @returns Φ(b) − Φ(a) ≥ 0.
 * @throws Never.
 *
 * Notes: relative accuracy ≈ 10⁻⁷ even far in the tails (used for pixel-integrated Gaussians).
 * @see Numerical Recipes §6.2.
 */
export function normalInterval(a: number, b: number): number {
  if (a >= 0) return 0.5 * (erfc(a * SQRT1_2) - erfc(b * SQRT1_2));
  if (b <= 0) return 0.5 * (erfc(-b * SQRT1_2) - erfc(-a * SQRT1_2));
  return 1 - 0.5 * (erfc(-a * SQRT1_2) + erfc(b * SQRT1_2));
}

/**
 * Bessel function of the first kind, order 0 (absolute error ≈ 10⁻⁸).
 *
 * @param x - Argument.
 * @returns J₀(x).
 * @throws Never.
 *
 * Notes: rational approximation below 8, asymptotic form above.
 * @see Numerical Recipes in C, 2nd ed., §6.5, `bessj0`.
 */
export function besselJ0(x: number): number {
  const ax = Math.abs(x);
  if (ax < 8) {
    const y = x * x;
    const a1 = 57568490574.0 + y * (-13362590354.0 + y * (651619640.7 + y * (-11214424.18 + y * (77392.33017 + y * -184.9052456))));
    const a2 = 57568490411.0 + y * (1029532985.0 + y * (9494680.718 + y * (59272.64853 + y * (267.8532712 + y))));
    return a1 / a2;
  }
  const z = 8 / ax;
  const y = z * z;
  const xx = ax - 0.785398164;
  const a1 = 1 + y * (-0.1098628627e-2 + y * (0.2734510407e-4 + y * (-0.2073370639e-5 + y * 0.2093887211e-6)));
  const a2 = -0.1562499995e-1 + y * (0.1430488765e-3 + y * (-0.6911147651e-5 + y * (0.7621095161e-6 - y * 0.934935152e-7)));
  return Math.sqrt(0.636619772 / ax) * (Math.cos(xx) * a1 - z * Math.sin(xx) * a2);
}

/**
 * Bessel functions J_0(x) … J_mMax(x) of integer order for x ≥ 0, all at once.
 *
 * @param x - Argument, ≥ 0.
 * @param mMax - Highest order wanted (≥ 0).
 * @param out - Receives J_m(x) at index m; length ≥ mMax + 1.
 * @returns Nothing (fills `out`).
 * @throws Never.
 *
 * Notes: Miller's backward recurrence started well above max(x, mMax), normalised with
 * J₀ + 2·Σ J₂ₖ = 1 (relative accuracy ≈ 10⁻¹²). Stable for every order, unlike upward recurrence.
 * @see Numerical Recipes in C, 2nd ed., §6.5, `bessj`.
 */
export function besselJSeries(x: number, mMax: number, out: Float64Array): void {
  if (x === 0) {
    out.fill(0, 0, mMax + 1);
    out[0] = 1;
    return;
  }
  const top = Math.max(mMax, Math.ceil(x));
  let start = top + 20 + Math.ceil(Math.sqrt(40 * top));
  if (start % 2 === 1) start++;
  const tox = 2 / x;
  let jp1 = 0;
  let j = 1e-30;
  let norm = 0;
  for (let m = start; m > 0; m--) {
    const jm1 = m * tox * j - jp1;
    jp1 = j;
    j = jm1;
    // j now holds the unnormalised J_{m−1}
    if (m - 1 <= mMax) out[m - 1] = j;
    if ((m - 1) % 2 === 0 && m - 1 > 0) norm += 2 * j;
    if (Math.abs(j) > 1e10) {
      j *= 1e-10;
      jp1 *= 1e-10;
      norm *= 1e-10;
      for (let k = m - 1; k <= mMax; k++) out[k] *= 1e-10;
    }
  }
  norm += j;
  const inv = 1 / norm;
  for (let k = 0; k <= mMax; k++) out[k] *= inv;
}

/**
 * Nodes and weights of n-point Gauss–Legendre quadrature on [a, b].
 *
 * @param n - Number of nodes (≥ 1).
 * @param a - Lower limit.
 * @param b - Upper limit.
 * @returns `{ nodes, weights }`, exact for polynomials of degree ≤ 2n − 1.
 * @throws Never.
 *
 * Notes: nodes by Newton iteration on P_n to 10⁻¹⁵.
 * @see Numerical Recipes in C, 2nd ed., §4.5, `gauleg`.
 */
export function gaussLegendre(n: number, a: number, b: number): { nodes: Float64Array; weights: Float64Array } {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  const m = Math.floor((n + 1) / 2);
  const xm = 0.5 * (b + a);
  const xl = 0.5 * (b - a);
  for (let i = 0; i < m; i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let pp = 0;
    for (let iter = 0; iter < 100; iter++) {
      let p1 = 1;
      let p2 = 0;
      for (let j = 0; j < n; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = ((2 * j + 1) * z * p2 - j * p3) / (j + 1);
      }
      pp = (n * (z * p1 - p2)) / (z * z - 1);
      const z1 = z;
      z = z1 - p1 / pp;
      if (Math.abs(z - z1) < 1e-15) break;
    }
    nodes[i] = xm - xl * z;
    nodes[n - 1 - i] = xm + xl * z;
    weights[i] = (2 * xl) / ((1 - z * z) * pp * pp);
    weights[n - 1 - i] = weights[i];
  }
  return { nodes, weights };
}
