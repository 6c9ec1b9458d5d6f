/**
 * Errors of the QC history store. All extend {@link LimiqcError} (message + hint).
 */
import { LimiqcError } from "../core/errors.js";

/** The store file cannot be used: not an SQLite database, not a limiqc history store, or unreadable. */
export class HistoryStoreError extends LimiqcError {}
/** The store (or an exported history file) was written by a newer limiqc schema than this version knows. */
export class HistorySchemaError extends LimiqcError {}
/** A record to save is invalid (missing field, wrong type, NaN/infinite value, bad timestamp). */
export class HistoryRecordError extends LimiqcError {}
/** A report could not be produced (e.g. Chromium, needed for the PDF, is missing or failed). */
export class HistoryReportError extends LimiqcError {}
