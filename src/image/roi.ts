/**
 * Rectangular regions of interest: cropping a box and extracting a plane.
 */
import { DimensionError } from "../core/errors.js";
import { checkCropBox, checkImage, sameTypeArray } from "./internal.js";
import type { ImageView, PixelArray } from "./types.js";

/** An axis-aligned box in pixel indices: [x0, x0 + width) × [y0, y0 + height) × [z0, z0 + depth). */
export interface CropBox {
  /** First column, px (0-based). */
  readonly x0: number;
  /** First row, px (0-based). */
  readonly y0: number;
  /** First plane, px (0-based). @default 0 */
  readonly z0?: number;
  /** Number of columns, px. */
  readonly width: number;
  /** Number of rows, px. */
  readonly height: number;
  /** Number of planes. @default all planes from z0 to the end */
  readonly depth?: number;
}

function copyMeta<T extends PixelArray>(image: ImageView, data: T, shape: [number, number, number]): ImageView<T> {
  const out: { -readonly [K in keyof ImageView<T>]: ImageView<T>[K] } = { data, shape };
  if (image.voxelSizeUm) out.voxelSizeUm = image.voxelSizeUm;
  if (image.bitDepth !== undefined) out.bitDepth = image.bitDepth;
  if (image.channel !== undefined) out.channel = image.channel;
  return out;
}

/**
 * Copies a box out of an image.
 *
 * @param image - Input image, shape [nz, ny, nx].
 * @param box - The box in pixel indices (see {@link CropBox}); z0/depth may be omitted for 2D images.
 * @returns A new image of the same pixel type, shape [depth, height, width], with the same voxel size,
 *   bit depth and channel. Pixel (x, y, z) of the result is pixel (x0 + x, y0 + y, z0 + z) of the input.
 * @throws DimensionError when the box is not made of integers or leaves the image (the message gives the valid range).
 *
 * Notes: rows are copied with `TypedArray.set`, so a crop costs one memcpy per row. The input is not modified.
 * @see Schmied et al., "Community-developed checklists for publishing images and image analyses", Nat Methods 21:170 (2024), doi:10.1038/s41592-023-01987-9 (crop, do not resample).
 * @example
 * crop(makeImage(new Uint8Array([1, 2, 3, 4, 5, 6]), [1, 2, 3]), { x0: 1, y0: 0, width: 2, height: 2 }).data; // Uint8Array [2, 3, 5, 6]
 */
export function crop<T extends PixelArray>(image: ImageView<T>, box: CropBox): ImageView<T> {
  checkImage(image, "crop");
  const [, ny, nx] = image.shape;
  const { x0, y0, z0, width, height, depth } = checkCropBox(image.shape, box, "crop");
  const src = image.data;
  const out = sameTypeArray(src, width * height * depth);
  for (let z = 0; z < depth; z++) {
    for (let y = 0; y < height; y++) {
      const from = ((z0 + z) * ny + y0 + y) * nx + x0;
      out.set(src.subarray(from, from + width), (z * height + y) * width);
    }
  }
  return copyMeta(image, out, [depth, height, width]);
}

/**
 * Copies one z plane out of a stack.
 *
 * @param image - Input image, shape [nz, ny, nx].
 * @param z - Plane index, 0 ≤ z < nz.
 * @returns A new 2D image of the same pixel type, shape [1, ny, nx], with the same voxel size, bit depth and channel.
 * @throws DimensionError when z is not an integer in 0…nz − 1.
 *
 * Notes: a copy (one memcpy), so later changes to either image do not affect the other.
 * @see crop
 * @example
 * extractPlane(makeImage(new Uint8Array([1, 2, 3, 4]), [2, 1, 2]), 1).data; // Uint8Array [3, 4]
 */
export function extractPlane<T extends PixelArray>(image: ImageView<T>, z: number): ImageView<T> {
  checkImage(image, "extractPlane");
  const [nz, ny, nx] = image.shape;
  if (!Number.isInteger(z) || z < 0 || z >= nz) {
    throw new DimensionError(
      `extractPlane: plane z = ${z} is outside the image's z range 0…${nz - 1}.`,
      `Pass an integer plane index between 0 and ${nz - 1}.`,
    );
  }
  const plane = ny * nx;
  const out = image.data.slice(z * plane, (z + 1) * plane) as T;
  return copyMeta(image, out, [1, ny, nx]);
}
