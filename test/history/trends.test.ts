import { describe, expect, test } from "vitest";
import { InsufficientDataError, InvalidArgumentError } from "../../src/core/errors.js";
import { type SimulatedHistoryMetric, simulateQcHistory } from "../../src/history/simulate-history.js";
import { analyseHistoryTrend, analyseHistoryTrends, historyTrendPlot } from "../../src/history/trends.js";
import type { HistoryRecord } from "../../src/history/types.js";
import { makeRecord } from "./fixtures.js";

const DAY_MS = 86_400_000;
const STABLE: SimulatedHistoryMetric[] = [{ protocol: "p", metric: "m", unit: "1", channel: null, objective: null, mean: 10, sd: 1, uncertainty: 0.1, lowerLimit: null, upperLimit: null }];

describe("control limits (known answers)", () => {
  const values = [9, 11, 9, 11, 9, 11, 9, 11, 10, 14];
  const recs: HistoryRecord[] = values.map((v, i) => ({ ...makeRecord(i), value: v, upperLimit: 13.5, lowerLimit: null }));
  const t = analyseHistoryTrend(recs, { baselinePoints: 8 });

  test("baseline mean, SD (n − 1), Shewhart limits", () => {
    const sd = Math.sqrt(8 / 7);
    expect(t.baseline.mean).toBe(10);
    expect(t.baseline.sd).toBeCloseTo(sd, 12);
    expect(t.controlLimits.upper).toBeCloseTo(10 + 3 * sd, 12);
    expect(t.controlLimits.lower).toBeCloseTo(10 - 3 * sd, 12);
  });

  test("EWMA: z₁ = λx₁ + (1 − λ)μ₀, first limits μ₀ ± Lσλ (Montgomery eq. 9.24 at i = 1)", () => {
    const sd = Math.sqrt(8 / 7);
    const p1 = t.points[8];
    const p2 = t.points[9];
    expect(p1?.ewma).toBeCloseTo(10, 12);
    expect(p1?.ewmaUpper).toBeCloseTo(10 + 3 * sd * 0.2, 12);
    expect(p2?.ewma).toBeCloseTo(0.2 * 14 + 0.8 * 10, 12);
    expect(p2?.ewmaUpper).toBeCloseTo(10 + 3 * sd * Math.sqrt((0.2 / 1.8) * (1 - 0.8 ** 4)), 12);
    // 10.8 < 10 + 3·1.069·0.2·1.28 = 10.82: no EWMA signal yet; 14 > UCL 13.2: Shewhart signal; 14 > 13.5: out of tolerance
    expect(t.firstEwmaSignal).toBeNull();
    expect(t.firstOutOfControl).toBe(recs[9]?.acquiredAt);
    expect(t.firstOutOfTolerance).toBe(recs[9]?.acquiredAt);
  });

  test("alerts name the series, the kind and the first date", () => {
    const { alerts } = analyseHistoryTrends(recs, { baselinePoints: 8 });
    expect(alerts.map((a) => a.kind).sort()).toEqual(["shewhart", "tolerance"]);
    expect(alerts.find((a) => a.kind === "tolerance")?.message).toMatch(/uniformity \(488 nm\) left its tolerance \(≤ 13.5 %\) on 2025-01-15: 14 %/);
  });

  test("bad input: short baseline, mixed series, bad λ", () => {
    expect(() => analyseHistoryTrend(recs.slice(0, 5))).toThrow(InsufficientDataError);
    expect(() => analyseHistoryTrend(recs.slice(0, 5))).toThrow(/5 baseline points; at least 8/);
    expect(() => analyseHistoryTrend([...recs, makeRecord(20, "scope-B")], { baselinePoints: 8 })).toThrow(InvalidArgumentError);
    expect(() => analyseHistoryTrend(recs, { ewmaLambda: 0 })).toThrow(/ewmaLambda is 0/);
    const r = analyseHistoryTrends([...recs, makeRecord(20, "scope-B")], { baselinePoints: 8 });
    expect(r.trends).toHaveLength(1);
    expect(r.skipped[0]?.reason).toMatch(/scope-B uniformity \(488 nm\): 1 baseline points/);
  });
});

describe("simulated histories", () => {
  test("planted slow drift: EWMA signals 0–35 days after onset in ≥ 85 % of 100 seeded years (measured 89 %)", () => {
    let inWindow = 0;
    let before = 0;
    let late = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const { records, truth } = simulateQcHistory({ seed });
      const fault = truth.fault;
      if (!fault) throw new Error("no fault");
      const t = analyseHistoryTrend(
        records.filter((r) => r.metric === fault.metric),
        { baselineUntil: "2025-03-31" },
      );
      const delayDays = t.firstEwmaSignal === null ? Number.POSITIVE_INFINITY : (Date.parse(t.firstEwmaSignal) - Date.parse(fault.startAt)) / DAY_MS;
      if (delayDays < 0) before++;
      else if (delayDays <= 35) inWindow++;
      else late++;
    }
    expect(inWindow).toBeGreaterThanOrEqual(85);
    expect(late).toBe(0);
    expect(before).toBeLessThanOrEqual(15);
  });

  test("tolerance alert within ± 3 weeks of the drifting mean crossing the limit", () => {
    const { records, truth } = simulateQcHistory({ seed: 7 });
    const { alerts } = analyseHistoryTrends(records, { baselineUntil: "2025-03-31" });
    const tol = alerts.find((a) => a.kind === "tolerance");
    expect(tol?.metric).toBe("uniformity");
    const crossing = truth.fault?.meanLeavesToleranceAt as string;
    expect(Math.abs(Date.parse(tol?.firstAt as string) - Date.parse(crossing)) / DAY_MS).toBeLessThanOrEqual(21);
  });

  test("stable series, limits from a long baseline: Shewhart false alarms 0.2–0.42 % of points (nominal 0.27 %)", () => {
    let points = 0;
    let alarms = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const { records } = simulateQcHistory({ metrics: STABLE, fault: null, seed, intervalDays: 1, days: 500 });
      const t = analyseHistoryTrend(records, { baselinePoints: 200 });
      for (const p of t.points) {
        if (p.baseline) continue;
        points++;
        if (p.outOfControl) alarms++;
      }
    }
    expect(points).toBe(60_000);
    expect(alarms / points).toBeGreaterThan(0.002);
    expect(alarms / points).toBeLessThan(0.0042);
  });

  test("stable series: EWMA (λ 0.2, L 3) in-control average run length 400–750 points (Montgomery: 562)", () => {
    const runLengths: number[] = [];
    for (let seed = 1; seed <= 60; seed++) {
      const { records } = simulateQcHistory({ metrics: STABLE, fault: null, seed: 1000 + seed, intervalDays: 1, days: 400 + 3000 });
      const t = analyseHistoryTrend(records, { baselinePoints: 400 });
      const k = t.points.findIndex((p) => p.ewmaSignal);
      runLengths.push(k < 0 ? 3000 : k - 400 + 1);
    }
    const arl = runLengths.reduce((a, b) => a + b, 0) / runLengths.length;
    expect(arl).toBeGreaterThan(400);
    expect(arl).toBeLessThan(750);
  });
});

test("trend plot: date axis, values with error bars, EWMA, tolerance and control-limit lines", () => {
  const { records } = simulateQcHistory({ seed: 7 });
  const t = analyseHistoryTrend(
    records.filter((r) => r.metric === "uniformity"),
    { baselineUntil: "2025-03-31" },
  );
  const fig = historyTrendPlot(t);
  const layout = fig.layout as { xaxis: { type: string }; shapes: { y0: number; x0: unknown }[] };
  expect(layout.xaxis.type).toBe("date");
  expect(fig.data).toHaveLength(4);
  const first = fig.data[0] as { x: string[]; error_y?: object };
  expect(first.x[0]).toBe(t.points[0]?.acquiredAt);
  expect(first.error_y).toBeDefined();
  const ys = layout.shapes.map((s) => s.y0);
  expect(ys).toContain(50);
  expect(ys).toContain(t.controlLimits.upper);
  expect(ys).toContain(t.controlLimits.lower);
  expect(layout.shapes.some((s) => s.x0 === t.firstEwmaSignal)).toBe(true);
});
