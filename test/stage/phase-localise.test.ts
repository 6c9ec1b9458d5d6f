import { describe, expect, test } from "vitest";
import { DimensionError, InvalidArgumentError } from "../../src/core/errors.js";
import { Random } from "../../src/core/random.js";
import { gaussianBlur } from "../../src/image/blur.js";
import { fft2d, ifft2d, realPart } from "../../src/image/fft.js";
import { type ImageView, makeImage } from "../../src/image/types.js";
import { simulateStageSeries } from "../../src/simulate/stage.js";
import { localiseBeadSeries } from "../../src/stage/localise.js";
import { phaseCorrelate } from "../../src/stage/phase-correlation.js";

const N = 64;

/** Band-limited texture shifted exactly (circularly) by a Fourier phase ramp. */
function texturePair(dx: number, dy: number, rng: Random): [ImageView, ImageView] {
  const raw = new Float32Array(N * N).map(() => rng.normal());
  const tex = gaussianBlur(makeImage(raw, [1, N, N]), [0, 2, 2], { truncateSigmas: 4 });
  const F = fft2d(tex);
  const out = new Float64Array(F.data);
  for (let ky = 0; ky < N; ky++) {
    const fy = ky < N / 2 ? ky : ky - N;
    for (let kx = 0; kx < N; kx++) {
      const fx = kx < N / 2 ? kx : kx - N;
      const ph = (-2 * Math.PI * (fx * dx + fy * dy)) / N;
      const i = 2 * (ky * N + kx);
      const re = out[i];
      const im = out[i + 1];
      out[i] = re * Math.cos(ph) - im * Math.sin(ph);
      out[i + 1] = re * Math.sin(ph) + im * Math.cos(ph);
    }
  }
  const moved = realPart(ifft2d({ data: out, width: N, height: N }));
  return [tex, makeImage(Float32Array.from(moved.data), [1, N, N])];
}

function bead(cx: number, cy: number, rng: Random, noise: number): ImageView {
  const d = new Float32Array(N * N);
  for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) d[y * N + x] = 100 + 1000 * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * 1.3 * 1.3)) + (noise ? rng.normal(0, noise) : 0);
  return makeImage(d, [1, N, N]);
}

describe("phaseCorrelate", () => {
  test("recovers sub-pixel shifts of a textured image to 0.05 px (phase correlation, 20 random shifts)", () => {
    const rng = new Random(11);
    let worst = 0;
    for (let k = 0; k < 20; k++) {
      const dx = rng.range(-6, 6);
      const dy = rng.range(-6, 6);
      const [a, b] = texturePair(dx, dy, rng);
      const r = phaseCorrelate(a, b, { window: "none" });
      worst = Math.max(worst, Math.abs(r.shiftXPx - dx), Math.abs(r.shiftYPx - dy));
      expect(r.peak).toBeGreaterThan(0.5);
    }
    expect(worst).toBeLessThan(0.05);
  });

  test("sign convention, Hann window and a noisy bead (cross-correlation within 0.05 px)", () => {
    const rng = new Random(2);
    const r = phaseCorrelate(bead(31.5, 31.5, rng, 0), bead(32.75, 31, rng, 0));
    expect(Math.abs(r.shiftXPx - 1.25)).toBeLessThan(0.05);
    expect(Math.abs(r.shiftYPx + 0.5)).toBeLessThan(0.05);
    let worst = 0;
    let ss = 0;
    for (let k = 0; k < 20; k++) {
      const dx = rng.range(-3, 3);
      const dy = rng.range(-3, 3);
      const c = phaseCorrelate(bead(31.5, 31.5, rng, 10), bead(31.5 + dx, 31.5 + dy, rng, 10), { normalisation: "cross", window: "none" });
      worst = Math.max(worst, Math.abs(c.shiftXPx - dx), Math.abs(c.shiftYPx - dy));
      ss += (c.shiftXPx - dx) ** 2 + (c.shiftYPx - dy) ** 2;
    }
    expect(worst).toBeLessThan(0.05);
    expect(Math.sqrt(ss / 40)).toBeLessThan(0.025);
  });

  test("errors", () => {
    const a = makeImage(new Float32Array(16), [1, 4, 4]);
    expect(() => phaseCorrelate(a, makeImage(new Float32Array(20), [1, 4, 5]))).toThrow(DimensionError);
    expect(() => phaseCorrelate(a, a, { upsampleFactor: 0.5 })).toThrow(InvalidArgumentError);
  });
});

describe("localiseBeadSeries", () => {
  test("all three methods find the rendered bead to < 0.02 µm RMS (≈ 0.06 px)", () => {
    const s = simulateStageSeries({ rounds: 4, render: true, seed: 3, moveSizesUm: [300] });
    const truth = s.truth.captures;
    for (const method of ["gaussian", "phase-correlation", "centroid"] as const) {
      const loc = localiseBeadSeries(s.frames!, { method });
      expect(loc.excluded).toEqual([]);
      const p = loc.positions;
      const mx = p.reduce((a, q) => a + (q.xUm as number), 0) / p.length;
      const my = p.reduce((a, q) => a + (q.yUm as number), 0) / p.length;
      const tx = truth.reduce((a, c) => a + c.positionUm[0], 0) / truth.length;
      const ty = truth.reduce((a, c) => a + c.positionUm[1], 0) / truth.length;
      let ss = 0;
      p.forEach((q, i) => {
        ss += ((q.xUm as number) - mx - (truth[i].positionUm[0] - tx)) ** 2 + ((q.yUm as number) - my - (truth[i].positionUm[1] - ty)) ** 2;
      });
      expect(Math.sqrt(ss / (2 * p.length))).toBeLessThan(method === "centroid" ? 0.03 : 0.02);
      expect(loc.pixelSizeUm).toBe(0.325);
      if (method === "phase-correlation") expect(loc.referenceFrame).toBe(0);
    }
  });

  test("a frame where the bead is lost, or at the edge, is excluded with the reason", () => {
    const s = simulateStageSeries({ rounds: 2, render: true, seed: 4, moveSizesUm: [300] });
    const empty = simulateStageSeries({ rounds: 2, render: true, seed: 5, moveSizesUm: [300], frames: { beadPhotons: 0 } });
    const n = 64 * 64;
    const data = Uint16Array.from(s.frames!.data);
    data.set(empty.frames!.data.subarray(3 * n, 4 * n), 3 * n);
    const stack = makeImage(data, s.frames!.shape, { voxelSizeUm: s.frames!.voxelSizeUm });
    for (const method of ["gaussian", "phase-correlation"] as const) {
      const loc = localiseBeadSeries(stack, { method });
      expect(loc.excluded.map((e) => e.frame)).toEqual([3]);
      expect(loc.excluded[0].reason).toMatch(/no bead found: the brightest spot is \d+\.\d background SDs above the background \(need ≥ 10\)/);
      expect(loc.positions[3].xUm).toBeNull();
    }
    const edge = simulateStageSeries({ rounds: 1, render: true, seed: 6, moveSizesUm: [300], offsetUm: [9.2, 0] });
    const le = localiseBeadSeries(edge.frames!);
    expect(le.excluded.length).toBe(5);
    expect(le.excluded[0].reason).toMatch(/within 6 px of the frame edge/);
    expect(() => localiseBeadSeries(stack, { boxHalfPx: 1 })).toThrow(InvalidArgumentError);
  });
});
