/**
 * Robust smoothing of flat-field images on a coarse grid: dark subtraction, block trimmed means (remove hot pixels),
 * local-linear Gaussian smoothing (averages noise without biasing the edges), noise estimation and interpolation back to full-resolution pixel coordinates.
 * Internal to the uniformity module.
 */
import { DimensionError, InvalidArgumentError } from "../core/errors.js";
import { GAUSSIAN_TRUNCATE_SIGMAS } from "../image/blur.js";
import type { ImageView, PixelArray } from "../image/types.js";
import { selectInPlace } from "../core/select.js";

/** Values dropped at each end of a block before averaging (robust to up to 2 hot and 2 dead pixels per block). */
const TRIM_EACH_SIDE = 2;
/** Consistency factor turning a median absolute deviation into a Gaussian SD. */
const MAD_SCALE = 1.482602218505602;

/** A grid of block trimmed means of a 2D image and its smoothed version. Cells are binPx or binPx ± 1 px wide and tile the image exactly. */
export interface SmoothGrid {
  /** Grid size [gy, gx], cells. */
  readonly shape: readonly [number, number];
  /** Full image size [ny, nx], px. */
  readonly imageShape: readonly [number, number];
  /** Nominal block size, px. */
  readonly binPx: number;
  /** Block trimmed means (dark subtracted; the 2 lowest and 2 highest pixels of each block dropped), data units; gy·gx values, x fastest. */
  readonly raw: Float32Array;
  /** `raw` after local-linear Gaussian smoothing (σ = sigmaCells). */
  readonly smooth: Float32Array;
  /** Centre of each column of cells, px (pixel centres at integers). */
  readonly xCentresPx: Float64Array;
  /** Centre of each row of cells, px. */
  readonly yCentresPx: Float64Array;
  /** Pixels in each cell. */
  readonly cellPixels: Float64Array;
  /** Blur σ, cells. */
  readonly sigmaCells: number;
  /** Robust SD of the noise of one `raw` cell, from neighbour differences, data units. */
  readonly rawNoiseSd: number;
  /** SD of the noise of a `smooth` cell inside the field: rawNoiseSd × noiseFactorX × noiseFactorY (centre), data units. */
  readonly smoothNoiseSd: number;
  /** Noise reduction factor of the smoother per column (larger near the edges, where the window is one-sided). */
  readonly noiseFactorX: Float64Array;
  /** Same per row. */
  readonly noiseFactorY: Float64Array;
  /** Smoother weights per column and per row. */
  readonly weightsX: LocalLinearWeights;
  readonly weightsY: LocalLinearWeights;
}

/** Options of {@link buildSmoothGrid}. */
export interface SmoothGridOptions {
  /** Block size, px (≥ 1). */
  readonly binPx: number;
  /** Gaussian σ of the smoothing applied to the grid, px of the full image (converted to cells). */
  readonly smoothingSigmaPx: number;
  /** Per-pixel dark image to subtract (same shape), or null. */
  readonly dark: ImageView | null;
  /** Constant subtracted when no dark image is given, data units. */
  readonly offset: number;
  /** Pixels used: all, or one colour of a checkerboard ((x + y) even / odd) for split-half noise estimates. @default "all" */
  readonly parity?: "all" | "even" | "odd";
}

/**
 * Block trimmed means of (image − dark) (2 lowest and 2 highest pixels of each block dropped), their local-linear
 * Gaussian smoothing and a noise estimate.
 *
 * @param image - 2D image (nz = 1).
 * @param o - Block size, blur σ, dark image or offset.
 * @returns The grid with cell centres and noise estimates.
 * @throws DimensionError when the dark image differs in shape.
 */
export function buildSmoothGrid(image: ImageView, o: SmoothGridOptions): SmoothGrid {
  const [, ny, nx] = image.shape;
  if (o.dark && (o.dark.shape[1] !== ny || o.dark.shape[2] !== nx || o.dark.shape[0] !== 1)) {
    throw new DimensionError(
      `The dark image is ${o.dark.shape[2]} × ${o.dark.shape[1]} px (${o.dark.shape[0]} plane(s)) but the image is ${nx} × ${ny} px.`,
      "Acquire the dark image with the same camera ROI and binning as the flat field (shutter closed, same exposure).",
    );
  }
  const b = o.binPx;
  // cells of b or b ± 1 px that tile the image exactly (no sliver of a cell at the far edges)
  const gx = Math.max(1, Math.round(nx / b));
  const gy = Math.max(1, Math.round(ny / b));
  const bx = cellBounds(nx, gx);
  const by = cellBounds(ny, gy);
  const raw = new Float32Array(gx * gy);
  const cellPixels = new Float64Array(gx * gy);
  const data = image.data;
  const dark: PixelArray | null = o.dark ? o.dark.data : null;
  const offset = o.offset;
  const parity = o.parity === "even" ? 0 : o.parity === "odd" ? 1 : -1;
  const step = parity < 0 ? 1 : 2;
  for (let j = 0; j < gy; j++) {
    const y0 = by[j];
    const y1 = by[j + 1];
    for (let i = 0; i < gx; i++) {
      const x0 = bx[i];
      const x1 = bx[i + 1];
      // one pass: sum, and the two lowest and two highest values (dropped: hot and dead pixels)
      let n = 0;
      let sum = 0;
      let lo1 = Number.POSITIVE_INFINITY;
      let lo2 = Number.POSITIVE_INFINITY;
      let hi1 = Number.NEGATIVE_INFINITY;
      let hi2 = Number.NEGATIVE_INFINITY;
      for (let y = y0; y < y1; y++) {
        const row = y * nx;
        const xs = parity < 0 ? x0 : x0 + ((x0 + y + parity) & 1);
        for (let x = xs; x < x1; x += step) {
          const v = dark ? data[row + x] - dark[row + x] : data[row + x] - offset;
          sum += v;
          n++;
          if (v < lo2) {
            if (v < lo1) {
              lo2 = lo1;
              lo1 = v;
            } else lo2 = v;
          }
          if (v > hi2) {
            if (v > hi1) {
              hi2 = hi1;
              hi1 = v;
            } else hi2 = v;
          }
        }
      }
      raw[j * gx + i] = n > TRIM_EACH_SIDE * 2 ? (sum - lo1 - lo2 - hi1 - hi2) / (n - 2 * TRIM_EACH_SIDE) : sum / n;
      cellPixels[j * gx + i] = n;
    }
  }
  const xCentresPx = new Float64Array(gx);
  const yCentresPx = new Float64Array(gy);
  for (let i = 0; i < gx; i++) xCentresPx[i] = (bx[i] + bx[i + 1] - 1) / 2;
  for (let j = 0; j < gy; j++) yCentresPx[j] = (by[j] + by[j + 1] - 1) / 2;
  const sigmaCells = o.smoothingSigmaPx / b;
  const wx = localLinearWeights(gx, sigmaCells);
  const wy = localLinearWeights(gy, sigmaCells);
  const smooth = applySeparable(raw, gx, gy, wx, wy);
  const rawNoiseSd = neighbourNoiseSd(raw, gx, gy);
  return {
    shape: [gy, gx],
    imageShape: [ny, nx],
    binPx: b,
    raw,
    smooth,
    xCentresPx,
    yCentresPx,
    cellPixels,
    sigmaCells,
    rawNoiseSd,
    smoothNoiseSd: rawNoiseSd * wx.noiseFactor[gx >> 1] * wy.noiseFactor[gy >> 1],
    noiseFactorX: wx.noiseFactor,
    noiseFactorY: wy.noiseFactor,
    weightsX: wx,
    weightsY: wy,
  };
}

/** Smooths other values defined on the grid's cells (e.g. block medians with defects in-painted) like `smooth`. */
export function resmooth(grid: SmoothGrid, values: Float32Array): Float32Array {
  return applySeparable(values, grid.shape[1], grid.shape[0], grid.weightsX, grid.weightsY);
}

/** Boundaries of `cells` nearly equal cells tiling [0, n): cell i covers [b[i], b[i + 1]). */
function cellBounds(n: number, cells: number): Int32Array {
  const b = new Int32Array(cells + 1);
  for (let i = 0; i <= cells; i++) b[i] = Math.round((i * n) / cells);
  return b;
}

/** Per-position smoothing weights of a 1D local-linear Gaussian smoother. */
export interface LocalLinearWeights {
  /** First index of each position's window. */
  readonly start: Int32Array;
  /** Window length of each position. */
  readonly length: Int32Array;
  /** Offset of each position's weights in `weights`. */
  readonly offset: Int32Array;
  readonly weights: Float64Array;
  /** √Σℓ² per position: factor by which white noise SD is reduced. */
  readonly noiseFactor: Float64Array;
}

/**
 * Weights of a local-linear regression smoother with Gaussian kernel (σ cells, cut at 4σ): the value at i is the
 * intercept of a weighted straight-line fit to the samples in the window. Inside the array this is the plain
 * normalised Gaussian; near the ends the window is one-sided and the linear term removes the bias a plain
 * (replicate-edge) blur has on a slope, so image corners and edges are not pulled towards the interior.
 */
function localLinearWeights(n: number, sigma: number): LocalLinearWeights {
  const radius = sigma > 0 ? Math.ceil(GAUSSIAN_TRUNCATE_SIGMAS * sigma) : 0;
  const start = new Int32Array(n);
  const length = new Int32Array(n);
  const offset = new Int32Array(n);
  const noiseFactor = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    start[i] = Math.max(0, i - radius);
    length[i] = Math.min(n - 1, i + radius) - start[i] + 1;
    offset[i] = total;
    total += length[i];
  }
  const weights = new Float64Array(total);
  const g = new Float64Array(2 * radius + 1);
  for (let d = -radius; d <= radius; d++) g[d + radius] = sigma > 0 ? Math.exp((-0.5 * d * d) / (sigma * sigma)) : 1;
  for (let i = 0; i < n; i++) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    for (let k = 0; k < length[i]; k++) {
      const d = start[i] + k - i;
      const w = g[d + radius];
      s0 += w;
      s1 += w * d;
      s2 += w * d * d;
    }
    const det = s0 * s2 - s1 * s1;
    let f2 = 0;
    for (let k = 0; k < length[i]; k++) {
      const d = start[i] + k - i;
      const w = g[d + radius];
      // intercept of the weighted line fit; plain normalised weights when the window has a single sample
      const l = det > 0 ? (w * (s2 - s1 * d)) / det : w / s0;
      weights[offset[i] + k] = l;
      f2 += l * l;
    }
    noiseFactor[i] = Math.sqrt(f2);
  }
  return { start, length, offset, weights, noiseFactor };
}

/** Applies 1D weights along x, then along y. */
function applySeparable(src: Float32Array, gx: number, gy: number, wx: LocalLinearWeights, wy: LocalLinearWeights): Float32Array {
  const tmp = new Float64Array(gx * gy);
  for (let j = 0; j < gy; j++) {
    const row = j * gx;
    for (let i = 0; i < gx; i++) {
      let s = 0;
      const o = wx.offset[i];
      const st = row + wx.start[i];
      for (let k = 0; k < wx.length[i]; k++) s += wx.weights[o + k] * src[st + k];
      tmp[row + i] = s;
    }
  }
  const out = new Float32Array(gx * gy);
  for (let j = 0; j < gy; j++) {
    const o = wy.offset[j];
    const st = wy.start[j];
    for (let i = 0; i < gx; i++) {
      let s = 0;
      for (let k = 0; k < wy.length[j]; k++) s += wy.weights[o + k] * tmp[(st + k) * gx + i];
      out[j * gx + i] = s;
    }
  }
  return out;
}

/**
 * Robust SD of white noise on a grid from horizontal and vertical neighbour differences:
 * 1.4826·MAD(d)/√2, with the MAD taken about the median difference (so a smooth gradient does not count).
 */
export function neighbourNoiseSd(g: ArrayLike<number>, gx: number, gy: number): number {
  const n = (gx - 1) * gy + gx * (gy - 1);
  if (n < 1) return 0;
  const d = new Float64Array(n);
  let k = 0;
  for (let y = 0; y < gy; y++) for (let x = 0; x + 1 < gx; x++) d[k++] = g[y * gx + x + 1] - g[y * gx + x];
  for (let y = 0; y + 1 < gy; y++) for (let x = 0; x < gx; x++) d[k++] = g[(y + 1) * gx + x] - g[y * gx + x];
  const med = medianOf(d, n);
  for (let i = 0; i < n; i++) d[i] = Math.abs(d[i] - med);
  return (MAD_SCALE * medianOf(d, n)) / Math.SQRT2;
}

/**
 * Median of the first n values of `a` (reordered in place); the mean of the two middle values for even n.
 * @throws InvalidArgumentError when n < 1.
 */
export function medianOf(a: Float64Array, n: number): number {
  if (n < 1) throw new InvalidArgumentError("medianOf: no values.", "Internal error: pass at least one value.");
  const h = n >> 1;
  const hi = selectInPlace(a, h, 0, n - 1);
  if (n & 1) return hi;
  // the lower middle value is the largest of the first h values after selection
  let lo = a[0];
  for (let i = 1; i < h; i++) if (a[i] > lo) lo = a[i];
  return (lo + hi) / 2;
}


/**
 * Bilinear interpolation of a grid at full-resolution pixel coordinates, with linear extrapolation beyond the
 * outermost cell centres (so image corners and edges are estimated at the exact pixel, not the cell centre).
 */
export function sampleGrid(grid: SmoothGrid, values: ArrayLike<number>, xPx: number, yPx: number): number {
  const [gy, gx] = grid.shape;
  const [ix, tx] = locate(grid.xCentresPx, gx, xPx);
  const [iy, ty] = locate(grid.yCentresPx, gy, yPx);
  const ix1 = gx > 1 ? ix + 1 : ix;
  const iy1 = gy > 1 ? iy + 1 : iy;
  const v00 = values[iy * gx + ix];
  const v01 = values[iy * gx + ix1];
  const v10 = values[iy1 * gx + ix];
  const v11 = values[iy1 * gx + ix1];
  return (1 - ty) * ((1 - tx) * v00 + tx * v01) + ty * ((1 - tx) * v10 + tx * v11);
}

function locate(centres: Float64Array, n: number, p: number): [number, number] {
  if (n < 2) return [0, 0];
  let i = 0;
  // cells are equally spaced except possibly the last one: start from the estimate and adjust
  const step = centres[1] - centres[0];
  i = Math.floor((p - centres[0]) / step);
  if (i < 0) i = 0;
  if (i > n - 2) i = n - 2;
  while (i > 0 && p < centres[i]) i--;
  while (i < n - 2 && p >= centres[i + 1]) i++;
  return [i, (p - centres[i]) / (centres[i + 1] - centres[i])];
}

/** Half-width of the window of cells used for a local noise estimate. */
const LOCAL_NOISE_HALF_WINDOW = 8;

/**
 * Noise SD (one SD, data units) of the smoothed grid at a pixel position: the robust neighbour-difference SD of
 * the block medians in a 17 × 17-cell window around it (shot noise makes dim regions less noisy in ADU),
 * times the smoother's noise factor at the nearest cell.
 */
export function smoothNoiseAt(grid: SmoothGrid, xPx: number, yPx: number): number {
  const [gy, gx] = grid.shape;
  const [ny, nx] = grid.imageShape;
  const i = Math.min(gx - 1, Math.max(0, Math.floor(((xPx + 0.5) * gx) / nx)));
  const j = Math.min(gy - 1, Math.max(0, Math.floor(((yPx + 0.5) * gy) / ny)));
  const i0 = Math.max(0, i - LOCAL_NOISE_HALF_WINDOW);
  const i1 = Math.min(gx - 1, i + LOCAL_NOISE_HALF_WINDOW);
  const j0 = Math.max(0, j - LOCAL_NOISE_HALF_WINDOW);
  const j1 = Math.min(gy - 1, j + LOCAL_NOISE_HALF_WINDOW);
  const w = i1 - i0 + 1;
  const h = j1 - j0 + 1;
  const sub = new Float32Array(w * h);
  for (let jj = 0; jj < h; jj++) for (let ii = 0; ii < w; ii++) sub[jj * w + ii] = grid.raw[(j0 + jj) * gx + i0 + ii];
  const local = w * h >= 9 ? neighbourNoiseSd(sub, w, h) : grid.rawNoiseSd;
  return local * grid.noiseFactorX[i] * grid.noiseFactorY[j];
}
