/**
 * Bundled sample of the detector protocol (registered in the SAMPLES registry on import).
 */
import { dirname } from "node:path";
import { SAMPLES } from "../samples/index.js";
import { simulateCameraSeries } from "../simulate/camera.js";
import { writeCameraSeries } from "./series-io.js";

/** Settings of the "camera-series" sample and the specification the notebook compares with. */
export const CAMERA_SERIES_SAMPLE_SETTINGS = {
  shape: [96, 128] as const,
  levels: 24,
  darkSeriesFrames: 40,
  seed: 17,
  camera: {
    gainEPerAdu: 0.46,
    offsetAdu: 100,
    /** The fault: the read noise is 2.4 e⁻ where the data sheet says 1.6 e⁻. */
    readNoiseE: 2.4,
    readNoiseSpread: 0.25,
    pixelOffsetSdAdu: 1.5,
    prnuPercent: 0.6,
    darkCurrentEPerS: 0.8,
    exposureS: 2,
    hotPixelFraction: 0.002,
    hotPixelDarkCurrentEPerS: 400,
    /** The 16-bit ADC clips (at ≈ 30 100 e⁻) before the full well: the top levels are saturated frames. */
    fullWellE: 32000,
    bitDepth: 16,
  },
  /** What the (fictitious) data sheet promises. */
  spec: { conversionGainEPerAdu: 0.46, readNoiseE: 1.6 },
} as const;

SAMPLES["camera-series"] = {
  file: "camera-series/manifest.csv",
  description:
    "Simulated sCMOS photon-transfer series (EMVA 1288): 24 exposures up to 2 s from dark to beyond saturation, a flat pair and a dark pair each, and 40 dark frames, 128 × 96 px, with a manifest; K = 0.46 e⁻/ADU, 0.2 % hot pixels; planted fault: read noise 2.4 e⁻ against a data-sheet 1.6 e⁻.",
  async generate(path: string): Promise<void> {
    const s = CAMERA_SERIES_SAMPLE_SETTINGS;
    const series = simulateCameraSeries({ shape: [s.shape[0], s.shape[1]], levels: s.levels, darkSeriesFrames: s.darkSeriesFrames, seed: s.seed, camera: { ...s.camera } });
    // the TIFFs go next to the manifest; the manifest is written last, so a complete manifest means a complete sample
    await writeCameraSeries(dirname(path), series, path, true);
  },
};
