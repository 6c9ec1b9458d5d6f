import { describe, expect, test } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { simulateDriftSeries, simulateStageSeries } from "../../src/simulate/stage.js";

const sdOf = (v: number[]): number => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
};

describe("simulateStageSeries", () => {
  test("follows the QUAREP sequence: per size and round a centre capture then N, E, S, W returns; time increases", () => {
    const { truth } = simulateStageSeries({ rounds: 3, seed: 1 });
    expect(truth.captures.length).toBe(2 * 3 * 5);
    expect(truth.captures.slice(0, 5).map((c) => c.directionName)).toEqual(["centre", "N", "E", "S", "W"]);
    expect(truth.captures[15].moveSizeUm).toBe(3000);
    for (let i = 1; i < truth.captures.length; i++) expect(truth.captures[i].timeS).toBeGreaterThan(truth.captures[i - 1].timeS);
    // round pause of 30 s between rounds
    expect(truth.captures[5].timeS - truth.captures[4].timeS).toBeGreaterThan(30);
  });

  test("within-direction SD equals the planted repeatability (pooled over directions, 4 SE) when drift is off", () => {
    const { truth } = simulateStageSeries({ rounds: 60, moveSizesUm: [300], repeatabilitySdUm: [0.12, 0.07], driftUmPerH: [0, 0, 0], seed: 3 });
    for (const axis of [0, 1] as const) {
      let pooled = 0;
      let df = 0;
      for (const d of [1, 2, 3, 4]) {
        const v = truth.captures.filter((c) => c.direction === d).map((c) => c.positionUm[axis]);
        pooled += sdOf(v) ** 2 * (v.length - 1);
        df += v.length - 1;
      }
      const sd = Math.sqrt(pooled / df);
      const planted = truth.repeatabilitySdUm[axis];
      expect(Math.abs(sd / planted - 1)).toBeLessThan(4 / Math.sqrt(2 * df));
    }
  });

  test("reversal value: returns approaching along +x minus along −x average to the planted backlash (4 SE)", () => {
    const { truth } = simulateStageSeries({ rounds: 40, moveSizesUm: [300], backlashUm: [0.4, -0.25], driftUmPerH: [0, 0, 0], offsetUm: [1, -2], seed: 9 });
    // return from W moves +x (approach ↑ in x); return from E moves −x (↓)
    const mean = (d: number, a: 0 | 1): number => {
      const v = truth.captures.filter((c) => c.direction === d).map((c) => c.positionUm[a]);
      return v.reduce((s, x) => s + x, 0) / v.length;
    };
    const se = 0.1 * Math.sqrt(2 / 40);
    expect(Math.abs(mean(4, 0) - mean(2, 0) - 0.4)).toBeLessThan(4 * se);
    // return from S moves +y, from N moves −y
    expect(Math.abs(mean(3, 1) - mean(1, 1) + 0.25)).toBeLessThan(4 * se);
    // the offset shifts everything
    expect(Math.abs((mean(4, 0) + mean(2, 0)) / 2 - 1)).toBeLessThan(4 * se);
  });

  test("drift adds v·t (µm/h) plus settling A(1 − e^{−t/τ}) to every capture", () => {
    const { truth } = simulateStageSeries({ rounds: 5, driftUmPerH: [2, -1, 0.5], settlingUm: [0.3, 0, -0.2], settlingTimeConstantS: 100, seed: 2 });
    for (const c of truth.captures) {
      const e = 1 - Math.exp(-c.timeS / 100);
      expect(c.driftUm[0]).toBeCloseTo((2 * c.timeS) / 3600 + 0.3 * e, 12);
      expect(c.driftUm[2]).toBeCloseTo((0.5 * c.timeS) / 3600 - 0.2 * e, 12);
      expect(c.positionUm[0]).toBeCloseTo(c.offsetUm[0] + c.randomUm[0] + c.backlashTermUm[0] + c.driftUm[0], 12);
    }
  });

  test("rendered frames show the bead where the truth says (centroid within 0.05 px)", () => {
    const { frames, truth } = simulateStageSeries({ rounds: 2, render: true, repeatabilitySdUm: [0.5, 0.5], frames: { beadPhotons: 2e5 }, seed: 4 });
    expect(frames!.shape).toEqual([20, 64, 64]);
    for (const c of truth.captures) {
      let s = 0;
      let mx = 0;
      let my = 0;
      const x0 = Math.round(c.beadPx[0]);
      const y0 = Math.round(c.beadPx[1]);
      for (let y = y0 - 8; y <= y0 + 8; y++)
        for (let x = x0 - 8; x <= x0 + 8; x++) {
          const v = frames!.data[c.index * 4096 + y * 64 + x] - 100 - (0.8 * 20 + 0.05) / 0.45;
          s += v;
          mx += v * x;
          my += v * y;
        }
      expect(Math.abs(mx / s - c.beadPx[0])).toBeLessThan(0.05);
      expect(Math.abs(my / s - c.beadPx[1])).toBeLessThan(0.05);
    }
  });

  test("same seed reproduces; invalid options throw", () => {
    expect(simulateStageSeries({ rounds: 2, seed: 5 }).truth.captures).toEqual(simulateStageSeries({ rounds: 2, seed: 5 }).truth.captures);
    expect(simulateStageSeries({ rounds: 2, seed: 6 }).truth.captures[3].positionUm).not.toEqual(simulateStageSeries({ rounds: 2, seed: 5 }).truth.captures[3].positionUm);
    expect(() => simulateStageSeries({ repeatabilitySdUm: [-0.1, 0.1] })).toThrow(/repeatabilitySdUm\[0\] is -0.1/);
    expect(() => simulateStageSeries({ moveSizesUm: [0] })).toThrow(InvalidArgumentError);
    expect(() => simulateStageSeries({ rounds: 0 })).toThrow(/rounds is 0/);
  });
});

describe("simulateDriftSeries", () => {
  test("positions follow the drift model; stabilisation time follows the MetroloJ_QC rule", () => {
    const { truth, frames } = simulateDriftSeries({
      timePoints: 40,
      intervalS: 30,
      driftUmPerH: [0.2, 0, 0],
      settlingUm: [3, 1, 0],
      settlingTimeConstantS: 200,
      render: false,
      seed: 1,
    });
    expect(frames).toBeNull();
    // Δ per step = A·e^{−t/τ}(1 − e^{−Δt/τ}) (+ v·Δt): find the last step above 0.2 µm by hand
    let last = 0;
    for (let i = 1; i < 40; i++) {
      const d = (t: number): number[] => [(0.2 * t) / 3600 + 3 * (1 - Math.exp(-t / 200)), 1 * (1 - Math.exp(-t / 200))];
      const a = d((i - 1) * 30);
      const b = d(i * 30);
      if (Math.hypot(b[0] - a[0], b[1] - a[1]) > 0.2) last = i;
    }
    expect(truth.stabilisationTimeS).toBe((last + 1) * 30);
    for (let i = 0; i < 40; i++) expect(Math.abs(truth.positionsUm[i][0] - truth.driftUm[i][0])).toBeLessThan(5 * 0.005);
  });

  test("3D frames: the bead's z centroid follows the planted focus drift", () => {
    const { truth, frames } = simulateDriftSeries({ timePoints: 5, intervalS: 300, zSlices: 21, zStepUm: 0.2, driftUmPerH: [0, 0, 3], settlingUm: [0, 0, 0], frames: { beadPhotons: 2e5 }, seed: 2 });
    expect(frames!.length).toBe(5);
    for (let i = 0; i < 5; i++) {
      const img = frames![i];
      let s = 0;
      let mz = 0;
      for (let z = 0; z < 21; z++)
        for (let p = 0; p < 64 * 64; p++) {
          const v = img.data[z * 4096 + p] - 100 - (0.8 * 20 + 0.05) / 0.45;
          s += v;
          mz += v * z;
        }
      expect(Math.abs(mz / s - truth.beadPx[i][2])).toBeLessThan(0.1);
    }
    expect(truth.beadPx[4][2] - truth.beadPx[0][2]).toBeCloseTo((3 * 1200) / 3600 / 0.2, 0);
  });

  test("invalid options throw", () => {
    expect(() => simulateDriftSeries({ intervalS: 0 })).toThrow(/intervalS is 0/);
    expect(() => simulateDriftSeries({ settlingTimeConstantS: -5 })).toThrow(InvalidArgumentError);
  });
});
