/**
 * Local maxima detection in 2D images and 3D stacks, with minimum-distance suppression.
 */
import { InvalidArgumentError } from "../core/errors.js";
import { checkImage, type PerAxis, perAxisNonNegative } from "./internal.js";
import { type ImageView, requireVoxelSizeUm } from "./types.js";

/** A local maximum: integer pixel coordinates (pixel centres at integer positions) and its value. */
export interface Peak {
  /** Column, px. */
  readonly x: number;
  /** Row, px. */
  readonly y: number;
  /** Plane, px (0 for 2D images). */
  readonly z: number;
  /** Pixel value at the maximum, in data units. */
  readonly value: number;
}

/** Options of {@link findLocalMaxima}. */
export interface LocalMaximaOptions {
  /**
   * Half-size of the comparison box, px, one integer for all axes or [z, y, x]: a peak must beat every
   * voxel within ±r on each axis. @default 1 (a 3×3×3 box; 3×3 in 2D)
   */
  neighbourhoodRadiusPx?: number | PerAxis;
  /**
   * Minimum distance between reported peaks, px, one number or [z, y, x] (an ellipsoid for anisotropic
   * values). Two peaks conflict when (Δx/rx)² + (Δy/ry)² + (Δz/rz)² < 1; an axis with r = 0 only lets
   * peaks with the same coordinate on that axis conflict. @default 0 (no suppression)
   */
  minDistancePx?: number | PerAxis;
  /** Minimum distance in µm, converted with the voxel size; overrides minDistancePx. @default undefined */
  minDistanceUm?: number | PerAxis;
}

/** Target ratio of grid cells to accepted-peak capacity in the suppression grid (keeps memory bounded). */
const GRID_CELLS_PER_PEAK = 4;
/** Grid cells allowed regardless of the number of peaks. */
const GRID_MIN_CELLS = 4096;

/**
 * Finds local maxima above a threshold, then drops the fainter of any two peaks closer than a minimum distance.
 *
 * @param image - Input image, shape [nz, ny, nx], any pixel type (often a blurred copy, see gaussianBlur).
 * @param threshold - Peaks must be strictly greater than this value, in data units.
 * @param options - Box size and minimum distance, see {@link LocalMaximaOptions}.
 * @returns Peaks sorted by value, brightest first (ties: raster order, x fastest).
 * @throws InvalidArgumentError when threshold is NaN, a radius is negative or not an integer, or a distance is negative.
 * @throws MissingPixelSizeError when minDistanceUm is given and the image has no voxel size.
 * @throws DimensionError when the image shape does not match its data.
 *
 * Notes: a voxel v is a local maximum when v > threshold, v ≥ every neighbour in the box and v > every
 * neighbour that comes earlier in raster order (index (z·ny + y)·nx + x). So a plateau no wider than
 * the box yields exactly one peak, its first voxel in raster order, and the result is deterministic.
 * Voxels outside the image are not compared (edge voxels can be peaks). Suppression is greedy from the
 * brightest peak down, with a uniform grid so it costs O(peaks) rather than O(peaks²).
 * Most voxels fail the threshold or the first x-neighbour test, so the scan is close to one read per voxel.
 * @see skimage.feature.peak_local_max (same greedy minimum-distance rule), https://scikit-image.org/docs/stable/api/skimage.feature.html#skimage.feature.peak_local_max
 * @example
 * findLocalMaxima(makeImage(new Float32Array([0, 5, 0, 0, 3, 0]), [1, 1, 6]), 1); // [{x: 1, y: 0, z: 0, value: 5}, {x: 4, y: 0, z: 0, value: 3}]
 */
export function findLocalMaxima(image: ImageView, threshold: number, options: LocalMaximaOptions = {}): Peak[] {
  checkImage(image, "findLocalMaxima");
  if (Number.isNaN(threshold)) {
    throw new InvalidArgumentError("findLocalMaxima: threshold is NaN; expected a number in data units.", "Pass e.g. the background mean plus a few SD.");
  }
  const [rz, ry, rx] = perAxisNonNegative(options.neighbourhoodRadiusPx ?? 1, "neighbourhoodRadiusPx");
  if (!Number.isInteger(rz) || !Number.isInteger(ry) || !Number.isInteger(rx)) {
    throw new InvalidArgumentError(
      `findLocalMaxima: neighbourhoodRadiusPx = [${rz}, ${ry}, ${rx}]; expected whole pixels.`,
      "Use integers such as 1 (3×3×3 box) or [1, 2, 2].",
    );
  }
  let minDist: [number, number, number];
  if (options.minDistanceUm !== undefined) {
    const um = perAxisNonNegative(options.minDistanceUm, "minDistanceUm");
    const v = requireVoxelSizeUm(image, "A minimum peak distance in µm");
    minDist = [um[0] / v[0], um[1] / v[1], um[2] / v[2]];
  } else {
    minDist = perAxisNonNegative(options.minDistancePx ?? 0, "minDistancePx");
  }

  const [nz, ny, nx] = image.shape;
  const data = image.data;
  const plane = ny * nx;
  const found: number[] = [];
  for (let z = 0; z < nz; z++) {
    const z0 = Math.max(0, z - rz);
    const z1 = Math.min(nz - 1, z + rz);
    for (let y = 0; y < ny; y++) {
      const y0 = Math.max(0, y - ry);
      const y1 = Math.min(ny - 1, y + ry);
      const rowOff = z * plane + y * nx;
      for (let x = 0; x < nx; x++) {
        const i = rowOff + x;
        const v = data[i]!;
        if (!(v > threshold)) continue;
        // quick rejections against the x neighbours
        if (rx > 0 && ((x > 0 && data[i - 1]! >= v) || (x < nx - 1 && data[i + 1]! > v))) continue;
        const x0 = Math.max(0, x - rx);
        const x1 = Math.min(nx - 1, x + rx);
        let isMax = true;
        box: for (let zz = z0; zz <= z1; zz++) {
          for (let yy = y0; yy <= y1; yy++) {
            const base = zz * plane + yy * nx;
            for (let xx = x0; xx <= x1; xx++) {
              const j = base + xx;
              const w = data[j]!;
              if (j < i ? w >= v : w > v) {
                isMax = false;
                break box;
              }
            }
          }
        }
        if (isMax) found.push(i);
      }
    }
  }

  const m = found.length;
  const values = new Float64Array(m);
  for (let k = 0; k < m; k++) values[k] = data[found[k]!]!;
  const order = new Uint32Array(m);
  for (let k = 0; k < m; k++) order[k] = k;
  // found is in raster order, so the index tie-break keeps raster order among equal values
  order.sort((a, b) => values[b]! - values[a]! || a - b);

  const keep = suppressByDistance(found, order, nx, ny, nz, minDist);
  const peaks: Peak[] = [];
  for (let k = 0; k < m; k++) {
    if (!keep[k]) continue;
    const i = found[order[k]!]!;
    const x = i % nx;
    const t = (i - x) / nx;
    const y = t % ny;
    peaks.push({ x, y, z: (t - y) / ny, value: values[order[k]!]! });
  }
  return peaks;
}

/**
 * Greedy minimum-distance suppression over candidates visited in `order` (brightest first).
 * Returns keep flags indexed by position in `order`.
 */
function suppressByDistance(found: readonly number[], order: Uint32Array, nx: number, ny: number, nz: number, r: readonly [number, number, number]): Uint8Array {
  const m = order.length;
  const keep = new Uint8Array(m);
  if (r[0] === 0 && r[1] === 0 && r[2] === 0) {
    keep.fill(1);
    return keep;
  }
  const dims = [nz, ny, nx];
  // grid cell size per axis: about the radius, enlarged uniformly when the grid would be too big
  const cell = [0, 1, 2].map((a) => Math.max(1, Math.ceil(r[a]!)));
  const limit = Math.max(GRID_MIN_CELLS, GRID_CELLS_PER_PEAK * m);
  let g = cell.map((c, a) => Math.ceil(dims[a]! / c));
  while (g[0]! * g[1]! * g[2]! > limit) {
    for (let a = 0; a < 3; a++) cell[a] = cell[a]! * 2;
    g = cell.map((c, a) => Math.ceil(dims[a]! / c));
  }
  const [gz, gy, gx] = g as [number, number, number];
  const [cz, cy, cx] = cell as [number, number, number];
  const reach = [0, 1, 2].map((a) => (r[a]! > 0 ? Math.ceil(r[a]! / cell[a]!) : 0));
  const [qz, qy, qx] = reach as [number, number, number];
  const inv = r.map((v) => (v > 0 ? 1 / v : 0));
  const [iz, iy, ix] = inv as [number, number, number];
  const head = new Int32Array(gz * gy * gx).fill(-1);
  const next = new Int32Array(m);
  const px = new Int32Array(m);
  const py = new Int32Array(m);
  const pz = new Int32Array(m);
  for (let k = 0; k < m; k++) {
    const i = found[order[k]!]!;
    const x = i % nx;
    const t = (i - x) / nx;
    const y = t % ny;
    const z = (t - y) / ny;
    const gxi = Math.floor(x / cx);
    const gyi = Math.floor(y / cy);
    const gzi = Math.floor(z / cz);
    let ok = true;
    scan: for (let a = Math.max(0, gzi - qz); a <= Math.min(gz - 1, gzi + qz); a++) {
      for (let b = Math.max(0, gyi - qy); b <= Math.min(gy - 1, gyi + qy); b++) {
        for (let c = Math.max(0, gxi - qx); c <= Math.min(gx - 1, gxi + qx); c++) {
          for (let p = head[(a * gy + b) * gx + c]!; p >= 0; p = next[p]!) {
            const dx = px[p]! - x;
            const dy = py[p]! - y;
            const dz = pz[p]! - z;
            if ((dx !== 0 && ix === 0) || (dy !== 0 && iy === 0) || (dz !== 0 && iz === 0)) continue;
            const d2 = dx * dx * ix * ix + dy * dy * iy * iy + dz * dz * iz * iz;
            if (d2 < 1) {
              ok = false;
              break scan;
            }
          }
        }
      }
    }
    if (!ok) continue;
    keep[k] = 1;
    px[k] = x;
    py[k] = y;
    pz[k] = z;
    const h = (gzi * gy + gyi) * gx + gxi;
    next[k] = head[h]!;
    head[h] = k;
  }
  return keep;
}
