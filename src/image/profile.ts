/**
 * Intensity profiles: along a line between two points with linear interpolation, and along an axis through a point.
 * Pixel centres sit at integer coordinates (see centroid.ts for the library-wide convention).
 */
import { DimensionError, InvalidArgumentError } from "../core/errors.js";
import { checkImage } from "./internal.js";
import type { ImageView, PixelArray } from "./types.js";

/** A point in pixel coordinates (pixel centres at integers); z defaults to 0. */
export interface PointPx {
  readonly x: number;
  readonly y: number;
  readonly z?: number;
}

/** Options of {@link lineProfile}. */
export interface LineProfileOptions {
  /** Distance between samples along the line, px (Euclidean in pixel coordinates). @default 1 */
  spacingPx?: number;
}

/** Samples of a profile. */
export interface Profile {
  /** Position of each sample: distance from the start point (lineProfile) or the coordinate on the axis (axisProfile), px. */
  readonly positionPx: Float64Array;
  /** The same positions in µm, when the image has a voxel size (anisotropic voxels handled). */
  readonly positionUm?: Float64Array;
  /** Sample coordinates, px. */
  readonly xPx: Float64Array;
  readonly yPx: Float64Array;
  readonly zPx: Float64Array;
  /** Interpolated values, data units. */
  readonly values: Float32Array;
}

/** Tolerance on the number of samples so that a length that is a multiple of the spacing ends exactly on the end point. */
const SAMPLE_COUNT_EPS = 1e-9;

/** Linear interpolation between the 8 (or 4, or 2) pixels around (x, y, z); coordinates must lie inside the image. */
function sampleLinear(data: PixelArray, nx: number, ny: number, nz: number, x: number, y: number, z: number): number {
  let x0 = Math.floor(x);
  let y0 = Math.floor(y);
  let z0 = Math.floor(z);
  if (x0 > nx - 2) x0 = Math.max(0, nx - 2);
  if (y0 > ny - 2) y0 = Math.max(0, ny - 2);
  if (z0 > nz - 2) z0 = Math.max(0, nz - 2);
  const fx = nx > 1 ? x - x0 : 0;
  const fy = ny > 1 ? y - y0 : 0;
  const fz = nz > 1 ? z - z0 : 0;
  const sx = nx > 1 ? 1 : 0;
  const sy = ny > 1 ? nx : 0;
  const sz = nz > 1 ? nx * ny : 0;
  const i = (z0 * ny + y0) * nx + x0;
  const c00 = data[i]! + fx * (data[i + sx]! - data[i]!);
  const c10 = data[i + sy]! + fx * (data[i + sy + sx]! - data[i + sy]!);
  const c0 = c00 + fy * (c10 - c00);
  if (fz === 0) return c0;
  const j = i + sz;
  const c01 = data[j]! + fx * (data[j + sx]! - data[j]!);
  const c11 = data[j + sy]! + fx * (data[j + sy + sx]! - data[j + sy]!);
  const c1 = c01 + fy * (c11 - c01);
  return c0 + fz * (c1 - c0);
}

function checkPoint(p: PointPx, shape: readonly [number, number, number], what: string, name: string): [number, number, number] {
  const [nz, ny, nx] = shape;
  const z = p.z ?? 0;
  const coords: [string, number, number][] = [
    ["x", p.x, nx],
    ["y", p.y, ny],
    ["z", z, nz],
  ];
  for (const [axis, v, n] of coords) {
    if (!Number.isFinite(v) || v < 0 || v > n - 1) {
      throw new DimensionError(
        `${what}: ${name}.${axis} = ${v} is outside the image; valid ${axis} coordinates are 0…${n - 1} (pixel centres).`,
        `Keep profile points inside the image: 0 ≤ x ≤ ${nx - 1}, 0 ≤ y ≤ ${ny - 1}, 0 ≤ z ≤ ${nz - 1}.`,
      );
    }
  }
  return [p.x, p.y, z];
}

/**
 * Samples the image along a straight line with bilinear (2D) or trilinear (3D) interpolation.
 *
 * @param image - Input image, shape [nz, ny, nx], any pixel type.
 * @param from - Start point, px (pixel centres at integers).
 * @param to - End point, px.
 * @param options - Sample spacing, see {@link LineProfileOptions}.
 * @returns Samples at distances 0, s, 2s, … ≤ L from `from` (L = line length in px; the end point is
 *   included when L is a multiple of s), with their coordinates and, if the voxel size is known, distances in µm.
 * @throws DimensionError when a point lies outside the image (the message gives the valid range) or the shape does not match the data.
 * @throws InvalidArgumentError when spacingPx is not a positive finite number.
 *
 * Notes: linear interpolation reproduces any function that is linear along each axis exactly, e.g. a
 * ramp; it slightly flattens peaks (it averages neighbours), so fit a model to the profile rather than
 * reading the maximum. Distances in px are Euclidean in pixel coordinates; in µm each axis is scaled
 * by its voxel size, so on anisotropic stacks the two differ by more than a constant factor across
 * directions.
 * @see ImageJ Analyze › Plot Profile (same pixel-centre convention), https://imagej.net/ij/docs/menus/analyze.html#plot
 * @example
 * lineProfile(makeImage(new Float32Array([0, 10, 20]), [1, 1, 3]), { x: 0, y: 0 }, { x: 2, y: 0 }, { spacingPx: 0.5 }).values; // [0, 5, 10, 15, 20]
 */
export function lineProfile(image: ImageView, from: PointPx, to: PointPx, options: LineProfileOptions = {}): Profile {
  checkImage(image, "lineProfile");
  const spacing = options.spacingPx ?? 1;
  if (!Number.isFinite(spacing) || spacing <= 0) {
    throw new InvalidArgumentError(`lineProfile: spacingPx = ${spacing}; expected a finite number > 0.`, "Use e.g. 1 (one sample per pixel) or 0.25 for a finer profile.");
  }
  const [x0, y0, z0] = checkPoint(from, image.shape, "lineProfile", "from");
  const [x1, y1, z1] = checkPoint(to, image.shape, "lineProfile", "to");
  const [nz, ny, nx] = image.shape;
  const dx = x1 - x0;
  const dy = y1 - y0;
  const dz = z1 - z0;
  const length = Math.hypot(dx, dy, dz);
  const n = Math.floor(length / spacing + SAMPLE_COUNT_EPS) + 1;
  const positionPx = new Float64Array(n);
  const xPx = new Float64Array(n);
  const yPx = new Float64Array(n);
  const zPx = new Float64Array(n);
  const values = new Float32Array(n);
  const data = image.data;
  for (let k = 0; k < n; k++) {
    const t = Math.min(k * spacing, length);
    const f = length > 0 ? t / length : 0;
    const x = x0 + f * dx;
    const y = y0 + f * dy;
    const z = z0 + f * dz;
    positionPx[k] = t;
    xPx[k] = x;
    yPx[k] = y;
    zPx[k] = z;
    values[k] = sampleLinear(data, nx, ny, nz, x, y, z);
  }
  const v = image.voxelSizeUm;
  if (!v) return { positionPx, xPx, yPx, zPx, values };
  const lengthUm = Math.hypot(dx * v[2], dy * v[1], dz * v[0]);
  const positionUm = new Float64Array(n);
  for (let k = 0; k < n; k++) positionUm[k] = length > 0 ? (positionPx[k]! / length) * lengthUm : 0;
  return { positionPx, positionUm, xPx, yPx, zPx, values };
}

/**
 * The full profile along one axis through a point (e.g. x, y and z profiles through a bead's maximum).
 *
 * @param image - Input image, shape [nz, ny, nx], any pixel type.
 * @param through - A point on the line, px; its coordinate on `axis` is ignored, the other two may be sub-pixel.
 * @param axis - "x", "y" or "z".
 * @returns One sample per pixel along the axis: positionPx = 0…n−1 (the coordinate on the axis),
 *   positionUm = positionPx × voxel size on that axis when known, values interpolated in the other two axes.
 * @throws DimensionError when the point lies outside the image.
 * @throws InvalidArgumentError when axis is not "x", "y" or "z".
 *
 * Notes: at integer coordinates no interpolation happens and the values are the pixels themselves.
 * @see lineProfile
 * @example
 * axisProfile(makeImage(new Uint8Array([1, 2, 3, 4]), [1, 2, 2]), { x: 1, y: 0 }, "y").values; // [2, 4]
 */
export function axisProfile(image: ImageView, through: PointPx, axis: "x" | "y" | "z"): Profile {
  checkImage(image, "axisProfile");
  const axisIndex = { z: 0, y: 1, x: 2 }[axis];
  if (axisIndex === undefined) {
    throw new InvalidArgumentError(`axisProfile: axis "${axis}" is not supported; expected "x", "y" or "z".`, 'Use "x" or "y" for lateral and "z" for axial profiles.');
  }
  // the coordinate on the profile axis is irrelevant; clamp it into range before checking the others
  const p = { ...through, z: through.z ?? 0 };
  const pin = { x: axis === "x" ? 0 : p.x, y: axis === "y" ? 0 : p.y, z: axis === "z" ? 0 : p.z };
  checkPoint(pin, image.shape, "axisProfile", "through");
  const n = image.shape[axisIndex];
  const last = n - 1;
  const from = { ...pin };
  const to = { x: axis === "x" ? last : pin.x, y: axis === "y" ? last : pin.y, z: axis === "z" ? last : pin.z };
  const prof = lineProfile(image, from, to, { spacingPx: 1 });
  const v = image.voxelSizeUm;
  if (!v) return { positionPx: prof.positionPx, xPx: prof.xPx, yPx: prof.yPx, zPx: prof.zPx, values: prof.values };
  const positionUm = new Float64Array(n);
  for (let k = 0; k < n; k++) positionUm[k] = k * v[axisIndex];
  return { ...prof, positionUm };
}
