/**
 * Decorrelation analysis (Descloux, Grußmayer & Radenovic 2019): image resolution from a single image, without
 * a second acquisition or a threshold.
 * @module
 */
import { InvalidArgumentError } from "../core/errors.js";
import { makeProvenance, type Provenance, sha256 } from "../core/provenance.js";
import { type Quantity, quantity } from "../core/quantity.js";
import { fft2d } from "../image/fft.js";
import type { ImageView } from "../image/types.js";
import { type LineSeries, linePlot, type PlotlyFigure, type ReferenceLine } from "../notebook/plotly.js";
import { apodiseImage, checkResolutionImage, resolvePixelSizeUm, type SpatialFrequency } from "./frc.js";

/** Options of {@link measureDecorrelation}. */
export interface DecorrelationOptions {
  /** Pixel size (square pixels), µm; overrides the image's calibration. @default the image's voxelSizeUm (else results in pixels) */
  readonly pixelSizeUm?: number;
  /** Number of radii r sampled in [0, 1] per decorrelation curve (Nr). @default 50 */
  readonly radiusSamples?: number;
  /** Number of high-pass filtered repetitions per refinement pass (Ng). @default 10 */
  readonly highPassFilters?: number;
  /** Width of the cosine edge apodisation, px (ImDecorr apodImRect). @default 20 */
  readonly apodizationPx?: number;
  /** Peaks with amplitude A below this are discarded. @default 0.05 */
  readonly minAmplitude?: number;
}

/** Options with every default filled in. */
export interface ResolvedDecorrelationOptions {
  readonly pixelSizeUm: number | null;
  readonly radiusSamples: number;
  readonly highPassFilters: number;
  readonly apodizationPx: number;
  readonly minAmplitude: number;
}

/** One decorrelation curve d(r) and its peak. */
export interface DecorrelationCurve {
  /** 0: unfiltered (d0); 1: first pass; 2: refined second pass. */
  readonly pass: 0 | 1 | 2;
  /** High-pass width g of the filter 1 − exp(−2·g²·r²) (ImDecorr's parameter, in pixels); null for d0. */
  readonly highPassWidth: number | null;
  /** Normalised radii r (1 = Nyquist). */
  readonly radius: number[];
  /** d(r). */
  readonly d: number[];
  /** Peak position r (k_c); 0 when the curve has no peak. */
  readonly kc: number;
  /** Peak amplitude A; 0 when the curve has no peak. */
  readonly amplitude: number;
  /** Whether the peak counts (A ≥ minAmplitude and a peak exists). */
  readonly kept: boolean;
}

/** Result of {@link measureDecorrelation}. */
export interface DecorrelationResult {
  /**
   * "resolved": a significant peak below Nyquist was found; "nyquist-limited": the highest peak sits at the top of
   * the sampled range, so the resolution is at most (≤) `limit`; "no-signal": no curve has a peak with A ≥ minAmplitude.
   */
  readonly status: "resolved" | "nyquist-limited" | "no-signal";
  /** k_c,max: the highest peak position over all curves, normalised frequency (1 = Nyquist); 0 for "no-signal". */
  readonly kcMax: Quantity;
  /** k_c of the curve that maximises the geometric mean √(k_c·A) (ImDecorr kcGM); 0 for "no-signal". */
  readonly kcGM: Quantity;
  /** k_c,max as a spatial frequency, k_c,max / (2·pixel size): cycles/µm (cycles/px without pixel size). */
  readonly cutoffFrequency: SpatialFrequency;
  /** Resolution 2·pixel size / k_c,max, µm (px without pixel size); null unless "resolved". */
  readonly resolution: Quantity | null;
  /** Resolution from kcGM, 2·pixel size / kcGM; null unless "resolved". */
  readonly resolutionGM: Quantity | null;
  /** A0: amplitude of the unfiltered curve's peak, an SNR proxy in [0, 1] (0 when it has none). */
  readonly a0: Quantity;
  /** The smallest period the sampling allows, 2 pixels. */
  readonly limit: Quantity;
  /** One sentence for a report. */
  readonly summary: string;
  /** Every curve: d0, the first pass and the refined pass. */
  readonly curves: DecorrelationCurve[];
  /** [dy, dx] in µm, or null when the analysis ran in pixels. */
  readonly pixelSizeUm: readonly [number, number] | null;
  /** [ny, nx] of the input, px. */
  readonly imageShapePx: readonly [number, number];
  readonly options: ResolvedDecorrelationOptions;
  readonly provenance: Provenance;
}

/** Smallest rise of a peak above the minimum to its right that counts (ImDecorr's numerical-noise guard). */
const PEAK_SIGNIFICANCE = 0.001;
/** Smallest high-pass width g of the first pass (ImDecorr). */
const MIN_HIGH_PASS_WIDTH = 0.15;
/** Second-pass radius range around the best k_c of the first pass: [k_c − 0.05, k_c + 0.3] (ImDecorr). */
const REFINE_BELOW = 0.05;
const REFINE_ABOVE = 0.3;
/** Fine radial bins per unit radius, per pixel of the longer FFT side. */
const FINE_BINS_PER_PX = 2;
/** A peak within this many steps of the first pass's radius grid (1/(Nr − 1)) below r = 1 counts as Nyquist-limited. */
const NYQUIST_STEPS = 2;
const PIXEL_SIZE_RTOL = 0.01;

function resolveOptions(o: DecorrelationOptions, pixelSizeUm: number | null): ResolvedDecorrelationOptions {
  const r: ResolvedDecorrelationOptions = {
    pixelSizeUm,
    radiusSamples: o.radiusSamples ?? 50,
    highPassFilters: o.highPassFilters ?? 10,
    apodizationPx: o.apodizationPx ?? 20,
    minAmplitude: o.minAmplitude ?? 0.05,
  };
  const what = "measureDecorrelation";
  if (!(Number.isInteger(r.radiusSamples) && r.radiusSamples >= 30 && r.radiusSamples <= 1000)) {
    throw new InvalidArgumentError(`${what}: radiusSamples is ${r.radiusSamples}; expected an integer in [30, 1000].`, "Use 50 (Descloux et al.).");
  }
  if (!(Number.isInteger(r.highPassFilters) && r.highPassFilters >= 5 && r.highPassFilters <= 100)) {
    throw new InvalidArgumentError(`${what}: highPassFilters is ${r.highPassFilters}; expected an integer in [5, 100].`, "Use 10 (Descloux et al.).");
  }
  if (!(Number.isFinite(r.apodizationPx) && r.apodizationPx >= 0)) {
    throw new InvalidArgumentError(`${what}: apodizationPx is ${r.apodizationPx}; expected a number ≥ 0 (px).`, "Use 20 px (ImDecorr); 0 disables the edge apodisation.");
  }
  if (!(Number.isFinite(r.minAmplitude) && r.minAmplitude >= 0 && r.minAmplitude < 1)) {
    throw new InvalidArgumentError(`${what}: minAmplitude is ${r.minAmplitude}; expected a number in [0, 1).`, "Use 0.05 (Descloux et al.).");
  }
  return r;
}

/** Spectrum magnitudes binned finely by normalised radius: Σ|I|, Σ|I|², Σr and counts per bin. */
interface RadialMagnitudes {
  readonly nBins: number;
  readonly sumAbs: Float64Array;
  readonly sumSq: Float64Array;
  readonly meanR: Float64Array;
  readonly count: Float64Array;
}

function binMagnitudes(spec: Float64Array, W: number, H: number): RadialMagnitudes {
  const nBins = FINE_BINS_PER_PX * Math.max(W, H);
  const sumAbs = new Float64Array(nBins);
  const sumSq = new Float64Array(nBins);
  const sumR = new Float64Array(nBins);
  const count = new Float64Array(nBins);
  for (let ky = 0; ky < H; ky++) {
    // normalised radius: frequency / Nyquist (0.5 cycles/px) per axis
    const ry = (2 * (ky <= H / 2 ? ky : ky - H)) / H;
    const ry2 = ry * ry;
    if (ry2 >= 1) continue;
    const row = 2 * ky * W;
    for (let kx = 0; kx < W; kx++) {
      const rx = (2 * (kx <= W / 2 ? kx : kx - W)) / W;
      const r2 = rx * rx + ry2;
      if (r2 >= 1) continue;
      const re = spec[row + 2 * kx]!;
      const im = spec[row + 2 * kx + 1]!;
      const p = re * re + im * im;
      // I/|I| is undefined where I = 0 (ImDecorr sets it to 0): such samples are left out
      if (p === 0) continue;
      const r = Math.sqrt(r2);
      const b = Math.floor(r * nBins);
      sumAbs[b] = sumAbs[b]! + Math.sqrt(p);
      sumSq[b] = sumSq[b]! + p;
      sumR[b] = sumR[b]! + r;
      count[b] = count[b]! + 1;
    }
  }
  const meanR = new Float64Array(nBins);
  for (let b = 0; b < nBins; b++) meanR[b] = count[b]! > 0 ? sumR[b]! / count[b]! : (b + 0.5) / nBins;
  return { nBins, sumAbs, sumSq, meanR, count };
}

/**
 * d(r) = Σ_{|k|<r} Re(I_f·conj(I/|I|)) / (‖I_f‖·√N_r) = Σ_{|k|<r} |I|·w / (√(Σ_{|k|<1} |I|²·w²)·√N_r), with I_f = I·w the
 * high-pass-filtered spectrum (w = 1 − exp(−2g²r²), or 1 for d0) and N_r the number of samples inside radius r.
 */
function decorrelationCurve(m: RadialMagnitudes, radii: readonly number[], g: number | null): number[] {
  const { nBins, sumAbs, sumSq, meanR, count } = m;
  const cumAbs = new Float64Array(nBins + 1);
  const cumN = new Float64Array(nBins + 1);
  let norm2 = 0;
  const k = g === null ? 0 : -2 * g * g;
  for (let b = 0; b < nBins; b++) {
    const r = meanR[b]!;
    const w = g === null ? 1 : 1 - Math.exp(k * r * r);
    cumAbs[b + 1] = cumAbs[b]! + sumAbs[b]! * w;
    cumN[b + 1] = cumN[b]! + count[b]!;
    norm2 += sumSq[b]! * w * w;
  }
  const norm = Math.sqrt(norm2);
  return radii.map((r) => {
    // bins whose centre lies inside r
    const nb = Math.max(0, Math.min(nBins, Math.round(r * nBins)));
    const n = cumN[nb]!;
    return n > 0 && norm > 0 ? cumAbs[nb]! / (norm * Math.sqrt(n)) : 0;
  });
}

/**
 * Peak of a decorrelation curve: the global maximum if it is not the last sample; otherwise the highest sample that
 * is followed (to its right) by a drop of more than 0.001. Returns index −1 when there is none.
 */
function curvePeak(d: readonly number[]): { index: number; amplitude: number } {
  const n = d.length;
  let best = 0;
  for (let i = 1; i < n; i++) if (d[i]! > d[best]!) best = i;
  if (best < n - 1 && d[best]! > 0) return { index: best, amplitude: d[best]! };
  // minimum of d to the right of each sample, inclusive
  const minRight = new Float64Array(n);
  minRight[n - 1] = d[n - 1]!;
  for (let i = n - 2; i >= 0; i--) minRight[i] = Math.min(d[i]!, minRight[i + 1]!);
  let idx = -1;
  for (let i = 0; i < n - 1; i++) {
    if (d[i]! - minRight[i + 1]! > PEAK_SIGNIFICANCE && (idx < 0 || d[i]! > d[idx]!)) idx = i;
  }
  return idx < 0 ? { index: -1, amplitude: 0 } : { index: idx, amplitude: d[idx]! };
}

function linspace(a: number, b: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(n === 1 ? a : a + ((b - a) * i) / (n - 1));
  return out;
}

function logspace(a: number, b: number, n: number): number[] {
  return linspace(Math.log(a), Math.log(b), n).map(Math.exp);
}

function makeCurve(m: RadialMagnitudes, radius: number[], g: number | null, pass: 0 | 1 | 2, minAmplitude: number): DecorrelationCurve {
  const d = decorrelationCurve(m, radius, g);
  const p = curvePeak(d);
  const kc = p.index >= 0 ? radius[p.index]! : 0;
  const kept = p.index >= 0 && p.amplitude >= minAmplitude && kc > 0;
  return { pass, highPassWidth: g, radius, d, kc, amplitude: p.amplitude, kept };
}

function fmt(v: number): string {
  return v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3);
}

/**
 * Image resolution from a single image by decorrelation analysis (Descloux, Grußmayer & Radenovic 2019).
 *
 * @param image - One image (2D, shape [1, ny, nx], ≥ 32 px per side), any pixel type.
 * @param options - Pixel size, sampling, number of filters, apodisation, amplitude cut, see {@link DecorrelationOptions}.
 * @returns The cutoff k_c,max (normalised, 1 = Nyquist) and as a frequency, the resolution 2·pixel size/k_c,max in µm
 *   (px without pixel size), the geometric-mean variant kcGM, the SNR proxy A0, all curves (for a plot) and a summary.
 * @throws DimensionError when the image is a stack or a side is below 32 px.
 * @throws InvalidArgumentError when a pixel is not finite, the pixels are not square (> 1 % difference), or an
 *   option is out of range.
 * @throws InsufficientDataError when the image is constant.
 *
 * Notes: algorithm of ImDecorr `getDcorr.m`, re-implemented: the image is apodised at its edges (raised cosine over
 * 20 px) and its (window-weighted) mean removed (the DC term carries no resolution information, and ImDecorr's
 * d0 would otherwise be dominated by it), then Fourier transformed (zero-padded to a power of two) and restricted to
 * the unit disk r < 1 (r = frequency / Nyquist). With I_n = I/|I| the phase-normalised spectrum,
 * d(r) = Σ_{|k|<r} Re(I·I_n*) / (‖I‖·‖I_n·1_{|k|<r}‖), sampled at Nr = 50 radii in [0, 1]. Each curve's peak
 * (the global maximum if it is not the last sample, else the highest sample followed by a drop > 0.001) gives
 * (k_c, A). Pass 1 repeats this on the spectrum high-pass filtered by 1 − exp(−2g²r²) with g = ny/4 and Ng = 10
 * values log-spaced from 2/k_c(d0) to 0.15; pass 2 uses Ng values log-spaced strictly between the neighbours of the
 * filters that gave the highest k_c and the highest √(k_c·A), on radii refined to [k_c,max − 0.05, k_c,max + 0.3].
 * Peaks with A < 0.05 are discarded; k_c,max is the highest remaining k_c (d0 included), resolution = 2·pixel size /
 * k_c,max; kcGM is the k_c maximising √(k_c·A); A0 is d0's amplitude. The sums are evaluated on radial bins of a
 * quarter frequency step (exact up to that radius rounding). Uncertainty: the radius step of the curve that gave
 * the peak, as a uniform quantisation Δr/√12, propagated to the resolution; it does not include the scatter between
 * noise realisations (< 1 % in the tests, where results mostly snap to the same radius sample). Status
 * "nyquist-limited" when k_c,max ≥ 1 − 2/(Nr − 1) (within two first-pass radius steps of Nyquist).
 * What it measures: roughly the highest frequency at which the spectrum still stands out from its running mean
 * (d(r) peaks where the local |I|·w falls to half the mean inside r). It does not reach the OTF cutoff: for an
 * ideal circular pupil (cutoff f_c = 2·NA/λ) and an object with a flat spectrum, the strongest filter (w ∝ r²)
 * peaks at k_c = 0.880·f_c even without noise (OTF(s)·s⁴ = ∫₀ˢ OTF(t)·t³ dt), so the resolution tends to
 * λ/(2·NA)/0.880 ≈ 1.14·λ/(2·NA), not λ/(2·NA); the simulation tests confirm this within 5 %. On an image whose
 * spectrum is kept flat up to f_c and cut there (simulateResolutionImages psf "band-limited"), it recovers λ/(2·NA)
 * within 10 % (observed 2–4 % low). The estimate is not
 * monotonic in noise: a moderate noise floor lifts the spectrum's tail and moved k_c up by ≈ 5 % in the tests,
 * very low SNR moves it down, and without a significant peak the result is "no-signal".
 * @see Descloux, Grußmayer & Radenovic, "Parameter-free image resolution estimation based on decorrelation analysis", Nat Methods 16:918 (2019), doi:10.1038/s41592-019-0515-7.
 * @see ImDecorr, https://github.com/Ades91/ImDecorr (getDcorr.m, getDcorrMax.m, apodImRect.m).
 * @example
 * const { images, truth } = simulateResolutionImages({ widthPx: 512, seed: 1 });
 * measureDecorrelation(images[0]).resolution?.value; // ≈ 0.23 µm = truth.abbeResolutionUm / 0.880 (see Notes)
 */
export function measureDecorrelation(image: ImageView, options: DecorrelationOptions = {}): DecorrelationResult {
  const fn = "measureDecorrelation";
  const [ny, nx] = checkResolutionImage(image, fn);
  const pixel = resolvePixelSizeUm(image, options.pixelSizeUm, fn);
  if (pixel && Math.abs(pixel[0] - pixel[1]) > PIXEL_SIZE_RTOL * pixel[1]) {
    throw new InvalidArgumentError(
      `${fn}: the pixels are not square ([dy, dx] = [${pixel.join(", ")}] µm); decorrelation analysis normalises frequencies per axis and needs square pixels.`,
      "Resample the image to square pixels, or pass pixelSizeUm if the calibration is wrong.",
    );
  }
  const o = resolveOptions(options, pixel ? pixel[1] : null);
  const apod = apodiseImage(image, Math.min(o.apodizationPx, Math.floor(Math.min(nx, ny) / 4)));
  const spec = fft2d(apod);
  const m = binMagnitudes(spec.data, spec.width, spec.height);
  const Nr = o.radiusSamples;
  const Ng = o.highPassFilters;

  const r0 = linspace(0, 1, Nr);
  const d0 = makeCurve(m, r0, null, 0, o.minAmplitude);
  const curves: DecorrelationCurve[] = [d0];
  const gMax = d0.kc > 0 ? 2 / d0.kc : Math.max(nx, ny) / 2;
  const g1 = [ny / 4, ...logspace(gMax, MIN_HIGH_PASS_WIDTH, Ng)];
  const pass1 = g1.map((g) => makeCurve(m, r0, g, 1, o.minAmplitude));
  curves.push(...pass1);

  // refinement: bracket the filters giving the highest k_c and the highest √(k_c·A) by their neighbours
  const candidates = [d0, ...pass1];
  let iMax = 0;
  let iGm = 0;
  for (let i = 1; i < candidates.length; i++) {
    if (candidates[i]!.kc > candidates[iMax]!.kc) iMax = i;
    if (Math.sqrt(candidates[i]!.kc * candidates[i]!.amplitude) > Math.sqrt(candidates[iGm]!.kc * candidates[iGm]!.amplitude)) iGm = i;
  }
  // candidate index i ↔ filter g1[i − 1] (index 0 is d0, treated as the weakest filter g1[0])
  const lo = Math.max(0, Math.min(iMax, iGm) - 2);
  const hi = Math.min(g1.length - 1, Math.max(iMax, iGm));
  const gA = g1[lo]!;
  const gB = g1[Math.max(hi, lo + 1)]!;
  const g2 = logspace(gA, gB, Ng + 2).slice(1, -1);
  const kcBest = candidates[iMax]!.kc;
  const rA = Math.max(0, kcBest - REFINE_BELOW);
  const rB = Math.min(1, kcBest + REFINE_ABOVE);
  const r2 = linspace(rA, rB > rA ? rB : Math.min(1, rA + REFINE_ABOVE), Nr);
  const pass2 = g2.map((g) => makeCurve(m, r2, g, 2, o.minAmplitude));
  curves.push(...pass2);

  const kept = curves.filter((c) => c.kept);
  const lengthUnit = pixel ? "um" : "px";
  const p = pixel ? pixel[1] : 1;
  const unitText = pixel ? "µm" : "px";
  const a0 = quantity(d0.amplitude, 0, "1");
  const limit = quantity(2 * p, 0, lengthUnit);
  const freqUnit = pixel ? "cycles/um" : "cycles/px";
  const notes: string[] = [];
  if (spec.width !== nx || spec.height !== ny) notes.push(`Zero-padded from ${nx} × ${ny} to ${spec.width} × ${spec.height} px for the FFT (after apodisation).`);
  if (!pixel) notes.push("No pixel size: frequencies are in cycles/px and resolutions in px.");
  const provenance = makeProvenance(fn, o, [{ sha256: sha256(image.data) }], notes);
  const base = { curves, pixelSizeUm: pixel, imageShapePx: [ny, nx] as const, options: o, provenance, a0, limit };
  if (kept.length === 0) {
    return {
      ...base,
      status: "no-signal",
      kcMax: quantity(0, 0, "1"),
      kcGM: quantity(0, 0, "1"),
      cutoffFrequency: { value: 0, uncertainty: 0, unit: freqUnit },
      resolution: null,
      resolutionGM: null,
      summary: `No decorrelation curve has a peak with amplitude ≥ ${o.minAmplitude} (A0 = ${d0.amplitude.toFixed(3)}): the image is too noisy or has no structure to measure.`,
    };
  }
  let best = kept[0]!;
  let bestGm = kept[0]!;
  for (const c of kept) {
    if (c.kc > best.kc || (c.kc === best.kc && c.amplitude > best.amplitude)) best = c;
    if (Math.sqrt(c.kc * c.amplitude) > Math.sqrt(bestGm.kc * bestGm.amplitude)) bestGm = c;
  }
  const step = (c: DecorrelationCurve): number => c.radius[1]! - c.radius[0]!;
  const sdKc = step(best) / Math.sqrt(12);
  const sdKcGm = step(bestGm) / Math.sqrt(12);
  const kcMax = quantity(best.kc, sdKc, "1");
  const kcGM = quantity(bestGm.kc, sdKcGm, "1");
  const cutoffFrequency: SpatialFrequency = { value: best.kc / (2 * p), uncertainty: sdKc / (2 * p), unit: freqUnit };
  const nyquistLimited = best.kc >= 1 - NYQUIST_STEPS / (Nr - 1);
  if (nyquistLimited) {
    return {
      ...base,
      status: "nyquist-limited",
      kcMax,
      kcGM,
      cutoffFrequency,
      resolution: null,
      resolutionGM: null,
      summary: `Decorrelation peak at the Nyquist frequency (k_c = ${best.kc.toFixed(3)}): resolution ≤ ${fmt(limit.value)} ${unitText}, limited by the pixel size (sampling).`,
    };
  }
  const resolution = quantity((2 * p) / best.kc, ((2 * p) / (best.kc * best.kc)) * sdKc, lengthUnit);
  const resolutionGM = quantity((2 * p) / bestGm.kc, ((2 * p) / (bestGm.kc * bestGm.kc)) * sdKcGm, lengthUnit);
  return {
    ...base,
    status: "resolved",
    kcMax,
    kcGM,
    cutoffFrequency,
    resolution,
    resolutionGM,
    summary: `Decorrelation resolution ${fmt(resolution.value)} ± ${fmt(resolution.uncertainty)} ${unitText} (k_c,max = ${best.kc.toFixed(3)} of Nyquist, A0 = ${d0.amplitude.toFixed(3)}).`,
  };
}

/**
 * Plot of the decorrelation curves d(r), with the peaks and the selected k_c,max.
 *
 * @param result - A result of {@link measureDecorrelation}.
 * @returns A Plotly figure (pass it to showPlot): d0 (unfiltered, bold), the high-pass filtered curves of both passes
 *   (thin, legend entry once per pass), the amplitude cut A = 0.05 as a horizontal line and k_c,max (and kcGM when
 *   different) as vertical lines.
 *
 * Notes: x is the normalised frequency r (1 = Nyquist; multiply by 1/(2·pixel size) for cycles/µm).
 * @see measureDecorrelation
 * @example
 * showPlot(decorrelationPlot(measureDecorrelation(image)));
 */
export function decorrelationPlot(result: DecorrelationResult): PlotlyFigure {
  const series: LineSeries[] = [];
  const named = new Set<number>();
  const order: DecorrelationCurve[] = [...result.curves.filter((c) => c.pass !== 0), ...result.curves.filter((c) => c.pass === 0)];
  for (const c of order) {
    let name: string | undefined;
    if (c.pass === 0) name = "d0 (no filter)";
    else if (!named.has(c.pass)) {
      named.add(c.pass);
      name = c.pass === 1 ? "high-pass filtered, pass 1" : "high-pass filtered, refined pass 2";
    }
    series.push({ x: c.radius, y: c.d, ...(name ? { name } : {}), dash: c.pass === 2 ? "dot" : "solid" });
  }
  const vLines: ReferenceLine[] = [];
  const unit = result.pixelSizeUm ? "µm" : "px";
  if (result.kcMax.value > 0) {
    const res = result.resolution ? `${fmt(result.resolution.value)} ${unit}` : `≤ ${fmt(result.limit.value)} ${unit}`;
    vLines.push({ at: result.kcMax.value, label: `k_c,max ${result.kcMax.value.toFixed(3)} → ${res}` });
    if (result.kcGM.value !== result.kcMax.value) vLines.push({ at: result.kcGM.value, label: `kcGM ${result.kcGM.value.toFixed(3)}`, color: "#8250df" });
  }
  const fig = linePlot(series, {
    title: `Decorrelation analysis (A0 = ${result.a0.value.toFixed(3)})`,
    xLabel: "Normalised frequency (1 = Nyquist)",
    yLabel: "d(r)",
    hLines: [{ at: result.options.minAmplitude, label: `A = ${result.options.minAmplitude}`, color: "#6e7781" }],
    vLines,
  });
  // thin filtered curves without legend entries except the first of each pass; d0 bold and on top
  const traces = fig.data as { name?: string; showlegend?: boolean; line?: { width?: number; dash?: string; color?: string } }[];
  for (let i = 0; i < traces.length; i++) {
    const c = order[i]!;
    const t = traces[i]!;
    t.line = { ...t.line, width: c.pass === 0 ? 3 : 1, color: c.pass === 0 ? "#009E73" : c.pass === 1 ? "#0072B2" : "#E69F00" };
    if (t.name === undefined) t.showlegend = false;
  }
  return fig;
}
