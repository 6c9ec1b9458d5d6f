import { describe, expect, test } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { sha256 } from "../../src/core/provenance.js";
import { measureCoregistration } from "../../src/coregistration/measure.js";
import { analyseCameraSeries } from "../../src/detector/camera.js";
import { measureCameraDarkNoise } from "../../src/detector/dark.js";
import { measurePhotonTransfer } from "../../src/detector/photon-transfer.js";
import type { CameraSeriesData } from "../../src/detector/series-io.js";
import { HistoryRecordError } from "../../src/history/errors.js";
import {
  HISTORY_PROTOCOLS,
  historyFromBeadPsf,
  historyFromCoregistration,
  historyFromDetector,
  historyFromFieldUniformity,
  historyFromPowerLog,
  historyFromResult,
  historyFromStage,
  historyResultKind,
  limitsFromText,
} from "../../src/history/from-results.js";
import { historyPeriodReportHtml } from "../../src/history/report.js";
import { openHistoryStore } from "../../src/history/store.js";
import { analyseHistoryTrends } from "../../src/history/trends.js";
import type { HistoryRecord } from "../../src/history/types.js";
import { analysePowerLog } from "../../src/power/analyse.js";
import { parsePowerLog } from "../../src/power/parse.js";
import { measureBeadPsf } from "../../src/resolution/bead-psf.js";
import { simulateBeadStack } from "../../src/simulate/beads.js";
import { simulateFlatField } from "../../src/simulate/flatfield.js";
import { simulatePowerLog, toSmartLpmTsv } from "../../src/simulate/power.js";
import { type CameraSeries, simulateCameraSeries } from "../../src/simulate/camera.js";
import { simulateMultiChannelBeadStack } from "../../src/simulate/beads.js";
import { simulateDriftSeries, simulateStageSeries } from "../../src/simulate/stage.js";
import { analyseStageSeries } from "../../src/stage/analyse.js";
import { measureStageDrift } from "../../src/stage/drift.js";
import { type StageCaptureInput, measureStageRepeatability } from "../../src/stage/repeatability.js";
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

/** A JSON round trip: the record as `limiqc … --json` writes it and `history import` reads it back. */
const viaJson = (x: unknown): unknown => JSON.parse(JSON.stringify(x)) as unknown;
const byMetric = (rows: readonly HistoryRecord[], metric: string, channel?: string | null): HistoryRecord | undefined =>
  rows.find((r) => r.metric === metric && (channel === undefined || r.channel === channel));

// ---- co-registration: three colours, the orange channel shifted by (50, −30, 200) nm (passes), the far-red by (300, −100, 250) nm (fails)
const COREG_OPTICS = { modality: "widefield" as const, na: 1.4, immersionIndex: 1.518 };
const coregSim = simulateMultiChannelBeadStack({
  shape: [32, 192, 192],
  voxelSizeUm: [0.15, 0.065, 0.065],
  beads: 8,
  minSeparationUm: 2.5,
  marginUm: 1.5,
  photons: 60000,
  backgroundPhotons: 20,
  psf: { kind: "gaussian", fwhmUm: [0.22, 0.22, 0.7] },
  seed: 3,
  channels: [
    { name: "green", emissionWavelengthNm: 520, excitationWavelengthNm: 488 },
    { name: "orange", emissionWavelengthNm: 600, excitationWavelengthNm: 561, shiftUm: [0.05, -0.03, 0.2] },
    { name: "far-red", emissionWavelengthNm: 680, excitationWavelengthNm: 640, shiftUm: [0.3, -0.1, 0.25] },
  ],
});
const coreg = measureCoregistration(coregSim.image, { optics: COREG_OPTICS });
const COREG_METRICS = ["beads", "medianRatio", "maxRatio", "beadsAboveLimit", "meanShiftX", "meanShiftY", "meanShiftZ", "medianLateralDistance", "medianAxialDistance"];

describe("co-registration → history", () => {
  const rows = historyFromCoregistration(coreg, CTX);

  test("per pair (channel = emission wavelengths): ratio judged ≤ 1 with the pair's verdict, shifts in nm ± SE, distances, bead count", () => {
    expect([...new Set(rows.map((r) => r.channel))]).toEqual(["520 nm→600 nm", "520 nm→680 nm", "600 nm→680 nm"]);
    expect(rows).toHaveLength(3 * COREG_METRICS.length);
    for (const p of coreg.pairs) {
      const label = `${coreg.channels[p.reference].emissionWavelengthNm} nm→${coreg.channels[p.target].emissionWavelengthNm} nm`;
      const mine = rows.filter((r) => r.channel === label);
      expect(mine.map((r) => r.metric)).toEqual(COREG_METRICS);
      const ratio = byMetric(mine, "medianRatio");
      expect(ratio).toMatchObject({ value: p.summary.medianRatio, uncertainty: null, unit: "1", upperLimit: 1, lowerLimit: null, limitText: "≤ 1", verdict: p.verdict.level });
      expect(byMetric(mine, "beads")).toMatchObject({ value: p.summary.n, unit: "1", verdict: null });
      expect(byMetric(mine, "maxRatio")?.value).toBe(p.summary.maxRatio);
      expect(byMetric(mine, "beadsAboveLimit")).toMatchObject({ value: p.summary.beadsAboveLimitPercent, unit: "%" });
      for (const [metric, q] of [["meanShiftX", p.summary.meanDxNm], ["meanShiftY", p.summary.meanDyNm], ["meanShiftZ", p.summary.meanDzNm]] as const) {
        expect(byMetric(mine, metric)).toMatchObject({ value: q.value, uncertainty: q.uncertainty, unit: "nm", verdict: null, upperLimit: null });
      }
      expect(byMetric(mine, "medianLateralDistance")).toMatchObject({ value: p.summary.medianLateralNm, unit: "nm" });
      expect(byMetric(mine, "medianAxialDistance")).toMatchObject({ value: p.summary.medianAxialNm, unit: "nm" });
    }
    // planted truth: 0→1 shifted by (50, −30, 200) nm and passes; 0→2 by (300, −100, 250) nm and fails ratio ≤ 1 (10 nm lateral, 20 nm axial)
    expect(Math.abs((byMetric(rows, "meanShiftX", "520 nm→600 nm")?.value ?? 0) - 50)).toBeLessThan(10);
    expect(Math.abs((byMetric(rows, "meanShiftY", "520 nm→600 nm")?.value ?? 0) + 30)).toBeLessThan(10);
    expect(Math.abs((byMetric(rows, "meanShiftZ", "520 nm→600 nm")?.value ?? 0) - 200)).toBeLessThan(20);
    expect(Math.abs((byMetric(rows, "meanShiftX", "520 nm→680 nm")?.value ?? 0) - 300)).toBeLessThan(10);
    expect(byMetric(rows, "medianRatio", "520 nm→600 nm")?.verdict).toBe("pass");
    const farRed = byMetric(rows, "medianRatio", "520 nm→680 nm");
    expect(farRed?.verdict).toBe("fail");
    expect(farRed?.value).toBeGreaterThan(1);
    for (const r of rows) {
      expect(r.protocol).toBe("co-registration");
      expect(r.acquiredAt).toBe("2025-05-02T10:00:00.000Z");
      expect(r.provenance.fn).toBe("measureCoregistration");
    }
  });

  test("a single plane has no z shift and no axial distance; a pair without beads stores only its count (0) with its fail", () => {
    const plane = historyFromCoregistration({ ...coreg, axialMeasured: false }, CTX);
    expect(plane.filter((r) => r.channel === "520 nm→600 nm").map((r) => r.metric)).toEqual(COREG_METRICS.filter((m) => m !== "meanShiftZ" && m !== "medianAxialDistance"));
    const p = coreg.pairs[0];
    const empty = { ...p, beads: [], summary: { ...p.summary, n: 0 }, verdict: { level: "fail" as const, reason: "No bead was fitted in both channels." } };
    const rows0 = historyFromCoregistration({ ...coreg, pairs: [empty] }, CTX);
    expect(rows0).toHaveLength(1);
    expect(rows0[0]).toMatchObject({ metric: "beads", value: 0, verdict: "fail", channel: "520 nm→600 nm" });
    // a channel without wavelength falls back to its name
    const named = historyFromCoregistration({ ...coreg, channels: coreg.channels.map((c) => ({ ...c, emissionWavelengthNm: null })) }, CTX);
    expect(named[0]?.channel).toBe("green→orange");
  });

  test("recognised when read back from JSON; an incomplete record is a HistoryRecordError", () => {
    expect(historyResultKind(viaJson(coreg))).toBe("co-registration");
    expect(historyFromResult(viaJson(coreg), CTX)).toEqual(rows);
    const broken = { ...(viaJson(coreg) as object), pairs: [{ reference: 0, target: 1 }] };
    expect(() => historyFromResult(broken, CTX, "coreg.json")).toThrow(HistoryRecordError);
    expect(() => historyFromResult(broken, CTX, "coreg.json")).toThrow(/coreg.json looks like a co-registration result but is incomplete/);
  });
});

// ---- stage: repeatability with planted backlash (0.3, 0.2) µm and SD (0.1, 0.12) µm; a drift series
const stageSim = simulateStageSeries({ rounds: 10, seed: 4, backlashUm: [0.3, 0.2], repeatabilitySdUm: [0.1, 0.12] });
const stageCaptures: StageCaptureInput[] = stageSim.truth.captures.map((c) => ({ index: c.index, moveSizeUm: c.moveSizeUm, direction: c.directionName, timeS: c.timeS, xUm: c.positionUm[0], yUm: c.positionUm[1] }));
const stage = measureStageRepeatability(stageCaptures);
const driftSim = simulateDriftSeries({ render: false, seed: 5 });
const drift = measureStageDrift(driftSim.truth.timesS.map((t, i) => ({ timeS: t, xUm: driftSim.truth.positionsUm[i][0], yUm: driftSim.truth.positionsUm[i][1] })));

describe("stage → history", () => {
  const rows = historyFromStage(stage, CTX);

  test("repeatability: one row per check, subject as channel, µm as \"um\", the SDs' and reversals' uncertainties, limits and verdicts", () => {
    expect(rows).toHaveLength(stage.checks.length);
    expect(rows.map((r) => `${r.metric} (${r.channel})`)).toEqual([
      "sd (300 µm moves, x)", "sd (300 µm moves, y)", "reversal (300 µm moves, x)", "reversal (300 µm moves, y)",
      "sd (3000 µm moves, x)", "sd (3000 µm moves, y)", "reversal (3000 µm moves, x)", "reversal (3000 µm moves, y)",
    ]);
    stage.checks.forEach((k, i) => {
      expect(rows[i]).toMatchObject({ protocol: "stage-focus", value: k.value, unit: "um", limitText: k.limit, verdict: k.level, lowerLimit: null });
    });
    for (const [i, size] of stage.sizes.entries()) {
      const [sdX, sdY, revX, revY] = rows.slice(4 * i, 4 * i + 4);
      expect(sdX?.uncertainty).toBe(size.sdAllXUm.uncertainty);
      expect(sdY?.uncertainty).toBe(size.sdAllYUm.uncertainty);
      expect(revX?.uncertainty).toBe(size.isoX?.reversalUm.uncertainty);
      expect(revY?.uncertainty).toBe(size.isoY?.reversalUm.uncertainty);
      expect(sdX?.upperLimit).toBe(0.5);
      expect(revX?.upperLimit).toBe(1);
      // planted backlash recovered (10 rounds: SE ≈ 0.045 µm)
      expect(Math.abs((revX?.value ?? 0) - 0.3)).toBeLessThan(0.15);
      expect(Math.abs((revY?.value ?? 0) - 0.2)).toBeLessThan(0.15);
    }
    expect(rows.every((r) => r.verdict === "pass")).toBe(true);
  });

  test("image series (analyseStageSeries) and drift (stabilisation time in s ± one frame interval) map too", () => {
    const sim = simulateStageSeries({ rounds: 4, render: true, seed: 9 });
    const frames = sim.frames;
    if (!frames) throw new Error("no frames rendered");
    const series = analyseStageSeries(frames);
    const seriesRows = historyFromStage(series, CTX);
    expect(seriesRows.map((r) => r.metric)).toEqual(series.repeatability.checks.map((k) => k.id));
    expect(seriesRows[0]?.uncertainty).toBe(series.repeatability.sizes[0]?.sdAllXUm.uncertainty);
    expect(seriesRows[0]?.provenance.fn).toBe("analyseStageSeries");
    const d = historyFromStage(drift, CTX);
    const k = drift.checks[0];
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ metric: "stabilisation", channel: "drift", unit: "s", value: k?.value, uncertainty: drift.stabilisation.timeS?.uncertainty, upperLimit: 1800, verdict: k?.level });
    expect(d[0]?.uncertainty).toBe(10); // the simulated interval
    for (const rec of [stage, series, drift]) {
      expect(historyResultKind(viaJson(rec))).toBe("stage");
      expect(historyFromResult(viaJson(rec), CTX)).toEqual(historyFromStage(rec, CTX));
    }
    // the CLI's record of an image series (checks copied to the top level) is the same stage record
    expect(historyFromResult(viaJson({ ...series, checks: series.repeatability.checks }), CTX)).toEqual(seriesRows);
  });
});

// ---- detector: EMVA 1288 exposure series (K = 0.45 e⁻/ADU, read noise 1.5 e⁻, dark current 0.5 e⁻/s) with a dark series
const cameraData = (s: CameraSeries, inputs: CameraSeriesData["inputs"] = []): CameraSeriesData => ({
  folder: "sim",
  manifest: null,
  entries: [],
  levels: s.levels.map((l) => ({ exposureS: l.exposureS, photonsPerPixel: l.photonsPerPixel, flat: l.flat, dark: l.dark })),
  darkSeries: s.darkSeries,
  bitDepth: null,
  inputs,
  notes: [],
});
const cameraSim = simulateCameraSeries({ seed: 2, levels: 12, shape: [32, 32], darkSeriesFrames: 10 });
const SPEC = { conversionGainEPerAdu: 0.45, readNoiseE: 1.5, darkCurrentEPerS: 0.5 };
const HASH_A = "a".repeat(64);
const HASH_B = "b".repeat(64);
const camera = analyseCameraSeries(cameraData(cameraSim, [{ file: "flat.tif", sha256: HASH_A }, { file: "dark.tif", sha256: HASH_B }]), { spec: SPEC });
const PTC_METRICS = ["conversionGain", "offset", "readNoise", "darkCurrent", "saturationCapacity", "dynamicRange", "dsnu", "prnu", "quantumEfficiency"];
const PTC_CHECKS = ["gain-deviation", "read-noise-ratio", "dark-current-ratio", "linearity-error"];
const DARK_METRICS = ["darkOffset", "darkDsnu", "readNoiseMedian", "readNoiseRms", "warmPixels", "coldPixels", "hotPixels", "defect-pixels"];

describe("detector → history", () => {
  const rows = historyFromDetector(camera, CTX);
  const t = camera.photonTransfer;

  test("camera series: EMVA characteristics with standard errors, the judged checks, the dark test; no channel", () => {
    expect(rows.map((r) => r.metric)).toEqual([...PTC_METRICS, ...PTC_CHECKS, ...DARK_METRICS]);
    expect(byMetric(rows, "conversionGain")).toMatchObject({ value: t.conversionGainEPerAdu.value, uncertainty: t.conversionGainEPerAdu.uncertainty, unit: "e-/ADU", verdict: null });
    expect(byMetric(rows, "offset")).toMatchObject({ value: t.offsetAdu.value, uncertainty: t.offsetAdu.uncertainty, unit: "ADU" });
    expect(byMetric(rows, "readNoise")).toMatchObject({ value: t.readNoiseE.value, uncertainty: t.readNoiseE.uncertainty, unit: "e-" });
    expect(byMetric(rows, "darkCurrent")).toMatchObject({ value: t.darkCurrentEPerS?.value, unit: "e-/s" });
    expect(byMetric(rows, "saturationCapacity")).toMatchObject({ value: t.saturation?.capacityE.value, unit: "e-" });
    expect(byMetric(rows, "dynamicRange")).toMatchObject({ value: t.dynamicRange?.db, uncertainty: null, unit: "dB" });
    expect(byMetric(rows, "dsnu")).toMatchObject({ value: t.dsnuE.value, unit: "e-" });
    expect(byMetric(rows, "prnu")).toMatchObject({ value: t.prnuPercent?.value, unit: "%" });
    expect(byMetric(rows, "quantumEfficiency")).toMatchObject({ value: t.quantumEfficiency?.value, unit: "1" });
    for (const k of camera.checks) {
      const metric = k.id === "read-noise-ratio" && k.subject.startsWith("median") ? "median-read-noise-ratio" : k.id;
      expect(byMetric(rows, metric)).toMatchObject({ value: k.value, unit: k.unit, limitText: k.limit, verdict: k.level });
    }
    expect(byMetric(rows, "gain-deviation")?.upperLimit).toBe(10);
    expect(byMetric(rows, "read-noise-ratio")?.upperLimit).toBe(1.25);
    expect(byMetric(rows, "defect-pixels")?.upperLimit).toBe(1);
    const d = camera.darkNoise;
    expect(byMetric(rows, "readNoiseMedian")).toMatchObject({ value: d?.readNoiseMedianE?.value, uncertainty: d?.readNoiseMedianE?.uncertainty, unit: "e-" });
    expect(byMetric(rows, "darkOffset")).toMatchObject({ value: d?.offsetAdu.value, unit: "ADU" });
    expect(byMetric(rows, "hotPixels")).toMatchObject({ value: d?.hot.percent, unit: "%" });
    // simulated truth: K within 3 %, read noise within 10 %, offset within 0.5 ADU
    expect(Math.abs((byMetric(rows, "conversionGain")?.value ?? 0) / cameraSim.truth.gainEPerAdu - 1)).toBeLessThan(0.03);
    expect(Math.abs((byMetric(rows, "readNoise")?.value ?? 0) / cameraSim.truth.readNoiseRmsE - 1)).toBeLessThan(0.1);
    expect(Math.abs((byMetric(rows, "readNoiseMedian")?.value ?? 0) / cameraSim.truth.readNoiseMedianE - 1)).toBeLessThan(0.1);
    expect(Math.abs((byMetric(rows, "offset")?.value ?? 0) - cameraSim.truth.offsetAdu)).toBeLessThan(0.5);
    for (const r of rows) {
      expect(r.protocol).toBe("detector");
      expect(r.channel).toBeNull();
    }
  });

  test("the folder's input SHA-256 is the hash of its files' sorted hashes (order-independent); one file keeps its own", () => {
    expect(rows[0]?.inputSha256).toBe(sha256(`${HASH_A}\n${HASH_B}`));
    const swapped = { ...camera, provenance: { ...camera.provenance, inputs: [...camera.provenance.inputs].reverse() } };
    expect(historyFromDetector(swapped, CTX)[0]?.inputSha256).toBe(rows[0]?.inputSha256);
    const one = { ...camera, provenance: { ...camera.provenance, inputs: [{ file: "stack.tif", sha256: HASH_B }] } };
    expect(historyFromDetector(one, CTX)[0]?.inputSha256).toBe(HASH_B);
  });

  test("photon transfer alone (no dark current measured: no placeholder row) and the dark test alone (no gain: ADU metrics)", () => {
    const irr = simulateCameraSeries({ seed: 4, vary: "irradiance", levels: 20, camera: { gainEPerAdu: 2, bitDepth: 12, fullWellE: 9000 } });
    const pt = measurePhotonTransfer(cameraData(irr).levels, { spec: SPEC });
    expect(pt.checks.some((k) => k.id === "dark-current-ratio")).toBe(true); // the placeholder (value 0, warn) …
    const ptRows = historyFromDetector(pt, CTX);
    expect(ptRows.map((r) => r.metric)).not.toContain("dark-current-ratio"); // … is not a QC point
    expect(ptRows.map((r) => r.metric)).not.toContain("darkCurrent");
    expect(Math.abs((byMetric(ptRows, "conversionGain")?.value ?? 0) / 2 - 1)).toBeLessThan(0.03);
    expect(ptRows[0]?.inputSha256).toBeNull();
    const darkStack = cameraSim.darkSeries;
    if (!darkStack) throw new Error("no dark series simulated");
    const dark = measureCameraDarkNoise(darkStack, { specReadNoiseE: 1.5, conversionGainEPerAdu: 0.45 });
    const darkRows = historyFromDetector(dark, CTX);
    expect(byMetric(darkRows, "median-read-noise-ratio")).toMatchObject({ value: dark.checks.find((k) => k.id === "read-noise-ratio")?.value, upperLimit: 1.25 });
    const adu = historyFromDetector(measureCameraDarkNoise(darkStack), CTX);
    expect(adu.map((r) => r.metric)).toEqual(["darkOffset", "darkDsnuAdu", "readNoiseMedianAdu", "readNoiseRmsAdu", "warmPixels", "coldPixels", "hotPixels", "defect-pixels"]);
    expect(byMetric(adu, "readNoiseMedianAdu")?.unit).toBe("ADU");
    for (const rec of [camera, pt, dark]) {
      expect(historyResultKind(viaJson(rec))).toBe("detector");
      expect(historyFromResult(viaJson(rec), CTX)).toEqual(historyFromDetector(rec, CTX));
    }
  });
});

test("historyResultKind tells every kind apart, old and new, and nothing half-shaped passes", () => {
  const flat = measureFieldUniformity(simulateFlatField({ shape: [128, 128], seed: 3 }).image);
  const log = simulatePowerLog({ wavelengthsNm: [488], settingsPercent: [5, 80], blockDurationS: 60, startTime: "2025-03-03 09:15:00.000" });
  const power = analysePowerLog(parsePowerLog(toSmartLpmTsv(log.rows)));
  const records: [unknown, string][] = [
    [{ kind: "bead-psf-file", channels: [] }, "bead-psf"],
    [flat, "field-uniformity"],
    [power, "power-log"],
    [coreg, "co-registration"],
    [stage, "stage"],
    [drift, "stage"],
    [camera, "detector"],
    [camera.photonTransfer, "detector"],
    [camera.darkNoise, "detector"],
  ];
  for (const [rec, kind] of records) expect(historyResultKind(viaJson(rec))).toBe(kind);
  const strip = (rec: object, key: string): unknown => Object.fromEntries(Object.entries(viaJson(rec) as object).filter(([k]) => k !== key));
  expect(historyResultKind(strip(coreg, "axialMeasured"))).toBeNull();
  expect(historyResultKind(strip(stage, "limits"))).toBeNull();
  expect(historyResultKind(strip(drift, "timesS"))).toBeNull();
  expect(historyResultKind(strip(camera.photonTransfer, "systemGainAduPerE"))).toBeNull();
  expect(historyResultKind(strip(camera, "photonTransfer"))).toBeNull();
  expect(historyResultKind([coreg])).toBeNull();
  expect(Object.values(HISTORY_PROTOCOLS)).toEqual(["resolution", "field-uniformity", "illumination-power", "co-registration", "stage-focus", "detector"]);
});

test("trends and the period report take the new protocols' rows: a far-red ratio leaving ≤ 1 is flagged with its date", () => {
  const runs = 12;
  const one = [...historyFromCoregistration(coreg, CTX), ...historyFromStage(stage, CTX), ...historyFromDetector(camera, CTX)];
  const records: HistoryRecord[] = [];
  for (let i = 0; i < runs; i++) {
    const acquiredAt = new Date(Date.parse("2025-01-06T09:00:00Z") + i * 7 * 86_400_000).toISOString();
    const wiggle = 1 + 0.01 * (((i * 7) % 5) - 2); // ±2 %, deterministic
    for (const r of one) {
      const orangeFails = i === runs - 1 && r.metric === "medianRatio" && r.channel === "520 nm→600 nm";
      records.push({ ...r, acquiredAt, inputSha256: null, value: orangeFails ? 1.4 : r.value * wiggle });
    }
  }
  const { trends, alerts, skipped } = analyseHistoryTrends(records, { baselinePoints: 8 });
  expect(skipped).toEqual([]);
  expect(trends).toHaveLength(one.length);
  expect(new Set(trends.map((x) => x.protocol))).toEqual(new Set(["co-registration", "stage-focus", "detector"]));
  const ratio = trends.find((x) => x.metric === "medianRatio" && x.channel === "520 nm→600 nm");
  expect(ratio?.tolerance).toEqual({ lower: null, upper: 1 });
  expect(ratio?.firstOutOfTolerance).toBe("2025-03-24T09:00:00.000Z");
  expect(alerts.some((a) => a.kind === "tolerance" && a.protocol === "co-registration" && a.channel === "520 nm→600 nm")).toBe(true);
  expect(trends.find((x) => x.metric === "reversal" && x.channel === "300 µm moves, x")?.unit).toBe("um");
  const html = historyPeriodReportHtml(records, { instrument: CTX.instrument, from: "2025-01-01", to: "2025-03-31", baselinePoints: 8 });
  for (const text of ["co-registration", "stage-focus", "detector", "medianRatio", "520 nm→600 nm", "300 µm moves, x", "conversionGain"]) expect(html).toContain(text);
});
