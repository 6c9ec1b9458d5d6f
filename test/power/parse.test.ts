import { existsSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { CorruptFileError, InvalidArgumentError, MissingMetadataError } from "../../src/core/errors.js";
import { parsePowerLog, readPowerLog } from "../../src/power/parse.js";
import { segmentPowerLog } from "../../src/power/segment.js";
import { resolve } from "node:path";

const FIX = "data/fixtures";

describe("parsePowerLog / readPowerLog", () => {
  test("reads a SmartLPM log: format, units, labels, line numbers (CR LF)", async () => {
    const log = await readPowerLog(`${FIX}/smartlpm/pulses.tsv`);
    expect(log.format).toBe("smartlpm");
    expect(log.timeKind).toBe("wall-clock");
    expect(log.startTime).toBe("2024-11-08T17:27:30.000");
    expect(log.powersMw.length).toBe(55);
    expect(log.rejectedRows).toEqual([]);
    expect(log.lineNumbers[0]).toBe(2);
    expect(log.lineNumbers[54]).toBe(56);
    expect(log.timesS[1]).toBeCloseTo(1.002, 9);
    expect(log.wavelengthsNm?.every((w) => w === 488)).toBe(true);
    expect(log.settingsPercent?.[0]).toBe(30);
    expect(log.temperaturesC?.[0]).toBe(23.1);
    expect(log.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(log.file).toBe(`${FIX}/smartlpm/pulses.tsv`);
  });

  test("garbled rows are reported with their line numbers and reasons, never dropped silently", async () => {
    const log = await readPowerLog(`${FIX}/smartlpm/garbled.tsv`);
    expect(log.powersMw).toEqual([1.02, 1.01, 1.03, 1.0, 1.02, 1.01]);
    expect(log.lineNumbers).toEqual([2, 3, 4, 8, 12, 13]);
    const byLine = Object.fromEntries(log.rejectedRows.map((r) => [r.line, r.reason]));
    expect(Object.keys(byLine).map(Number)).toEqual([5, 6, 7, 10, 11]);
    expect(byLine[5]).toMatch(/3 field\(s\)/);
    expect(byLine[6]).toMatch(/power "nan" is not a finite number/);
    expect(byLine[7]).toMatch(/time "8 Nov 2024 10:00:05" is not a timestamp/);
    expect(byLine[10]).toMatch(/earlier than the previous reading/);
    expect(byLine[11]).toMatch(/repeated header/);
    // every non-blank line after the header is accounted for
    expect(log.powersMw.length + log.rejectedRows.length).toBe(11);
    expect(log.temperaturesC?.[2]).toBeNull();
    expect(log.notes.join(" ")).toMatch(/5 line\(s\) could not be read/);
  });

  test("Thorlabs-style export: metadata skipped, date + time of day combined across a year change, W → mW", async () => {
    const log = await readPowerLog(`${FIX}/power/thorlabs-style.csv`);
    expect(log.format).toBe("thorlabs");
    expect(log.columns.date).toBe("Date (MM/dd/yyyy)");
    expect(log.powersMw[0]).toBeCloseTo(2.5, 12);
    expect(log.timesS).toEqual([0, 1, 2, 3, 4, 5]);
    expect(log.startTime).toBe("2024-12-31T23:59:57.000");
    expect(log.wavelengthsNm?.[0]).toBe(640);
    expect(log.notes.join(" ")).toMatch(/640 nm taken from the metadata/);
  });

  test("UTC offsets across a daylight-saving change give exact elapsed times; irregular sampling kept", async () => {
    const log = await readPowerLog(`${FIX}/power/zoned.csv`);
    expect(log.timeKind).toBe("zoned");
    expect(log.startTime).toBe("2025-03-30T00:59:58.000Z");
    expect(log.timesS).toEqual([0, 1.5, 2, 5, 7]);
    expect(log.powersMw[0]).toBeCloseTo(0.512, 12);
    expect(log.sourcePowerUnit).toBe("uw");
  });

  test("semicolons with decimal commas and elapsed time in ms", async () => {
    const log = await readPowerLog(`${FIX}/power/decimal-comma.csv`);
    expect(log.timeKind).toBe("elapsed");
    expect(log.timesS).toEqual([0, 0.5, 1, 1.5, 2]);
    expect(log.powersMw[1]).toBeCloseTo(3.21, 12);
    expect(log.temperaturesC?.[0]).toBe(21.5);
    expect(log.startTime).toBeNull();
  });

  test("time of day rolls over midnight; AM/PM and dot dates; dBm", () => {
    const tod = parsePowerLog("Time,Power [mW]\n23:59:59.5,1\n00:00:00.5,1\n00:00:01.5,1\n");
    expect(tod.timeKind).toBe("time-of-day");
    expect(tod.timesS).toEqual([0, 1, 2]);
    expect(tod.notes.join(" ")).toMatch(/midnight/);
    const ampm = parsePowerLog("timestamp,power (mW)\n11/08/2024 11:59:59 AM,1\n11/08/2024 12:00:01 PM,1\n11/08/2024 1:00:01 PM,1\n");
    expect(ampm.timesS).toEqual([0, 2, 3602]);
    expect(ampm.startTime).toBe("2024-11-08T11:59:59.000");
    const dot = parsePowerLog("timestamp;power (dBm)\n08.11.2024 17:00:00;0\n08.11.2024 17:00:01;10\n");
    expect(dot.startTime).toBe("2024-11-08T17:00:00.000");
    expect(dot.powersMw[0]).toBeCloseTo(1, 12);
    expect(dot.powersMw[1]).toBeCloseTo(10, 12);
    const dmy = parsePowerLog("timestamp,power (mW)\n03/04/2024 10:00:00,1\n", { dateOrder: "DMY" });
    expect(dmy.startTime).toBe("2024-04-03T10:00:00.000");
  });

  test("a numeric time column without a unit is elapsed seconds (noted); missing power unit is mW (noted)", () => {
    const log = parsePowerLog("t\tpower\n0\t1.5\n0.5\t1.6\n2\t1.4\n");
    expect(log.timesS).toEqual([0, 0.5, 2]);
    expect(log.powersMw).toEqual([1.5, 1.6, 1.4]);
    expect(log.notes.join(" ")).toMatch(/read as elapsed seconds/);
    expect(log.notes.join(" ")).toMatch(/names no unit; readings were taken as mW/);
    const w = parsePowerLog("t\tpower\n0\t0.0015\n", { powerUnit: "W" });
    expect(w.powersMw[0]).toBeCloseTo(1.5, 12);
  });

  test("columns chosen by name", () => {
    const text = "when (s),reading A (mW),laser power (%),P2 (mW)\n0,1,50,7\n1,1.1,50,7.1\n";
    const log = parsePowerLog(text, { timeColumn: "when", powerColumn: "P2 (mW)", settingColumn: "laser power" });
    expect(log.powersMw).toEqual([7, 7.1]);
    expect(log.settingsPercent).toEqual([50, 50]);
    expect(log.timesS).toEqual([0, 1]);
  });

  test("errors: no header, unknown named column, unknown unit, nothing readable", () => {
    expect(() => parsePowerLog("a,b\n1,2\n")).toThrow(CorruptFileError);
    expect(() => parsePowerLog("a,b\n1,2\n")).toThrow(/No header row with a time column and a power column/);
    expect(() => parsePowerLog("time (s),power (mW)\n0,1\n", { powerColumn: "watts" })).toThrow(MissingMetadataError);
    expect(() => parsePowerLog("time (s),power (mW)\n0,1\n", { powerColumn: "watts" })).toThrow(/no power column named "watts"/);
    expect(() => parsePowerLog("time (s),power (furlongs)\n0,1\n")).toThrow(InvalidArgumentError);
    expect(() => parsePowerLog("time (s),power (furlongs)\n0,1\n")).toThrow(/Power unit "furlongs"/);
    expect(() => parsePowerLog("timestamp,power (mW)\nyesterday,1\nsoon,2\n")).toThrow(CorruptFileError);
    expect(() => parsePowerLog("timestamp,power (mW)\nyesterday,1\nsoon,2\n")).toThrow(/2 line\(s\) were rejected, e\.g\. line 2/);
  });

  test("a missing file is a clear error", async () => {
    await expect(readPowerLog("no/such/log.tsv")).rejects.toThrow(/Cannot read the power log no\/such\/log\.tsv/);
  });

  // The real SmartLPM sample (QUAREP-LiMi/SmartLPM, AGPL-3.0) is reference material outside the repository, in the
  // shared/ folder beside the checkout (as on the project's machines and in CI); skipped where it is absent.
  const SHARED = [resolve("../shared/data/smartlpm/blindData.csv"), "/work/shared/data/smartlpm/blindData.csv"].find((p) => existsSync(p)) ?? "";
  test.skipIf(!existsSync(SHARED))("the shared SmartLPM sample parses and segments into its 9 light pulses", async () => {
    const log = await readPowerLog(SHARED);
    expect(log.format).toBe("smartlpm");
    expect(log.powersMw.length).toBe(120);
    expect(log.rejectedRows).toEqual([]);
    const seg = segmentPowerLog(log);
    expect(seg.blocks.length).toBe(9);
    expect(seg.blocks.map((b) => b.firstLine)).toEqual([7, 17, 28, 40, 52, 64, 78, 96, 115]);
    for (const b of seg.blocks) {
      const vals = log.powersMw.slice(b.start, b.end);
      for (const v of vals) expect(v).toBeGreaterThan(2.0e-4);
      expect(b.n).toBeGreaterThanOrEqual(4);
    }
    expect(seg.skipped.map((s) => s.firstLine)).toEqual([2]);
  });
});
