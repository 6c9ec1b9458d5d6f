import { expect, test } from "vitest";
import { makeImage } from "../../src/image/types.js";
import { analysePowerLog } from "../../src/power/analyse.js";
import { measureIntensityStability } from "../../src/power/intensity.js";
import { parsePowerLog } from "../../src/power/parse.js";
import { segmentPowerLog } from "../../src/power/segment.js";
import { simulatePowerLog, toSmartLpmTsv } from "../../src/simulate/power.js";

test("TSDoc examples of src/power give what they say", () => {
  const log = parsePowerLog("timestamp\twavelength[nm]\tsetting[%]\tpower[mW]\n2024-11-08 17:27:32.678\t488\t30\t2.5e-04\nxx\n");
  expect(log.format).toBe("smartlpm");
  expect(log.powersMw).toEqual([0.00025]);
  expect(log.rejectedRows[0].line).toBe(3);
  const seg = segmentPowerLog(parsePowerLog(toSmartLpmTsv(simulatePowerLog({ wavelengthsNm: [488, 561], blockDurationS: 30 }).rows)));
  expect(seg.blocks.length).toBe(2);
  expect(seg.blocks[0].n).toBe(30);
  const r = analysePowerLog(parsePowerLog(toSmartLpmTsv(simulatePowerLog({ wavelengthsNm: [488], settingsPercent: [5, 20, 80], blockDurationS: 60 }).rows)));
  expect(r.linearity[0].rSquared).toBeGreaterThan(0.9999);
  expect(r.verdict.level).toBe("pass");
  const i = measureIntensityStability(makeImage(new Float32Array([100, 100, 102, 102, 98, 98]), [3, 1, 2]));
  expect(i.meansAdu).toEqual([100, 102, 98]);
  expect(i.stability.stabilityPercent.value).toBeCloseTo(98, 12);
});
