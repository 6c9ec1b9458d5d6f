import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { build } from "rolldown";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { HistoryRecordError, HistorySchemaError, HistoryStoreError } from "../../src/history/errors.js";
import { exportHistoryCsv, exportHistoryJson, importHistoryFile, parseHistoryCsv, parseHistoryJson } from "../../src/history/exchange.js";
import { historyRecordKey, validateHistoryRecord } from "../../src/history/record.js";
import { HISTORY_SCHEMA_VERSION, openHistoryStore, redactStoreLocation } from "../../src/history/store.js";
import { makeRecord } from "./fixtures.js";
import { dropPgDatabases, newPgDatabase, PG_ADMIN_URL, PG_AVAILABLE, pgAdmin } from "./pg.js";

let dir = "";
let workerDir = "";
let worker = "";

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "limiqc-history-"));
  // inside the repository so that the bundle's `import "better-sqlite3"` / `import "pg"` resolve to node_modules
  workerDir = mkdtempSync(join(import.meta.dirname, "..", "..", "node_modules", ".cache-history-worker-"));
  worker = join(workerDir, "worker.mjs");
  await build({
    input: join(import.meta.dirname, "worker.ts"),
    platform: "node",
    external: [/^node:/, "better-sqlite3", "pg"],
    resolve: { extensionAlias: { ".js": [".ts", ".js"] } },
    output: { file: worker, format: "esm", codeSplitting: false },
    logLevel: "silent",
  });
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(workerDir, { recursive: true, force: true });
  if (PG_AVAILABLE) await dropPgDatabases();
});

/** Runs the worker; resolves with its exit code/signal and stdout. `onLine` may kill it. */
function runWorker(args: string[], onLine?: (line: string, kill: () => void) => void): Promise<{ code: number | null; signal: string | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker, ...args], { cwd: join(import.meta.dirname, "..", "..") });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      for (const line of d.toString().split("\n")) if (line) onLine?.(line, () => child.kill("SIGKILL"));
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve({ code, signal, out, err }));
  });
}

/** What differs between the backends in these tests. */
interface Backend {
  name: "sqlite" | "postgres";
  available: boolean;
  /** A location for a new, empty store. */
  newStore(label: string): Promise<string>;
  /** Holds the store's write lock from another connection until the returned function is called. */
  holdWriteLock(location: string): Promise<() => Promise<void>>;
  /** Marks the store as written by a newer limiqc (schema version + 1). */
  bumpSchemaVersion(location: string): Promise<void>;
  /** A fingerprint of the whole store, to prove that nothing changed. */
  fingerprint(location: string): Promise<string>;
}

const dbName = (url: string): string => new URL(url).pathname.slice(1);

const SQLITE: Backend = {
  name: "sqlite",
  available: true,
  newStore: async (label) => join(dir, `${label}.sqlite`),
  holdWriteLock: async (p) => {
    const holder = new Database(p);
    holder.exec("BEGIN IMMEDIATE");
    return async () => {
      holder.exec("ROLLBACK");
      holder.close();
    };
  },
  bumpSchemaVersion: async (p) => {
    const db = new Database(p);
    db.pragma("journal_mode = DELETE");
    db.prepare("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)").run(HISTORY_SCHEMA_VERSION + 1, "2030-01-01");
    db.close();
  },
  fingerprint: async (p) => readFileSync(p).toString("base64"),
};

const POSTGRES: Backend = {
  name: "postgres",
  available: PG_AVAILABLE,
  newStore: (label) => newPgDatabase(label),
  holdWriteLock: async (url) => {
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    await holder.query("BEGIN");
    await holder.query("LOCK TABLE limiqc.qc_record IN EXCLUSIVE MODE");
    return async () => {
      await holder.query("ROLLBACK");
      await holder.end();
    };
  },
  bumpSchemaVersion: async (url) => {
    await pgAdmin("INSERT INTO limiqc.schema_version (version, applied_at) VALUES ($1, $2)", [HISTORY_SCHEMA_VERSION + 1, "2030-01-01"], dbName(url));
  },
  fingerprint: async (url) =>
    JSON.stringify([
      await pgAdmin("SELECT * FROM limiqc.schema_version ORDER BY version", [], dbName(url)),
      await pgAdmin("SELECT * FROM limiqc.qc_record ORDER BY id", [], dbName(url)),
      await pgAdmin("SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2", [], dbName(url)),
    ]),
};

describe.each([SQLITE, POSTGRES])("history store on $name", (b) => {
  test.runIf(b.available)("creates a versioned store; saving the same records twice does not duplicate; reopening keeps the data", async () => {
    const location = await b.newStore("idem");
    const store = await openHistoryStore(location);
    expect(store.backend).toBe(b.name);
    expect(await store.schemaVersion()).toBe(HISTORY_SCHEMA_VERSION);
    const recs = Array.from({ length: 50 }, (_, i) => makeRecord(i));
    expect(await store.insert(recs)).toEqual({ inserted: 50, duplicates: 0 });
    expect(await store.insert(recs)).toEqual({ inserted: 0, duplicates: 50 });
    expect(await store.insert([...recs.slice(0, 10), makeRecord(50), makeRecord(50)])).toEqual({ inserted: 1, duplicates: 11 });
    expect(await store.count()).toBe(51);
    const q = await store.query({ instrument: "scope-A", from: "2025-01-10", to: "2025-01-12T23:00:00Z" });
    expect(q.map((r) => r.acquiredAt.slice(0, 10))).toEqual(["2025-01-10", "2025-01-11", "2025-01-12"]);
    expect(q[0]?.provenance).toEqual({ fn: "test", inputs: [{ file: "flat-4.tif" }] });
    expect(typeof q[0]?.id).toBe("number");
    expect(await store.series()).toEqual([{ instrument: "scope-A", protocol: "field-uniformity", metric: "uniformity", unit: "%", n: 51 }]);
    await store.close();
    const again = await openHistoryStore(location);
    expect(await again.count()).toBe(51);
    expect(await again.integrityCheck()).toBe("ok");
    await again.close();
  });

  test.runIf(b.available)("JSON and CSV export/import round-trip the whole history; re-import inserts nothing", async () => {
    const src = await openHistoryStore(await b.newStore("src"));
    const recs = [
      ...Array.from({ length: 20 }, (_, i) => makeRecord(i)),
      { ...makeRecord(3, "scope-B"), limitText: 'a "quoted", comma\nline µm', uncertainty: null, verdict: null, objective: null, value: 1e-300 },
    ];
    await src.insert(recs);
    const json = await exportHistoryJson(src);
    const csv = await exportHistoryCsv(src);
    const expected = (await src.query()).map(({ id: _id, key: _key, ...r }) => r);
    await src.close();
    expect(parseHistoryJson(json)).toEqual(expected);
    expect(parseHistoryCsv(csv)).toEqual(expected);
    writeFileSync(join(dir, `${b.name}-h.json`), json);
    writeFileSync(join(dir, `${b.name}-h.csv`), csv);
    const dst = await openHistoryStore(await b.newStore("dst"));
    expect(await importHistoryFile(dst, join(dir, `${b.name}-h.json`))).toEqual({ inserted: 21, duplicates: 0 });
    expect(await importHistoryFile(dst, join(dir, `${b.name}-h.csv`))).toEqual({ inserted: 0, duplicates: 21 });
    expect((await dst.query()).map(({ id: _id, key: _key, ...r }) => r)).toEqual(expected);
    await dst.close();
  });

  test.runIf(b.available)("a corrupt record (missing field, NaN) → HistoryRecordError and nothing of the batch is saved", async () => {
    const store = await openHistoryStore(await b.newStore("corrupt"));
    await store.insert([makeRecord(0)]);
    const { instrument: _drop, ...noInstrument } = makeRecord(2);
    await expect(store.insert([makeRecord(1), noInstrument])).rejects.toThrow(HistoryRecordError);
    await expect(store.insert([makeRecord(1), noInstrument])).rejects.toThrow(/record 1: field "instrument" is missing/);
    // 1500 valid records (more than one INSERT statement on PostgreSQL) before the bad one: all rolled back
    const many = [...Array.from({ length: 1500 }, (_, i) => makeRecord(10 + i)), { ...makeRecord(3), value: Number.NaN }];
    await expect(store.insert(many)).rejects.toThrow(/record 1500: field "value" is NaN; expected a finite number/);
    await expect(store.insert([{ ...makeRecord(3), acquiredAt: "yesterday" }])).rejects.toThrow(/acquiredAt/);
    await expect(store.insert([{ ...makeRecord(3), verdict: "ok" }])).rejects.toThrow(/verdict/);
    expect(await store.count()).toBe(1);
    await expect(store.query({ from: "last week" })).rejects.toThrow(/not a date/);
    await store.close();
  });

  test.runIf(b.available)("a writer blocked past busyTimeoutMs → HistoryStoreError, nothing saved; non-atomic inserts commit per batch", async () => {
    const location = await b.newStore("busy");
    const store = await openHistoryStore(location, { busyTimeoutMs: 50, batchSize: 4 });
    const release = await b.holdWriteLock(location);
    try {
      await expect(store.insert([makeRecord(0)])).rejects.toThrow(HistoryStoreError);
      await expect(store.insert([makeRecord(0)])).rejects.toThrow(/nothing of this transaction was saved/);
    } finally {
      await release();
    }
    expect(await store.count()).toBe(0);
    const recs = [...Array.from({ length: 9 }, (_, i) => makeRecord(i)), { ...makeRecord(9), value: Number.NaN }];
    await expect(store.insert(recs, { atomic: false })).rejects.toThrow(HistoryRecordError);
    expect(await store.count()).toBe(8); // two full batches of 4 committed, the third (with the NaN) rolled back
    expect(await store.insert([makeRecord(20)])).toEqual({ inserted: 1, duplicates: 0 }); // the store still works
    await store.close();
  });

  test.runIf(b.available)("a store from a newer schema → HistorySchemaError, nothing changed; so is an export from a newer schema", async () => {
    const location = await b.newStore("newer");
    const s = await openHistoryStore(location);
    await s.insert([makeRecord(1)]);
    await s.close();
    await b.bumpSchemaVersion(location);
    const before = await b.fingerprint(location);
    await expect(openHistoryStore(location)).rejects.toThrow(HistorySchemaError);
    await expect(openHistoryStore(location)).rejects.toThrow(new RegExp(`schema version ${HISTORY_SCHEMA_VERSION + 1}; this limiqc knows versions up to ${HISTORY_SCHEMA_VERSION}`));
    expect(await b.fingerprint(location)).toBe(before);
    const doc = JSON.stringify({ format: "limiqc-history", schemaVersion: HISTORY_SCHEMA_VERSION + 1, records: [makeRecord(1)] });
    expect(() => parseHistoryJson(doc, "future.json")).toThrow(HistorySchemaError);
  });

  test.runIf(b.available)("a child killed (SIGKILL) in the middle of an import: none of that transaction, store opens and is intact", async () => {
    const location = await b.newStore("kill");
    const store = await openHistoryStore(location);
    await store.insert(Array.from({ length: 100 }, (_, i) => makeRecord(i)));
    await store.close();
    const r = await runWorker(["hang", location, "20000"], (line, kill) => {
      if (line === "MID") kill();
    });
    expect(r.signal).toBe("SIGKILL");
    const after = await openHistoryStore(location);
    expect(await after.integrityCheck()).toBe("ok");
    expect(await after.count()).toBe(100);
    expect(await after.count({ instrument: "killed" })).toBe(0);
    expect(await after.insert([makeRecord(100_000, "killed")])).toEqual({ inserted: 1, duplicates: 0 }); // no lock left behind
    await after.close();
  });

  test.runIf(b.available)("a child killed at an arbitrary point of a large import leaves all or none of it", async () => {
    const location = await b.newStore("race");
    await (await openHistoryStore(location)).close();
    const n = 50_000;
    const r = await runWorker(["race", location, String(n)], (line, kill) => {
      if (line === "MID") setTimeout(kill, 30);
    });
    const after = await openHistoryStore(location);
    expect(await after.integrityCheck()).toBe("ok");
    const got = await after.count({ instrument: "killed" });
    expect([0, n]).toContain(got);
    if (r.signal === "SIGKILL") expect(got).toBe(0);
    await after.close();
  });

  test.runIf(b.available).each([
    ["an existing store", true],
    ["a store none of them has created yet", false],
  ])("4 concurrent writer processes × 500 records all land, into %s", async (_what, precreate) => {
    const location = await b.newStore(`concurrent-${precreate}`);
    if (precreate) await (await openHistoryStore(location)).close();
    const runs = await Promise.all([0, 1, 2, 3].map((id) => runWorker(["write", location, String(id), "500", "10"])));
    for (const r of runs) {
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
    }
    const store = await openHistoryStore(location);
    expect(await store.count()).toBe(2000);
    for (const id of [0, 1, 2, 3]) expect(await store.count({ instrument: `w${id}` })).toBe(500);
    expect(await store.integrityCheck()).toBe("ok");
    expect(await store.schemaVersion()).toBe(HISTORY_SCHEMA_VERSION);
    await store.close();
  });
  test.runIf(b.available)("3 writer processes saving the same 500 records at once store each record once", async () => {
    const location = await b.newStore("same-records");
    await (await openHistoryStore(location)).close();
    const runs = await Promise.all([0, 1, 2].map(() => runWorker(["write", location, "7", "500", "50"])));
    for (const r of runs) {
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
    }
    const store = await openHistoryStore(location);
    expect(await store.count()).toBe(500);
    expect(await store.integrityCheck()).toBe("ok");
    await store.close();
  });
});

describe("history store, backend-specific", () => {
  test("the natural key ignores value/provenance but not input hash or time; times are normalised", () => {
    const r = validateHistoryRecord(makeRecord(1), "r");
    expect(historyRecordKey({ ...r, value: 1, provenance: {} })).toBe(historyRecordKey(r));
    expect(historyRecordKey({ ...r, inputSha256: "b".repeat(64) })).not.toBe(historyRecordKey(r));
    const local = validateHistoryRecord({ ...makeRecord(1), acquiredAt: "2025-01-07T10:00:00+01:00" }, "r");
    expect(local.acquiredAt).toBe("2025-01-07T09:00:00.000Z");
    expect(historyRecordKey(local)).toBe(historyRecordKey(r));
  });

  test("SQLite: WAL mode; `sqlite:` prefix; a file that is not a database, or another app's → HistoryStoreError, file unchanged", async () => {
    const p = join(dir, "wal.sqlite");
    await (await openHistoryStore(`sqlite:${p}`)).close();
    const raw = new Database(p, { readonly: true });
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    raw.close();
    const bad = join(dir, "not-a-db.sqlite");
    const bytes = Buffer.from("this is a TIFF, honestly ".repeat(200));
    writeFileSync(bad, bytes);
    await expect(openHistoryStore(bad)).rejects.toThrow(HistoryStoreError);
    await expect(openHistoryStore(bad)).rejects.toThrow(/not a readable SQLite database/);
    expect(readFileSync(bad).equals(bytes)).toBe(true);
    const other = join(dir, "other-app.sqlite");
    const db = new Database(other);
    db.exec("CREATE TABLE photos (id INTEGER)");
    db.close();
    const before = readFileSync(other);
    await expect(openHistoryStore(other)).rejects.toThrow(/not a limiqc history store \(tables: photos\)/);
    expect(readFileSync(other).equals(before)).toBe(true);
    await expect(openHistoryStore("mysql://db/qc")).rejects.toThrow(/neither a file path nor a postgres:\/\/ connection string/);
  });

  test.runIf(PG_AVAILABLE)("PostgreSQL: wrong connection strings give a clear error without the password", async () => {
    const u = new URL(PG_ADMIN_URL);
    const refused = `postgres://limiqc:secret@127.0.0.1:1/postgres`;
    await expect(openHistoryStore(refused)).rejects.toThrow(/ECONNREFUSED[\s\S]*Is the PostgreSQL server running/);
    await expect(openHistoryStore(refused)).rejects.not.toThrow(/secret/);
    const badPassword = new URL(u);
    badPassword.password = "wrong-password";
    await expect(openHistoryStore(badPassword.toString())).rejects.toThrow(/28P01[\s\S]*Check the user name and password/);
    await expect(openHistoryStore(badPassword.toString())).rejects.not.toThrow(/wrong-password/);
    const missing = new URL(u);
    missing.pathname = "/no_such_database_limiqc";
    await expect(openHistoryStore(missing.toString())).rejects.toThrow(/3D000[\s\S]*createdb/);
    expect(redactStoreLocation("postgres://qc:s3cret@db:5432/qc")).toBe("postgres://qc:***@db:5432/qc");
  });

  test.runIf(PG_AVAILABLE)("PostgreSQL: a database whose schema limiqc holds something else → HistoryStoreError, nothing changed", async () => {
    const url = await newPgDatabase("foreign");
    await pgAdmin("CREATE SCHEMA limiqc; CREATE TABLE limiqc.qc_record (x INTEGER); INSERT INTO limiqc.qc_record VALUES (7)", [], dbName(url));
    await expect(openHistoryStore(url)).rejects.toThrow(/not a limiqc history store/);
    expect(await pgAdmin("SELECT x FROM limiqc.qc_record", [], dbName(url))).toEqual([{ x: 7 }]);
    expect(await pgAdmin("SELECT to_regclass('limiqc.schema_version') AS t", [], dbName(url))).toEqual([{ t: null }]);
  });

  test.runIf(PG_AVAILABLE)("moving a history SQLite → PostgreSQL (JSON) → SQLite (CSV) keeps every record, in the same order", async () => {
    const recs = [...Array.from({ length: 30 }, (_, i) => makeRecord(i, i % 3 === 0 ? "Zeiss-b" : "abc")), { ...makeRecord(5, "ABC"), value: -0.1 + 0.2 }];
    const sqlite = await openHistoryStore(join(dir, "move-a.sqlite"));
    await sqlite.insert(recs);
    writeFileSync(join(dir, "move.json"), await exportHistoryJson(sqlite));
    const postgres = await openHistoryStore(await newPgDatabase("move"));
    expect(await importHistoryFile(postgres, join(dir, "move.json"))).toEqual({ inserted: 31, duplicates: 0 });
    writeFileSync(join(dir, "move.csv"), await exportHistoryCsv(postgres));
    const back = await openHistoryStore(join(dir, "move-b.sqlite"));
    await importHistoryFile(back, join(dir, "move.csv"));
    const strip = (rs: { id: number }[]) => rs.map(({ id: _id, ...r }) => r);
    expect(strip(await postgres.query())).toEqual(strip(await sqlite.query()));
    expect(strip(await back.query())).toEqual(strip(await sqlite.query()));
    expect(await postgres.series()).toEqual(await sqlite.series());
    for (const s of [sqlite, postgres, back]) await s.close();
  });
});
