/**
 * One entry point for every simulator, with demonstration defaults, for `limiqc simulate KIND --out FILE`.
 */
import { InvalidArgumentError } from "../core/errors.js";
import {
  type BeadStack,
  type BeadStackOptions,
  type MultiChannelBeadStack,
  type MultiChannelBeadStackOptions,
  simulateBeadStack,
  simulateMultiChannelBeadStack,
} from "./beads.js";
import { type CameraSeries, type CameraSeriesOptions, simulateCameraSeries } from "./camera.js";
import { type FlatField, type FlatFieldOptions, simulateFlatField } from "./flatfield.js";
import { type PowerLog, type PowerLogOptions, simulatePowerLog } from "./power.js";
import { type DriftSeries, type DriftSeriesOptions, type StageSeries, type StageSeriesOptions, simulateDriftSeries, simulateStageSeries } from "./stage.js";

/** Kinds of phantom {@link simulatePhantom} can make. */
export type PhantomKind = "beads" | "beads-multicolor" | "flatfield" | "camera-series" | "stage" | "power-log" | "drift";

/** Every phantom kind, in the order the CLI lists them. */
export const PHANTOM_KINDS: readonly PhantomKind[] = ["beads", "beads-multicolor", "flatfield", "camera-series", "stage", "power-log", "drift"];

/** Options accepted per kind (merged over the demonstration defaults, shallowly). */
export interface PhantomOptionsMap {
  beads: BeadStackOptions;
  "beads-multicolor": MultiChannelBeadStackOptions;
  flatfield: FlatFieldOptions;
  "camera-series": CameraSeriesOptions;
  stage: StageSeriesOptions;
  "power-log": PowerLogOptions;
  drift: DriftSeriesOptions;
}

/** Result per kind. */
export interface PhantomResultMap {
  beads: BeadStack;
  "beads-multicolor": MultiChannelBeadStack;
  flatfield: FlatField;
  "camera-series": CameraSeries;
  stage: StageSeries;
  "power-log": PowerLog;
  drift: DriftSeries;
}

/** Demonstration defaults per kind: realistic settings a trainee can look at. */
export const PHANTOM_DEFAULTS: { readonly [K in PhantomKind]: PhantomOptionsMap[K] } = {
  beads: {
    shape: [48, 256, 256],
    voxelSizeUm: [0.2, 0.065, 0.065],
    beads: 12,
    minSeparationUm: 3,
    beadDiameterUm: 0.1,
    psf: { kind: "scalar", numericalAperture: 1.4, immersionIndex: 1.518, emissionWavelengthNm: 520 },
    photons: 20000,
    backgroundPhotons: 20,
    seed: 1,
  },
  "beads-multicolor": {
    shape: [48, 256, 256],
    voxelSizeUm: [0.2, 0.065, 0.065],
    beads: 12,
    minSeparationUm: 3,
    psf: { kind: "gaussian", fwhmUm: [0.22, 0.22, 0.6] },
    photons: 20000,
    backgroundPhotons: 20,
    channels: [
      { name: "green", excitationWavelengthNm: 488, emissionWavelengthNm: 520 },
      { name: "red", excitationWavelengthNm: 561, emissionWavelengthNm: 600, shiftUm: [0.05, -0.03, 0.15], magnification: 1.001 },
    ],
    seed: 1,
  },
  flatfield: {
    shape: [512, 512],
    centrePx: [290, 230],
    gradientPercent: [5, 0],
    dustSpecks: 3,
    darkImage: true,
    camera: { hotPixelFraction: 1e-4 },
    seed: 1,
  },
  "camera-series": { shape: [64, 64], levels: 24, darkSeriesFrames: 20, seed: 1 },
  stage: { rounds: 20, render: true, seed: 1 },
  "power-log": {
    wavelengthsNm: [405, 488, 561, 640],
    settingsPercent: [80],
    blockDurationS: 300,
    noisePercent: 0.2,
    driftPercentPerH: 0.5,
    warmupPercent: 1,
    temperature: {},
    seed: 1,
  },
  drift: { timePoints: 60, intervalS: 10, seed: 1 },
};

/**
 * Makes a phantom of the given kind with demonstration defaults (overridden shallowly by `options`).
 *
 * @param kind - What to simulate: "beads", "beads-multicolor", "flatfield", "camera-series", "stage", "power-log", "drift".
 * @param options - Options of the underlying simulator, merged over {@link PHANTOM_DEFAULTS}.
 * @returns The simulator's `{ ...data, truth }` result.
 * @throws InvalidArgumentError for an unknown kind or invalid options.
 *
 * Notes: the CLI serialises the result (images, truth JSON, TSV for power logs); `truth.profile` of a flat field
 * is a function and is not serialisable.
 * @example
 * const p = simulatePhantom("power-log", { blockDurationS: 30 });
 * // p.truth.blocks.length → 4
 * @see simulateBeadStack, simulateFlatField, simulateCameraSeries, simulateStageSeries, simulatePowerLog.
 */
export function simulatePhantom<K extends PhantomKind>(kind: K, options?: PhantomOptionsMap[K]): PhantomResultMap[K] {
  if (!PHANTOM_KINDS.includes(kind)) {
    throw new InvalidArgumentError(`Unknown phantom kind "${String(kind)}".`, `Use one of: ${PHANTOM_KINDS.join(", ")}.`);
  }
  const merged = { ...PHANTOM_DEFAULTS[kind], ...(options ?? {}) };
  let result: PhantomResultMap[PhantomKind];
  switch (kind as PhantomKind) {
    case "beads":
      result = simulateBeadStack(merged as BeadStackOptions);
      break;
    case "beads-multicolor":
      result = simulateMultiChannelBeadStack(merged as MultiChannelBeadStackOptions);
      break;
    case "flatfield":
      result = simulateFlatField(merged as FlatFieldOptions);
      break;
    case "camera-series":
      result = simulateCameraSeries(merged as CameraSeriesOptions);
      break;
    case "stage":
      result = simulateStageSeries(merged as StageSeriesOptions);
      break;
    case "power-log":
      result = simulatePowerLog(merged as PowerLogOptions);
      break;
    default:
      result = simulateDriftSeries(merged as DriftSeriesOptions);
      break;
  }
  return result as PhantomResultMap[K];
}
