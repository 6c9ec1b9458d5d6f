import { describe, expect, test } from "vitest";
import { FitError, InvalidArgumentError } from "../../src/core/errors.js";
import { Random } from "../../src/core/random.js";
import { fitLine } from "../../src/fit/linear.js";
import { levenbergMarquardt, type ModelFunction } from "../../src/fit/lm.js";

const xs = Float64Array.from({ length: 20 }, (_, i) => i * 0.5);
const lineModel: ModelFunction = (p, i, j) => {
  j[0] = 1;
  j[1] = xs[i];
  return p[0] + p[1] * xs[i];
};
const expModel: ModelFunction = (p, i, j) => {
  const e = Math.exp(-p[1] * xs[i]);
  j[0] = e;
  j[1] = -p[0] * xs[i] * e;
  return p[0] * e;
};

describe("levenbergMarquardt", () => {
  test("TSDoc example: line through (0,1), (1,3), (2,5), (3,7) → [1, 2]", () => {
    const x = [0, 1, 2, 3];
    const r = levenbergMarquardt(
      (p, i, j) => {
        j[0] = 1;
        j[1] = x[i];
        return p[0] + p[1] * x[i];
      },
      [1, 3, 5, 7],
      [0, 0],
    );
    expect(r.params[0]).toBeCloseTo(1, 10);
    expect(r.params[1]).toBeCloseTo(2, 10);
    expect(r.converged).toBe(true);
  });

  test("recovers an exponential decay exactly from noise-free data (|error| < 1e-8)", () => {
    const y = xs.map((x) => 5 * Math.exp(-0.7 * x));
    const r = levenbergMarquardt(expModel, y, [1, 0.1]);
    expect(r.converged).toBe(true);
    expect(r.params[0]).toBeCloseTo(5, 8);
    expect(r.params[1]).toBeCloseTo(0.7, 8);
    expect(r.rSquared).toBeCloseTo(1, 12);
  });

  test("on a linear model, parameters and standard errors equal closed-form OLS (rel. 1e-8)", () => {
    const rng = new Random(9);
    const y = xs.map((x) => 2 + 0.3 * x + rng.normal(0, 0.1));
    const r = levenbergMarquardt(lineModel, y, [0, 0]);
    const ols = fitLine(xs, y);
    expect(r.params[0]).toBeCloseTo(ols.intercept.value, 8);
    expect(r.params[1]).toBeCloseTo(ols.slope.value, 8);
    expect(r.standardErrors[0] / ols.intercept.standardError).toBeCloseTo(1, 8);
    expect(r.standardErrors[1] / ols.slope.standardError).toBeCloseTo(1, 8);
    expect(r.covariance[1] / ols.slopeInterceptCovariance).toBeCloseTo(1, 8);
    expect(r.rSquared).toBeCloseTo(ols.rSquared, 10);
    expect(r.dof).toBe(18);
    expect(r.residualVariance).toBeCloseTo(r.ssr / 18, 12);
  });

  test("weights: true 1/σ² give √diag((JᵀWJ)⁻¹); relative weights reproduce the unweighted SE", () => {
    const rng = new Random(10);
    const sigma = 0.1;
    const y = xs.map((x) => 2 + 0.3 * x + rng.normal(0, sigma));
    const unweighted = levenbergMarquardt(lineModel, y, [0, 0]);
    const w = new Float64Array(xs.length).fill(1 / sigma ** 2);
    const absolute = levenbergMarquardt(lineModel, y, [0, 0], { weights: w });
    // (JᵀWJ)⁻¹ = σ²·(JᵀJ)⁻¹ → SE_slope = σ/√Sxx
    let sxx = 0;
    const xm = xs.reduce((a, b) => a + b, 0) / xs.length;
    for (const x of xs) sxx += (x - xm) ** 2;
    expect(absolute.standardErrors[1]).toBeCloseTo(sigma / Math.sqrt(sxx), 10);
    expect(absolute.ssr / absolute.dof).toBeGreaterThan(0.4); // χ²/dof ≈ 1 for correct σ
    expect(absolute.ssr / absolute.dof).toBeLessThan(1.8);
    const relative = levenbergMarquardt(lineModel, y, [0, 0], { weights: w, weightsAreInverseVariance: false });
    expect(relative.standardErrors[1] / unweighted.standardErrors[1]).toBeCloseTo(1, 8);
  });

  test("zero weights drop samples (an outlier with weight 0 does not move the fit)", () => {
    const y = xs.map((x) => 1 + 2 * x);
    y[5] = 1000;
    const w = new Float64Array(xs.length).fill(1);
    w[5] = 0;
    const r = levenbergMarquardt(lineModel, y, [0, 0], { weights: w });
    expect(r.params[1]).toBeCloseTo(2, 8);
    expect(r.dof).toBe(17);
  });

  test("bounds clamp the solution (decay rate ≥ 1 when the truth is 0.7)", () => {
    const y = xs.map((x) => 5 * Math.exp(-0.7 * x));
    const r = levenbergMarquardt(expModel, y, [1, 2], { lowerBounds: [0, 1] });
    expect(r.params[1]).toBe(1);
    expect(r.converged).toBe(true);
  });

  test("reports non-convergence when the iteration limit is hit", () => {
    const y = xs.map((x) => 5 * Math.exp(-0.7 * x));
    const r = levenbergMarquardt(expModel, y, [1, 3], { maxIterations: 1 });
    expect(r.converged).toBe(false);
    expect(r.reason).toBe("maxIterations");
    expect(r.iterations).toBe(1);
  });

  test("errors: N ≤ P, non-finite y, singular problem, malformed bounds", () => {
    expect(() => levenbergMarquardt(lineModel, [1, 2], [0, 0])).toThrow(FitError);
    expect(() => levenbergMarquardt(lineModel, [1, 2], [0, 0])).toThrow(/Only 2 usable samples for 2 parameters/);
    expect(() => levenbergMarquardt(lineModel, [1, Number.NaN, 3], [0, 0])).toThrow(/y\[1\] is NaN/);
    const duplicate: ModelFunction = (p, i, j) => {
      j[0] = xs[i];
      j[1] = xs[i];
      return (p[0] + p[1]) * xs[i];
    };
    const y = xs.map((x) => 3 * x + 0.01 * Math.sin(x));
    expect(() => levenbergMarquardt(duplicate, y, [1, 1], { parameterNames: ["a", "b"] })).toThrow(/singular: parameter b/);
    expect(() => levenbergMarquardt(lineModel, [1, 2, 3], [0, 0], { lowerBounds: [0] })).toThrow(InvalidArgumentError);
    expect(() => levenbergMarquardt(lineModel, [1, 2, 3], [0, 0], { lowerBounds: [1, 0], upperBounds: [0, 1] })).toThrow(/lower 1 > upper 0/);
    expect(() => levenbergMarquardt(lineModel, [1, 2, 3], [0, 0], { weights: [1, -1, 1] })).toThrow(/weights\[1\] is -1/);
    expect(() => levenbergMarquardt(lineModel, [1, 2, 3], [0, 0], { weights: [1, 1] })).toThrow(/weights has 2 entries but there are 3 samples/);
    expect(() => levenbergMarquardt(lineModel, [1, 2, 3], [0, Number.NaN])).toThrow(/Initial value of p1 is NaN/);
    expect(() => levenbergMarquardt(lineModel, [1, 2, 3], [])).toThrow(/initialParams is empty/);
    expect(() => levenbergMarquardt(lineModel, [1, 2, 3], [0, 0], { upperBounds: [Number.NaN, 1] })).toThrow(/upperBounds\[0\] is NaN/);
    const logModel: ModelFunction = (p, i, j) => {
      j[0] = 1 / p[0];
      j[1] = 1;
      return Math.log(p[0]) + p[1] * 0 * i;
    };
    expect(() => levenbergMarquardt(logModel, [1, 2, 3], [-1, 0])).toThrow(/not finite at the starting parameters/);
    const badJacobian: ModelFunction = (p, i, j) => {
      j[0] = Number.NaN;
      j[1] = xs[i];
      return p[0] + p[1] * xs[i];
    };
    expect(() => levenbergMarquardt(badJacobian, [1, 2, 3], [0, 0])).toThrow(/Jacobian is not finite/);
  });
});
