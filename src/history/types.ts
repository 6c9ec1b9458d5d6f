/**
 * Types of the QC history store: one row per measured metric of one QC run.
 */
import type { VerdictLevel } from "../core/quantity.js";

/**
 * One QC result as stored in the history: a single metric of a single protocol run on one instrument.
 *
 * The natural key (see {@link historyRecordKey}) is protocol + metric + instrument + objective + channel +
 * acquisition time + input SHA-256, so saving the same input twice stores it once.
 */
export interface HistoryRecord {
  /** Protocol id, e.g. "resolution", "field-uniformity", "illumination-power". */
  readonly protocol: string;
  /** Metric id within the protocol, e.g. "lateralRatio", "fwhmX", "uniformity". */
  readonly metric: string;
  /** Measured value, in `unit`. Finite. */
  readonly value: number;
  /** One standard uncertainty, in `unit` (≥ 0); null when the analysis gives none. */
  readonly uncertainty: number | null;
  /** Unit of `value` ("um", "%", "1", "mW", ...). */
  readonly unit: string;
  /** Lower acceptance limit (fail), in `unit`; null when there is none. */
  readonly lowerLimit: number | null;
  /** Upper acceptance limit (fail), in `unit`; null when there is none. */
  readonly upperLimit: number | null;
  /** The limit as the analysis wrote it (e.g. "≤ 1.5"), or null. */
  readonly limitText: string | null;
  /** Verdict level of this metric (or of the run when the metric has none); null when not judged. */
  readonly verdict: VerdictLevel | null;
  /** Instrument (microscope) identifier chosen by the facility, e.g. "LSM980-room2". */
  readonly instrument: string;
  /** Objective, e.g. "63x/1.40 oil"; null when not applicable. */
  readonly objective: string | null;
  /** Channel (name or wavelength), e.g. "488 nm"; null when not applicable. */
  readonly channel: string | null;
  /** ISO 8601 time of the acquisition (else of the analysis): the time axis of trends. */
  readonly acquiredAt: string;
  /** ISO 8601 time the analysis ran, or null. */
  readonly analysedAt: string | null;
  /** SHA-256 (hex) of the analysed input file, or null when the input did not come from a file. */
  readonly inputSha256: string | null;
  /** Provenance of the analysis (function, version, options, inputs, notes) as a JSON object. */
  readonly provenance: Readonly<Record<string, unknown>>;
}

/** A stored record with its store id and natural key. */
export interface StoredHistoryRecord extends HistoryRecord {
  /** Row id in the store (insertion order). */
  readonly id: number;
  /** Natural key (SHA-256 hex), see {@link historyRecordKey}. */
  readonly key: string;
}

/** Filter of {@link HistoryStore.query}; every field optional, all given fields must match. */
export interface HistoryQuery {
  readonly instrument?: string;
  readonly protocol?: string;
  readonly metric?: string;
  readonly objective?: string;
  readonly channel?: string;
  /** Inclusive lower bound on `acquiredAt` (ISO 8601). */
  readonly from?: string;
  /** Inclusive upper bound on `acquiredAt` (ISO 8601). */
  readonly to?: string;
}

/** Outcome of an insert/import. */
export interface HistoryImportSummary {
  /** Records newly stored. */
  readonly inserted: number;
  /** Records already in the store (same natural key), skipped. */
  readonly duplicates: number;
}
