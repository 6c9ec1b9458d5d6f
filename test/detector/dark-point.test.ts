import { describe, expect, test } from "vitest";
import { InsufficientDataError, InvalidArgumentError, SaturationError } from "../../src/core/errors.js";
import { cameraPixelMaps, measureCameraDarkNoise } from "../../src/detector/dark.js";
import { measureDetectorGainSeries, measurePointDetectorSnr } from "../../src/detector/point.js";
import { simulatePointDetectorImage } from "../../src/detector/simulate-point.js";
import { makeImage } from "../../src/image/types.js";
import { simulateCameraSeries } from "../../src/simulate/camera.js";

const rel = (a: number, b: number) => Math.abs(a - b) / b;

describe("measureCameraDarkNoise (MetroloJ_QC dark test) and pixel maps", () => {
  test("sCMOS dark series: median and RMS read noise within 5 %, hot pixels found as warm, offset", () => {
    const s = simulateCameraSeries({
      seed: 12,
      levels: 2,
      shape: [64, 64],
      darkSeriesFrames: 60,
      camera: { readNoiseSpread: 0.3, pixelOffsetSdAdu: 2, hotPixelFraction: 0.005, hotPixelDarkCurrentEPerS: 5000 },
    });
    const K = s.truth.gainEPerAdu;
    const r = measureCameraDarkNoise(s.darkSeries!, { conversionGainEPerAdu: K, specReadNoiseE: 1.5 });
    expect(rel(r.readNoiseMedianE!.value, s.truth.readNoiseMedianE)).toBeLessThan(0.05);
    // RMS over pixels excluding the shot noise of hot pixels: compare on the maps without them
    const maps = cameraPixelMaps(s.darkSeries!, { conversionGainEPerAdu: K });
    const hot = new Set(s.truth.hotPixelIndices);
    let s2 = 0;
    let n = 0;
    maps.noise.data.forEach((v, p) => {
      if (!hot.has(p)) {
        s2 += v * v;
        n++;
      }
    });
    expect(rel(Math.sqrt(s2 / n), s.truth.readNoiseRmsE)).toBeLessThan(0.05);
    expect(r.warm.pixels).toBe(s.truth.hotPixelIndices.length);
    const warmIdx: number[] = [];
    maps.warmFrequency.data.forEach((f, p) => {
      if (f >= 0.5) warmIdx.push(p);
    });
    expect(warmIdx).toEqual(s.truth.hotPixelIndices);
    expect(r.cold.pixels).toBe(0);
    // the mean dark level includes the hot pixels' signal (5000 e⁻/s × 0.1 s / K each)
    const expectedOffset = 100 + (s.truth.hotPixelIndices.length * (500 / K)) / 4096 + 0.05 / K;
    expect(Math.abs(r.offsetAdu.value - expectedOffset)).toBeLessThan(0.5);
    expect(r.defectPercent).toBeCloseTo((100 * s.truth.hotPixelIndices.length) / 4096, 9);
    expect(r.checks.find((c) => c.id === "defect-pixels")!.level).toBe("warn");
    expect(r.checks.find((c) => c.id === "read-noise-ratio")!.level).toBe("pass");
    expect(r.noiseHistogram.counts.reduce((a, b) => a + b, 0)).toBe(4096);
    expect(maps.noiseUnit).toBe("e-");
  });

  test("DSNU is the spatial SD of the average image (MetroloJ_QC, not corrected for σ/√L)", () => {
    const s = simulateCameraSeries({ seed: 13, levels: 2, shape: [64, 64], darkSeriesFrames: 50, camera: { pixelOffsetSdAdu: 3 } });
    const r = measureCameraDarkNoise(s.darkSeries!);
    const rnAdu2 = (s.truth.readNoiseE / s.truth.gainEPerAdu) ** 2 + 1 / 12;
    expect(rel(r.dsnuAdu.value, Math.sqrt(s.truth.offsetSdAdu ** 2 + rnAdu2 / 50))).toBeLessThan(0.05);
    expect(r.dsnuE).toBeNull();
    expect(r.readNoiseMedianE).toBeNull();
    expect(r.provenance.notes.join(" ")).toMatch(/No conversion gain given/);
  });

  test("a dead pixel is cold; a saturated one is hot; errors", () => {
    const L = 10;
    const d = new Uint16Array(L * 16);
    for (let f = 0; f < L; f++) for (let p = 0; p < 16; p++) d[f * 16 + p] = 100 + ((f + p) % 3);
    for (let f = 0; f < L; f++) {
      d[f * 16 + 5] = 0;
      d[f * 16 + 9] = 65535;
      if (f < 3) d[f * 16 + 2] = 150; // warm in 3 of 10 frames only
    }
    const r = measureCameraDarkNoise(makeImage(d, [L, 4, 4]));
    expect(r.cold.pixels).toBe(1);
    expect(r.hot.pixels).toBe(1);
    expect(r.warm.pixels).toBe(0);
    expect(r.warm.anyFrame).toBe(1);
    expect(r.defectPercent).toBeCloseTo((100 * 2) / 16, 9);
    expect(r.checks[0].level).toBe("fail");
    expect(() => measureCameraDarkNoise(makeImage(new Uint16Array(16), [1, 4, 4]))).toThrow(InsufficientDataError);
    expect(() => measureCameraDarkNoise(makeImage(d, [L, 4, 4]), { thresholdPercent: 150 })).toThrow(InvalidArgumentError);
  });
});

describe("point detectors", () => {
  test("simulator: mean and variance follow λG and F·λ·G² + σ_r²", () => {
    const { image, truth } = simulatePointDetectorImage({ photonsPerPixel: 30, gainAduPerPhoton: 8, excessNoiseFactor: 1.4, shape: [1, 128, 128], seed: 3 });
    let s = 0;
    let s2 = 0;
    for (const v of image.data) {
      s += v;
      s2 += v * v;
    }
    const n = image.data.length;
    const mean = s / n;
    const variance = s2 / n - mean * mean;
    expect(rel(mean - truth.offsetAdu, truth.signalAdu)).toBeLessThan(0.01);
    expect(rel(variance, truth.noiseAdu ** 2)).toBeLessThan(0.04);
  });

  test("NoiSee SNR and SBR within 3 % of the planted values (PMT-like and photon counting)", () => {
    for (const [f, seed] of [
      [1.3, 1],
      [1, 2],
    ] as const) {
      const sig = simulatePointDetectorImage({ photonsPerPixel: 40, excessNoiseFactor: f, seed });
      const dark = simulatePointDetectorImage({ photonsPerPixel: 0, excessNoiseFactor: f, seed: seed + 10 });
      const r = measurePointDetectorSnr(sig.image, dark.image, { baselineSnr: sig.truth.snr * 1.15 });
      expect(rel(r.snr.value, sig.truth.snr)).toBeLessThan(0.03);
      expect(rel(r.sbr!.value, sig.truth.signalAdu / sig.truth.offsetAdu)).toBeLessThan(0.03);
      expect(Math.abs(r.snr.value - sig.truth.snr)).toBeLessThan(4 * r.snr.uncertainty + 0.02 * sig.truth.snr);
      const c = r.checks[0];
      expect(c.level).toBe("warn"); // SNR/baseline ≈ 1/1.15 = 0.87: below 0.9 (warn), above 0.8 (fail)
    }
  });

  test("saturation, dark brighter than signal, and photon counting without offset", () => {
    const hot = simulatePointDetectorImage({ photonsPerPixel: 400, seed: 4 });
    const dark = simulatePointDetectorImage({ photonsPerPixel: 0, seed: 5 });
    expect(() => measurePointDetectorSnr(hot.image, dark.image)).toThrow(SaturationError);
    expect(() => measurePointDetectorSnr(hot.image, dark.image)).toThrow(/% of the solution pixels are at ≥ 4095 ADU/);
    expect(() => measurePointDetectorSnr(dark.image, hot.image, { maxSaturatedFraction: 1 })).toThrow(/not brighter than the dark image/);
    const hyd = simulatePointDetectorImage({ photonsPerPixel: 5, gainAduPerPhoton: 1, excessNoiseFactor: 1, offsetAdu: 0, readNoiseAdu: 0, seed: 6 });
    const hydDark = simulatePointDetectorImage({ photonsPerPixel: 0, gainAduPerPhoton: 1, excessNoiseFactor: 1, offsetAdu: 0, readNoiseAdu: 0, seed: 7 });
    const r = measurePointDetectorSnr(hyd.image, hydDark.image);
    expect(r.sbr).toBeNull();
    expect(rel(r.snr.value, Math.sqrt(5))).toBeLessThan(0.03);
    expect(r.provenance.notes.join(" ")).toMatch(/SBR is undefined/);
    expect(r.verdict.level).toBe("pass");
  });

  test("gain (HV) series: power-law exponent, apparent gain G·F and photons/F consistent across settings", () => {
    const hv = [500, 550, 600, 650, 700, 750, 900];
    const k = 7;
    const levels = hv.map((v, i) => {
      const g = 2 * (v / 500) ** k;
      return {
        gain: v,
        image: simulatePointDetectorImage({ photonsPerPixel: 30, gainAduPerPhoton: g, excessNoiseFactor: 1.3, shape: [2, 64, 64], seed: 20 + i }).image,
        dark: simulatePointDetectorImage({ photonsPerPixel: 0, gainAduPerPhoton: g, shape: [2, 64, 64], seed: 40 + i }).image,
      };
    });
    const r = measureDetectorGainSeries(levels);
    expect(Math.abs(r.powerLaw.exponent.value - k)).toBeLessThan(0.1);
    expect(r.powerLaw.rSquared).toBeGreaterThan(0.999);
    for (const l of r.levels.filter((x) => x.used)) {
      expect(l.noiseKind).toBe("temporal");
      expect(rel(l.photonsPerPixelOverF, 30 / 1.3)).toBeLessThan(0.05);
    }
    expect(r.photonConsistencyCvPercent).toBeLessThan(3);
    // the top setting saturates the 12-bit range: excluded with the reason
    const top = r.levels.find((l) => l.gain === 900)!;
    expect(top.used).toBe(false);
    expect(top.exclusion).toMatch(/saturated/);
    expect(() => measureDetectorGainSeries(levels.slice(5))).toThrow(InsufficientDataError);
    expect(() => measureDetectorGainSeries(levels.slice(5))).toThrow(/1 of 2 are usable \(900: saturated/);
  });
});
