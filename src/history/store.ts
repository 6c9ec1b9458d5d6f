/**
 * The embedded QC history store: one SQLite file (better-sqlite3), WAL mode, versioned schema with migrations,
 * transactional and idempotent writes.
 */
import { existsSync, statSync } from "node:fs";
import Database from "better-sqlite3";
import { InvalidArgumentError } from "../core/errors.js";
import type { VerdictLevel } from "../core/quantity.js";
import { HistorySchemaError, HistoryStoreError } from "./errors.js";
import { historyRecordKey, validateHistoryRecord } from "./record.js";
import type { HistoryImportSummary, HistoryQuery, StoredHistoryRecord } from "./types.js";

/** Schema version this limiqc writes and reads. */
export const HISTORY_SCHEMA_VERSION = 1;

/** Ordered migrations: `MIGRATIONS[i]` brings a store from version i to i + 1. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE qc_record (
     id INTEGER PRIMARY KEY,
     record_key TEXT NOT NULL UNIQUE,
     protocol TEXT NOT NULL,
     metric TEXT NOT NULL,
     value REAL NOT NULL,
     uncertainty REAL,
     unit TEXT NOT NULL,
     lower_limit REAL,
     upper_limit REAL,
     limit_text TEXT,
     verdict TEXT CHECK (verdict IS NULL OR verdict IN ('pass', 'warn', 'fail')),
     instrument TEXT NOT NULL,
     objective TEXT,
     channel TEXT,
     acquired_at TEXT NOT NULL,
     analysed_at TEXT,
     input_sha256 TEXT,
     provenance TEXT NOT NULL,
     stored_at TEXT NOT NULL
   );
   CREATE INDEX qc_record_series ON qc_record (instrument, metric, acquired_at);`,
];

/** Options of {@link openHistoryStore}. */
export interface HistoryStoreOptions {
  /** How long a writer waits for another process's write lock before failing, ms. @default 30000 */
  busyTimeoutMs?: number;
  /** SQLite synchronous level: "full" survives power loss, "normal" (WAL) survives process crashes. @default "full" */
  synchronous?: "full" | "normal";
  /** Records per transaction in {@link HistoryStore.insert} when `atomic` is false. @default 1000 */
  batchSize?: number;
}

interface Row {
  id: number;
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

function rowToRecord(r: Row): StoredHistoryRecord {
  return {
    id: r.id,
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

function sqliteCode(e: unknown): string {
  return typeof e === "object" && e !== null && "code" in e ? String((e as { code: unknown }).code) : "";
}

/** Reads the schema version of an existing file without writing to it. Returns 0 for an empty database. */
function inspectExisting(path: string, busyTimeoutMs: number): number {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    if (!tables.includes("schema_version")) {
      if (tables.length > 0) {
        throw new HistoryStoreError(
          `${path} is an SQLite database but not a limiqc history store (tables: ${tables.slice(0, 5).join(", ")}).`,
          "Give the path of a history store, or a new file name to create one.",
        );
      }
      return 0;
    }
    const v = (db.prepare("SELECT MAX(version) AS v FROM schema_version").get() as { v: number | null }).v;
    return v ?? 0;
  } catch (e) {
    if (e instanceof HistoryStoreError) throw e;
    const code = sqliteCode(e);
    if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT" || code === "SQLITE_CANTOPEN") {
      throw new HistoryStoreError(
        `${path} is not a readable SQLite database (${code}: ${(e as Error).message}).`,
        "Check the --store path: it must be a limiqc history store (.sqlite) or a new file name. The file was not changed.",
      );
    }
    throw e;
  } finally {
    db?.close();
  }
}

/**
 * A QC history store: one SQLite file. Create with {@link openHistoryStore}; close with {@link HistoryStore.close}.
 */
export class HistoryStore {
  private readonly db: Database.Database;
  private readonly batchSize: number;

  /**
   * Opens a store; same as {@link openHistoryStore} (see there for errors and notes).
   * @param path - Store file path (created when missing).
   * @param options - Busy timeout, synchronous level, batch size.
   */
  constructor(
    readonly path: string,
    options: HistoryStoreOptions = {},
  ) {
    const { db, batchSize } = openDatabase(path, options);
    this.db = db;
    this.batchSize = batchSize;
  }

  /** Schema version of the open store. */
  get schemaVersion(): number {
    return (this.db.prepare("SELECT MAX(version) AS v FROM schema_version").get() as { v: number }).v;
  }

  /**
   * Saves records; records already stored (same natural key) are skipped, so importing the same data twice is
   * harmless.
   *
   * @param records - Records (or untrusted objects) to save; validated one by one.
   * @param options - `atomic` (default true): one transaction for all, so an error or a crash saves none of them;
   *   false: transactions of `batchSize` records (each batch all-or-nothing).
   * @returns How many were inserted and how many were duplicates.
   * @throws HistoryRecordError for an invalid record (the transaction holding it is rolled back: with `atomic`,
   *   nothing is saved).
   * @throws HistoryStoreError when SQLite cannot write (SQLITE_BUSY: another process held the write lock longer than
   *   `busyTimeoutMs`; disk full; read-only file); the failing transaction is rolled back.
   *
   * Notes: each transaction is BEGIN IMMEDIATE, so concurrent writers from several processes queue on the
   * write lock instead of failing on lock upgrade.
   * @see historyRecordKey
   * @example
   * store.insert(records).inserted; // 12; a second call → { inserted: 0, duplicates: 12 }
   */
  insert(records: Iterable<unknown>, options: { atomic?: boolean } = {}): HistoryImportSummary {
    const atomic = options.atomic ?? true;
    const stmt = this.db.prepare(
      `INSERT OR IGNORE INTO qc_record (record_key, protocol, metric, value, uncertainty, unit, lower_limit, upper_limit,
         limit_text, verdict, instrument, objective, channel, acquired_at, analysed_at, input_sha256, provenance, stored_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    let inserted = 0;
    let duplicates = 0;
    let index = 0;
    const storedAt = new Date().toISOString();
    const saveOne = (raw: unknown): void => {
      const r = validateHistoryRecord(raw, `record ${index}`);
      index++;
      const info = stmt.run(
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
      );
      if (info.changes > 0) inserted++;
      else duplicates++;
    };
    try {
      this.write(atomic, records, saveOne);
    } catch (e) {
      const code = sqliteCode(e);
      if (code.startsWith("SQLITE_")) {
        throw new HistoryStoreError(`Could not write to history store ${this.path} (${code}: ${(e as Error).message}); nothing of this transaction was saved.`, "If another process holds the store for long, retry or raise busyTimeoutMs; check free disk space and permissions.");
      }
      throw e;
    }
    return { inserted, duplicates };
  }

  private write(atomic: boolean, records: Iterable<unknown>, saveOne: (raw: unknown) => void): void {
    if (atomic) {
      this.db
        .transaction(() => {
          for (const raw of records) saveOne(raw);
        })
        .immediate();
    } else {
      const saveBatch = this.db.transaction((batch: unknown[]) => {
        for (const raw of batch) saveOne(raw);
      });
      let batch: unknown[] = [];
      for (const raw of records) {
        batch.push(raw);
        if (batch.length >= this.batchSize) {
          saveBatch.immediate(batch);
          batch = [];
        }
      }
      if (batch.length > 0) saveBatch.immediate(batch);
    }
  }

  /**
   * Records matching a filter, ordered by acquisition time then id.
   *
   * @param q - Filter (all fields optional).
   * @returns The stored records.
   * @throws Never for a valid filter.
   * @example
   * store.query({ instrument: "LSM980", metric: "lateralRatio", from: "2025-01-01" });
   */
  query(q: HistoryQuery = {}): StoredHistoryRecord[] {
    const { where, params } = buildWhere(q);
    const rows = this.db.prepare(`SELECT * FROM qc_record ${where} ORDER BY acquired_at, id`).all(...params) as Row[];
    return rows.map(rowToRecord);
  }

  /**
   * Number of stored records matching a filter.
   * @param q - Filter (all fields optional).
   * @returns The count.
   * @throws Never.
   */
  count(q: HistoryQuery = {}): number {
    const { where, params } = buildWhere(q);
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM qc_record ${where}`).get(...params) as { n: number }).n;
  }

  /**
   * The distinct instrument × protocol × metric series in the store, with their unit and point count.
   * @param instrument - Restrict to one instrument. @default all
   * @returns One entry per series, sorted by instrument, protocol, metric.
   * @throws Never.
   */
  series(instrument?: string): { instrument: string; protocol: string; metric: string; unit: string; n: number }[] {
    const where = instrument === undefined ? "" : "WHERE instrument = ?";
    const params = instrument === undefined ? [] : [instrument];
    return this.db
      .prepare(
        `SELECT instrument, protocol, metric, MIN(unit) AS unit, COUNT(*) AS n FROM qc_record ${where}
         GROUP BY instrument, protocol, metric ORDER BY instrument, protocol, metric`,
      )
      .all(...params) as { instrument: string; protocol: string; metric: string; unit: string; n: number }[];
  }

  /**
   * Runs SQLite's integrity check.
   * @returns "ok" or the problems SQLite lists.
   * @throws Never.
   */
  integrityCheck(): string {
    return (this.db.pragma("integrity_check") as { integrity_check: string }[]).map((r) => r.integrity_check).join("; ");
  }

  /** Closes the store (checkpoints the WAL). */
  close(): void {
    this.db.close();
  }
}

function buildWhere(q: HistoryQuery): { where: string; params: string[] } {
  const clauses: string[] = [];
  const params: string[] = [];
  const eq: [keyof HistoryQuery, string][] = [
    ["instrument", "instrument"],
    ["protocol", "protocol"],
    ["metric", "metric"],
    ["objective", "objective"],
    ["channel", "channel"],
  ];
  for (const [k, col] of eq) {
    const v = q[k];
    if (v !== undefined) {
      clauses.push(`${col} = ?`);
      params.push(v);
    }
  }
  for (const [k, op] of [
    ["from", ">="],
    ["to", "<="],
  ] as const) {
    const v = q[k];
    if (v === undefined) continue;
    const t = Date.parse(v);
    if (!Number.isFinite(t)) throw new InvalidArgumentError(`History filter "${k}" is "${v}", not a date.`, "Use ISO 8601, e.g. 2025-03-01.");
    clauses.push(`acquired_at ${op} ?`);
    params.push(new Date(t).toISOString());
  }
  return { where: clauses.length ? `WHERE ${clauses.join(" AND ")}` : "", params };
}

/**
 * Opens (creating if needed) a QC history store file and migrates it to the current schema.
 *
 * @param path - Store file path (created when missing).
 * @param options - Busy timeout, synchronous level, batch size.
 * @returns The open store.
 * @throws HistoryStoreError when the file is not an SQLite database or is another application's database
 *   (the file is not changed).
 * @throws HistorySchemaError when the store has a newer schema version than this limiqc
 *   ({@link HISTORY_SCHEMA_VERSION}); the file is not changed.
 * @throws InvalidArgumentError for out-of-range options.
 *
 * Notes: the file is inspected read-only first, so a bad or newer file is never modified. The store runs in WAL
 * mode (readers do not block the writer) with a busy timeout so several processes can write at once; migrations
 * run in one BEGIN IMMEDIATE transaction that re-reads the version, so concurrent first opens migrate once.
 * @see https://www.sqlite.org/wal.html
 * @example
 * const store = openHistoryStore("qc-history.sqlite"); store.insert(records); store.close();
 */
export function openHistoryStore(path: string, options: HistoryStoreOptions = {}): HistoryStore {
  return new HistoryStore(path, options);
}

function openDatabase(path: string, options: HistoryStoreOptions): { db: Database.Database; batchSize: number } {
  const busyTimeoutMs = options.busyTimeoutMs ?? 30000;
  const batchSize = options.batchSize ?? 1000;
  if (!(busyTimeoutMs >= 0) || !Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidArgumentError(`busyTimeoutMs ${busyTimeoutMs} / batchSize ${batchSize} out of range.`, "Use busyTimeoutMs ≥ 0 and an integer batchSize ≥ 1.");
  }
  if (existsSync(path) && statSync(path).size > 0) {
    const found = inspectExisting(path, busyTimeoutMs);
    if (found > HISTORY_SCHEMA_VERSION) {
      throw new HistorySchemaError(
        `${path} has history schema version ${found}; this limiqc knows versions up to ${HISTORY_SCHEMA_VERSION}.`,
        "Upgrade limiqc to open this store. The file was not changed.",
      );
    }
  }
  let db: Database.Database;
  try {
    db = new Database(path, { timeout: Math.round(busyTimeoutMs) });
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${(options.synchronous ?? "full").toUpperCase()}`);
  } catch (e) {
    throw new HistoryStoreError(`Cannot open history store ${path}: ${(e as Error).message}.`, "Check the path and its permissions.");
  }
  try {
    db.transaction(() => {
      db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)");
      const current = (db.prepare("SELECT MAX(version) AS v FROM schema_version").get() as { v: number | null }).v ?? 0;
      if (current > HISTORY_SCHEMA_VERSION) {
        throw new HistorySchemaError(
          `${path} has history schema version ${current}; this limiqc knows versions up to ${HISTORY_SCHEMA_VERSION}.`,
          "Upgrade limiqc to open this store. The file was not changed.",
        );
      }
      const mark = db.prepare("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)");
      for (let v = current; v < HISTORY_SCHEMA_VERSION; v++) {
        db.exec(MIGRATIONS[v] as string);
        mark.run(v + 1, new Date().toISOString());
      }
    }).immediate();
  } catch (e) {
    db.close();
    throw e;
  }
  return { db, batchSize };
}

