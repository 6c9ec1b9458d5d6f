/**
 * Small validation and conversion helpers shared by the image kernels. Not re-exported from
 * `src/image/index.ts`: kernels use them, callers do not need them.
 */
import { DimensionError, InvalidArgumentError } from "../core/errors.js";
import type { ImageView, PixelArray } from "./types.js";

/** A value per axis in the library's [z, y, x] order. */
export type PerAxis = readonly [number, number, number];

/**
 * True when `input` is an ImageView rather than a bare typed array.
 * @param input - An ImageView or a typed array.
 * @returns Whether `input` carries a `shape`.
 */
export function isImageView(input: ImageView | PixelArray): input is ImageView {
  return !ArrayBuffer.isView(input);
}

/**
 * The pixel array behind an ImageView, or the array itself.
 * @param input - An ImageView or a typed array.
 * @returns The typed array holding the pixels.
 */
export function pixelsOf(input: ImageView | PixelArray): PixelArray {
  return isImageView(input) ? input.data : input;
}

/**
 * Checks that an ImageView's shape is made of positive integers and matches its data length.
 * @param image - The image to check.
 * @param what - Name of the calling function, used in the message.
 * @throws DimensionError when the shape is invalid or does not match the data.
 */
export function checkImage(image: ImageView, what: string): void {
  const [nz, ny, nx] = image.shape;
  if (![nz, ny, nx].every((n) => Number.isInteger(n) && n >= 1)) {
    throw new DimensionError(
      `${what}: image shape [${image.shape.join(", ")}] has a dimension that is not a positive integer.`,
      "Build images with makeImage(data, [nz, ny, nx]); use nz = 1 for a 2D image.",
    );
  }
  if (image.data.length !== nz * ny * nx) {
    throw new DimensionError(
      `${what}: pixel array holds ${image.data.length} values but shape [${image.shape.join(", ")}] needs ${nz * ny * nx}.`,
      "Check the shape order: limiqc uses [nz, ny, nx] with x fastest.",
    );
  }
}

/**
 * Expands a scalar or a [z, y, x] triple to a triple of finite, non-negative numbers.
 * @param value - A scalar (same on every axis) or a [z, y, x] triple.
 * @param name - Parameter name with unit, used in the message (e.g. "sigmaPx").
 * @returns The [z, y, x] triple.
 * @throws InvalidArgumentError when a value is negative or not finite, or the triple has the wrong length.
 */
export function perAxisNonNegative(value: number | PerAxis, name: string): [number, number, number] {
  const t: readonly number[] = typeof value === "number" ? [value, value, value] : value;
  if (t.length !== 3) {
    throw new InvalidArgumentError(
      `${name} has ${t.length} entries; expected one number or three in [z, y, x] order.`,
      `Pass ${name} as a number or as [z, y, x].`,
    );
  }
  for (let i = 0; i < 3; i++) {
    const v = t[i]!;
    if (!Number.isFinite(v) || v < 0) {
      throw new InvalidArgumentError(
        `${name} = [${t.join(", ")}] has ${v} on the ${"zyx"[i]} axis; values must be finite and ≥ 0.`,
        `Use a non-negative ${name}; 0 on an axis means "nothing along that axis".`,
      );
    }
  }
  return [t[0]!, t[1]!, t[2]!];
}

/**
 * A new typed array of the same element type as `like`, filled with zeros.
 * @param like - Array whose element type to copy.
 * @param length - Number of elements.
 * @returns A zero-filled array of the same type.
 */
export function sameTypeArray<T extends PixelArray>(like: T, length: number): T {
  const Ctor = like.constructor as new (n: number) => T;
  return new Ctor(length);
}

/** A crop box with every field resolved. */
export interface ResolvedBox {
  readonly x0: number;
  readonly y0: number;
  readonly z0: number;
  readonly width: number;
  readonly height: number;
  readonly depth: number;
}

function checkRange(what: string, axis: string, start: number, length: number, n: number, startName: string, lengthName: string): void {
  if (!Number.isInteger(start) || !Number.isInteger(length) || length < 1 || start < 0 || start + length > n) {
    throw new DimensionError(
      `${what}: ${axis} range ${startName} = ${start}, ${lengthName} = ${length} (pixels ${start}…${start + length - 1}) is outside the image's ${axis} range 0…${n - 1}.`,
      `Use integers with 0 ≤ ${startName} ≤ ${n - 1} and 1 ≤ ${lengthName} ≤ ${n} − ${startName}.`,
    );
  }
}

/**
 * Resolves the optional z fields of a box (z0 = 0, depth = rest of the stack) and checks it lies inside the image.
 * @param shape - Image shape [nz, ny, nx].
 * @param box - Box in pixel indices; z0 and depth may be omitted.
 * @param what - Name of the calling function, used in the message.
 * @returns The box with every field set.
 * @throws DimensionError when a field is not an integer or the box leaves the image (the message gives the valid range).
 */
export function checkCropBox(
  shape: readonly [number, number, number],
  box: { readonly x0: number; readonly y0: number; readonly z0?: number; readonly width: number; readonly height: number; readonly depth?: number },
  what: string,
): ResolvedBox {
  const [nz, ny, nx] = shape;
  const z0 = box.z0 ?? 0;
  const depth = box.depth ?? nz - z0;
  checkRange(what, "x", box.x0, box.width, nx, "x0", "width");
  checkRange(what, "y", box.y0, box.height, ny, "y0", "height");
  checkRange(what, "z", z0, depth, nz, "z0", "depth");
  return { x0: box.x0, y0: box.y0, z0, width: box.width, height: box.height, depth };
}
