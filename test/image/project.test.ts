import { describe, expect, test } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { Random } from "../../src/core/random.js";
import { project, type ProjectionAxis, type ProjectionMode } from "../../src/image/project.js";
import { makeImage } from "../../src/image/types.js";

/** Brute-force projection, value at output (row, col) with the remaining axes in original order. */
function brute(data: ArrayLike<number>, shape: [number, number, number], axis: ProjectionAxis, mode: ProjectionMode): number[] {
  const [nz, ny, nx] = shape;
  const out: number[] = [];
  const at = (z: number, y: number, x: number): number => data[(z * ny + y) * nx + x]!;
  const fold = (vals: number[]): number =>
    mode === "max" ? Math.max(...vals) : mode === "sum" ? vals.reduce((a, b) => a + b, 0) : vals.reduce((a, b) => a + b, 0) / vals.length;
  if (axis === "z") for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) out.push(fold(Array.from({ length: nz }, (_, z) => at(z, y, x))));
  if (axis === "y") for (let z = 0; z < nz; z++) for (let x = 0; x < nx; x++) out.push(fold(Array.from({ length: ny }, (_, y) => at(z, y, x))));
  if (axis === "x") for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) out.push(fold(Array.from({ length: nx }, (_, x) => at(z, y, x))));
  return out;
}

describe("project", () => {
  test("doc example", () => {
    expect(Array.from(project(makeImage(new Uint16Array([1, 5, 3, 2]), [2, 1, 2]), "z", "max").data)).toEqual([3, 5]);
  });

  const shape: [number, number, number] = [5, 7, 11];
  const r = new Random(21);
  const data = Uint16Array.from({ length: 5 * 7 * 11 }, () => Math.floor(r.uniform() * 65536));
  const img = makeImage(data, shape, { voxelSizeUm: [0.5, 0.1, 0.2], bitDepth: 16 });
  const combos: [ProjectionAxis, ProjectionMode][] = [];
  for (const a of ["z", "y", "x"] as const) for (const m of ["max", "mean", "sum"] as const) combos.push([a, m]);

  test.each(combos)("axis %s, mode %s equals brute force on random uint16 data (float32 rounding)", (axis, mode) => {
    const p = project(img, axis, mode);
    const ref = brute(data, shape, axis, mode);
    expect(p.data.length).toBe(ref.length);
    for (let i = 0; i < ref.length; i++) expect(Math.abs(p.data[i]! - ref[i]!)).toBeLessThanOrEqual(Math.abs(ref[i]!) * 6e-8);
  });

  test("result shapes and voxel sizes keep the remaining axes in order", () => {
    expect(project(img, "z", "max").shape).toEqual([1, 7, 11]);
    expect(project(img, "z", "max").voxelSizeUm).toEqual([0.5, 0.1, 0.2]);
    expect(project(img, "y", "max").shape).toEqual([1, 5, 11]);
    expect(project(img, "y", "max").voxelSizeUm).toEqual([0.1, 0.5, 0.2]);
    expect(project(img, "x", "mean").shape).toEqual([1, 5, 7]);
    expect(project(img, "x", "mean").voxelSizeUm).toEqual([0.2, 0.5, 0.1]);
    expect(project(img, "z", "max").bitDepth).toBe(16);
    expect(project(img, "z", "sum").bitDepth).toBeUndefined();
  });

  test("does not modify the input", () => {
    const copy = data.slice();
    project(img, "y", "sum");
    expect(data).toEqual(copy);
  });

  test("rejects unknown axis and mode", () => {
    expect(() => project(img, "t" as ProjectionAxis, "max")).toThrow(InvalidArgumentError);
    expect(() => project(img, "z", "median" as ProjectionMode)).toThrow(/mode "median" is not supported/);
  });
});
