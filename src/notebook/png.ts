/**
 * Images for notebooks: projection, block-average downsampling, percentile stretch, colour maps,
 * a burned-in scale bar, 8-bit RGB PNG encoding (fast-png 6, CommonJS, importable in tslab), and an
 * HTML figure with a colour bar.
 */
import { encode } from "fast-png";
import { DimensionError, InsufficientDataError, InvalidArgumentError, MissingPixelSizeError } from "../core/errors.js";
import { type ImageView, makeImage, type PixelArray } from "../image/types.js";
import { display, formatNumber, type MimeBundle, makeBundle, unitLabel } from "./display.js";
import { css, FONT_FAMILY, h, PALETTE, type SafeHtml } from "./html.js";

/** Colour maps available for images. `fire` is ImageJ's "Fire" LUT; viridis/inferno/magma are matplotlib's. */
export type ColormapName = "gray" | "viridis" | "inferno" | "magma" | "fire";

/** Entries in a colour look-up table. */
export const LUT_SIZE = 256;
const LUT_MAX = LUT_SIZE - 1;

/**
 * matplotlib 3.6 viridis/inferno/magma sampled at 33 evenly spaced points (entries
 * round(k·255/32) of the 256-entry maps), as RGB hex. Linear interpolation between them
 * reproduces the 256-entry maps within 2/255 per channel (checked against matplotlib).
 */
const MPL_ANCHORS: Readonly<Record<"viridis" | "inferno" | "magma", string>> = {
  viridis:
    "440154470d6048186a482374472d7b4537814240863e49893b528b375b8d33638d2f6b8e2c728e297a8e26828e23898e21918c1f978b1f9f8821a68527ad8131b57b3dbc744cc26c5cc8636ece5881d34d95d840aadc32c0df25d5e21aeae51afde725",
  inferno:
    "0000040403120b0724150b37210c4a2f0a5b3d09654a0c6b57106e64156e71196e7d1e6d8a226a972766a32c61b0315bbc3754c63d4dd04545da4e3ce35933eb6429f1711ff67e14f98c0afb9b06fcaa0ffbba1ff9c932f5d949f2e865f3f586fcffa4",
  magma:
    "0000040303120a0822130d341d114729115a36106b440f7651127c5d177f6a1c81762181832681902a819c2e7faa337db73779c23b75cf4070db476ae55064ee5b5ef4695cf9785dfb8761fd9668fea571feb47bfec287fed194fde0a1fceeb0fcfdbf",
};

/** ImageJ's Fire LUT: 32 control colours, interpolated to 256 as ImageJ's LutLoader does. */
const FIRE_R = [0, 0, 1, 25, 49, 73, 98, 122, 146, 162, 173, 184, 195, 207, 217, 229, 240, 252, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255];
const FIRE_G = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 14, 35, 57, 79, 101, 117, 133, 147, 161, 175, 190, 205, 219, 234, 248, 255, 255, 255, 255];
const FIRE_B = [0, 61, 96, 130, 165, 192, 220, 227, 210, 181, 151, 122, 93, 64, 35, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 35, 98, 160, 223, 255];

const lutCache = new Map<ColormapName, Uint8Array>();

function lutFromHexAnchors(hex: string): Uint8Array {
  const n = hex.length / 6;
  const anchors = new Uint8Array(n * 3);
  for (let i = 0; i < n * 3; i++) anchors[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  const lut = new Uint8Array(LUT_SIZE * 3);
  for (let i = 0; i < LUT_SIZE; i++) {
    const t = (i / LUT_MAX) * (n - 1);
    const k = Math.min(n - 2, Math.floor(t));
    const f = t - k;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(anchors[k * 3 + c] * (1 - f) + anchors[(k + 1) * 3 + c] * f);
  }
  return lut;
}

function fireLut(): Uint8Array {
  const n = FIRE_R.length;
  const scale = n / LUT_SIZE;
  const lut = new Uint8Array(LUT_SIZE * 3);
  for (let i = 0; i < LUT_SIZE; i++) {
    const i1 = Math.floor(i * scale);
    const i2 = Math.min(n - 1, i1 + 1);
    const f = i * scale - i1;
    lut[i * 3] = Math.round((1 - f) * FIRE_R[i1] + f * FIRE_R[i2]);
    lut[i * 3 + 1] = Math.round((1 - f) * FIRE_G[i1] + f * FIRE_G[i2]);
    lut[i * 3 + 2] = Math.round((1 - f) * FIRE_B[i1] + f * FIRE_B[i2]);
  }
  return lut;
}

/**
 * The 256-entry RGB look-up table of a colour map.
 *
 * @param name Colour map name.
 * @returns 768 bytes: entry i is (lut[3i], lut[3i+1], lut[3i+2]); entry 0 is the colour of the
 *   display minimum, entry 255 of the maximum. A fresh copy (safe to modify).
 * @throws InvalidArgumentError for an unknown name.
 *
 * Notes: viridis/inferno/magma interpolate 33 samples of matplotlib's maps (≤ 2/255 per channel
 * off); fire follows ImageJ's LutLoader (32 colours, interpolated the same way).
 * @see https://bids.github.io/colormap/ (viridis family, van der Walt & Smith)
 */
export function colormapLut(name: ColormapName): Uint8Array {
  let lut = lutCache.get(name);
  if (!lut) {
    if (name === "gray") {
      lut = new Uint8Array(LUT_SIZE * 3);
      for (let i = 0; i < LUT_SIZE; i++) lut[i * 3] = lut[i * 3 + 1] = lut[i * 3 + 2] = i;
    } else if (name === "fire") lut = fireLut();
    else if (name === "viridis" || name === "inferno" || name === "magma") lut = lutFromHexAnchors(MPL_ANCHORS[name]);
    else {
      throw new InvalidArgumentError(`Unknown colormap ${JSON.stringify(name)}.`, 'Use one of "gray", "viridis", "inferno", "magma", "fire".');
    }
    lutCache.set(name, lut);
  }
  return lut.slice();
}

// ---------------------------------------------------------------------------------------------
// Pixel operations

/**
 * Block-averages a 2D plane by an integer factor (partial blocks at the right/bottom edge are averaged over the pixels they hold).
 *
 * @param plane Pixels, x fastest (length nx·ny).
 * @param nx Width, px.
 * @param ny Height, px.
 * @param factor Block size, px (≥ 1).
 * @returns The averaged plane and its size `ceil(nx/factor) × ceil(ny/factor)`; for factor 1, a copy.
 * @throws DimensionError when `plane.length ≠ nx·ny`.
 * @throws InvalidArgumentError when `factor` is not a positive integer.
 *
 * Notes: a NaN inside a block makes that block NaN.
 */
export function blockAverage(plane: ArrayLike<number>, nx: number, ny: number, factor: number): { data: Float32Array; nx: number; ny: number } {
  if (plane.length !== nx * ny) {
    throw new DimensionError(`Plane holds ${plane.length} values but ${nx} × ${ny} needs ${nx * ny}.`, "Pass the plane's width and height in pixels.");
  }
  if (!Number.isInteger(factor) || factor < 1) {
    throw new InvalidArgumentError(`Block-average factor ${factor}; expected a positive integer.`, "Use 1 for no downsampling.");
  }
  const ox = Math.ceil(nx / factor);
  const oy = Math.ceil(ny / factor);
  const sums = new Float64Array(ox);
  const out = new Float32Array(ox * oy);
  for (let by = 0; by < oy; by++) {
    sums.fill(0);
    const y0 = by * factor;
    const y1 = Math.min(ny, y0 + factor);
    for (let y = y0; y < y1; y++) {
      const row = y * nx;
      for (let x = 0; x < nx; x++) sums[(x / factor) | 0] += plane[row + x];
    }
    const rows = y1 - y0;
    for (let bx = 0; bx < ox; bx++) {
      const cols = Math.min(nx, (bx + 1) * factor) - bx * factor;
      out[by * ox + bx] = sums[bx] / (rows * cols);
    }
  }
  return { data: out, nx: ox, ny: oy };
}

/**
 * Two percentiles of the finite values, with linear interpolation between order statistics.
 *
 * @param values Pixels (non-finite values ignored).
 * @param loFraction Lower percentile as a fraction (0.001 = 0.1th percentile).
 * @param hiFraction Upper percentile as a fraction.
 * @returns `[lo, hi]`.
 * @throws InsufficientDataError when no value is finite.
 */
export function percentileRange(values: ArrayLike<number>, loFraction: number, hiFraction: number): [number, number] {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) n++;
  if (n === 0) {
    throw new InsufficientDataError(`All ${values.length} pixels are NaN or infinite; there is nothing to display.`, "Check the image source (a failed division or an empty region).");
  }
  const sorted = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) sorted[j++] = v;
  }
  sorted.sort();
  const at = (p: number): number => {
    const t = p * (n - 1);
    const k = Math.floor(t);
    return k + 1 < n ? sorted[k] + (sorted[k + 1] - sorted[k]) * (t - k) : sorted[n - 1];
  };
  return [at(loFraction), at(hiFraction)];
}

// ---------------------------------------------------------------------------------------------
// showImage

/** A plain 2D image: pixels (x fastest), size, optional pixel size. */
export interface PlainImage {
  data: PixelArray | readonly number[];
  /** Width, px. */
  width: number;
  /** Height, px. */
  height: number;
  /** Pixel size, µm (enables the scale bar). @default unknown */
  pixelSizeUm?: number;
}

/** Options for `showImage`. */
export interface ImageDisplayOptions {
  /** Show this z-plane (0-based) instead of a projection. @default project the stack */
  z?: number;
  /** Projection of a 3D stack along z. @default "max" */
  projection?: "max" | "mean";
  /** Colour map. @default "gray" */
  colormap?: ColormapName;
  /** Display range in image units, or "auto" = 0.1–99.9th percentile of the displayed pixels. @default "auto" */
  range?: readonly [number, number] | "auto";
  /** Scale bar length, µm; "auto" picks 1/2/5·10ⁿ µm near 20% of the width when the pixel size is known; "none" hides it. @default "auto" */
  scaleBarUm?: number | "auto" | "none";
  /** Caption above the image. @default none */
  title?: string;
  /** Images wider than this are block-averaged down to at most this width, px. @default 768 */
  maxWidthPx?: number;
  /** Unit of the pixel values, shown on the colour bar. @default "ADU" */
  unit?: string;
}

/** What `renderImage` produced: the RGB pixels and the facts shown around them. */
export interface RenderedImage {
  /** 8-bit RGB, 3 bytes per pixel, x fastest, scale bar burned in. */
  rgb: Uint8Array;
  widthPx: number;
  heightPx: number;
  /** Block-average factor applied (1 = none). */
  downsample: number;
  /** Values mapped to the first and last colour. */
  displayRange: [number, number];
  /** Minimum and maximum finite value of the (projected) plane before downsampling. */
  dataRange: [number, number];
  /** Pixel size of the rendered image, µm; undefined when unknown. */
  pixelSizeUm?: number;
  scaleBar: { lengthUm: number; lengthPx: number } | null;
  /** "max projection of 31 z-planes", "z = 4 of 31" or "2D". */
  source: string;
  /** Size of the plane before downsampling [width, height], px. */
  originalSizePx: [number, number];
}

const DEFAULT_MAX_WIDTH_PX = 768;
const AUTO_LO_FRACTION = 0.001;
const AUTO_HI_FRACTION = 0.999;
/** "auto" scale bar aims at this fraction of the image width. */
const SCALE_BAR_WIDTH_FRACTION = 0.2;
const NICE_STEPS = [1, 2, 5] as const;
/** Small images are shown at least this wide (CSS upscaling with square pixels; the PNG is not changed). */
const MIN_DISPLAY_WIDTH_PX = 256;
const COLORBAR_WIDTH_PX = 96;
/** Space between the image and its colour bar, px. */
const FIGURE_GAP_PX = 6;
const COLORBAR_MIN_HEIGHT_PX = 120;
const COLORBAR_STEPS = 64;
const WHITE = 255;

const resolveImageOptions = (o: ImageDisplayOptions = {}) => ({
  z: undefined as number | undefined,
  projection: "max" as "max" | "mean",
  colormap: "gray" as ColormapName,
  range: "auto" as readonly [number, number] | "auto",
  scaleBarUm: "auto" as number | "auto" | "none",
  title: undefined as string | undefined,
  maxWidthPx: DEFAULT_MAX_WIDTH_PX,
  unit: "ADU",
  ...o,
});

function asImageView(image: ImageView | PlainImage): { view: ImageView; pixelSizeUm: number | undefined } {
  if ("shape" in image) {
    const dx = image.voxelSizeUm?.[2];
    return { view: image, pixelSizeUm: dx !== undefined && Number.isFinite(dx) && dx > 0 ? dx : undefined };
  }
  const data: PixelArray = Array.isArray(image.data) ? Float32Array.from(image.data as readonly number[]) : (image.data as PixelArray);
  const view = makeImage(data, [1, image.height, image.width]);
  const p = image.pixelSizeUm;
  if (p !== undefined && !(Number.isFinite(p) && p > 0)) {
    throw new InvalidArgumentError(`pixelSizeUm = ${p}; expected a positive number of micrometres.`, "Omit it when the pixel size is unknown (no scale bar is drawn then).");
  }
  return { view, pixelSizeUm: p };
}

/** The plane to show: one z-plane, or a max/mean projection along z. */
function planeOf(view: ImageView, z: number | undefined, projection: "max" | "mean"): { plane: Float32Array; source: string } {
  const [nz, ny, nx] = view.shape;
  if (view.data.length !== nz * ny * nx) {
    throw new DimensionError(`Image data holds ${view.data.length} values but shape [${view.shape.join(", ")}] needs ${nz * ny * nx}.`, "Build images with makeImage(), which checks the shape.");
  }
  const n = nx * ny;
  const d = view.data;
  if (z !== undefined) {
    if (!Number.isInteger(z) || z < 0 || z >= nz) {
      throw new InvalidArgumentError(`z = ${z} is outside the stack (planes 0–${nz - 1}).`, "Pass a 0-based plane index, or omit z to show a projection.");
    }
    const plane = new Float32Array(n);
    const off = z * n;
    for (let i = 0; i < n; i++) plane[i] = d[off + i];
    return { plane, source: nz === 1 ? "2D" : `z = ${z} of ${nz} planes` };
  }
  if (nz === 1) {
    const plane = new Float32Array(n);
    for (let i = 0; i < n; i++) plane[i] = d[i];
    return { plane, source: "2D" };
  }
  if (projection === "max") {
    const plane = new Float32Array(n);
    for (let i = 0; i < n; i++) plane[i] = d[i];
    for (let k = 1; k < nz; k++) {
      const off = k * n;
      for (let i = 0; i < n; i++) {
        const v = d[off + i];
        if (v > plane[i] || Number.isNaN(plane[i])) plane[i] = v;
      }
    }
    return { plane, source: `max projection of ${nz} z-planes` };
  }
  if (projection !== "mean") {
    throw new InvalidArgumentError(`projection = ${JSON.stringify(projection)}; expected "max" or "mean".`, "Use max for beads and spots, mean for flat fields.");
  }
  const sums = new Float64Array(n);
  for (let k = 0; k < nz; k++) {
    const off = k * n;
    for (let i = 0; i < n; i++) sums[i] += d[off + i];
  }
  const plane = new Float32Array(n);
  for (let i = 0; i < n; i++) plane[i] = sums[i] / nz;
  return { plane, source: `mean projection of ${nz} z-planes` };
}

function niceLength(targetUm: number): number {
  const p = 10 ** Math.floor(Math.log10(targetUm));
  let best = p;
  for (const s of NICE_STEPS) if (s * p <= targetUm) best = s * p;
  return best;
}

/** Bar thickness and margin for an image of this size, px. */
function scaleBarGeometry(w: number, hgt: number): { thickness: number; margin: number } {
  return { thickness: Math.min(10, Math.max(2, Math.round(hgt * 0.02))), margin: Math.max(2, Math.round(Math.min(w, hgt) * 0.04)) };
}

/** Burns a white bar with a 1 px black outline into the bottom-right corner. */
function burnScaleBar(rgb: Uint8Array, w: number, hgt: number, lengthPx: number): void {
  const { thickness, margin } = scaleBarGeometry(w, hgt);
  const x1 = w - margin; // exclusive
  const x0 = x1 - lengthPx;
  const y1 = hgt - margin;
  const y0 = y1 - thickness;
  for (let y = Math.max(0, y0 - 1); y < Math.min(hgt, y1 + 1); y++) {
    for (let x = Math.max(0, x0 - 1); x < Math.min(w, x1 + 1); x++) {
      const inside = x >= x0 && x < x1 && y >= y0 && y < y1;
      const v = inside ? WHITE : 0;
      const p = (y * w + x) * 3;
      rgb[p] = rgb[p + 1] = rgb[p + 2] = v;
    }
  }
}

/**
 * Renders an image for display: plane or projection → block average → stretch → colour map → scale bar.
 *
 * @param image An `ImageView` (2D or 3D; pixel size from `voxelSizeUm[2]`) or `{ data, width, height, pixelSizeUm? }`.
 * @param options See `ImageDisplayOptions` (all defaults documented there).
 * @returns RGB pixels and what was done to them.
 * @throws DimensionError when the data length does not match the shape.
 * @throws InvalidArgumentError for a z outside the stack, a bad range (lo ≥ hi), maxWidthPx < 1,
 *   or an explicit scale bar that is < 1 px or does not fit in the image.
 * @throws MissingPixelSizeError when a scale bar length is given but the pixel size is unknown.
 * @throws InsufficientDataError when no pixel of the plane is finite.
 *
 * Notes: values map linearly from the display range onto the 256 LUT entries (below → first
 * colour, above and NaN → clamped, NaN to the first colour). A flat image gets the range
 * [v, v + 1]. Non-square pixels are shown square (the scale bar uses the x pixel size).
 */
export function renderImage(image: ImageView | PlainImage, options: ImageDisplayOptions = {}): RenderedImage {
  const o = resolveImageOptions(options);
  if (!Number.isInteger(o.maxWidthPx) || o.maxWidthPx < 1) {
    throw new InvalidArgumentError(`maxWidthPx = ${o.maxWidthPx}; expected a positive integer.`, "Use e.g. 768.");
  }
  const { view, pixelSizeUm } = asImageView(image);
  const { plane, source } = planeOf(view, o.z, o.projection);
  const nx = view.shape[2];
  const ny = view.shape[1];
  let dmin = Number.POSITIVE_INFINITY;
  let dmax = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < plane.length; i++) {
    const v = plane[i];
    if (v < dmin && v !== Number.NEGATIVE_INFINITY) dmin = v;
    if (v > dmax && v !== Number.POSITIVE_INFINITY) dmax = v;
  }
  if (!(dmax >= dmin)) {
    throw new InsufficientDataError(`All ${plane.length} displayed pixels are NaN or infinite; there is nothing to display.`, "Check the image source (a failed division or an empty region).");
  }
  const factor = Math.ceil(nx / o.maxWidthPx);
  const shown = factor > 1 ? blockAverage(plane, nx, ny, factor) : { data: plane, nx, ny };
  let lo: number;
  let hi: number;
  if (o.range === "auto") {
    [lo, hi] = percentileRange(shown.data, AUTO_LO_FRACTION, AUTO_HI_FRACTION);
    if (!(hi > lo)) hi = lo + 1;
  } else {
    [lo, hi] = o.range;
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo)) {
      throw new InvalidArgumentError(`Display range [${lo}, ${hi}] is not an increasing pair of finite numbers.`, 'Pass [low, high] with low < high, or "auto".');
    }
  }
  const lut = colormapLut(o.colormap);
  const w = shown.nx;
  const hgt = shown.ny;
  const rgb = new Uint8Array(w * hgt * 3);
  const k = LUT_MAX / (hi - lo);
  const src = shown.data;
  for (let i = 0; i < src.length; i++) {
    let idx = Math.round((src[i] - lo) * k);
    if (!(idx > 0)) idx = 0;
    else if (idx > LUT_MAX) idx = LUT_MAX;
    const p = idx * 3;
    const q = i * 3;
    rgb[q] = lut[p];
    rgb[q + 1] = lut[p + 1];
    rgb[q + 2] = lut[p + 2];
  }
  const shownPixelUm = pixelSizeUm === undefined ? undefined : pixelSizeUm * factor;
  let scaleBar: RenderedImage["scaleBar"] = null;
  if (o.scaleBarUm !== "none") {
    const { margin } = scaleBarGeometry(w, hgt);
    const room = w - 2 * margin;
    if (o.scaleBarUm === "auto") {
      if (shownPixelUm !== undefined && room >= 2) {
        const lengthUm = niceLength(SCALE_BAR_WIDTH_FRACTION * w * shownPixelUm);
        const lengthPx = Math.round(lengthUm / shownPixelUm);
        if (lengthPx >= 1 && lengthPx <= room) scaleBar = { lengthUm, lengthPx };
      }
    } else {
      if (shownPixelUm === undefined) {
        throw new MissingPixelSizeError(
          `A ${o.scaleBarUm} µm scale bar was requested but the image has no pixel size.`,
          "Give the image a voxelSizeUm (or pixelSizeUm for { data, width, height }), or use scaleBarUm: \"none\".",
        );
      }
      if (!(o.scaleBarUm > 0)) {
        throw new InvalidArgumentError(`scaleBarUm = ${o.scaleBarUm}; expected a positive length in µm.`, 'Use "auto" or "none" to choose automatically or hide it.');
      }
      const lengthPx = Math.round(o.scaleBarUm / shownPixelUm);
      if (lengthPx < 1 || lengthPx > room) {
        throw new InvalidArgumentError(
          `A ${o.scaleBarUm} µm scale bar is ${lengthPx} px at ${formatNumber(shownPixelUm)} µm/px, but the image has room for 1–${room} px.`,
          'Choose a length that fits, or use scaleBarUm: "auto".',
        );
      }
      scaleBar = { lengthUm: o.scaleBarUm, lengthPx };
    }
    if (scaleBar) burnScaleBar(rgb, w, hgt, scaleBar.lengthPx);
  }
  return {
    rgb,
    widthPx: w,
    heightPx: hgt,
    downsample: factor,
    displayRange: [lo, hi],
    dataRange: [dmin, dmax],
    pixelSizeUm: shownPixelUm,
    scaleBar,
    source,
    originalSizePx: [nx, ny],
  };
}

/**
 * Encodes 8-bit RGB pixels as PNG.
 *
 * @param rgb 3 bytes per pixel, x fastest.
 * @param widthPx Width, px.
 * @param heightPx Height, px.
 * @returns The PNG file bytes.
 * @throws DimensionError when `rgb.length ≠ 3·width·height`.
 */
export function encodeRgbPng(rgb: Uint8Array, widthPx: number, heightPx: number): Uint8Array {
  if (rgb.length !== widthPx * heightPx * 3) {
    throw new DimensionError(`RGB buffer holds ${rgb.length} bytes but ${widthPx} × ${heightPx} × 3 needs ${widthPx * heightPx * 3}.`, "Pass 3 bytes per pixel.");
  }
  return encode({ width: widthPx, height: heightPx, data: rgb, channels: 3, depth: 8 });
}

function colorBarSvg(lut: Uint8Array, lo: number, hi: number, unit: string, heightPx: number): SafeHtml {
  const barX = 2;
  const barW = 14;
  const pad = 8;
  const barH = heightPx - 2 * pad;
  const step = barH / COLORBAR_STEPS;
  const rects = [];
  for (let i = 0; i < COLORBAR_STEPS; i++) {
    const e = Math.round(((COLORBAR_STEPS - 1 - i) / (COLORBAR_STEPS - 1)) * LUT_MAX) * 3;
    rects.push(h("rect", { x: barX, y: (pad + i * step).toFixed(2), width: barW, height: (step + 0.6).toFixed(2), fill: `rgb(${lut[e]},${lut[e + 1]},${lut[e + 2]})` }));
  }
  const u = unitLabel(unit);
  const text = (y: number, s: string, baseline: string): SafeHtml =>
    h("text", { x: barX + barW + 5, y, "font-size": 11, "font-family": FONT_FAMILY, fill: PALETTE.text, "dominant-baseline": baseline }, s);
  return h(
    "svg",
    { class: "limiqc-colorbar", xmlns: "http://www.w3.org/2000/svg", width: COLORBAR_WIDTH_PX, height: heightPx, viewBox: `0 0 ${COLORBAR_WIDTH_PX} ${heightPx}`, role: "img", "aria-label": `colour bar ${formatNumber(lo)} to ${formatNumber(hi)} ${u}` },
    rects,
    h("rect", { x: barX, y: pad, width: barW, height: barH, fill: "none", stroke: PALETTE.muted, "stroke-width": 0.5 }),
    text(pad, formatNumber(hi), "hanging"),
    text(heightPx / 2, u, "middle"),
    text(heightPx - pad, formatNumber(lo), "auto"),
  );
}

function describe(r: RenderedImage, o: ReturnType<typeof resolveImageOptions>): string {
  const u = unitLabel(o.unit);
  const parts = [`${r.widthPx} × ${r.heightPx} px`];
  if (r.downsample > 1) parts.push(`${r.downsample}× block average of ${r.originalSizePx[0]} × ${r.originalSizePx[1]}`);
  parts.push(r.source);
  parts.push(`display ${formatNumber(r.displayRange[0])}–${formatNumber(r.displayRange[1])} ${u}${o.range === "auto" ? " (0.1–99.9th percentile)" : ""}`);
  parts.push(`data ${formatNumber(r.dataRange[0])}–${formatNumber(r.dataRange[1])} ${u}`);
  parts.push(`colormap ${o.colormap}`);
  return parts.join(", ");
}

/**
 * Builds an image output: the colour-mapped PNG (scale bar burned in), an HTML figure with the
 * PNG, a colour bar (min/max in the pixel unit), the scale bar length and the title, and a text summary.
 *
 * @param image An `ImageView` (2D or 3D) or `{ data, width, height, pixelSizeUm? }`.
 * @param options See `ImageDisplayOptions`.
 * @returns `{ "image/png" (base64), "text/html", "text/plain" }`.
 * @throws As `renderImage`.
 *
 * Notes: a 3D stack is max-projected unless `z` or `projection: "mean"` is given. Images wider
 * than `maxWidthPx` are block-averaged; images narrower than 256 px are shown enlarged with
 * square pixels (CSS only). The scale bar's label is in the HTML, not drawn in the PNG.
 */
export function imageBundle(image: ImageView | PlainImage, options: ImageDisplayOptions = {}): MimeBundle {
  const o = resolveImageOptions(options);
  const r = renderImage(image, o);
  const png = encodeRgbPng(r.rgb, r.widthPx, r.heightPx);
  const b64 = Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString("base64");
  const zoom = r.widthPx < MIN_DISPLAY_WIDTH_PX ? Math.ceil(MIN_DISPLAY_WIDTH_PX / r.widthPx) : 1;
  const dispW = r.widthPx * zoom;
  const dispH = r.heightPx * zoom;
  const summary = describe(r, o);
  const scaleText = r.scaleBar ? `Scale bar: ${formatNumber(r.scaleBar.lengthUm)} µm` : r.pixelSizeUm === undefined ? "No scale bar (pixel size unknown)" : "No scale bar";
  const html = h(
    "figure",
    {
      class: "limiqc-image",
      style: css({
        background: PALETTE.background,
        color: PALETTE.text,
        "font-family": FONT_FAMILY,
        "font-size": "13px",
        display: "inline-block",
        margin: "4px 0",
        padding: "8px",
        border: `1px solid ${PALETTE.border}`,
        "border-radius": "6px",
      }),
    },
    o.title ? h("figcaption", { class: "limiqc-title", style: css({ "font-weight": 600, "font-size": "14px", margin: "0 0 6px" }) }, o.title) : null,
    h(
      "div",
      { style: css({ display: "flex", "align-items": "flex-start", gap: `${FIGURE_GAP_PX}px` }) },
      h("img", {
        src: `data:image/png;base64,${b64}`,
        width: dispW,
        height: dispH,
        alt: o.title ?? "image",
        style: css({ display: "block", "max-width": "100%", height: "auto", "image-rendering": zoom > 1 ? "pixelated" : null }),
      }),
      colorBarSvg(colormapLut(o.colormap), r.displayRange[0], r.displayRange[1], o.unit, Math.max(COLORBAR_MIN_HEIGHT_PX, dispH)),
    ),
    h("div", { class: "limiqc-scalebar", style: css({ "font-weight": 600, margin: "6px 0 0" }) }, scaleText),
    h("div", { style: css({ color: PALETTE.muted, "font-size": "12px", margin: "2px 0 0", "max-width": `${dispW + COLORBAR_WIDTH_PX + FIGURE_GAP_PX}px` }) }, summary),
  );
  const textLines = [`${o.title ? `${o.title}: ` : ""}image ${summary}`, r.scaleBar ? `scale bar ${formatNumber(r.scaleBar.lengthUm)} µm (${r.scaleBar.lengthPx} px)` : scaleText.toLowerCase()];
  return makeBundle({ "image/png": b64, "text/html": html.html, "text/plain": textLines.join("\n") });
}

/**
 * Displays an image (see `imageBundle`).
 *
 * @param image An `ImageView` (2D or 3D) or `{ data, width, height, pixelSizeUm? }`.
 * @param options z, projection, colormap, range, scaleBarUm, title, maxWidthPx, unit.
 * @returns The bundle displayed.
 * @throws As `renderImage`.
 * @example showImage(stack, { colormap: "inferno", scaleBarUm: 5, title: "Beads, max projection" })
 */
export function showImage(image: ImageView | PlainImage, options: ImageDisplayOptions = {}): MimeBundle {
  return display(imageBundle(image, options));
}
