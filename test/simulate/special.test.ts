import { describe, expect, test } from "vitest";
import { besselJ0, besselJSeries, erfc, gaussLegendre, normalInterval } from "../../src/simulate/special.js";

/** J_n(x) from the integral representation (1/π)∫₀^π cos(nτ − x·sinτ) dτ, trapezoid (spectrally accurate). */
function besselIntegral(n: number, x: number): number {
  const m = 4096;
  let s = 0;
  for (let i = 0; i <= m; i++) {
    const tau = (Math.PI * i) / m;
    const w = i === 0 || i === m ? 0.5 : 1;
    s += w * Math.cos(n * tau - x * Math.sin(tau));
  }
  return s / m;
}

describe("special functions", () => {
  test("erfc matches reference values to 1.2e-7 relative", () => {
    // reference values: erfc(0.5), erfc(1), erfc(3), erfc(−1) (Abramowitz & Stegun table 7.1)
    const cases: [number, number][] = [
      [0, 1],
      [0.5, 0.4795001221869535],
      [1, 0.15729920705028513],
      [3, 2.209049699858544e-5],
      [-1, 1.8427007929497148],
    ];
    for (const [x, ref] of cases) expect(Math.abs(erfc(x) - ref) / ref).toBeLessThan(1.2e-7);
  });

  test("normalInterval gives the standard normal probabilities", () => {
    expect(normalInterval(-1, 1)).toBeCloseTo(0.6826894921370859, 6);
    expect(normalInterval(-1.959963984540054, 1.959963984540054)).toBeCloseTo(0.95, 6);
    // far tail keeps relative accuracy (reference: Python math.erfc)
    expect(normalInterval(6, 7) / 9.853078324938154e-10).toBeCloseTo(1, 5);
  });

  test("J0 has its first zero at 2.404825558 and J0(1) = 0.7651976866", () => {
    expect(Math.abs(besselJ0(2.404825557695773))).toBeLessThan(1e-8);
    expect(besselJ0(1)).toBeCloseTo(0.7651976866, 8);
  });

  test.each([0.3, 1, 7.5, 25, 80])("besselJSeries(x = %d) matches the integral representation for orders 0–12", (x) => {
    const out = new Float64Array(13);
    besselJSeries(x, 12, out);
    for (let n = 0; n <= 12; n++) expect(Math.abs(out[n] - besselIntegral(n, x))).toBeLessThan(1e-10);
  });

  test("Gauss–Legendre integrates degree 2n − 1 polynomials exactly", () => {
    const { nodes, weights } = gaussLegendre(6, 0, 2);
    let s = 0;
    for (let i = 0; i < 6; i++) s += weights[i] * nodes[i] ** 11;
    expect(s).toBeCloseTo(2 ** 12 / 12, 9);
  });
});
