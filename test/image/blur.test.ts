import { describe, expect, test } from "vitest";
import { DimensionError, InvalidArgumentError, MissingPixelSizeError } from "../../src/core/errors.js";
import { Random } from "../../src/core/random.js";
import { GAUSSIAN_TRUNCATE_SIGMAS, gaussianBlur, gaussianKernel1D, sigmaUmToPx } from "../../src/image/blur.js";
import { makeImage } from "../../src/image/types.js";

/** Brute-force separable blur with clamped indices, float64: the reference. */
function bruteBlur(data: ArrayLike<number>, shape: [number, number, number], sigma: [number, number, number]): Float64Array {
  const [nz, ny, nx] = shape;
  const ks = sigma.map((s) => gaussianKernel1D(s));
  const rs = ks.map((k) => (k.length - 1) / 2);
  const clamp = (i: number, n: number): number => Math.min(n - 1, Math.max(0, i));
  const out = new Float64Array(nz * ny * nx);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        let s = 0;
        for (let a = -rs[0]!; a <= rs[0]!; a++)
          for (let b = -rs[1]!; b <= rs[1]!; b++)
            for (let c = -rs[2]!; c <= rs[2]!; c++) {
              const w = ks[0]![a + rs[0]!]! * ks[1]![b + rs[1]!]! * ks[2]![c + rs[2]!]!;
              s += w * data[(clamp(z + a, nz) * ny + clamp(y + b, ny)) * nx + clamp(x + c, nx)]!;
            }
        out[(z * ny + y) * nx + x] = s;
      }
  return out;
}

describe("gaussianKernel1D", () => {
  test("radius ⌈4σ⌉, normalised, symmetric, sampled Gaussian shape", () => {
    expect(GAUSSIAN_TRUNCATE_SIGMAS).toBe(4);
    const k = gaussianKernel1D(1);
    expect(k.length).toBe(9);
    expect(gaussianKernel1D(2.1).length).toBe(2 * 9 + 1);
    expect(k.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    expect(k[4]! / k[5]!).toBeCloseTo(Math.exp(0.5), 12);
    expect(k[3]).toBe(k[5]);
    expect(Array.from(gaussianKernel1D(0))).toEqual([1]);
  });
});

describe("gaussianBlur", () => {
  test("doc example: centre of a 1D delta", () => {
    const b = gaussianBlur(makeImage(new Uint16Array([0, 0, 9, 0, 0]), [1, 1, 5]), [0, 0, 1]);
    expect(b.data[2]).toBeCloseTo(3.5904912, 6);
  });

  test("blur of a 3D delta is the outer product of the normalised kernels (abs 1e-8)", () => {
    const shape: [number, number, number] = [15, 25, 31];
    const [cz, cy, cx] = [7, 12, 15];
    const d = new Float32Array(15 * 25 * 31);
    d[(cz * 25 + cy) * 31 + cx] = 1;
    const sigma: [number, number, number] = [1, 1.5, 2];
    const b = gaussianBlur(makeImage(d, shape), sigma);
    const [kz, ky, kx] = sigma.map((s) => gaussianKernel1D(s)) as [Float64Array, Float64Array, Float64Array];
    let maxErr = 0;
    for (let z = 0; z < 15; z++)
      for (let y = 0; y < 25; y++)
        for (let x = 0; x < 31; x++) {
          const dz = z - cz + 4;
          const dy = y - cy + 6;
          const dx = x - cx + 8;
          const want = (kz[dz] ?? 0) * (ky[dy] ?? 0) * (kx[dx] ?? 0);
          maxErr = Math.max(maxErr, Math.abs(b.data[(z * 25 + y) * 31 + x]! - want));
        }
    expect(maxErr).toBeLessThan(1e-8);
  });

  test.each([1, 1.5, 2, 3])("second moment of a blurred 2D delta equals σ = %d px within 1%", (s) => {
    const n = 65;
    const c = 32;
    const d = new Float32Array(n * n);
    d[c * n + c] = 1000;
    const b = gaussianBlur(makeImage(d, [1, n, n]), [0, s, s]);
    let m0 = 0;
    let mxx = 0;
    let myy = 0;
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++) {
        const v = b.data[y * n + x]!;
        m0 += v;
        mxx += v * (x - c) ** 2;
        myy += v * (y - c) ** 2;
      }
    expect(Math.abs(Math.sqrt(mxx / m0) / s - 1)).toBeLessThan(0.01);
    expect(Math.abs(Math.sqrt(myy / m0) / s - 1)).toBeLessThan(0.01);
  });

  test("preserves the total intensity when the content is away from the edges (rel. 1e-6)", () => {
    const r = new Random(31);
    const shape: [number, number, number] = [20, 40, 40];
    const d = new Uint16Array(20 * 40 * 40);
    let total = 0;
    for (let z = 6; z < 14; z++)
      for (let y = 10; y < 30; y++)
        for (let x = 10; x < 30; x++) {
          const v = Math.floor(r.uniform() * 4096);
          d[(z * 40 + y) * 40 + x] = v;
          total += v;
        }
    const b = gaussianBlur(makeImage(d, shape), [1, 2, 2]); // radii 4, 8, 8 stay inside
    let s = 0;
    for (const v of b.data) s += v;
    expect(Math.abs(s / total - 1)).toBeLessThan(1e-6);
  });

  test("matches a brute-force clamped-edge convolution on random data, incl. kernels wider than the image (rel. 2e-7)", () => {
    const r = new Random(32);
    const shape: [number, number, number] = [4, 9, 13];
    const d = Uint16Array.from({ length: 4 * 9 * 13 }, () => Math.floor(r.uniform() * 65536));
    for (const sigma of [
      [0.7, 1.3, 2.1],
      [2, 3, 0.4],
    ] as [number, number, number][]) {
      const ref = bruteBlur(d, shape, sigma);
      const b = gaussianBlur(makeImage(d, shape), sigma);
      for (let i = 0; i < ref.length; i++) expect(Math.abs(b.data[i]! - ref[i]!)).toBeLessThanOrEqual(2e-7 * 65536);
    }
  });

  test("a constant image stays constant (replicated edges)", () => {
    const b = gaussianBlur(makeImage(new Uint16Array(5 * 6 * 7).fill(1234), [5, 6, 7]), 2);
    for (const v of b.data) expect(v).toBeCloseTo(1234, 3);
  });

  test("σ = 0 on an axis skips it: [0, 0, 0] copies, [0, s, s] equals the per-plane 2D blur", () => {
    const r = new Random(33);
    const d = Float32Array.from({ length: 3 * 8 * 8 }, () => r.uniform());
    const img = makeImage(d, [3, 8, 8]);
    expect(gaussianBlur(img, 0).data).toEqual(d);
    const b3 = gaussianBlur(img, [0, 1.2, 1.2]);
    const plane1 = makeImage(d.slice(64, 128), [1, 8, 8]);
    const b2 = gaussianBlur(plane1, [5, 1.2, 1.2]); // z σ ignored on a single plane
    expect(b3.data.subarray(64, 128)).toEqual(b2.data);
  });

  test("in place (out = input data) gives the same result and does not touch other inputs", () => {
    const r = new Random(34);
    const d = Float32Array.from({ length: 6 * 10 * 12 }, () => r.uniform() * 100);
    const want = gaussianBlur(makeImage(d, [6, 10, 12]), [1, 1.5, 0.8]).data;
    const copy = d.slice();
    const res = gaussianBlur(makeImage(copy, [6, 10, 12]), [1, 1.5, 0.8], { out: copy });
    expect(res.data).toBe(copy);
    for (let i = 0; i < want.length; i++) expect(copy[i]).toBeCloseTo(want[i]!, 4);
  });

  test("keeps voxel size and does not modify the input", () => {
    const d = Uint16Array.from({ length: 27 }, (_, i) => i);
    const b = gaussianBlur(makeImage(d, [3, 3, 3], { voxelSizeUm: [0.3, 0.1, 0.1] }), 1);
    expect(b.voxelSizeUm).toEqual([0.3, 0.1, 0.1]);
    expect(Array.from(d)).toEqual(Array.from({ length: 27 }, (_, i) => i));
  });

  test("errors: negative σ, wrong out length, bad truncation", () => {
    const img = makeImage(new Float32Array(8), [2, 2, 2]);
    expect(() => gaussianBlur(img, [1, -2, 1])).toThrow(InvalidArgumentError);
    expect(() => gaussianBlur(img, [1, -2, 1])).toThrow(/sigmaPx = \[1, -2, 1\] has -2 on the y axis/);
    expect(() => gaussianBlur(img, Number.NaN)).toThrow(/finite and ≥ 0/);
    expect(() => gaussianBlur(img, 1, { out: new Float32Array(7) })).toThrow(DimensionError);
    expect(() => gaussianBlur(img, 1, { truncateSigmas: 0 })).toThrow(/truncateSigmas = 0/);
  });
});

describe("sigmaUmToPx", () => {
  test("doc example and missing voxel size", () => {
    const img = makeImage(new Float32Array(8), [2, 2, 2], { voxelSizeUm: [0.5, 0.1, 0.1] });
    const s = sigmaUmToPx(img, 0.2);
    expect(s[0]).toBeCloseTo(0.4, 12);
    expect(s[1]).toBeCloseTo(2, 12);
    expect(s[2]).toBeCloseTo(2, 12);
    expect(() => sigmaUmToPx(makeImage(new Float32Array(8), [2, 2, 2]), 0.2)).toThrow(MissingPixelSizeError);
  });
});
