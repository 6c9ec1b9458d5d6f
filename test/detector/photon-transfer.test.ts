import { describe, expect, test } from "vitest";
import { DimensionError, InsufficientDataError } from "../../src/core/errors.js";
import { measurePhotonTransfer, type PhotonTransferLevelInput } from "../../src/detector/photon-transfer.js";
import { makeImage } from "../../src/image/types.js";
import { type CameraSeries, simulateCameraSeries } from "../../src/simulate/camera.js";

const inputs = (s: CameraSeries, photons = true): PhotonTransferLevelInput[] =>
  s.levels.map((l) => ({ exposureS: l.exposureS, ...(photons ? { photonsPerPixel: l.photonsPerPixel } : {}), flat: l.flat, dark: l.dark }));
const rel = (a: number, b: number) => Math.abs(a - b) / b;

describe("measurePhotonTransfer (EMVA 1288) on simulated cameras", () => {
  test("default sCMOS, exposure series, 3 seeds: K within 2 %, read noise within 5 %, offset, saturation, linearity, QE", () => {
    for (const seed of [2, 5, 9]) {
      const s = simulateCameraSeries({ seed, levels: 24, shape: [64, 64] });
      const r = measurePhotonTransfer(inputs(s));
      expect(rel(r.conversionGainEPerAdu.value, s.truth.gainEPerAdu)).toBeLessThan(0.02);
      expect(rel(r.systemGainAduPerE.value, s.truth.systemGainAduPerE)).toBeLessThan(0.02);
      expect(rel(r.readNoiseE.value, s.truth.readNoiseRmsE)).toBeLessThan(0.05);
      expect(Math.abs(r.offsetAdu.value - s.truth.offsetAdu)).toBeLessThan(0.2);
      expect(rel(r.saturation!.capacityE.value, s.truth.saturationE)).toBeLessThan(0.1);
      expect(Math.abs(r.linearityError!.minPercent)).toBeLessThan(0.5);
      expect(Math.abs(r.linearityError!.maxPercent)).toBeLessThan(0.5);
      expect(rel(r.quantumEfficiency!.value, s.truth.quantumEfficiency)).toBeLessThan(0.02);
      expect(r.dynamicRange!.db).toBeGreaterThan(80);
      expect(r.snrMax!.ratio).toBeCloseTo(Math.sqrt(r.saturation!.capacityE.value), 9);
      // measured SNR follows the EMVA model below saturation
      r.levels.forEach((l, i) => {
        if (l.usedForGain && l.signalAdu > 100) expect(Math.abs(r.snrCurve.measured[i] / r.snrCurve.model[i] - 1)).toBeLessThan(0.05);
      });
      expect(JSON.stringify(r)).not.toMatch(/NaN|Infinity/);
    }
  });

  test("dark current from an exposure series within 10 % (mean and variance methods); 12-bit CCD-like camera", () => {
    const s = simulateCameraSeries({ seed: 3, levels: 24, shape: [64, 64], camera: { darkCurrentEPerS: 20, exposureS: 5, readNoiseE: 2.5, gainEPerAdu: 1.2, bitDepth: 12, fullWellE: 4000 } });
    const r = measurePhotonTransfer(inputs(s));
    expect(rel(r.darkCurrentEPerS!.value, 20)).toBeLessThan(0.1);
    expect(rel(r.darkCurrentFromVarianceEPerS!.value, 20)).toBeLessThan(0.1);
    expect(rel(r.conversionGainEPerAdu.value, 1.2)).toBeLessThan(0.02);
    expect(r.options.saturationAdu).toBe(4095);
  });

  test("irradiance series (one exposure): K and read noise recovered; dark current not reported, with a note", () => {
    const s = simulateCameraSeries({ seed: 4, vary: "irradiance", levels: 20, camera: { gainEPerAdu: 2, bitDepth: 12, fullWellE: 9000 } });
    const r = measurePhotonTransfer(inputs(s, false));
    expect(rel(r.conversionGainEPerAdu.value, 2)).toBeLessThan(0.02);
    expect(rel(r.readNoiseE.value, s.truth.readNoiseRmsE)).toBeLessThan(0.05);
    expect(r.darkCurrentEPerS).toBeNull();
    expect(r.quantumEfficiency).toBeNull();
    expect(r.provenance.notes.join(" ")).toMatch(/dark current needs ≥ 3/);
  });

  test("saturated levels are excluded with the reason and do not bias K", () => {
    const s = simulateCameraSeries({ seed: 6, levels: 20, maxPhotonsPerPixel: 60000 });
    const r = measurePhotonTransfer(inputs(s));
    const sat = r.levels.filter((l) => l.exclusion?.startsWith("saturated"));
    expect(sat.length).toBeGreaterThan(3);
    for (const l of sat) {
      expect(l.usedForGain).toBe(false);
      expect(l.exclusion).toMatch(/% of pixels at ≥ 65535 ADU in a flat frame \(limit 0\.10 %\)/);
    }
    expect(r.levels.some((l) => l.exclusion?.startsWith("above 70 %"))).toBe(true);
    expect(rel(r.conversionGainEPerAdu.value, s.truth.gainEPerAdu)).toBeLessThan(0.02);
    expect(r.provenance.notes.join(" ")).toMatch(/saturated level\(s\) excluded/);
    // everything saturated except one level: a clear error
    const all = simulateCameraSeries({ seed: 6, levels: 6, maxPhotonsPerPixel: 400000 });
    expect(() => measurePhotonTransfer(inputs(all))).toThrow(InsufficientDataError);
    expect(() => measurePhotonTransfer(inputs(all))).toThrow(/usable for the gain fit .*saturated/);
  });

  test("a series that stops below saturation: no saturation, all levels used, noted", () => {
    const s = simulateCameraSeries({ seed: 7, levels: 10, maxPhotonsPerPixel: 15000 });
    const r = measurePhotonTransfer(inputs(s));
    expect(r.saturation).toBeNull();
    expect(r.dynamicRange).toBeNull();
    expect(r.levels.every((l) => l.usedForGain)).toBe(true);
    expect(r.provenance.notes.join(" ")).toMatch(/does not reach saturation/);
    expect(rel(r.conversionGainEPerAdu.value, s.truth.gainEPerAdu)).toBeLessThan(0.02);
  });

  test("DSNU and PRNU of a camera with fixed-pattern offset and gain", () => {
    const s = simulateCameraSeries({ seed: 8, levels: 16, shape: [96, 96], camera: { pixelOffsetSdAdu: 3, prnuPercent: 1 } });
    const r = measurePhotonTransfer(inputs(s));
    expect(rel(r.dsnuE.value, s.truth.offsetSdAdu * s.truth.gainEPerAdu)).toBeLessThan(0.1);
    expect(rel(r.prnuPercent!.value, 1)).toBeLessThan(0.15);
    // uniform sensor: no fixed pattern found
    const u = measurePhotonTransfer(inputs(simulateCameraSeries({ seed: 8, levels: 16, shape: [96, 96] })));
    expect(u.dsnuE.value).toBeLessThan(0.3); // noise of the σ²/L correction only (vs 1.35 e⁻ above)
  });

  test("a tiny dark variance is floored at 0.24 ADU² (EMVA) with a note; a spec check fails on a wrong gain", () => {
    const s = simulateCameraSeries({ seed: 10, levels: 12, camera: { readNoiseE: 0.1, gainEPerAdu: 2, bitDepth: 12, fullWellE: 8000 } });
    const r = measurePhotonTransfer(inputs(s), { spec: { conversionGainEPerAdu: 2.5, readNoiseE: 1.2, darkCurrentEPerS: 1 } });
    expect(r.provenance.notes.join(" ")).toMatch(/below 0\.24 ADU²; replaced by 0\.24 \(EMVA 1288\)/);
    expect(r.readNoiseE.value).toBeCloseTo(Math.sqrt(0.24 - 1 / 12) * r.conversionGainEPerAdu.value, 9);
    const g = r.checks.find((c) => c.id === "gain-deviation")!;
    expect(g.level).toBe("fail");
    expect(g.reason).toMatch(/conversion gain .* vs 2\.5/);
    expect(r.verdict.level).toBe("fail");
  });

  test("mismatched frame sizes are clear errors", () => {
    const s = simulateCameraSeries({ seed: 1, levels: 3, shape: [32, 32] });
    const odd = makeImage(new Uint16Array(32 * 30), [1, 32, 30]);
    const lv = inputs(s);
    expect(() => measurePhotonTransfer([{ ...lv[0], flat: [lv[0].flat[0], odd] }, lv[1]])).toThrow(DimensionError);
    expect(() => measurePhotonTransfer([{ ...lv[0], flat: [lv[0].flat[0], odd] }, lv[1]])).toThrow(/frame 1 has shape \[1, 32, 30\] but frame 0 is \[1, 32, 32\]/);
    expect(() => measurePhotonTransfer([{ ...lv[0], dark: [odd, odd] }, lv[1]])).toThrow(/flat frames are 32 × 32 px but its dark frames are 32 × 30 px/);
    const small = simulateCameraSeries({ seed: 1, levels: 3, shape: [16, 16] });
    expect(() => measurePhotonTransfer([lv[0], inputs(small)[1]])).toThrow(/has 16 × 16 px frames but level 0 has 32 × 32/);
    expect(() => measurePhotonTransfer([{ ...lv[0], flat: [lv[0].flat[0]] }, lv[1]])).toThrow(/1 frame; temporal noise needs at least 2/);
    expect(() => measurePhotonTransfer([lv[0]])).toThrow(InsufficientDataError);
  });
});
