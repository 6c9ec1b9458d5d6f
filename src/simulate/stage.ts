/**
 * Stage repeatability series (QUAREP-LiMi WG6 protocol) and drift time-lapses with known ground truth.
 *
 * Position model at each capture, per axis:
 *   position = offset + noise(drawn once per completed move) + backlash term + D(t),
 * where the backlash term is +B/2 if the last motion along that axis was in + direction and −B/2 otherwise
 * (so the ISO 230-2 reversal value x̄↑ − x̄↓ equals B), and the drift D(t) = v·t + A·(1 − e^{−t/τ})
 * (linear drift plus exponential settling from the start of the run).
 */
import { Random } from "../core/random.js";
import { makeImage, type ImageView } from "../image/types.js";
import { type CameraModelOptions, type CameraTruth, applyCameraInto, createCameraSensor } from "./camera.js";
import { type Xyz, createPsfKernel } from "./psf.js";
import { requireFiniteTuple, requireInteger, requireNonNegative, requirePositive, requireShape } from "./validate.js";

const SECONDS_PER_HOUR = 3600;
const UM_PER_MM = 1000;

/** Direction codes of the QUAREP macro: 0 centre, 1 N (+y), 2 E (+x), 3 S (−y), 4 W (−x). */
export type StageDirection = 0 | 1 | 2 | 3 | 4;
/** Names of the direction codes. */
export const STAGE_DIRECTION_NAMES: readonly ["centre", "N", "E", "S", "W"] = ["centre", "N", "E", "S", "W"];

/** Drift over the run: D(t) = v·t + A·(1 − e^{−t/τ}). */
export interface DriftModelOptions {
  /** Linear drift [x, y, z], µm/h. */
  readonly driftUmPerH?: Xyz;
  /** Settling amplitude A [x, y, z], µm (reached for t ≫ τ). */
  readonly settlingUm?: Xyz;
  /** Settling time constant τ, s. */
  readonly settlingTimeConstantS?: number;
}

/** Rendering of small frames showing one bead at the measured position. */
export interface StageFrameOptions {
  /** Frame size [ny, nx], px. @default [64, 64] */
  readonly frameShapePx?: readonly [ny: number, nx: number];
  /** Pixel size, µm. @default 0.325 (stage) / 0.1 (drift) */
  readonly pixelSizeUm?: number;
  /** Apparent bead FWHM [x, y, z], µm (Gaussian spot). @default [1, 1, 3] (stage) / [0.3, 0.3, 0.8] (drift) */
  readonly beadFwhmUm?: Xyz;
  /** Bead brightness, photons in the in-focus plane. @default 20000 */
  readonly beadPhotons?: number;
  /** Background, photons per pixel. @default 20 */
  readonly backgroundPhotons?: number;
  /** Camera model. */
  readonly camera?: CameraModelOptions;
}

/** Options of {@link simulateStageSeries}. */
export interface StageSeriesOptions extends DriftModelOptions {
  /** Move sizes, µm (each gets `rounds` rounds). @default [300, 3000] */
  readonly moveSizesUm?: readonly number[];
  /** Rounds per move size (each: centre capture, then out-and-back N, E, S, W with a capture after each return). @default 20 */
  readonly rounds?: number;
  /** Repeatability SD [x, y] of the position after a move, µm. @default [0.1, 0.1] */
  readonly repeatabilitySdUm?: readonly [x: number, y: number];
  /** Extra SD per mm of move length [x, y], µm/mm. @default [0, 0] */
  readonly sdPerMmUm?: readonly [x: number, y: number];
  /** SD of the focus (z) position after a move, µm. @default 0 */
  readonly zRepeatabilitySdUm?: number;
  /** Reversal value B = x̄↑ − x̄↓ per axis (ISO 230-2), µm; negative for a stage with lost motion. @default [0.3, 0.2] */
  readonly backlashUm?: readonly [x: number, y: number];
  /** Systematic offset [x, y] of every position from the commanded one, µm. @default [0, 0] */
  readonly offsetUm?: readonly [x: number, y: number];
  /** Pause between rounds, s (QUAREP: 30 s). @default 30 */
  readonly roundPauseS?: number;
  /** Stage speed, µm/s. @default 2000 */
  readonly speedUmPerS?: number;
  /** Time per move on top of travel (acceleration, settling), s. @default 0.3 */
  readonly moveOverheadS?: number;
  /** Time per capture, s. @default 0.2 */
  readonly captureS?: number;
  /** Render one frame per capture. @default false */
  readonly render?: boolean;
  /** Frame rendering settings. */
  readonly frames?: StageFrameOptions;
  /** Random seed. @default 1 */
  readonly seed?: number;
}

/** One capture of the repeatability series. */
export interface StageCapture {
  readonly index: number;
  readonly moveSizeUm: number;
  readonly round: number;
  /** Direction of the move just returned from (0 = centre capture at the start of a round). */
  readonly direction: StageDirection;
  readonly directionName: "centre" | "N" | "E" | "S" | "W";
  /** Time of the capture from the start of the run, s. */
  readonly timeS: number;
  /** Commanded position [x, y], µm (always the centre, [0, 0]). */
  readonly commandedUm: readonly [x: number, y: number];
  /** True position [x, y, z], µm = commanded + error. */
  readonly positionUm: Xyz;
  /** Components of the error: random (per move), backlash, drift, offset [x, y, z], µm. */
  readonly randomUm: Xyz;
  readonly backlashTermUm: Xyz;
  readonly driftUm: Xyz;
  readonly offsetUm: Xyz;
  /** Bead centre in the rendered frame [x, y], px (frame centre + position/pixel size). */
  readonly beadPx: readonly [x: number, y: number];
}

/** Result of {@link simulateStageSeries}. */
export interface StageSeries {
  /** Frames [captures, ny, nx] (time as the first axis), when `render` is true. */
  readonly frames: ImageView<Uint16Array> | null;
  readonly truth: {
    readonly captures: readonly StageCapture[];
    readonly repeatabilitySdUm: readonly [x: number, y: number];
    readonly sdPerMmUm: readonly [x: number, y: number];
    readonly zRepeatabilitySdUm: number;
    readonly backlashUm: readonly [x: number, y: number];
    readonly offsetUm: readonly [x: number, y: number];
    readonly driftUmPerH: Xyz;
    readonly settlingUm: Xyz;
    readonly settlingTimeConstantS: number;
    readonly pixelSizeUm: number;
    readonly camera: CameraTruth | null;
    readonly seed: number;
  };
}

interface ResolvedDrift {
  v: Xyz;
  a: Xyz;
  tau: number;
}

function resolveDrift(o: DriftModelOptions, defaults: ResolvedDrift): ResolvedDrift {
  const v = o.driftUmPerH ?? defaults.v;
  const a = o.settlingUm ?? defaults.a;
  const tau = o.settlingTimeConstantS ?? defaults.tau;
  requireFiniteTuple("driftUmPerH", v, 3, "[x, y, z] in µm/h");
  requireFiniteTuple("settlingUm", a, 3, "[x, y, z] in µm");
  requirePositive("settlingTimeConstantS", tau);
  return { v, a, tau };
}

function driftAt(d: ResolvedDrift, tS: number): Xyz {
  const e = 1 - Math.exp(-tS / d.tau);
  return [(d.v[0] * tS) / SECONDS_PER_HOUR + d.a[0] * e, (d.v[1] * tS) / SECONDS_PER_HOUR + d.a[1] * e, (d.v[2] * tS) / SECONDS_PER_HOUR + d.a[2] * e];
}

/**
 * Simulates the QUAREP-LiMi XY stage repeatability protocol: for each move size, `rounds` rounds of a centre
 * capture followed by out-and-back moves N, E, S, W with a capture after each return.
 *
 * @param options - Move sizes, rounds, error model (repeatability SD, backlash, offset, drift), timing, rendering, seed.
 * @returns `{ frames, truth }`: the true position of every capture with its components, and optional frames.
 * @throws InvalidArgumentError for negative SDs, non-positive sizes or speeds, or invalid frame settings.
 *
 * Notes: the random error is drawn once per completed return move (a centre capture without a move keeps the
 * previous one, plus drift). The backlash state of an axis only changes when that axis moves, so returns from
 * N/S keep the x state of the last x move. Frames show a Gaussian bead at frame centre + position/pixel size
 * (stage and camera axes aligned); z does not blur the 2D frames.
 * @example
 * const s = simulateStageSeries({ rounds: 5, seed: 2 });
 * // s.truth.captures.length → 2 sizes × 5 rounds × 5 = 50
 * @see QUAREP-LiMi WG6 StageRepeatability macro; ISO 230-2:2014 (reversal value, repeatability).
 */
export function simulateStageSeries(options: StageSeriesOptions = {}): StageSeries {
  const sizes = options.moveSizesUm ?? [300, 3000];
  sizes.forEach((s, i) => {
    requirePositive(`moveSizesUm[${i}]`, s);
  });
  const rounds = options.rounds ?? 20;
  requireInteger("rounds", rounds, 1);
  const sd = options.repeatabilitySdUm ?? [0.1, 0.1];
  requireFiniteTuple("repeatabilitySdUm", sd, 2, "[x, y] in µm");
  sd.forEach((v, i) => {
    requireNonNegative(`repeatabilitySdUm[${i}]`, v);
  });
  const sdPerMm = options.sdPerMmUm ?? [0, 0];
  requireFiniteTuple("sdPerMmUm", sdPerMm, 2, "[x, y] in µm/mm");
  sdPerMm.forEach((v, i) => {
    requireNonNegative(`sdPerMmUm[${i}]`, v);
  });
  const zSd = options.zRepeatabilitySdUm ?? 0;
  requireNonNegative("zRepeatabilitySdUm", zSd);
  const backlash = options.backlashUm ?? [0.3, 0.2];
  requireFiniteTuple("backlashUm", backlash, 2, "[x, y] in µm");
  const offset = options.offsetUm ?? [0, 0];
  requireFiniteTuple("offsetUm", offset, 2, "[x, y] in µm");
  const drift = resolveDrift(options, { v: [0.5, 0.5, 0.2], a: [0, 0, 0], tau: 600 });
  const pause = options.roundPauseS ?? 30;
  requireNonNegative("roundPauseS", pause);
  const speed = options.speedUmPerS ?? 2000;
  requirePositive("speedUmPerS", speed);
  const overhead = options.moveOverheadS ?? 0.3;
  requireNonNegative("moveOverheadS", overhead);
  const captureS = options.captureS ?? 0.2;
  requireNonNegative("captureS", captureS);
  const seed = options.seed ?? 1;
  const rng = new Random(seed);
  const fo = options.frames ?? {};
  const pixelSizeUm = fo.pixelSizeUm ?? 0.325;
  requirePositive("frames.pixelSizeUm", pixelSizeUm);
  const [fny, fnx] = fo.frameShapePx ?? [64, 64];
  requireShape("frames.frameShapePx", [fny, fnx], 2);

  // direction unit vectors (x, y) for codes 1..4
  const dirVec: readonly (readonly [number, number])[] = [
    [0, 0],
    [0, 1],
    [1, 0],
    [0, -1],
    [-1, 0],
  ];
  const state = [1, 1]; // sign of the last motion per axis
  let noise: [number, number, number] = [0, 0, 0];
  const drawNoise = (size: number): void => {
    noise = [
      rng.normal(0, sd[0] + (sdPerMm[0] * size) / UM_PER_MM),
      rng.normal(0, sd[1] + (sdPerMm[1] * size) / UM_PER_MM),
      zSd > 0 ? rng.normal(0, zSd) : 0,
    ];
  };
  drawNoise(0);
  let t = 0;
  const captures: StageCapture[] = [];
  const fcx = (fnx - 1) / 2;
  const fcy = (fny - 1) / 2;
  const capture = (size: number, round: number, direction: StageDirection): void => {
    const d = driftAt(drift, t);
    const bl: Xyz = [(state[0] * backlash[0]) / 2, (state[1] * backlash[1]) / 2, 0];
    const off: Xyz = [offset[0], offset[1], 0];
    const pos: Xyz = [off[0] + noise[0] + bl[0] + d[0], off[1] + noise[1] + bl[1] + d[1], noise[2] + d[2]];
    captures.push({
      index: captures.length,
      moveSizeUm: size,
      round,
      direction,
      directionName: STAGE_DIRECTION_NAMES[direction],
      timeS: t,
      commandedUm: [0, 0],
      positionUm: pos,
      randomUm: [noise[0], noise[1], noise[2]],
      backlashTermUm: bl,
      driftUm: d,
      offsetUm: off,
      beadPx: [fcx + pos[0] / pixelSizeUm, fcy + pos[1] / pixelSizeUm],
    });
    t += captureS;
  };
  const move = (dx: number, dy: number): void => {
    if (dx !== 0) state[0] = Math.sign(dx);
    if (dy !== 0) state[1] = Math.sign(dy);
    t += Math.hypot(dx, dy) / speed + overhead;
  };
  for (const size of sizes) {
    for (let r = 0; r < rounds; r++) {
      capture(size, r, 0);
      for (const dir of [1, 2, 3, 4] as const) {
        const [ux, uy] = dirVec[dir];
        move(ux * size, uy * size);
        move(-ux * size, -uy * size);
        drawNoise(size);
        capture(size, r, dir);
      }
      t += pause;
    }
  }

  let frames: ImageView<Uint16Array> | null = null;
  let cameraTruth: CameraTruth | null = null;
  if (options.render) {
    const fw = fo.beadFwhmUm ?? [1, 1, 3];
    const photons = fo.beadPhotons ?? 20000;
    requireNonNegative("frames.beadPhotons", photons);
    const bg = fo.backgroundPhotons ?? 20;
    requireNonNegative("frames.backgroundPhotons", bg);
    const kernel = createPsfKernel({ kind: "gaussian", fwhmUm: fw }, [1, pixelSizeUm, pixelSizeUm], { pixelIntegration: true });
    const sensor = createCameraSensor(fny, fnx, fo.camera ?? {}, rng);
    cameraTruth = sensor.truth;
    const planeSize = fny * fnx;
    const out = new Uint16Array(captures.length * planeSize);
    const plane = new Float32Array(planeSize);
    for (const c of captures) {
      plane.fill(bg);
      kernel.addToPlane(plane, fny, fnx, c.beadPx[0], c.beadPx[1], 0, photons);
      applyCameraInto(plane, sensor, rng, out.subarray(c.index * planeSize, (c.index + 1) * planeSize));
    }
    frames = makeImage(out, [captures.length, fny, fnx], { voxelSizeUm: [1, pixelSizeUm, pixelSizeUm], bitDepth: sensor.model.bitDepth });
  }
  return {
    frames,
    truth: {
      captures,
      repeatabilitySdUm: [sd[0], sd[1]],
      sdPerMmUm: [sdPerMm[0], sdPerMm[1]],
      zRepeatabilitySdUm: zSd,
      backlashUm: [backlash[0], backlash[1]],
      offsetUm: [offset[0], offset[1]],
      driftUmPerH: drift.v,
      settlingUm: drift.a,
      settlingTimeConstantS: drift.tau,
      pixelSizeUm,
      camera: cameraTruth,
      seed,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Drift time-lapse
// ---------------------------------------------------------------------------------------------

/** Options of {@link simulateDriftSeries}. */
export interface DriftSeriesOptions extends DriftModelOptions {
  /** Number of time points. @default 60 */
  readonly timePoints?: number;
  /** Interval between time points, s. @default 10 */
  readonly intervalS?: number;
  /** Random jitter SD [x, y, z] per time point, µm (localisation-like noise on the true position). @default [0.005, 0.005, 0.01] */
  readonly jitterSdUm?: Xyz;
  /** Render frames (otherwise positions only). @default true */
  readonly render?: boolean;
  /** Frame rendering settings. */
  readonly frames?: StageFrameOptions;
  /** z-slices per time point (1 = 2D time-lapse). @default 1 */
  readonly zSlices?: number;
  /** z step of the per-time-point stacks, µm. @default 0.2 */
  readonly zStepUm?: number;
  /** Stabilisation threshold for the truth, µm (MetroloJ_QC default isotropic 0.2 µm). @default 0.2 */
  readonly stabilisationThresholdUm?: number;
  /** Random seed. @default 1 */
  readonly seed?: number;
}

/** Result of {@link simulateDriftSeries}. */
export interface DriftSeries {
  /** One image per time point: [zSlices, ny, nx]; null when `render` is false. */
  readonly frames: readonly ImageView<Uint16Array>[] | null;
  readonly truth: {
    readonly timesS: readonly number[];
    /** True bead displacement from its start [x, y, z], µm (drift + jitter). */
    readonly positionsUm: readonly Xyz[];
    /** Noise-free drift D(t) [x, y, z], µm. */
    readonly driftUm: readonly Xyz[];
    /** Bead centre in the frames [x, y, z], px (z only meaningful for zSlices > 1). */
    readonly beadPx: readonly Xyz[];
    /**
     * MetroloJ_QC driftProfiler rule on the noise-free drift: time of the first time point t ≥ 1 such that every
     * frame-to-frame displacement from t on (3D when zSlices > 1, else xy) is ≤ the threshold, s; null if none.
     */
    readonly stabilisationTimeS: number | null;
    /** The same rule per axis [x, y, z] (MetroloJ_QC applies the isotropic threshold per axis too), s. */
    readonly stabilisationPerAxisS: readonly [x: number | null, y: number | null, z: number | null];
    readonly stabilisationThresholdUm: number;
    readonly driftUmPerH: Xyz;
    readonly settlingUm: Xyz;
    readonly settlingTimeConstantS: number;
    readonly pixelSizeUm: number;
    readonly zStepUm: number;
    readonly camera: CameraTruth | null;
    readonly seed: number;
  };
}

/**
 * Simulates a drift / stabilisation time-lapse of a single bead (2D frames or a z-stack per time point).
 *
 * @param options - Timing, drift model (linear + exponential settling), jitter, rendering, seed.
 * @returns `{ frames, truth }` with the true positions and the noise-free stabilisation time.
 * @throws InvalidArgumentError for non-positive counts, intervals or sizes.
 *
 * Notes: the bead starts at the frame centre (and the stack centre in z). D(t) = v·t + A·(1 − e^{−t/τ}).
 * @example
 * const d = simulateDriftSeries({ render: false, timePoints: 30, seed: 5 });
 * // d.truth.positionsUm.length → 30
 * @see MetroloJ_QC driftProfiler (peers.md F26); quarep-protocols.md §WG6.
 */
export function simulateDriftSeries(options: DriftSeriesOptions = {}): DriftSeries {
  const nt = options.timePoints ?? 60;
  requireInteger("timePoints", nt, 1);
  const interval = options.intervalS ?? 10;
  requirePositive("intervalS", interval);
  const jitter = options.jitterSdUm ?? [0.005, 0.005, 0.01];
  requireFiniteTuple("jitterSdUm", jitter, 3, "[x, y, z] in µm");
  jitter.forEach((v, i) => {
    requireNonNegative(`jitterSdUm[${i}]`, v);
  });
  const drift = resolveDrift(options, { v: [1, 0.5, 0.3], a: [0.5, 0.3, 1], tau: 300 });
  const zSlices = options.zSlices ?? 1;
  requireInteger("zSlices", zSlices, 1);
  const zStep = options.zStepUm ?? 0.2;
  requirePositive("zStepUm", zStep);
  const threshold = options.stabilisationThresholdUm ?? 0.2;
  requirePositive("stabilisationThresholdUm", threshold);
  const fo = options.frames ?? {};
  const pixelSizeUm = fo.pixelSizeUm ?? 0.1;
  requirePositive("frames.pixelSizeUm", pixelSizeUm);
  const [fny, fnx] = fo.frameShapePx ?? [64, 64];
  requireShape("frames.frameShapePx", [fny, fnx], 2);
  const seed = options.seed ?? 1;
  const rng = new Random(seed);

  const timesS: number[] = [];
  const driftUm: Xyz[] = [];
  const positionsUm: Xyz[] = [];
  const beadPx: Xyz[] = [];
  const cx = (fnx - 1) / 2;
  const cy = (fny - 1) / 2;
  const cz = (zSlices - 1) / 2;
  for (let i = 0; i < nt; i++) {
    const t = i * interval;
    const d = driftAt(drift, t);
    const p: Xyz = [d[0] + rng.normal(0, jitter[0]), d[1] + rng.normal(0, jitter[1]), d[2] + rng.normal(0, jitter[2])];
    timesS.push(t);
    driftUm.push(d);
    positionsUm.push(p);
    beadPx.push([cx + p[0] / pixelSizeUm, cy + p[1] / pixelSizeUm, cz + p[2] / zStep]);
  }
  // MetroloJ_QC getStabilisationTimepoint on the noise-free path: the first time point t ≥ 1 such that every
  // displacement Δ(t') = |D(t') − D(t' − 1)| with t' ≥ t is ≤ threshold; null when there is none.
  const stabilisation = (step: (a: Xyz, b: Xyz) => number): number | null => {
    let lastViolation = 0;
    for (let i = 1; i < nt; i++) if (step(driftUm[i - 1], driftUm[i]) > threshold) lastViolation = i;
    const idx = Math.max(1, lastViolation + 1);
    return idx < nt ? timesS[idx] : null;
  };
  const stabilisationTimeS = stabilisation((a, b) =>
    zSlices > 1 ? Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]) : Math.hypot(b[0] - a[0], b[1] - a[1]),
  );
  const perAxis = [0, 1, 2].map((k) => stabilisation((a, b) => Math.abs(b[k] - a[k])));
  const stabilisationPerAxisS: readonly [number | null, number | null, number | null] = [perAxis[0], perAxis[1], perAxis[2]];

  let frames: ImageView<Uint16Array>[] | null = null;
  let cameraTruth: CameraTruth | null = null;
  if (options.render ?? true) {
    const fw = fo.beadFwhmUm ?? [0.3, 0.3, 0.8];
    const photons = fo.beadPhotons ?? 20000;
    requireNonNegative("frames.beadPhotons", photons);
    const bg = fo.backgroundPhotons ?? 20;
    requireNonNegative("frames.backgroundPhotons", bg);
    const kernel = createPsfKernel({ kind: "gaussian", fwhmUm: fw }, [zStep, pixelSizeUm, pixelSizeUm], { pixelIntegration: true });
    const sensor = createCameraSensor(fny, fnx, fo.camera ?? {}, rng);
    cameraTruth = sensor.truth;
    const planeSize = fny * fnx;
    const plane = new Float32Array(planeSize);
    frames = [];
    for (let i = 0; i < nt; i++) {
      const out = new Uint16Array(zSlices * planeSize);
      for (let k = 0; k < zSlices; k++) {
        plane.fill(bg);
        // 2D frames sit in the bead's focal plane; stacks sample z around the start position
        const dzUm = zSlices > 1 ? (k - beadPx[i][2]) * zStep : 0;
        kernel.addToPlane(plane, fny, fnx, beadPx[i][0], beadPx[i][1], dzUm, photons);
        applyCameraInto(plane, sensor, rng, out.subarray(k * planeSize, (k + 1) * planeSize));
      }
      frames.push(makeImage(out, [zSlices, fny, fnx], { voxelSizeUm: [zStep, pixelSizeUm, pixelSizeUm], bitDepth: sensor.model.bitDepth }));
    }
  }
  return {
    frames,
    truth: {
      timesS,
      positionsUm,
      driftUm,
      beadPx,
      stabilisationTimeS,
      stabilisationPerAxisS,
      stabilisationThresholdUm: threshold,
      driftUmPerH: drift.v,
      settlingUm: drift.a,
      settlingTimeConstantS: drift.tau,
      pixelSizeUm,
      zStepUm: zStep,
      camera: cameraTruth,
      seed,
    },
  };
}
