/**
 * Simulated test images for WG10 image quality with known noise, saturation and defocus.
 * @module
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { InvalidArgumentError } from "../core/errors.js";
import { writeOmeTiff } from "../io/tiff-writer.js";
import { sampleDir } from "../samples/index.js";
import { Random } from "../core/random.js";
import { type ImageView, makeImage } from "../image/types.js";
import { createPsfKernel } from "../simulate/psf.js";

/** Options of {@link simulateQualityImage}. */
export interface QualityImageOptions {
  /** Image side, px. @default 192 */
  readonly sizePx?: number;
  /** Pixel size, µm. @default 0.065 */
  readonly pixelSizeUm?: number;
  /** Number of point emitters. @default 120 */
  readonly points?: number;
  /** Defocus of every emitter, µm (scalar widefield PSF, NA 1.4 oil, 520 nm). @default 0 */
  readonly defocusUm?: number;
  /** Photons per emitter (in-focus plane integral). @default 5000 */
  readonly photons?: number;
  /** Background, photons per pixel. @default 50 */
  readonly backgroundPhotons?: number;
  /** "gaussian": additive noise of `noiseSdAdu` on the expected image (no shot noise); "poisson-gaussian": shot noise + read noise through the camera. @default "gaussian" */
  readonly noise?: "gaussian" | "poisson-gaussian";
  /** Additive Gaussian noise, ADU ("gaussian" mode). @default 10 */
  readonly noiseSdAdu?: number;
  /** Conversion gain, e⁻/ADU ("poisson-gaussian"; photons = electrons, QE 1). @default 1 */
  readonly conversionGainEPerAdu?: number;
  /** Read noise, e⁻ ("poisson-gaussian"). @default 2 */
  readonly readNoiseE?: number;
  /** Camera offset, ADU. @default 100 */
  readonly offsetAdu?: number;
  /** Detector bit depth. @default 12 */
  readonly bitDepth?: number;
  /** Exactly this many distinct pixels are set to the saturation value 2^bitDepth − 1. @default 0 */
  readonly saturatedPixels?: number;
  /** @default 1 */
  readonly seed?: number;
}

/** A simulated image and what was planted. */
export interface QualityImage {
  readonly image: ImageView<Uint16Array>;
  readonly truth: {
    /** Noise SD at the background level, ADU (quantisation included). */
    readonly noiseSdAdu: number;
    readonly backgroundAdu: number;
    readonly saturatedPixels: number;
    readonly saturationAdu: number;
    readonly defocusUm: number;
  };
}

/**
 * Point emitters imaged through a scalar widefield PSF with defocus, plus background, noise and planted saturation.
 * @param options - See {@link QualityImageOptions}.
 * @returns 2D uint16 image with voxel size and bit depth, and the planted truth.
 * @throws InvalidArgumentError when the planted saturated pixels exceed the image or the signal itself reaches saturation.
 */
export function simulateQualityImage(options: QualityImageOptions = {}): QualityImage {
  const o = {
    sizePx: 192,
    pixelSizeUm: 0.065,
    points: 120,
    defocusUm: 0,
    photons: 5000,
    backgroundPhotons: 50,
    noise: "gaussian" as const,
    noiseSdAdu: 10,
    conversionGainEPerAdu: 1,
    readNoiseE: 2,
    offsetAdu: 100,
    bitDepth: 12,
    saturatedPixels: 0,
    seed: 1,
    ...options,
  };
  const n = o.sizePx;
  const rng = new Random(o.seed);
  const kernel = createPsfKernel({ kind: "scalar", numericalAperture: 1.4, immersionIndex: 1.518, emissionWavelengthNm: 520 }, [0.1, o.pixelSizeUm, o.pixelSizeUm], {
    dzRangeUm: [-Math.abs(o.defocusUm) - 0.2, Math.abs(o.defocusUm) + 0.2],
    radiusUm: Math.max(1.5, 1.5 * Math.abs(o.defocusUm) + 1),
  });
  const expected = new Float32Array(n * n).fill(o.backgroundPhotons);
  for (let k = 0; k < o.points; k++) kernel.addToPlane(expected, n, n, rng.range(4, n - 5), rng.range(4, n - 5), o.defocusUm, o.photons);
  const sat = 2 ** o.bitDepth - 1;
  const data = new Uint16Array(n * n);
  let noiseSd: number;
  for (let i = 0; i < n * n; i++) {
    let v: number;
    if (o.noise === "gaussian") v = o.offsetAdu + expected[i] / o.conversionGainEPerAdu + rng.normal(0, o.noiseSdAdu);
    else v = o.offsetAdu + (rng.poisson(expected[i]) + rng.normal(0, o.readNoiseE)) / o.conversionGainEPerAdu;
    const r = Math.round(v);
    if (r >= sat) throw new InvalidArgumentError(`Pixel ${i} reaches ${r} ADU ≥ saturation ${sat} before planting.`, "Lower photons or raise bitDepth so that only planted pixels saturate.");
    data[i] = Math.max(0, r);
  }
  if (o.noise === "gaussian") noiseSd = Math.sqrt(o.noiseSdAdu ** 2 + 1 / 12);
  else noiseSd = Math.sqrt((o.backgroundPhotons + o.readNoiseE ** 2) / o.conversionGainEPerAdu ** 2 + 1 / 12);
  if (o.saturatedPixels > n * n) throw new InvalidArgumentError(`saturatedPixels ${o.saturatedPixels} exceeds the ${n * n} pixels.`, "Plant fewer.");
  let planted = 0;
  while (planted < o.saturatedPixels) {
    const i = Math.floor(rng.uniform() * n * n);
    if (data[i] === sat) continue;
    data[i] = sat;
    planted++;
  }
  return {
    image: makeImage(data, [1, n, n], { voxelSizeUm: [o.pixelSizeUm, o.pixelSizeUm, o.pixelSizeUm], bitDepth: o.bitDepth }),
    truth: { noiseSdAdu: noiseSd, backgroundAdu: o.offsetAdu + o.backgroundPhotons / o.conversionGainEPerAdu, saturatedPixels: planted, saturationAdu: sat, defocusUm: o.defocusUm },
  };
}

/**
 * Writes (once) the bundled image-quality demo folder: 4 good images, 1 defocused by 1 µm, 1 with 0.5 % saturated
 * pixels, 1 dim (SNR < 3), all 128×128 px, 0.065 µm pixels, 12-bit, as OME-TIFF.
 * @param folder - Target folder. @default "<sample dir>/image-quality-batch"
 * @returns The folder path.
 */
export async function ensureQualityDemoFolder(folder?: string): Promise<string> {
  const dir = folder ?? join(sampleDir(), "image-quality-batch");
  mkdirSync(dir, { recursive: true });
  const specs: [string, QualityImageOptions][] = [
    ["good-1.ome.tif", { seed: 41 }],
    ["good-2.ome.tif", { seed: 42 }],
    ["good-3.ome.tif", { seed: 43 }],
    ["good-4.ome.tif", { seed: 44 }],
    ["defocused.ome.tif", { seed: 45, defocusUm: 1 }],
    ["saturated.ome.tif", { seed: 46, saturatedPixels: 82 }],
    ["dim.ome.tif", { seed: 47, photons: 120, noiseSdAdu: 25 }],
  ];
  for (const [name, o] of specs) {
    const path = join(dir, name);
    if (existsSync(path)) continue;
    const { image } = simulateQualityImage({ sizePx: 128, points: 60, ...o });
    await writeOmeTiff(path, image, { channels: [{ name: "GFP", excitationWavelengthNm: 488, emissionWavelengthNm: 520, color: "#00ff00" }], imageName: name, overwrite: true });
  }
  return dir;
}
