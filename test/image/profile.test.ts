import { describe, expect, test } from "vitest";
import { DimensionError, InvalidArgumentError } from "../../src/core/errors.js";
import { axisProfile, lineProfile } from "../../src/image/profile.js";
import { makeImage } from "../../src/image/types.js";

const ramp = (x: number, y: number, z: number): number => 2 * x + 3 * y + 5 * z + 1;

function rampImage(shape: [number, number, number], voxelSizeUm?: [number, number, number]) {
  const [nz, ny, nx] = shape;
  const d = new Float32Array(nz * ny * nx);
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) d[(z * ny + y) * nx + x] = ramp(x, y, z);
  return makeImage(d, shape, voxelSizeUm ? { voxelSizeUm } : {});
}

describe("lineProfile", () => {
  test("doc example", () => {
    const p = lineProfile(makeImage(new Float32Array([0, 10, 20]), [1, 1, 3]), { x: 0, y: 0 }, { x: 2, y: 0 }, { spacingPx: 0.5 });
    expect(Array.from(p.values)).toEqual([0, 5, 10, 15, 20]);
    expect(Array.from(p.positionPx)).toEqual([0, 0.5, 1, 1.5, 2]);
  });

  test("trilinear profile through a 3D linear ramp is exact (float32 rounding, 1e-4 abs)", () => {
    const img = rampImage([6, 9, 12], [0.5, 0.1, 0.1]);
    const from = { x: 1.2, y: 7.7, z: 0.5 };
    const to = { x: 10.9, y: 1.1, z: 4.0 };
    const p = lineProfile(img, from, to, { spacingPx: 0.37 });
    const L = Math.hypot(9.7, -6.6, 3.5);
    expect(p.values.length).toBe(Math.floor(L / 0.37) + 1);
    for (let k = 0; k < p.values.length; k++) {
      const f = (k * 0.37) / L;
      const [x, y, z] = [1.2 + f * 9.7, 7.7 - f * 6.6, 0.5 + f * 3.5];
      expect(p.xPx[k]).toBeCloseTo(x, 12);
      expect(Math.abs(p.values[k]! - ramp(x, y, z))).toBeLessThan(1e-4);
    }
    const Lum = Math.hypot(9.7 * 0.1, 6.6 * 0.1, 3.5 * 0.5);
    const last = p.values.length - 1;
    expect(p.positionUm![last]!).toBeCloseTo((p.positionPx[last]! / L) * Lum, 12);
  });

  test("bilinear 2D profile along a diagonal; end point included when the length is a multiple of the spacing", () => {
    const img = rampImage([1, 5, 5]);
    const p = lineProfile(img, { x: 0, y: 0 }, { x: 3, y: 4 }); // length 5
    expect(p.values.length).toBe(6);
    expect(p.values[5]).toBeCloseTo(ramp(3, 4, 0), 5);
    expect(p.positionUm).toBeUndefined();
    const single = lineProfile(img, { x: 2, y: 2 }, { x: 2, y: 2 });
    expect(Array.from(single.values)).toEqual([ramp(2, 2, 0)]);
  });

  test("errors: point outside the image, bad spacing", () => {
    const img = rampImage([1, 5, 6]);
    expect(() => lineProfile(img, { x: 0, y: 0 }, { x: 5.5, y: 0 })).toThrow(DimensionError);
    expect(() => lineProfile(img, { x: 0, y: 0 }, { x: 5.5, y: 0 })).toThrow(/to\.x = 5\.5 is outside the image; valid x coordinates are 0…5/);
    expect(() => lineProfile(img, { x: 0, y: 0, z: 1 }, { x: 1, y: 0 })).toThrow(/from\.z = 1/);
    expect(() => lineProfile(img, { x: 0, y: 0 }, { x: 1, y: 0 }, { spacingPx: 0 })).toThrow(InvalidArgumentError);
  });
});

describe("axisProfile", () => {
  test("doc example", () => {
    expect(Array.from(axisProfile(makeImage(new Uint8Array([1, 2, 3, 4]), [1, 2, 2]), { x: 1, y: 0 }, "y").values)).toEqual([2, 4]);
  });

  test("z profile through a sub-pixel point of a ramp, with µm positions", () => {
    const img = rampImage([7, 5, 6], [0.3, 0.1, 0.1]);
    const p = axisProfile(img, { x: 2.5, y: 1.25, z: 99 }, "z"); // z of the point is ignored
    expect(p.values.length).toBe(7);
    for (let z = 0; z < 7; z++) {
      expect(p.values[z]).toBeCloseTo(ramp(2.5, 1.25, z), 4);
      expect(p.positionPx[z]).toBe(z);
      expect(p.positionUm![z]).toBeCloseTo(0.3 * z, 12);
    }
    expect(axisProfile(img, { x: 0, y: 3 }, "x").values.length).toBe(6);
  });

  test("errors: unknown axis, point outside", () => {
    const img = rampImage([2, 3, 3]);
    expect(() => axisProfile(img, { x: 0, y: 0 }, "w" as "x")).toThrow(InvalidArgumentError);
    expect(() => axisProfile(img, { x: 0, y: 3 }, "x")).toThrow(/through\.y = 3 is outside/);
  });
});
