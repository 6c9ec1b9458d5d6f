import { describe, expect, test } from "vitest";
import { DimensionError, InvalidArgumentError } from "../../src/core/errors.js";
import { Random } from "../../src/core/random.js";
import { type Fft2dOptions, fft2d, fftShift, ifft2d, ifftShift, powerSpectrum, radialAverage, realPart } from "../../src/image/fft.js";
import { makeImage } from "../../src/image/types.js";

/** Naive 2D DFT of a real (or complex) array, sign −1 forward / +1 inverse (unnormalised). */
function naiveDft(re: ArrayLike<number>, im: ArrayLike<number> | null, w: number, h: number, sign: number): Float64Array {
  const out = new Float64Array(2 * w * h);
  for (let ky = 0; ky < h; ky++)
    for (let kx = 0; kx < w; kx++) {
      let sr = 0;
      let si = 0;
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const a = sign * 2 * Math.PI * ((kx * x) / w + (ky * y) / h);
          const fr = re[y * w + x]!;
          const fi = im ? im[y * w + x]! : 0;
          sr += fr * Math.cos(a) - fi * Math.sin(a);
          si += fr * Math.sin(a) + fi * Math.cos(a);
        }
      out[2 * (ky * w + kx)] = sr;
      out[2 * (ky * w + kx) + 1] = si;
    }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe("fft2d", () => {
  test("doc example: 2×2", () => {
    expect(Array.from(fft2d(makeImage(new Float32Array([1, 2, 3, 4]), [1, 2, 2])).data)).toEqual([10, 0, -2, 0, -4, 0, 0, 0]);
  });

  test.each([
    [16, 8],
    [4, 32],
    [2, 2],
  ])("equals a naive DFT on a random %d×%d image (abs 1e-10)", (h, w) => {
    const r = new Random(h * 100 + w);
    const d = Float64Array.from({ length: h * w }, () => r.uniform() * 100);
    const s = fft2d(makeImage(d, [1, h, w]));
    expect([s.width, s.height]).toEqual([w, h]);
    expect(maxAbsDiff(s.data, naiveDft(d, null, w, h, -1))).toBeLessThan(1e-10);
  });

  test("non-power-of-two sizes: zero-padded to the next power of two, or centre-cropped", () => {
    const r = new Random(81);
    const d = Uint16Array.from({ length: 5 * 6 }, () => Math.floor(r.uniform() * 1000));
    const img = makeImage(d, [1, 5, 6]);
    const padded = fft2d(img);
    expect([padded.width, padded.height, padded.sourceWidth, padded.sourceHeight]).toEqual([8, 8, 6, 5]);
    const zp = new Float64Array(64);
    for (let y = 0; y < 5; y++) for (let x = 0; x < 6; x++) zp[y * 8 + x] = d[y * 6 + x]!;
    expect(maxAbsDiff(padded.data, naiveDft(zp, null, 8, 8, -1))).toBeLessThan(1e-9);
    const cropped = fft2d(img, { sizing: "crop" });
    expect([cropped.width, cropped.height, cropped.offsetPx.x, cropped.offsetPx.y]).toEqual([4, 4, 1, 0]);
    const c = new Float64Array(16);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) c[y * 4 + x] = d[y * 6 + x + 1]!;
    expect(maxAbsDiff(cropped.data, naiveDft(c, null, 4, 4, -1))).toBeLessThan(1e-9);
  });

  test("Parseval: Σ|F|² = W·H·Σf² (rel. 1e-12)", () => {
    const r = new Random(82);
    const d = Float32Array.from({ length: 64 * 32 }, () => r.normal(10, 3));
    const p = powerSpectrum(fft2d(makeImage(d, [1, 64, 32])));
    let e = 0;
    for (const v of d) e += v * v;
    let s = 0;
    for (const v of p.data) s += v;
    expect(Math.abs(s / (64 * 32 * e) - 1)).toBeLessThan(1e-12);
  });

  test("errors: stack input, unknown sizing", () => {
    expect(() => fft2d(makeImage(new Float32Array(8), [2, 2, 2]))).toThrow(DimensionError);
    expect(() => fft2d(makeImage(new Float32Array(8), [2, 2, 2]))).toThrow(/stack of 2 planes/);
    expect(() => fft2d(makeImage(new Float32Array(4), [1, 2, 2]), { sizing: "wrap" } as unknown as Fft2dOptions)).toThrow(InvalidArgumentError);
  });
});

describe("ifft2d / realPart", () => {
  test("round trip recovers the image (abs 1e-12) with negligible imaginary part", () => {
    const r = new Random(83);
    const d = Float64Array.from({ length: 32 * 16 }, () => r.uniform() * 1000);
    const back = ifft2d(fft2d(makeImage(d, [1, 32, 16])));
    expect(maxAbsDiff(realPart(back).data, d)).toBeLessThan(1e-9);
    let im = 0;
    for (let i = 1; i < back.data.length; i += 2) im = Math.max(im, Math.abs(back.data[i]!));
    expect(im).toBeLessThan(1e-9);
  });

  test("inverse of a non-Hermitian complex array equals the naive inverse DFT / (W·H)", () => {
    const r = new Random(84);
    const re = Float64Array.from({ length: 8 * 4 }, () => r.normal());
    const imv = Float64Array.from({ length: 8 * 4 }, () => r.normal());
    const data = new Float64Array(64);
    for (let i = 0; i < 32; i++) {
      data[2 * i] = re[i]!;
      data[2 * i + 1] = imv[i]!;
    }
    const got = ifft2d({ data, width: 4, height: 8 });
    const want = naiveDft(re, imv, 4, 8, +1).map((v) => v / 32);
    expect(maxAbsDiff(got.data, want)).toBeLessThan(1e-12);
  });

  test("doc examples and size errors", () => {
    const back = realPart(ifft2d(fft2d(makeImage(new Float32Array([1, 2, 3, 4]), [1, 2, 2])))).data;
    expect(maxAbsDiff(back, [1, 2, 3, 4])).toBeLessThan(1e-12);
    expect(Array.from(realPart({ data: Float64Array.of(1, 9, 2, 9), width: 2, height: 1 }).data)).toEqual([1, 2]);
    expect(() => ifft2d({ data: new Float64Array(12), width: 3, height: 2 })).toThrow(DimensionError);
    expect(() => ifft2d({ data: new Float64Array(12), width: 3, height: 2 })).toThrow(/powers of two/);
  });
});

describe("powerSpectrum, fftShift, ifftShift", () => {
  test("doc examples", () => {
    expect(Array.from(powerSpectrum({ data: Float64Array.of(3, 4), width: 1, height: 1 }).data)).toEqual([25]);
    expect(Array.from(fftShift(makeImage(new Float64Array([0, 1, 2]), [1, 1, 3])).data)).toEqual([2, 0, 1]);
    expect(Array.from(ifftShift(makeImage(new Float64Array([2, 0, 1]), [1, 1, 3])).data)).toEqual([0, 1, 2]);
  });

  test("fftShift moves (0, 0) to (H/2, W/2) for real and complex arrays; ifftShift undoes odd sizes", () => {
    const img = makeImage(Float64Array.from({ length: 4 * 6 }, (_, i) => i), [1, 4, 6]);
    const s = fftShift(img);
    expect(s.data[2 * 6 + 3]).toBe(0);
    expect(s.data[0]).toBe(2 * 6 + 3);
    const c = { data: Float64Array.from({ length: 2 * 8 }, (_, i) => i), width: 4, height: 2 };
    const cs = fftShift(c);
    expect([cs.data[2 * (1 * 4 + 2)], cs.data[2 * (1 * 4 + 2) + 1]]).toEqual([0, 1]);
    const odd = makeImage(Float32Array.from({ length: 15 }, (_, i) => i), [1, 3, 5]);
    expect(ifftShift(fftShift(odd)).data).toEqual(odd.data);
    expect(fftShift(odd).data).toBeInstanceOf(Float32Array);
    expect(() => fftShift(makeImage(new Float64Array(8), [2, 2, 2]))).toThrow(DimensionError);
  });
});

describe("radialAverage", () => {
  test("doc example: ring counts of a 4×4 spectrum", () => {
    expect(Array.from(radialAverage(makeImage(new Float64Array(16).fill(1), [1, 4, 4])).counts)).toEqual([1, 8, 6]);
  });

  test("a spectrum equal to its ring index averages to the index; frequencies in cycles/px; sum = mean·count", () => {
    const W = 32;
    const H = 16;
    const d = new Float64Array(W * H);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const fx = (x > W / 2 ? x - W : x) / W;
        const fy = (y > H / 2 ? y - H : y) / H;
        d[y * W + x] = Math.round(Math.hypot(fx, fy) * W);
      }
    const img = makeImage(d, [1, H, W]);
    const r = radialAverage(img);
    expect(r.frequencyCyclesPerPx.length).toBe(17);
    expect(r.frequencyCyclesPerPx[16]).toBe(0.5);
    for (let b = 0; b < r.values.length; b++) expect(r.values[b]).toBe(b);
    for (const c of r.counts) expect(c).toBeGreaterThan(0);
    const centred = radialAverage(fftShift(img), { centred: true });
    expect(Array.from(centred.values)).toEqual(Array.from(r.values));
    expect(Array.from(centred.counts)).toEqual(Array.from(r.counts));
    const sums = radialAverage(img, { statistic: "sum" });
    for (let b = 0; b < sums.values.length; b++) expect(sums.values[b]).toBeCloseTo(r.values[b]! * r.counts[b]!, 9);
  });

  test("white noise has a flat radial power spectrum (each ring mean within 4 standard errors of N·σ²)", () => {
    const rnd = new Random(85);
    const d = Float32Array.from({ length: 128 * 128 }, () => rnd.normal());
    const r = radialAverage(powerSpectrum(fft2d(makeImage(d, [1, 128, 128]))));
    const mean = 128 * 128; // E|F|² = N·σ²
    // |F|² is exponential (SD = mean); Hermitian symmetry leaves about counts/2 independent values per ring
    for (let b = 1; b < r.values.length; b++) expect(Math.abs(r.values[b]! / mean - 1)).toBeLessThan(4 / Math.sqrt(r.counts[b]! / 2));
  });

  test("errors: bad ring width, bad statistic, stack input", () => {
    const img = makeImage(new Float64Array(16), [1, 4, 4]);
    expect(() => radialAverage(img, { binWidthCyclesPerPx: 0 })).toThrow(InvalidArgumentError);
    expect(() => radialAverage(img, { statistic: "median" as "mean" })).toThrow(/statistic "median"/);
    expect(() => radialAverage(makeImage(new Float64Array(8), [2, 2, 2]))).toThrow(DimensionError);
  });
});
