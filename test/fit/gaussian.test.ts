import { describe, expect, test } from "vitest";
import { DimensionError, FitError, InvalidArgumentError } from "../../src/core/errors.js";
import { Random } from "../../src/core/random.js";
import { makeImage } from "../../src/image/types.js";
import { fitGaussian1D, fitGaussian2D, fitGaussian3D } from "../../src/fit/gaussian.js";
import { FWHM_PER_SIGMA } from "../../src/optics/constants.js";

interface Truth1D {
  centre: number;
  sigma: number;
  amp: number;
  offset: number;
}

function profile(n: number, t: Truth1D, noiseSd: number, rng: Random | null): { x: Float64Array; y: Float64Array } {
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = i;
    y[i] = t.offset + t.amp * Math.exp(-((i - t.centre) ** 2) / (2 * t.sigma ** 2)) + (rng ? rng.normal(0, noiseSd) : 0);
  }
  return { x, y };
}

interface Truth3D {
  c: [number, number, number]; // x, y, z
  s: [number, number, number]; // σx, σy, σz
  amp: number;
  offset: number;
}

/** ROI [nz, ny, nx] with a point-sampled axis-aligned Gaussian plus Gaussian noise. */
function volume(dims: readonly [number, number, number], t: Truth3D, noiseSd: number, rng: Random | null): Float32Array {
  const [nz, ny, nx] = dims;
  const out = new Float32Array(nz * ny * nx);
  let i = 0;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, i++) {
        const e = Math.exp(-((x - t.c[0]) ** 2) / (2 * t.s[0] ** 2) - (y - t.c[1]) ** 2 / (2 * t.s[1] ** 2) - (z - t.c[2]) ** 2 / (2 * t.s[2] ** 2));
        out[i] = t.offset + t.amp * e + (rng ? rng.normal(0, noiseSd) : 0);
      }
  return out;
}

/** Rotated 2D Gaussian image [ny, nx]. */
function ellipse(ny: number, nx: number, x0: number, y0: number, s1: number, s2: number, theta: number, amp: number, offset: number, noiseSd: number, rng: Random): Float64Array {
  const out = new Float64Array(ny * nx);
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  for (let y = 0; y < ny; y++)
    for (let x = 0; x < nx; x++) {
      const dx = x - x0;
      const dy = y - y0;
      const u = c * dx + s * dy;
      const v = -s * dx + c * dy;
      out[y * nx + x] = offset + amp * Math.exp(-(u * u) / (2 * s1 * s1) - (v * v) / (2 * s2 * s2)) + rng.normal(0, noiseSd);
    }
  return out;
}

describe("fitGaussian1D", () => {
  test("recovers exact parameters from noise-free data (|error| < 1e-6)", () => {
    const t = { centre: 10.3, sigma: 2, amp: 100, offset: 10 };
    const { x, y } = profile(21, t, 0, null);
    const f = fitGaussian1D(x, y);
    expect(f.converged).toBe(true);
    expect(f.centre.value).toBeCloseTo(t.centre, 6);
    expect(f.sigma.value).toBeCloseTo(t.sigma, 6);
    expect(f.fwhm.value).toBeCloseTo(FWHM_PER_SIGMA * t.sigma, 6);
    expect(f.amplitude.value).toBeCloseTo(t.amp, 6);
    expect(f.offset.value).toBeCloseTo(t.offset, 6);
    expect(f.rSquared).toBeCloseTo(1, 10);
  });

  test("recovers planted parameters at peak SNR 50 (centre ±0.05 px, σ ±5 %, amplitude ±3 %, all within 3 SE)", () => {
    const rng = new Random(11);
    const t = { centre: 15.37, sigma: 2.5, amp: 100, offset: 20 };
    const { x, y } = profile(31, t, 2, rng);
    const f = fitGaussian1D(x, y);
    expect(f.converged).toBe(true);
    expect(Math.abs(f.centre.value - t.centre)).toBeLessThan(0.05);
    expect(Math.abs(f.sigma.value / t.sigma - 1)).toBeLessThan(0.05);
    expect(Math.abs(f.amplitude.value / t.amp - 1)).toBeLessThan(0.03);
    expect(Math.abs(f.centre.value - t.centre)).toBeLessThan(3 * f.centre.standardError);
    expect(Math.abs(f.sigma.value - t.sigma)).toBeLessThan(3 * f.sigma.standardError);
    expect(Math.abs(f.amplitude.value - t.amp)).toBeLessThan(3 * f.amplitude.standardError);
    expect(Math.abs(f.offset.value - t.offset)).toBeLessThan(3 * f.offset.standardError);
    expect(f.fwhm.standardError).toBeCloseTo(FWHM_PER_SIGMA * f.sigma.standardError, 12);
    expect(f.rSquared).toBeGreaterThan(0.99);
  });

  test("works with x in µm, an offset origin and a descending axis", () => {
    const dx = 0.08;
    const x = Array.from({ length: 25 }, (_, i) => 5 - i * dx);
    const y = x.map((v) => 3 + 50 * Math.exp(-((v - 4.1) ** 2) / (2 * 0.2 ** 2)));
    const f = fitGaussian1D(x, y);
    expect(f.centre.value).toBeCloseTo(4.1, 6);
    expect(f.sigma.value).toBeCloseTo(0.2, 6);
  });

  test("accepts an explicit initial guess far from the automatic one", () => {
    const { x, y } = profile(41, { centre: 30, sigma: 3, amp: 10, offset: 0 }, 0, null);
    const f = fitGaussian1D(x, y, { centre: 25, sigma: 5 });
    expect(f.centre.value).toBeCloseTo(30, 6);
  });

  test("uncertainty calibration: |error| ≤ 1 SE in 60–76 % of 400 trials (centre and σ)", () => {
    const rng = new Random(2024);
    const t = { centre: 12.4, sigma: 2.2, amp: 50, offset: 10 };
    let inC = 0;
    let inS = 0;
    const trials = 400;
    for (let k = 0; k < trials; k++) {
      const { x, y } = profile(25, t, 2, rng);
      const f = fitGaussian1D(x, y);
      if (Math.abs(f.centre.value - t.centre) <= f.centre.standardError) inC++;
      if (Math.abs(f.sigma.value - t.sigma) <= f.sigma.standardError) inS++;
    }
    expect(inC / trials).toBeGreaterThanOrEqual(0.6);
    expect(inC / trials).toBeLessThanOrEqual(0.76);
    expect(inS / trials).toBeGreaterThanOrEqual(0.6);
    expect(inS / trials).toBeLessThanOrEqual(0.76);
  });

  test("errors: too few samples, NaN, flat profile, bad init, length mismatch", () => {
    expect(() => fitGaussian1D([0, 1, 2, 3], [1, 5, 5, 1])).toThrow(FitError);
    expect(() => fitGaussian1D([0, 1, 2, 3], [1, 5, 5, 1])).toThrow(/only 4 samples/);
    expect(() => fitGaussian1D([0, 1, 2, 3, 4], [1, 5, Number.NaN, 5, 1])).toThrow(/y\[2\] is NaN/);
    expect(() => fitGaussian1D([0, 1, 2, 3, 4, 5], [7, 7, 7, 7, 7, 7])).toThrow(/flat/);
    expect(() => fitGaussian1D([0, 1, 2, 3, 4, 5], [1, 2, 9, 9, 2, 1], { sigma: -1 })).toThrow(InvalidArgumentError);
    expect(() => fitGaussian1D([0, 1, 2], [1, 2, 9, 9, 2, 1])).toThrow(/x has 3 values but y has 6/);
    expect(() => fitGaussian1D([2, 2, 2, 2, 2], [1, 2, 9, 2, 1])).toThrow(/All 5 x positions are equal/);
  });
});

describe("fitGaussian2D", () => {
  test("rotated fit recovers angle (±0.02 rad) and σ1/σ2 (±2 %) at peak SNR 100", () => {
    const rng = new Random(5);
    const img = ellipse(25, 25, 12.3, 11.6, 3.2, 1.6, 0.6, 1000, 50, 10, rng);
    const f = fitGaussian2D(img, [25, 25], { rotated: true });
    expect(f.converged).toBe(true);
    expect(f.rotated).toBe(true);
    expect(Math.abs(f.angleRad.value - 0.6)).toBeLessThan(0.02);
    expect(Math.abs(f.sigma1.value / 3.2 - 1)).toBeLessThan(0.02);
    expect(Math.abs(f.sigma2.value / 1.6 - 1)).toBeLessThan(0.02);
    expect(Math.abs(f.centreX.value - 12.3)).toBeLessThan(0.03);
    expect(Math.abs(f.centreY.value - 11.6)).toBeLessThan(0.03);
    // marginal widths: √(σ1²cos²θ + σ2²sin²θ)
    const c = Math.cos(0.6);
    const s = Math.sin(0.6);
    expect(Math.abs(f.sigmaX.value - Math.hypot(3.2 * c, 1.6 * s))).toBeLessThan(4 * f.sigmaX.standardError);
    expect(Math.abs(f.sigmaY.value - Math.hypot(3.2 * s, 1.6 * c))).toBeLessThan(4 * f.sigmaY.standardError);
    expect(f.fwhm1.value).toBeCloseTo(FWHM_PER_SIGMA * f.sigma1.value, 12);
  });

  test("rotated fit normalises the angle into (−π/2, π/2] and orders σ1 ≥ σ2", () => {
    const rng = new Random(6);
    // major axis at 2.0 rad ≡ 2.0 − π; start from a guess with the axes swapped
    const img = ellipse(25, 25, 12, 12, 3, 1.5, 2.0, 500, 0, 2, rng);
    const f = fitGaussian2D(img, [25, 25], { rotated: true, init: { sigma1: 1.4, sigma2: 2.9, angleRad: 2.0 - Math.PI / 2 } });
    expect(f.sigma1.value).toBeGreaterThan(f.sigma2.value);
    expect(f.angleRad.value).toBeGreaterThan(-Math.PI / 2);
    expect(f.angleRad.value).toBeLessThanOrEqual(Math.PI / 2);
    expect(Math.abs(f.angleRad.value - (2.0 - Math.PI))).toBeLessThan(0.02);
    expect(Math.abs(f.sigma1.value - 3)).toBeLessThan(0.06);
  });

  test("axis-aligned fit from an ImageView recovers σx, σy and fills the principal form", () => {
    const rng = new Random(7);
    // σx = 1.5, σy = 2.5 (theta = 0 puts s1 along x)
    const img = ellipse(21, 31, 15.2, 10.4, 1.5, 2.5, 0, 800, 100, 5, rng);
    const view = makeImage(Float32Array.from(img), [1, 21, 31]);
    const f = fitGaussian2D(view);
    expect(f.rotated).toBe(false);
    expect(Math.abs(f.sigmaX.value / 1.5 - 1)).toBeLessThan(0.02);
    expect(Math.abs(f.sigmaY.value / 2.5 - 1)).toBeLessThan(0.02);
    expect(f.sigma1).toEqual(f.sigmaY);
    expect(f.sigma2).toEqual(f.sigmaX);
    expect(f.angleRad).toEqual({ value: Math.PI / 2, standardError: 0 });
    expect(Math.abs(f.centreX.value - 15.2)).toBeLessThan(0.03);
  });

  test("errors: wrong dims, 3D image, round spot with rotated: true", () => {
    expect(() => fitGaussian2D(new Float64Array(10), [3, 3])).toThrow(DimensionError);
    expect(() => fitGaussian2D(new Float64Array(10), undefined as unknown as [number, number])).toThrow(/needs dims = \[ny, nx\]/);
    expect(() => fitGaussian2D(new Float64Array(10), [2, 5])).toThrow(/fewer than 3 samples/);
    expect(() => fitGaussian2D(new Float64Array(25).fill(3), [5, 5])).toThrow(/ROI is flat/);
    expect(() => fitGaussian2D(makeImage(new Float32Array(18), [2, 3, 3]))).toThrow(/single plane/);
    const round = new Float64Array(15 * 15);
    for (let y = 0; y < 15; y++) for (let x = 0; x < 15; x++) round[y * 15 + x] = Math.exp(-((x - 7) ** 2 + (y - 7) ** 2) / 8);
    expect(() => fitGaussian2D(round, [15, 15], { rotated: true })).toThrow(FitError);
    expect(() => fitGaussian2D(round, [15, 15], { rotated: true })).toThrow(/round.*rotated: false/s);
    expect(fitGaussian2D(round, [15, 15]).sigmaX.value).toBeCloseTo(2, 6);
  });
});

describe("fitGaussian3D", () => {
  const dims = [9, 11, 11] as const;
  const truth: Truth3D = { c: [5.3, 4.8, 4.2], s: [1.6, 1.5, 1.2], amp: 1000, offset: 100 };

  test("recovers centre within 0.05 px and σ within 2 % at peak SNR 100 (noise SD 10, amplitude 1000)", () => {
    const rng = new Random(3);
    for (let k = 0; k < 5; k++) {
      const f = fitGaussian3D(volume(dims, truth, 10, rng), dims);
      expect(f.converged).toBe(true);
      expect(Math.abs(f.centreX.value - truth.c[0])).toBeLessThan(0.05);
      expect(Math.abs(f.centreY.value - truth.c[1])).toBeLessThan(0.05);
      expect(Math.abs(f.centreZ.value - truth.c[2])).toBeLessThan(0.05);
      expect(Math.abs(f.sigmaX.value / truth.s[0] - 1)).toBeLessThan(0.02);
      expect(Math.abs(f.sigmaY.value / truth.s[1] - 1)).toBeLessThan(0.02);
      expect(Math.abs(f.sigmaZ.value / truth.s[2] - 1)).toBeLessThan(0.02);
      expect(f.fwhmZ.value).toBeCloseTo(FWHM_PER_SIGMA * f.sigmaZ.value, 12);
    }
  });

  test("noise-free data are fitted exactly; tied lateral σ gives σx = σy", () => {
    const t: Truth3D = { c: [5.1, 5.4, 3.7], s: [1.4, 1.4, 2.1], amp: 200, offset: 5 };
    const f = fitGaussian3D(volume(dims, t, 0, null), dims, {}, { tieLateralSigma: true });
    expect(f.sigmaX.value).toBeCloseTo(1.4, 6);
    expect(f.sigmaY).toEqual(f.sigmaX);
    expect(f.sigmaZ.value).toBeCloseTo(2.1, 6);
    expect(f.centreZ.value).toBeCloseTo(3.7, 6);
    expect(f.offset.value).toBeCloseTo(5, 6);
  });

  test("uncertainty calibration: |error| ≤ 1 SE in 60–76 % of 400 trials (centre and σ, x and z; peak SNR 20)", () => {
    const rng = new Random(77);
    const t: Truth3D = { c: [5.2, 4.9, 4.3], s: [1.5, 1.5, 1.3], amp: 200, offset: 50 };
    const trials = 400;
    const hits = [0, 0, 0, 0];
    for (let k = 0; k < trials; k++) {
      const f = fitGaussian3D(volume(dims, t, 10, rng), dims);
      if (Math.abs(f.centreX.value - t.c[0]) <= f.centreX.standardError) hits[0]++;
      if (Math.abs(f.centreZ.value - t.c[2]) <= f.centreZ.standardError) hits[1]++;
      if (Math.abs(f.sigmaX.value - t.s[0]) <= f.sigmaX.standardError) hits[2]++;
      if (Math.abs(f.sigmaZ.value - t.s[2]) <= f.sigmaZ.standardError) hits[3]++;
    }
    for (const h of hits) {
      expect(h / trials).toBeGreaterThanOrEqual(0.6);
      expect(h / trials).toBeLessThanOrEqual(0.76);
    }
  });

  test("errors: dims mismatch, non-finite voxel, fewer than 3 slices", () => {
    expect(() => fitGaussian3D(new Float32Array(100), dims)).toThrow(DimensionError);
    expect(() => fitGaussian3D(new Float32Array(100), dims)).toThrow(/need 1089/);
    const bad = volume(dims, truth, 0, null);
    bad[17] = Number.POSITIVE_INFINITY;
    expect(() => fitGaussian3D(bad, dims)).toThrow(/data\[17\] is Infinity/);
    const plane = volume([1, 11, 11], { ...truth, c: [5, 5, 0] }, 0, null);
    expect(() => fitGaussian3D(plane, [1, 11, 11])).toThrow(DimensionError);
    expect(() => fitGaussian3D(plane, [1, 11, 11])).toThrow(/fewer than 3 samples/);
    expect(() => fitGaussian3D(volume(dims, truth, 0, null), dims, { sigmaZ: 0 })).toThrow(/init.sigmaZ is 0/);
    expect(() => fitGaussian3D(new Float32Array(1089), [9, 11, 11.5] as unknown as [number, number, number])).toThrow(/not a positive integer/);
  });
});
