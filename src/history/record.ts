/**
 * Validation and natural key of history records.
 */
import { sha256 } from "../core/provenance.js";
import type { VerdictLevel } from "../core/quantity.js";
import { HistoryRecordError } from "./errors.js";
import type { HistoryRecord } from "./types.js";

const VERDICT_LEVELS: readonly VerdictLevel[] = ["pass", "warn", "fail"];

function fail(where: string, field: string, found: unknown, expected: string): never {
  const shown = typeof found === "number" ? String(found) : JSON.stringify(found);
  throw new HistoryRecordError(
    `${where}: field "${field}" is ${shown === undefined ? "missing" : shown}; expected ${expected}.`,
    "Fix or drop the record; nothing was saved from this batch.",
  );
}

function reqString(o: Record<string, unknown>, field: string, where: string): string {
  const v = o[field];
  if (typeof v !== "string" || v.length === 0) fail(where, field, v, "a non-empty string");
  return v;
}

function optString(o: Record<string, unknown>, field: string, where: string): string | null {
  const v = o[field];
  if (v === undefined || v === null || v === "") return null;
  if (typeof v !== "string") fail(where, field, v, "a string or null");
  return v;
}

function optNumber(o: Record<string, unknown>, field: string, where: string): number | null {
  const v = o[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== "number" || !Number.isFinite(v)) fail(where, field, v, "a finite number or null");
  return v;
}

function isoTime(o: Record<string, unknown>, field: string, where: string, required: boolean): string | null {
  const v = o[field];
  if (!required && (v === undefined || v === null || v === "")) return null;
  if (typeof v !== "string") fail(where, field, v, "an ISO 8601 date-time string");
  const t = Date.parse(v);
  if (!Number.isFinite(t)) fail(where, field, v, "an ISO 8601 date-time string (e.g. 2025-03-01T09:00:00Z)");
  return new Date(t).toISOString();
}

/**
 * Checks an untrusted object (parsed JSON/CSV, or a record built in code) and returns a clean {@link HistoryRecord}
 * with times normalised to ISO 8601 UTC ("…Z").
 *
 * @param input - The candidate record.
 * @param where - Where it came from, for the message (e.g. "record 12 of history.json").
 * @returns The validated record (a new object).
 * @throws HistoryRecordError naming the first bad field: missing protocol/metric/unit/instrument, non-finite
 *   value or uncertainty (NaN, Infinity), negative uncertainty, an unknown verdict, an unparsable time, or a
 *   provenance that is not an object.
 *
 * Notes: empty strings and undefined in optional fields become null.
 * @see historyRecordKey
 * @example
 * validateHistoryRecord({ ...rec, value: Number.NaN }, "record 1"); // throws HistoryRecordError: field "value" is NaN
 */
export function validateHistoryRecord(input: unknown, where: string): HistoryRecord {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new HistoryRecordError(`${where}: expected an object, found ${JSON.stringify(input)}.`, "Each record must be a JSON object.");
  }
  const o = input as Record<string, unknown>;
  const value = o.value;
  if (typeof value !== "number" || !Number.isFinite(value)) fail(where, "value", value, "a finite number");
  const uncertainty = optNumber(o, "uncertainty", where);
  if (uncertainty !== null && uncertainty < 0) fail(where, "uncertainty", uncertainty, "≥ 0");
  const verdict = o.verdict ?? null;
  if (verdict !== null && !VERDICT_LEVELS.includes(verdict as VerdictLevel)) fail(where, "verdict", verdict, '"pass", "warn", "fail" or null');
  const prov = o.provenance ?? {};
  if (typeof prov !== "object" || prov === null || Array.isArray(prov)) fail(where, "provenance", prov, "a JSON object");
  const lowerLimit = optNumber(o, "lowerLimit", where);
  const upperLimit = optNumber(o, "upperLimit", where);
  if (lowerLimit !== null && upperLimit !== null && lowerLimit > upperLimit) fail(where, "lowerLimit", lowerLimit, `≤ upperLimit (${upperLimit})`);
  const inputSha256 = optString(o, "inputSha256", where);
  if (inputSha256 !== null && !/^[0-9a-f]{64}$/i.test(inputSha256)) fail(where, "inputSha256", inputSha256, "64 hex digits (SHA-256)");
  return {
    protocol: reqString(o, "protocol", where),
    metric: reqString(o, "metric", where),
    value,
    uncertainty,
    unit: reqString(o, "unit", where),
    lowerLimit,
    upperLimit,
    limitText: optString(o, "limitText", where),
    verdict: verdict as VerdictLevel | null,
    instrument: reqString(o, "instrument", where),
    objective: optString(o, "objective", where),
    channel: optString(o, "channel", where),
    acquiredAt: isoTime(o, "acquiredAt", where, true) as string,
    analysedAt: isoTime(o, "analysedAt", where, false),
    inputSha256: inputSha256 === null ? null : inputSha256.toLowerCase(),
    provenance: prov as Record<string, unknown>,
  };
}

/**
 * Natural key of a record: SHA-256 of protocol, metric, instrument, objective, channel, acquisition time and input
 * SHA-256. Two saves of the same analysis of the same input give the same key (the store keeps the first).
 *
 * @param r - A validated record (times already normalised by {@link validateHistoryRecord}).
 * @returns 64 hex digits.
 * @throws Never.
 *
 * Notes: value, verdict and provenance are not part of the key: re-analysing the same file with other options
 * and saving again is treated as the same QC point (the first save wins).
 * @see validateHistoryRecord
 * @example
 * historyRecordKey(r) === historyRecordKey({ ...r, value: 2 }); // true
 */
export function historyRecordKey(r: HistoryRecord): string {
  return sha256(JSON.stringify([r.protocol, r.metric, r.instrument, r.objective, r.channel, r.acquiredAt, r.inputSha256]));
}
