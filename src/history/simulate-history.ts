/**
 * Simulated QC histories with known truth: a stable instrument, optionally with a slowly developing fault.
 */
import { InvalidArgumentError } from "../core/errors.js";
import { sha256 } from "../core/provenance.js";
import { Random } from "../core/random.js";
import { HISTORY_PROTOCOLS } from "./from-results.js";
import type { HistoryRecord } from "./types.js";

const DAY_MS = 86_400_000;

/** One simulated metric: a stable mean with Gaussian run-to-run scatter and a fail limit. */
export interface SimulatedHistoryMetric {
  readonly protocol: string;
  readonly metric: string;
  readonly unit: string;
  readonly channel: string | null;
  readonly objective: string | null;
  /** In-control mean, in `unit`. */
  readonly mean: number;
  /** Run-to-run SD, in `unit`. */
  readonly sd: number;
  /** Reported per-run uncertainty, in `unit`. */
  readonly uncertainty: number;
  readonly lowerLimit: number | null;
  readonly upperLimit: number | null;
}

/** A slowly developing fault: a linear drift of one metric's mean starting on a given day. */
export interface SimulatedHistoryFault {
  /** Index into `metrics` of the affected metric. */
  readonly metricIndex: number;
  /** Day (from the start) the drift begins. */
  readonly startDay: number;
  /** Drift of the mean, `unit` per day (negative = falling). */
  readonly ratePerDay: number;
  /** What the fault is, for the description. */
  readonly description: string;
}

/** Options of {@link simulateQcHistory}. */
export interface QcHistorySimulationOptions {
  /** Instrument name. @default "LSM-sim-1" */
  instrument?: string;
  /** First QC day (ISO date). @default "2025-01-06" (a Monday) */
  startDate?: string;
  /** Length of the history, days. @default 365 */
  days?: number;
  /** Days between QC runs. @default 3.5 (twice a week) */
  intervalDays?: number;
  /** The metrics measured at each run. @default {@link DEFAULT_SIMULATED_METRICS} */
  metrics?: readonly SimulatedHistoryMetric[];
  /** The planted fault, or null for a stable instrument. @default {@link DEFAULT_SIMULATED_FAULT} */
  fault?: SimulatedHistoryFault | null;
  /** RNG seed. @default 2025 */
  seed?: number;
}

/** Default metrics of a simulated confocal: PSF ratios, field uniformity and centering, laser stability. */
export const DEFAULT_SIMULATED_METRICS: readonly SimulatedHistoryMetric[] = [
  { protocol: HISTORY_PROTOCOLS.resolution, metric: "lateralRatio", unit: "1", channel: "520 nm", objective: "63x/1.40 oil", mean: 1.12, sd: 0.03, uncertainty: 0.02, lowerLimit: null, upperLimit: 1.5 },
  { protocol: HISTORY_PROTOCOLS.resolution, metric: "axialRatio", unit: "1", channel: "520 nm", objective: "63x/1.40 oil", mean: 1.22, sd: 0.04, uncertainty: 0.03, lowerLimit: null, upperLimit: 1.5 },
  { protocol: HISTORY_PROTOCOLS.uniformity, metric: "uniformity", unit: "%", channel: "488 nm", objective: "20x/0.8 air", mean: 72, sd: 1.5, uncertainty: 0.4, lowerLimit: 50, upperLimit: null },
  { protocol: HISTORY_PROTOCOLS.uniformity, metric: "centeringAccuracy", unit: "%", channel: "488 nm", objective: "20x/0.8 air", mean: 86, sd: 2, uncertainty: 1, lowerLimit: 50, upperLimit: null },
  { protocol: HISTORY_PROTOCOLS.power, metric: "stability", unit: "%", channel: "488 nm @ 80 %", objective: null, mean: 99.6, sd: 0.1, uncertainty: 0.05, lowerLimit: 97, upperLimit: null },
];

/** Default fault: the 488 nm illumination slowly misaligns from day 180, U falling 0.15 %/day (crosses 50 % near day 327). */
export const DEFAULT_SIMULATED_FAULT: SimulatedHistoryFault = {
  metricIndex: 2,
  startDay: 180,
  ratePerDay: -0.15,
  description: "488 nm illumination slowly misaligning: field uniformity U falls by 0.15 % per day from day 180",
};

/** Planted truth of a simulated history. */
export interface QcHistoryTruth {
  readonly instrument: string;
  readonly runs: number;
  /** The faulty series (null without a fault) and when its drift starts. */
  readonly fault: {
    readonly protocol: string;
    readonly metric: string;
    readonly channel: string | null;
    readonly startAt: string;
    readonly ratePerDay: number;
    /** First run at which the drifting mean (without noise) is past the fail limit, null if never within the history. */
    readonly meanLeavesToleranceAt: string | null;
    readonly description: string;
  } | null;
}

/**
 * Simulates a history of QC runs of one instrument: each run measures every metric (Gaussian scatter around a
 * stable mean), and an optional fault makes one metric's mean drift linearly from a given day.
 *
 * @param options - Instrument, dates, cadence, metrics, fault, seed.
 * @returns `records` (valid {@link HistoryRecord}s, time-ordered, distinct input hashes) and the planted `truth`.
 * @throws InvalidArgumentError for non-positive days/interval, an unparsable start date or a fault metric index out of range.
 *
 * Notes: deterministic for a seed. Input hashes are SHA-256 of seed, run date and protocol, so re-importing the
 * same simulated history never duplicates it.
 * @see analyseHistoryTrends
 * @example
 * const { records, truth } = simulateQcHistory({ seed: 1 }); // 105 runs (twice a week) × 5 metrics
 */
export function simulateQcHistory(options: QcHistorySimulationOptions = {}): { records: HistoryRecord[]; truth: QcHistoryTruth } {
  const instrument = options.instrument ?? "LSM-sim-1";
  const days = options.days ?? 365;
  const interval = options.intervalDays ?? 3.5;
  const metrics = options.metrics ?? DEFAULT_SIMULATED_METRICS;
  const fault = options.fault === undefined ? DEFAULT_SIMULATED_FAULT : options.fault;
  const seed = options.seed ?? 2025;
  const t0 = Date.parse(options.startDate ?? "2025-01-06");
  if (!Number.isFinite(t0)) throw new InvalidArgumentError(`startDate "${options.startDate}" is not a date.`, "Use ISO 8601, e.g. 2025-01-06.");
  if (!(days > 0) || !(interval > 0)) throw new InvalidArgumentError(`days ${days} and intervalDays ${interval} must be > 0.`, "Use e.g. days 365, intervalDays 7.");
  if (fault && !metrics[fault.metricIndex]) throw new InvalidArgumentError(`fault.metricIndex ${fault.metricIndex} is not one of the ${metrics.length} metrics.`, "Use an index into `metrics`.");
  const rng = new Random(seed);
  const records: HistoryRecord[] = [];
  let runs = 0;
  let leaves: string | null = null;
  const RUN_HOUR_MS = 9 * 3_600_000;
  for (let day = 0; day < days; day += interval) {
    runs++;
    const at = new Date(t0 + day * DAY_MS + RUN_HOUR_MS).toISOString();
    metrics.forEach((m, mi) => {
      const drift = fault && mi === fault.metricIndex && day > fault.startDay ? fault.ratePerDay * (day - fault.startDay) : 0;
      const mu = m.mean + drift;
      if (fault && mi === fault.metricIndex && leaves === null && ((m.lowerLimit !== null && mu < m.lowerLimit) || (m.upperLimit !== null && mu > m.upperLimit))) leaves = at;
      const value = mu + rng.normal(0, m.sd);
      const out = (m.lowerLimit !== null && value < m.lowerLimit) || (m.upperLimit !== null && value > m.upperLimit);
      const limitText = m.lowerLimit !== null ? `≥ ${m.lowerLimit}` : m.upperLimit !== null ? `≤ ${m.upperLimit}` : null;
      records.push({
        protocol: m.protocol,
        metric: m.metric,
        value,
        uncertainty: m.uncertainty,
        unit: m.unit,
        lowerLimit: m.lowerLimit,
        upperLimit: m.upperLimit,
        limitText,
        verdict: limitText === null ? null : out ? "fail" : "pass",
        instrument,
        objective: m.objective,
        channel: m.channel,
        acquiredAt: at,
        analysedAt: at,
        inputSha256: sha256(`${seed}|${instrument}|${at}|${m.protocol}`),
        provenance: { fn: "simulateQcHistory", seed, simulated: true },
      });
    });
  }
  const fm = fault ? (metrics[fault.metricIndex] as SimulatedHistoryMetric) : null;
  return {
    records,
    truth: {
      instrument,
      runs,
      fault:
        fault && fm
          ? {
              protocol: fm.protocol,
              metric: fm.metric,
              channel: fm.channel,
              startAt: new Date(t0 + fault.startDay * DAY_MS).toISOString(),
              ratePerDay: fault.ratePerDay,
              meanLeavesToleranceAt: leaves,
              description: fault.description,
            }
          : null,
    },
  };
}
