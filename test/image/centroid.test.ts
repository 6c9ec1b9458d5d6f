import { describe, expect, test } from "vitest";
import { DimensionError, InsufficientDataError, InvalidArgumentError } from "../../src/core/errors.js";
import { Random } from "../../src/core/random.js";
import { centroid } from "../../src/image/centroid.js";
import { makeImage } from "../../src/image/types.js";

/** Sampled 3D Gaussian (σ per axis, px) on a constant pedestal, centre at sub-pixel (x, y, z). */
function blob(shape: [number, number, number], c: [number, number, number], sigma: [number, number, number], amp: number, pedestal: number): Float32Array {
  const [nz, ny, nx] = shape;
  const d = new Float32Array(nz * ny * nx).fill(pedestal);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const e = ((x - c[0]) / sigma[2]) ** 2 + ((y - c[1]) / sigma[1]) ** 2 + ((z - c[2]) / sigma[0]) ** 2;
        d[(z * ny + y) * nx + x]! += amp * Math.exp(-e / 2);
      }
  return d;
}

describe("centroid", () => {
  test("doc example: pixel centres at integer coordinates", () => {
    expect(centroid(makeImage(new Float32Array([0, 1, 1, 0]), [1, 1, 4]))).toEqual({ x: 1.5, y: 0, z: 0, totalWeight: 2 });
  });

  test("recovers a 2D blob at a sub-pixel position within 0.01 px after background subtraction", () => {
    const d = blob([1, 32, 32], [10.3, 12.7, 0], [1, 2, 2], 1000, 100);
    const c = centroid(makeImage(d, [1, 32, 32]), { background: 100 });
    expect(Math.abs(c.x - 10.3)).toBeLessThan(0.01);
    expect(Math.abs(c.y - 12.7)).toBeLessThan(0.01);
    expect(c.z).toBe(0);
  });

  test("recovers an anisotropic 3D blob with Poisson-like noise inside an ROI within 0.01 px (x, y) / 0.02 px (z)", () => {
    const shape: [number, number, number] = [20, 40, 48];
    const d = blob(shape, [30.41, 17.83, 9.26], [2.5, 1.6, 1.6], 5000, 50);
    const far = blob(shape, [6, 6, 3], [2.5, 1.6, 1.6], 5000, 0); // a second bead outside the ROI
    const r = new Random(71);
    for (let i = 0; i < d.length; i++) d[i] = d[i]! + far[i]! + r.normal(0, 0.5);
    const c = centroid(makeImage(d, shape), { background: 52, roi: { x0: 20, y0: 8, z0: 1, width: 21, height: 20, depth: 17 } });
    expect(Math.abs(c.x - 30.41)).toBeLessThan(0.01);
    expect(Math.abs(c.y - 17.83)).toBeLessThan(0.01);
    expect(Math.abs(c.z - 9.26)).toBeLessThan(0.02);
  });

  test("an under-estimated background pulls the centroid towards the ROI centre", () => {
    const d = blob([1, 21, 21], [6.5, 10, 0], [1, 1.5, 1.5], 100, 20);
    const img = makeImage(d, [1, 21, 21]);
    const good = centroid(img, { background: 20 }).x;
    const low = centroid(img, { background: 0 }).x;
    expect(Math.abs(good - 6.5)).toBeLessThan(0.01);
    expect(low).toBeGreaterThan(good + 0.5);
    expect(low).toBeLessThan(10);
  });

  test("errors: ROI outside, nothing above background, NaN background", () => {
    const img = makeImage(new Float32Array(16).fill(3), [1, 4, 4]);
    expect(() => centroid(img, { roi: { x0: 2, y0: 0, width: 3, height: 1 } })).toThrow(DimensionError);
    expect(() => centroid(img, { background: 3 })).toThrow(InsufficientDataError);
    expect(() => centroid(img, { background: 3 })).toThrow(/above the background 3/);
    expect(() => centroid(img, { background: Number.NaN })).toThrow(InvalidArgumentError);
  });
});
