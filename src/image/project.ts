/**
 * Projections of a stack along one axis (maximum, mean, sum).
 */
import { InvalidArgumentError } from "../core/errors.js";
import { checkImage } from "./internal.js";
import type { ImageView } from "./types.js";

/** Axis to project along. */
export type ProjectionAxis = "z" | "y" | "x";
/** Reduction applied along the axis. */
export type ProjectionMode = "max" | "mean" | "sum";

const AXES: readonly ProjectionAxis[] = ["z", "y", "x"];
const MODES: readonly ProjectionMode[] = ["max", "mean", "sum"];

/**
 * Projects an image along one axis: maximum-, mean- or sum-intensity projection.
 *
 * @param image - Input image, shape [nz, ny, nx], any pixel type.
 * @param axis - Axis removed by the projection: "z" (the usual MIP), "y" or "x".
 * @param mode - "max", "mean" or "sum".
 * @returns A 2D ImageView<Float32Array>: the two remaining axes in their original order, i.e.
 *   axis "z" → shape [1, ny, nx], "y" → [1, nz, nx] (rows are z), "x" → [1, nz, ny] (rows are z,
 *   columns are y). voxelSizeUm (when known) is permuted the same way, with the projected axis's
 *   size in the first slot: "z" → [dz, dy, dx], "y" → [dy, dz, dx], "x" → [dx, dz, dy].
 * @throws InvalidArgumentError when axis or mode is not one of the listed strings.
 * @throws DimensionError when the image shape does not match its data.
 *
 * Notes: every loop walks memory contiguously (a z projection folds whole planes into the result,
 * a y projection folds rows, an x projection reduces each row). Sums and means are accumulated in
 * float64 and stored as float32 (relative rounding ≤ 6e-8); maxima of integer data up to 24 bits
 * are exact. NaN propagates into mean and sum; for max, a NaN in the first plane (row, column) sticks
 * and later NaN values are skipped, so replace NaN before projecting. bitDepth and channel are kept for "max" and "mean" (values stay
 * in the detector range) and dropped for "sum".
 * @see ImageJ Image › Stacks › Z Project, https://imagej.net/ij/docs/menus/image.html#project
 * @example
 * project(makeImage(new Uint16Array([1, 5, 3, 2]), [2, 1, 2]), "z", "max").data; // Float32Array [3, 5]
 */
export function project(image: ImageView, axis: ProjectionAxis, mode: ProjectionMode): ImageView<Float32Array> {
  if (!AXES.includes(axis)) {
    throw new InvalidArgumentError(`project: axis "${axis}" is not supported; expected "z", "y" or "x".`, 'Use "z" for a maximum-intensity projection of a stack.');
  }
  if (!MODES.includes(mode)) {
    throw new InvalidArgumentError(`project: mode "${mode}" is not supported; expected "max", "mean" or "sum".`, 'Use "max" for a MIP, "sum" for total intensity.');
  }
  checkImage(image, "project");
  const [nz, ny, nx] = image.shape;
  const data = image.data;
  const isMax = mode === "max";
  let out: Float32Array;
  let shape: [number, number, number];
  let n: number; // number of values folded into each output pixel
  if (axis === "z") {
    const plane = ny * nx;
    n = nz;
    shape = [1, ny, nx];
    out = new Float32Array(plane);
    if (isMax) {
      for (let i = 0; i < plane; i++) out[i] = data[i]!;
      for (let z = 1; z < nz; z++) {
        const off = z * plane;
        for (let i = 0; i < plane; i++) {
          const v = data[off + i]!;
          if (v > out[i]!) out[i] = v;
        }
      }
    } else {
      const acc = new Float64Array(plane);
      for (let z = 0; z < nz; z++) {
        const off = z * plane;
        for (let i = 0; i < plane; i++) acc[i] = acc[i]! + data[off + i]!;
      }
      finish(acc, out, mode === "mean" ? 1 / n : 1);
    }
  } else if (axis === "y") {
    n = ny;
    shape = [1, nz, nx];
    out = new Float32Array(nz * nx);
    const acc = isMax ? out : new Float64Array(nz * nx);
    for (let z = 0; z < nz; z++) {
      const o = z * nx;
      const base = z * ny * nx;
      for (let x = 0; x < nx; x++) acc[o + x] = data[base + x]!;
      for (let y = 1; y < ny; y++) {
        const off = base + y * nx;
        if (isMax) {
          for (let x = 0; x < nx; x++) {
            const v = data[off + x]!;
            if (v > acc[o + x]!) acc[o + x] = v;
          }
        } else {
          for (let x = 0; x < nx; x++) acc[o + x] = acc[o + x]! + data[off + x]!;
        }
      }
    }
    if (!isMax) finish(acc, out, mode === "mean" ? 1 / n : 1);
  } else {
    n = nx;
    shape = [1, nz, ny];
    out = new Float32Array(nz * ny);
    const rows = nz * ny;
    for (let r = 0; r < rows; r++) {
      const off = r * nx;
      if (isMax) {
        let m = data[off]!;
        for (let x = 1; x < nx; x++) {
          const v = data[off + x]!;
          if (v > m) m = v;
        }
        out[r] = m;
      } else {
        let s = 0;
        for (let x = 0; x < nx; x++) s += data[off + x]!;
        out[r] = mode === "mean" ? s / n : s;
      }
    }
  }
  const v = image.voxelSizeUm;
  const voxelSizeUm: readonly [number, number, number] | undefined = v
    ? axis === "z"
      ? [v[0], v[1], v[2]]
      : axis === "y"
        ? [v[1], v[0], v[2]]
        : [v[2], v[0], v[1]]
    : undefined;
  const result: { -readonly [K in keyof ImageView<Float32Array>]: ImageView<Float32Array>[K] } = { data: out, shape };
  if (voxelSizeUm) result.voxelSizeUm = voxelSizeUm;
  if (mode !== "sum") {
    if (image.bitDepth !== undefined) result.bitDepth = image.bitDepth;
    if (image.channel !== undefined) result.channel = image.channel;
  }
  return result;
}

function finish(acc: Float64Array | Float32Array, out: Float32Array, factor: number): void {
  for (let i = 0; i < out.length; i++) out[i] = acc[i]! * factor;
}
