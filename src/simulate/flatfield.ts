/**
 * Synthetic flat-field images (homogeneous fluorescent slide) with a planted illumination profile.
 *
 * Relative illumination p(x, y) = V(x, y)·G(x, y) / max over the pixel grid, where V is the vignetting
 * (Gaussian exp(−ρ²/(2s²)) or cos⁴ law 1/(1 + ρ²/s²)², ρ = distance from the planted centre) and G a linear gradient.
 * Dust specks multiply the image by 1 − depth·exp(−d²/(2w²)); they are defects, not part of the smooth profile.
 */
import { InvalidArgumentError } from "../core/errors.js";
import { Random } from "../core/random.js";
import { makeImage, type ImageView, type MultiChannelImage } from "../image/types.js";
import { type CameraModelOptions, type CameraSensor, type CameraTruth, applyCameraInto, createCameraSensor } from "./camera.js";
import { requireFiniteTuple, requireInRange, requireInteger, requireNonNegative, requirePositive, requireShape } from "./validate.js";

/** MetroloJ_QC default iso-intensity step: the reference zone is the top 10 % bin. */
const CENTERING_BIN_PERCENT = 10;

/** Illumination profile of one channel. */
export interface IlluminationProfileOptions {
  /** Vignetting law. @default "gaussian" */
  readonly model?: "gaussian" | "cos4";
  /** Vignetting scale, px: σ of the Gaussian, or s in the cos⁴ law 1/(1 + ρ²/s²)². @default 0.9 × half-diagonal */
  readonly scalePx?: number;
  /** Planted vignetting centre [x, y], px (pixel centres at integers). @default the image centre ((nx − 1)/2, (ny − 1)/2) */
  readonly centrePx?: readonly [x: number, y: number];
  /**
   * Linear gradient, % change across the full width and height [x, y]:
   * G = 1 + (gx/100)·(x − x_mid)/(nx − 1) + (gy/100)·(y − y_mid)/(ny − 1). @default [0, 0]
   */
  readonly gradientPercent?: readonly [x: number, y: number];
  /** Expected photons per pixel at the profile maximum. @default 2000 */
  readonly peakPhotons?: number;
  /** Number of dust specks. @default 0 */
  readonly dustSpecks?: number;
  /** Dust speck width range (Gaussian σ), px. @default [2, 8] */
  readonly dustWidthPx?: readonly [min: number, max: number];
  /** Dust speck depth range (fractional attenuation at the centre). @default [0.1, 0.4] */
  readonly dustDepth?: readonly [min: number, max: number];
  /** Channel name (multi-channel). */
  readonly name?: string;
  /** Emission wavelength, nm (multi-channel metadata). */
  readonly emissionWavelengthNm?: number;
}

/** Options of {@link simulateFlatField}. */
export interface FlatFieldOptions extends IlluminationProfileOptions {
  /** Image size [ny, nx], px. @default [512, 512] */
  readonly shape?: readonly [ny: number, nx: number];
  /** Pixel size, µm (metadata only). @default 0.325 */
  readonly pixelSizeUm?: number;
  /** Camera model (hot pixels via `camera.hotPixelFraction`). */
  readonly camera?: CameraModelOptions;
  /** Also return a dark image (same sensor, no light). @default false */
  readonly darkImage?: boolean;
  /** Random seed. @default 1 */
  readonly seed?: number;
}

/** Options of {@link simulateMultiChannelFlatField}. */
export interface MultiChannelFlatFieldOptions extends Omit<FlatFieldOptions, keyof IlluminationProfileOptions> {
  /** One illumination profile per channel. @default two channels with different centres */
  readonly channels?: readonly IlluminationProfileOptions[];
}

/** A planted dust speck. */
export interface DustSpeck {
  readonly xPx: number;
  readonly yPx: number;
  /** Gaussian σ, px. */
  readonly widthPx: number;
  /** Fractional attenuation at the centre. */
  readonly depth: number;
}

/** What a uniformity measurement should find on one channel. */
export interface FlatFieldTruth {
  /** Uniformity U = 100·I_min/I_max of the noise-free smooth profile over the pixel grid, % (MetroloJ_QC). */
  readonly uniformityPercent: number;
  /** Field uniformity FU = 100 − 100·SD(8 points: 4 corners + 4 edge mid-points)/I_max, % (MetroloJ_QC; population SD). */
  readonly fieldUniformityPercent: number;
  /** CV = SD/mean of the noise-free profile over the image, % (population SD). */
  readonly cvPercent: number;
  /** Pixel of the profile maximum [x, y]. */
  readonly maxLocationPx: readonly [x: number, y: number];
  /** Centroid of the top 10 % iso-intensity zone (p ≥ 0.9) [x, y], px: MetroloJ_QC's reference point. */
  readonly referenceCentroidPx: readonly [x: number, y: number];
  /** C = 100 − 100·(2/√(w² + h²))·dist(reference centroid, image centre), % (MetroloJ_QC, top-bin centroid). */
  readonly centeringPercent: number;
  /** The same C computed from the maximum pixel (MetroloJ_QC with thresholding off), %. */
  readonly centeringMaxPixelPercent: number;
  /** The planted vignetting centre [x, y], px. */
  readonly profileCentrePx: readonly [x: number, y: number];
  readonly model: "gaussian" | "cos4";
  readonly scalePx: number;
  readonly gradientPercent: readonly [x: number, y: number];
  readonly peakPhotons: number;
  readonly dust: readonly DustSpeck[];
  /** The noise-free smooth profile, normalised to 1 at its pixel maximum (no dust, no camera). */
  readonly relativeProfile: ImageView<Float32Array>;
  /** p(xPx, yPx): the smooth profile at any (sub-pixel) position, same normalisation. */
  readonly profile: (xPx: number, yPx: number) => number;
}

/** Result of {@link simulateFlatField}. */
export interface FlatField {
  readonly image: ImageView<Uint16Array>;
  /** Dark frame from the same sensor, when `darkImage` is true. */
  readonly dark: ImageView<Uint16Array> | null;
  readonly truth: FlatFieldTruth & { readonly camera: CameraTruth; readonly seed: number };
}

/** Result of {@link simulateMultiChannelFlatField}. */
export interface MultiChannelFlatField {
  readonly image: MultiChannelImage<Uint16Array>;
  readonly dark: ImageView<Uint16Array> | null;
  readonly truth: { readonly channels: readonly FlatFieldTruth[]; readonly camera: CameraTruth; readonly seed: number };
}

/**
 * Simulates a flat-field image of a homogeneous fluorescent slide.
 *
 * @param options - Size, illumination profile (vignetting, off-centre maximum, gradient), dust, camera, seed.
 * @returns `{ image, dark, truth }` with U, FU, CV, the maximum and reference positions, C, and the profile.
 * @throws InvalidArgumentError for non-positive sizes, a gradient that makes the profile non-positive, or bad ranges.
 *
 * Notes: truth is computed on the noise-free smooth profile sampled at pixel centres, i.e. what MetroloJ_QC measures
 * on a perfectly smoothed image. Image centre = ((w − 1)/2, (h − 1)/2) in integer-centre pixel coordinates (the same
 * point as ImageJ's w/2 with its +½ pixel-centre convention).
 * @example
 * const { truth } = simulateFlatField({ shape: [256, 256], centrePx: [150, 120], seed: 4 });
 * // truth.maxLocationPx → [150, 120]
 * @see MetroloJ_QC fieldIllumination (peers.md F14); Faklaris et al. J Cell Biol 2022 (U ≥ 50 %).
 */
export function simulateFlatField(options: FlatFieldOptions = {}): FlatField {
  const seed = options.seed ?? 1;
  const rng = new Random(seed);
  const { ny, nx, pixelSizeUm, sensor } = prepare(options, rng);
  const ch = renderChannel(options, ny, nx, pixelSizeUm, sensor, rng);
  const dark = options.darkImage ? renderDark(ny, nx, pixelSizeUm, sensor, rng) : null;
  return { image: ch.image, dark, truth: { ...ch.truth, camera: sensor.truth, seed } };
}

/**
 * Simulates a multi-channel flat field: one illumination profile per channel, one camera.
 *
 * @param options - Size, camera, seed, and a profile per channel.
 * @returns `{ image: { channels }, dark, truth: { channels } }`.
 * @throws InvalidArgumentError as {@link simulateFlatField}, or for an empty channel list.
 *
 * Notes: each channel's truth is computed on its own noise-free profile.
 * @example
 * const { truth } = simulateMultiChannelFlatField({ channels: [{}, { centrePx: [200, 300] }] });
 * // truth.channels[1].maxLocationPx → [200, 300]
 * @see MetroloJ_QC fieldIllumination.
 */
export function simulateMultiChannelFlatField(options: MultiChannelFlatFieldOptions = {}): MultiChannelFlatField {
  const seed = options.seed ?? 1;
  const rng = new Random(seed);
  const { ny, nx, pixelSizeUm, sensor } = prepare(options, rng);
  const channels = options.channels ?? [
    { name: "green", emissionWavelengthNm: 520 },
    { name: "red", emissionWavelengthNm: 600, centrePx: [0.6 * (nx - 1), 0.45 * (ny - 1)], gradientPercent: [10, 0] },
  ];
  if (channels.length === 0) {
    throw new InvalidArgumentError("channels is empty; a multi-channel flat field needs at least one channel.", "Pass one illumination profile per channel.");
  }
  const rendered = channels.map((c) => renderChannel(c, ny, nx, pixelSizeUm, sensor, rng));
  const dark = options.darkImage ? renderDark(ny, nx, pixelSizeUm, sensor, rng) : null;
  return {
    image: { channels: rendered.map((r) => r.image) },
    dark,
    truth: { channels: rendered.map((r) => r.truth), camera: sensor.truth, seed },
  };
}

function prepare(options: Omit<FlatFieldOptions, keyof IlluminationProfileOptions>, rng: Random): { ny: number; nx: number; pixelSizeUm: number; sensor: CameraSensor } {
  const [ny, nx] = options.shape ?? [512, 512];
  requireShape("shape", [ny, nx], 2);
  const pixelSizeUm = options.pixelSizeUm ?? 0.325;
  requirePositive("pixelSizeUm", pixelSizeUm);
  const sensor = createCameraSensor(ny, nx, options.camera ?? {}, rng);
  return { ny, nx, pixelSizeUm, sensor };
}

function renderDark(ny: number, nx: number, pixelSizeUm: number, sensor: CameraSensor, rng: Random): ImageView<Uint16Array> {
  const out = new Uint16Array(ny * nx);
  applyCameraInto(new Float32Array(ny * nx), sensor, rng, out);
  return makeImage(out, [1, ny, nx], { voxelSizeUm: [1, pixelSizeUm, pixelSizeUm], bitDepth: sensor.model.bitDepth });
}

function renderChannel(
  o: IlluminationProfileOptions,
  ny: number,
  nx: number,
  pixelSizeUm: number,
  sensor: CameraSensor,
  rng: Random,
): { image: ImageView<Uint16Array>; truth: FlatFieldTruth } {
  const model = o.model ?? "gaussian";
  if (model !== "gaussian" && model !== "cos4") {
    throw new InvalidArgumentError(`Unknown vignetting model "${String(model)}".`, "Use \"gaussian\" or \"cos4\".");
  }
  const halfDiag = Math.hypot((nx - 1) / 2, (ny - 1) / 2);
  const scalePx = o.scalePx ?? 0.9 * Math.max(halfDiag, 1);
  requirePositive("scalePx", scalePx);
  const centre = o.centrePx ?? [(nx - 1) / 2, (ny - 1) / 2];
  requireFiniteTuple("centrePx", centre, 2, "[x, y] in pixels");
  const gradient = o.gradientPercent ?? [0, 0];
  requireFiniteTuple("gradientPercent", gradient, 2, "[x, y] in % across the image");
  if (Math.abs(gradient[0]) / 2 + Math.abs(gradient[1]) / 2 >= 100) {
    throw new InvalidArgumentError(
      `gradientPercent [${gradient.join(", ")}] makes the illumination zero or negative at a corner (|gx|/2 + |gy|/2 must stay below 100).`,
      "Use gradients of a few tens of % at most.",
    );
  }
  const peakPhotons = o.peakPhotons ?? 2000;
  requireNonNegative("peakPhotons", peakPhotons);
  const nDust = o.dustSpecks ?? 0;
  requireInteger("dustSpecks", nDust, 0);
  const dustWidth = o.dustWidthPx ?? [2, 8];
  const dustDepth = o.dustDepth ?? [0.1, 0.4];
  requireFiniteTuple("dustWidthPx", dustWidth, 2, "[min, max] in px");
  requireFiniteTuple("dustDepth", dustDepth, 2, "[min, max] as fractions");
  requirePositive("dustWidthPx[0]", dustWidth[0]);
  requireInRange("dustDepth[0]", dustDepth[0], 0, 1);
  requireInRange("dustDepth[1]", dustDepth[1], dustDepth[0], 1);
  if (dustWidth[1] < dustWidth[0]) {
    throw new InvalidArgumentError(`dustWidthPx is [${dustWidth.join(", ")}]; expected min ≤ max.`, "Give the speck width range as [min, max] px.");
  }

  const [cx, cy] = centre;
  const gx = gradient[0] / 100;
  const gy = gradient[1] / 100;
  const xMid = (nx - 1) / 2;
  const yMid = (ny - 1) / 2;
  const sx = nx > 1 ? nx - 1 : 1;
  const sy = ny > 1 ? ny - 1 : 1;
  const inv2s2 = 1 / (2 * scalePx * scalePx);
  const invS2 = 1 / (scalePx * scalePx);
  const raw = (x: number, y: number): number => {
    const r2 = (x - cx) ** 2 + (y - cy) ** 2;
    const v = model === "gaussian" ? Math.exp(-r2 * inv2s2) : 1 / (1 + r2 * invS2) ** 2;
    return v * (1 + (gx * (x - xMid)) / sx + (gy * (y - yMid)) / sy);
  };
  const n = ny * nx;
  const prof = new Float32Array(n);
  let vmax = -1;
  let vmin = Number.POSITIVE_INFINITY;
  let imax = 0;
  for (let y = 0; y < ny; y++) {
    for (let x = 0; x < nx; x++) {
      const v = raw(x, y);
      prof[y * nx + x] = v;
      if (v > vmax) {
        vmax = v;
        imax = y * nx + x;
      }
      if (v < vmin) vmin = v;
    }
  }
  let sum = 0;
  let sum2 = 0;
  for (let p = 0; p < n; p++) {
    prof[p] /= vmax;
    sum += prof[p];
    sum2 += prof[p] * prof[p];
  }
  const mean = sum / n;
  const cvPercent = (100 * Math.sqrt(Math.max(0, sum2 / n - mean * mean))) / mean;
  // MetroloJ_QC: 4 corners + 4 edge mid-points
  const xm = Math.floor(nx / 2);
  const ym = Math.floor(ny / 2);
  const pts = [
    [0, 0],
    [nx - 1, 0],
    [0, ny - 1],
    [nx - 1, ny - 1],
    [xm, 0],
    [xm, ny - 1],
    [0, ym],
    [nx - 1, ym],
  ].map(([x, y]) => prof[y * nx + x]);
  const pm = pts.reduce((a, b) => a + b, 0) / pts.length;
  const psd = Math.sqrt(pts.reduce((a, b) => a + (b - pm) ** 2, 0) / pts.length);
  // reference zone: top iso-intensity bin
  const thr = 1 - CENTERING_BIN_PERCENT / 100;
  let rx = 0;
  let ry = 0;
  let rn = 0;
  for (let y = 0; y < ny; y++) {
    for (let x = 0; x < nx; x++) {
      if (prof[y * nx + x] >= thr) {
        rx += x;
        ry += y;
        rn++;
      }
    }
  }
  rx /= rn;
  ry /= rn;
  const diag = Math.hypot(nx, ny);
  const centering = (x: number, y: number): number => 100 - (200 * Math.hypot(x - xMid, y - yMid)) / diag;
  const maxLoc: [number, number] = [imax % nx, Math.floor(imax / nx)];

  // dust and camera
  const dust: DustSpeck[] = [];
  for (let d = 0; d < nDust; d++) {
    dust.push({
      xPx: rng.range(0, nx - 1),
      yPx: rng.range(0, ny - 1),
      widthPx: rng.range(dustWidth[0], dustWidth[1]),
      depth: rng.range(dustDepth[0], dustDepth[1]),
    });
  }
  const expected = new Float32Array(n);
  for (let p = 0; p < n; p++) expected[p] = peakPhotons * prof[p];
  for (const s of dust) {
    const reach = Math.ceil(4 * s.widthPx);
    const x0 = Math.max(0, Math.floor(s.xPx) - reach);
    const x1 = Math.min(nx - 1, Math.ceil(s.xPx) + reach);
    const y0 = Math.max(0, Math.floor(s.yPx) - reach);
    const y1 = Math.min(ny - 1, Math.ceil(s.yPx) + reach);
    const k = -1 / (2 * s.widthPx * s.widthPx);
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        expected[y * nx + x] *= 1 - s.depth * Math.exp(k * ((x - s.xPx) ** 2 + (y - s.yPx) ** 2));
      }
    }
  }
  const out = new Uint16Array(n);
  applyCameraInto(expected, sensor, rng, out);
  const image = makeImage(out, [1, ny, nx], {
    voxelSizeUm: [1, pixelSizeUm, pixelSizeUm],
    bitDepth: sensor.model.bitDepth,
    channel: o.name !== undefined || o.emissionWavelengthNm !== undefined ? { name: o.name, emissionWavelengthNm: o.emissionWavelengthNm } : undefined,
  });
  return {
    image,
    truth: {
      uniformityPercent: (100 * vmin) / vmax,
      fieldUniformityPercent: 100 - 100 * psd,
      cvPercent,
      maxLocationPx: maxLoc,
      referenceCentroidPx: [rx, ry],
      centeringPercent: centering(rx, ry),
      centeringMaxPixelPercent: centering(maxLoc[0], maxLoc[1]),
      profileCentrePx: [cx, cy],
      model,
      scalePx,
      gradientPercent: [gradient[0], gradient[1]],
      peakPhotons,
      dust,
      relativeProfile: makeImage(prof, [1, ny, nx], { voxelSizeUm: [1, pixelSizeUm, pixelSizeUm] }),
      profile: (x: number, y: number): number => raw(x, y) / vmax,
    },
  };
}
