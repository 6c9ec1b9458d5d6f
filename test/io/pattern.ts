/** The pixel formula of data/fixtures/make-fixtures.py, so tests can check every value exactly. */
import type { PixelArray } from "../../src/image/types.js";
import { type PixelType, allocatePixels } from "../../src/io/metadata.js";

export const FIXTURES = new URL("../../data/fixtures/", import.meta.url).pathname;
export const WIDTH = 64;
export const HEIGHT = 48;

/** v = x·7 + y·13 + z·101 + c·1009 + t·4001, mapped to the type as in make-fixtures.py. */
export function patternValue(type: PixelType, x: number, y: number, z = 0, c = 0, t = 0): number {
  const v = x * 7 + y * 13 + z * 101 + c * 1009 + t * 4001;
  switch (type) {
    case "uint8":
      return v % 256;
    case "uint16":
      return v % 65536;
    case "int8":
      return (v % 256) - 128;
    case "int16":
      return (v % 65536) - 32768;
    case "uint32":
      return v * 65537;
    case "int32":
      return v * 65537 - 2 ** 31;
    case "float32":
      return Math.fround(v / 3 - 1000);
    case "float64":
      return v / 3 - 1000;
  }
}

/** One plane of the pattern. */
export function patternPlane(type: PixelType, z = 0, c = 0, t = 0, width = WIDTH, height = HEIGHT): PixelArray {
  const out = allocatePixels(type, width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[y * width + x] = patternValue(type, x, y, z, c, t);
  return out;
}

/** Number of elements that differ (exact comparison; NaN never equals). */
export function mismatches(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Math.max(actual.length, expected.length);
  let n = 0;
  for (let i = 0; i < actual.length; i++) if (actual[i] !== expected[i]) n++;
  return n;
}
