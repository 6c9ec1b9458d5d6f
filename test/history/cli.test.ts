import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, expect, test, vi } from "vitest";
import { historyCommand } from "../../src/cli/history.js";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { HistoryRecordError } from "../../src/history/errors.js";
import { HISTORY_JSON_FORMAT } from "../../src/history/exchange.js";
import { simulateQcHistory } from "../../src/history/simulate-history.js";
import { HISTORY_SCHEMA_VERSION } from "../../src/history/store.js";
import { analysePowerLog } from "../../src/power/analyse.js";
import { parsePowerLog } from "../../src/power/parse.js";
import { simulatePowerLog, toSmartLpmTsv } from "../../src/simulate/power.js";
import { simulateFlatField } from "../../src/simulate/flatfield.js";
import { writeOmeTiff } from "../../src/io/tiff-writer.js";

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
  await expect(historyCommand.run(["run", "stage", flat, "--instrument", "x", "--store", store])).rejects.toThrow(/expected one of psf, flatness, power/);
  await expect(historyCommand.run(["run", "flatness", flat, "--store", store])).rejects.toThrow(/no --instrument/);
  await expect(historyCommand.run(["run", "psf", flat, "--instrument", "x", "--store", store, "--modality", "sted"])).rejects.toThrow(/--modality "sted" is unknown/);
});

test("history: bad use gives typed errors", async () => {
  await expect(historyCommand.run(["frobnicate"])).rejects.toThrow(InvalidArgumentError);
  await expect(historyCommand.run(["trends", "--store", join(dir, "none.sqlite"), "--instrument", "x"])).rejects.toThrow(/does not exist/);
  await expect(historyCommand.run(["import", "x.json"])).rejects.toThrow(/No history store given[\s\S]*LIMIQC_STORE/);
});
