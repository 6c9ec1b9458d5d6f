import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { build } from "rolldown";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { HistoryRecordError, HistorySchemaError, HistoryStoreError } from "../../src/history/errors.js";
import { exportHistoryCsv, exportHistoryJson, importHistoryFile, parseHistoryCsv, parseHistoryJson } from "../../src/history/exchange.js";
import { historyRecordKey, validateHistoryRecord } from "../../src/history/record.js";
import { HISTORY_SCHEMA_VERSION, openHistoryStore } from "../../src/history/store.js";
import { makeRecord } from "./fixtures.js";

let dir = "";
let workerDir = "";
let worker = "";

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "limiqc-history-"));
  // inside the repository so that the bundle's `import "better-sqlite3"` resolves to node_modules
  workerDir = mkdtempSync(join(import.meta.dirname, "..", "..", "node_modules", ".cache-history-worker-"));
  worker = join(workerDir, "worker.mjs");
  await build({
    input: join(import.meta.dirname, "worker.ts"),
    platform: "node",
    external: [/^node:/, "better-sqlite3"],
    resolve: { extensionAlias: { ".js": [".ts", ".js"] } },
    output: { file: worker, format: "esm" },
    logLevel: "silent",
  });
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(workerDir, { recursive: true, force: true });
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

const storePath = (name: string) => join(dir, name);

describe("history store", () => {
  test("creates a versioned WAL store; saving the same records twice does not duplicate", () => {
    const store = openHistoryStore(storePath("idem.sqlite"));
    expect(store.schemaVersion).toBe(HISTORY_SCHEMA_VERSION);
    const recs = Array.from({ length: 50 }, (_, i) => makeRecord(i));
    expect(store.insert(recs)).toEqual({ inserted: 50, duplicates: 0 });
    expect(store.insert(recs)).toEqual({ inserted: 0, duplicates: 50 });
    expect(store.insert([...recs.slice(0, 10), makeRecord(50)])).toEqual({ inserted: 1, duplicates: 10 });
    expect(store.count()).toBe(51);
    const q = store.query({ instrument: "scope-A", from: "2025-01-10", to: "2025-01-12T23:00:00Z" });
    expect(q.map((r) => r.acquiredAt.slice(0, 10))).toEqual(["2025-01-10", "2025-01-11", "2025-01-12"]);
    expect(q[0]?.provenance).toEqual({ fn: "test", inputs: [{ file: "flat-4.tif" }] });
    store.close();
    const raw = new Database(storePath("idem.sqlite"), { readonly: true });
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    raw.close();
    // reopening keeps the data and does not re-run migrations
    const again = openHistoryStore(storePath("idem.sqlite"));
    expect(again.count()).toBe(51);
    again.close();
  });

  test("the natural key ignores value/provenance but not input hash or time; times are normalised", () => {
    const r = validateHistoryRecord(makeRecord(1), "r");
    expect(historyRecordKey({ ...r, value: 1, provenance: {} })).toBe(historyRecordKey(r));
    expect(historyRecordKey({ ...r, inputSha256: "b".repeat(64) })).not.toBe(historyRecordKey(r));
    const local = validateHistoryRecord({ ...makeRecord(1), acquiredAt: "2025-01-07T10:00:00+01:00" }, "r");
    expect(local.acquiredAt).toBe("2025-01-07T09:00:00.000Z");
    expect(historyRecordKey(local)).toBe(historyRecordKey(r));
  });

  test("JSON and CSV export/import round-trip the whole history; re-import inserts nothing", () => {
    const src = openHistoryStore(storePath("src.sqlite"));
    const recs = [...Array.from({ length: 20 }, (_, i) => makeRecord(i)), { ...makeRecord(3, "scope-B"), limitText: 'a "quoted", comma\nline', uncertainty: null, verdict: null, objective: null }];
    src.insert(recs);
    const json = exportHistoryJson(src);
    const csv = exportHistoryCsv(src);
    const expected = src.query().map(({ id: _id, key: _key, ...r }) => r);
    src.close();
    expect(parseHistoryJson(json)).toEqual(expected);
    expect(parseHistoryCsv(csv)).toEqual(expected);
    writeFileSync(storePath("h.json"), json);
    writeFileSync(storePath("h.csv"), csv);
    const dst = openHistoryStore(storePath("dst.sqlite"));
    expect(importHistoryFile(dst, storePath("h.json"))).toEqual({ inserted: 21, duplicates: 0 });
    expect(importHistoryFile(dst, storePath("h.csv"))).toEqual({ inserted: 0, duplicates: 21 });
    expect(dst.query().map(({ id: _id, ...r }) => r)).toEqual(expected.map((r, i) => ({ ...r, key: dst.query()[i]?.key })));
    dst.close();
  });

  test("a corrupt record (missing field, NaN) → HistoryRecordError and nothing of the batch is saved", () => {
    const store = openHistoryStore(storePath("corrupt.sqlite"));
    store.insert([makeRecord(0)]);
    const { instrument: _drop, ...noInstrument } = makeRecord(2);
    expect(() => store.insert([makeRecord(1), noInstrument])).toThrow(HistoryRecordError);
    expect(() => store.insert([makeRecord(1), noInstrument])).toThrow(/record 1: field "instrument" is missing/);
    expect(() => store.insert([makeRecord(1), { ...makeRecord(3), value: Number.NaN }])).toThrow(/field "value" is NaN; expected a finite number/);
    expect(() => store.insert([{ ...makeRecord(3), acquiredAt: "yesterday" }])).toThrow(/acquiredAt/);
    expect(() => store.insert([{ ...makeRecord(3), verdict: "ok" }])).toThrow(/verdict/);
    expect(store.count()).toBe(1);
    expect(() => parseHistoryJson('{"format":"limiqc-history","schemaVersion":1,"records":[{"value":1}]}', "x.json")).toThrow(/x.json record 0: field "protocol" is missing/);
    expect(() => parseHistoryCsv("protocol,metric,value,unit,instrument,acquiredAt\nfield-uniformity,u,abc,%,s,2025-01-01", "x.csv")).toThrow(/x.csv line 2: field "value" is NaN/);
    expect(() => parseHistoryJson("{not json")).toThrow(HistoryRecordError);
    store.close();
  });

  test("a writer blocked past busyTimeoutMs → HistoryStoreError, nothing saved; non-atomic inserts commit per batch", () => {
    const p = storePath("busy.sqlite");
    const store = openHistoryStore(p, { busyTimeoutMs: 50, batchSize: 4 });
    const holder = new Database(p);
    holder.exec("BEGIN IMMEDIATE");
    expect(() => store.insert([makeRecord(0)])).toThrow(HistoryStoreError);
    expect(() => store.insert([makeRecord(0)])).toThrow(/SQLITE_BUSY.*nothing of this transaction was saved/);
    holder.exec("ROLLBACK");
    holder.close();
    expect(store.count()).toBe(0);
    const recs = [...Array.from({ length: 9 }, (_, i) => makeRecord(i)), { ...makeRecord(9), value: Number.NaN }];
    expect(() => store.insert(recs, { atomic: false })).toThrow(HistoryRecordError);
    expect(store.count()).toBe(8); // two full batches of 4 committed, the third (with the NaN) rolled back
    store.close();
  });

  test("a file that is not a database → HistoryStoreError, file unchanged", () => {
    const p = storePath("not-a-db.sqlite");
    const bytes = Buffer.from("this is a TIFF, honestly ".repeat(200));
    writeFileSync(p, bytes);
    expect(() => openHistoryStore(p)).toThrow(HistoryStoreError);
    expect(() => openHistoryStore(p)).toThrow(/not a readable SQLite database/);
    expect(readFileSync(p).equals(bytes)).toBe(true);
    const other = storePath("other-app.sqlite");
    const db = new Database(other);
    db.exec("CREATE TABLE photos (id INTEGER)");
    db.close();
    const before = readFileSync(other);
    expect(() => openHistoryStore(other)).toThrow(/not a limiqc history store \(tables: photos\)/);
    expect(readFileSync(other).equals(before)).toBe(true);
  });

  test("a store or export from a newer schema → HistorySchemaError, nothing changed", () => {
    const p = storePath("newer.sqlite");
    openHistoryStore(p).close();
    const db = new Database(p);
    db.pragma("journal_mode = DELETE");
    db.prepare("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)").run(HISTORY_SCHEMA_VERSION + 1, "2030-01-01");
    db.close();
    const before = readFileSync(p);
    expect(() => openHistoryStore(p)).toThrow(HistorySchemaError);
    expect(() => openHistoryStore(p)).toThrow(new RegExp(`schema version ${HISTORY_SCHEMA_VERSION + 1}; this limiqc knows versions up to ${HISTORY_SCHEMA_VERSION}`));
    expect(readFileSync(p).equals(before)).toBe(true);
    const doc = JSON.stringify({ format: "limiqc-history", schemaVersion: HISTORY_SCHEMA_VERSION + 1, records: [makeRecord(1)] });
    expect(() => parseHistoryJson(doc, "future.json")).toThrow(HistorySchemaError);
  });

  test("a child killed (SIGKILL) in the middle of an import: none of that transaction, store opens and is intact", async () => {
    const p = storePath("kill.sqlite");
    const store = openHistoryStore(p);
    store.insert(Array.from({ length: 100 }, (_, i) => makeRecord(i)));
    store.close();
    const r = await runWorker(["hang", p, "20000"], (line, kill) => {
      if (line === "MID") kill();
    });
    expect(r.signal).toBe("SIGKILL");
    const after = openHistoryStore(p);
    expect(after.integrityCheck()).toBe("ok");
    expect(after.count()).toBe(100);
    expect(after.count({ instrument: "killed" })).toBe(0);
    after.close();
  });

  test("a child killed at an arbitrary point of a large import leaves all or none of it", async () => {
    const p = storePath("race.sqlite");
    openHistoryStore(p).close();
    const n = 50_000;
    const r = await runWorker(["race", p, String(n)], (line, kill) => {
      if (line === "MID") setTimeout(kill, 30);
    });
    const after = openHistoryStore(p);
    expect(after.integrityCheck()).toBe("ok");
    const got = after.count({ instrument: "killed" });
    expect([0, n]).toContain(got);
    if (r.signal === "SIGKILL") expect(got).toBe(0);
    after.close();
  });

  test.each([
    ["an existing store", true],
    ["a store none of them has created yet", false],
  ])("4 concurrent writer processes × 500 records all land, into %s", async (_what, precreate) => {
    const p = storePath(`concurrent-${precreate}.sqlite`);
    if (precreate) openHistoryStore(p).close();
    const runs = await Promise.all([0, 1, 2, 3].map((id) => runWorker(["write", p, String(id), "500", "10"])));
    for (const r of runs) {
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
    }
    const store = openHistoryStore(p);
    expect(store.count()).toBe(2000);
    for (const id of [0, 1, 2, 3]) expect(store.count({ instrument: `w${id}` })).toBe(500);
    expect(store.integrityCheck()).toBe("ok");
    store.close();
  });
});
