/**
 * WG1 analysis of a power log: blocks, stability per line and set point, linearity per line, power at the sample
 * against an expected value, and verdicts against user-set tolerances.
 */
import { InsufficientDataError, InvalidArgumentError } from "../core/errors.js";
import { type Provenance, makeProvenance } from "../core/provenance.js";
import { type Quantity, type Verdict, type VerdictLevel, quantity } from "../core/quantity.js";
import { fitLine } from "../fit/linear.js";
import { judge } from "../protocols/load.js";
import type { AcceptanceCriterion } from "../protocols/types.js";
import { type ResolvedSeriesStabilityOptions, type SeriesStability, type SeriesStabilityOptions, measureSeriesStability, resolveSeriesStabilityOptions } from "./metrics.js";
import type { PowerLogData, PowerLogFormat, PowerLogTimeKind, RejectedRow } from "./parse.js";
import { type PowerBlock, type ResolvedSegmentOptions, type SegmentPowerLogOptions, type SkippedRun, segmentPowerLog } from "./segment.js";
import { NO_PUBLISHED_LIMIT, verdictFromChecks } from "../protocols/verdict.js";

/** A warn/fail pair of limits. */
export interface WarnFailPair {
  readonly warn: number;
  readonly fail: number;
}

/**
 * Acceptance limits of the power protocol. No limits are published for light-source power, stability or linearity
 * (QUAREP-LiMi WG1 leaves them to each facility): these are limiqc defaults, to be replaced by the instrument's
 * own baseline. They match `protocols/illumination-power/protocol.json`.
 */
export interface PowerLimits {
  /** Stability factor S, %; smaller is worse. */
  readonly stabilityPercent: WarnFailPair;
  /** CV, %; larger is worse. */
  readonly cvPercent: WarnFailPair;
  /** |drift|, %/h; larger is worse. */
  readonly driftPercentPerH: WarnFailPair;
  /** Warm-up time, s; larger is worse. */
  readonly warmupS: WarnFailPair;
  /** Linearity R² (OLS); smaller is worse. */
  readonly linearityRSquared: WarnFailPair;
  /** Largest |deviation| of a set point from the OLS line, %; larger is worse. */
  readonly linearityDeviationPercent: WarnFailPair;
  /** |Measured − expected| / expected at the sample, %; larger is worse. */
  readonly expectedDeviationPercent: WarnFailPair;
}

/** limiqc default limits (no published limits exist; see {@link PowerLimits}). */
export const DEFAULT_POWER_LIMITS: PowerLimits = {
  stabilityPercent: { warn: 99, fail: 97 },
  cvPercent: { warn: 0.5, fail: 1 },
  driftPercentPerH: { warn: 2, fail: 5 },
  warmupS: { warn: 600, fail: 1800 },
  linearityRSquared: { warn: 0.999, fail: 0.99 },
  linearityDeviationPercent: { warn: 5, fail: 10 },
  expectedDeviationPercent: { warn: 10, fail: 20 },
};


/** A user's expected power at the sample (specification, or last year's value). */
export interface ExpectedPower {
  readonly wavelengthNm: number;
  /** Set point the value applies to, %. @default 100 */
  readonly settingPercent?: number;
  readonly powerMw: number;
}

/** Options of {@link analysePowerLog}. */
export interface PowerLogAnalysisOptions {
  /** Block detection, see {@link SegmentPowerLogOptions}. */
  readonly segment?: SegmentPowerLogOptions;
  /** Warm-up detection, see {@link SeriesStabilityOptions}. */
  readonly stability?: SeriesStabilityOptions;
  /** A series spanning at least this is "long-term" (SmartLPM: runs longer than 30 min), s. @default 1800 */
  readonly longTermMinS?: number;
  /** Drift is judged only for series spanning at least this (a per-hour slope of a 5-min block mostly shows noise or warm-up), s. @default 600 */
  readonly minDriftDurationS?: number;
  /** Expected powers at the sample to compare with. @default [] */
  readonly expected?: readonly ExpectedPower[];
  /** Limits overriding {@link DEFAULT_POWER_LIMITS}. @default DEFAULT_POWER_LIMITS */
  readonly limits?: Partial<PowerLimits>;
}

/** A block with its stability metrics. */
export interface PowerBlockResult extends PowerBlock {
  readonly stability: SeriesStability;
}

/** All readings of one (wavelength, set point) across the log's blocks. */
export interface PowerSeriesResult {
  /** "488 nm @ 80 %", "unlabelled", ... */
  readonly label: string;
  readonly wavelengthNm: number | null;
  readonly settingPercent: number | null;
  /** Indices of the blocks that make up the series. */
  readonly blocks: readonly number[];
  /** "long" when the series spans ≥ longTermMinS. */
  readonly term: "short" | "long";
  readonly stability: SeriesStability;
}

/** Linearity of power against set point for one wavelength. */
export interface PowerLinearityResult {
  readonly wavelengthNm: number | null;
  readonly settingsPercent: readonly number[];
  /** Mean power per set point ± SE, mW. */
  readonly powersMw: readonly Quantity[];
  /** OLS P = a + b·s: slope b (mW per %), intercept a (mW), R². */
  readonly slopeMwPerPercent: Quantity;
  readonly interceptMw: Quantity;
  readonly rSquared: number;
  /** Fit through the origin P = b₀·s (QUAREP Tool-Kit): slope (mW per %). */
  readonly originSlopeMwPerPercent: Quantity;
  /** Tool-Kit χ² = Σ (P − b₀·s)²/|b₀·s|, mW. */
  readonly originChiSquaredMw: number;
  /** 100·(P − P̂)/P̂ against the OLS line, per set point, %. */
  readonly deviationsPercent: readonly number[];
  /** 100·(P − b₀·s)/(b₀·s) against the through-origin line, per set point, %. */
  readonly originDeviationsPercent: readonly number[];
  /** max |deviationsPercent|, %. */
  readonly maxDeviationPercent: number;
  /** b₀·100: power at 100 % from the through-origin fit, mW. */
  readonly powerAt100PercentMw: Quantity;
}

/** Measured power against a user's expected value. */
export interface ExpectedPowerComparison {
  readonly wavelengthNm: number;
  readonly settingPercent: number;
  readonly expectedMw: number;
  /** Null when the log has no block at that line and set point and no linearity fit to interpolate. */
  readonly measuredMw: Quantity | null;
  /** "block": mean of the blocks at that set point; "linearity-fit": the OLS line at that set point. */
  readonly source: "block" | "linearity-fit" | "none";
  /** 100·(measured − expected)/expected, % (null without a measurement). */
  readonly deviationPercent: number | null;
}

/** One judged metric. */
export interface PowerCheck {
  /** "stability", "cv", "drift", "warmup", "linearity-r2", "linearity-deviation", "expected", "rejected-rows". */
  readonly id: string;
  /** What was measured, e.g. "488 nm @ 80 %". */
  readonly subject: string;
  readonly value: number;
  readonly unit: string;
  /** "≥ 97", "≤ 1", ... */
  readonly limit: string;
  readonly level: VerdictLevel;
  readonly reason: string;
}

/** Result record of {@link analysePowerLog}. */
export interface PowerLogResult {
  readonly format: PowerLogFormat;
  readonly timeKind: PowerLogTimeKind;
  readonly startTime: string | null;
  readonly readings: number;
  readonly rejectedRows: readonly RejectedRow[];
  readonly blocks: readonly PowerBlockResult[];
  readonly skipped: readonly SkippedRun[];
  readonly series: readonly PowerSeriesResult[];
  readonly linearity: readonly PowerLinearityResult[];
  readonly expected: readonly ExpectedPowerComparison[];
  readonly checks: readonly PowerCheck[];
  readonly verdict: Verdict;
  readonly limits: PowerLimits;
  readonly options: {
    readonly segment: ResolvedSegmentOptions;
    readonly stability: ResolvedSeriesStabilityOptions;
    readonly longTermMinS: number;
    readonly minDriftDurationS: number;
    readonly expected: readonly ExpectedPower[];
  };
  readonly provenance: Provenance;
}

/** Label of a (wavelength, set point) pair, e.g. "488 nm @ 80 %". */
export function powerSeriesLabel(wavelengthNm: number | null, settingPercent: number | null): string {
  if (wavelengthNm === null && settingPercent === null) return "unlabelled";
  const w = wavelengthNm === null ? "? nm" : `${wavelengthNm} nm`;
  return settingPercent === null ? w : `${w} @ ${settingPercent} %`;
}

function criterion(id: string, description: string, unit: string, direction: "max" | "min", l: WarnFailPair): AcceptanceCriterion {
  return { id, description, metric: id, unit, direction, fail: l.fail, warn: l.warn, source: NO_PUBLISHED_LIMIT };
}


/**
 * Analyses a power log for QUAREP-LiMi WG1: finds the measurement blocks, computes stability (S, CV, drift,
 * warm-up) per block and per (wavelength, set point) series, linearity per wavelength, power against expected
 * values, and judges each against user-set tolerances.
 *
 * @param log - A parsed log ({@link parsePowerLog} / {@link readPowerLog}).
 * @param options - Segmentation, warm-up detection, long-term threshold, expected powers, limits.
 * @returns The result record (JSON-serialisable) with blocks, series, linearity, comparisons, checks, the overall
 *   verdict, resolved options and provenance (input file and SHA-256 when read from a file).
 * @throws InsufficientDataError when no block is found (the message says how many readings were classed as off).
 * @throws InvalidArgumentError for invalid options or expected powers.
 *
 * Notes: a *series* gathers every block with the same wavelength and set point, so an interleaved long-term log
 * (each line measured for a few seconds every cycle) yields one long-term series per line; its S and CV cover all
 * its readings. Linearity needs ≥ 3 distinct set points of one wavelength; it uses the mean of each series. No
 * published limits exist for S, CV, drift, warm-up or linearity (QUAREP-LiMi WG1 leaves them to each facility):
 * the defaults ({@link DEFAULT_POWER_LIMITS}) are limiqc's and should be replaced by the instrument's baseline.
 * Drift is reported for every series but judged only for those of ≥ 10 readings spanning ≥ `minDriftDurationS`
 * (long-term runs). Rejected lines of the log give a warning. Warm-up needs a series much longer than the source's
 * time constant (the reference trend is fitted on the series' second half).
 * @example
 * const r = analysePowerLog(parsePowerLog(toSmartLpmTsv(simulatePowerLog({ wavelengthsNm: [488], settingsPercent: [5, 20, 80], blockDurationS: 60 }).rows)));
 * // r.linearity[0].rSquared ≈ 1; r.verdict.level → "pass"
 * @see QUAREP-LiMi WG1 protocol (protocols.io b68prhvn); QUAREP-LiMi-Tool-Kit; microscope-metrics light_source_power; peers.md F22.
 */
export function analysePowerLog(log: PowerLogData, options: PowerLogAnalysisOptions = {}): PowerLogResult {
  const limits: PowerLimits = { ...DEFAULT_POWER_LIMITS, ...options.limits };
  const stabilityOptions = resolveSeriesStabilityOptions(options.stability);
  const longTermMinS = options.longTermMinS ?? 1800;
  if (!(longTermMinS > 0)) throw new InvalidArgumentError(`longTermMinS is ${longTermMinS}; expected > 0 s.`, "Use 1800 s (SmartLPM classes runs over 30 min as long-term).");
  const minDriftDurationS = options.minDriftDurationS ?? 600;
  if (!(minDriftDurationS >= 0)) throw new InvalidArgumentError(`minDriftDurationS is ${minDriftDurationS}; expected ≥ 0 s.`, "Use e.g. 600 s.");
  const expected = options.expected ?? [];
  expected.forEach((e, i) => {
    if (!(e.powerMw > 0) || !(e.wavelengthNm > 0) || (e.settingPercent !== undefined && !(e.settingPercent > 0 && e.settingPercent <= 100))) {
      throw new InvalidArgumentError(
        `expected[${i}] is ${JSON.stringify(e)}; expected a positive powerMw and wavelengthNm and a settingPercent in (0, 100].`,
        "Give e.g. { wavelengthNm: 488, settingPercent: 100, powerMw: 10 }.",
      );
    }
  });
  const seg = segmentPowerLog(log, options.segment);
  if (seg.blocks.length === 0) {
    throw new InsufficientDataError(
      `No measurement block found in ${log.powersMw.length} readings (${seg.lightOffReadings} classed as light off, ${seg.skipped.length} run(s) too short).`,
      "Check the light was on during the log, or set segment.onThresholdMw between the dark reading and the light-on power.",
    );
  }
  const t = log.timesS;
  const p = log.powersMw;
  const blocks: PowerBlockResult[] = seg.blocks.map((b) => ({ ...b, stability: measureSeriesStability(t.slice(b.start, b.end), p.slice(b.start, b.end), "mW", stabilityOptions) }));
  // series per (wavelength, set point), in order of first appearance
  const order: string[] = [];
  const members = new Map<string, PowerBlockResult[]>();
  for (const b of blocks) {
    const k = powerSeriesLabel(b.wavelengthNm, b.settingPercent);
    if (!members.has(k)) {
      members.set(k, []);
      order.push(k);
    }
    members.get(k)!.push(b);
  }
  const series: PowerSeriesResult[] = order.map((label) => {
    const bs = members.get(label)!;
    const ts: number[] = [];
    const ps: number[] = [];
    for (const b of bs) {
      for (let i = b.start; i < b.end; i++) {
        ts.push(t[i]);
        ps.push(p[i]);
      }
    }
    const stability = bs.length === 1 ? bs[0].stability : measureSeriesStability(ts, ps, "mW", stabilityOptions);
    return {
      label,
      wavelengthNm: bs[0].wavelengthNm,
      settingPercent: bs[0].settingPercent,
      blocks: bs.map((b) => b.index),
      term: stability.durationS >= longTermMinS ? "long" : "short",
      stability,
    };
  });
  const linearity = fitLinearityPerWavelength(series);
  const comparisons = expected.map((e) => compareExpected(e, series, linearity));

  // --- checks ---
  const checks: PowerCheck[] = [];
  const add = (c: AcceptanceCriterion, subject: string, value: number, unit: string): void => {
    const j = judge(c, value);
    const cmp = c.direction === "max" ? "≤" : "≥";
    checks.push({ id: c.id, subject, value, unit, limit: `${cmp} ${c.fail}`, level: j.level, reason: `${subject}: ${j.reason}` });
  };
  const cS = criterion("stability", "stability factor S", "%", "min", limits.stabilityPercent);
  const cCv = criterion("cv", "CV", "%", "max", limits.cvPercent);
  const cDrift = criterion("drift", "|drift|", "%/h", "max", limits.driftPercentPerH);
  const cWarm = criterion("warmup", "warm-up time", "s", "max", limits.warmupS);
  for (const s of series) {
    const st = s.stability;
    add(cS, s.label, st.stabilityPercent.value, "%");
    add(cCv, s.label, st.cvPercent.value, "%");
    if (st.driftReadings >= 10 && st.durationS >= minDriftDurationS) add(cDrift, s.label, Math.abs(st.driftPercentPerH.value), "%/h");
    if (st.warmup) {
      if (st.warmup.stabilised) add(cWarm, s.label, st.warmup.timeS.value, "s");
      else checks.push({ id: "warmup", subject: s.label, value: st.warmup.timeS.value, unit: "s", limit: `≤ ${limits.warmupS.fail}`, level: "fail", reason: `${s.label}: ${st.warmup.reason}` });
    }
  }
  const cR2 = criterion("linearity-r2", "linearity R²", "1", "min", limits.linearityRSquared);
  const cDev = criterion("linearity-deviation", "largest deviation from the linear fit", "%", "max", limits.linearityDeviationPercent);
  for (const l of linearity) {
    const subject = l.wavelengthNm === null ? "linearity" : `${l.wavelengthNm} nm linearity`;
    add(cR2, subject, l.rSquared, "1");
    add(cDev, subject, l.maxDeviationPercent, "%");
  }
  const cExp = criterion("expected", "|measured − expected| power", "%", "max", limits.expectedDeviationPercent);
  for (const c of comparisons) {
    const subject = `${c.wavelengthNm} nm @ ${c.settingPercent} % vs expected ${c.expectedMw} mW`;
    if (c.deviationPercent === null) {
      checks.push({ id: "expected", subject, value: 0, unit: "%", limit: `≤ ${limits.expectedDeviationPercent.fail}`, level: "warn", reason: `${subject}: no block of that line and set point and no linearity fit, so it could not be compared.` });
    } else add(cExp, subject, Math.abs(c.deviationPercent), "%");
  }
  if (log.rejectedRows.length) {
    const lines = log.rejectedRows.slice(0, 5).map((r) => r.line);
    checks.push({
      id: "rejected-rows",
      subject: "log",
      value: log.rejectedRows.length,
      unit: "lines",
      limit: "0",
      level: "warn",
      reason: `${log.rejectedRows.length} line(s) of the log could not be read (lines ${lines.join(", ")}${log.rejectedRows.length > 5 ? ", …" : ""}); they are excluded.`,
    });
  }
  const verdict = verdictFromChecks(checks);
  const notes = [...log.notes];
  for (const s of seg.skipped) notes.push(`Lines ${s.firstLine}–${s.lastLine} skipped: ${s.reason}.`);
  return {
    format: log.format,
    timeKind: log.timeKind,
    startTime: log.startTime,
    readings: log.powersMw.length,
    rejectedRows: log.rejectedRows,
    blocks,
    skipped: seg.skipped,
    series,
    linearity,
    expected: comparisons,
    checks,
    verdict,
    limits,
    options: { segment: seg.options, stability: stabilityOptions, longTermMinS, minDriftDurationS, expected },
    provenance: makeProvenance("analysePowerLog", { segment: seg.options, stability: stabilityOptions, longTermMinS, minDriftDurationS, expected, limits }, [{ ...(log.file !== undefined ? { file: log.file } : {}), sha256: log.sha256 }], notes),
  };
}

function fitLinearityPerWavelength(series: readonly PowerSeriesResult[]): PowerLinearityResult[] {
  const byWave = new Map<string, PowerSeriesResult[]>();
  for (const s of series) {
    if (s.settingPercent === null) continue;
    const k = String(s.wavelengthNm);
    if (!byWave.has(k)) byWave.set(k, []);
    byWave.get(k)!.push(s);
  }
  const out: PowerLinearityResult[] = [];
  for (const list of byWave.values()) {
    const pts = [...list].sort((a, b) => (a.settingPercent as number) - (b.settingPercent as number));
    const settings = pts.map((s) => s.settingPercent as number);
    if (new Set(settings).size < 3) continue;
    const powers = pts.map((s) => s.stability.mean.value);
    const ols = fitLine(settings, powers);
    const origin = fitLine(settings, powers, { intercept: false });
    const b0 = origin.slope.value;
    const dev = settings.map((s, i) => {
      const fit = ols.intercept.value + ols.slope.value * s;
      return fit !== 0 ? (100 * (powers[i] - fit)) / fit : 0;
    });
    const odev = settings.map((s, i) => (b0 * s !== 0 ? (100 * (powers[i] - b0 * s)) / (b0 * s) : 0));
    let chi2 = 0;
    settings.forEach((s, i) => {
      if (s > 0 && b0 !== 0) chi2 += (powers[i] - b0 * s) ** 2 / Math.abs(b0 * s);
    });
    out.push({
      wavelengthNm: pts[0].wavelengthNm,
      settingsPercent: settings,
      powersMw: pts.map((s) => s.stability.mean),
      slopeMwPerPercent: quantity(ols.slope.value, ols.slope.standardError, "mW"),
      interceptMw: quantity(ols.intercept.value, ols.intercept.standardError, "mW"),
      rSquared: ols.rSquared,
      originSlopeMwPerPercent: quantity(b0, origin.slope.standardError, "mW"),
      originChiSquaredMw: chi2,
      deviationsPercent: dev,
      originDeviationsPercent: odev,
      maxDeviationPercent: Math.max(...dev.map(Math.abs)),
      powerAt100PercentMw: quantity(100 * b0, 100 * origin.slope.standardError, "mW"),
    });
  }
  return out;
}

function compareExpected(e: ExpectedPower, series: readonly PowerSeriesResult[], linearity: readonly PowerLinearityResult[]): ExpectedPowerComparison {
  const setting = e.settingPercent ?? 100;
  const base = { wavelengthNm: e.wavelengthNm, settingPercent: setting, expectedMw: e.powerMw };
  const s = series.find((x) => x.wavelengthNm === e.wavelengthNm && (x.settingPercent === setting || (x.settingPercent === null && e.settingPercent === undefined)));
  if (s) {
    const m = s.stability.mean;
    return { ...base, measuredMw: m, source: "block", deviationPercent: (100 * (m.value - e.powerMw)) / e.powerMw };
  }
  const l = linearity.find((x) => x.wavelengthNm === e.wavelengthNm);
  if (l) {
    const v = l.interceptMw.value + l.slopeMwPerPercent.value * setting;
    const u = Math.hypot(l.interceptMw.uncertainty, l.slopeMwPerPercent.uncertainty * setting);
    return { ...base, measuredMw: quantity(v, u, "mW"), source: "linearity-fit", deviationPercent: (100 * (v - e.powerMw)) / e.powerMw };
  }
  return { ...base, measuredMw: null, source: "none", deviationPercent: null };
}
