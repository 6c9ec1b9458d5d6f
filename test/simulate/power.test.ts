import { describe, expect, test } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { formatPythonFloat, powerStats, simulatePowerLog, toSmartLpmTsv } from "../../src/simulate/power.js";

describe("simulatePowerLog", () => {
  test("blocks in LP order, each preceded by a dark pause and framed by transition readings", () => {
    const { rows, truth } = simulatePowerLog({ wavelengthsNm: [488, 561], settingsPercent: [20, 80], blockDurationS: 30, pauseS: 3, seed: 1 });
    expect(truth.blocks.map((b) => [b.wavelengthNm, b.settingPercent])).toEqual([
      [488, 20],
      [488, 80],
      [561, 20],
      [561, 80],
    ]);
    expect(rows.length).toBe(4 * (3 + 1 + 30 + 1));
    for (const b of truth.blocks) {
      expect(b.endRow - b.startRow).toBe(30);
      // pause rows (light off) before the rising transition
      for (let i = b.startRow - 4; i < b.startRow - 1; i++) expect(rows[i].powerMw).toBeLessThan(1e-5);
      expect(rows[b.startRow - 1].powerMw).toBeLessThan(b.nominalPowerMw * 0.96);
      for (let i = b.startRow; i < b.endRow; i++) expect(rows[i].wavelengthNm).toBe(b.wavelengthNm);
    }
    const pl = simulatePowerLog({ wavelengthsNm: [488, 561], settingsPercent: [20, 80], blockDurationS: 5, order: "PL", seed: 1 });
    expect(pl.truth.blocks.map((b) => b.wavelengthNm)).toEqual([488, 561, 488, 561]);
  });

  test("truth 'sampled' statistics are exactly those of the block's rows; noise-free stats match the generating model", () => {
    const { rows, truth } = simulatePowerLog({ wavelengthsNm: [640], blockDurationS: 120, noisePercent: 0.5, seed: 3 });
    const b = truth.blocks[0];
    const slice = rows.slice(b.startRow, b.endRow);
    const s = powerStats(
      slice.map((r) => r.timeS),
      slice.map((r) => r.powerMw),
    );
    expect(s).toEqual(b.sampled);
    const sMax = Math.max(...slice.map((r) => r.powerMw));
    const sMin = Math.min(...slice.map((r) => r.powerMw));
    expect(b.sampled.stabilityPercent).toBeCloseTo(100 * (1 - (sMax - sMin) / (sMax + sMin)), 12);
    // no drift, warm-up or hops: noise-free power is constant
    expect(b.noiseFree.stabilityPercent).toBeCloseTo(100, 12);
    expect(b.noiseFree.meanMw).toBeCloseTo(b.nominalPowerMw, 12);
    // sampled CV ≈ planted noise (SE of an SD with n = 120: 1/√(2n) ≈ 6.5 %, 4 SE)
    expect(Math.abs(b.sampled.cvPercent / 0.5 - 1)).toBeLessThan(4 / Math.sqrt(240));
  });

  test("planted drift (%/h) is recovered from the noisy readings within 4 standard errors", () => {
    const { truth } = simulatePowerLog({ wavelengthsNm: [488], blockDurationS: 3600, driftPercentPerH: 3, noisePercent: 0.3, seed: 7 });
    const b = truth.blocks[0];
    // SE of an OLS slope: σ/√Σ(t − t̄)², σ in % of the mean, t in h
    const n = b.sampled.n;
    const span = (b.endTimeS - b.startTimeS) / 3600;
    const se = (0.3 * Math.sqrt(12)) / (span * Math.sqrt(n));
    const relSlope = (b.sampled.slopeMwPerH / b.nominalPowerMw) * 100;
    expect(Math.abs(relSlope - 3)).toBeLessThan(4 * se);
    expect((b.noiseFree.slopeMwPerH / b.nominalPowerMw) * 100).toBeCloseTo(3, 9);
  });

  test("warm-up, mode hop and non-linearity act as planted", () => {
    const { rows, truth } = simulatePowerLog({
      wavelengthsNm: [405],
      settingsPercent: [10, 50],
      maxPowerMw: 20,
      nonlinearityExponent: 1.2,
      blockDurationS: 600,
      noisePercent: 0,
      warmupPercent: 5,
      warmupTimeConstantS: 60,
      modeHops: [{ timeS: 900, stepPercent: -2 }],
      transitions: false,
      pauseS: 0,
      seed: 2,
    });
    const [b0, b1] = truth.blocks;
    expect(b0.nominalPowerMw).toBeCloseTo(20 * 0.1 ** 1.2, 12);
    expect(b1.nominalPowerMw).toBeCloseTo(20 * 0.5 ** 1.2, 12);
    // the first reading is at switch-on: 5 % low
    expect(rows[b0.startRow].powerMw / b0.nominalPowerMw).toBeCloseTo(0.95, 9);
    // the hop falls inside the second block: −2 % after it
    expect(b1.modeHops.length).toBe(1);
    const before = rows.filter((r) => r.settingPercent === 50 && r.timeS < 900).at(-1)!;
    const after = rows.find((r) => r.settingPercent === 50 && r.timeS >= 900)!;
    expect(after.powerMw / before.powerMw).toBeCloseTo(0.98, 4);
    expect(b1.noiseFree.stabilityPercent).toBeLessThan(99.1);
  });

  test("same seed reproduces; different seed differs", () => {
    const a = simulatePowerLog({ blockDurationS: 20, seed: 4 });
    expect(simulatePowerLog({ blockDurationS: 20, seed: 4 }).rows).toEqual(a.rows);
    expect(simulatePowerLog({ blockDurationS: 20, seed: 5 }).rows[10].powerMw).not.toBe(a.rows[10].powerMw);
  });

  test("invalid options throw InvalidArgumentError", () => {
    expect(() => simulatePowerLog({ wavelengthsNm: [] })).toThrow(/at least one wavelength/);
    expect(() => simulatePowerLog({ settingsPercent: [120] })).toThrow(/settingsPercent\[0\] is 120/);
    expect(() => simulatePowerLog({ startTime: "yesterday" })).toThrow(/startTime "yesterday"/);
    expect(() => simulatePowerLog({ blockDurationS: -1 })).toThrow(InvalidArgumentError);
  });
});

describe("SmartLPM writer", () => {
  test("header, CR LF line ends, 4 fields without temperature and 5 with, SmartLPM timestamps", () => {
    const { rows } = simulatePowerLog({ wavelengthsNm: [488], settingsPercent: [30], blockDurationS: 3, startTime: "2024-11-08 17:27:32.678", seed: 1 });
    const text = toSmartLpmTsv(rows);
    const lines = text.split("\r\n");
    expect(lines[0]).toBe("timestamp\twavelength[nm]\tsetting[%]\tpower[mW]\ttemperature[C]");
    expect(lines.at(-1)).toBe("");
    expect(lines.length - 2).toBe(rows.length);
    expect(lines[1].split("\t")).toHaveLength(4);
    expect(lines[1]).toMatch(/^2024-11-08 17:27:32\.678\t488\t30\t/);
    // 1 s interval + 2 ms read-out, as in real logs
    expect(lines[2].startsWith("2024-11-08 17:27:33.680\t")).toBe(true);
    const withT = toSmartLpmTsv(simulatePowerLog({ wavelengthsNm: [488], blockDurationS: 2, temperature: { startC: 23 }, seed: 1 }).rows);
    expect(withT.split("\r\n")[1].split("\t")).toHaveLength(5);
  });

  test("numbers are written as Python repr (values from a real SmartLPM log)", () => {
    expect(formatPythonFloat(2.397548635236012e-5)).toBe("2.397548635236012e-05");
    expect(formatPythonFloat(0.00015951016759464869)).toBe("0.00015951016759464869");
    expect(formatPythonFloat(4.3830491233864566e-7)).toBe("4.3830491233864566e-07");
    expect(formatPythonFloat(5)).toBe("5.0");
    expect(formatPythonFloat(12.25)).toBe("12.25");
    expect(() => formatPythonFloat(Number.NaN)).toThrow(InvalidArgumentError);
  });
});
