import { expect, test } from "vitest";
import { measureCameraDarkNoise } from "../../src/detector/dark.js";
import { measurePhotonTransfer } from "../../src/detector/photon-transfer.js";
import { measurePointDetectorSnr } from "../../src/detector/point.js";
import { simulatePointDetectorImage } from "../../src/detector/simulate-point.js";
import { simulateCameraSeries } from "../../src/simulate/camera.js";

test("TSDoc examples of src/detector give what they say", () => {
  const s = simulateCameraSeries({ seed: 2, levels: 16 });
  const r = measurePhotonTransfer(s.levels.map((l) => ({ exposureS: l.exposureS, flat: l.flat, dark: l.dark })));
  expect(Math.abs(r.conversionGainEPerAdu.value / 0.45 - 1)).toBeLessThan(0.02);
  const d = simulateCameraSeries({ darkSeriesFrames: 50, levels: 2, seed: 1 });
  expect(Math.abs(measureCameraDarkNoise(d.darkSeries!, { conversionGainEPerAdu: 0.45 }).readNoiseMedianE!.value / 1.5 - 1)).toBeLessThan(0.05);
  const { truth } = simulatePointDetectorImage({ photonsPerPixel: 50, seed: 2 });
  expect(truth.snr).toBeCloseTo(500 / Math.sqrt(1.3 * 50 * 100 + 4 + 1 / 12), 9);
  expect(truth.snr).toBeCloseTo(6.2, 1);
  const sig = simulatePointDetectorImage({ photonsPerPixel: 50, seed: 1 }).image;
  const dark = simulatePointDetectorImage({ photonsPerPixel: 0, seed: 2 }).image;
  expect(measurePointDetectorSnr(sig, dark).snr.value).toBeCloseTo(6.2, 1);
});
