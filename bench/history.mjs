// Times the QC history store on both backends and writes a "## QC history store" section into bench/README.md:
// import of 100 000 records in one transaction, the same import again (all duplicates), the query of one metric
// over a year, and the trend analysis of that series.
// Usage: npm run build && LIMIQC_TEST_PG_URL="$(bash scripts/pg-test-server.sh)" node bench/history.mjs
// (without LIMIQC_TEST_PG_URL only the embedded SQLite store is timed).
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { analyseHistoryTrend, openHistoryStore, simulateQcHistory } from "../dist/history/index.js";
import { writeReadmeSection } from "./readme-section.mjs";

const N_INSTRUMENTS = 100; // × 201 runs (every 1.825 days for a year) × 5 metrics = 100 500, cut to 100 000
const records = [];
for (let k = 0; k < N_INSTRUMENTS && records.length < 100_000; k++) {
  const { records: r } = simulateQcHistory({ instrument: `scope-${k}`, seed: k + 1, intervalDays: 1.825 });
  records.push(...r);
}
records.length = Math.min(records.length, 100_000);
const ms = (t0) => performance.now() - t0;

async function timeStore(location) {
  const store = await openHistoryStore(location);
  let t0 = performance.now();
  const first = await store.insert(records);
  const importMs = ms(t0);
  t0 = performance.now();
  const second = await store.insert(records);
  const reimportMs = ms(t0);
  t0 = performance.now();
  const series = await store.query({ instrument: "scope-3", metric: "uniformity", from: "2025-01-01", to: "2025-12-31T23:59:59Z" });
  const queryMs = ms(t0);
  t0 = performance.now();
  const trend = analyseHistoryTrend(series, { baselineUntil: "2025-03-31" });
  const trendMs = ms(t0);
  await store.close();
  if (first.inserted !== records.length || second.inserted !== 0) throw new Error(`bench: unexpected import counts on ${store.backend}`);
  return { importMs, reimportMs, queryMs, trendMs, points: series.length, trendPoints: trend.points.length };
}

const dir = mkdtempSync(join(tmpdir(), "limiqc-bench-history-"));
const sqlitePath = join(dir, "bench.sqlite");
const sqlite = await timeStore(sqlitePath);
const sizeMb = statSync(sqlitePath).size / 1e6;
rmSync(dir, { recursive: true, force: true });

let postgres = null;
let pgVersion = "";
const adminUrl = process.env.LIMIQC_TEST_PG_URL;
if (adminUrl) {
  const db = `limiqc_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  pgVersion = (await admin.query("SHOW server_version")).rows[0].server_version;
  await admin.query(`CREATE DATABASE ${db}`);
  try {
    const u = new URL(adminUrl);
    u.pathname = `/${db}`;
    postgres = await timeStore(u.toString());
  } finally {
    await admin.query(`DROP DATABASE ${db} WITH (FORCE)`);
    await admin.end();
  }
}

const cell = (r, f) => (r ? f(r) : "not run (no LIMIQC_TEST_PG_URL)");
const seconds = (x) => `${(x / 1000).toFixed(2)} s`;
const section = [
  "## QC history store",
  "",
  `${records.length} records of ${N_INSTRUMENTS} simulated instruments; embedded store: better-sqlite3 12.11.1 (WAL, synchronous=FULL, store file ${sizeMb.toFixed(1)} MB); PostgreSQL ${pgVersion || "—"} on loopback through node-postgres 8.23.1 (Debian's default configuration). Node ${process.version}, load ${loadavg()[0].toFixed(1)}.`,
  "",
  "| step | SQLite | PostgreSQL |",
  "|---|---|---|",
  `| import ${records.length} records (one transaction, validated, natural-key dedup) | ${seconds(sqlite.importMs)} (${Math.round(records.length / (sqlite.importMs / 1000))} records/s) | ${cell(postgres, (r) => `${seconds(r.importMs)} (${Math.round(records.length / (r.importMs / 1000))} records/s)`)} |`,
  `| re-import the same records (all duplicates) | ${seconds(sqlite.reimportMs)} | ${cell(postgres, (r) => seconds(r.reimportMs))} |`,
  `| query one metric of one instrument over a year (${sqlite.points} points) | ${sqlite.queryMs.toFixed(1)} ms | ${cell(postgres, (r) => `${r.queryMs.toFixed(1)} ms`)} |`,
  `| trend analysis of that series (Shewhart + EWMA, ${sqlite.trendPoints} points) | ${sqlite.trendMs.toFixed(1)} ms | ${cell(postgres, (r) => `${r.trendMs.toFixed(1)} ms`)} |`,
  "",
  "PostgreSQL import sends statements of 5000 rows (one array per column, spread by unnest) inside one transaction; most of its time is the server's (index maintenance and WAL); writers are serialised by an advisory lock, as SQLite serialises them with BEGIN IMMEDIATE.",
  "",
].join("\n");
writeReadmeSection("## QC history store", section);
console.log(section);
