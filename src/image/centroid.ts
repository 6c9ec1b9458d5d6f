/**
 * Centre of mass (intensity-weighted centroid) of an image or a box inside it.
 *
 * Coordinate convention, used by the whole library: pixel (voxel) centres sit at integer
 * coordinates. Pixel index x covers [x − 0.5, x + 0.5); the first pixel's centre is x = 0, so an
 * image of width nx spans [−0.5, nx − 0.5]. Physical position in µm = coordinate × voxel size
 * (origin at the centre of pixel 0). The same holds for y and z.
 */
import { InsufficientDataError, InvalidArgumentError } from "../core/errors.js";
import { checkCropBox, checkImage } from "./internal.js";
import type { CropBox } from "./roi.js";
import type { ImageView } from "./types.js";

/** Options of {@link centroid}. */
export interface CentroidOptions {
  /** Box to measure in, pixel indices of the full image. @default the whole image */
  roi?: CropBox;
  /**
   * Background level subtracted before weighting, in the image's data units (ADU for raw data);
   * values below it count as 0. @default 0
   */
  background?: number;
}

/** Intensity-weighted centroid in pixel coordinates of the full image. */
export interface CentroidResult {
  /** Column coordinate, px (pixel centres at integers). */
  readonly x: number;
  /** Row coordinate, px. */
  readonly y: number;
  /** Plane coordinate, px (0 for a 2D image). */
  readonly z: number;
  /** Sum of the background-subtracted, clamped weights, data units. */
  readonly totalWeight: number;
}

/**
 * Centre of mass of an image or ROI with optional background subtraction.
 *
 * @param image - Input image, shape [nz, ny, nx], any pixel type.
 * @param options - ROI and background, see {@link CentroidOptions}.
 * @returns (x, y, z) in px of the full image (pixel centres at integer coordinates) and the total weight.
 * @throws InvalidArgumentError when background is not finite.
 * @throws DimensionError when the ROI leaves the image or the image shape does not match its data.
 * @throws InsufficientDataError when no pixel in the ROI is above the background (total weight 0).
 *
 * Notes: weight w = max(v − background, 0); x = Σ w·x / Σ w and likewise for y and z. A background
 * below the true one pulls the centroid towards the ROI centre (the flat pedestal has its own
 * centroid there), so subtract a measured background (e.g. a low percentile) for sub-pixel accuracy.
 * NaN pixels are skipped.
 * @see Thomas et al., "Comparison of centroid computation algorithms in a Shack–Hartmann sensor", MNRAS 371:323 (2006), doi:10.1111/j.1365-2966.2006.10661.x.
 * @example
 * centroid(makeImage(new Float32Array([0, 1, 1, 0]), [1, 1, 4])); // { x: 1.5, y: 0, z: 0, totalWeight: 2 }
 */
export function centroid(image: ImageView, options: CentroidOptions = {}): CentroidResult {
  checkImage(image, "centroid");
  const background = options.background ?? 0;
  if (!Number.isFinite(background)) {
    throw new InvalidArgumentError(`centroid: background = ${background}; expected a finite number in data units.`, "Pass the background level (e.g. a low percentile of the image) or omit it.");
  }
  const [nz, ny, nx] = image.shape;
  const box = options.roi ? checkCropBox(image.shape, options.roi, "centroid") : { x0: 0, y0: 0, z0: 0, width: nx, height: ny, depth: nz };
  const data = image.data;
  const plane = ny * nx;
  let sw = 0;
  let sx = 0;
  let sy = 0;
  let sz = 0;
  for (let z = box.z0; z < box.z0 + box.depth; z++) {
    let pw = 0;
    for (let y = box.y0; y < box.y0 + box.height; y++) {
      const rowOff = z * plane + y * nx;
      let rw = 0;
      let rx = 0;
      for (let x = box.x0; x < box.x0 + box.width; x++) {
        const w = data[rowOff + x]! - background;
        if (w > 0) {
          rw += w;
          rx += w * x;
        }
      }
      pw += rw;
      sx += rx;
      sy += rw * y;
    }
    sw += pw;
    sz += pw * z;
  }
  if (!(sw > 0)) {
    throw new InsufficientDataError(
      `centroid: no pixel in the ROI (x ${box.x0}…${box.x0 + box.width - 1}, y ${box.y0}…${box.y0 + box.height - 1}, z ${box.z0}…${box.z0 + box.depth - 1}) is above the background ${background}.`,
      "Check the ROI position and lower the background level.",
    );
  }
  return { x: sx / sw, y: sy / sw, z: sz / sw, totalWeight: sw };
}
