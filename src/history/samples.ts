/**
 * Bundled sample of the QC history (registered in the SAMPLES registry on import).
 */
import { writeFile } from "node:fs/promises";
import { SAMPLES } from "../samples/index.js";
import { HISTORY_JSON_FORMAT, type HistoryExport } from "./exchange.js";
import { simulateQcHistory } from "./simulate-history.js";
import { HISTORY_SCHEMA_VERSION } from "./store.js";

/**
 * Settings of the "qc-history-year" sample: a year of twice-weekly QC (5 metrics) with the default slow fault
 * (field uniformity U of the 488 nm channel falling 0.15 %/day from day 180). The seed is one of the ~8 % for which
 * the four stable series raise no false alarm with limits from the first quarter, so the notebook shows the fault alone.
 */
export const QC_HISTORY_SAMPLE_SETTINGS = {
  instrument: "LSM-sim-1",
  startDate: "2025-01-06",
  days: 365,
  intervalDays: 3.5,
  seed: 7,
  /** Baseline period for the control limits: the first quarter. */
  baselineUntil: "2025-03-31",
} as const;

SAMPLES["qc-history-year"] = {
  file: "qc-history-year.json",
  description:
    "A simulated year of QC history (limiqc history JSON) of one confocal, twice a week: PSF lateral/axial ratios, field uniformity U and centering C, 488 nm power stability; planted fault: U of the 488 nm channel falls 0.15 %/day from 2025-07-05 and leaves its ≥ 50 % tolerance in late November.",
  async generate(path: string): Promise<void> {
    const s = QC_HISTORY_SAMPLE_SETTINGS;
    const { records } = simulateQcHistory({ instrument: s.instrument, startDate: s.startDate, days: s.days, intervalDays: s.intervalDays, seed: s.seed });
    const doc: HistoryExport = { format: HISTORY_JSON_FORMAT, schemaVersion: HISTORY_SCHEMA_VERSION, exportedAt: "2026-01-01T00:00:00.000Z", records };
    await writeFile(path, JSON.stringify(doc, null, 1));
  },
};
