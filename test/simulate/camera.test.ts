import { describe, expect, test } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { Random } from "../../src/core/random.js";
import { makeImage } from "../../src/image/types.js";
import { applyCameraModel, createCameraSensor, simulateCameraImage, simulateCameraSeries } from "../../src/simulate/camera.js";

function meanVar(a: ArrayLike<number>): { mean: number; variance: number } {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < a.length; i++) {
    s += a[i];
    s2 += a[i] * a[i];
  }
  const mean = s / a.length;
  return { mean, variance: (s2 - a.length * mean * mean) / (a.length - 1) };
}

/** Temporal variance from a frame pair: var(A − B)/2. */
function pairVariance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const d = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) d[i] = a[i] - b[i];
  return meanVar(d).variance / 2;
}

describe("camera model", () => {
  test("EMVA series: mean = offset + e⁻/K and variance = (mean − offset)/K + σ²/K² + 1/12 at every unsaturated level (4 SE)", () => {
    const s = simulateCameraSeries({ seed: 11, levels: 12, shape: [64, 64], camera: { gainEPerAdu: 0.8, readNoiseE: 2, darkCurrentEPerS: 20, exposureS: 0.5 } });
    const n = 64 * 64;
    let checked = 0;
    for (let i = 0; i < s.levels.length; i++) {
      const lv = s.levels[i];
      const tr = s.truth.levels[i];
      if (tr.saturated) continue;
      checked++;
      const a = lv.flat[0].data;
      const b = lv.flat[1].data;
      const m = (meanVar(a).mean + meanVar(b).mean) / 2;
      const v = pairVariance(a, b);
      expect(Math.abs(m - tr.expectedMeanAdu)).toBeLessThan(4 * Math.sqrt(tr.expectedVarianceAdu2 / (2 * n)));
      expect(Math.abs(v / tr.expectedVarianceAdu2 - 1)).toBeLessThan(4 * Math.sqrt(2 / (n - 1)));
      // the brief's form: (μ − offset)/K + σ²/K² (+ quantisation)
      const K = s.truth.gainEPerAdu;
      const formula = (tr.expectedMeanAdu - s.truth.offsetAdu) / K + (s.truth.readNoiseE / K) ** 2 + 1 / 12;
      expect(tr.expectedVarianceAdu2).toBeCloseTo(formula, 9);
      const dv = pairVariance(lv.dark[0].data, lv.dark[1].data);
      expect(Math.abs(dv / tr.expectedDarkVarianceAdu2 - 1)).toBeLessThan(4 * Math.sqrt(2 / (n - 1)));
    }
    expect(checked).toBeGreaterThanOrEqual(9);
    // top level is saturated: the variance collapses
    const top = s.levels[s.levels.length - 1];
    expect(s.truth.levels[s.levels.length - 1].saturated).toBe(true);
    expect(pairVariance(top.flat[0].data, top.flat[1].data)).toBeLessThan(0.2 * s.truth.levels[s.levels.length - 2].expectedVarianceAdu2);
  });

  test("photon-transfer slope through the origin recovers K within 2 %; dark mean slope recovers the dark current within 5 %", () => {
    const s = simulateCameraSeries({ seed: 3, levels: 20, camera: { gainEPerAdu: 1.7, readNoiseE: 3, darkCurrentEPerS: 400, exposureS: 1, fullWellE: 20000, bitDepth: 16 } });
    let sxy = 0;
    let sxx = 0;
    const ts: number[] = [];
    const dm: number[] = [];
    for (let i = 0; i < s.levels.length; i++) {
      const lv = s.levels[i];
      const tr = s.truth.levels[i];
      const darkMean = (meanVar(lv.dark[0].data).mean + meanVar(lv.dark[1].data).mean) / 2;
      ts.push(lv.exposureS);
      dm.push(darkMean);
      if (tr.expectedMeanAdu - s.truth.offsetAdu > 0.7 * (s.truth.saturationE / s.truth.gainEPerAdu)) continue;
      const x = (meanVar(lv.flat[0].data).mean + meanVar(lv.flat[1].data).mean) / 2 - darkMean;
      const y = pairVariance(lv.flat[0].data, lv.flat[1].data) - pairVariance(lv.dark[0].data, lv.dark[1].data);
      sxy += x * y;
      sxx += x * x;
    }
    expect(Math.abs(sxx / sxy / 1.7 - 1)).toBeLessThan(0.02);
    // dark mean rises as I_dark·t/K
    const tm = ts.reduce((a, b) => a + b, 0) / ts.length;
    const ym = dm.reduce((a, b) => a + b, 0) / dm.length;
    let num = 0;
    let den = 0;
    for (let i = 0; i < ts.length; i++) {
      num += (ts[i] - tm) * (dm[i] - ym);
      den += (ts[i] - tm) ** 2;
    }
    expect(Math.abs(((num / den) * 1.7) / 400 - 1)).toBeLessThan(0.05);
  });

  test("all sampling paths (cached ADU table, cached electrons + map, per-pixel, Poisson superposition) agree with the model (4 SE)", () => {
    const n = 128 * 128;
    const rng = new Random(5);
    const cam = { readNoiseE: 1.2, gainEPerAdu: 0.46 };
    const uniform = createCameraSensor(128, 128, cam, rng);
    // a uniform explicit offset map changes nothing in the model but forces the electron-table path
    const mapped = createCameraSensor(128, 128, { ...cam, offsetMapAdu: new Float32Array(n).fill(100) }, rng);
    const expected = (photons: number): { mean: number; variance: number } => {
      const e = 0.8 * photons + 0.05;
      return { mean: 100 + e / 0.46, variance: e / 0.46 ** 2 + (1.2 / 0.46) ** 2 + 1 / 12 };
    };
    const check = (values: number[], photons: number): void => {
      const r = meanVar(values);
      const x = expected(photons);
      expect(Math.abs(r.mean - x.mean)).toBeLessThan(4 * Math.sqrt(x.variance / values.length));
      expect(Math.abs(r.variance / x.variance - 1)).toBeLessThan(4 * Math.sqrt(2 / values.length));
    };
    const flat = new Float32Array(n).fill(12.5);
    check(Array.from(applyCameraModel(flat, uniform, rng)), 12.5);
    check(Array.from(applyCameraModel(flat, mapped, rng)), 12.5);
    // no two neighbours equal: every pixel takes the per-pixel path (1e-4 photons changes nothing measurable)
    const jitter = flat.map((v, i) => v + (i % 2) * 1e-4);
    check(Array.from(applyCameraModel(jitter, uniform, rng)), 12.5);
    // each plane: a background run first (cached), then pixels 0.24 and 0.72 e⁻ above it: Poisson superposition path
    const plane = new Float32Array(n).fill(12.5);
    for (let i = 1024; i < n; i++) plane[i] = 12.5 + (i % 2 === 0 ? 0.3 : 0.9);
    for (const sensor of [uniform, mapped]) {
      const a03: number[] = [];
      const a09: number[] = [];
      for (let k = 0; k < 4; k++) {
        const out = applyCameraModel(plane, sensor, rng);
        for (let i = 1024; i < n; i++) (i % 2 === 0 ? a03 : a09).push(out[i]);
      }
      check(a03, 12.8);
      check(a09, 13.4);
    }
  });

  test("saturation: electrons clip at the full well and counts at 2^bits − 1", () => {
    const img = makeImage(new Float32Array(32 * 32).fill(1e7), [1, 32, 32]);
    const fw = simulateCameraImage(img, { seed: 1, fullWellE: 10000, gainEPerAdu: 1, readNoiseE: 0 });
    expect(new Set(fw.image.data).size).toBe(1);
    expect(fw.image.data[0]).toBe(10100);
    const adc = simulateCameraImage(img, { seed: 1, fullWellE: 1e6, bitDepth: 12, gainEPerAdu: 1 });
    expect(Math.min(...adc.image.data)).toBe(4095);
    const eight = simulateCameraImage(makeImage(new Float32Array(16).fill(10), [1, 4, 4]), { bitDepth: 8, offsetAdu: 10 });
    expect(eight.image.data).toBeInstanceOf(Uint8Array);
  });

  test("hot pixels: round(fraction·N) distinct pixels, bright in a dark frame", () => {
    const dark = makeImage(new Float32Array(100 * 100), [1, 100, 100]);
    const r = simulateCameraImage(dark, { seed: 9, hotPixelFraction: 0.002, hotPixelDarkCurrentEPerS: 5000, exposureS: 0.2 });
    expect(r.truth.camera.hotPixelIndices.length).toBe(20);
    for (const i of r.truth.camera.hotPixelIndices) expect(r.image.data[i]).toBeGreaterThan(100 + 1000);
    const others = Array.from(r.image.data).filter((_, i) => !r.truth.camera.hotPixelIndices.includes(i));
    expect(Math.max(...others)).toBeLessThan(130);
  });

  test("sCMOS maps: per-pixel temporal SD follows the read-noise map; offset map spread is reported", () => {
    const frames = 200;
    const dark = makeImage(new Float32Array(frames * 16 * 16), [frames, 16, 16]);
    const r = simulateCameraImage(dark, { seed: 4, readNoiseE: 2, readNoiseSpread: 0.5, pixelOffsetSdAdu: 3, darkCurrentEPerS: 0, gainEPerAdu: 0.25 });
    const sensor = createCameraSensor(16, 16, { readNoiseE: 2, readNoiseSpread: 0.5, pixelOffsetSdAdu: 3, darkCurrentEPerS: 0, gainEPerAdu: 0.25 }, new Random(4));
    // same seed → same maps
    expect(r.truth.camera.readNoiseRmsE).toBeCloseTo(sensor.truth.readNoiseRmsE, 12);
    let ratio = 0;
    for (let p = 0; p < 256; p++) {
      const series = new Float64Array(frames);
      for (let f = 0; f < frames; f++) series[f] = r.image.data[f * 256 + p];
      const sdAdu = Math.sqrt(meanVar(series).variance - 1 / 12);
      ratio += (sdAdu * 0.25) / sensor.readNoiseMapE![p];
    }
    expect(Math.abs(ratio / 256 - 1)).toBeLessThan(0.03);
    expect(r.truth.camera.offsetSdAdu).toBeGreaterThan(2.4);
    expect(r.truth.camera.offsetSdAdu).toBeLessThan(3.6);
  });

  test("same seed → identical frames; different seed → different", () => {
    const a = simulateCameraSeries({ seed: 1, levels: 3 });
    const b = simulateCameraSeries({ seed: 1, levels: 3 });
    const c = simulateCameraSeries({ seed: 2, levels: 3 });
    expect(b.levels[1].flat[0].data).toEqual(a.levels[1].flat[0].data);
    expect(c.levels[1].flat[0].data).not.toEqual(a.levels[1].flat[0].data);
  });

  test("invalid camera parameters throw InvalidArgumentError", () => {
    const img = makeImage(new Float32Array(4), [1, 2, 2]);
    expect(() => simulateCameraImage(img, { quantumEfficiency: 1.2 })).toThrow(/quantumEfficiency is 1.2/);
    expect(() => simulateCameraImage(img, { bitDepth: 20 })).toThrow(/bitDepth is 20/);
    expect(() => simulateCameraImage(img, { bitDepth: 8, offsetAdu: 300 })).toThrow(/not below the ADC maximum 255/);
    expect(() => simulateCameraImage(img, { gainEPerAdu: 0 })).toThrow(InvalidArgumentError);
    expect(() => simulateCameraImage(img, { offsetMapAdu: new Float32Array(3) })).toThrow(/has 3 values; the sensor has 2 × 2 = 4 pixels/);
    expect(() => simulateCameraSeries({ levels: 1 })).toThrow(/levels is 1/);
  });
});
