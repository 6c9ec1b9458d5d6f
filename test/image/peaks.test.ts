import { describe, expect, test } from "vitest";
import { InvalidArgumentError, MissingPixelSizeError } from "../../src/core/errors.js";
import { Random } from "../../src/core/random.js";
import { findLocalMaxima, type Peak } from "../../src/image/peaks.js";
import { makeImage } from "../../src/image/types.js";

/** Adds a Gaussian blob (σ in px) centred on an integer voxel. */
function addBlob(d: Float32Array, shape: [number, number, number], c: [number, number, number], amp: number, sigma: number): void {
  const [nz, ny, nx] = shape;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const r2 = (x - c[2]) ** 2 + (y - c[1]) ** 2 + (z - c[0]) ** 2;
        d[(z * ny + y) * nx + x]! += amp * Math.exp(-r2 / (2 * sigma * sigma));
      }
}

/** Local maxima straight from the definition (box, tie rule), then greedy suppression by brute force. */
function brutePeaks(d: Float32Array, shape: [number, number, number], thr: number, r: [number, number, number], md: [number, number, number]): Peak[] {
  const [nz, ny, nx] = shape;
  const cand: Peak[] = [];
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const i = (z * ny + y) * nx + x;
        const v = d[i]!;
        if (!(v > thr)) continue;
        let ok = true;
        for (let c = -r[0]; c <= r[0]; c++)
          for (let b = -r[1]; b <= r[1]; b++)
            for (let a = -r[2]; a <= r[2]; a++) {
              const zz = z + c;
              const yy = y + b;
              const xx = x + a;
              if (zz < 0 || yy < 0 || xx < 0 || zz >= nz || yy >= ny || xx >= nx) continue;
              const j = (zz * ny + yy) * nx + xx;
              if (j === i) continue;
              if (j < i ? d[j]! >= v : d[j]! > v) ok = false;
            }
        if (ok) cand.push({ x, y, z, value: v });
      }
  cand.sort((p, q) => q.value - p.value || p.z - q.z || p.y - q.y || p.x - q.x);
  const kept: Peak[] = [];
  for (const p of cand) {
    const conflict = kept.some((q) => {
      const t = [
        [p.z - q.z, md[0]],
        [p.y - q.y, md[1]],
        [p.x - q.x, md[2]],
      ];
      let s = 0;
      for (const [dd, rr] of t) {
        if (dd === 0) continue;
        if (rr === 0) return false;
        s += (dd! / rr!) ** 2;
      }
      return s < 1;
    });
    if (!conflict) kept.push(p);
  }
  return kept;
}

describe("findLocalMaxima", () => {
  test("doc example", () => {
    expect(findLocalMaxima(makeImage(new Float32Array([0, 5, 0, 0, 3, 0]), [1, 1, 6]), 1)).toEqual([
      { x: 1, y: 0, z: 0, value: 5 },
      { x: 4, y: 0, z: 0, value: 3 },
    ]);
  });

  test("finds planted 3D maxima exactly, sorted by value, including one on the border", () => {
    const shape: [number, number, number] = [12, 40, 40];
    const d = new Float32Array(12 * 40 * 40);
    const planted: [number, number, number, number][] = [
      [5, 10, 10, 100],
      [6, 30, 12, 300],
      [3, 20, 33, 200],
      [0, 0, 39, 50], // corner voxel
    ];
    for (const [z, y, x, a] of planted) addBlob(d, shape, [z, y, x], a, 1.5);
    const peaks = findLocalMaxima(makeImage(d, shape), 10);
    expect(peaks.map((p) => [p.z, p.y, p.x])).toEqual([
      [6, 30, 12],
      [3, 20, 33],
      [5, 10, 10],
      [0, 0, 39],
    ]);
    expect(peaks[0]!.value).toBeCloseTo(300, 3);
  });

  test("minimum distance keeps the brighter of two close maxima (px and anisotropic µm)", () => {
    const shape: [number, number, number] = [10, 30, 30];
    const d = new Float32Array(10 * 30 * 30);
    addBlob(d, shape, [5, 15, 10], 100, 0.7);
    addBlob(d, shape, [5, 15, 14], 80, 0.7); // 4 px apart in x
    addBlob(d, shape, [8, 15, 10], 60, 0.7); // 3 planes above the first
    const img = makeImage(d, shape, { voxelSizeUm: [0.5, 0.1, 0.1] });
    expect(findLocalMaxima(img, 5)).toHaveLength(3);
    const px = findLocalMaxima(img, 5, { minDistancePx: 5 });
    expect(px.map((p) => [p.z, p.x])).toEqual([[5, 10]]);
    const lateralOnly = findLocalMaxima(img, 5, { minDistancePx: [2, 5, 5] });
    expect(lateralOnly.map((p) => [p.z, p.x])).toEqual([
      [5, 10],
      [8, 10],
    ]);
    // 0.45 µm lateral (4.5 px) and 1.0 µm axial (2 planes): x-neighbour suppressed, z-neighbour (1.5 µm) kept
    const um = findLocalMaxima(img, 5, { minDistanceUm: [1.0, 0.45, 0.45] });
    expect(um.map((p) => [p.z, p.x])).toEqual([
      [5, 10],
      [8, 10],
    ]);
    // exactly at the minimum distance is allowed
    expect(findLocalMaxima(img, 5, { minDistancePx: [3, 4, 4] })).toHaveLength(3);
  });

  test("plateaus give one peak at their first voxel in raster order", () => {
    const d = new Float32Array(6 * 6);
    d[2 * 6 + 2] = 7;
    d[2 * 6 + 3] = 7;
    d[3 * 6 + 2] = 7;
    d[3 * 6 + 3] = 7;
    expect(findLocalMaxima(makeImage(d, [1, 6, 6]), 0)).toEqual([{ x: 2, y: 2, z: 0, value: 7 }]);
    const e = new Float32Array([0, 4, 4, 0, 4, 4, 0]);
    // two separate plateaus: one peak each with a 3-px box; a 7-px box sees both and keeps the first
    expect(findLocalMaxima(makeImage(e, [1, 1, 7]), 0).map((p) => p.x)).toEqual([1, 4]);
    expect(findLocalMaxima(makeImage(e, [1, 1, 7]), 0, { neighbourhoodRadiusPx: 3 }).map((p) => p.x)).toEqual([1]);
  });

  test("equals the brute-force definition on random 3D data with many conflicts", () => {
    const r = new Random(41);
    const shape: [number, number, number] = [6, 24, 28];
    const d = Float32Array.from({ length: 6 * 24 * 28 }, () => Math.round(r.uniform() * 50));
    for (const [rad, md] of [
      [
        [1, 1, 1],
        [0, 0, 0],
      ],
      [
        [1, 2, 2],
        [1.5, 3, 3],
      ],
      [
        [0, 1, 1],
        [0, 4.2, 2.5],
      ],
    ] as [number, number, number][][]) {
      const got = findLocalMaxima(makeImage(d, shape), 20, { neighbourhoodRadiusPx: rad as [number, number, number], minDistancePx: md as [number, number, number] });
      const want = brutePeaks(d, shape, 20, rad as [number, number, number], md as [number, number, number]);
      expect(got.length).toBeGreaterThan(5);
      expect(got).toEqual(want);
    }
  });

  test("errors: NaN threshold, fractional radius, µm distance without voxel size", () => {
    const img = makeImage(new Float32Array(27), [3, 3, 3]);
    expect(() => findLocalMaxima(img, Number.NaN)).toThrow(InvalidArgumentError);
    expect(() => findLocalMaxima(img, 0, { neighbourhoodRadiusPx: 1.5 })).toThrow(/expected whole pixels/);
    expect(() => findLocalMaxima(img, 0, { minDistancePx: -1 })).toThrow(/minDistancePx/);
    expect(() => findLocalMaxima(img, 0, { minDistanceUm: 1 })).toThrow(MissingPixelSizeError);
  });
});
