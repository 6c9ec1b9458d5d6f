/**
 * The QC history store: one API over two backends with the same schema: an embedded SQLite file (the default,
 * no server) and PostgreSQL (a facility where several acquisition PCs and people write at once). The backend is
 * chosen by the store location: a file path (or `sqlite:PATH`) or a `postgres://` connection string.
 */
import { InvalidArgumentError } from "../core/errors.js";
import type { VerdictLevel } from "../core/quantity.js";
import { HistoryStoreError } from "./errors.js";
import { historyRecordKey } from "./record.js";
import type { HistoryImportSummary, HistoryQuery, HistoryRecord, StoredHistoryRecord } from "./types.js";

/** Schema version this limiqc writes and reads (both backends). */
export const HISTORY_SCHEMA_VERSION = 1;

/** Environment variable holding the default store location of the CLI (`--store` wins). */
export const HISTORY_STORE_ENV = "LIMIQC_STORE";

/** Options of {@link openHistoryStore}. */
export interface HistoryStoreOptions {
  /** How long a writer waits for another process's write lock before failing, ms. @default 30000 */
  busyTimeoutMs?: number;
  /** SQLite only: "full" survives power loss, "normal" (WAL) survives process crashes. @default "full" */
  synchronous?: "full" | "normal";
  /** Records per transaction in {@link HistoryStore.insert} when `atomic` is false. @default 1000 */
  batchSize?: number;
  /** PostgreSQL only: how long to wait for the server to accept the connection, ms. @default 10000 */
  connectTimeoutMs?: number;
}

/** Options resolved once, shared by the backends. */
export interface ResolvedHistoryStoreOptions {
  readonly busyTimeoutMs: number;
  readonly synchronous: "full" | "normal";
  readonly batchSize: number;
  readonly connectTimeoutMs: number;
}

/** One instrument × protocol × metric series of a store. */
export type HistorySeriesInfo = {
  readonly instrument: string;
  readonly protocol: string;
  readonly metric: string;
  readonly unit: string;
  /** Number of stored points. */
  readonly n: number;
};

/**
 * A QC history store (either backend). Open with {@link openHistoryStore}; close with {@link HistoryStore.close}.
 * Every method is asynchronous so that code written against the embedded store runs unchanged on PostgreSQL.
 */
export interface HistoryStore {
  /** "sqlite" or "postgres". */
  readonly backend: "sqlite" | "postgres";
  /** The store's location for messages and provenance: file path, or the connection string without its password. */
  readonly location: string;
  /** Schema version of the open store. */
  schemaVersion(): Promise<number>;
  /**
   * Saves records; records already stored (same natural key, {@link historyRecordKey}) are skipped, so importing
   * the same data twice is harmless.
   *
   * @param records - Records (or untrusted objects) to save; validated one by one.
   * @param options - `atomic` (default true): one transaction for all, so an error or a crash saves none of them;
   *   false: transactions of `batchSize` records (each batch all-or-nothing).
   * @returns How many were inserted and how many were duplicates.
   * @throws HistoryRecordError for an invalid record (the transaction holding it is rolled back: with `atomic`,
   *   nothing is saved).
   * @throws HistoryStoreError when the backend cannot write (another process held the write lock longer than
   *   `busyTimeoutMs`, disk full, read-only file, lost connection); the failing transaction is rolled back.
   */
  insert(records: Iterable<unknown>, options?: { atomic?: boolean }): Promise<HistoryImportSummary>;
  /** Records matching a filter, ordered by acquisition time then id. @throws InvalidArgumentError for a bad date. */
  query(q?: HistoryQuery): Promise<StoredHistoryRecord[]>;
  /** Number of stored records matching a filter. @throws InvalidArgumentError for a bad date. */
  count(q?: HistoryQuery): Promise<number>;
  /** The distinct instrument × protocol × metric series, sorted by instrument, protocol, metric. */
  series(instrument?: string): Promise<HistorySeriesInfo[]>;
  /** The backend's consistency check: "ok" or the problems found. */
  integrityCheck(): Promise<string>;
  /** Closes the store (SQLite: checkpoints the WAL; PostgreSQL: ends the connection). */
  close(): Promise<void>;
}

/** Row of table qc_record as both backends return it (PostgreSQL returns the BIGINT id as a string). */
export interface HistoryRow {
  id: number | string;
  record_key: string;
  protocol: string;
  metric: string;
  value: number;
  uncertainty: number | null;
  unit: string;
  lower_limit: number | null;
  upper_limit: number | null;
  limit_text: string | null;
  verdict: VerdictLevel | null;
  instrument: string;
  objective: string | null;
  channel: string | null;
  acquired_at: string;
  analysed_at: string | null;
  input_sha256: string | null;
  provenance: string;
}

/** Columns written by an insert, in the order of {@link recordInsertValues}. */
export const HISTORY_INSERT_COLUMNS = [
  "record_key",
  "protocol",
  "metric",
  "value",
  "uncertainty",
  "unit",
  "lower_limit",
  "upper_limit",
  "limit_text",
  "verdict",
  "instrument",
  "objective",
  "channel",
  "acquired_at",
  "analysed_at",
  "input_sha256",
  "provenance",
  "stored_at",
] as const;

/**
 * The column values of one validated record, in the order of {@link HISTORY_INSERT_COLUMNS}.
 * @param r - A validated record.
 * @param storedAt - ISO time of the save.
 * @returns The values.
 * @throws Never.
 */
export function recordInsertValues(r: HistoryRecord, storedAt: string): (string | number | null)[] {
  return [
    historyRecordKey(r),
    r.protocol,
    r.metric,
    r.value,
    r.uncertainty,
    r.unit,
    r.lowerLimit,
    r.upperLimit,
    r.limitText,
    r.verdict,
    r.instrument,
    r.objective,
    r.channel,
    r.acquiredAt,
    r.analysedAt,
    r.inputSha256,
    JSON.stringify(r.provenance),
    storedAt,
  ];
}

/**
 * A stored row as a record.
 * @param r - The row.
 * @returns The record.
 * @throws Never.
 */
export function historyRowToRecord(r: HistoryRow): StoredHistoryRecord {
  return {
    id: Number(r.id),
    key: r.record_key,
    protocol: r.protocol,
    metric: r.metric,
    value: r.value,
    uncertainty: r.uncertainty,
    unit: r.unit,
    lowerLimit: r.lower_limit,
    upperLimit: r.upper_limit,
    limitText: r.limit_text,
    verdict: r.verdict,
    instrument: r.instrument,
    objective: r.objective,
    channel: r.channel,
    acquiredAt: r.acquired_at,
    analysedAt: r.analysed_at,
    inputSha256: r.input_sha256,
    provenance: JSON.parse(r.provenance) as Record<string, unknown>,
  };
}

/**
 * The WHERE clause of a history filter.
 * @param q - The filter.
 * @param placeholder - The backend's parameter placeholder for the i-th parameter (1-based): "?" or "$i".
 * @returns The clause ("" when no filter) and its parameters.
 * @throws InvalidArgumentError when `from` / `to` is not a date.
 */
export function historyWhere(q: HistoryQuery, placeholder: (i: number) => string): { where: string; params: string[] } {
  const clauses: string[] = [];
  const params: string[] = [];
  const add = (sql: (p: string) => string, value: string): void => {
    params.push(value);
    clauses.push(sql(placeholder(params.length)));
  };
  for (const k of ["instrument", "protocol", "metric", "objective", "channel"] as const) {
    const v = q[k];
    if (v !== undefined) add((p) => `${k} = ${p}`, v);
  }
  for (const [k, op] of [
    ["from", ">="],
    ["to", "<="],
  ] as const) {
    const v = q[k];
    if (v === undefined) continue;
    const t = Date.parse(v);
    if (!Number.isFinite(t)) throw new InvalidArgumentError(`History filter "${k}" is "${v}", not a date.`, "Use ISO 8601, e.g. 2025-03-01.");
    add((p) => `acquired_at ${op} ${p}`, new Date(t).toISOString());
  }
  return { where: clauses.length ? `WHERE ${clauses.join(" AND ")}` : "", params };
}

/**
 * Resolves and checks the store options.
 * @param options - User options.
 * @returns Options with defaults.
 * @throws InvalidArgumentError for out-of-range values.
 */
export function resolveHistoryStoreOptions(options: HistoryStoreOptions): ResolvedHistoryStoreOptions {
  const o = { busyTimeoutMs: 30000, synchronous: "full" as const, batchSize: 1000, connectTimeoutMs: 10000, ...options };
  if (!(o.busyTimeoutMs >= 0) || !(o.connectTimeoutMs > 0) || !Number.isInteger(o.batchSize) || o.batchSize < 1) {
    throw new InvalidArgumentError(
      `busyTimeoutMs ${o.busyTimeoutMs} / connectTimeoutMs ${o.connectTimeoutMs} / batchSize ${o.batchSize} out of range.`,
      "Use busyTimeoutMs ≥ 0, connectTimeoutMs > 0 and an integer batchSize ≥ 1.",
    );
  }
  return o;
}

/** Whether a store location is a PostgreSQL connection string. */
export function isPostgresLocation(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * The file of an embedded store location (`sqlite:` / `sqlite://` prefix removed), or null for a PostgreSQL one.
 * @param location - A store location.
 * @returns The file path, or null.
 * @throws Never.
 * @example sqliteStorePath("sqlite:qc.sqlite"); // "qc.sqlite"
 */
export function sqliteStorePath(location: string): string | null {
  return isPostgresLocation(location) ? null : location.replace(/^sqlite:(\/\/)?/i, "");
}

/**
 * A connection string with its password replaced by "***", for messages, logs and provenance.
 * @param location - A store location.
 * @returns The location without secrets (file paths unchanged).
 * @throws Never.
 * @example redactStoreLocation("postgres://qc:s3cret@db/qc"); // "postgres://qc:***@db/qc"
 */
export function redactStoreLocation(location: string): string {
  return location.replace(/^([a-z]+:\/\/[^:/@]*:)[^@/]*@/i, "$1***@");
}

/**
 * Opens (creating if needed) a QC history store and migrates it to the current schema.
 *
 * @param location - A file path (or `sqlite:PATH`) for the embedded store, created when missing; or a PostgreSQL
 *   connection string `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE` (the password may come from PGPASSWORD or
 *   ~/.pgpass instead). On PostgreSQL the tables live in schema `limiqc` of that database.
 * @param options - Busy timeout, batch size; SQLite synchronous level; PostgreSQL connect timeout.
 * @returns The open store.
 * @throws HistoryStoreError when the file is not an SQLite database or is another application's database, when the
 *   PostgreSQL server cannot be reached or refuses the login, or the location is not a path or postgres:// URL.
 *   Nothing is changed.
 * @throws HistorySchemaError when the store has a newer schema version than this limiqc
 *   ({@link HISTORY_SCHEMA_VERSION}); nothing is changed.
 * @throws InvalidArgumentError for out-of-range options.
 *
 * Notes: an existing store is inspected read-only first, so a bad or newer store is never modified. Migrations run in
 * one transaction holding the backend's write lock (SQLite BEGIN IMMEDIATE; PostgreSQL an advisory lock) that
 * re-reads the version, so concurrent first opens migrate once. Writers queue on that lock, so several processes can
 * write at once.
 * @see https://www.sqlite.org/wal.html
 * @see https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS
 * @example
 * const store = await openHistoryStore("qc-history.sqlite"); await store.insert(records); await store.close();
 * const shared = await openHistoryStore("postgres://qc@imaging-db.example.org/qc");
 */
export async function openHistoryStore(location: string, options: HistoryStoreOptions = {}): Promise<HistoryStore> {
  const resolved = resolveHistoryStoreOptions(options);
  if (isPostgresLocation(location)) {
    const { openPostgresHistoryStore } = await import("./store-postgres.js");
    return openPostgresHistoryStore(location, resolved);
  }
  const path = sqliteStorePath(location);
  if (path === null || /^[a-z][a-z0-9+.-]+:\/\//i.test(path) || path === "") {
    throw new HistoryStoreError(
      `History store location "${redactStoreLocation(location)}" is neither a file path nor a postgres:// connection string.`,
      "Give a file (e.g. qc-history.sqlite) for the embedded store, or postgres://USER@HOST:PORT/DATABASE for PostgreSQL.",
    );
  }
  const { openSqliteHistoryStore } = await import("./store-sqlite.js");
  return openSqliteHistoryStore(path, resolved);
}

/**
 * The store location the CLI uses: `--store` when given, else the LIMIQC_STORE environment variable.
 * @param flag - Value of `--store`, if any.
 * @returns The location.
 * @throws InvalidArgumentError when neither is set.
 */
export function historyStoreLocation(flag: string | undefined): string {
  const location = flag ?? process.env[HISTORY_STORE_ENV];
  if (!location) {
    throw new InvalidArgumentError(
      "No history store given.",
      `Pass --store PATH (an SQLite file, created when missing) or --store postgres://USER@HOST/DB, or set ${HISTORY_STORE_ENV}.`,
    );
  }
  return location;
}
