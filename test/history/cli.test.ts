import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, expect, test, vi } from "vitest";
import { historyCommand } from "../../src/cli/history.js";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { HistoryRecordError } from "../../src/history/errors.js";
import { HISTORY_JSON_FORMAT } from "../../src/history/exchange.js";
import { simulateQcHistory } from "../../src/history/simulate-history.js";
import { HISTORY_SCHEMA_VERSION, openHistoryStore } from "../../src/history/store.js";
import { analysePowerLog } from "../../src/power/analyse.js";
import { parsePowerLog } from "../../src/power/parse.js";
import { simulatePowerLog, toSmartLpmTsv } from "../../src/simulate/power.js";
import { simulateFlatField } from "../../src/simulate/flatfield.js";
import { writeOmeTiff } from "../../src/io/tiff-writer.js";
import { writeCameraSeries } from "../../src/detector/series-io.js";
import { simulateMultiChannelBeadStack } from "../../src/simulate/beads.js";
import { simulateCameraSeries } from "../../src/simulate/camera.js";
import { simulateStageSeries } from "../../src/simulate/stage.js";

const dir = mkdtempSync(join(tmpdir(), "limiqc-history-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let lines: string[] = [];
beforeEach(() => {
  lines = [];
  vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => {
    lines.push(a.join(" "));
  });
});
afterEach(() => vi.restoreAllMocks());

test("history import (twice: no duplicates), trends with the planted alert, export", async () => {
  const { records } = simulateQcHistory({ seed: 7 });
  const file = join(dir, "year.json");
  writeFileSync(file, JSON.stringify({ format: HISTORY_JSON_FORMAT, schemaVersion: HISTORY_SCHEMA_VERSION, records }));
  const store = join(dir, "store.sqlite");
  expect(await historyCommand.run(["import", file, "--store", store])).toBe(0);
  expect(lines.join("\n")).toContain("525 record(s) imported, 0 already in the store");
  lines = [];
  expect(await historyCommand.run(["import", file, "--store", store])).toBe(0);
  expect(lines.join("\n")).toContain("0 record(s) imported, 525 already in the store");
  lines = [];
  const out = join(dir, "trends.json");
  expect(await historyCommand.run(["trends", "--store", store, "--instrument", "LSM-sim-1", "--baseline-until", "2025-03-31", "--json", out])).toBe(0);
  const text = lines.join("\n");
  expect(text).toMatch(/\[ewma\] .*uniformity \(488 nm\): EWMA .* downward drift from 2025-08-04/);
  expect(text).toMatch(/\[tolerance\] .*uniformity \(488 nm\) left its tolerance \(≥ 50 %\) on 2025-11-27/);
  expect((JSON.parse(readFileSync(out, "utf8")) as { alerts: unknown[] }).alerts).toHaveLength(3);
  const csv = join(dir, "backup.csv");
  expect(await historyCommand.run(["export", csv, "--store", store])).toBe(0);
  expect(readFileSync(csv, "utf8").split("\r\n").filter(Boolean)).toHaveLength(526);
  await expect(historyCommand.run(["export", csv, "--store", store])).rejects.toThrow(/already exists/);
});

test("history import of analysis result records (limiqc power --json) with --instrument", async () => {
  const log = simulatePowerLog({ wavelengthsNm: [488], settingsPercent: [5, 20, 80], blockDurationS: 60, startTime: "2025-03-03 09:15:00.000" });
  const result = analysePowerLog(parsePowerLog(toSmartLpmTsv(log.rows)));
  const file = join(dir, "power-result.json");
  writeFileSync(file, JSON.stringify(result));
  const store = join(dir, "results.sqlite");
  await expect(historyCommand.run(["import", file, "--store", store])).rejects.toThrow(/power-log result record, not a history export[\s\S]*--instrument/);
  expect(await historyCommand.run(["import", file, "--store", store, "--instrument", "scope-1", "--objective", "none"])).toBe(0);
  const n = result.checks.filter((c) => c.id !== "rejected-rows").length;
  expect(lines.join("\n")).toContain(`${n} record(s) imported, 0 already in the store`);
  const broken = join(dir, "broken-result.json");
  writeFileSync(broken, JSON.stringify({ ...result, checks: [{ ...result.checks[0], value: null }] }));
  await expect(historyCommand.run(["import", broken, "--store", store, "--instrument", "scope-1"])).rejects.toThrow(HistoryRecordError);
  const unknown = join(dir, "unknown.json");
  writeFileSync(unknown, JSON.stringify({ hello: 1 }));
  await expect(historyCommand.run(["import", unknown, "--store", store, "--instrument", "scope-1"])).rejects.toThrow(/neither a limiqc history export/);
});

test("history run: analyses power logs and flat fields and stores them in one go; re-running stores nothing new", async () => {
  const log = join(dir, "power.tsv");
  writeFileSync(log, toSmartLpmTsv(simulatePowerLog({ wavelengthsNm: [488], settingsPercent: [5, 20, 80], blockDurationS: 60, startTime: "2025-03-03 09:15:00.000" }).rows));
  const flat = join(dir, "flat.ome.tif");
  await writeOmeTiff(flat, simulateFlatField({ shape: [128, 128], seed: 2 }).image);
  const store = join(dir, "run.sqlite");
  expect(await historyCommand.run(["run", "power", log, "--instrument", "scope-9", "--store", store])).toBe(0);
  expect(await historyCommand.run(["run", "flatness", flat, "--instrument", "scope-9", "--objective", "20x/0.8", "--acquired-at", "2025-03-03T10:00:00Z", "--store", store])).toBe(0);
  expect(lines.join("\n")).toMatch(/4 record\(s\) stored, 0 already there/);
  lines = [];
  expect(await historyCommand.run(["run", "flatness", flat, "--instrument", "scope-9", "--objective", "20x/0.8", "--acquired-at", "2025-03-03T10:00:00Z", "--store", store])).toBe(0);
  expect(lines.join("\n")).toMatch(/0 record\(s\) stored, 4 already there/);
  await expect(historyCommand.run(["run", "stagger", flat, "--instrument", "x", "--store", store])).rejects.toThrow(/expected one of psf, flatness, power, coreg, stage, ptc \(or resolution, .*co-registration, stage-focus, detector\)/);
  await expect(historyCommand.run(["run", "flatness", flat, "--store", store])).rejects.toThrow(/no --instrument/);
  await expect(historyCommand.run(["run", "psf", flat, "--instrument", "x", "--store", store, "--modality", "sted"])).rejects.toThrow(/--modality "sted" is unknown/);
});

test("history: bad use gives typed errors", async () => {
  await expect(historyCommand.run(["frobnicate"])).rejects.toThrow(InvalidArgumentError);
  await expect(historyCommand.run(["trends", "--store", join(dir, "none.sqlite"), "--instrument", "x"])).rejects.toThrow(/does not exist/);
  await expect(historyCommand.run(["import", "x.json"])).rejects.toThrow(/No history store given[\s\S]*LIMIQC_STORE/);
});

/** Rows of one instrument and protocol in a store. */
async function storedRows(store: string, instrument: string, protocol: string) {
  const s = await openHistoryStore(store);
  try {
    return await s.query({ instrument, protocol });
  } finally {
    await s.close();
  }
}

test("history run coreg (alias co-registration): one channel pair's rows stored; re-running stores nothing new", async () => {
  const { image } = simulateMultiChannelBeadStack({
    shape: [32, 160, 160],
    voxelSizeUm: [0.15, 0.065, 0.065],
    beads: 6,
    minSeparationUm: 2.5,
    marginUm: 1.5,
    photons: 60000,
    backgroundPhotons: 20,
    psf: { kind: "gaussian", fwhmUm: [0.22, 0.22, 0.7] },
    seed: 5,
    channels: [
      { name: "green", emissionWavelengthNm: 520, excitationWavelengthNm: 488 },
      { name: "orange", emissionWavelengthNm: 600, excitationWavelengthNm: 561, shiftUm: [0.06, 0, 0.15] },
    ],
  });
  const file = join(dir, "coreg.ome.tif");
  await writeOmeTiff(file, image, { objective: { lensNA: 1.4, immersion: "Oil", refractiveIndex: 1.518 } });
  const store = join(dir, "coreg.sqlite");
  const args = [file, "--instrument", "scope-c", "--acquired-at", "2025-04-01T08:00:00Z", "--store", store];
  expect(await historyCommand.run(["run", "coreg", ...args])).toBe(0);
  const text = lines.join("\n");
  expect(text).toMatch(/assuming widefield/);
  expect(text).toMatch(/coreg\.ome\.tif: co-registration, PASS/);
  expect(text).toMatch(/9 record\(s\) stored, 0 already there/);
  lines = [];
  expect(await historyCommand.run(["run", "co-registration", ...args, "--modality", "widefield"])).toBe(0);
  expect(lines.join("\n")).toMatch(/0 record\(s\) stored, 9 already there \(9 in total\)/);
  const rows = await storedRows(store, "scope-c", "co-registration");
  expect(new Set(rows.map((r) => r.channel))).toEqual(new Set(["520 nm→600 nm"]));
  const shiftX = rows.find((r) => r.metric === "meanShiftX");
  expect(Math.abs((shiftX?.value ?? 0) - 60)).toBeLessThan(10); // planted 60 nm
  expect(shiftX?.unit).toBe("nm");
  expect(rows.find((r) => r.metric === "medianRatio")).toMatchObject({ upperLimit: 1, verdict: "pass" });
  expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.inputSha256 ?? ""))).toBe(true);
});

test("history run stage (alias stage-focus): an image series and a position table, 8 checks each; re-running stores nothing new", async () => {
  const sim = simulateStageSeries({ rounds: 4, render: true, seed: 9, backlashUm: [0.4, 0.1] });
  const frames = sim.frames;
  if (!frames) throw new Error("no frames rendered");
  const tif = join(dir, "stage.ome.tif");
  await writeOmeTiff(tif, frames);
  const table = join(dir, "stage.csv");
  writeFileSync(table, ["size_um,direction,x_um,y_um", ...sim.truth.captures.map((c) => `${c.moveSizeUm},${c.directionName},${c.positionUm[0]},${c.positionUm[1]}`)].join("\n"));
  const store = join(dir, "stage.sqlite");
  const args = ["--instrument", "scope-s", "--acquired-at", "2025-04-02T08:00:00Z", "--store", store];
  expect(await historyCommand.run(["run", "stage", tif, table, ...args])).toBe(0);
  expect(lines.join("\n")).toMatch(/stage\.ome\.tif: stage repeatability, (PASS|WARN|FAIL)/);
  expect(lines.join("\n")).toMatch(/stage\.csv: stage repeatability \(position table\)/);
  expect(lines.join("\n")).toMatch(/16 record\(s\) stored, 0 already there/);
  lines = [];
  expect(await historyCommand.run(["run", "stage-focus", table, ...args])).toBe(0);
  expect(lines.join("\n")).toMatch(/0 record\(s\) stored, 8 already there \(16 in total\)/);
  const rows = await storedRows(store, "scope-s", "stage-focus");
  const fromTable = rows.filter((r) => r.provenance.fn === "measureStageRepeatability");
  expect(fromTable.map((r) => `${r.metric} (${r.channel})`).sort()).toEqual([
    "reversal (300 µm moves, x)", "reversal (300 µm moves, y)", "reversal (3000 µm moves, x)", "reversal (3000 µm moves, y)",
    "sd (300 µm moves, x)", "sd (300 µm moves, y)", "sd (3000 µm moves, x)", "sd (3000 µm moves, y)",
  ]);
  expect(rows.every((r) => r.unit === "um" && r.verdict !== null && r.upperLimit !== null)).toBe(true);
  // the planted x backlash of 0.4 µm, from the table's true positions (4 rounds: SE ≈ 0.1 µm)
  const rev = fromTable.find((r) => r.metric === "reversal" && r.channel === "300 µm moves, x");
  expect(Math.abs((rev?.value ?? 0) - 0.4)).toBeLessThan(0.3);
  expect(rev?.uncertainty).toBeGreaterThan(0);
});

test("history run ptc (alias detector) takes acquisition folders; re-running stores nothing new; watch ptc is refused", async () => {
  const folder = join(dir, "camera");
  await writeCameraSeries(folder, simulateCameraSeries({ seed: 2, levels: 10, shape: [32, 32], darkSeriesFrames: 8 }));
  const store = join(dir, "ptc.sqlite");
  const args = [folder, "--instrument", "scope-p", "--acquired-at", "2025-04-03T08:00:00Z", "--store", store];
  expect(await historyCommand.run(["run", "ptc", ...args])).toBe(0);
  const first = lines.join("\n");
  expect(first).toMatch(/camera: camera photon transfer, (PASS|WARN|FAIL)/);
  const n = Number(/(\d+) record\(s\) stored, 0 already there/.exec(first)?.[1]);
  expect(n).toBeGreaterThanOrEqual(15);
  lines = [];
  expect(await historyCommand.run(["run", "detector", ...args])).toBe(0);
  expect(lines.join("\n")).toContain(`0 record(s) stored, ${n} already there`);
  const rows = await storedRows(store, "scope-p", "detector");
  expect(rows).toHaveLength(n);
  const gain = rows.find((r) => r.metric === "conversionGain");
  expect(gain?.unit).toBe("e-/ADU");
  expect(Math.abs((gain?.value ?? 0) / 0.45 - 1)).toBeLessThan(0.05); // planted K = 0.45 e⁻/ADU
  expect(rows.find((r) => r.metric === "readNoiseMedian")?.unit).toBe("e-");
  expect(rows.find((r) => r.metric === "linearity-error")?.upperLimit).toBe(3);
  expect(new Set(rows.map((r) => r.inputSha256)).size).toBe(1);
  expect(rows[0]?.inputSha256).toMatch(/^[0-9a-f]{64}$/);
  await expect(historyCommand.run(["watch", folder, "ptc", "--instrument", "scope-p", "--store", store])).rejects.toThrow(InvalidArgumentError);
  await expect(historyCommand.run(["watch", folder, "detector", "--instrument", "scope-p", "--store", store])).rejects.toThrow(/ptc cannot be watched[\s\S]*limiqc run ptc .*camera --instrument scope-p/);
  await expect(historyCommand.run(["run", "ptc", "--instrument", "scope-p", "--store", store])).rejects.toThrow(/no input folder/);
});
