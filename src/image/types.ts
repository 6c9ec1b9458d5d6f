import { DimensionError, MissingPixelSizeError } from "../core/errors.js";

/** Pixel storage types limiqc reads, writes and computes on. */
export type PixelArray =
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Float32Array
  | Float64Array;

/** Per-channel acquisition facts, as far as the file tells them. Wavelengths in nm. */
export interface ChannelInfo {
  readonly name?: string;
  readonly excitationWavelengthNm?: number;
  readonly emissionWavelengthNm?: number;
  /** Display colour as CSS hex, e.g. "#00ff00". */
  readonly color?: string;
}

/**
 * A single-channel 2D or 3D image: a typed view over contiguous pixels.
 * Layout is x fastest, then y, then z: index = (z * ny + y) * nx + x.
 * A 2D image has shape [1, ny, nx].
 */
export interface ImageView<T extends PixelArray = PixelArray> {
  readonly data: T;
  /** [nz, ny, nx] */
  readonly shape: readonly [number, number, number];
  /** Voxel size [dz, dy, dx] in µm; undefined when the file did not say. */
  readonly voxelSizeUm?: readonly [number, number, number];
  /** Significant bits of the detector (e.g. 12 for a 12-bit camera stored in uint16). */
  readonly bitDepth?: number;
  readonly channel?: ChannelInfo;
}

/** Several channels of the same field, all with the same shape and voxel size. */
export interface MultiChannelImage<T extends PixelArray = PixelArray> {
  readonly channels: readonly ImageView<T>[];
}

/** Number of voxels in a shape. */
export function voxelCount(shape: readonly [number, number, number]): number {
  return shape[0] * shape[1] * shape[2];
}

/**
 * Wraps pixels as an ImageView, checking that the array length matches the shape.
 * @throws DimensionError when data.length ≠ nz·ny·nx or a dimension is not a positive integer.
 */
export function makeImage<T extends PixelArray>(
  data: T,
  shape: readonly [number, number, number],
  extra: Omit<ImageView<T>, "data" | "shape"> = {},
): ImageView<T> {
  for (const n of shape) {
    if (!Number.isInteger(n) || n < 1) {
      throw new DimensionError(`Image shape [${shape.join(", ")}] has a dimension that is not a positive integer.`, "Shapes are [nz, ny, nx]; use nz = 1 for a 2D image.");
    }
  }
  if (data.length !== voxelCount(shape)) {
    throw new DimensionError(
      `Pixel array holds ${data.length} values but shape [${shape.join(", ")}] needs ${voxelCount(shape)}.`,
      "Check the shape order: limiqc uses [nz, ny, nx] with x fastest.",
    );
  }
  return { data, shape, ...extra };
}

/**
 * The voxel size of an image, or a clear error when it is unknown.
 * @throws MissingPixelSizeError
 */
export function requireVoxelSizeUm(image: ImageView, what = "This measurement"): readonly [number, number, number] {
  const v = image.voxelSizeUm;
  if (!v?.every((d) => Number.isFinite(d) && d > 0)) {
    throw new MissingPixelSizeError(
      `${what} needs the voxel size in µm, but the image does not carry one.`,
      "Pass it explicitly (voxelSizeUm: [dz, dy, dx]) or save the file as OME-TIFF / ImageJ TIFF with calibration.",
    );
  }
  return v;
}

/** Requires a true 3D stack (nz ≥ minSlices). @throws DimensionError */
export function require3D(image: ImageView, minSlices = 3, what = "This measurement"): void {
  if (image.shape[0] < minSlices) {
    throw new DimensionError(
      `${what} needs a z-stack of at least ${minSlices} slices, but the image has ${image.shape[0]} (shape [${image.shape.join(", ")}]).`,
      "Acquire a z-stack through the sample (see the protocol's acquisition steps), or open the file as a stack rather than a single plane.",
    );
  }
}

/** Largest value the detector can record: 2^bitDepth − 1, or the storage type's max. */
export function saturationValue(image: ImageView): number {
  if (image.bitDepth) return 2 ** image.bitDepth - 1;
  const d = image.data;
  if (d instanceof Uint8Array) return 255;
  if (d instanceof Uint16Array) return 65535;
  if (d instanceof Uint32Array) return 4294967295;
  if (d instanceof Int8Array) return 127;
  if (d instanceof Int16Array) return 32767;
  if (d instanceof Int32Array) return 2147483647;
  return Number.POSITIVE_INFINITY;
}
