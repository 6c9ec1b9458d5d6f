import { describe, expect, test } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors.js";
import {
  historyFromBeadPsf,
  historyFromFieldUniformity,
  historyFromPowerLog,
  historyFromResult,
  historyResultKind,
  limitsFromText,
} from "../../src/history/from-results.js";
import { openHistoryStore } from "../../src/history/store.js";
import { analysePowerLog } from "../../src/power/analyse.js";
import { parsePowerLog } from "../../src/power/parse.js";
import { measureBeadPsf } from "../../src/resolution/bead-psf.js";
import { simulateBeadStack } from "../../src/simulate/beads.js";
import { simulateFlatField } from "../../src/simulate/flatfield.js";
import { simulatePowerLog, toSmartLpmTsv } from "../../src/simulate/power.js";
import { measureFieldUniformity } from "../../src/uniformity/measure.js";

const CTX = { instrument: "LSM980-room2", objective: "63x/1.40 oil", acquiredAt: "2025-05-02T10:00:00Z" };

test("limitsFromText reads ≤/≥ bounds and nothing else", () => {
  expect(limitsFromText("≤ 1.5")).toEqual({ lowerLimit: null, upperLimit: 1.5 });
  expect(limitsFromText("≥ 97")).toEqual({ lowerLimit: 97, upperLimit: null });
  expect(limitsFromText("≤ 1 (pixel ÷ Nyquist)")).toEqual({ lowerLimit: null, upperLimit: 1 });
  expect(limitsFromText("between 1 and 2")).toEqual({ lowerLimit: null, upperLimit: null });
});

describe("bead PSF → history", () => {
  const optics = { modality: "widefield" as const, na: 1.4, immersionIndex: 1.518, emissionWavelengthNm: 520, excitationWavelengthNm: 488 };
  const { image } = simulateBeadStack({ beads: 6, shape: [30, 256, 256], voxelSizeUm: [0.15, 0.065, 0.065], seed: 4, photons: 5000, zRangeUm: [2.2, 2.2], psf: { kind: "gaussian", fwhmUm: [0.24, 0.24, 0.7] } });
  const result = measureBeadPsf(image, { optics });
  const rows = historyFromBeadPsf(result, CTX);

  test("ratios with limits and verdicts, FWHM in µm, bead count; values equal the result's", () => {
    expect(rows.map((r) => r.metric)).toEqual(["beadsAccepted", "lateralRatio", "axialRatio", "fwhmX", "fwhmY", "fwhmZ"]);
    const lat = rows.find((r) => r.metric === "lateralRatio");
    expect(lat?.value).toBe(result.lateralRatio);
    expect(lat?.upperLimit).toBe(1.5);
    expect(lat?.verdict).toBe(result.checks.find((c) => c.id === "lateral-ratio")?.level);
    const fx = rows.find((r) => r.metric === "fwhmX");
    expect(fx?.unit).toBe("um");
    expect(fx?.value).toBe(result.summary?.x.mean.value);
    expect(Math.abs((fx?.value ?? 0) - 0.24)).toBeLessThan(0.02);
    for (const r of rows) {
      expect(r.instrument).toBe("LSM980-room2");
      expect(r.channel).toBe("520 nm");
      expect(r.acquiredAt).toBe("2025-05-02T10:00:00.000Z");
      expect(r.provenance.fn).toBe(result.provenance.fn);
    }
  });

  test("saving the same result twice stores it once", async () => {
    const store = await openHistoryStore(":memory:");
    expect((await store.insert(rows)).inserted).toBe(6);
    expect(await store.insert(historyFromBeadPsf(result, CTX))).toEqual({ inserted: 0, duplicates: 6 });
    await store.close();
  });

  test("historyFromResult recognises the record read back from JSON", () => {
    const back = JSON.parse(JSON.stringify(result)) as unknown;
    expect(historyResultKind(back)).toBe("bead-psf");
    expect(historyFromResult(back, CTX)).toEqual(rows);
    expect(() => historyFromResult({ kind: "bead-psf", checks: [] }, CTX, "psf.json")).toThrow(/psf.json looks like a bead-psf result but is incomplete/);
  });

  test("a context without an instrument → InvalidArgumentError", () => {
    expect(() => historyFromBeadPsf(result, { instrument: " " })).toThrow(InvalidArgumentError);
  });
});

test("field uniformity → history: U and C judged (≥ 50 %), FU and CV recorded, time from provenance by default", () => {
  const sim = simulateFlatField({ shape: [256, 256], seed: 3 });
  const result = measureFieldUniformity(sim.image, { dark: sim.dark });
  const rows = historyFromFieldUniformity(result, { instrument: "scope" });
  expect(rows.map((r) => r.metric)).toEqual(["uniformity", "centeringAccuracy", "fieldUniformity", "cv"]);
  expect(rows[0]?.value).toBe(result.uniformity.value);
  expect(rows[0]?.uncertainty).toBe(result.uniformity.uncertainty);
  expect(rows[0]?.lowerLimit).toBe(50);
  expect(rows[0]?.verdict).toBe(result.verdict.details.find((d) => d.criterion === "uniformity")?.level);
  expect(rows[2]?.verdict).toBeNull();
  expect(rows[0]?.acquiredAt).toBe(new Date(result.provenance.analysedAt).toISOString());
  expect(historyResultKind(JSON.parse(JSON.stringify(result)))).toBe("field-uniformity");
  expect(historyFromResult(JSON.parse(JSON.stringify(result)), { instrument: "scope" })).toEqual(rows);
});

test("power log → history: one row per check with subject as channel and the log start as time", () => {
  const log = simulatePowerLog({ wavelengthsNm: [488], settingsPercent: [5, 20, 80], blockDurationS: 60, startTime: "2025-03-03 09:15:00.000" });
  const result = analysePowerLog(parsePowerLog(toSmartLpmTsv(log.rows)));
  const rows = historyFromPowerLog(result, { instrument: "scope" });
  const checks = result.checks.filter((c) => c.id !== "rejected-rows");
  expect(rows).toHaveLength(checks.length);
  expect(rows.length).toBeGreaterThan(3);
  const stab = rows.find((r) => r.metric === "stability");
  const check = checks.find((c) => c.id === "stability");
  expect(stab?.channel).toBe(check?.subject);
  expect(stab?.value).toBe(check?.value);
  expect(stab?.lowerLimit).toBe(97);
  expect(stab?.acquiredAt.slice(0, 10)).toBe("2025-03-03");
});
