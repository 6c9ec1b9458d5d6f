import { describe, expect, test } from "vitest";
import { DimensionError, InvalidArgumentError } from "../../src/core/errors.js";
import { Random } from "../../src/core/random.js";
import { type Connectivity, labelComponents } from "../../src/image/label.js";
import { makeImage } from "../../src/image/types.js";

/** Parses a drawn 2D mask ("#" = foreground), one string per row. */
function drawn(rows: string[]): Uint8Array {
  return Uint8Array.from(rows.join("").split(""), (c) => (c === "#" ? 1 : 0));
}

/** Breadth-first flood fill from each unlabelled foreground voxel in raster order: the reference. */
function floodLabels(mask: ArrayLike<number>, shape: [number, number, number], conn: Connectivity): Int32Array {
  const [nz, ny, nx] = shape;
  const offs: [number, number, number][] = [];
  for (let dz = -1; dz <= 1; dz++)
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const m = Math.abs(dz) + Math.abs(dy) + Math.abs(dx);
        if (m === 0) continue;
        if ((conn === 4 || conn === 8) && dz !== 0) continue;
        if ((conn === 4 || conn === 6) && m > 1) continue;
        offs.push([dz, dy, dx]);
      }
  const labels = new Int32Array(mask.length);
  let next = 0;
  for (let s = 0; s < mask.length; s++) {
    if (!(mask[s]! > 0) || labels[s] !== 0) continue;
    labels[s] = ++next;
    const queue = [s];
    while (queue.length) {
      const i = queue.pop()!;
      const x = i % nx;
      const y = Math.floor(i / nx) % ny;
      const z = Math.floor(i / (nx * ny));
      for (const [dz, dy, dx] of offs) {
        const zz = z + dz;
        const yy = y + dy;
        const xx = x + dx;
        if (zz < 0 || yy < 0 || xx < 0 || zz >= nz || yy >= ny || xx >= nx) continue;
        const j = (zz * ny + yy) * nx + xx;
        if (mask[j]! > 0 && labels[j] === 0) {
          labels[j] = next;
          queue.push(j);
        }
      }
    }
  }
  return labels;
}

describe("labelComponents", () => {
  test("doc example", () => {
    expect(labelComponents(makeImage(new Uint8Array([1, 0, 1, 1]), [1, 1, 4])).count).toBe(2);
  });

  test("U and W shapes that need merging become one component", () => {
    const u = drawn(["#...#", "#...#", "#...#", "#####"]);
    const ru = labelComponents(makeImage(u, [1, 4, 5]), { connectivity: 4 });
    expect(ru.count).toBe(1);
    expect(ru.components[0]!.voxelCount).toBe(11);
    const w = drawn(["#.#.#.#", "#.#.#.#", "#######"]);
    const rw = labelComponents(makeImage(w, [1, 3, 7]), { connectivity: 4 });
    expect(rw.count).toBe(1);
    expect(new Set(rw.labels)).toEqual(new Set([0, 1]));
    // a spiral: merges chain through several provisional labels
    const s = drawn(["#######", "......#", "#####.#", "#...#.#", "#.###.#", "#.....#", "#######"]);
    expect(labelComponents(makeImage(s, [1, 7, 7]), { connectivity: 4 }).count).toBe(1);
  });

  test("diagonal contact: separate with 4 (6), joined with 8 (26)", () => {
    const d = drawn(["#..", ".#.", "..#"]);
    expect(labelComponents(makeImage(d, [1, 3, 3]), { connectivity: 4 }).count).toBe(3);
    expect(labelComponents(makeImage(d, [1, 3, 3]), { connectivity: 8 }).count).toBe(1);
    expect(labelComponents(makeImage(d, [1, 3, 3])).count).toBe(1); // default 8 in 2D
    const c = new Uint8Array(8);
    c[0] = 1; // (0,0,0)
    c[7] = 1; // (1,1,1): corner contact
    expect(labelComponents(makeImage(c, [2, 2, 2]), { connectivity: 6 }).count).toBe(2);
    expect(labelComponents(makeImage(c, [2, 2, 2])).count).toBe(1); // default 26 in 3D
  });

  test("labels are numbered in raster order of each component's first voxel", () => {
    const m = drawn(["..#.#", "#...#", "###.."]);
    const r = labelComponents(makeImage(m, [1, 3, 5]), { connectivity: 4 });
    expect(Array.from(r.labels)).toEqual([0, 0, 1, 0, 2, 3, 0, 0, 0, 2, 3, 3, 3, 0, 0]);
  });

  test.each([4, 8] as Connectivity[])("equals flood fill on random 2D masks (connectivity %d)", (conn) => {
    const r = new Random(51 + conn);
    const mask = Uint8Array.from({ length: 60 * 70 }, () => (r.uniform() < 0.5 ? 1 : 0));
    const got = labelComponents(makeImage(mask, [1, 60, 70]), { connectivity: conn });
    const want = floodLabels(mask, [1, 60, 70], conn);
    expect(got.labels).toEqual(want);
    expect(got.count).toBe(Math.max(...want));
  });

  test.each([6, 26] as Connectivity[])("equals flood fill on random 3D masks (connectivity %d)", (conn) => {
    const r = new Random(61 + conn);
    const shape: [number, number, number] = [9, 20, 23];
    const mask = Uint8Array.from({ length: 9 * 20 * 23 }, () => (r.uniform() < (conn === 6 ? 0.3 : 0.12) ? 1 : 0));
    const got = labelComponents(makeImage(mask, shape), { connectivity: conn });
    const want = floodLabels(mask, shape, conn);
    expect(got.count).toBeGreaterThan(20);
    expect(got.labels).toEqual(want);
  });

  test("per-component statistics with a separate intensity image", () => {
    const mask = drawn(["##...", "#....", "...##"]);
    const inten = Float32Array.from([1, 3, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 2, 6]);
    const r = labelComponents(makeImage(mask, [1, 3, 5]), { intensity: makeImage(inten, [1, 3, 5]) });
    expect(r.count).toBe(2);
    const [a, b] = r.components as [(typeof r.components)[0], (typeof r.components)[0]];
    expect(a.voxelCount).toBe(3);
    expect(a.sum).toBe(8);
    expect(a.max).toBe(4);
    expect(a.bbox).toEqual({ x0: 0, y0: 0, z0: 0, x1: 1, y1: 1, z1: 0 });
    expect(a.centroid.x).toBeCloseTo(3 / 8, 12); // (0·1 + 1·3 + 0·4)/8
    expect(a.centroid.y).toBeCloseTo(4 / 8, 12); // (0 + 0 + 1·4)/8
    expect(b.label).toBe(2);
    expect(b.centroid.x).toBeCloseTo((3 * 2 + 4 * 6) / 8, 12);
    expect(b.centroid.y).toBe(2);
  });

  test("threshold on an intensity image; zero-sum component falls back to the geometric centroid", () => {
    const d = Float32Array.from([0, 5, 6, 0, 0, 9]);
    const r = labelComponents(makeImage(d, [1, 1, 6]), { threshold: 4 });
    expect(r.count).toBe(2);
    expect(r.components[1]!.centroid.x).toBe(5);
    const z = labelComponents(makeImage(Uint8Array.from([1, 1, 0]), [1, 1, 3]), { intensity: makeImage(new Float32Array(3), [1, 1, 3]) });
    expect(z.components[0]!.centroid.x).toBe(0.5);
  });

  test("out buffer: reused, stale contents cleared, same labels", () => {
    const m = drawn(["#.#", "#.#", "###"]);
    const out = new Int32Array(9).fill(77);
    const r = labelComponents(makeImage(m, [1, 3, 3]), { out, connectivity: 4 });
    expect(r.labels).toBe(out);
    expect(Array.from(out)).toEqual([1, 0, 1, 1, 0, 1, 1, 1, 1]);
    expect(() => labelComponents(makeImage(m, [1, 3, 3]), { out: new Int32Array(8) })).toThrow(/out buffer holds 8 values/);
  });

  test("errors: 2D connectivity on a stack, unknown connectivity, intensity shape mismatch", () => {
    const stack = makeImage(new Uint8Array(8), [2, 2, 2]);
    expect(() => labelComponents(stack, { connectivity: 8 })).toThrow(InvalidArgumentError);
    expect(() => labelComponents(stack, { connectivity: 4 })).toThrow(/2D neighbourhood but the image is a stack of 2 planes/);
    expect(() => labelComponents(stack, { connectivity: 5 as Connectivity })).toThrow(/expected 4 or 8 \(2D\), 6 or 26 \(3D\)/);
    expect(() => labelComponents(stack, { intensity: makeImage(new Uint8Array(4), [1, 2, 2]) })).toThrow(DimensionError);
  });
});
