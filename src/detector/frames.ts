/**
 * Per-pixel statistics over a set of frames (temporal mean and variance with frame-to-frame level changes removed),
 * the building block of the EMVA 1288 photon transfer and of the dark-noise maps.
 */
import { DimensionError, InsufficientDataError } from "../core/errors.js";
import type { ImageView } from "../image/types.js";

/** Temporal and spatial statistics of L frames of the same size. */
export interface FrameSetStats {
  readonly frames: number;
  readonly ny: number;
  readonly nx: number;
  /** Mean over all pixels and frames, ADU. */
  readonly meanAdu: number;
  /** Mean of each frame, ADU. */
  readonly frameMeansAdu: readonly number[];
  /**
   * Temporal variance σ²_y: mean over pixels of the per-pixel sample variance across frames after removing each
   * frame's mean offset (for 2 frames this is EMVA's (1/2N)Σ(y_A − y_B)² − ½(μ_A − μ_B)²), ADU².
   */
  readonly temporalVarianceAdu2: number;
  /** Spatial variance of the temporal-mean image (divisor N − 1), ADU²; still contains σ²_y/L. */
  readonly spatialVarianceOfMeanAdu2: number;
  /** EMVA spatial variance s²_y = spatial variance of the mean image − σ²_y/L, ADU² (may be slightly negative by chance; not clipped). */
  readonly spatialVarianceAdu2: number;
  /** Largest fraction, over frames, of pixels at or above the saturation value. */
  readonly saturatedFraction: number;
}

/** Per-pixel maps of a frame set (pixel order x fastest). */
export interface FrameSetMaps {
  /** Temporal mean per pixel, ADU. */
  readonly meanAdu: Float32Array;
  /** Temporal variance per pixel (frame-mean corrected, divisor L − 1), ADU². */
  readonly varianceAdu2: Float32Array;
  /** Number of frames in which the pixel was at or above saturation. */
  readonly saturatedFrames: Uint32Array;
}

/**
 * Checks that frames are 2D and all the same size.
 * @param frames - Frames ([1, ny, nx] each, or one [L, ny, nx] stack).
 * @param what - What the frames are, for messages (e.g. "flat frames at 10 ms").
 * @returns [ny, nx].
 * @throws DimensionError when a frame is not 2D or sizes differ (the message names the frame indices and shapes).
 * @throws InsufficientDataError when there are no frames.
 */
export function checkFrameSizes(frames: readonly ImageView[], what: string): [number, number] {
  if (frames.length === 0) throw new InsufficientDataError(`No ${what} were given.`, "Acquire at least two frames per level.");
  const [, ny, nx] = frames[0].shape;
  frames.forEach((f, i) => {
    if (f.shape[0] !== 1 || f.shape[1] !== ny || f.shape[2] !== nx) {
      throw new DimensionError(
        `${what}: frame ${i} has shape [${f.shape.join(", ")}] but frame 0 is [1, ${ny}, ${nx}]; all frames must be single planes of the same size.`,
        "Acquire every frame with the same ROI and binning (and split stacks into planes).",
      );
    }
  });
  return [ny, nx];
}

/**
 * Splits a [L, ny, nx] stack into L single-plane views (no copy: subarray views).
 * @param stack - The stack.
 * @returns L images of shape [1, ny, nx].
 */
export function framesOf(stack: ImageView): ImageView[] {
  const [nz, ny, nx] = stack.shape;
  const n = ny * nx;
  const out: ImageView[] = [];
  for (let z = 0; z < nz; z++) {
    out.push({ data: stack.data.subarray(z * n, (z + 1) * n) as ImageView["data"], shape: [1, ny, nx], ...(stack.bitDepth !== undefined ? { bitDepth: stack.bitDepth } : {}) });
  }
  return out;
}

/**
 * Temporal and spatial statistics of a set of frames, and optionally the per-pixel maps.
 *
 * @param frames - L ≥ 2 frames of the same size, ADU.
 * @param saturationAdu - Value counted as saturated (ADC maximum), ADU.
 * @param what - What the frames are, for messages.
 * @param wantMaps - Also return per-pixel mean/variance maps.
 * @returns Statistics (and maps when asked).
 * @throws InsufficientDataError for fewer than 2 frames.
 * @throws DimensionError for frames of different sizes.
 *
 * Notes: one pass over the frames with Welford's update per pixel (Float64 accumulators), O(L·N).
 * @see EMVA Standard 1288 Release 4.0 (2021), §4 (temporal variance from frame pairs, spatial variance of averaged frames).
 */
export function frameSetStats(frames: readonly ImageView[], saturationAdu: number, what: string, wantMaps: true): { stats: FrameSetStats; maps: FrameSetMaps };
export function frameSetStats(frames: readonly ImageView[], saturationAdu: number, what: string, wantMaps?: false): { stats: FrameSetStats; maps: null };
export function frameSetStats(frames: readonly ImageView[], saturationAdu: number, what: string, wantMaps = false): { stats: FrameSetStats; maps: FrameSetMaps | null } {
  const [ny, nx] = checkFrameSizes(frames, what);
  const L = frames.length;
  if (L < 2) throw new InsufficientDataError(`${what}: ${L} frame; temporal noise needs at least 2.`, "Acquire (at least) a pair of frames at each level.");
  const n = ny * nx;
  const frameMeans: number[] = [];
  let maxSat = 0;
  for (const f of frames) {
    const d = f.data;
    let s = 0;
    let sat = 0;
    for (let p = 0; p < n; p++) {
      const v = d[p];
      s += v;
      if (v >= saturationAdu) sat++;
    }
    frameMeans.push(s / n);
    if (sat / n > maxSat) maxSat = sat / n;
  }
  let grand = 0;
  for (const m of frameMeans) grand += m;
  grand /= L;
  const mean = new Float64Array(n);
  const m2 = new Float64Array(n);
  const satFrames = wantMaps ? new Uint32Array(n) : null;
  for (let j = 0; j < L; j++) {
    const d = frames[j].data;
    const shift = grand - frameMeans[j];
    const k = j + 1;
    for (let p = 0; p < n; p++) {
      const v = d[p] + shift;
      const delta = v - mean[p];
      mean[p] += delta / k;
      m2[p] += delta * (v - mean[p]);
    }
    if (satFrames) for (let p = 0; p < n; p++) if (d[p] >= saturationAdu) satFrames[p]++;
  }
  let sumVar = 0;
  let sm = 0;
  for (let p = 0; p < n; p++) {
    sumVar += m2[p] / (L - 1);
    sm += mean[p];
  }
  const temporal = sumVar / n;
  const mm = sm / n;
  let ss = 0;
  for (let p = 0; p < n; p++) ss += (mean[p] - mm) ** 2;
  const spatialOfMean = n > 1 ? ss / (n - 1) : 0;
  const stats: FrameSetStats = {
    frames: L,
    ny,
    nx,
    meanAdu: grand,
    frameMeansAdu: frameMeans,
    temporalVarianceAdu2: temporal,
    spatialVarianceOfMeanAdu2: spatialOfMean,
    spatialVarianceAdu2: spatialOfMean - temporal / L,
    saturatedFraction: maxSat,
  };
  if (!wantMaps) return { stats, maps: null };
  const meanMap = new Float32Array(n);
  const varMap = new Float32Array(n);
  // the maps are of the raw values: add back nothing (the shift only removes frame-to-frame offsets, mean preserved)
  for (let p = 0; p < n; p++) {
    meanMap[p] = mean[p];
    varMap[p] = m2[p] / (L - 1);
  }
  return { stats, maps: { meanAdu: meanMap, varianceAdu2: varMap, saturatedFrames: satFrames as Uint32Array } };
}
