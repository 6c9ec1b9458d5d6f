/** Shared test helpers of the history tests (also bundled into the child-process worker). */
import type { HistoryRecord } from "../../src/history/types.js";

const DAY_MS = 86_400_000;
const T0_MS = Date.parse("2025-01-06T09:00:00Z");

/** A valid record number `i` of `instrument` (one metric per day, distinct keys for distinct i). */
export function makeRecord(i: number, instrument = "scope-A", metric = "uniformity"): HistoryRecord {
  return {
    protocol: "field-uniformity",
    metric,
    value: 80 + (i % 7) * 0.5,
    uncertainty: 0.3,
    unit: "%",
    lowerLimit: 50,
    upperLimit: null,
    limitText: "≥ 50",
    verdict: "pass",
    instrument,
    objective: "20x/0.8 air",
    channel: "488 nm",
    acquiredAt: new Date(T0_MS + i * DAY_MS).toISOString(),
    analysedAt: new Date(T0_MS + i * DAY_MS + 60_000).toISOString(),
    inputSha256: (i.toString(16).padStart(8, "0") + instrument.length.toString(16)).padEnd(64, "a"),
    provenance: { fn: "test", inputs: [{ file: `flat-${i}.tif` }] },
  };
}
