import { describe, expect, test } from "vitest";
import { DimensionError } from "../../src/core/errors.js";
import { crop, extractPlane } from "../../src/image/roi.js";
import { makeImage } from "../../src/image/types.js";

describe("crop", () => {
  test("doc example", () => {
    expect(Array.from(crop(makeImage(new Uint8Array([1, 2, 3, 4, 5, 6]), [1, 2, 3]), { x0: 1, y0: 0, width: 2, height: 2 }).data)).toEqual([2, 3, 5, 6]);
  });

  const n = 4 * 5 * 6;
  const img = makeImage(Uint16Array.from({ length: n }, (_, i) => i), [4, 5, 6], { voxelSizeUm: [1, 0.2, 0.2], bitDepth: 12 });

  test("3D box: every pixel maps to (x0 + x, y0 + y, z0 + z); type and metadata kept", () => {
    const c = crop(img, { x0: 2, y0: 1, z0: 1, width: 3, height: 4, depth: 2 });
    expect(c.shape).toEqual([2, 4, 3]);
    expect(c.data).toBeInstanceOf(Uint16Array);
    expect(c.voxelSizeUm).toEqual([1, 0.2, 0.2]);
    expect(c.bitDepth).toBe(12);
    for (let z = 0; z < 2; z++)
      for (let y = 0; y < 4; y++) for (let x = 0; x < 3; x++) expect(c.data[(z * 4 + y) * 3 + x]).toBe(((1 + z) * 5 + 1 + y) * 6 + 2 + x);
  });

  test("z0/depth default to the whole stack; the full box is an equal copy", () => {
    const c = crop(img, { x0: 0, y0: 0, width: 6, height: 5 });
    expect(c.data).toEqual(img.data);
    expect(c.data).not.toBe(img.data);
  });

  test("out-of-bounds boxes throw DimensionError naming the valid range", () => {
    expect(() => crop(img, { x0: 4, y0: 0, width: 3, height: 1 })).toThrow(DimensionError);
    expect(() => crop(img, { x0: 4, y0: 0, width: 3, height: 1 })).toThrow(/x range x0 = 4, width = 3 .* outside the image's x range 0…5/);
    expect(() => crop(img, { x0: 0, y0: -1, width: 1, height: 1 })).toThrow(/y range 0…4/);
    expect(() => crop(img, { x0: 0, y0: 0, z0: 3, depth: 2, width: 1, height: 1 })).toThrow(/z range 0…3/);
    expect(() => crop(img, { x0: 0.5, y0: 0, width: 1, height: 1 })).toThrow(DimensionError);
  });
});

describe("extractPlane", () => {
  test("doc example and copy semantics", () => {
    const img = makeImage(new Uint8Array([1, 2, 3, 4]), [2, 1, 2]);
    const p = extractPlane(img, 1);
    expect(Array.from(p.data)).toEqual([3, 4]);
    expect(p.shape).toEqual([1, 1, 2]);
    p.data[0] = 99;
    expect(img.data[2]).toBe(3);
  });

  test("plane index out of range throws DimensionError", () => {
    const img = makeImage(new Uint8Array(8), [2, 2, 2]);
    expect(() => extractPlane(img, 2)).toThrow(DimensionError);
    expect(() => extractPlane(img, 2)).toThrow(/z range 0…1/);
  });
});
