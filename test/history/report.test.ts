import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test, vi } from "vitest";
import { historyCommand } from "../../src/cli/history.js";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { HISTORY_JSON_FORMAT } from "../../src/history/exchange.js";
import { HistoryReportError } from "../../src/history/errors.js";
import { findChromium, printHtmlToPdf } from "../../src/history/pdf.js";
import { historyPeriodReportHtml } from "../../src/history/report.js";
import { simulateQcHistory } from "../../src/history/simulate-history.js";
import { HISTORY_SCHEMA_VERSION } from "../../src/history/store.js";

const { records } = simulateQcHistory({ seed: 7 });
const OPTS = { instrument: "LSM-sim-1", baselineUntil: "2025-03-31" };

test("period report: verdict, alerts, one plot per series, only the period's runs, plotly inlined, no NaN", () => {
  const html = historyPeriodReportHtml(records, { ...OPTS, from: "2025-10-01", to: "2025-12-31" });
  expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
  expect(html).toContain("QC report: LSM-sim-1, 2025-10-01 to 2025-12-31");
  expect(html).toMatch(/<strong>FAIL<\/strong> — Out of tolerance: uniformity \(488 nm\) on 2025-11-27/);
  expect(html.match(/class="limiqc-plot"/g)).toHaveLength(5);
  expect(html).toContain("window.Plotly"); // the bundle is inlined: the page works offline
  const inPeriod = records.filter((r) => r.acquiredAt >= "2025-10-01" && r.acquiredAt <= "2025-12-31T23:59:59.999Z").length;
  expect(html).toContain(`Every run in the period (${inPeriod})`);
  const before = records.filter((r) => r.acquiredAt < "2025-10-01").at(-1)?.acquiredAt as string;
  expect(html).not.toContain(`<td style="border:1px solid #d0d7de;padding:3px 8px;text-align:left">${before.slice(0, 16).replace("T", " ")}</td>`); // not in the run table
  const firstIn = records.find((r) => r.acquiredAt >= "2025-10-01")?.acquiredAt as string;
  expect(html).toContain(`<td style="border:1px solid #d0d7de;padding:3px 8px;text-align:left">${firstIn.slice(0, 16).replace("T", " ")}</td>`);
  expect(html.slice(html.indexOf("</head>"))).not.toMatch(/\bNaN\b/); // (plotly.js itself contains "NaN")
  const early = historyPeriodReportHtml(records, { ...OPTS, from: "2025-04-01", to: "2025-06-30" });
  expect(early).toMatch(/<strong>PASS<\/strong>/);
});

test("period report: bad periods → InvalidArgumentError", () => {
  expect(() => historyPeriodReportHtml(records, { ...OPTS, from: "2027-01-01", to: "2027-02-01" })).toThrow(/No QC records of LSM-sim-1 between 2027-01-01 and 2027-02-01/);
  expect(() => historyPeriodReportHtml(records, { ...OPTS, from: "2025-05-01", to: "2025-04-01" })).toThrow(InvalidArgumentError);
  expect(() => historyPeriodReportHtml(records, { ...OPTS, from: "soon", to: "2025-04-01" })).toThrow(/not a date/);
});

const dir = mkdtempSync(join(tmpdir(), "limiqc-history-report-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("limiqc history report writes the HTML and refuses to overwrite it", async () => {
  vi.spyOn(console, "log").mockImplementation(() => {});
  const file = join(dir, "year.json");
  writeFileSync(file, JSON.stringify({ format: HISTORY_JSON_FORMAT, schemaVersion: HISTORY_SCHEMA_VERSION, records }));
  const store = join(dir, "s.sqlite");
  await historyCommand.run(["import", file, "--store", store]);
  const out = join(dir, "report.html");
  const args = ["report", "--store", store, "--instrument", "LSM-sim-1", "--from", "2025-01-01", "--to", "2025-12-31", "--baseline-until", "2025-03-31", "--out", out];
  expect(await historyCommand.run(args)).toBe(0);
  expect(readFileSync(out, "utf8")).toContain("<strong>FAIL</strong>");
  await expect(historyCommand.run(args)).rejects.toThrow(/already exists/);
  vi.restoreAllMocks();
});

test.skipIf(findChromium() === null)("limiqc history report --pdf prints the report with Chromium", async () => {
  vi.spyOn(console, "log").mockImplementation(() => {});
  const file = join(dir, "year2.json");
  writeFileSync(file, JSON.stringify({ format: HISTORY_JSON_FORMAT, schemaVersion: HISTORY_SCHEMA_VERSION, records }));
  const store = join(dir, "s2.sqlite");
  await historyCommand.run(["import", file, "--store", store]);
  const out = join(dir, "r2.html");
  const pdf = join(dir, "r2.pdf");
  expect(await historyCommand.run(["report", "--store", store, "--instrument", "LSM-sim-1", "--from", "2025-07-01", "--to", "2025-12-31", "--baseline-until", "2025-03-31", "--out", out, "--pdf", pdf])).toBe(0);
  const bytes = readFileSync(pdf);
  expect(bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
  expect(bytes.length).toBeGreaterThan(50_000);
  vi.restoreAllMocks();
});

test("printHtmlToPdf without Chromium → HistoryReportError", () => {
  const saved = process.env.LIMIQC_CHROMIUM;
  process.env.LIMIQC_CHROMIUM = "/nonexistent/chromium";
  try {
    if (findChromium() === null) expect(() => printHtmlToPdf("x.html", "x.pdf")).toThrow(HistoryReportError);
    else expect(findChromium()).not.toBe("/nonexistent/chromium");
  } finally {
    if (saved === undefined) delete process.env.LIMIQC_CHROMIUM;
    else process.env.LIMIQC_CHROMIUM = saved;
  }
});
