/**
 * Period report of the QC history: one self-contained offline HTML page (plotly.js inlined) with every series of an
 * instrument in a date range, its trend plot, the alerts and the verdict.
 */
import { InvalidArgumentError } from "../core/errors.js";
import { LIMIQC_VERSION } from "../core/provenance.js";
import { FONT_FAMILY, h, PALETTE, rawHtml, type SafeHtml } from "../notebook/html.js";
import { plotBundle, plotlyInit } from "../notebook/plotly.js";
import { analyseHistoryTrends, type HistoryTrendOptions, historyAlertsVerdict, historyTrendPlot } from "./trends.js";
import type { HistoryRecord } from "./types.js";

/** Options of {@link historyPeriodReportHtml}. */
export interface HistoryPeriodReportOptions extends HistoryTrendOptions {
  /** Instrument of the report (records of other instruments are ignored). */
  instrument: string;
  /** Start of the period, ISO date (inclusive). */
  from: string;
  /** End of the period, ISO date or date-time (inclusive; a bare date includes that whole day). */
  to: string;
  /** Page title. @default "QC report: <instrument>, <from> to <to>" */
  title?: string;
}

function fmt(v: number): string {
  return Number.parseFloat(v.toPrecision(4)).toString();
}

/** End of the period in ms: a bare date (YYYY-MM-DD) includes its whole day. */
function periodEndMs(to: string): number {
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(to) ? `${to}T23:59:59.999Z` : to);
  if (!Number.isFinite(t)) throw new InvalidArgumentError(`Report end "${to}" is not a date.`, "Use ISO 8601, e.g. 2025-12-31.");
  return t;
}

/**
 * Renders the QC history of one instrument over a period as one self-contained HTML page: the verdict, the alerts,
 * a summary per series (runs in the period, mean, range, tolerance, failures), a trend plot per series (with
 * tolerance, control limits and EWMA) and every run of the period. Works offline (plotly.js is inlined, ~3.5 MB).
 *
 * @param records - The history (e.g. `await store.query({ instrument })`); records after `to` are ignored, records before
 *   `from` are used for the baseline and shown in the plots for context.
 * @param options - Instrument, period, trend options (baseline!).
 * @returns The HTML text.
 * @throws InvalidArgumentError for unparsable dates, `from` after `to`, or no records of the instrument in the period.
 * @throws InvalidArgumentError for invalid trend options (see {@link analyseHistoryTrend}).
 *
 * Notes: series without enough baseline points are listed as skipped (no control limits), but their runs still appear
 * in the run table. The verdict covers alerts first seen up to `to`: fail when a metric left its tolerance, warn for
 * control-limit alerts only ({@link historyAlertsVerdict}).
 * @see analyseHistoryTrends
 * @example
 * writeFileSync("report.html", historyPeriodReportHtml(await store.query({ instrument: "LSM980" }), { instrument: "LSM980", from: "2025-01-01", to: "2025-12-31", baselineUntil: "2025-03-31" }));
 */
export function historyPeriodReportHtml(records: readonly HistoryRecord[], options: HistoryPeriodReportOptions): string {
  const fromMs = Date.parse(options.from);
  if (!Number.isFinite(fromMs)) throw new InvalidArgumentError(`Report start "${options.from}" is not a date.`, "Use ISO 8601, e.g. 2025-01-01.");
  const toMs = periodEndMs(options.to);
  if (fromMs > toMs) throw new InvalidArgumentError(`Report start ${options.from} is after its end ${options.to}.`, "Swap --from and --to.");
  const upToEnd = records.filter((r) => r.instrument === options.instrument && Date.parse(r.acquiredAt) <= toMs);
  const inPeriod = upToEnd.filter((r) => Date.parse(r.acquiredAt) >= fromMs);
  if (inPeriod.length === 0) {
    throw new InvalidArgumentError(`No QC records of ${options.instrument} between ${options.from} and ${options.to}.`, "Check the instrument name and the dates (limiqc history export lists what the store holds).");
  }
  const { instrument: _i, from: _f, to: _t, title: _title, ...trendOptions } = options;
  const analysis = analyseHistoryTrends(upToEnd, trendOptions);
  const verdict = historyAlertsVerdict(analysis.alerts);
  const title = options.title ?? `QC report: ${options.instrument}, ${options.from} to ${options.to}`;
  const colours = PALETTE[verdict.level];
  const cell = { style: `border:1px solid ${PALETTE.border};padding:3px 8px;text-align:left` };
  const table = (head: string[], rows: (string | number)[][]): SafeHtml =>
    h(
      "table",
      { style: "border-collapse:collapse;font-size:13px;margin:8px 0 16px" },
      h("thead", null, h("tr", { style: `background:${PALETTE.headerBackground}` }, head.map((c) => h("th", cell, c)))),
      h("tbody", null, rows.map((r) => h("tr", null, r.map((c) => h("td", cell, c))))),
    );
  const name = (r: { protocol: string; metric: string; channel: string | null }) => `${r.protocol} · ${r.metric}${r.channel ? ` (${r.channel})` : ""}`;
  const summaryRows = analysis.trends.map((t) => {
    const pts = t.points.filter((p) => Date.parse(p.acquiredAt) >= fromMs);
    const values = pts.map((p) => p.value);
    const mean = values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN;
    const tol = [t.tolerance.lower === null ? null : `≥ ${t.tolerance.lower}`, t.tolerance.upper === null ? null : `≤ ${t.tolerance.upper}`].filter((s) => s !== null).join(", ");
    return [
      name(t),
      t.unit,
      pts.length,
      values.length ? fmt(mean) : "—",
      values.length ? `${fmt(Math.min(...values))} – ${fmt(Math.max(...values))}` : "—",
      tol || "—",
      pts.filter((p) => p.outOfTolerance).length,
      `${fmt(t.controlLimits.lower)} – ${fmt(t.controlLimits.upper)}`,
    ];
  });
  const runRows = [...inPeriod]
    .sort((a, b) => Date.parse(a.acquiredAt) - Date.parse(b.acquiredAt) || name(a).localeCompare(name(b)))
    .map((r) => [r.acquiredAt.slice(0, 16).replace("T", " "), name(r), `${fmt(r.value)}${r.uncertainty === null ? "" : ` ± ${fmt(r.uncertainty)}`}`, r.unit, r.limitText ?? "—", r.verdict ?? "—"]);
  const plots = analysis.trends.map((t) => rawHtml(plotBundle(historyTrendPlot(t))["text/html"] as string));
  const body = h(
    "body",
    { style: `font-family:${FONT_FAMILY};color:${PALETTE.text};max-width:1100px;margin:24px auto;padding:0 16px` },
    h("h1", { style: "font-size:22px" }, title),
    h(
      "p",
      { style: `color:${PALETTE.muted}` },
      `${inPeriod.length} QC records in the period (${upToEnd.length} up to its end, used for the baselines). Generated ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC by limiqc ${LIMIQC_VERSION}. Control limits: Shewhart baseline mean ± ${analysis.trends[0]?.options.shewhartK ?? 3}σ; EWMA λ = ${analysis.trends[0]?.options.ewmaLambda ?? 0.2}, L = ${analysis.trends[0]?.options.ewmaL ?? 3} (Montgomery, Introduction to Statistical Quality Control, §9.2).`,
    ),
    h(
      "div",
      { style: `border:2px solid ${colours.border};background:${colours.bg};color:${colours.fg};padding:10px 14px;border-radius:6px;margin:12px 0` },
      h("strong", null, verdict.level.toUpperCase()),
      " — ",
      verdict.reason,
    ),
    h("h2", { style: "font-size:18px" }, `Alerts (${analysis.alerts.length})`),
    analysis.alerts.length ? table(["kind", "first date", "message"], analysis.alerts.map((a) => [a.kind, a.firstAt.slice(0, 10), a.message])) : h("p", null, "None."),
    h("h2", { style: "font-size:18px" }, "Series in the period"),
    table(["series", "unit", "runs", "mean", "range", "tolerance", "runs out of tolerance", "control limits"], summaryRows),
    analysis.skipped.length ? h("p", { style: `color:${PALETTE.muted}` }, `Without control limits (too few baseline points): ${analysis.skipped.map((s) => s.reason).join(" ")}`) : null,
    h("h2", { style: "font-size:18px" }, "Trends"),
    plots,
    h("h2", { style: "font-size:18px" }, `Every run in the period (${runRows.length})`),
    table(["acquired (UTC)", "series", "value", "unit", "limit", "verdict"], runRows),
  );
  const head = h("head", null, h("meta", { charset: "utf-8" }), h("title", null, title), rawHtml(plotlyInit()["text/html"] as string));
  return `<!DOCTYPE html>\n${h("html", { lang: "en" }, head, body).html}\n`;
}
