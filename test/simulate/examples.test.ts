/** Checks the @example of every public simulator function (the doc promises what these tests assert). */
import { describe, expect, test } from "vitest";
import { Random } from "../../src/core/random.js";
import { makeImage } from "../../src/image/types.js";
import {
  applyCameraInto,
  applyCameraModel,
  chromaticPositionUm,
  createCameraSensor,
  createPsfKernel,
  effectiveGaussianFwhmUm,
  evaluatePsf,
  focusShiftUm,
  formatPythonFloat,
  lateralFwhmAtUm,
  nollToNm,
  powerStats,
  resolveCameraModel,
  resolveScalarPsfSpec,
  scalarPsfFwhmUm,
  simulateBeadStack,
  simulateCameraImage,
  simulateCameraSeries,
  simulateDriftSeries,
  simulateFlatField,
  simulateMultiChannelBeadStack,
  simulateMultiChannelFlatField,
  simulatePhantom,
  simulatePowerLog,
  simulateStageSeries,
  toSmartLpmTsv,
  zernikeNoll,
} from "../../src/simulate/index.js";

const mean = (a: ArrayLike<number>): number => Array.from(a).reduce((s, v) => s + v, 0) / a.length;

describe("documented examples", () => {
  test("psf.ts", () => {
    expect(nollToNm(11)).toEqual([4, 0]);
    expect(nollToNm(5)).toEqual([2, -2]);
    expect(zernikeNoll(11, 1, 0)).toBeCloseTo(Math.sqrt(5), 12);
    expect(resolveScalarPsfSpec({ kind: "scalar", zernike: [{ noll: 11, waves: 1 }], zernikeUnit: "peak" }).zernike[0].waves).toBeCloseTo(1 / Math.sqrt(5), 12);
    expect(createPsfKernel({ kind: "gaussian", fwhmUm: [0.3, 0.3, 0.9] }, [0.2, 0.1, 0.1]).fwhmUm).toEqual([0.3, 0.3, 0.9]);
    expect(effectiveGaussianFwhmUm([0.25, 0.25, 0.7], [0.2, 0.1, 0.1], { pixelIntegration: true })[0]).toBeCloseTo(0.2591, 4);
    const f = scalarPsfFwhmUm({ kind: "scalar", numericalAperture: 1.4, emissionWavelengthNm: 520 }).fwhmUm;
    expect(f.map((v) => Math.round(v * 1000) / 1000)).toEqual([0.191, 0.191, 0.714]);
    const k = createPsfKernel({ kind: "scalar", zernike: [{ noll: 6, waves: 0.12 }] }, [0.1, 0.05, 0.05]);
    const [xa, ya] = lateralFwhmAtUm(k, 0.4);
    const [xb, yb] = lateralFwhmAtUm(k, -0.4);
    expect((xa - ya) * (xb - yb)).toBeLessThan(0);
    expect(focusShiftUm(100, 80, [50, 40], Math.hypot(50, 40), { fieldCurvatureUm: 1.5 })).toBeCloseTo(1.5, 12);
    const c = chromaticPositionUm([60, 30, 5], [50, 40], 1.01, [0.1, -0.2, 0.3]);
    for (const [i, v] of [60.2, 29.7, 5.3].entries()) expect(c[i]).toBeCloseTo(v, 12);
    expect(evaluatePsf({ kind: "gaussian", fwhmUm: [0.3, 0.3, 0.9] }, { centrePx: [32.3, 31.8, 16.1] }).truth.fwhmUm).toEqual([0.3, 0.3, 0.9]);
  });

  test("camera.ts", () => {
    expect(resolveCameraModel({ bitDepth: 12 }).gainEPerAdu).toBe(0.45);
    expect(createCameraSensor(100, 100, { hotPixelFraction: 0.002 }, new Random(1)).hotPixels.length).toBe(20);
    const sensor = createCameraSensor(64, 64, {}, new Random(1));
    const out = new Uint16Array(64 * 64);
    applyCameraInto(new Float32Array(64 * 64).fill(100), sensor, new Random(2), out);
    const sd = Math.sqrt(80.05 / 0.45 ** 2 + (1.5 / 0.45) ** 2);
    expect(Math.abs(mean(out) - (100 + 80.05 / 0.45))).toBeLessThan((4 * sd) / 64);
    expect(applyCameraModel(new Float32Array(4), createCameraSensor(2, 2, { bitDepth: 8, offsetAdu: 10 }, new Random(1)), new Random(2))).toBeInstanceOf(Uint8Array);
    const flat = makeImage(new Float32Array(64 * 64).fill(1000), [1, 64, 64]);
    const { image, truth } = simulateCameraImage(flat, { seed: 3, gainEPerAdu: 2 });
    expect(Math.abs(mean(image.data) - (truth.camera.offsetAdu + 800.05 / 2))).toBeLessThan(4 * Math.sqrt(800 / 4 + 0.6) / 64);
    expect(simulateCameraSeries({ seed: 2, levels: 10 }).truth.gainEPerAdu).toBe(0.45);
  });

  test("beads.ts, flatfield.ts, stage.ts", () => {
    const b = simulateBeadStack({ beads: 5, seed: 3 });
    expect(b.truth.beads.length).toBe(5);
    expect(b.image.shape).toEqual([32, 256, 256]);
    expect(simulateMultiChannelBeadStack({ channels: [{}, { emissionWavelengthNm: 600, shiftUm: [0.1, 0, 0.2] }] }).image.channels.length).toBe(2);
    expect(simulateFlatField({ shape: [256, 256], centrePx: [150, 120], seed: 4 }).truth.maxLocationPx).toEqual([150, 120]);
    expect(simulateMultiChannelFlatField({ channels: [{}, { centrePx: [200, 300] }] }).truth.channels[1].maxLocationPx).toEqual([200, 300]);
    expect(simulateStageSeries({ rounds: 5, seed: 2 }).truth.captures.length).toBe(50);
    expect(simulateDriftSeries({ render: false, timePoints: 30, seed: 5 }).truth.positionsUm.length).toBe(30);
  });

  test("power.ts and phantom.ts", () => {
    expect(powerStats([0, 1, 2], [1, 2, 3]).stabilityPercent).toBeCloseTo(50, 12);
    expect(formatPythonFloat(2.397548635236012e-5)).toBe("2.397548635236012e-05");
    const { truth } = simulatePowerLog({ wavelengthsNm: [488], blockDurationS: 60, seed: 1 });
    expect(truth.blocks[0].endRow - truth.blocks[0].startRow).toBe(60);
    expect(
      toSmartLpmTsv([{ timestamp: "2024-11-08 17:27:32.678", timeS: 0, wavelengthNm: 488, settingPercent: 30, powerMw: 2.5e-5, temperatureC: null }]),
    ).toBe("timestamp\twavelength[nm]\tsetting[%]\tpower[mW]\ttemperature[C]\r\n2024-11-08 17:27:32.678\t488\t30\t2.5e-05\r\n");
    expect(simulatePhantom("power-log", { blockDurationS: 30 }).truth.blocks.length).toBe(4);
  });
});
