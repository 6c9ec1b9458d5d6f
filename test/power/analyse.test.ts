import { describe, expect, test } from "vitest";
import { InsufficientDataError, InvalidArgumentError } from "../../src/core/errors.js";
import { DEFAULT_POWER_LIMITS, analysePowerLog } from "../../src/power/analyse.js";
import { parsePowerLog, readPowerLog } from "../../src/power/parse.js";
import { segmentPowerLog } from "../../src/power/segment.js";
import { POWER_LOG_SAMPLE_SETTINGS } from "../../src/power/samples.js";
import { loadProtocol } from "../../src/protocols/load.js";
import { type PowerLogOptions, powerStats, simulatePowerLog, toSmartLpmTsv } from "../../src/simulate/power.js";

const simLog = (o: PowerLogOptions) => {
  const sim = simulatePowerLog(o);
  return { sim, log: parsePowerLog(toSmartLpmTsv(sim.rows)) };
};

describe("segmentPowerLog", () => {
  test("finds exactly the simulator's steady blocks (LP and PL order, several cycles, 1 % to 100 %)", () => {
    for (const o of [
      { wavelengthsNm: [405, 488, 561, 640], settingsPercent: [1, 5, 20, 80, 100], blockDurationS: 20, seed: 2 },
      { wavelengthsNm: [488, 640], settingsPercent: [5, 80], order: "PL" as const, cycles: 3, blockDurationS: 8, pauseS: 3, seed: 5 },
      { wavelengthsNm: [561, 640], settingsPercent: [30], blockDurationS: 40, pauseS: 0, cycles: 2, seed: 9 },
    ]) {
      const { sim, log } = simLog(o);
      const seg = segmentPowerLog(log);
      expect(seg.blocks.map((b) => [b.start, b.end])).toEqual(sim.truth.blocks.map((b) => [b.startRow, b.endRow]));
      expect(seg.blocks.map((b) => b.wavelengthNm)).toEqual(sim.truth.blocks.map((b) => b.wavelengthNm));
      expect(seg.skipped).toEqual([]);
    }
  });

  test("a blind log (constant labels) splits at the dark pauses; partial readings at each switch are trimmed", async () => {
    const log = await readPowerLog("data/fixtures/smartlpm/pulses.tsv");
    const seg = segmentPowerLog(log);
    expect(seg.blocks.length).toBe(4);
    expect(seg.blocks.map((b) => b.n)).toEqual([6, 6, 6, 6]);
    expect(seg.blocks.map((b) => b.firstLine)).toEqual([6, 19, 32, 45]);
    expect(seg.blocks.every((b) => b.trimmedStart === 1 && b.trimmedEnd === 1)).toBe(true);
    expect(seg.lightOffReadings).toBe(23);
  });

  test("short runs are listed as skipped with the reason; an explicit threshold is honoured", () => {
    const text = "time (s)\tpower (mW)\n0\t0\n1\t5\n2\t5\n3\t0\n4\t0\n5\t5\n6\t5\n7\t5\n8\t5\n9\t5\n10\t5\n11\t0\n";
    const log = parsePowerLog(text);
    const seg = segmentPowerLog(log);
    expect(seg.blocks.length).toBe(1);
    expect(seg.blocks[0].n).toBe(4);
    expect(seg.skipped.length).toBe(1);
    expect(seg.skipped[0].firstLine).toBe(3);
    expect(seg.skipped[0].reason).toMatch(/2 light-on reading\(s\), 0 left .* at least 3/);
    expect(segmentPowerLog(log, { onThresholdMw: 10 }).blocks.length).toBe(0);
    expect(() => segmentPowerLog(log, { transitionReadings: -1 })).toThrow(InvalidArgumentError);
  });

  test("a gap in the log ends a block", () => {
    const rows = Array.from({ length: 20 }, (_, i) => `${i < 10 ? i : i + 60}\t${1 + 0.001 * (i % 3)}`).join("\n");
    const seg = segmentPowerLog(parsePowerLog(`time (s)\tpower (mW)\n${rows}\n`));
    expect(seg.blocks.length).toBe(2);
    expect(seg.blocks[0].trimmedEnd).toBe(0); // a gap is not a switch
  });
});

describe("analysePowerLog", () => {
  test("S and CV per block equal the simulator's exactly and CV matches the planted noise within 0.1 pp", () => {
    const { sim, log } = simLog({ noisePercent: 0.2, blockDurationS: 300, seed: 21 });
    const r = analysePowerLog(log);
    expect(r.blocks.length).toBe(4);
    r.blocks.forEach((b, i) => {
      const truth = sim.truth.blocks[i].sampled;
      expect(Math.abs(b.stability.stabilityPercent.value - truth.stabilityPercent)).toBeLessThan(1e-9);
      expect(Math.abs(b.stability.cvPercent.value - truth.cvPercent)).toBeLessThan(1e-9);
      expect(Math.abs(b.stability.cvPercent.value - 0.2)).toBeLessThan(0.1);
      // S of Gaussian noise over 300 readings: range ≈ 6σ → S ≈ 100 − 0.6
      expect(Math.abs(b.stability.stabilityPercent.value - truth.stabilityPercent)).toBeLessThan(0.1);
    });
    expect(r.verdict.level).toBe("pass");
    expect(r.series.every((s) => s.term === "short")).toBe(true);
  });

  test("recovers planted drift within 5 % on a 2 h log", () => {
    const { sim, log } = simLog({ wavelengthsNm: [561], settingsPercent: [80], blockDurationS: 7200, driftPercentPerH: 1.5, noisePercent: 0.2, seed: 4 });
    const r = analysePowerLog(log);
    const s = r.series[0];
    expect(s.term).toBe("long");
    // relative to the mean, the planted 1.5 %/h of the nominal power is 1.5/(1 + 1.5 %·1 h) %/h
    const expected = 1.5 / 1.015;
    expect(Math.abs(s.stability.driftPercentPerH.value - expected) / expected).toBeLessThan(0.05);
    expect(Math.abs(s.stability.driftPercentPerH.value - sim.truth.blocks[0].sampled.slopePercentPerH)).toBeLessThan(1e-6);
    expect(s.stability.driftPercentPerH.uncertainty).toBeGreaterThan(0);
    expect(s.stability.warmup?.timeS.value).toBe(0);
  });

  test("recovers planted warm-up time τ·ln(a/tol) within 10 %", () => {
    for (const [a, tau, seed] of [
      [5, 120, 3],
      [3, 60, 8],
    ] as const) {
      const { sim, log } = simLog({ wavelengthsNm: [488], settingsPercent: [80], blockDurationS: 1800, warmupPercent: a, warmupTimeConstantS: tau, noisePercent: 0.2, seed });
      const r = analysePowerLog(log);
      const w = r.series[0].stability.warmup!;
      const switchOn = sim.truth.sources[0].switchOnTimeS;
      const blockStart = sim.truth.blocks[0].startTimeS;
      const truth = tau * Math.log(a / 1) - (blockStart - switchOn);
      expect(w.stabilised).toBe(true);
      expect(Math.abs(w.timeS.value - truth) / truth).toBeLessThan(0.1);
      // drift is fitted after warm-up, so most of the warm-up does not count as drift
      expect(Math.abs(r.series[0].stability.driftPercentPerH.value)).toBeLessThan(sim.truth.blocks[0].sampled.slopePercentPerH / 2);
    }
  });

  test("linearity: slope, R² and deviations of a linear source; a non-linear one fails", () => {
    const settings = [1, 2, 4, 8, 16, 32, 64, 100];
    const { log } = simLog({ wavelengthsNm: [488], settingsPercent: settings, maxPowerMw: 12, blockDurationS: 20, seed: 6 });
    const r = analysePowerLog(log);
    const l = r.linearity[0];
    expect(l.settingsPercent).toEqual(settings);
    expect(Math.abs(l.slopeMwPerPercent.value - 0.12) / 0.12).toBeLessThan(0.005);
    expect(Math.abs(l.originSlopeMwPerPercent.value - 0.12) / 0.12).toBeLessThan(0.005);
    expect(Math.abs(l.powerAt100PercentMw.value - 12) / 12).toBeLessThan(0.005);
    expect(l.rSquared).toBeGreaterThan(0.9999);
    expect(l.maxDeviationPercent).toBeLessThan(2);
    expect(r.checks.filter((c) => c.id.startsWith("linearity")).every((c) => c.level === "pass")).toBe(true);

    const bent = analysePowerLog(simLog({ wavelengthsNm: [488], settingsPercent: settings, maxPowerMw: 12, nonlinearityExponent: 1.3, blockDurationS: 20, seed: 6 }).log);
    const lb = bent.linearity[0];
    expect(lb.maxDeviationPercent).toBeGreaterThan(10);
    expect(bent.checks.find((c) => c.id === "linearity-deviation")!.level).toBe("fail");
    expect(bent.verdict.level).toBe("fail");
    expect(bent.verdict.reason).toMatch(/488 nm linearity/);
  });

  test("the bundled sample's mode hop fails S and warm-up for 561 nm; expected power compared", () => {
    const s = POWER_LOG_SAMPLE_SETTINGS;
    const { log } = simLog({ ...s, wavelengthsNm: [...s.wavelengthsNm], settingsPercent: [...s.settingsPercent], maxPowerMw: [...s.maxPowerMw], modeHops: [...s.modeHops] });
    const r = analysePowerLog(log, { expected: [{ wavelengthNm: 488, settingPercent: 80, powerMw: 8 }, { wavelengthNm: 640, settingPercent: 50, powerMw: 6 }, { wavelengthNm: 405, powerMw: 1 }] });
    expect(r.series.length).toBe(9);
    const hop = r.series.find((x) => x.label === "561 nm @ 80 %")!;
    expect(hop.stability.stabilityPercent.value).toBeLessThan(97);
    expect(hop.stability.warmup?.stabilised).toBe(false);
    const failing = r.checks.filter((c) => c.level === "fail");
    expect(failing.every((c) => c.subject.startsWith("561 nm @ 80 %"))).toBe(true);
    expect(failing.map((c) => c.id).sort()).toEqual(["cv", "stability", "warmup"]);
    expect(r.verdict.level).toBe("fail");
    expect(r.verdict.reason).toMatch(/561 nm @ 80 %/);
    // the warm-up after each switch-on is found and short
    const first = r.series.find((x) => x.label === "488 nm @ 5 %")!;
    // τ·ln(a/tol) = 20 s·ln 2 ≈ 14 s after switch-on, i.e. ≈ 13 s after the first steady reading
    expect(first.stability.warmup!.timeS.value).toBeGreaterThan(5);
    expect(first.stability.warmup!.timeS.value).toBeLessThan(25);
    // expected powers
    expect(r.expected[0].source).toBe("block");
    expect(Math.abs(r.expected[0].deviationPercent!)).toBeLessThan(1);
    expect(r.expected[1].source).toBe("linearity-fit");
    expect(Math.abs(r.expected[1].measuredMw!.value - 6) / 6).toBeLessThan(0.02);
    expect(r.expected[2].source).toBe("none");
    expect(r.checks.find((c) => c.subject.startsWith("405 nm"))!.level).toBe("warn");
    // record is JSON-serialisable without NaN
    const json = JSON.stringify(r);
    expect(json).not.toMatch(/NaN|Infinity/);
    expect(r.provenance.fn).toBe("analysePowerLog");
  });

  test("an interleaved long-term log gives one long-term series per line with S and CV over all its readings", () => {
    const { sim, log } = simLog({ wavelengthsNm: [488, 640], settingsPercent: [80], blockDurationS: 10, pauseS: 2, cycles: 70, noisePercent: 0.3, seed: 12 });
    const r = analysePowerLog(log);
    expect(r.series.length).toBe(2);
    for (const s of r.series) {
      expect(s.term).toBe("long");
      expect(s.blocks.length).toBe(70);
      const rows = sim.truth.blocks.filter((b) => b.wavelengthNm === s.wavelengthNm).flatMap((b) => sim.rows.slice(b.startRow, b.endRow));
      const truth = powerStats(rows.map((x) => x.timeS), rows.map((x) => x.powerMw));
      expect(Math.abs(s.stability.stabilityPercent.value - truth.stabilityPercent)).toBeLessThan(1e-6);
      expect(Math.abs(s.stability.cvPercent.value - truth.cvPercent)).toBeLessThan(1e-6);
    }
  });

  test("rejected lines give a warning naming them", async () => {
    const r = analysePowerLog(await readPowerLog("data/fixtures/smartlpm/garbled.tsv"), { segment: { minBlockReadings: 2 } });
    const c = r.checks.find((x) => x.id === "rejected-rows")!;
    expect(c.level).toBe("warn");
    expect(c.reason).toMatch(/5 line\(s\) .* \(lines 5, 6, 7, 10, 11\)/);
    expect(r.provenance.inputs[0].file).toBe("data/fixtures/smartlpm/garbled.tsv");
  });

  test("errors: no block, invalid expected power", () => {
    const log = parsePowerLog("time (s)\tpower (mW)\n0\t1e-7\n1\t2e-7\n2\t1e-7\n");
    expect(() => analysePowerLog(log, { segment: { onThresholdMw: 1e-3 } })).toThrow(InsufficientDataError);
    expect(() => analysePowerLog(log, { segment: { onThresholdMw: 1e-3 } })).toThrow(/No measurement block found in 3 readings \(3 classed as light off/);
    const ok = parsePowerLog("time (s)\tpower (mW)\n0\t1\n1\t1\n2\t1\n3\t1\n");
    expect(() => analysePowerLog(ok, { expected: [{ wavelengthNm: 488, powerMw: -1 }] })).toThrow(InvalidArgumentError);
  });

  test("default limits equal the protocol's acceptance criteria", () => {
    const p = loadProtocol("illumination-power");
    const get = (id: string) => p.acceptance.find((a) => a.id === id)!;
    expect([get("stability").warn, get("stability").fail]).toEqual([DEFAULT_POWER_LIMITS.stabilityPercent.warn, DEFAULT_POWER_LIMITS.stabilityPercent.fail]);
    expect([get("cv").warn, get("cv").fail]).toEqual([DEFAULT_POWER_LIMITS.cvPercent.warn, DEFAULT_POWER_LIMITS.cvPercent.fail]);
    expect([get("drift").warn, get("drift").fail]).toEqual([DEFAULT_POWER_LIMITS.driftPercentPerH.warn, DEFAULT_POWER_LIMITS.driftPercentPerH.fail]);
    expect([get("warmup").warn, get("warmup").fail]).toEqual([DEFAULT_POWER_LIMITS.warmupS.warn, DEFAULT_POWER_LIMITS.warmupS.fail]);
    expect([get("linearity-r2").warn, get("linearity-r2").fail]).toEqual([DEFAULT_POWER_LIMITS.linearityRSquared.warn, DEFAULT_POWER_LIMITS.linearityRSquared.fail]);
    expect([get("linearity-deviation").warn, get("linearity-deviation").fail]).toEqual([
      DEFAULT_POWER_LIMITS.linearityDeviationPercent.warn,
      DEFAULT_POWER_LIMITS.linearityDeviationPercent.fail,
    ]);
    expect([get("expected").warn, get("expected").fail]).toEqual([DEFAULT_POWER_LIMITS.expectedDeviationPercent.warn, DEFAULT_POWER_LIMITS.expectedDeviationPercent.fail]);
    for (const a of p.acceptance) expect(a.source).toMatch(/no published limit/);
  });
});
