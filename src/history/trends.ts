/**
 * Trends of the QC history: per instrument × metric time series, Shewhart individuals control limits from a
 * baseline period, an EWMA chart for slow drift, and alerts with the first date each signal appeared.
 */
import { InsufficientDataError, InvalidArgumentError } from "../core/errors.js";
import { linePlot, type PlotlyFigure, type ReferenceLine, scatterPlot } from "../notebook/plotly.js";
import type { Verdict } from "../core/quantity.js";
import type { HistoryRecord } from "./types.js";

/** Options of {@link analyseHistoryTrend} / {@link analyseHistoryTrends}. */
export interface HistoryTrendOptions {
  /** Number of first points (in time order) forming the baseline period. @default 20 */
  baselinePoints?: number;
  /** Alternatively, the baseline is every point acquired up to this ISO time (inclusive); overrides baselinePoints. @default none */
  baselineUntil?: string;
  /** Fewest baseline points accepted (σ from fewer is too uncertain). @default 8 */
  minBaselinePoints?: number;
  /** Shewhart limits at mean ± k·σ. @default 3 */
  shewhartK?: number;
  /** EWMA weight λ (0 < λ ≤ 1). @default 0.2 */
  ewmaLambda?: number;
  /** EWMA limit width L, in σ of the EWMA statistic. @default 3 */
  ewmaL?: number;
}

/** Resolved {@link HistoryTrendOptions}. */
export interface ResolvedHistoryTrendOptions {
  readonly baselinePoints: number;
  readonly baselineUntil: string | null;
  readonly minBaselinePoints: number;
  readonly shewhartK: number;
  readonly ewmaLambda: number;
  readonly ewmaL: number;
}

/** Default trend settings: Shewhart 3σ, EWMA λ = 0.2, L = 3 (Montgomery 2013, §9.2: ARL₀ ≈ 562). */
export const HISTORY_TREND_DEFAULTS: ResolvedHistoryTrendOptions = {
  baselinePoints: 20,
  baselineUntil: null,
  minBaselinePoints: 8,
  shewhartK: 3,
  ewmaLambda: 0.2,
  ewmaL: 3,
};

/** One point of a trend. */
export interface HistoryTrendPoint {
  readonly acquiredAt: string;
  readonly value: number;
  readonly uncertainty: number | null;
  /** True for the points that define the baseline. */
  readonly baseline: boolean;
  /** EWMA statistic z_i (equal to the baseline mean on baseline points, where it is not run). */
  readonly ewma: number;
  /** EWMA control limits at this point (time-varying, Montgomery eq. 9.24); the baseline mean on baseline points. */
  readonly ewmaLower: number;
  readonly ewmaUpper: number;
  /** Outside the record's own tolerance (lowerLimit/upperLimit). */
  readonly outOfTolerance: boolean;
  /** After the baseline and outside mean ± k·σ. */
  readonly outOfControl: boolean;
  /** After the baseline and the EWMA outside its limits. */
  readonly ewmaSignal: boolean;
}

/** Trend of one instrument × protocol × metric × channel × objective series. */
export interface HistoryTrend {
  readonly instrument: string;
  readonly protocol: string;
  readonly metric: string;
  readonly channel: string | null;
  readonly objective: string | null;
  readonly unit: string;
  readonly points: HistoryTrendPoint[];
  /** Baseline statistics: mean and sample SD (n − 1) of the baseline points. */
  readonly baseline: { readonly n: number; readonly mean: number; readonly sd: number; readonly from: string; readonly to: string };
  /** Shewhart individuals limits: mean ± k·σ. */
  readonly controlLimits: { readonly centre: number; readonly lower: number; readonly upper: number };
  /** Tolerance of the most recent point that states one (null sides when none). */
  readonly tolerance: { readonly lower: number | null; readonly upper: number | null };
  /** First acquisition time of each signal, null when it never happened. */
  readonly firstOutOfTolerance: string | null;
  readonly firstOutOfControl: string | null;
  readonly firstEwmaSignal: string | null;
  readonly options: ResolvedHistoryTrendOptions;
}

/** One alert: a series that left its tolerance or its control limits. */
export interface HistoryAlert {
  readonly instrument: string;
  readonly protocol: string;
  readonly metric: string;
  readonly channel: string | null;
  readonly kind: "tolerance" | "shewhart" | "ewma";
  /** Acquisition time of the first point with this signal. */
  readonly firstAt: string;
  /** The value at that point. */
  readonly value: number;
  readonly message: string;
}

function resolveTrendOptions(o: HistoryTrendOptions): ResolvedHistoryTrendOptions {
  const r: ResolvedHistoryTrendOptions = {
    ...HISTORY_TREND_DEFAULTS,
    ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)),
    baselineUntil: o.baselineUntil ?? null,
  };
  if (!(r.ewmaLambda > 0 && r.ewmaLambda <= 1)) throw new InvalidArgumentError(`ewmaLambda is ${r.ewmaLambda}; expected 0 < λ ≤ 1.`, "Use 0.05–0.25 for slow drift (Montgomery §9.2); 0.2 is the default.");
  if (!(r.ewmaL > 0) || !(r.shewhartK > 0)) throw new InvalidArgumentError(`ewmaL ${r.ewmaL} / shewhartK ${r.shewhartK} must be > 0.`, "Use 3 (the default).");
  if (!Number.isInteger(r.baselinePoints) || !Number.isInteger(r.minBaselinePoints) || r.minBaselinePoints < 2 || r.baselinePoints < r.minBaselinePoints) {
    throw new InvalidArgumentError(`baselinePoints ${r.baselinePoints} / minBaselinePoints ${r.minBaselinePoints} invalid.`, "Use integers with 2 ≤ minBaselinePoints ≤ baselinePoints.");
  }
  if (r.baselineUntil !== null && !Number.isFinite(Date.parse(r.baselineUntil))) {
    throw new InvalidArgumentError(`baselineUntil is "${r.baselineUntil}", not a date.`, "Use ISO 8601, e.g. 2025-03-31.");
  }
  return r;
}

/**
 * Control-chart analysis of one series (records of a single instrument × protocol × metric × channel).
 *
 * @param records - The series' records (any order; sorted by acquisition time here).
 * @param options - Baseline, Shewhart k, EWMA λ and L.
 * @returns The trend: points with EWMA and limits, baseline, control limits, and first signal dates.
 * @throws InsufficientDataError when the baseline has fewer than `minBaselinePoints` points.
 * @throws InvalidArgumentError for invalid options or records of several series.
 *
 * Notes: Phase I/II scheme. σ is the baseline sample SD (so a drifting baseline widens the limits: choose a
 * period when the instrument was known good). Shewhart individuals limits: μ₀ ± kσ. EWMA (Montgomery 2013,
 * eqs. 9.22–9.24): z_i = λx_i + (1 − λ)z_{i−1}, z₀ = μ₀, limits μ₀ ± Lσ·√(λ/(2 − λ)·(1 − (1 − λ)^{2i})), run on the
 * points after the baseline. With λ = 0.2, L = 3 the in-control ARL is ≈ 562 points for known μ₀, σ; a shift of
 * 1σ is detected after ≈ 10 points (Montgomery Table 9.11). Estimating σ from a short baseline raises the false
 * alarm rate. A baseline SD of 0 gives zero-width limits (any change signals).
 * @see D. C. Montgomery, Introduction to Statistical Quality Control, 7th ed., Wiley 2013, §6.4 (individuals chart) and §9.2 (EWMA).
 * @example
 * const t = analyseHistoryTrend(await store.query({ instrument: "LSM980", metric: "uniformity", channel: "488 nm" }));
 * t.firstEwmaSignal; // "2025-08-14T09:00:00.000Z" or null
 */
export function analyseHistoryTrend(records: readonly HistoryRecord[], options: HistoryTrendOptions = {}): HistoryTrend {
  const o = resolveTrendOptions(options);
  const first = records[0];
  if (!first) throw new InsufficientDataError("No records in the series.", "Query a series that has QC results.");
  for (const r of records) {
    if (r.instrument !== first.instrument || r.protocol !== first.protocol || r.metric !== first.metric || r.channel !== first.channel || r.objective !== first.objective) {
      throw new InvalidArgumentError(
        `analyseHistoryTrend got several series (${first.instrument}/${first.metric}/${first.channel} and ${r.instrument}/${r.metric}/${r.channel}).`,
        "Use analyseHistoryTrends, which groups records into series.",
      );
    }
  }
  const sorted = [...records].sort((a, b) => Date.parse(a.acquiredAt) - Date.parse(b.acquiredAt));
  const until = o.baselineUntil === null ? null : Date.parse(o.baselineUntil);
  const nBase = until === null ? Math.min(o.baselinePoints, sorted.length) : sorted.filter((r) => Date.parse(r.acquiredAt) <= until).length;
  if (nBase < o.minBaselinePoints) {
    throw new InsufficientDataError(
      `${first.instrument} ${first.metric}${first.channel ? ` (${first.channel})` : ""}: ${nBase} baseline points; at least ${o.minBaselinePoints} are needed for control limits.`,
      "Collect more QC runs in the baseline period, or lower minBaselinePoints.",
    );
  }
  let sum = 0;
  for (let i = 0; i < nBase; i++) sum += (sorted[i] as HistoryRecord).value;
  const mean = sum / nBase;
  let ss = 0;
  for (let i = 0; i < nBase; i++) ss += ((sorted[i] as HistoryRecord).value - mean) ** 2;
  const sd = Math.sqrt(ss / (nBase - 1));
  const lower = mean - o.shewhartK * sd;
  const upper = mean + o.shewhartK * sd;
  const lam = o.ewmaLambda;
  const asymptotic = Math.sqrt(lam / (2 - lam));
  let z = mean;
  let firstTol: string | null = null;
  let firstCtl: string | null = null;
  let firstEwma: string | null = null;
  const points: HistoryTrendPoint[] = sorted.map((r, i) => {
    const isBase = i < nBase;
    const outTol = (r.lowerLimit !== null && r.value < r.lowerLimit) || (r.upperLimit !== null && r.value > r.upperLimit);
    let ewLo = mean;
    let ewHi = mean;
    let outCtl = false;
    let ewSig = false;
    if (!isBase) {
      const k = i - nBase + 1;
      z = lam * r.value + (1 - lam) * z;
      const half = o.ewmaL * sd * asymptotic * Math.sqrt(1 - (1 - lam) ** (2 * k));
      ewLo = mean - half;
      ewHi = mean + half;
      outCtl = r.value < lower || r.value > upper;
      ewSig = z < ewLo || z > ewHi;
    }
    if (outTol && firstTol === null) firstTol = r.acquiredAt;
    if (outCtl && firstCtl === null) firstCtl = r.acquiredAt;
    if (ewSig && firstEwma === null) firstEwma = r.acquiredAt;
    return { acquiredAt: r.acquiredAt, value: r.value, uncertainty: r.uncertainty, baseline: isBase, ewma: isBase ? mean : z, ewmaLower: ewLo, ewmaUpper: ewHi, outOfTolerance: outTol, outOfControl: outCtl, ewmaSignal: ewSig };
  });
  const withTol = [...sorted].reverse().find((r) => r.lowerLimit !== null || r.upperLimit !== null);
  const last = sorted[sorted.length - 1] as HistoryRecord;
  return {
    instrument: first.instrument,
    protocol: first.protocol,
    metric: first.metric,
    channel: first.channel,
    objective: first.objective,
    unit: last.unit,
    points,
    baseline: { n: nBase, mean, sd, from: (sorted[0] as HistoryRecord).acquiredAt, to: (sorted[nBase - 1] as HistoryRecord).acquiredAt },
    controlLimits: { centre: mean, lower, upper },
    tolerance: { lower: withTol?.lowerLimit ?? null, upper: withTol?.upperLimit ?? null },
    firstOutOfTolerance: firstTol,
    firstOutOfControl: firstCtl,
    firstEwmaSignal: firstEwma,
    options: o,
  };
}

function seriesId(r: HistoryRecord): string {
  return JSON.stringify([r.instrument, r.protocol, r.metric, r.channel, r.objective]);
}

/**
 * Groups records into instrument × protocol × metric × channel × objective series, analyses each with
 * {@link analyseHistoryTrend} and lists the alerts.
 *
 * @param records - Any records (e.g. `await store.query({ instrument })`).
 * @param options - As {@link analyseHistoryTrend}.
 * @returns `trends` (series with enough baseline), `skipped` (series without, with the reason) and `alerts`
 *   (one per series and signal kind, with the first date), alerts sorted by date.
 * @throws InvalidArgumentError for invalid options.
 * @see analyseHistoryTrend
 * @example
 * analyseHistoryTrends(await store.query({ instrument: "LSM980" })).alerts[0].message;
 */
export function analyseHistoryTrends(
  records: readonly HistoryRecord[],
  options: HistoryTrendOptions = {},
): { trends: HistoryTrend[]; skipped: { series: string; reason: string }[]; alerts: HistoryAlert[] } {
  resolveTrendOptions(options);
  const groups = new Map<string, HistoryRecord[]>();
  for (const r of records) {
    const id = seriesId(r);
    const g = groups.get(id);
    if (g) g.push(r);
    else groups.set(id, [r]);
  }
  const trends: HistoryTrend[] = [];
  const skipped: { series: string; reason: string }[] = [];
  const alerts: HistoryAlert[] = [];
  for (const [id, g] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    let t: HistoryTrend;
    try {
      t = analyseHistoryTrend(g, options);
    } catch (e) {
      if (e instanceof InsufficientDataError) {
        skipped.push({ series: id, reason: e.message });
        continue;
      }
      throw e;
    }
    trends.push(t);
    alerts.push(...trendAlerts(t));
  }
  alerts.sort((a, b) => Date.parse(a.firstAt) - Date.parse(b.firstAt));
  return { trends, skipped, alerts };
}

function label(t: HistoryTrend): string {
  return `${t.instrument} · ${t.protocol} · ${t.metric}${t.channel ? ` (${t.channel})` : ""}`;
}

function fmt(v: number): string {
  return Number.parseFloat(v.toPrecision(4)).toString();
}

/**
 * The alerts of one trend: first point out of tolerance, first point outside the Shewhart limits, first EWMA
 * signal.
 * @param t - A trend from {@link analyseHistoryTrend}.
 * @returns 0–3 alerts.
 * @throws Never.
 */
export function trendAlerts(t: HistoryTrend): HistoryAlert[] {
  const out: HistoryAlert[] = [];
  const at = (time: string | null) => t.points.find((p) => p.acquiredAt === time) as HistoryTrendPoint;
  const base = { instrument: t.instrument, protocol: t.protocol, metric: t.metric, channel: t.channel };
  const unit = t.unit === "1" ? "" : ` ${t.unit}`;
  if (t.firstOutOfTolerance !== null) {
    const p = at(t.firstOutOfTolerance);
    const lim = [t.tolerance.lower === null ? null : `≥ ${t.tolerance.lower}`, t.tolerance.upper === null ? null : `≤ ${t.tolerance.upper}`].filter((s) => s !== null).join(" and ");
    out.push({ ...base, kind: "tolerance", firstAt: p.acquiredAt, value: p.value, message: `${label(t)} left its tolerance (${lim}${unit}) on ${p.acquiredAt.slice(0, 10)}: ${fmt(p.value)}${unit}.` });
  }
  if (t.firstOutOfControl !== null) {
    const p = at(t.firstOutOfControl);
    out.push({
      ...base,
      kind: "shewhart",
      firstAt: p.acquiredAt,
      value: p.value,
      message: `${label(t)} outside the control limits ${fmt(t.controlLimits.lower)}–${fmt(t.controlLimits.upper)}${unit} (baseline mean ± ${t.options.shewhartK}σ) on ${p.acquiredAt.slice(0, 10)}: ${fmt(p.value)}${unit}.`,
    });
  }
  if (t.firstEwmaSignal !== null) {
    const p = at(t.firstEwmaSignal);
    const dir = p.ewma > t.baseline.mean ? "upward" : "downward";
    out.push({
      ...base,
      kind: "ewma",
      firstAt: p.acquiredAt,
      value: p.value,
      message: `${label(t)}: EWMA (λ = ${t.options.ewmaLambda}, L = ${t.options.ewmaL}) signals a ${dir} drift from ${p.acquiredAt.slice(0, 10)} (EWMA ${fmt(p.ewma)}${unit}, baseline ${fmt(t.baseline.mean)}${unit}).`,
    });
  }
  return out;
}

/** Colour of both EWMA limit lines (Okabe–Ito bluish green). */
const EWMA_LIMIT_COLOUR = "#009E73";

/** Replaces numeric epoch-ms x values of a figure's traces by ISO dates and makes the x axis a date axis. */
function toDateAxis(fig: PlotlyFigure, times: readonly string[]): PlotlyFigure {
  const data = fig.data.map((d) => ({ ...d, x: times }));
  const layout = fig.layout as { xaxis?: object } | undefined;
  return { ...fig, data, layout: { ...layout, xaxis: { ...layout?.xaxis, type: "date" } } };
}

/**
 * Plot of one trend: the values (± uncertainty) over time, tolerance lines, the Shewhart centre line and limits,
 * the EWMA statistic and its limits, and the first EWMA signal marked.
 *
 * @param t - A trend from {@link analyseHistoryTrend}.
 * @param options - Title and height. @default title from the series
 * @returns A Plotly figure (show with showPlot).
 * @throws Never.
 * @see analyseHistoryTrend
 * @example
 * showPlot(historyTrendPlot(trend));
 */
export function historyTrendPlot(t: HistoryTrend, options: { title?: string; heightPx?: number } = {}): PlotlyFigure {
  const times = t.points.map((p) => p.acquiredAt);
  const xs = t.points.map((p) => Date.parse(p.acquiredAt));
  const hLines: ReferenceLine[] = [
    { at: t.controlLimits.upper, label: `UCL ${fmt(t.controlLimits.upper)}`, color: "#E69F00" },
    { at: t.controlLimits.centre, label: "baseline mean", color: "#777777" },
    { at: t.controlLimits.lower, label: `LCL ${fmt(t.controlLimits.lower)}`, color: "#E69F00" },
  ];
  if (t.tolerance.lower !== null) hLines.push({ at: t.tolerance.lower, label: `tolerance ≥ ${t.tolerance.lower}`, color: "#cf222e" });
  if (t.tolerance.upper !== null) hLines.push({ at: t.tolerance.upper, label: `tolerance ≤ ${t.tolerance.upper}`, color: "#cf222e" });
  const axes = { xLabel: "Acquisition date", yLabel: t.metric, yUnit: t.unit === "1" ? undefined : t.unit, title: options.title ?? label(t), heightPx: options.heightPx, hLines };
  const hasErr = t.points.some((p) => p.uncertainty !== null);
  const values = scatterPlot(
    { x: xs, y: t.points.map((p) => p.value), name: "measured", yError: hasErr ? t.points.map((p) => p.uncertainty ?? 0) : undefined },
    axes,
  );
  const ewma = linePlot(
    [
      { x: xs, y: t.points.map((p) => p.ewma), name: `EWMA λ=${t.options.ewmaLambda}` },
      { x: xs, y: t.points.map((p) => p.ewmaUpper), name: "EWMA limits", dash: "dot" },
      { x: xs, y: t.points.map((p) => p.ewmaLower), name: "EWMA limits", dash: "dot" },
    ],
    axes,
  );
  // one legend entry for both EWMA limit lines
  const ewmaData = ewma.data.map((d, i) => {
    if (i === 0) return d;
    const line = (d as { line?: object }).line;
    return { ...d, legendgroup: "ewma-limits", showlegend: i === 1, line: { ...line, color: EWMA_LIMIT_COLOUR } };
  });
  const merged: PlotlyFigure = { ...values, data: [...values.data, ...ewmaData], layout: { ...(values.layout as object), showlegend: true } };
  const fig = toDateAxis(merged, times);
  const signal = t.firstEwmaSignal;
  if (signal !== null) {
    const layout = fig.layout as { shapes?: object[] };
    layout.shapes = [...(layout.shapes ?? []), { type: "line", xref: "x", yref: "paper", x0: signal, x1: signal, y0: 0, y1: 1, line: { color: "#D55E00", dash: "dash", width: 1.5 } }];
  }
  return fig;
}

/**
 * Overall verdict of a set of history alerts: fail when a metric left its tolerance, warn when a metric only left
 * its control limits (a drift to act on before it fails), pass without alerts.
 *
 * @param alerts - Alerts from {@link analyseHistoryTrends}.
 * @returns The verdict with one sentence naming the series and first dates.
 * @throws Never.
 * @example
 * historyAlertsVerdict([]).level; // "pass"
 */
export function historyAlertsVerdict(alerts: readonly HistoryAlert[]): Verdict {
  if (alerts.length === 0) return { level: "pass", reason: "Every series stayed within its tolerance and its control limits." };
  const series = (a: HistoryAlert) => `${a.metric}${a.channel ? ` (${a.channel})` : ""}`;
  const tol = alerts.filter((a) => a.kind === "tolerance");
  const first = new Map<string, HistoryAlert>();
  for (const a of alerts) if (!first.has(series(a))) first.set(series(a), a);
  const drift = [...first.values()].map((a) => `${series(a)} from ${a.firstAt.slice(0, 10)}`).join("; ");
  if (tol.length > 0) {
    return {
      level: "fail",
      reason: `Out of tolerance: ${tol.map((a) => `${series(a)} on ${a.firstAt.slice(0, 10)}`).join("; ")}. First statistical signal: ${drift}.`,
    };
  }
  return { level: "warn", reason: `Within tolerance, but outside the control limits: ${drift}. Investigate before it fails.` };
}
