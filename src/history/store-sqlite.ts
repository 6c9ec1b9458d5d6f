/**
 * The embedded history backend: one SQLite file (better-sqlite3), WAL mode, versioned schema with migrations,
 * transactional and idempotent writes.
 */
import { existsSync, statSync } from "node:fs";
import Database from "better-sqlite3";
import { HistorySchemaError, HistoryStoreError } from "./errors.js";
import { validateHistoryRecord } from "./record.js";
import {
  HISTORY_INSERT_COLUMNS,
  HISTORY_SCHEMA_VERSION,
  type HistoryRow,
  type HistorySeriesInfo,
  type HistoryStore,
  historyRowToRecord,
  historyWhere,
  type ResolvedHistoryStoreOptions,
  recordInsertValues,
} from "./store.js";
import type { HistoryImportSummary, HistoryQuery, StoredHistoryRecord } from "./types.js";

/** Ordered migrations: `SQLITE_MIGRATIONS[i]` brings a store from version i to i + 1 (same tables as PostgreSQL). */
const SQLITE_MIGRATIONS: readonly string[] = [
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

const sqlitePlaceholder = (): string => "?";

function sqliteCode(e: unknown): string {
  return typeof e === "object" && e !== null && "code" in e ? String((e as { code: unknown }).code) : "";
}

function newerSchemaError(path: string, found: number): HistorySchemaError {
  return new HistorySchemaError(
    `${path} has history schema version ${found}; this limiqc knows versions up to ${HISTORY_SCHEMA_VERSION}.`,
    "Upgrade limiqc to open this store. The file was not changed.",
  );
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

/** The embedded backend of {@link HistoryStore}. */
class SqliteHistoryStore implements HistoryStore {
  readonly backend = "sqlite" as const;

  constructor(
    readonly location: string,
    private readonly db: Database.Database,
    private readonly batchSize: number,
  ) {}

  async schemaVersion(): Promise<number> {
    return (this.db.prepare("SELECT MAX(version) AS v FROM schema_version").get() as { v: number }).v;
  }

  /** Notes: each transaction is BEGIN IMMEDIATE, so writers from several processes queue on the write lock. */
  async insert(records: Iterable<unknown>, options: { atomic?: boolean } = {}): Promise<HistoryImportSummary> {
    const stmt = this.db.prepare(
      `INSERT OR IGNORE INTO qc_record (${HISTORY_INSERT_COLUMNS.join(", ")}) VALUES (${HISTORY_INSERT_COLUMNS.map(sqlitePlaceholder).join(", ")})`,
    );
    let inserted = 0;
    let duplicates = 0;
    let index = 0;
    const storedAt = new Date().toISOString();
    const saveOne = (raw: unknown): void => {
      const r = validateHistoryRecord(raw, `record ${index}`);
      index++;
      if (stmt.run(...recordInsertValues(r, storedAt)).changes > 0) inserted++;
      else duplicates++;
    };
    try {
      this.write(options.atomic ?? true, records, saveOne);
    } catch (e) {
      const code = sqliteCode(e);
      if (code.startsWith("SQLITE_")) {
        throw new HistoryStoreError(
          `Could not write to history store ${this.location} (${code}: ${(e as Error).message}); nothing of this transaction was saved.`,
          "If another process holds the store for long, retry or raise busyTimeoutMs; check free disk space and permissions.",
        );
      }
      throw e;
    }
    return { inserted, duplicates };
  }

  private write(atomic: boolean, records: Iterable<unknown>, saveOne: (raw: unknown) => void): void {
    const saveAll = this.db.transaction((batch: Iterable<unknown>) => {
      for (const raw of batch) saveOne(raw);
    });
    if (atomic) {
      saveAll.immediate(records);
      return;
    }
    let batch: unknown[] = [];
    for (const raw of records) {
      batch.push(raw);
      if (batch.length >= this.batchSize) {
        saveAll.immediate(batch);
        batch = [];
      }
    }
    if (batch.length > 0) saveAll.immediate(batch);
  }

  async query(q: HistoryQuery = {}): Promise<StoredHistoryRecord[]> {
    const { where, params } = historyWhere(q, sqlitePlaceholder);
    const rows = this.db.prepare(`SELECT * FROM qc_record ${where} ORDER BY acquired_at, id`).all(...params) as HistoryRow[];
    return rows.map(historyRowToRecord);
  }

  async count(q: HistoryQuery = {}): Promise<number> {
    const { where, params } = historyWhere(q, sqlitePlaceholder);
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM qc_record ${where}`).get(...params) as { n: number }).n;
  }

  async series(instrument?: string): Promise<HistorySeriesInfo[]> {
    const where = instrument === undefined ? "" : "WHERE instrument = ?";
    return this.db
      .prepare(
        `SELECT instrument, protocol, metric, MIN(unit) AS unit, COUNT(*) AS n FROM qc_record ${where}
         GROUP BY instrument, protocol, metric ORDER BY instrument, protocol, metric`,
      )
      .all(...(instrument === undefined ? [] : [instrument])) as HistorySeriesInfo[];
  }

  /** SQLite's integrity_check. */
  async integrityCheck(): Promise<string> {
    return (this.db.pragma("integrity_check") as { integrity_check: string }[]).map((r) => r.integrity_check).join("; ");
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

/**
 * Opens (creating if needed) an SQLite history store; see {@link openHistoryStore}.
 * @param path - Store file path.
 * @param options - Resolved options.
 * @returns The open store.
 * @throws HistoryStoreError, HistorySchemaError as {@link openHistoryStore}.
 */
export function openSqliteHistoryStore(path: string, options: ResolvedHistoryStoreOptions): HistoryStore {
  if (existsSync(path) && statSync(path).size > 0) {
    const found = inspectExisting(path, options.busyTimeoutMs);
    if (found > HISTORY_SCHEMA_VERSION) throw newerSchemaError(path, found);
  }
  let db: Database.Database;
  try {
    db = new Database(path, { timeout: Math.round(options.busyTimeoutMs) });
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${options.synchronous.toUpperCase()}`);
  } catch (e) {
    throw new HistoryStoreError(`Cannot open history store ${path}: ${(e as Error).message}.`, "Check the path and its permissions.");
  }
  try {
    db.transaction(() => {
      db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)");
      const current = (db.prepare("SELECT MAX(version) AS v FROM schema_version").get() as { v: number | null }).v ?? 0;
      if (current > HISTORY_SCHEMA_VERSION) throw newerSchemaError(path, current);
      const mark = db.prepare("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)");
      for (let v = current; v < HISTORY_SCHEMA_VERSION; v++) {
        db.exec(SQLITE_MIGRATIONS[v] as string);
        mark.run(v + 1, new Date().toISOString());
      }
    }).immediate();
  } catch (e) {
    db.close();
    throw e;
  }
  return new SqliteHistoryStore(path, db, options.batchSize);
}
