/**
 * The PostgreSQL history backend (node-postgres): the same tables as the embedded store, in schema `limiqc` of the
 * database named by the connection string, for facilities where several acquisition PCs write at once.
 */
import pg from "pg";
import { LimiqcError } from "../core/errors.js";
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
  redactStoreLocation,
} from "./store.js";
import type { HistoryImportSummary, HistoryQuery, HistoryRecord, StoredHistoryRecord } from "./types.js";

/**
 * Ordered migrations: `POSTGRES_MIGRATIONS[i]` brings a store from version i to i + 1. Same columns as SQLite;
 * times stay ISO 8601 text in the "C" collation so that ordering and round trips are byte-identical to SQLite.
 */
const POSTGRES_MIGRATIONS: readonly string[] = [
  `CREATE TABLE limiqc.qc_record (
     id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     record_key TEXT NOT NULL UNIQUE,
     protocol TEXT NOT NULL,
     metric TEXT NOT NULL,
     value DOUBLE PRECISION NOT NULL,
     uncertainty DOUBLE PRECISION,
     unit TEXT NOT NULL,
     lower_limit DOUBLE PRECISION,
     upper_limit DOUBLE PRECISION,
     limit_text TEXT,
     verdict TEXT CHECK (verdict IS NULL OR verdict IN ('pass', 'warn', 'fail')),
     instrument TEXT COLLATE "C" NOT NULL,
     objective TEXT,
     channel TEXT,
     acquired_at TEXT COLLATE "C" NOT NULL,
     analysed_at TEXT,
     input_sha256 TEXT,
     provenance TEXT NOT NULL,
     stored_at TEXT NOT NULL
   );
   CREATE INDEX qc_record_series ON limiqc.qc_record (instrument, metric, acquired_at);`,
];

/** Advisory lock keys (arbitrary constants, "limiqc" in ASCII): one serialises writers, one migrations. */
const WRITE_LOCK_KEY = 0x6c696d69_7163_01n;
const MIGRATION_LOCK_KEY = 0x6c696d69_7163_02n;
/** Rows per INSERT statement (sent as one array per column, so the statement has 18 parameters whatever its size). */
const ROWS_PER_STATEMENT = 5000;
/** PostgreSQL type of each column of {@link HISTORY_INSERT_COLUMNS}, for the arrays that unnest() spreads into rows. */
const COLUMN_TYPES: Readonly<Record<(typeof HISTORY_INSERT_COLUMNS)[number], "text" | "float8">> = {
  record_key: "text",
  protocol: "text",
  metric: "text",
  value: "float8",
  uncertainty: "float8",
  unit: "text",
  lower_limit: "float8",
  upper_limit: "float8",
  limit_text: "text",
  verdict: "text",
  instrument: "text",
  objective: "text",
  channel: "text",
  acquired_at: "text",
  analysed_at: "text",
  input_sha256: "text",
  provenance: "text",
  stored_at: "text",
};

/** One statement inserts a whole chunk: one array parameter per column, spread into rows by unnest(). */
const INSERT_SQL = `INSERT INTO limiqc.qc_record (${HISTORY_INSERT_COLUMNS.join(", ")})
  SELECT * FROM unnest(${HISTORY_INSERT_COLUMNS.map((c, i) => `$${i + 1}::${COLUMN_TYPES[c]}[]`).join(", ")})
  ON CONFLICT (record_key) DO NOTHING`;

/** Column arrays of a chunk of records, in the order of {@link HISTORY_INSERT_COLUMNS}. */
function columnArrays(records: readonly HistoryRecord[], storedAt: string): (string | number | null)[][] {
  const columns: (string | number | null)[][] = HISTORY_INSERT_COLUMNS.map(() => new Array(records.length));
  records.forEach((r, row) => {
    recordInsertValues(r, storedAt).forEach((v, c) => {
      (columns[c] as (string | number | null)[])[row] = v;
    });
  });
  return columns;
}

/** PostgreSQL's lock_timeout in ms (0 there means "wait forever", so a zero busy timeout becomes 1 ms). */
const lockTimeoutMs = (o: ResolvedHistoryStoreOptions): number => Math.max(1, Math.round(o.busyTimeoutMs));

const pgPlaceholder = (i: number): string => `$${i}`;

function errorCode(e: unknown): string {
  return typeof e === "object" && e !== null && "code" in e ? String((e as { code: unknown }).code) : "";
}

/** A connection failure as an actionable error (the password is never shown). */
function connectionError(location: string, e: unknown): HistoryStoreError {
  const where = redactStoreLocation(location);
  const code = errorCode(e);
  const message = e instanceof Error ? e.message : String(e);
  const hints: Record<string, string> = {
    ECONNREFUSED: "Is the PostgreSQL server running and listening on that host and port?",
    ENOTFOUND: "Check the host name in the connection string.",
    EAI_AGAIN: "Check the host name in the connection string.",
    ETIMEDOUT: "Check the host, port and firewall; raise connectTimeoutMs for a slow network.",
    "28P01": "Check the user name and password (in the URL, PGPASSWORD or ~/.pgpass).",
    "28000": "The server's pg_hba.conf refuses this user from this host: ask the database administrator.",
    "3D000": "Create the database first (createdb NAME) or fix its name in the connection string.",
    "53300": "The server has no free connection slots: retry later or ask the administrator.",
  };
  return new HistoryStoreError(
    `Cannot open the PostgreSQL history store ${where} (${code || "error"}: ${message}). Nothing was changed.`,
    hints[code] ?? "Check the connection string: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE.",
  );
}

function newerSchemaError(location: string, found: number): HistorySchemaError {
  return new HistorySchemaError(
    `${location} has history schema version ${found}; this limiqc knows versions up to ${HISTORY_SCHEMA_VERSION}.`,
    "Upgrade limiqc to open this store. Nothing was changed.",
  );
}

/** Schema version of an existing store, read without writing (0 when schema `limiqc` has no store yet). */
async function inspectExisting(client: pg.Client, location: string): Promise<number> {
  const { rows } = await client.query<{ sv: string | null; qr: string | null }>(
    "SELECT to_regclass('limiqc.schema_version')::text AS sv, to_regclass('limiqc.qc_record')::text AS qr",
  );
  const found = rows[0] as { sv: string | null; qr: string | null };
  if (found.sv === null) {
    if (found.qr !== null) {
      throw new HistoryStoreError(
        `${location} has a table limiqc.qc_record but no limiqc.schema_version: not a limiqc history store.`,
        "Use another database, or ask the administrator what schema `limiqc` holds. Nothing was changed.",
      );
    }
    return 0;
  }
  const v = await client.query<{ v: number | null }>("SELECT MAX(version) AS v FROM limiqc.schema_version");
  return v.rows[0]?.v ?? 0;
}

/** The PostgreSQL backend of {@link HistoryStore}. Operations on one store object run one at a time. */
class PostgresHistoryStore implements HistoryStore {
  readonly backend = "postgres" as const;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly location: string,
    private readonly client: pg.Client,
    private readonly options: ResolvedHistoryStoreOptions,
  ) {}

  /** Runs `fn` after every earlier operation of this store: one connection carries one transaction at a time. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  schemaVersion(): Promise<number> {
    return this.exclusive(async () => (await this.client.query<{ v: number }>("SELECT MAX(version) AS v FROM limiqc.schema_version")).rows[0]?.v ?? 0);
  }

  /**
   * Notes: each transaction first takes an advisory lock that serialises writers (as SQLite's BEGIN IMMEDIATE does),
   * waiting at most `busyTimeoutMs` (lock_timeout); records go to the server in statements of 5000 rows (one array per column).
   */
  insert(records: Iterable<unknown>, options: { atomic?: boolean } = {}): Promise<HistoryImportSummary> {
    return this.exclusive(() => this.insertNow(records, options.atomic ?? true));
  }

  private async insertNow(records: Iterable<unknown>, atomic: boolean): Promise<HistoryImportSummary> {
    const storedAt = new Date().toISOString();
    const perTransaction = atomic ? Number.POSITIVE_INFINITY : this.options.batchSize;
    let inserted = 0;
    let duplicates = 0;
    let index = 0;
    let inTransaction = 0; // records in the open transaction, -1 when none is open
    let pending: HistoryRecord[] = [];
    const flush = async (): Promise<void> => {
      if (pending.length === 0) return;
      const res = await this.client.query(INSERT_SQL, columnArrays(pending, storedAt));
      inserted += res.rowCount ?? 0;
      duplicates += pending.length - (res.rowCount ?? 0);
      pending = [];
    };
    const begin = async (): Promise<void> => {
      await this.client.query("BEGIN");
      await this.client.query(`SET LOCAL lock_timeout = ${lockTimeoutMs(this.options)}`);
      await this.client.query("SELECT pg_advisory_xact_lock($1)", [WRITE_LOCK_KEY.toString()]);
      inTransaction = 0;
    };
    inTransaction = -1;
    try {
      for (const raw of records) {
        const r = validateHistoryRecord(raw, `record ${index}`);
        index++;
        if (inTransaction < 0) await begin();
        pending.push(r);
        inTransaction++;
        if (pending.length >= ROWS_PER_STATEMENT || inTransaction >= perTransaction) await flush();
        if (inTransaction >= perTransaction) {
          await this.client.query("COMMIT");
          inTransaction = -1;
        }
      }
      if (inTransaction >= 0) {
        await flush();
        await this.client.query("COMMIT");
        inTransaction = -1;
      }
    } catch (e) {
      if (inTransaction >= 0) await this.client.query("ROLLBACK").catch(() => undefined);
      if (!(e instanceof LimiqcError)) {
        throw new HistoryStoreError(
          `Could not write to history store ${this.location} (${errorCode(e) || "error"}: ${e instanceof Error ? e.message : String(e)}); nothing of this transaction was saved.`,
          errorCode(e) === "55P03"
            ? "Another process held the store's write lock longer than busyTimeoutMs: retry, or raise busyTimeoutMs."
            : "Check the connection to the server and the role's INSERT right on schema limiqc.",
        );
      }
      throw e;
    }
    return { inserted, duplicates };
  }

  query(q: HistoryQuery = {}): Promise<StoredHistoryRecord[]> {
    return this.exclusive(async () => {
      const { where, params } = historyWhere(q, pgPlaceholder);
      const { rows } = await this.client.query<HistoryRow>(`SELECT * FROM limiqc.qc_record ${where} ORDER BY acquired_at, id`, params);
      return rows.map(historyRowToRecord);
    });
  }

  count(q: HistoryQuery = {}): Promise<number> {
    return this.exclusive(async () => {
      const { where, params } = historyWhere(q, pgPlaceholder);
      const { rows } = await this.client.query<{ n: number }>(`SELECT COUNT(*)::integer AS n FROM limiqc.qc_record ${where}`, params);
      return rows[0]?.n ?? 0;
    });
  }

  series(instrument?: string): Promise<HistorySeriesInfo[]> {
    const where = instrument === undefined ? "" : "WHERE instrument = $1";
    return this.exclusive(async () => {
      const { rows } = await this.client.query<HistorySeriesInfo>(
        `SELECT instrument, protocol, metric, MIN(unit) AS unit, COUNT(*)::integer AS n FROM limiqc.qc_record ${where}
         GROUP BY instrument, protocol, metric ORDER BY instrument, protocol COLLATE "C", metric COLLATE "C"`,
        instrument === undefined ? [] : [instrument],
      );
      return rows;
    });
  }

  /** Checks the schema version and that the table's indexes (incl. the unique natural key) are valid. */
  integrityCheck(): Promise<string> {
    return this.exclusive(async () => {
      const problems: string[] = [];
      const v = (await this.client.query<{ v: number }>("SELECT MAX(version) AS v FROM limiqc.schema_version")).rows[0]?.v;
      if (v !== HISTORY_SCHEMA_VERSION) problems.push(`schema version ${v}, expected ${HISTORY_SCHEMA_VERSION}`);
      const { rows } = await this.client.query<{ name: string; valid: boolean }>(
        "SELECT indexrelid::regclass::text AS name, indisvalid AND indisready AS valid FROM pg_index WHERE indrelid = 'limiqc.qc_record'::regclass",
      );
      for (const r of rows) if (!r.valid) problems.push(`index ${r.name} is not valid (REINDEX it)`);
      if (!rows.some((r) => r.name.endsWith("record_key_key"))) problems.push("the unique index on record_key is missing");
      return problems.length === 0 ? "ok" : problems.join("; ");
    });
  }

  close(): Promise<void> {
    return this.exclusive(() => this.client.end());
  }
}

/**
 * Opens (creating schema `limiqc` and its tables if needed) a PostgreSQL history store; see {@link openHistoryStore}.
 * @param location - postgres:// connection string.
 * @param options - Resolved options.
 * @returns The open store.
 * @throws HistoryStoreError when the server cannot be reached, refuses the login, the database does not exist, the
 *   role may not create the schema, or schema `limiqc` holds something else; HistorySchemaError for a newer schema.
 *   Nothing is changed in these cases.
 */
export async function openPostgresHistoryStore(location: string, options: ResolvedHistoryStoreOptions): Promise<HistoryStore> {
  const shown = redactStoreLocation(location);
  let client: pg.Client;
  try {
    client = new pg.Client({ connectionString: location, connectionTimeoutMillis: Math.round(options.connectTimeoutMs), application_name: "limiqc" });
  } catch (e) {
    throw connectionError(location, e);
  }
  // a server that goes away later surfaces as an error of the next query, not as an uncaught 'error' event
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw connectionError(location, e);
  }
  try {
    const found = await inspectExisting(client, shown);
    if (found > HISTORY_SCHEMA_VERSION) throw newerSchemaError(shown, found);
    if (found < HISTORY_SCHEMA_VERSION) await migrate(client, shown, options);
  } catch (e) {
    await client.end().catch(() => undefined);
    if (e instanceof HistoryStoreError || e instanceof HistorySchemaError) throw e;
    if (errorCode(e) === "42501") {
      throw new HistoryStoreError(
        `${shown}: the role may not create schema limiqc or its tables (${(e as Error).message}). Nothing was changed.`,
        "Ask the database administrator to run limiqc once as the database owner, or GRANT CREATE ON DATABASE to this role.",
      );
    }
    throw connectionError(location, e);
  }
  return new PostgresHistoryStore(shown, client, options);
}

/** Applies the missing migrations in one transaction under the migration lock (concurrent first opens migrate once). */
async function migrate(client: pg.Client, location: string, options: ResolvedHistoryStoreOptions): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query(`SET LOCAL lock_timeout = ${lockTimeoutMs(options)}`);
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY.toString()]);
    await client.query("CREATE SCHEMA IF NOT EXISTS limiqc");
    await client.query("CREATE TABLE IF NOT EXISTS limiqc.schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)");
    const current = (await client.query<{ v: number | null }>("SELECT MAX(version) AS v FROM limiqc.schema_version")).rows[0]?.v ?? 0;
    if (current > HISTORY_SCHEMA_VERSION) throw newerSchemaError(location, current);
    for (let v = current; v < HISTORY_SCHEMA_VERSION; v++) {
      await client.query(POSTGRES_MIGRATIONS[v] as string);
      await client.query("INSERT INTO limiqc.schema_version (version, applied_at) VALUES ($1, $2)", [v + 1, new Date().toISOString()]);
    }
    await client.query("COMMIT");
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw e;
  }
}
