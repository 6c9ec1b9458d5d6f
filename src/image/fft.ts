/**
 * 2D Fourier transforms of images (via fft.js), power spectra, quadrant shifts and ring averages.
 * Building blocks for Fourier ring correlation and decorrelation analysis.
 */
import FFT from "fft.js";
import { DimensionError, InvalidArgumentError } from "../core/errors.js";
import { checkImage, sameTypeArray } from "./internal.js";
import type { ImageView, PixelArray } from "./types.js";

/** A 2D complex array: interleaved (re, im), row-major, element (ky, kx) at index 2·(ky·width + kx). */
export interface ComplexImage2D {
  readonly data: Float64Array;
  /** Number of columns. */
  readonly width: number;
  /** Number of rows. */
  readonly height: number;
}

/** The spectrum of a real image, with the size of the region it came from. */
export interface Spectrum2D extends ComplexImage2D {
  /** Columns of the input image before padding or cropping, px. */
  readonly sourceWidth: number;
  /** Rows of the input image before padding or cropping, px. */
  readonly sourceHeight: number;
  /** Column and row of the input that map to (0, 0) of the transformed block (non-zero only when cropping). */
  readonly offsetPx: { readonly x: number; readonly y: number };
}

/** How {@link fft2d} reaches power-of-two sizes. */
export type FftSizing = "pad" | "crop";

/** Options of {@link fft2d}. */
export interface Fft2dOptions {
  /**
   * "pad": zero-pad each dimension on the right/bottom to the next power of two (the image keeps all its
   * pixels; padding adds an edge step, so apodise first for spectral analysis). "crop": take the centred
   * block of the largest power of two that fits (drops up to half of each dimension). @default "pad"
   */
  sizing?: FftSizing;
}

/** Smallest transform length fft.js accepts. */
const MIN_FFT_SIZE = 2;

function nextPow2(n: number): number {
  let p = MIN_FFT_SIZE;
  while (p < n) p *= 2;
  return p;
}

function prevPow2(n: number): number {
  let p = MIN_FFT_SIZE;
  while (p * 2 <= n) p *= 2;
  return p;
}

/**
 * Forward 2D discrete Fourier transform of a real 2D image.
 *
 * @param image - A 2D image (shape [1, ny, nx]), any pixel type; NaN is not allowed.
 * @param options - How to reach power-of-two sizes, see {@link Fft2dOptions}.
 * @returns The full complex spectrum F(ky, kx) = Σ f(y, x)·exp(−2πi(kx·x/W + ky·y/H)) (unnormalised,
 *   zero frequency at index 0, standard FFT order), with W × H powers of two.
 * @throws DimensionError when the image is a stack (nz > 1) or its shape does not match its data.
 * @throws InvalidArgumentError when sizing is not "pad" or "crop".
 *
 * Notes: rows use fft.js `realTransform` + `completeSpectrum`, then only columns 0…W/2 are transformed;
 * the other half follows from Hermitian symmetry F(ky, W − kx) = conj F(H − ky, kx). Float64 throughout.
 * Dimensions that are not powers of two are zero-padded (default) or cropped, see {@link Fft2dOptions};
 * a dimension of 1 is padded to 2 either way. Spatial frequency of bin k is k/W cycles/px for k < W/2
 * and (k − W)/W above.
 * @see Cooley & Tukey, "An algorithm for the machine calculation of complex Fourier series", Math. Comp. 19:297 (1965); fft.js, https://github.com/indutny/fft.js
 * @example
 * fft2d(makeImage(new Float32Array([1, 2, 3, 4]), [1, 2, 2])).data; // Float64Array [10, 0, -2, 0, -4, 0, 0, 0]
 */
export function fft2d(image: ImageView, options: Fft2dOptions = {}): Spectrum2D {
  checkImage(image, "fft2d");
  const sizing = options.sizing ?? "pad";
  if (sizing !== "pad" && sizing !== "crop") {
    throw new InvalidArgumentError(`fft2d: sizing "${sizing}" is not supported; expected "pad" or "crop".`, 'Use "pad" to keep every pixel, "crop" to avoid the zero-padding edge.');
  }
  const [nz, ny, nx] = image.shape;
  if (nz !== 1) {
    throw new DimensionError(
      `fft2d: needs a 2D image but got a stack of ${nz} planes (shape [${image.shape.join(", ")}]).`,
      "Transform one plane (extractPlane) or a projection (project).",
    );
  }
  const W = sizing === "pad" || nx < MIN_FFT_SIZE ? nextPow2(nx) : prevPow2(nx);
  const H = sizing === "pad" || ny < MIN_FFT_SIZE ? nextPow2(ny) : prevPow2(ny);
  const ox = W <= nx ? (nx - W) >> 1 : 0;
  const oy = H <= ny ? (ny - H) >> 1 : 0;
  const usedW = Math.min(W, nx);
  const usedH = Math.min(H, ny);
  const out = new Float64Array(2 * W * H);
  const src = image.data;

  const rowFft = new FFT(W);
  const rowIn = new Float64Array(W);
  // dedicated output row (fft.js runs markedly slower when handed subarray views)
  const rowOut = new Float64Array(2 * W);
  for (let y = 0; y < usedH; y++) {
    const srcOff = (oy + y) * nx + ox;
    for (let x = 0; x < usedW; x++) rowIn[x] = src[srcOff + x]!;
    rowFft.realTransform(rowOut, rowIn);
    rowFft.completeSpectrum(rowOut);
    out.set(rowOut, 2 * y * W);
  }
  const half = W >> 1;
  transformColumns(out, W, H, half + 1, false);
  // Hermitian symmetry of a real input's spectrum fills the other half
  for (let ky = 0; ky < H; ky++) {
    const my = ky === 0 ? 0 : H - ky;
    for (let kx = half + 1; kx < W; kx++) {
      const i = 2 * (ky * W + kx);
      const j = 2 * (my * W + (W - kx));
      out[i] = out[j]!;
      out[i + 1] = -out[j + 1]!;
    }
  }
  return { data: out, width: W, height: H, sourceWidth: nx, sourceHeight: ny, offsetPx: { x: ox, y: oy } };
}

/** Columns gathered per block, so each row visit reads a whole cache line or more. */
const COLUMN_BLOCK = 8;

/** In-place complex FFT (or inverse) of columns 0…ncols−1 of a W×H interleaved complex array, in blocks of columns. */
function transformColumns(out: Float64Array, W: number, H: number, ncols: number, inverse: boolean): void {
  const colFft = new FFT(H);
  const colIn: Float64Array[] = [];
  const colOut: Float64Array[] = [];
  for (let b = 0; b < COLUMN_BLOCK; b++) {
    colIn.push(new Float64Array(2 * H));
    colOut.push(new Float64Array(2 * H));
  }
  for (let k0 = 0; k0 < ncols; k0 += COLUMN_BLOCK) {
    const nb = Math.min(COLUMN_BLOCK, ncols - k0);
    for (let y = 0; y < H; y++) {
      const base = 2 * (y * W + k0);
      for (let b = 0; b < nb; b++) {
        const c = colIn[b]!;
        c[2 * y] = out[base + 2 * b]!;
        c[2 * y + 1] = out[base + 2 * b + 1]!;
      }
    }
    for (let b = 0; b < nb; b++) {
      if (inverse) colFft.inverseTransform(colOut[b]!, colIn[b]!);
      else colFft.transform(colOut[b]!, colIn[b]!);
    }
    for (let y = 0; y < H; y++) {
      const base = 2 * (y * W + k0);
      for (let b = 0; b < nb; b++) {
        const c = colOut[b]!;
        out[base + 2 * b] = c[2 * y]!;
        out[base + 2 * b + 1] = c[2 * y + 1]!;
      }
    }
  }
}

function checkComplex(c: ComplexImage2D, what: string): void {
  const { width: W, height: H } = c;
  const ok = (n: number): boolean => Number.isInteger(n) && n >= MIN_FFT_SIZE && (n & (n - 1)) === 0;
  if (!ok(W) || !ok(H) || c.data.length !== 2 * W * H) {
    throw new DimensionError(
      `${what}: complex array of ${c.data.length} numbers with width ${W}, height ${H}; expected powers of two ≥ 2 and 2·width·height numbers.`,
      "Pass the output of fft2d (or an array of the same layout).",
    );
  }
}

/**
 * Inverse 2D discrete Fourier transform, normalised so that ifft2d(fft2d(f)) = f.
 *
 * @param spectrum - Complex array in standard FFT order (e.g. from {@link fft2d}), width and height powers of two.
 * @returns The complex result f(y, x) = (1/(W·H)) Σ F(ky, kx)·exp(+2πi(kx·x/W + ky·y/H)); for the spectrum of a
 *   real image the imaginary parts are rounding noise (≈1e-16 of the values), see {@link realPart}.
 * @throws DimensionError when width/height are not powers of two ≥ 2 or the data length does not match.
 *
 * Notes: full complex transform (no symmetry assumed), so filtered spectra that are not Hermitian work too.
 * The result has the padded size; crop it back to sourceWidth × sourceHeight if the input was padded.
 * @see fft2d
 * @example
 * realPart(ifft2d(fft2d(makeImage(new Float32Array([1, 2, 3, 4]), [1, 2, 2])))).data; // ≈ [1, 2, 3, 4]
 */
export function ifft2d(spectrum: ComplexImage2D): ComplexImage2D {
  checkComplex(spectrum, "ifft2d");
  const { width: W, height: H } = spectrum;
  const out = new Float64Array(spectrum.data);
  const rowFft = new FFT(W);
  const rowIn = new Float64Array(2 * W);
  const rowOut = new Float64Array(2 * W);
  for (let y = 0; y < H; y++) {
    rowIn.set(out.subarray(2 * y * W, 2 * (y + 1) * W));
    rowFft.inverseTransform(rowOut, rowIn);
    out.set(rowOut, 2 * y * W);
  }
  transformColumns(out, W, H, W, true);
  return { data: out, width: W, height: H };
}

/**
 * The real parts of a complex 2D array as an image.
 *
 * @param c - Complex array (e.g. from {@link ifft2d}).
 * @returns ImageView<Float64Array> of shape [1, height, width].
 * @throws DimensionError when the data length is not 2·width·height.
 *
 * Notes: no voxel size is attached (the caller knows whether this is back in real space).
 * @see ifft2d
 * @example
 * realPart({ data: Float64Array.of(1, 9, 2, 9), width: 2, height: 1 }).data; // Float64Array [1, 2]
 */
export function realPart(c: ComplexImage2D): ImageView<Float64Array> {
  checkLength(c, "realPart");
  const n = c.width * c.height;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = c.data[2 * i]!;
  return { data: out, shape: [1, c.height, c.width] };
}

function checkLength(c: ComplexImage2D, what: string): void {
  if (!(Number.isInteger(c.width) && Number.isInteger(c.height) && c.width >= 1 && c.height >= 1 && c.data.length === 2 * c.width * c.height)) {
    throw new DimensionError(
      `${what}: complex array of ${c.data.length} numbers with width ${c.width}, height ${c.height}; expected 2·width·height numbers.`,
      "Pass the output of fft2d/ifft2d (interleaved re, im).",
    );
  }
}

/**
 * Power spectrum |F|² of a complex 2D array.
 *
 * @param spectrum - Complex array (e.g. from {@link fft2d}).
 * @returns ImageView<Float64Array> of shape [1, height, width], same (unshifted) order as the input.
 * @throws DimensionError when the data length is not 2·width·height.
 *
 * Notes: unnormalised; by Parseval Σ|F|² = W·H·Σ f² for the unnormalised forward transform.
 * @see fftShift, radialAverage
 * @example
 * powerSpectrum({ data: Float64Array.of(3, 4), width: 1, height: 1 }).data; // Float64Array [25]
 */
export function powerSpectrum(spectrum: ComplexImage2D): ImageView<Float64Array> {
  checkLength(spectrum, "powerSpectrum");
  const n = spectrum.width * spectrum.height;
  const d = spectrum.data;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const re = d[2 * i]!;
    const im = d[2 * i + 1]!;
    out[i] = re * re + im * im;
  }
  return { data: out, shape: [1, spectrum.height, spectrum.width] };
}

function shift2d<T extends PixelArray | Float64Array>(data: T, w: number, h: number, comps: number, sx: number, sy: number): T {
  const out = sameTypeArray(data as PixelArray, data.length) as T;
  for (let y = 0; y < h; y++) {
    const ty = (y + sy) % h;
    for (let x = 0; x < w; x++) {
      const tx = (x + sx) % w;
      const from = (y * w + x) * comps;
      const to = (ty * w + tx) * comps;
      for (let c = 0; c < comps; c++) out[to + c] = data[from + c]!;
    }
  }
  return out;
}

function shiftAny<T extends ComplexImage2D | ImageView>(x: T, what: string, inverse: boolean): T {
  if ("shape" in x) {
    checkImage(x, what);
    const [nz, h, w] = x.shape;
    if (nz !== 1) {
      throw new DimensionError(`${what}: needs a 2D image but got ${nz} planes.`, "Shift one plane at a time (extractPlane).");
    }
    const sx = inverse ? Math.ceil(w / 2) : Math.floor(w / 2);
    const sy = inverse ? Math.ceil(h / 2) : Math.floor(h / 2);
    return { ...x, data: shift2d(x.data, w, h, 1, sx, sy) };
  }
  checkLength(x, what);
  const sx = inverse ? Math.ceil(x.width / 2) : Math.floor(x.width / 2);
  const sy = inverse ? Math.ceil(x.height / 2) : Math.floor(x.height / 2);
  return { ...x, data: shift2d(x.data, x.width, x.height, 2, sx, sy) };
}

/**
 * Moves the zero frequency to the centre: element (0, 0) goes to (⌊H/2⌋, ⌊W/2⌋), as numpy.fft.fftshift.
 *
 * @param x - A 2D real image (e.g. {@link powerSpectrum}) or a complex array (e.g. {@link fft2d}).
 * @returns A shifted copy of the same kind and pixel type.
 * @throws DimensionError when a real image is a stack or a complex array's length does not match.
 *
 * Notes: for odd sizes use {@link ifftShift} to undo it; for even sizes both are the same swap of quadrants.
 * @see numpy.fft.fftshift, https://numpy.org/doc/stable/reference/generated/numpy.fft.fftshift.html
 * @example
 * fftShift(makeImage(new Float64Array([0, 1, 2]), [1, 1, 3])).data; // Float64Array [2, 0, 1]
 */
export function fftShift<T extends ComplexImage2D | ImageView>(x: T): T {
  return shiftAny(x, "fftShift", false);
}

/**
 * Inverse of {@link fftShift}: moves the centre element back to (0, 0), as numpy.fft.ifftshift.
 *
 * @param x - A 2D real image or a complex array, as returned by fftShift.
 * @returns A shifted copy of the same kind and pixel type.
 * @throws DimensionError when a real image is a stack or a complex array's length does not match.
 *
 * Notes: identical to fftShift for even sizes.
 * @see numpy.fft.ifftshift, https://numpy.org/doc/stable/reference/generated/numpy.fft.ifftshift.html
 * @example
 * ifftShift(makeImage(new Float64Array([2, 0, 1]), [1, 1, 3])).data; // Float64Array [0, 1, 2]
 */
export function ifftShift<T extends ComplexImage2D | ImageView>(x: T): T {
  return shiftAny(x, "ifftShift", true);
}

/** Options of {@link radialAverage}. */
export interface RadialAverageOptions {
  /** Ring width, cycles/px. @default 1 / max(width, height) (one frequency step along the longer axis) */
  binWidthCyclesPerPx?: number;
  /** Largest ring centre, cycles/px; rings beyond are not reported (corners of the spectrum are dropped). @default 0.5 (Nyquist) */
  maxFrequencyCyclesPerPx?: number;
  /** Whether the input has been through {@link fftShift} (zero frequency at (⌊H/2⌋, ⌊W/2⌋)). @default false */
  centred?: boolean;
  /** "mean" per ring, or "sum" (for Fourier ring correlation numerators and denominators). @default "mean" */
  statistic?: "mean" | "sum";
}

/** Ring-binned values of a 2D spectrum. */
export interface RadialProfile {
  /** Ring centre frequencies, cycles/px: 0, Δ, 2Δ, … */
  readonly frequencyCyclesPerPx: Float64Array;
  /** Mean (or sum) of the values in each ring; 0 for an empty ring. */
  readonly values: Float64Array;
  /** Number of spectrum elements in each ring. */
  readonly counts: Uint32Array;
}

/**
 * Averages (or sums) a 2D spectrum over rings of equal spatial frequency.
 *
 * @param spectrum - A real 2D array in spectrum layout (e.g. {@link powerSpectrum}), shape [1, H, W], any pixel type.
 * @param options - Ring width, maximum frequency, layout and statistic, see {@link RadialAverageOptions}.
 * @returns Ring centres in cycles/px with the per-ring mean (or sum) and element counts.
 * @throws DimensionError when the input is a stack or its shape does not match its data.
 * @throws InvalidArgumentError when the ring width or maximum frequency is not positive, or statistic is unknown.
 *
 * Notes: element (ky, kx) has frequency (fx, fy) = (kx/W, ky/H) cycles/px with indices above half the
 * size wrapped to negative frequencies, radius f = √(fx² + fy²), and goes to ring round(f/Δ). With the
 * default Δ = 1/max(W, H) no ring up to Nyquist is empty. Non-square spectra are handled in physical
 * frequency (cycles/px), so rings stay circles. Multiply by 1/pixel size for cycles/µm.
 * @see Nieuwenhuizen et al., "Measuring image resolution in optical nanoscopy", Nat Methods 10:557 (2013), doi:10.1038/nmeth.2448.
 * @example
 * radialAverage(makeImage(new Float64Array(16).fill(1), [1, 4, 4])).counts; // Uint32Array [1, 8, 6] (rings 0, 1/4, 1/2; corners beyond Nyquist dropped)
 */
export function radialAverage(spectrum: ImageView, options: RadialAverageOptions = {}): RadialProfile {
  checkImage(spectrum, "radialAverage");
  const [nz, H, W] = spectrum.shape;
  if (nz !== 1) {
    throw new DimensionError(`radialAverage: needs a 2D spectrum but got ${nz} planes.`, "Pass one plane's spectrum (powerSpectrum(fft2d(plane))).");
  }
  const delta = options.binWidthCyclesPerPx ?? 1 / Math.max(W, H);
  const fMax = options.maxFrequencyCyclesPerPx ?? 0.5;
  const statistic = options.statistic ?? "mean";
  if (!(Number.isFinite(delta) && delta > 0) || !(Number.isFinite(fMax) && fMax > 0)) {
    throw new InvalidArgumentError(
      `radialAverage: binWidthCyclesPerPx = ${delta}, maxFrequencyCyclesPerPx = ${fMax}; both must be finite and > 0.`,
      "Omit them for one ring per frequency step up to Nyquist (0.5 cycles/px).",
    );
  }
  if (statistic !== "mean" && statistic !== "sum") {
    throw new InvalidArgumentError(`radialAverage: statistic "${statistic}" is not supported; expected "mean" or "sum".`, 'Use "sum" for FRC numerators/denominators.');
  }
  const nBins = Math.floor(fMax / delta + 1e-9) + 1;
  const sums = new Float64Array(nBins);
  const counts = new Uint32Array(nBins);
  const cx = options.centred ? Math.floor(W / 2) : 0;
  const cy = options.centred ? Math.floor(H / 2) : 0;
  const d = spectrum.data;
  for (let y = 0; y < H; y++) {
    let ky = y - cy;
    if (!options.centred && ky > H / 2) ky -= H;
    const fy = ky / H;
    for (let x = 0; x < W; x++) {
      let kx = x - cx;
      if (!options.centred && kx > W / 2) kx -= W;
      const fx = kx / W;
      const b = Math.round(Math.sqrt(fx * fx + fy * fy) / delta);
      if (b >= nBins) continue;
      sums[b] = sums[b]! + d[y * W + x]!;
      counts[b]!++;
    }
  }
  const frequencyCyclesPerPx = new Float64Array(nBins);
  for (let b = 0; b < nBins; b++) {
    frequencyCyclesPerPx[b] = b * delta;
    if (statistic === "mean" && counts[b]! > 0) sums[b] = sums[b]! / counts[b]!;
  }
  return { frequencyCyclesPerPx, values: sums, counts };
}
