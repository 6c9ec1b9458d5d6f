// Times the QC history store (SQLite, WAL) and writes a "## QC history store" section into bench/README.md:
// import of 100 000 records in one transaction, the same import again (all duplicates), the query of one metric
// over a year, and the trend analysis of that series. Usage: npm run build && node bench/history.mjs
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { analyseHistoryTrend, openHistoryStore, simulateQcHistory } from "../dist/history/index.js";
import { writeReadmeSection } from "./readme-section.mjs";

const N_INSTRUMENTS = 100; // × 201 runs (every 1.825 days for a year) × 5 metrics = 100 500, cut to 100 000
const dir = mkdtempSync(join(tmpdir(), "limiqc-bench-history-"));
const path = join(dir, "bench.sqlite");
const records = [];
for (let k = 0; k < N_INSTRUMENTS && records.length < 100_000; k++) {
  const { records: r } = simulateQcHistory({ instrument: `scope-${k}`, seed: k + 1, intervalDays: 1.825 });
  records.push(...r);
}
records.length = Math.min(records.length, 100_000);
const ms = (t0) => performance.now() - t0;

const store = openHistoryStore(path);
let t0 = performance.now();
const first = store.insert(records);
const importMs = ms(t0);
t0 = performance.now();
const second = store.insert(records);
const reimportMs = ms(t0);
t0 = performance.now();
const series = store.query({ instrument: "scope-3", metric: "uniformity", from: "2025-01-01", to: "2025-12-31T23:59:59Z" });
const queryMs = ms(t0);
t0 = performance.now();
const trend = analyseHistoryTrend(series, { baselineUntil: "2025-03-31" });
const trendMs = ms(t0);
store.close();
const sizeMb = statSync(path).size / 1e6;
rmSync(dir, { recursive: true, force: true });
if (first.inserted !== records.length || second.inserted !== 0) throw new Error("bench: unexpected import counts");

const section = [
  "## QC history store",
  "",
  `Embedded store (better-sqlite3 12.11.1, WAL, synchronous=FULL), ${records.length} records of ${N_INSTRUMENTS} simulated instruments. Node ${process.version}, load ${loadavg()[0].toFixed(1)}.`,
  "",
  "| step | time |",
  "|---|---|",
  `| import ${records.length} records (one transaction, validated, natural-key dedup) | ${(importMs / 1000).toFixed(2)} s (${Math.round(records.length / (importMs / 1000))} records/s) |`,
  `| re-import the same records (all duplicates) | ${(reimportMs / 1000).toFixed(2)} s |`,
  `| query one metric of one instrument over a year (${series.length} points) | ${queryMs.toFixed(1)} ms |`,
  `| trend analysis of that series (Shewhart + EWMA) | ${trendMs.toFixed(1)} ms (${trend.points.length} points) |`,
  `| store file size | ${sizeMb.toFixed(1)} MB |`,
  "",
  "PostgreSQL backend: not implemented yet (no figures).",
  "",
].join("\n");
writeReadmeSection("## QC history store", section);
console.log(section);
