import { describe, expect, test } from "vitest";
import { FitError, InvalidArgumentError } from "../../src/core/errors.js";
import { Random } from "../../src/core/random.js";
import { evaluatePolynomial, evaluateSurface, fitLine, fitLinearModel, fitPolynomial, fitSurface } from "../../src/fit/linear.js";

// Reference values computed with NumPy 2.4 / SciPy 1.17 (scipy.stats.linregress, np.linalg.lstsq).
const x = [1, 2, 3, 4, 5];
const y = [2.1, 3.9, 6.2, 7.8, 10.1];

describe("fitLine", () => {
  test("with intercept matches scipy.stats.linregress (rel. 1e-12)", () => {
    const f = fitLine(x, y);
    expect(f.slope.value).toBeCloseTo(1.99, 12);
    expect(f.intercept.value).toBeCloseTo(0.05, 12);
    expect(f.slope.standardError).toBeCloseTo(0.059721576223897795, 12);
    expect(f.intercept.standardError).toBeCloseTo(0.19807406022327906, 12);
    expect(f.rSquared).toBeCloseTo(0.997305328900977, 12);
    expect(f.dof).toBe(3);
    expect(f.residuals[0]).toBeCloseTo(2.1 - (0.05 + 1.99), 12);
    expect(f.hasIntercept).toBe(true);
  });

  test("through the origin: b = Σxy/Σx², SE = √(s²/Σx²), centred R²", () => {
    const f = fitLine(x, y, { intercept: false });
    expect(f.slope.value).toBeCloseTo(2.003636363636364, 12);
    expect(f.slope.standardError).toBeCloseTo(0.022286637585693218, 12);
    expect(f.rSquared).toBeCloseTo(0.997248092896325, 12);
    expect(f.intercept).toEqual({ value: 0, standardError: 0 });
    expect(f.dof).toBe(4);
  });

  test("weighted: coefficients and SEs match (XᵀWX)⁻¹ with and without s² scaling", () => {
    const w = [1, 2, 1, 4, 1];
    const abs = fitLine(x, y, { weights: w });
    expect(abs.intercept.value).toBeCloseTo(0.04426229508196547, 12);
    expect(abs.slope.value).toBeCloseTo(1.965573770491804, 12);
    expect(abs.intercept.standardError).toBeCloseTo(0.9365090391063334, 12);
    expect(abs.slope.standardError).toBeCloseTo(0.27160723812755544, 12);
    const rel = fitLine(x, y, { weights: w, weightsAreInverseVariance: false });
    expect(rel.intercept.standardError).toBeCloseTo(0.23189044666154093, 12);
    expect(rel.slope.standardError).toBeCloseTo(0.06725308687464264, 12);
  });

  test("errors: too few points, all x equal, length mismatch, NaN", () => {
    expect(() => fitLine([1, 2], [1, 2])).toThrow(FitError);
    expect(() => fitLine([1, 2], [1, 2])).toThrow(/needs more than 2 points/);
    expect(() => fitLine([3, 3, 3], [1, 2, 3])).toThrow(/All x values are equal/);
    expect(() => fitLine([0, 0, 0], [1, 2, 3], { intercept: false })).toThrow(/All x values are 0/);
    expect(() => fitLine([1, 2, 3], [1, 2])).toThrow(InvalidArgumentError);
    expect(() => fitLine([1, 2, Number.NaN], [1, 2, 3])).toThrow(/x\[2\] is NaN/);
  });
});

describe("fitPolynomial", () => {
  test("exact cubic data recovered to 1e-9, also far from the origin", () => {
    const c = [-4, 0.5, -0.25, 0.01];
    const xs = Array.from({ length: 15 }, (_, i) => -3 + i * 0.7);
    const ys = xs.map((v) => evaluatePolynomial(c, v));
    const f = fitPolynomial(xs, ys, 3);
    for (let k = 0; k < 4; k++) expect(f.coefficients[k]).toBeCloseTo(c[k], 9);
    expect(f.rSquared).toBeCloseTo(1, 12);
    const shifted = xs.map((v) => v + 1000);
    const g = fitPolynomial(shifted, shifted.map((v) => 2 + 3 * v - 0.001 * v * v), 2);
    expect(g.coefficients[0] / 2).toBeCloseTo(1, 6);
    expect(g.coefficients[1] / 3).toBeCloseTo(1, 8);
    expect(g.coefficients[2] / -0.001).toBeCloseTo(1, 8);
  });

  test("noisy quadratic at x ≈ 100 matches NumPy lstsq coefficients and SEs (rel. 1e-6)", () => {
    const xs = Array.from({ length: 11 }, (_, i) => 100 + i);
    const noise = [0.1, -0.2, 0.05, 0.3, -0.1, 0, 0.2, -0.15, 0.1, -0.05, 0.02];
    const ys = xs.map((v, i) => 0.5 * (v - 105) ** 2 - 3 * v + 7 + noise[i]);
    const f = fitPolynomial(xs, ys, 2);
    const want = [5498.580489509332, -107.59842657341233, 0.49807692307688];
    const se = [62.03130274084589, 1.18230658063021, 0.005629533508443722];
    for (let k = 0; k < 3; k++) {
      expect(f.coefficients[k] / want[k]).toBeCloseTo(1, 6);
      expect(f.standardErrors[k] / se[k]).toBeCloseTo(1, 6);
    }
    expect(f.degree).toBe(2);
  });

  test("degree 1 equals fitLine; errors for bad degree and too few distinct x", () => {
    const f = fitPolynomial(x, y, 1);
    const l = fitLine(x, y);
    expect(f.coefficients[1]).toBeCloseTo(l.slope.value, 12);
    expect(f.standardErrors[0]).toBeCloseTo(l.intercept.standardError, 12);
    expect(() => fitPolynomial(x, y, 1.5)).toThrow(InvalidArgumentError);
    expect(() => fitPolynomial([1, 1, 2, 2, 2], [1, 2, 3, 4, 5], 2)).toThrow(/rank deficient/);
    expect(() => fitPolynomial([1, 2, 3], [1, 2, 3], 2)).toThrow(/needs more than 3 points/);
  });
});

describe("fitSurface", () => {
  // bead positions in µm across a 600 µm field centred at (300, 300)
  const grid = (n: number): { gx: number[]; gy: number[] } => {
    const gx: number[] = [];
    const gy: number[] = [];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      gx.push((600 * i) / (n - 1));
      gy.push((600 * j) / (n - 1) + 0.37 * i);
    }
    return { gx, gy };
  };

  test("plane recovers z = 1.5 + 0.002x − 0.001y exactly (1e-10)", () => {
    const { gx, gy } = grid(5);
    const z = gx.map((v, i) => 1.5 + 0.002 * v - 0.001 * gy[i]);
    const f = fitSurface(gx, gy, z, 1);
    expect(f.terms).toEqual(["1", "x", "y"]);
    expect(f.coefficients[0]).toBeCloseTo(1.5, 10);
    expect(f.coefficients[1]).toBeCloseTo(0.002, 12);
    expect(f.coefficients[2]).toBeCloseTo(-0.001, 12);
    expect(evaluateSurface(f, 100, 200)).toBeCloseTo(1.5 + 0.2 - 0.2, 10);
  });

  test("quadric recovers all six coefficients exactly (rel. 1e-8), and within 4 SE with noise", () => {
    const { gx, gy } = grid(6);
    const c = [0.8, 1e-3, -2e-3, 4e-6, -1e-6, 3e-6];
    const zf = (u: number, v: number): number => c[0] + c[1] * u + c[2] * v + c[3] * u * u + c[4] * u * v + c[5] * v * v;
    const exact = fitSurface(gx, gy, gx.map((u, i) => zf(u, gy[i])), 2);
    expect(exact.terms).toEqual(["1", "x", "y", "x^2", "x*y", "y^2"]);
    for (let k = 0; k < 6; k++) expect(exact.coefficients[k] / c[k]).toBeCloseTo(1, 8);
    const rng = new Random(4);
    const noisy = fitSurface(gx, gy, gx.map((u, i) => zf(u, gy[i]) + rng.normal(0, 0.02)), 2);
    for (let k = 0; k < 6; k++) expect(Math.abs(noisy.coefficients[k] - c[k])).toBeLessThan(4 * noisy.standardErrors[k]);
    expect(noisy.residualStandardError).toBeGreaterThan(0.01);
    expect(noisy.residualStandardError).toBeLessThan(0.03);
  });

  test("errors: collinear points, too few points, bad degree", () => {
    const t = [0, 1, 2, 3, 4, 5];
    expect(() => fitSurface(t, t, t.map((v) => 2 * v), 1)).toThrow(/rank deficient.*one line/);
    expect(() => fitSurface([0, 1, 0], [0, 0, 1], [1, 2, 3], 1)).toThrow(/needs more than 3 points/);
    expect(() => fitSurface(t, t, t, 3 as 1)).toThrow(InvalidArgumentError);
  });
});

describe("TSDoc examples", () => {
  test("fitLine, fitPolynomial and fitSurface examples give the documented output", () => {
    expect(fitLine([0, 1, 2, 3], [1, 3, 5, 7]).slope.value).toBeCloseTo(2, 12);
    const p = fitPolynomial([0, 1, 2, 3, 4], [1, 2, 5, 10, 17], 2).coefficients;
    expect(p[0]).toBeCloseTo(1, 10);
    expect(p[1]).toBeCloseTo(0, 10);
    expect(p[2]).toBeCloseTo(1, 10);
    const s = fitSurface([0, 1, 0, 1], [0, 0, 1, 1], [1, 3, 4, 6.001], 1);
    expect(s.coefficients[0]).toBeCloseTo(1, 2);
    expect(s.coefficients[1]).toBeCloseTo(2, 2);
    expect(s.coefficients[2]).toBeCloseTo(3, 2);
  });
});

describe("fitLinearModel", () => {
  test("general design equals fitLine for [1, x] columns", () => {
    const design = x.flatMap((v) => [1, v]);
    const f = fitLinearModel(design, 2, y);
    expect(f.coefficients[1]).toBeCloseTo(1.99, 12);
    expect(f.standardErrors[1]).toBeCloseTo(0.059721576223897795, 12);
    expect(() => fitLinearModel(design, 3, y)).toThrow(/N·P/);
    expect(() => fitLinearModel(design, 0, y)).toThrow(/nCols is 0/);
    expect(() => fitSurface([1, 2], [1, 2, 3], [1, 2, 3], 1)).toThrow(/x, y and z have 2, 3 and 3 values/);
    expect(() => fitPolynomial([1, 2], [1, 2, 3], 1)).toThrow(/x has 2 values but y has 3/);
  });
});
