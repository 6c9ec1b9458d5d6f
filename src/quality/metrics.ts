/**
 * WG10 per-image quality metrics: clipping, used dynamic range, robust background and noise (MAD of the
 * Immerkær residual; Poisson-Gaussian model when the camera gain is known), SNR, focus score, sampling vs Nyquist
 * and decorrelation resolution, combined into a pass/warn/fail rating with configurable weights.
 * Toolkit-defined metrics: QUAREP WG10 has published no normative metric set (see quarep-protocols.md §WG10).
 * @module
 */
import { DimensionError, InsufficientDataError, InvalidArgumentError, LimiqcError } from "../core/errors.js";
import { makeProvenance, type Provenance } from "../core/provenance.js";
import { selectInPlace } from "../core/select.js";
import { type Quantity, quantity, type Verdict, type VerdictLevel, VERDICT_RANK } from "../core/quantity.js";
import { gaussianBlur, gaussianKernel1D } from "../image/blur.js";
import { percentiles } from "../image/stats.js";
import { type ImageView, saturationValue } from "../image/types.js";
import { type SamplingReport, samplingReport } from "../optics/nyquist.js";
import type { OpticalSetup } from "../optics/resolution.js";
import { measureDecorrelation } from "../resolution/decorrelation.js";

/** MAD → SD of a normal distribution. */
const MAD_TO_SD = 1.482602218505602;
/** √(Σ k²) of the Immerkær kernel [1 −2 1; −2 4 −2; 1 −2 1] (= 6). */
const IMMERKAER_NORM = 6;
/** Σ k² of the 4-neighbour Laplacian [0 1 0; 1 −4 1; 0 1 0] (= 20): its noise-variance gain. */
const LAPLACIAN_NOISE_GAIN = 20;
/** Fraction of pixels (darkest 5×5 neighbourhoods) used for the noise estimate. */
const BACKGROUND_SELECT_FRACTION = 0.25;
/** Pixels of a 5×5 box. */
const BOX_PIXELS = 25;
/** Histogram bins for the exact 25 % quantile of the 5×5 box sums. */
const NOISE_HISTOGRAM_BINS = 65536;
/** Fewer selected pixels than this: use all pixels. */
const MIN_NOISE_PIXELS = 100;
/** Smallest plane side for the noise/focus filters, px. */
const MIN_SIDE_PX = 8;
/** Smallest plane side for decorrelation analysis, px. */
const MIN_DECORRELATION_SIDE_PX = 64;
/** Percentiles that bound the used intensity range (robust min / max). */
const RANGE_LOW_PERCENT = 0.1;
const RANGE_HIGH_PERCENT = 99.9;
/** Percentile taken as "signal" level. */
const SIGNAL_PERCENT = 99;
/** Tile side for the background estimate, px, and the percentile of tile medians taken as background. */
const BACKGROUND_TILE_PX = 16;
const BACKGROUND_TILE_PERCENT = 10;

/** Camera model for the Poisson-Gaussian noise prediction (e.g. from the WG2 photon-transfer record). */
export interface CameraNoiseModel {
  /** Conversion gain K, e⁻/ADU. */
  readonly conversionGainEPerAdu: number;
  /** Offset (bias) in ADU. */
  readonly offsetAdu: number;
  /** Read noise, e⁻ RMS. */
  readonly readNoiseE: number;
}

/** Noise and background of one plane. */
export interface NoiseEstimate {
  /** Robust background level (10th percentile of 16×16-tile medians), ADU. */
  readonly backgroundAdu: Quantity;
  /** Noise σ from the MAD of the Immerkær Laplacian residual, ADU (uncertainty: σ/√(2·(N−1))·1.65 for the MAD). */
  readonly noiseSdAdu: Quantity;
  /** σ predicted by the Poisson-Gaussian camera model at the background level, ADU; null without a camera model. */
  readonly modelNoiseSdAdu: Quantity | null;
  readonly method: "immerkaer-mad";
}

/**
 * Robust noise σ of a 2D plane: MAD of the Immerkær (1996) Laplacian-difference residual, which cancels smooth
 * structure up to second order, over the darkest quarter of 5×5 neighbourhoods, scaled to the SD of Gaussian noise.
 * @param image - 2D image (nz = 1) or a stack (the plane `plane` is used); values in ADU.
 * @param plane - Plane index for a stack. @default 0
 * @returns σ in ADU with its approximate standard error.
 * @throws DimensionError when the plane is smaller than 8×8 px.
 * @throws InsufficientDataError when the residual is zero everywhere (a constant or synthetic image).
 * Notes: σ = 1.4826·MAD(r)/6 with r = I ⊛ [1 −2 1; −2 4 −2; 1 −2 1], over the pixels whose 5×5 mean is in the
 * lowest 25 %. The kernel sums to zero, so r is uncorrelated with that mean and the selection does not bias σ for
 * white noise; it keeps sharp structure (spots, edges) out. For Poisson noise the result is therefore the noise at
 * the background level. Integer quantisation adds 1/12 ADU².
 * @see J. Immerkær, "Fast noise variance estimation", Comput. Vis. Image Underst. 64:300 (1996), doi:10.1006/cviu.1996.0060.
 * @example estimateNoiseSd(simulatedWithSigma10).value; // ≈ 10 (within 5 % in the tests)
 */
export function estimateNoiseSd(image: ImageView, plane = 0): Quantity {
  const [, ny, nx] = image.shape;
  if (nx < MIN_SIDE_PX || ny < MIN_SIDE_PX) {
    throw new DimensionError(`Noise estimation needs a plane of at least ${MIN_SIDE_PX}×${MIN_SIDE_PX} px; got ${nx}×${ny}.`, "Use a larger image.");
  }
  const d = image.data;
  const off = plane * nx * ny;
  // Pixels at least 2 px from the border carry a 5×5 box sum b and the Immerkær residual r. Neither is stored for the
  // whole plane (no full-size temporaries): pass 1 histograms b; pass 2 keeps r where b falls below the bin holding
  // the 25 % quantile of b, and (b, r) pairs inside that bin until the exact quantile is selected. The kernel sums to 0,
  // so for white noise r is uncorrelated with the 5×5 mean that selects it: the selection does not bias σ.
  const total = (nx - 4) * (ny - 4);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = off; i < off + nx * ny; i++) {
    const v = d[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const boxLo = BOX_PIXELS * lo;
  const binScale = hi > lo ? (NOISE_HISTOGRAM_BINS - 1) / (BOX_PIXELS * (hi - lo)) : 0;
  const colSum = new Float64Array(nx);
  const box = new Float64Array(nx);
  const hist = new Int32Array(NOISE_HISTOGRAM_BINS);
  for (let y = 2; y < ny - 2; y++) {
    boxSumsOfRow(d, off, nx, y, colSum, box);
    for (let x = 2; x < nx - 2; x++) hist[histogramBin(box[x], boxLo, binScale)]++;
  }
  const k = Math.floor(BACKGROUND_SELECT_FRACTION * (total - 1));
  let bin = 0;
  let below = 0;
  while (bin < NOISE_HISTOGRAM_BINS - 1 && below + hist[bin] <= k) below += hist[bin++];
  // Pass 2: residuals of the pixels in lower bins are kept; those in the quantile's bin are kept with their box sum
  // until the exact quantile is known.
  const inBox = new Float64Array(hist[bin]);
  const inRes = new Float32Array(hist[bin]);
  let r = new Float32Array(below + hist[bin]);
  let m = 0;
  let q = 0;
  for (let y = 2; y < ny - 2; y++) {
    boxSumsOfRow(d, off, nx, y, colSum, box);
    const row = off + y * nx;
    for (let x = 2; x < nx - 2; x++) {
      const j = histogramBin(box[x], boxLo, binScale);
      if (j > bin) continue;
      const res = immerkaerResidual(d, row + x, nx);
      if (j < bin) r[m++] = res;
      else {
        inBox[q] = box[x];
        inRes[q++] = res;
      }
    }
  }
  const threshold = selectInPlace(inBox.slice(), k - below);
  for (let t = 0; t < q; t++) if (inBox[t] <= threshold) r[m++] = inRes[t];
  r = r.subarray(0, m);
  if (m < MIN_NOISE_PIXELS) {
    // Too few background pixels (tiny plane): use every residual.
    r = new Float32Array(total);
    m = 0;
    for (let y = 2; y < ny - 2; y++) {
      const row = off + y * nx;
      for (let x = 2; x < nx - 2; x++) {
        r[m++] = immerkaerResidual(d, row + x, nx);
      }
    }
  }
  const med = medianInPlace(r);
  for (let i = 0; i < r.length; i++) r[i] = Math.abs(r[i] - med);
  const madv = medianInPlace(r);
  if (!(madv > 0)) {
    throw new InsufficientDataError("The noise residual is zero for most pixels: the image looks noise-free or constant.", "Noise cannot be estimated on synthetic or heavily processed images; use the raw data.");
  }
  const sigma = (MAD_TO_SD * madv) / IMMERKAER_NORM;
  // SE of a MAD-based σ for Gaussian data ≈ 1.1·σ/√N, N reduced ×(~2.6) for the correlation of overlapping 3×3 filters.
  const se = (1.65 * sigma) / Math.sqrt(2 * (r.length / 2.6));
  return quantity(sigma, se, "ADU");
}

/** Immerkær residual I ⊛ [1 −2 1; −2 4 −2; 1 −2 1] at pixel index i (not on the border). */
function immerkaerResidual(d: ImageView["data"], i: number, nx: number): number {
  return d[i - nx - 1] - 2 * d[i - nx] + d[i - nx + 1] - 2 * d[i - 1] + 4 * d[i] - 2 * d[i + 1] + d[i + nx - 1] - 2 * d[i + nx] + d[i + nx + 1];
}

/** Histogram bin of a box sum, clamped to [0, NOISE_HISTOGRAM_BINS − 1] (rounding can step just outside). */
function histogramBin(v: number, lo: number, scale: number): number {
  const j = Math.floor((v - lo) * scale);
  return j < 0 ? 0 : j >= NOISE_HISTOGRAM_BINS ? NOISE_HISTOGRAM_BINS - 1 : j;
}

/** 5×5 box sums of row y (x in [2, nx − 2)) into `out`, from column sums over rows y − 2 … y + 2 (`colSum` is scratch). */
function boxSumsOfRow(d: ImageView["data"], off: number, nx: number, y: number, colSum: Float64Array, out: Float64Array): void {
  const top = off + (y - 2) * nx;
  for (let x = 0; x < nx; x++) {
    const c = top + x;
    colSum[x] = d[c] + d[c + nx] + d[c + 2 * nx] + d[c + 3 * nx] + d[c + 4 * nx];
  }
  let b = colSum[0] + colSum[1] + colSum[2] + colSum[3] + colSum[4];
  out[2] = b;
  for (let x = 3; x < nx - 2; x++) {
    b += colSum[x + 2] - colSum[x - 3];
    out[x] = b;
  }
}

/** Median of `a` (mean of the two middle values for an even length), reordering `a` in place; linear time. */
function medianInPlace(a: Float32Array): number {
  const n = a.length;
  const upper = selectInPlace(a, n >> 1);
  if (n % 2) return upper;
  let lower = a[0];
  for (let i = 1; i < n >> 1; i++) if (a[i] > lower) lower = a[i];
  return 0.5 * (lower + upper);
}

/**
 * Robust background of one plane: the 10th percentile of the medians of 16×16-px tiles.
 * @param image - Image (ADU).
 * @param plane - Plane index. @default 0
 * @returns Background in ADU; uncertainty = spread (SD) of the tile medians below the 20th percentile / √count.
 */
export function estimateBackground(image: ImageView, plane = 0): Quantity {
  const [, ny, nx] = image.shape;
  const t = Math.max(4, Math.min(BACKGROUND_TILE_PX, Math.floor(Math.min(nx, ny) / 4)));
  const tx = Math.floor(nx / t);
  const ty = Math.floor(ny / t);
  const meds = new Float64Array(tx * ty);
  const buf = new Float32Array(t * t);
  const off = plane * nx * ny;
  for (let j = 0; j < ty; j++) {
    for (let i = 0; i < tx; i++) {
      let k = 0;
      for (let y = j * t; y < (j + 1) * t; y++) for (let x = i * t; x < (i + 1) * t; x++) buf[k++] = image.data[off + y * nx + x];
      meds[j * tx + i] = medianInPlace(buf);
    }
  }
  const [bg, p20] = percentiles(meds, [BACKGROUND_TILE_PERCENT, 2 * BACKGROUND_TILE_PERCENT]);
  let s = 0;
  let c = 0;
  for (const m of meds) if (m <= p20) {
    s += (m - bg) ** 2;
    c++;
  }
  return quantity(bg, c > 1 ? Math.sqrt(s / (c - 1) / c) : 0, "ADU");
}

/**
 * σ (ADU) predicted by the Poisson-Gaussian camera model at a mean level: √((I − offset)/K + (σ_read/K)²).
 * @param levelAdu - Mean level, ADU.
 * @param camera - Conversion gain (e⁻/ADU), offset (ADU), read noise (e⁻).
 * @returns σ in ADU.
 * @throws InvalidArgumentError for a non-positive gain or negative read noise.
 * @see EMVA 1288 Release 4.0, linear camera model.
 * @example poissonGaussianSdAdu(1100, { conversionGainEPerAdu: 1, offsetAdu: 100, readNoiseE: 2 }); // √1004 ≈ 31.69
 */
export function poissonGaussianSdAdu(levelAdu: number, camera: CameraNoiseModel): number {
  if (!(camera.conversionGainEPerAdu > 0) || !(camera.readNoiseE >= 0)) {
    throw new InvalidArgumentError(`Camera model has gain ${camera.conversionGainEPerAdu} e⁻/ADU and read noise ${camera.readNoiseE} e⁻; expected gain > 0 and read noise ≥ 0.`, "Take them from the WG2 detector record (conversionGainEPerAdu, readNoiseE, offsetAdu).");
  }
  const k = camera.conversionGainEPerAdu;
  return Math.sqrt(Math.max(0, levelAdu - camera.offsetAdu) / k + (camera.readNoiseE / k) ** 2);
}

/** Gaussian pre-smoothing of the focus score, px: keeps the PSF-scale detail, cuts the noise term ~30×. */
const FOCUS_SMOOTHING_PX = 1;

/** Σk² of the kernel "4-neighbour Laplacian of a sampled Gaussian(σ)": the noise-variance gain of the focus filter. */
function laplacianOfGaussianNoiseGain(sigmaPx: number): number {
  const g = gaussianKernel1D(sigmaPx);
  const r = (g.length - 1) / 2;
  const m = g.length + 2;
  const G = new Float64Array(m * m);
  for (let y = 0; y < g.length; y++) for (let x = 0; x < g.length; x++) G[(y + 1) * m + x + 1] = g[y] * g[x];
  let sum = 0;
  for (let y = 0; y < m; y++) {
    for (let x = 0; x < m; x++) {
      const at = (yy: number, xx: number): number => (yy < 0 || xx < 0 || yy >= m || xx >= m ? 0 : G[yy * m + xx]);
      const l = at(y - 1, x) + at(y + 1, x) + at(y, x - 1) + at(y, x + 1) - 4 * at(y, x);
      sum += l * l;
    }
  }
  return r >= 0 ? sum : LAPLACIAN_NOISE_GAIN;
}

/**
 * Focus score: noise-corrected normalised variance of the Laplacian of the image smoothed by a 1-px Gaussian,
 * (var(∇²(G⊛I)) − g·σ²)/mean(I)², clamped at 0, where g = Σk² of the combined kernel (0.16 for σ = 1 px).
 * @param image - Image (ADU).
 * @param plane - Plane index. @default 0
 * @param noiseSdAdu - Noise σ to remove (see estimateNoiseSd). @default 0
 * @returns Focus score (dimensionless; larger = sharper). Comparable between images of the same sample type only.
 * @throws DimensionError for planes smaller than 8×8 px; InsufficientDataError when the mean is ≤ 0.
 * Notes: white noise of variance σ² adds g·σ² to the variance; subtracting it makes the score insensitive to the
 * noise level, and the light smoothing shrinks that term (20σ² for the bare Laplacian) so that errors in σ do not
 * swamp the signal of strongly defocused images. Tested monotonic with defocus (scalar widefield PSF).
 * @see Pech-Pacheco J.L. et al., "Diatom autofocusing in brightfield microscopy: a comparative study", ICPR 2000, doi:10.1109/ICPR.2000.903548; Groen F.C.A. et al., Cytometry 6:81 (1985).
 */
export function focusScore(image: ImageView, plane = 0, noiseSdAdu = 0): number {
  const [, ny, nx] = image.shape;
  if (nx < MIN_SIDE_PX || ny < MIN_SIDE_PX) throw new DimensionError(`Focus score needs at least ${MIN_SIDE_PX}×${MIN_SIDE_PX} px; got ${nx}×${ny}.`, "Use a larger image.");
  const b = Math.min(Math.ceil(4 * FOCUS_SMOOTHING_PX) + 1, Math.floor(Math.min(nx, ny) / 2) - 1);
  const g = gaussianKernel1D(FOCUS_SMOOTHING_PX);
  const r = (g.length - 1) / 2;
  let s = 0;
  let s2 = 0;
  let sum = 0;
  let n = 0;
  if (b >= r + 1) {
    // Streamed: three blurred rows at a time, each from 2r + 1 raw rows; every tap lies inside the plane, so no
    // full-size blurred copy and no edge handling (same values as gaussianBlur, whose edges are never reached).
    const off = plane * nx * ny;
    const x0 = b - 1;
    const x1 = nx - b + 1;
    const v = new Float64Array(nx);
    let prev = new Float64Array(nx);
    let cur = new Float64Array(nx);
    let next = new Float64Array(nx);
    blurredRow(image.data, off, nx, b - 1, g, v, prev, x0, x1);
    blurredRow(image.data, off, nx, b, g, v, cur, x0, x1);
    for (let y = b; y < ny - b; y++) {
      blurredRow(image.data, off, nx, y + 1, g, v, next, x0, x1);
      for (let x = b; x < nx - b; x++) {
        const c = cur[x];
        const l = prev[x] + next[x] + cur[x - 1] + cur[x + 1] - 4 * c;
        s += l;
        s2 += l * l;
        sum += c;
        n++;
      }
      const t = prev;
      prev = cur;
      cur = next;
      next = t;
    }
  } else {
    // Planes under 12 px: the kernel reaches the edge; use the clamped-edge blur.
    const planeView: ImageView = { data: image.data.subarray(plane * nx * ny, (plane + 1) * nx * ny), shape: [1, ny, nx] };
    const d = gaussianBlur(planeView, [0, FOCUS_SMOOTHING_PX, FOCUS_SMOOTHING_PX]).data;
    for (let y = b; y < ny - b; y++) {
      for (let x = b; x < nx - b; x++) {
        const i = y * nx + x;
        const l = d[i - nx] + d[i + nx] + d[i - 1] + d[i + 1] - 4 * d[i];
        s += l;
        s2 += l * l;
        sum += d[i];
        n++;
      }
    }
  }
  const mean = sum / n;
  if (!(mean > 0)) throw new InsufficientDataError(`Mean intensity is ${mean}; the focus score needs a positive mean.`, "Subtract no more than the background, or check the image.");
  const v = s2 / n - (s / n) ** 2 - laplacianOfGaussianNoiseGain(FOCUS_SMOOTHING_PX) * noiseSdAdu * noiseSdAdu;
  return Math.max(0, v) / (mean * mean);
}

/**
 * Row y of the plane blurred by the separable kernel g (length 2r + 1), for x in [x0, x1): vertical pass into `v`
 * (scratch, x in [x0 − r, x1 + r)), then horizontal pass into `out`. The caller guarantees every tap is inside the plane.
 */
function blurredRow(d: ImageView["data"], off: number, nx: number, y: number, g: Float64Array, v: Float64Array, out: Float64Array, x0: number, x1: number): void {
  const r = (g.length - 1) / 2;
  const v0 = x0 - r;
  const v1 = x1 + r;
  // The kernel is symmetric (g[j] = g[2r − j]): fold the pairs of taps to halve the multiplications.
  const centre = off + y * nx;
  const wc = g[r];
  for (let x = v0; x < v1; x++) v[x] = wc * d[centre + x];
  for (let j = 0; j < r; j++) {
    const w = g[j];
    const above = centre - (r - j) * nx;
    const below = centre + (r - j) * nx;
    for (let x = v0; x < v1; x++) v[x] += w * (d[above + x] + d[below + x]);
  }
  for (let x = x0; x < x1; x++) {
    let acc = wc * v[x];
    for (let j = 0; j < r; j++) acc += g[j] * (v[x - r + j] + v[x + r - j]);
    out[x] = acc;
  }
}

/** Criteria of the per-image rating. */
export type QualityCriterion = "saturation" | "dynamicRange" | "snr" | "sampling" | "focus" | "resolution";

/** Weights per criterion (0 = not rated). Presets in {@link QUALITY_WEIGHT_PRESETS}. */
export type QualityWeights = Readonly<Record<QualityCriterion, number>>;

/** Weight presets per experiment type (limiqc defaults, no published standard). */
export const QUALITY_WEIGHT_PRESETS: Readonly<Record<"default" | "quantitative-intensity" | "localisation" | "screening", QualityWeights>> = {
  default: { saturation: 1, dynamicRange: 1, snr: 1, sampling: 1, focus: 1, resolution: 0.5 },
  "quantitative-intensity": { saturation: 3, dynamicRange: 2, snr: 2, sampling: 0.5, focus: 1, resolution: 0 },
  localisation: { saturation: 1, dynamicRange: 0.5, snr: 3, sampling: 3, focus: 1, resolution: 1 },
  screening: { saturation: 1, dynamicRange: 0.5, snr: 1, sampling: 0, focus: 3, resolution: 0 },
};

/** Options of {@link assessImageQuality}. */
export interface ImageQualityOptions {
  /** Optics for the sampling check (modality, NA, immersion index, wavelengths nm). @default none (sampling "not rated") */
  readonly optics?: OpticalSetup;
  /** Camera model for the Poisson-Gaussian noise prediction and photon-based SNR. @default none */
  readonly camera?: CameraNoiseModel;
  /** Criterion weights. @default QUALITY_WEIGHT_PRESETS.default */
  readonly weights?: Partial<QualityWeights>;
  /** Saturated-pixel fraction (%) at or above which "fail"; any saturated pixel is "warn". @default 0.1 */
  readonly maxSaturatedPercent?: number;
  /** SNR below which "fail" / "warn". @default [3, 10] */
  readonly snrLimits?: readonly [fail: number, warn: number];
  /** Effective bits below which "fail" / "warn". @default [4, 6] */
  readonly bitsLimits?: readonly [fail: number, warn: number];
  /** Run decorrelation analysis (slowest step, ~0.1–1 s per Mpx). @default true */
  readonly decorrelation?: boolean;
}

/** Result of one criterion. */
export interface QualityCheck {
  readonly criterion: QualityCriterion;
  readonly level: VerdictLevel | "not-rated";
  readonly weight: number;
  readonly reason: string;
}

/** Quality of one channel. */
export interface ChannelQuality {
  readonly channel: number;
  readonly name?: string;
  /** Plane used for noise, focus and decorrelation (the sharpest plane of a stack). */
  readonly plane: number;
  /** Value counted as saturated (2^bitDepth − 1 or the type maximum), ADU. */
  readonly saturationAdu: number;
  /** Exact fraction of pixels at or above saturationAdu, % (uncertainty 0: a count). */
  readonly saturatedPercent: Quantity;
  /** Exact fraction of pixels at the type's minimum (0 for unsigned), % — clipping at the bottom. */
  readonly zeroClippedPercent: Quantity;
  /** log2(P99.9 − P0.1 + 1): bits of the intensity range actually used. */
  readonly effectiveBits: Quantity;
  /** (P99.9 − P0.1)/saturationAdu, %. */
  readonly rangeUsedPercent: Quantity;
  readonly noise: NoiseEstimate;
  /** Signal level: 99th percentile, ADU. */
  readonly signalAdu: Quantity;
  /** (signal − background)/σ; with a camera model, photon SNR S/√(S + B + σ_read²) in electrons. */
  readonly snr: Quantity;
  readonly focusScore: Quantity;
  readonly sampling: SamplingReport | null;
  /** Decorrelation resolution, µm (px without calibration); null when not resolved or not run. */
  readonly resolution: Quantity | null;
  readonly resolutionStatus: string;
  readonly checks: readonly QualityCheck[];
  /** Weighted score 0–100 (pass 1, warn 0.5, fail 0). */
  readonly score: number;
  readonly verdict: Verdict;
}

/** Result of {@link assessImageQuality}. */
export interface ImageQualityResult {
  readonly channels: readonly ChannelQuality[];
  readonly verdict: Verdict;
  readonly score: number;
  readonly options: object;
  readonly provenance: Provenance;
}


/**
 * WG10 image-quality assessment of one or more channels of an image.
 * @param channels - One ImageView per channel (2D or 3D; ADU).
 * @param options - Optics, camera model, weights and limits.
 * @returns Per-channel metrics, checks and a weighted rating; overall verdict = worst channel.
 * @throws InvalidArgumentError for no channels or invalid limits/weights; DimensionError for planes < 8×8 px.
 * Notes: saturation counts the whole stack; noise, SNR, focus and decorrelation use the sharpest plane
 * (highest focus score). The focus score is reported but rated only in batches (relative to the batch median),
 * since its absolute value depends on the sample. Decorrelation failures are recorded as the status, not thrown.
 * Limits are limiqc defaults: QUAREP WG10 has no published thresholds.
 * @see Descloux A. et al., Nat Methods 16:918 (2019) (decorrelation); Immerkær J. (1996) (noise).
 */
export function assessImageQuality(channels: readonly ImageView[], options: ImageQualityOptions = {}): ImageQualityResult {
  if (channels.length === 0) throw new InvalidArgumentError("assessImageQuality got no channels.", "Pass at least one ImageView (e.g. from openImageFile(...).readChannels()).");
  const weights: QualityWeights = { ...QUALITY_WEIGHT_PRESETS.default, ...(options.weights ?? {}) };
  for (const [k, w] of Object.entries(weights)) {
    if (!(Number.isFinite(w) && w >= 0)) throw new InvalidArgumentError(`Weight of ${k} is ${w}; expected a number ≥ 0.`, "Use 0 to switch a criterion off.");
  }
  const o = {
    maxSaturatedPercent: options.maxSaturatedPercent ?? 0.1,
    snrLimits: options.snrLimits ?? ([3, 10] as const),
    bitsLimits: options.bitsLimits ?? ([4, 6] as const),
    decorrelation: options.decorrelation ?? true,
    weights,
    optics: options.optics ?? null,
    camera: options.camera ?? null,
  };
  if (o.snrLimits[0] > o.snrLimits[1] || o.bitsLimits[0] > o.bitsLimits[1]) {
    throw new InvalidArgumentError(`Limits must be [fail, warn] with fail ≤ warn; got snr [${o.snrLimits}], bits [${o.bitsLimits}].`, "E.g. snrLimits: [3, 10].");
  }
  const result = channels.map((img, c) => assessChannel(img, c, o));
  let worst = result[0];
  for (const r of result) if (VERDICT_RANK[r.verdict.level] > VERDICT_RANK[worst.verdict.level]) worst = r;
  const score = result.reduce((a, r) => a + r.score, 0) / result.length;
  return {
    channels: result,
    verdict: { level: worst.verdict.level, reason: result.length > 1 ? `Channel ${worst.channel}${worst.name ? ` (${worst.name})` : ""}: ${worst.verdict.reason}` : worst.verdict.reason },
    score,
    options: o,
    provenance: makeProvenance("assessImageQuality", o),
  };
}

interface Resolved {
  maxSaturatedPercent: number;
  snrLimits: readonly [number, number];
  bitsLimits: readonly [number, number];
  decorrelation: boolean;
  weights: QualityWeights;
  optics: OpticalSetup | null;
  camera: CameraNoiseModel | null;
}

function assessChannel(img: ImageView, c: number, o: Resolved): ChannelQuality {
  const [nz, ny, nx] = img.shape;
  if (nx < MIN_SIDE_PX || ny < MIN_SIDE_PX) throw new DimensionError(`Channel ${c} is ${nx}×${ny} px; image quality needs at least ${MIN_SIDE_PX}×${MIN_SIDE_PX}.`, "Use a larger image.");
  const d = img.data;
  const satAdu = saturationValue(img);
  let sat = 0;
  let zero = 0;
  const isUnsigned = d instanceof Uint8Array || d instanceof Uint16Array || d instanceof Uint32Array;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v >= satAdu) sat++;
    else if (isUnsigned && v === 0) zero++;
  }
  const n = d.length;
  const saturatedPercent = quantity((100 * sat) / n, 0, "%");
  const zeroClippedPercent = quantity((100 * zero) / n, 0, "%");
  const [lo, hi, p99] = percentiles(img, [RANGE_LOW_PERCENT, RANGE_HIGH_PERCENT, SIGNAL_PERCENT]);
  const effectiveBits = quantity(Math.log2(Math.max(0, hi - lo) + 1), 0, "1");
  const rangeUsedPercent = quantity(Number.isFinite(satAdu) ? (100 * (hi - lo)) / satAdu : 100, 0, "%");
  // sharpest plane
  let plane = 0;
  if (nz > 1) {
    let best = -1;
    for (let z = 0; z < nz; z++) {
      const f = safeFocus(img, z, 0);
      if (f > best) {
        best = f;
        plane = z;
      }
    }
  }
  const noiseSd = estimateNoiseSd(img, plane);
  const bg = estimateBackground(img, plane);
  const modelNoise = o.camera ? quantity(poissonGaussianSdAdu(bg.value, o.camera), 0, "ADU") : null;
  const noise: NoiseEstimate = { backgroundAdu: bg, noiseSdAdu: noiseSd, modelNoiseSdAdu: modelNoise, method: "immerkaer-mad" };
  const planeView: ImageView = { ...img, data: d.subarray(plane * nx * ny, (plane + 1) * nx * ny), shape: [1, ny, nx] };
  const signal = nz === 1 ? p99 : (percentiles(planeView, [SIGNAL_PERCENT])[0] ?? p99);
  const signalAdu = quantity(signal, 0, "ADU");
  let snrValue: number;
  if (o.camera) {
    const k = o.camera.conversionGainEPerAdu;
    const sE = Math.max(0, signal - bg.value) * k;
    const bE = Math.max(0, bg.value - o.camera.offsetAdu) * k;
    snrValue = sE / Math.sqrt(sE + bE + o.camera.readNoiseE ** 2 || 1);
  } else snrValue = Math.max(0, signal - bg.value) / noiseSd.value;
  const snr = quantity(snrValue, snrValue * (noiseSd.uncertainty / noiseSd.value), "1");
  const focus = quantity(safeFocus(img, plane, noiseSd.value), 0, "1");
  let sampling: SamplingReport | null = null;
  let samplingNote = "No optics given (NA, immersion index, wavelength, modality): sampling not rated.";
  if (o.optics && img.voxelSizeUm) {
    try {
      const v = img.voxelSizeUm;
      sampling = samplingReport(nz > 1 ? [v[0], v[1], v[2]] : [v[1], v[2]], o.optics);
    } catch (e) {
      if (!(e instanceof LimiqcError)) throw e;
      samplingNote = `Sampling not rated: ${e.message.split("\n")[0]}`;
    }
  } else if (o.optics) samplingNote = "The image has no pixel size: sampling not rated.";
  let resolution: Quantity | null = null;
  let resolutionStatus = "not run";
  if (o.decorrelation) {
    if (nx < MIN_DECORRELATION_SIDE_PX || ny < MIN_DECORRELATION_SIDE_PX) resolutionStatus = `not run: ${nx}×${ny} px is below ${MIN_DECORRELATION_SIDE_PX}×${MIN_DECORRELATION_SIDE_PX}`;
    else {
      try {
        const v = img.voxelSizeUm;
        const dec = measureDecorrelation({ data: planeView.data, shape: [1, ny, nx], ...(v && Math.abs(v[1] - v[2]) <= 1e-6 * v[2] ? { voxelSizeUm: v } : {}) });
        resolution = dec.resolution;
        resolutionStatus = dec.status;
      } catch (e) {
        if (!(e instanceof LimiqcError)) throw e;
        resolutionStatus = `failed: ${e.message.split("\n")[0]}`;
      }
    }
  }
  const w = o.weights;
  const checks: QualityCheck[] = [];
  const satLevel: VerdictLevel = saturatedPercent.value >= o.maxSaturatedPercent ? "fail" : sat > 0 ? "warn" : "pass";
  checks.push({
    criterion: "saturation",
    level: satLevel,
    weight: w.saturation,
    reason: sat > 0 ? `${sat} pixels (${saturatedPercent.value.toPrecision(3)} %) at ≥ ${satAdu} ADU${satLevel === "fail" ? `; limit ${o.maxSaturatedPercent} %` : ""}. Lower exposure/laser power or detector gain.` : `No pixel at the saturation value ${Number.isFinite(satAdu) ? satAdu : "∞"} ADU.`,
  });
  const bits = effectiveBits.value;
  checks.push({
    criterion: "dynamicRange",
    level: bits < o.bitsLimits[0] ? "fail" : bits < o.bitsLimits[1] ? "warn" : "pass",
    weight: w.dynamicRange,
    reason: `Intensity range P0.1–P99.9 spans ${bits.toFixed(1)} bits (${rangeUsedPercent.value.toFixed(1)} % of the detector range)${bits < o.bitsLimits[1] ? `; below ${o.bitsLimits[1]} bits: raise exposure or gain` : ""}.`,
  });
  checks.push({
    criterion: "snr",
    level: snrValue < o.snrLimits[0] ? "fail" : snrValue < o.snrLimits[1] ? "warn" : "pass",
    weight: w.snr,
    reason: `SNR ${snrValue.toFixed(1)} (signal P99 ${signal.toFixed(0)} ADU, background ${bg.value.toFixed(0)} ADU, noise σ ${noiseSd.value.toPrecision(3)} ADU); limits fail < ${o.snrLimits[0]}, warn < ${o.snrLimits[1]}.`,
  });
  checks.push(
    sampling
      ? { criterion: "sampling", level: sampling.level, weight: w.sampling, reason: sampling.verdict.reason }
      : { criterion: "sampling", level: "not-rated", weight: w.sampling, reason: samplingNote },
  );
  checks.push({ criterion: "focus", level: "not-rated", weight: w.focus, reason: `Focus score ${focus.value.toPrecision(3)}: rated relative to other images in a batch.` });
  checks.push({ criterion: "resolution", level: "not-rated", weight: w.resolution, reason: resolution ? `Decorrelation resolution ${resolution.value.toPrecision(3)} ${resolution.unit} (${resolutionStatus}).` : `Decorrelation: ${resolutionStatus}.` });
  if (resolution && sampling) {
    const theoryNm = sampling.nyquist.lateralNm * 2; // ≈ λ/(2NA) widefield
    const ratio = (resolution.value * 1000) / theoryNm;
    const last = checks.length - 1;
    checks[last] = {
      criterion: "resolution",
      level: ratio > 2 ? "fail" : ratio > 1.5 ? "warn" : "pass",
      weight: w.resolution,
      reason: `Decorrelation resolution ${resolution.value.toPrecision(3)} µm is ${ratio.toFixed(2)}× λ/(2NA) = ${(theoryNm / 1000).toPrecision(3)} µm (expected ≈ 1.14× for a perfect image; warn > 1.5×, fail > 2×).`,
    };
  }
  return finishChannel({ channel: c, name: img.channel?.name, plane, saturationAdu: satAdu, saturatedPercent, zeroClippedPercent, effectiveBits, rangeUsedPercent, noise, signalAdu, snr, focusScore: focus, sampling, resolution, resolutionStatus, checks });
}

function safeFocus(img: ImageView, plane: number, sd: number): number {
  try {
    return focusScore(img, plane, sd);
  } catch (e) {
    if (e instanceof InsufficientDataError) return 0;
    throw e;
  }
}

/**
 * Score and verdict from a channel's checks (exported for the batch, which adds the relative focus check).
 * @param ch - Channel quality without score/verdict (or with stale ones).
 * @returns The channel with `score` (0–100) and `verdict` (worst rated criterion with weight > 0).
 */
export function finishChannel(ch: Omit<ChannelQuality, "score" | "verdict">): ChannelQuality {
  const rated = ch.checks.filter((k) => k.level !== "not-rated" && k.weight > 0);
  const wsum = rated.reduce((a, k) => a + k.weight, 0);
  const score = wsum > 0 ? (100 * rated.reduce((a, k) => a + k.weight * (k.level === "pass" ? 1 : k.level === "warn" ? 0.5 : 0), 0)) / wsum : 100;
  let worst: QualityCheck | undefined;
  for (const k of rated) if (!worst || VERDICT_RANK[k.level as VerdictLevel] > VERDICT_RANK[worst.level as VerdictLevel]) worst = k;
  const level: VerdictLevel = (worst?.level as VerdictLevel | undefined) ?? "pass";
  const bad = rated.filter((k) => k.level !== "pass");
  const reason = level === "pass" ? `All rated criteria pass (score ${score.toFixed(0)}/100).` : `${bad.map((k) => `${k.criterion} ${k.level}`).join(", ")} (score ${score.toFixed(0)}/100): ${worst?.reason ?? ""}`;
  return { ...ch, score, verdict: { level, reason } };
}
