/**
 * Fourier ring correlation (FRC): image resolution from two independent images of the same field, or from one
 * image split into its two checkerboard halves.
 * @module
 */
import { DimensionError, InsufficientDataError, InvalidArgumentError } from "../core/errors.js";
import { makeProvenance, type Provenance, sha256 } from "../core/provenance.js";
import { type Quantity, quantity } from "../core/quantity.js";
import { fft2d } from "../image/fft.js";
import { checkImage } from "../image/internal.js";
import { type ImageView, makeImage } from "../image/types.js";
import { type LineSeries, linePlot, type PlotlyFigure, type ReferenceLine } from "../notebook/plotly.js";

// ---------------------------------------------------------------------------------------------
// Shared helpers (also used by decorrelation.ts)

/** A spatial frequency with its standard uncertainty; cycles/µm when the pixel size is known, else cycles/px. */
export interface SpatialFrequency {
  readonly value: number;
  readonly uncertainty: number;
  readonly unit: "cycles/um" | "cycles/px";
}

/** Smallest image side, px, the image-based resolution analyses accept. */
export const MIN_RESOLUTION_IMAGE_SIDE_PX = 32;
/** Relative difference between pixel sizes above which they count as different. */
const PIXEL_SIZE_RTOL = 0.01;

/**
 * Checks that an image is a finite, non-constant 2D plane of at least `minSidePx` per side.
 *
 * @param image - The image to check.
 * @param what - Name of the calling function, used in messages.
 * @param minSidePx - Smallest accepted width and height, px.
 * @returns [ny, nx].
 * @throws DimensionError when the image is a stack, its shape does not match its data, or a side is below `minSidePx`.
 * @throws InvalidArgumentError when a pixel is NaN or infinite.
 * @throws InsufficientDataError when every pixel has the same value.
 *
 * Notes: shared by {@link measureFrc}, {@link measureSingleImageFrc} and the decorrelation analysis.
 * @see measureFrc
 */
export function checkResolutionImage(image: ImageView, what: string, minSidePx: number = MIN_RESOLUTION_IMAGE_SIDE_PX): [number, number] {
  checkImage(image, what);
  const [nz, ny, nx] = image.shape;
  if (nz !== 1) {
    throw new DimensionError(
      `${what}: needs a 2D image but got a stack of ${nz} planes (shape [${image.shape.join(", ")}]).`,
      "Analyse one plane (extractPlane) or a projection (project).",
    );
  }
  if (nx < minSidePx || ny < minSidePx) {
    throw new DimensionError(
      `${what}: the image is ${nx} × ${ny} px; at least ${minSidePx} × ${minSidePx} px are needed.`,
      "Use a larger field of view: Fourier-based resolution needs many frequency rings (256 × 256 px or more is typical).",
    );
  }
  const d = image.data;
  const first = d[0]!;
  let varies = false;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (!Number.isFinite(v)) {
      throw new InvalidArgumentError(
        `${what}: pixel ${i} (x ${i % nx}, y ${Math.floor(i / nx)}) is ${v}; every pixel must be finite.`,
        "Replace NaN/infinite pixels (e.g. by the image median) or crop them away before the analysis.",
      );
    }
    if (v !== first) varies = true;
  }
  if (!varies) {
    throw new InsufficientDataError(
      `${what}: every pixel of the ${nx} × ${ny} px image equals ${first}; there is no structure to measure.`,
      "Check the acquisition (shutter, laser, focus) and analyse an image of a structured sample.",
    );
  }
  return [ny, nx];
}

/**
 * The pixel size [dy, dx] in µm for an image-based resolution analysis, or null when it is unknown.
 *
 * @param image - The image; its voxelSizeUm [dz, dy, dx] is used when `overrideUm` is not given.
 * @param overrideUm - Explicit pixel size, µm (square pixels), taking precedence over the image's calibration.
 * @param what - Name of the calling function, used in messages.
 * @returns [dy, dx] in µm, or null (the analysis then works in pixels).
 * @throws InvalidArgumentError when `overrideUm` is not a finite positive number.
 *
 * Notes: a missing or non-positive calibration gives null rather than an error, so an analysis can still
 * report a resolution in pixels.
 * @see measureFrc
 */
export function resolvePixelSizeUm(image: ImageView, overrideUm: number | undefined, what: string): [number, number] | null {
  if (overrideUm !== undefined) {
    if (!(Number.isFinite(overrideUm) && overrideUm > 0)) {
      throw new InvalidArgumentError(`${what}: pixelSizeUm is ${overrideUm}; expected a finite number > 0 (µm).`, "Give the pixel size in µm, or omit it to use the image's calibration.");
    }
    return [overrideUm, overrideUm];
  }
  const v = image.voxelSizeUm;
  if (v && Number.isFinite(v[1]) && Number.isFinite(v[2]) && v[1] > 0 && v[2] > 0) return [v[1], v[2]];
  return null;
}

/**
 * Mean-subtracted, edge-apodised copy of a 2D image: (x − m)·w(x)·w(y) with a separable raised-cosine edge
 * taper of `taperPx` pixels on each side and m the window-weighted mean (so the result sums to 0).
 *
 * @param image - A checked 2D image (see {@link checkResolutionImage}).
 * @param taperPx - Width of the cosine taper on each side, px (0: no apodisation); clamped to half the side.
 * @returns A Float32 image of the same shape (Float32 halves the memory the FFT input needs; its 7 significant
 *   digits are far below any image noise).
 *
 * Notes: the window is 1 in the middle and ½(1 − cos(π(i + ½)/taperPx)) over the first `taperPx` pixels
 * (mirrored at the far edge), i.e. a Tukey window with α = 2·taperPx/N. Removing the weighted mean first means the
 * window pulls the edges to zero without creating a step, so neither the image borders (periodic wrap of the
 * FFT) nor zero padding add spurious high frequencies.
 * @see Harris, "On the use of windows for harmonic analysis with the discrete Fourier transform", Proc. IEEE 66:51 (1978), doi:10.1109/PROC.1978.10837.
 */
export function apodiseImage(image: ImageView, taperPx: number): ImageView<Float32Array> {
  const [, ny, nx] = image.shape;
  const wx = taperWindow(nx, taperPx);
  const wy = taperWindow(ny, taperPx);
  const d = image.data;
  let sw = 0;
  let swx = 0;
  for (let y = 0; y < ny; y++) {
    const row = y * nx;
    const wyy = wy[y]!;
    for (let x = 0; x < nx; x++) {
      const w = wyy * wx[x]!;
      sw += w;
      swx += w * d[row + x]!;
    }
  }
  const mean = swx / sw;
  const out = new Float32Array(nx * ny);
  for (let y = 0; y < ny; y++) {
    const row = y * nx;
    const wyy = wy[y]!;
    for (let x = 0; x < nx; x++) out[row + x] = (d[row + x]! - mean) * wyy * wx[x]!;
  }
  return makeImage(out, [1, ny, nx]);
}

function taperWindow(n: number, taperPx: number): Float64Array {
  const w = new Float64Array(n).fill(1);
  const t = Math.min(Math.floor(taperPx), Math.floor(n / 2));
  for (let i = 0; i < t; i++) {
    const v = 0.5 * (1 - Math.cos((Math.PI * (i + 0.5)) / t));
    w[i] = v;
    w[n - 1 - i] = v;
  }
  return w;
}

function nextPow2(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}

// ---------------------------------------------------------------------------------------------
// FRC

/** The threshold that defines the FRC resolution. */
export type FrcThreshold = "fixed" | "half-bit";

/** How the two images of an FRC were obtained. */
export type FrcMethod = "two-image" | "checkerboard";

/** Fixed FRC threshold 1/7 ≈ 0.1429 (Nieuwenhuizen et al. 2013). */
export const FRC_FIXED_THRESHOLD: number = 1 / 7;

/**
 * Half-bit FRC threshold of van Heel & Schatz (2005) for a ring of n independent samples.
 *
 * @param n - Number of (effective) Fourier samples in the ring, > 0.
 * @returns T(n) = (0.2071 + 1.9102/√n) / (1.2071 + 0.9102/√n); tends to 0.1716 for large n, 1 at n = 1.
 * @throws InvalidArgumentError when n is not a finite number > 0.
 *
 * Notes: the curve for two half data sets ("information split"), as used for two independent images.
 * @see van Heel & Schatz, "Fourier shell correlation threshold criteria", J Struct Biol 151:250 (2005), doi:10.1016/j.jsb.2005.05.009.
 * @example
 * halfBitThreshold(10000); // ≈ 0.1860
 */
export function halfBitThreshold(n: number): number {
  if (!(Number.isFinite(n) && n > 0)) {
    throw new InvalidArgumentError(`halfBitThreshold: n = ${n}; expected a finite number of ring samples > 0.`, "Pass the number of Fourier samples in the ring.");
  }
  const s = 1 / Math.sqrt(n);
  return (0.2071 + 1.9102 * s) / (1.2071 + 0.9102 * s);
}

/** Options of {@link measureFrc} and {@link measureSingleImageFrc}. */
export interface FrcOptions {
  /** Pixel size (square pixels), µm; overrides the images' calibration. @default the images' voxelSizeUm (else results in pixels) */
  readonly pixelSizeUm?: number;
  /**
   * Tukey window parameter α: the fraction of each side inside the cosine tapers (α/2 at each edge); 1 is a Hann
   * window. 0 disables apodisation (the edge step then adds a spurious correlation at all frequencies). Smaller α
   * keeps more of the field but leaks more of the strong low-frequency signal outwards (at α = 0.1 the resolution of
   * a high-SNR image read up to 40 % too small in the tests). @default 0.5
   */
  readonly tukeyAlpha?: number;
  /** Ring width in multiples of the fundamental frequency step 1/(field extent along the longer side). @default 1 */
  readonly ringWidthSteps?: number;
  /**
   * Width of the centred moving average applied to the FRC curve before the crossings are searched, rings (odd;
   * 1 = no smoothing); the raw curve is kept too. Smoothing steadies a noisy curve but moves the crossing of a
   * steep drop outwards by up to half the window. @default 1
   */
  readonly smoothingRings?: number;
  /** Threshold that defines the headline `resolution`; both crossings are always reported. @default "fixed" */
  readonly threshold?: FrcThreshold;
}

/** Options with every default filled in. */
export interface ResolvedFrcOptions {
  readonly pixelSizeUm: number | null;
  readonly tukeyAlpha: number;
  readonly ringWidthSteps: number;
  readonly smoothingRings: number;
  readonly threshold: FrcThreshold;
}

/** The FRC curve, ring by ring (plain arrays, JSON-ready). */
export interface FrcCurve {
  /** Ring centre frequencies, in `frequencyUnit`. */
  readonly frequency: number[];
  readonly frequencyUnit: "cycles/um" | "cycles/px";
  /** FRC after smoothing (the curve the crossings use). */
  readonly frc: number[];
  /** FRC before smoothing. */
  readonly frcRaw: number[];
  /** Effective number of independent Fourier samples per ring n_q (see the Notes of {@link measureFrc}). */
  readonly ringSamples: number[];
  /** The fixed threshold 1/7. */
  readonly fixedThreshold: number;
  /** The half-bit threshold T(n_q) per ring. */
  readonly halfBitThreshold: number[];
}

/** Where the FRC curve falls below one threshold. */
export interface FrcCrossing {
  readonly threshold: FrcThreshold;
  /**
   * "crossed": the curve fell below the threshold; "nyquist-limited": it stayed above up to the highest analysed
   * frequency, so the resolution is at most (≤) `limit` and set by the sampling; "no-correlation": it was below
   * the threshold already within the lowest rings, so the images share no measurable structure.
   */
  readonly status: "crossed" | "nyquist-limited" | "no-correlation";
  /** Crossing frequency (linear interpolation between rings); null unless crossed. */
  readonly frequency: SpatialFrequency | null;
  /** Resolution 1/frequency, µm (px without pixel size); null unless crossed. */
  readonly resolution: Quantity | null;
  /** Period of the highest analysed frequency, 1/q_max (2 pixels; 2√2 pixels for the checkerboard split): the best resolution this sampling can report. */
  readonly limit: Quantity;
  /** One sentence for a report. */
  readonly summary: string;
}

/** Result of {@link measureFrc} / {@link measureSingleImageFrc}. */
export interface FrcResult {
  readonly method: FrcMethod;
  /** Resolution at the selected threshold (options.threshold); null when that crossing is not "crossed". */
  readonly resolution: Quantity | null;
  /** Status of the selected threshold's crossing. */
  readonly status: FrcCrossing["status"];
  /** One sentence for a report, for the selected threshold. */
  readonly summary: string;
  readonly crossings: { readonly fixed: FrcCrossing; readonly halfBit: FrcCrossing };
  readonly curve: FrcCurve;
  /** [dy, dx] in µm, or null when the analysis ran in pixels. */
  readonly pixelSizeUm: readonly [number, number] | null;
  /** [ny, nx] of the input image(s), px. */
  readonly imageShapePx: readonly [number, number];
  readonly options: ResolvedFrcOptions;
  readonly provenance: Provenance;
}

/** Rings at or below this index do not count as a crossing ("no-correlation"). */
const MIN_CROSSING_RING = 3;
const DEFAULT_TUKEY_ALPHA = 0.5;

function resolveFrcOptions(o: FrcOptions, pixelSizeUm: number | null, what: string): Omit<ResolvedFrcOptions, "smoothingRings"> & { smoothingRings?: number } {
  const tukeyAlpha = o.tukeyAlpha ?? DEFAULT_TUKEY_ALPHA;
  const ringWidthSteps = o.ringWidthSteps ?? 1;
  const threshold = o.threshold ?? "fixed";
  if (!(Number.isFinite(tukeyAlpha) && tukeyAlpha >= 0 && tukeyAlpha <= 1)) {
    throw new InvalidArgumentError(`${what}: tukeyAlpha is ${tukeyAlpha}; expected a number in [0, 1].`, "0.5 tapers 25 % of each side; 0 disables apodisation.");
  }
  if (!(Number.isFinite(ringWidthSteps) && ringWidthSteps >= 0.5 && ringWidthSteps <= 16)) {
    throw new InvalidArgumentError(`${what}: ringWidthSteps is ${ringWidthSteps}; expected a number in [0.5, 16].`, "Use 1 (one frequency step per ring) unless the curve is too noisy.");
  }
  if (threshold !== "fixed" && threshold !== "half-bit") {
    throw new InvalidArgumentError(`${what}: threshold "${threshold}" is not supported; expected "fixed" or "half-bit".`, 'Use "fixed" (1/7) or "half-bit".');
  }
  if (o.smoothingRings !== undefined && !(Number.isInteger(o.smoothingRings) && o.smoothingRings >= 1 && o.smoothingRings % 2 === 1)) {
    throw new InvalidArgumentError(`${what}: smoothingRings is ${o.smoothingRings}; expected an odd integer ≥ 1.`, "Use 1 for no smoothing, or omit it for about 2 % of the curve.");
  }
  return { pixelSizeUm, tukeyAlpha, ringWidthSteps, threshold, ...(o.smoothingRings !== undefined ? { smoothingRings: o.smoothingRings } : {}) };
}

/** Linear map from FFT indices (k1, k2) to physical frequency: fx = a·k1 + b·k2, fy = c·k1 + d·k2. */
interface FrequencyMap {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
}

interface RingSums {
  num: Float64Array;
  den1: Float64Array;
  den2: Float64Array;
  count: Float64Array;
}

/**
 * Accumulates Re(F1·F2*·e^{iφ}), |F1|², |F2|² and counts per ring. φ = π(k1·p1 + k2·p2) undoes a known shift of
 * image 2 (0 when p1 = p2 = 0).
 */
function accumulateRings(
  f1: Float64Array,
  f2: Float64Array,
  W: number,
  H: number,
  map: FrequencyMap,
  ringWidth: number,
  nRings: number,
  phase: { p1: number; p2: number },
): RingSums {
  const num = new Float64Array(nRings);
  const den1 = new Float64Array(nRings);
  const den2 = new Float64Array(nRings);
  const count = new Float64Array(nRings);
  const shifted = phase.p1 !== 0 || phase.p2 !== 0;
  const cos1 = new Float64Array(W);
  const sin1 = new Float64Array(W);
  for (let k = 0; k < W; k++) {
    const ks = k <= W / 2 ? k : k - W;
    cos1[k] = Math.cos(Math.PI * ks * phase.p1);
    sin1[k] = Math.sin(Math.PI * ks * phase.p1);
  }
  const invWidth = 1 / ringWidth;
  for (let k2 = 0; k2 < H; k2++) {
    const k2s = k2 <= H / 2 ? k2 : k2 - H;
    const fx0 = map.b * k2s;
    const fy0 = map.d * k2s;
    const c2 = Math.cos(Math.PI * k2s * phase.p2);
    const s2 = Math.sin(Math.PI * k2s * phase.p2);
    const row = 2 * k2 * W;
    for (let k1 = 0; k1 < W; k1++) {
      const k1s = k1 <= W / 2 ? k1 : k1 - W;
      const fx = fx0 + map.a * k1s;
      const fy = fy0 + map.c * k1s;
      const bin = Math.round(Math.sqrt(fx * fx + fy * fy) * invWidth);
      if (bin >= nRings) continue;
      const i = row + 2 * k1;
      const r1 = f1[i]!;
      const i1 = f1[i + 1]!;
      const r2 = f2[i]!;
      const i2 = f2[i + 1]!;
      // F1·conj(F2)
      let re = r1 * r2 + i1 * i2;
      if (shifted) {
        const im = i1 * r2 - r1 * i2;
        // e^{iφ} = e^{iφ1}·e^{iφ2}
        const cp = cos1[k1]! * c2 - sin1[k1]! * s2;
        const sp = sin1[k1]! * c2 + cos1[k1]! * s2;
        re = re * cp - im * sp;
      }
      num[bin] = num[bin]! + re;
      den1[bin] = den1[bin]! + r1 * r1 + i1 * i1;
      den2[bin] = den2[bin]! + r2 * r2 + i2 * i2;
      count[bin] = count[bin]! + 1;
    }
  }
  return { num, den1, den2, count };
}

function movingAverage(v: readonly number[], window: number, from: number): number[] {
  const out = v.slice();
  const h = (window - 1) >> 1;
  if (h === 0) return out;
  for (let i = from; i < v.length; i++) {
    const lo = Math.max(from, i - h);
    const hi = Math.min(v.length - 1, i + h);
    let s = 0;
    for (let j = lo; j <= hi; j++) s += v[j]!;
    out[i] = s / (hi - lo + 1);
  }
  return out;
}

interface CurveContext {
  readonly curve: FrcCurve;
  /** Highest analysed frequency (the sampling limit), in the curve's unit. */
  readonly qMax: number;
  readonly ringWidth: number;
  readonly smoothingRings: number;
  readonly lengthUnit: "um" | "px";
}

function fmt(v: number): string {
  return v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3);
}

function findCrossing(ctx: CurveContext, threshold: FrcThreshold): FrcCrossing {
  const { curve, ringWidth, smoothingRings, lengthUnit, qMax } = ctx;
  const n = curve.frc.length;
  const limit = quantity(1 / qMax, 0, lengthUnit);
  const unitText = lengthUnit === "um" ? "µm" : "px";
  const name = threshold === "fixed" ? "the fixed 1/7 threshold" : "the half-bit threshold";
  const t = (i: number): number => (threshold === "fixed" ? curve.fixedThreshold : curve.halfBitThreshold[i]!);
  let below = -1;
  for (let i = 1; i < n; i++) {
    if (curve.frc[i]! < t(i)) {
      below = i;
      break;
    }
  }
  if (below < 0) {
    return {
      threshold,
      status: "nyquist-limited",
      frequency: null,
      resolution: null,
      limit,
      summary: `FRC stays above ${name} up to the highest analysed frequency: resolution ≤ ${fmt(limit.value)} ${unitText}, limited by the pixel size (sampling), not by the optics or the noise.`,
    };
  }
  if (below <= MIN_CROSSING_RING) {
    return {
      threshold,
      status: "no-correlation",
      frequency: null,
      resolution: null,
      limit,
      summary: `FRC is below ${name} already at ring ${below} of ${n}: the two images share no measurable structure (pure noise, a different field, or a large shift between them).`,
    };
  }
  const i0 = below - 1;
  const d0 = curve.frc[i0]! - t(i0);
  const d1 = curve.frc[below]! - t(below);
  const q0 = curve.frequency[i0]!;
  const dq = curve.frequency[below]! - q0;
  const q = q0 + (dq * d0) / (d0 - d1);
  // ring quantisation (uniform over one ring) and the FRC's statistical scatter through the local slope
  const nq = curve.ringSamples[below]!;
  const fc = Math.max(-1, Math.min(1, t(below)));
  const sdFrc = (1 - fc * fc) / Math.sqrt(Math.max(1, nq * smoothingRings));
  const slope = Math.abs((d1 - d0) / dq);
  const sdQ = Math.sqrt((ringWidth * ringWidth) / 12 + (sdFrc / slope) ** 2);
  const freqUnit = curve.frequencyUnit;
  const frequency: SpatialFrequency = { value: q, uncertainty: sdQ, unit: freqUnit };
  const res = quantity(1 / q, sdQ / (q * q), lengthUnit);
  return {
    threshold,
    status: "crossed",
    frequency,
    resolution: res,
    limit,
    summary: `FRC resolution ${fmt(res.value)} ± ${fmt(res.uncertainty)} ${unitText} (${name} crossed at ${q.toPrecision(4)} ${freqUnit}).`,
  };
}

interface PreparedPair {
  readonly f1: Float64Array;
  readonly f2: Float64Array;
  readonly W: number;
  readonly H: number;
  readonly map: FrequencyMap;
  /** Highest ring frequency (physical units). */
  readonly qMax: number;
  /** Real (non-padding) samples / array size, for the effective ring counts. */
  readonly fillFraction: number;
  readonly phase: { p1: number; p2: number };
}

function frcFromPair(
  fn: string,
  method: FrcMethod,
  pair: PreparedPair,
  shape: readonly [number, number],
  pixel: [number, number] | null,
  opts: ReturnType<typeof resolveFrcOptions>,
  inputs: { sha256: string }[],
  notes: string[],
): FrcResult {
  const [ny, nx] = shape;
  const [dy, dx] = pixel ?? [1, 1];
  const extent = Math.max(nx * dx, ny * dy);
  const ringWidth = opts.ringWidthSteps / extent;
  const nRings = Math.floor(pair.qMax / ringWidth + 1e-9) + 1;
  const sums = accumulateRings(pair.f1, pair.f2, pair.W, pair.H, pair.map, ringWidth, nRings, pair.phase);
  const frequency: number[] = [];
  const frcRaw: number[] = [];
  const ringSamples: number[] = [];
  const half: number[] = [];
  for (let b = 0; b < nRings; b++) {
    frequency.push(b * ringWidth);
    const den = Math.sqrt(sums.den1[b]! * sums.den2[b]!);
    frcRaw.push(den > 0 ? sums.num[b]! / den : 0);
    const nEff = Math.max(1, sums.count[b]! * pair.fillFraction);
    ringSamples.push(nEff);
    half.push(halfBitThreshold(nEff));
  }
  const smoothingRings = opts.smoothingRings ?? 1;
  const frc = movingAverage(frcRaw, smoothingRings, 1);
  const curve: FrcCurve = {
    frequency,
    frequencyUnit: pixel ? "cycles/um" : "cycles/px",
    frc,
    frcRaw,
    ringSamples,
    fixedThreshold: FRC_FIXED_THRESHOLD,
    halfBitThreshold: half,
  };
  const ctx: CurveContext = { curve, qMax: pair.qMax, ringWidth, smoothingRings, lengthUnit: pixel ? "um" : "px" };
  const fixed = findCrossing(ctx, "fixed");
  const halfBit = findCrossing(ctx, "half-bit");
  const chosen = opts.threshold === "fixed" ? fixed : halfBit;
  if (!pixel) notes.push("No pixel size: frequencies are in cycles/px and resolutions in px.");
  const options: ResolvedFrcOptions = { ...opts, smoothingRings };
  return {
    method,
    resolution: chosen.resolution,
    status: chosen.status,
    summary: chosen.summary,
    crossings: { fixed, halfBit },
    curve,
    pixelSizeUm: pixel,
    imageShapePx: [ny, nx],
    options,
    provenance: makeProvenance(fn, options, inputs, notes),
  };
}

/**
 * Fourier ring correlation of two independent images of the same field, and the resolution at the 1/7 and
 * half-bit thresholds.
 *
 * @param image1 - First image (2D, shape [1, ny, nx]), any pixel type.
 * @param image2 - Second image of the same field with independent noise (same shape).
 * @param options - Pixel size, apodisation, ring width, smoothing and headline threshold, see {@link FrcOptions}.
 * @returns The FRC curve with both thresholds, the crossings (frequency in cycles/µm and resolution 1/q in µm, each
 *   with an uncertainty), the headline resolution and a one-line summary. Without a pixel size, cycles/px and px.
 * @throws DimensionError when an image is a stack, the shapes differ, or a side is below 32 px.
 * @throws InvalidArgumentError when the two pixel sizes differ by more than 1 %, a pixel is not finite, or an
 *   option is out of range.
 * @throws InsufficientDataError when an image is constant.
 *
 * Notes: FRC(q) = Re Σ_ring F1·F2* / √(Σ_ring|F1|² · Σ_ring|F2|²). Each image has its (window-weighted) mean
 * removed and is apodised with a separable Tukey window (α = 0.5: a cosine taper over 25 % of each side) before a
 * zero-padded power-of-two FFT. Rings have width Δ = 1/(field extent along the longer side) (× ringWidthSteps), in
 * physical frequency (rings stay circles for non-square images or pixels), up to the Nyquist frequency of the
 * coarser axis. n_q, the effective number of independent samples in a ring, is the number of FFT samples times
 * (pixels / padded FFT size), so zero padding does not inflate it (the window's loss of area is ignored, which makes
 * the half-bit threshold slightly lenient). The curve may be smoothed by a centred moving average (ring 0
 * excluded; off by default). The crossing is the first ring after ring 3 where the FRC is below the threshold,
 * interpolated linearly from the ring before; resolution = 1/q. A curve that never crosses is "nyquist-limited"
 * (resolution ≤ 2 pixels), one that is below the threshold within rings 1–3 "no-correlation"; neither gives a
 * number. Uncertainty: the ring quantisation Δ/√12 and the FRC's statistical scatter (1 − T²)/√(n_q·w)
 * (w = smoothing width) divided by the local slope of FRC − T, in quadrature, propagated to 1/q as σ_q/q².
 * What it measures: the frequency where the spectral SNR of the data falls to the threshold's level (SNR ≈ 1/6 for
 * 1/7); for an ideal widefield image at high SNR that is just below the OTF cutoff 2·NA/λ, so 1/q → λ/(2·NA).
 * Limitations: the window's spectral leakage carries very strong low-frequency signal a ring or so beyond the
 * cutoff, so at very high SNR the result can read optimistic by about one ring width (≈ 5 % when the cutoff lies
 * only 15–25 rings out, i.e. the field spans fewer than ~25 resolution elements; < 2 % beyond 40 rings in the
 * tests). Two images taken one after the other also see drift and bleaching: a shift s between them multiplies the
 * FRC by cos(2π·q·s) and worsens the result. The 1/7 threshold applies to two half data sets and gives the
 * resolution of their sum (Nieuwenhuizen et al.); the half-bit threshold is the van Heel & Schatz curve.
 * @see Nieuwenhuizen et al., "Measuring image resolution in optical nanoscopy", Nat Methods 10:557 (2013), doi:10.1038/nmeth.2448.
 * @see van Heel & Schatz, "Fourier shell correlation threshold criteria", J Struct Biol 151:250 (2005), doi:10.1016/j.jsb.2005.05.009.
 * @example
 * const { images, truth } = simulateResolutionImages({ widthPx: 512, seed: 1 });
 * const r = measureFrc(images[0], images[1]);
 * r.resolution?.value; // ≈ 0.20 µm = truth.abbeResolutionUm (λ/2NA) within 5 %
 */
export function measureFrc(image1: ImageView, image2: ImageView, options: FrcOptions = {}): FrcResult {
  const fn = "measureFrc";
  const s1 = checkResolutionImage(image1, fn);
  if (image2.shape[0] !== image1.shape[0] || image2.shape[1] !== image1.shape[1] || image2.shape[2] !== image1.shape[2]) {
    throw new DimensionError(
      `${fn}: the images differ in size: [${image1.shape.join(", ")}] and [${image2.shape.join(", ")}] ([nz, ny, nx]).`,
      "FRC compares two images of the same field: crop both to the same region (crop) before the analysis.",
    );
  }
  checkResolutionImage(image2, fn);
  const [ny, nx] = s1;
  const p1 = resolvePixelSizeUm(image1, options.pixelSizeUm, fn);
  const p2 = resolvePixelSizeUm(image2, options.pixelSizeUm, fn);
  if (p1 && p2 && (Math.abs(p1[0] - p2[0]) > PIXEL_SIZE_RTOL * p1[0] || Math.abs(p1[1] - p2[1]) > PIXEL_SIZE_RTOL * p1[1])) {
    throw new InvalidArgumentError(
      `${fn}: the images have different pixel sizes: [${p1.join(", ")}] and [${p2.join(", ")}] µm ([dy, dx]).`,
      "Both images must sample the same field identically; pass pixelSizeUm to override a wrong calibration.",
    );
  }
  const pixel = p1 ?? p2;
  const opts = resolveFrcOptions(options, pixel ? pixel[1] : null, fn);
  const taperX = (opts.tukeyAlpha * nx) / 2;
  const taperY = (opts.tukeyAlpha * ny) / 2;
  const taper = Math.min(taperX, taperY);
  const a1 = apodiseImage(image1, taper);
  const a2 = apodiseImage(image2, taper);
  const F1 = fft2d(a1);
  const F2 = fft2d(a2);
  const [dy, dx] = pixel ?? [1, 1];
  const pair: PreparedPair = {
    f1: F1.data,
    f2: F2.data,
    W: F1.width,
    H: F1.height,
    map: { a: 1 / (F1.width * dx), b: 0, c: 0, d: 1 / (F1.height * dy) },
    qMax: Math.min(1 / (2 * dx), 1 / (2 * dy)),
    fillFraction: (nx * ny) / (F1.width * F1.height),
    phase: { p1: 0, p2: 0 },
  };
  const notes: string[] = [];
  if (F1.width !== nx || F1.height !== ny) notes.push(`Zero-padded from ${nx} × ${ny} to ${F1.width} × ${F1.height} px for the FFT (after apodisation).`);
  return frcFromPair(fn, "two-image", pair, [ny, nx], pixel, opts, [{ sha256: sha256(image1.data) }, { sha256: sha256(image2.data) }], notes);
}

/**
 * Single-image Fourier ring correlation: the image is split into its two checkerboard halves (pixels with x + y
 * even, and odd), which carry independent noise, and their FRC gives the resolution.
 *
 * @param image - One image (2D), any pixel type, ≥ 64 px per side.
 * @param options - As {@link measureFrc}.
 * @returns As {@link measureFrc}, with method "checkerboard". The highest analysed frequency is the split's Nyquist
 *   limit 1/(2·√(dx² + dy²)) (1/(2√2·p) for square pixels p), so `limit` is 2√2 pixels.
 * @throws DimensionError when the image is a stack or a side is below 64 px.
 * @throws InvalidArgumentError when a pixel is not finite or an option is out of range.
 * @throws InsufficientDataError when the image is constant.
 *
 * Notes: each half is a quincunx lattice: rotated by 45° it is a square grid of pitch √2·p, transformed on its
 * own (the image is mean-subtracted and Tukey-apodised before the split, so the empty corners of the rotated grid
 * carry no edge). The odd half sits one pixel to the right of the even half; that shift is undone exactly in
 * Fourier space (phase e^{+2πi·fx·dx}), otherwise it would multiply the FRC by cos(2π·fx·dx). Frequencies are
 * computed in physical units on the rotated lattice, which is what the "√2 correction" of single-image FRC
 * tools (e.g. siFRC, applied to a frequency axis counted in sub-image pixels) stands for: no further factor
 * applies. The two halves are half data sets of the image, like two independent images are of their sum, so the
 * same thresholds apply and the result is the resolution of the whole image. Limitation: each half samples the
 * field with half the pixel density, so image content above 1/(2√2·p) aliases into the measured band with a sign
 * that anti-correlates the halves. The result is unbiased when the optical cutoff (2·NA/λ) is below
 * 1/(2√2·p) − i.e. the image is sampled at least √2 × finer than Nyquist (p ≤ λ/(4√2·NA)); for coarser sampling
 * it can read too pessimistic. Use two independent images (measureFrc) for Nyquist-sampled data.
 * @see Koho et al., "Fourier ring correlation simplifies image restoration in fluorescence microscopy", Nat Commun 10:3103 (2019), doi:10.1038/s41467-019-11024-z.
 * @see Nieuwenhuizen et al., Nat Methods 10:557 (2013), doi:10.1038/nmeth.2448.
 * @example
 * const { images } = simulateResolutionImages({ widthPx: 512, seed: 1 });
 * measureSingleImageFrc(images[0]).resolution?.value; // ≈ 0.20 µm (λ/2NA) within 10 %
 */
export function measureSingleImageFrc(image: ImageView, options: FrcOptions = {}): FrcResult {
  const fn = "measureSingleImageFrc";
  const [ny, nx] = checkResolutionImage(image, fn, 2 * MIN_RESOLUTION_IMAGE_SIDE_PX);
  const pixel = resolvePixelSizeUm(image, options.pixelSizeUm, fn);
  const opts = resolveFrcOptions(options, pixel ? pixel[1] : null, fn);
  const taper = Math.min((opts.tukeyAlpha * nx) / 2, (opts.tukeyAlpha * ny) / 2);
  const a = apodiseImage(image, taper).data;
  // quincunx halves on the rotated grid: u = (x + y)/2, v = (y − x)/2 + v0 (odd half: x − 1 in place of x)
  const v0 = Math.floor((nx - 1) / 2);
  const spanU = Math.floor((nx + ny - 2) / 2) + 1;
  const spanV = Math.floor(ny / 2) + v0 + 1;
  const Mu = nextPow2(spanU);
  const Mv = nextPow2(spanV);
  const even = new Float32Array(Mu * Mv);
  const odd = new Float32Array(Mu * Mv);
  for (let y = 0; y < ny; y++) {
    for (let x = 0; x < nx; x++) {
      const v = a[y * nx + x]!;
      if (((x + y) & 1) === 0) even[((y - x) / 2 + v0) * Mu + (x + y) / 2] = v;
      else odd[((y - x + 1) / 2 + v0) * Mu + (x + y - 1) / 2] = v;
    }
  }
  const Fe = fft2d(makeImage(even, [1, Mv, Mu]));
  const Fo = fft2d(makeImage(odd, [1, Mv, Mu]));
  const [dy, dx] = pixel ?? [1, 1];
  // f·a1 = ku/Mu, f·a2 = kv/Mv with lattice vectors a1 = (dx, dy) (u step), a2 = (−dx, dy) (v step)
  const pair: PreparedPair = {
    f1: Fe.data,
    f2: Fo.data,
    W: Mu,
    H: Mv,
    map: { a: 1 / (2 * Mu * dx), b: -1 / (2 * Mv * dx), c: 1 / (2 * Mu * dy), d: 1 / (2 * Mv * dy) },
    qMax: 1 / (2 * Math.sqrt(dx * dx + dy * dy)),
    fillFraction: (nx * ny) / 2 / (Mu * Mv),
    // odd half sampled at +dx: multiply its spectrum by e^{−2πi fx dx}, i.e. Fe·Fo*·e^{+iπ(ku/Mu − kv/Mv)}
    phase: { p1: 1 / Mu, p2: -1 / Mv },
  };
  const notes = [`Checkerboard split into two ${nx * ny / 2}-pixel quincunx halves, transformed as ${Mu} × ${Mv} rotated grids.`];
  return frcFromPair(fn, "checkerboard", pair, [ny, nx], pixel, opts, [{ sha256: sha256(image.data) }], notes);
}

/**
 * Plot of an FRC curve with its thresholds and crossings.
 *
 * @param result - A result of {@link measureFrc} or {@link measureSingleImageFrc}.
 * @returns A Plotly figure (pass it to showPlot): the FRC (and the unsmoothed curve when smoothing was applied),
 *   the half-bit threshold curve, the fixed 1/7 threshold as a horizontal line and the crossings as vertical lines.
 *
 * Notes: x is the spatial frequency in cycles/µm (cycles/px without pixel size); ring 0 (the mean) is left out.
 * @see measureFrc
 * @example
 * showPlot(frcCurvePlot(measureFrc(a, b)));
 */
export function frcCurvePlot(result: FrcResult): PlotlyFigure {
  const c = result.curve;
  const x = c.frequency.slice(1);
  const series: LineSeries[] = [{ x, y: c.frc.slice(1), name: result.options.smoothingRings > 1 ? `FRC (smoothed over ${result.options.smoothingRings} rings)` : "FRC" }];
  if (result.options.smoothingRings > 1) series.push({ x, y: c.frcRaw.slice(1), name: "FRC (raw)", dash: "dot" });
  series.push({ x, y: c.halfBitThreshold.slice(1), name: "half-bit threshold", dash: "dash" });
  const lengthUnit = c.frequencyUnit === "cycles/um" ? "µm" : "px";
  const vLines: ReferenceLine[] = [];
  for (const cr of [result.crossings.fixed, result.crossings.halfBit]) {
    if (cr.frequency && cr.resolution) {
      vLines.push({
        at: cr.frequency.value,
        label: `${cr.threshold === "fixed" ? "1/7" : "½-bit"}: ${fmt(cr.resolution.value)} ${lengthUnit}`,
        color: cr.threshold === "fixed" ? "#cf222e" : "#8250df",
      });
    }
  }
  const title = `Fourier ring correlation (${result.method === "checkerboard" ? "single image, checkerboard split" : "two images"})`;
  return linePlot(series, {
    title,
    xLabel: "Spatial frequency",
    xUnit: c.frequencyUnit === "cycles/um" ? "cycles/µm" : "cycles/px",
    yLabel: "FRC",
    hLines: [{ at: c.fixedThreshold, label: "1/7" }],
    vLines,
  });
}
