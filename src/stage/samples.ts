/**
 * Bundled samples of the stage protocol (registered in the SAMPLES registry on import).
 */
import { writeOmeTiff } from "../io/tiff-writer.js";
import { makeImage } from "../image/types.js";
import { SAMPLES } from "../samples/index.js";
import { simulateDriftSeries, simulateStageSeries } from "../simulate/stage.js";

/** Settings of the "stage-series" sample (QUAREP order: 300 µm then 3000 µm moves, 16 rounds of centre, N, E, S, W). */
export const STAGE_SERIES_SAMPLE_SETTINGS = {
  moveSizesUm: [300, 3000] as const,
  rounds: 16,
  repeatabilitySdUm: [0.12, 0.12] as const,
  /** The fault: the error grows with the move length (0.15 µm per mm), so 3000 µm moves scatter 0.57 µm. */
  sdPerMmUm: [0.15, 0.15] as const,
  backlashUm: [0.6, 0.2] as const,
  /** This capture shows no bead (it drifted out of the field): it must be excluded with the reason. */
  lostBeadFrame: 37,
  pixelSizeUm: 0.325,
  seed: 21,
};

/** Settings of the "drift-series" sample: one frame every 20 s for 20 min, settling drift after a stage move. */
export const DRIFT_SERIES_SAMPLE_SETTINGS = {
  timePoints: 60,
  intervalS: 20,
  settlingUm: [2, 1.2, 0] as const,
  settlingTimeConstantS: 120,
  driftUmPerH: [0.6, 0.3, 0] as const,
  pixelSizeUm: 0.1,
  seed: 22,
};

SAMPLES["stage-series"] = {
  file: "stage-series.ome.tif",
  description:
    "Simulated QUAREP stage-repeatability series: 160 frames (64 × 64 px, 0.325 µm) of one bead after 300 µm and 3000 µm out-and-back moves (16 rounds of centre, N, E, S, W); backlash 0.6 µm in x; planted faults: the scatter grows to 0.57 µm for 3000 µm moves, and the bead is lost in frame 37.",
  async generate(path: string): Promise<void> {
    const s = STAGE_SERIES_SAMPLE_SETTINGS;
    const common = {
      moveSizesUm: [...s.moveSizesUm],
      rounds: s.rounds,
      repeatabilitySdUm: [s.repeatabilitySdUm[0], s.repeatabilitySdUm[1]] as [number, number],
      sdPerMmUm: [s.sdPerMmUm[0], s.sdPerMmUm[1]] as [number, number],
      backlashUm: [s.backlashUm[0], s.backlashUm[1]] as [number, number],
      render: true,
      seed: s.seed,
    };
    const series = simulateStageSeries({ ...common, frames: { pixelSizeUm: s.pixelSizeUm } });
    const empty = simulateStageSeries({ ...common, seed: s.seed + 1, frames: { pixelSizeUm: s.pixelSizeUm, beadPhotons: 0 } });
    const f = series.frames!;
    const n = f.shape[1] * f.shape[2];
    const data = Uint16Array.from(f.data);
    data.set(empty.frames!.data.subarray(s.lostBeadFrame * n, (s.lostBeadFrame + 1) * n), s.lostBeadFrame * n);
    await writeOmeTiff(path, makeImage(data, f.shape, { voxelSizeUm: f.voxelSizeUm ?? [1, s.pixelSizeUm, s.pixelSizeUm], bitDepth: 16 }), { imageName: "QUAREP stage repeatability (simulated)" });
  },
};

SAMPLES["drift-series"] = {
  file: "drift-series.ome.tif",
  description:
    "Simulated drift time-lapse after a stage move: 60 frames (64 × 64 px, 0.1 µm) of one bead, one every 20 s; the stage settles 2.3 µm with τ = 120 s (stabilised after ≈ 80–100 s at the 0.2 µm threshold), then drifts 0.7 µm/h.",
  async generate(path: string): Promise<void> {
    const s = DRIFT_SERIES_SAMPLE_SETTINGS;
    const d = simulateDriftSeries({
      timePoints: s.timePoints,
      intervalS: s.intervalS,
      settlingUm: [...s.settlingUm],
      settlingTimeConstantS: s.settlingTimeConstantS,
      driftUmPerH: [...s.driftUmPerH],
      frames: { pixelSizeUm: s.pixelSizeUm },
      seed: s.seed,
    });
    const frames = d.frames!;
    const n = 64 * 64;
    const data = new Uint16Array(n * frames.length);
    frames.forEach((fr, i) => {
      data.set(fr.data, i * n);
    });
    await writeOmeTiff(path, makeImage(data, [frames.length, 64, 64], { voxelSizeUm: [1, s.pixelSizeUm, s.pixelSizeUm], bitDepth: 16 }), { imageName: "Stage drift time-lapse (simulated), 20 s per frame" });
  },
};
