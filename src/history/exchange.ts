/**
 * Import/export of the whole QC history as JSON and CSV (backup, moving between stores).
 */
import { readFileSync } from "node:fs";
import { HistoryRecordError, HistorySchemaError } from "./errors.js";
import { type HistoryContext, historyFromResult, historyResultKind } from "./from-results.js";
import { validateHistoryRecord } from "./record.js";
import { HISTORY_SCHEMA_VERSION, type HistoryStore } from "./store.js";
import type { HistoryImportSummary, HistoryQuery, HistoryRecord } from "./types.js";

/** `format` field of a limiqc history JSON export. */
export const HISTORY_JSON_FORMAT = "limiqc-history";

/** A JSON export of the history. */
export interface HistoryExport {
  readonly format: typeof HISTORY_JSON_FORMAT;
  readonly schemaVersion: number;
  readonly exportedAt: string;
  readonly records: HistoryRecord[];
}

/** CSV columns, in order (provenance as a JSON string). */
export const HISTORY_CSV_COLUMNS: readonly (keyof HistoryRecord)[] = [
  "protocol",
  "metric",
  "value",
  "uncertainty",
  "unit",
  "lowerLimit",
  "upperLimit",
  "limitText",
  "verdict",
  "instrument",
  "objective",
  "channel",
  "acquiredAt",
  "analysedAt",
  "inputSha256",
  "provenance",
];

function strip(r: HistoryRecord): HistoryRecord {
  const out: Record<string, unknown> = {};
  for (const c of HISTORY_CSV_COLUMNS) out[c] = r[c];
  return out as unknown as HistoryRecord;
}

/**
 * Exports (part of) the history as a JSON document `{format, schemaVersion, exportedAt, records}`.
 * @param store - An open store.
 * @param q - Filter. @default everything
 * @returns The JSON text.
 * @throws Never.
 * @see parseHistoryJson
 * @example
 * writeFileSync("backup.json", await exportHistoryJson(store));
 */
export async function exportHistoryJson(store: HistoryStore, q: HistoryQuery = {}): Promise<string> {
  const doc: HistoryExport = {
    format: HISTORY_JSON_FORMAT,
    schemaVersion: HISTORY_SCHEMA_VERSION,
    exportedAt: new Date().toISOString(),
    records: (await store.query(q)).map(strip),
  };
  return JSON.stringify(doc);
}

/**
 * Parses a history JSON document (an export, or a bare array of records) and validates every record.
 *
 * @param text - JSON text.
 * @param source - Name for messages (file path). @default "JSON"
 * @returns The validated records.
 * @throws HistoryRecordError when the text is not JSON, not an export/array, or a record is invalid (the message
 *   names the record index and field).
 * @throws HistorySchemaError when the export's schemaVersion is newer than {@link HISTORY_SCHEMA_VERSION}.
 * @example
 * await store.insert(parseHistoryJson(readFileSync("backup.json", "utf8")));
 */
export function parseHistoryJson(text: string, source = "JSON"): HistoryRecord[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new HistoryRecordError(`${source} is not valid JSON (${(e as Error).message}).`, "Give a history export written by limiqc (history export) or an array of records.");
  }
  let records: unknown;
  if (Array.isArray(doc)) records = doc;
  else if (typeof doc === "object" && doc !== null && (doc as { format?: unknown }).format === HISTORY_JSON_FORMAT) {
    const v = (doc as { schemaVersion?: unknown }).schemaVersion;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
      throw new HistoryRecordError(`${source}: schemaVersion is ${JSON.stringify(v)}; expected a positive integer.`, "The export is damaged; re-export it.");
    }
    if (v > HISTORY_SCHEMA_VERSION) {
      throw new HistorySchemaError(
        `${source} was written with history schema version ${v}; this limiqc knows versions up to ${HISTORY_SCHEMA_VERSION}.`,
        "Upgrade limiqc to import it. Nothing was imported.",
      );
    }
    records = (doc as { records?: unknown }).records;
  }
  if (!Array.isArray(records)) {
    throw new HistoryRecordError(
      `${source} is neither a limiqc history export (format "${HISTORY_JSON_FORMAT}") nor an array of records.`,
      "Export with `limiqc history export`, or give an array of record objects.",
    );
  }
  return records.map((r, i) => validateHistoryRecord(r, `${source} record ${i}`));
}

function csvField(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = typeof v === "object" ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Exports (part of) the history as CSV (RFC 4180, header row {@link HISTORY_CSV_COLUMNS}; empty field = null;
 * provenance as JSON text).
 * @param store - An open store.
 * @param q - Filter. @default everything
 * @returns The CSV text.
 * @throws Never.
 * @see parseHistoryCsv
 * @example
 * writeFileSync("history.csv", await exportHistoryCsv(store, { instrument: "LSM980" }));
 */
export async function exportHistoryCsv(store: HistoryStore, q: HistoryQuery = {}): Promise<string> {
  const lines = [HISTORY_CSV_COLUMNS.join(",")];
  for (const r of await store.query(q)) lines.push(HISTORY_CSV_COLUMNS.map((c) => csvField(r[c])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

/** Splits RFC 4180 CSV text into rows of fields. */
function splitCsv(text: string, source: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"' && field.length === 0) quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += ch;
    i++;
  }
  if (quoted) throw new HistoryRecordError(`${source}: unterminated quoted field at the end of the file.`, "The CSV is truncated; re-export it.");
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ""));
}

const NUMERIC_COLUMNS = new Set<string>(["value", "uncertainty", "lowerLimit", "upperLimit"]);

/**
 * Parses a history CSV (as written by {@link exportHistoryCsv}) and validates every record.
 *
 * @param text - CSV text with a header row naming at least protocol, metric, value, unit, instrument, acquiredAt.
 * @param source - Name for messages. @default "CSV"
 * @returns The validated records.
 * @throws HistoryRecordError for a missing column, a row with the wrong number of fields, a non-numeric value,
 *   bad provenance JSON, or an invalid record (the message names the line).
 * @example
 * await store.insert(parseHistoryCsv(readFileSync("history.csv", "utf8")));
 */
export function parseHistoryCsv(text: string, source = "CSV"): HistoryRecord[] {
  const rows = splitCsv(text, source);
  const header = rows[0];
  if (!header) throw new HistoryRecordError(`${source} is empty.`, "Give a CSV written by limiqc history export.");
  for (const c of ["protocol", "metric", "value", "unit", "instrument", "acquiredAt"]) {
    if (!header.includes(c)) throw new HistoryRecordError(`${source}: header has no "${c}" column (found ${header.join(", ")}).`, `Columns: ${HISTORY_CSV_COLUMNS.join(", ")}.`);
  }
  const out: HistoryRecord[] = [];
  for (let li = 1; li < rows.length; li++) {
    const row = rows[li] as string[];
    const where = `${source} line ${li + 1}`;
    if (row.length !== header.length) {
      throw new HistoryRecordError(`${where}: ${row.length} fields; the header has ${header.length}.`, "Quote fields that contain commas; nothing was imported.");
    }
    const o: Record<string, unknown> = {};
    header.forEach((c, k) => {
      const s = row[k] as string;
      if (s === "") o[c] = null;
      else if (NUMERIC_COLUMNS.has(c)) o[c] = Number(s);
      else if (c === "provenance") {
        try {
          o[c] = JSON.parse(s);
        } catch {
          throw new HistoryRecordError(`${where}: provenance is not JSON.`, "Re-export the CSV; nothing was imported.");
        }
      } else o[c] = s;
    });
    out.push(validateHistoryRecord(o, where));
  }
  return out;
}

/**
 * Imports a file into a store in one transaction: a history export (.json or .csv, by extension), or a protocol
 * result record (`limiqc psf|flatness|power|coreg|stage|ptc --json`), which needs a context naming the instrument.
 *
 * @param store - An open store.
 * @param path - File path; ".csv" is read as CSV, anything else as JSON.
 * @param context - Instrument, objective, acquisition time: required for result records, ignored for exports.
 * @returns Inserted and duplicate counts (re-importing the same file inserts 0).
 * @throws HistoryRecordError / HistorySchemaError from parsing, or a result record without `context`: nothing is imported.
 * @see parseHistoryJson
 * @see parseHistoryCsv
 * @see historyFromResult
 * @example
 * await importHistoryFile(store, "backup.json"); // { inserted: 4380, duplicates: 0 }
 * await importHistoryFile(store, "psf.json", { instrument: "LSM980", objective: "63x/1.40 oil" });
 */
export async function importHistoryFile(store: HistoryStore, path: string, context?: HistoryContext): Promise<HistoryImportSummary> {
  const text = readFileSync(path, "utf8");
  if (path.toLowerCase().endsWith(".csv")) return store.insert(parseHistoryCsv(text, path));
  let doc: unknown = null;
  try {
    doc = JSON.parse(text);
  } catch {
    // parseHistoryJson reports it
  }
  if (historyResultKind(doc) !== null) {
    if (!context) throw new HistoryRecordError(`${path} is a ${historyResultKind(doc)} result record, not a history export.`, "Name the instrument it was measured on (--instrument X).");
    return store.insert(historyFromResult(doc, context, path));
  }
  return store.insert(parseHistoryJson(text, path));
}
