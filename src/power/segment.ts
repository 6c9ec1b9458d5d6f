/**
 * Segmentation of a power log into measurement blocks (one wavelength × set point each), skipping the light-off
 * pauses between blocks and the partial readings at each switch.
 */
import { InvalidArgumentError } from "../core/errors.js";
import { median, quantile } from "../fit/robust.js";
import type { PowerLogData } from "./parse.js";

/** Options of {@link segmentPowerLog}. */
export interface SegmentPowerLogOptions {
  /** Readings above this are "light on", mW; "auto" picks one per (wavelength, set point), see Notes. @default "auto" */
  readonly onThresholdMw?: number | "auto";
  /** "auto": a label group counts as having light-off readings only if P95/min ≥ this. @default 20 */
  readonly minOnOffRatio?: number;
  /** Readings dropped at each edge of a block that touches a light-off reading or a label change (partial integration). @default 1 */
  readonly transitionReadings?: number;
  /** After that, edge readings further than this from the block median are dropped too (slow switching), %. @default 10 */
  readonly transitionTolerancePercent?: number;
  /** ... but only within this time of each edge, s (so a slow warm-up is kept). @default 3 */
  readonly maxTransitionS?: number;
  /** A gap between readings longer than this ends a block, s. @default 5 × the median interval, at least 5 s */
  readonly maxGapS?: number;
  /** Blocks with fewer readings are skipped (listed with the reason). @default 3 */
  readonly minBlockReadings?: number;
}

/** Resolved {@link SegmentPowerLogOptions} (maxGapS filled from the log). */
export interface ResolvedSegmentOptions {
  readonly onThresholdMw: number | "auto";
  readonly minOnOffRatio: number;
  readonly transitionReadings: number;
  readonly transitionTolerancePercent: number;
  readonly maxTransitionS: number;
  readonly maxGapS: number;
  readonly minBlockReadings: number;
}

/** One measurement block: readings [start, end) of the log. */
export interface PowerBlock {
  readonly index: number;
  /** Null when the log has no wavelength. */
  readonly wavelengthNm: number | null;
  /** Null when the log has no set point. */
  readonly settingPercent: number | null;
  /** First reading of the block (index into the log's arrays). */
  readonly start: number;
  /** One past the last reading. */
  readonly end: number;
  readonly n: number;
  /** File lines of the first and last reading. */
  readonly firstLine: number;
  readonly lastLine: number;
  readonly startTimeS: number;
  readonly endTimeS: number;
  /** Readings dropped at the start and end as transitions. */
  readonly trimmedStart: number;
  readonly trimmedEnd: number;
}

/** A run of light-on readings that did not become a block. */
export interface SkippedRun {
  readonly firstLine: number;
  readonly lastLine: number;
  readonly startTimeS: number;
  readonly n: number;
  readonly reason: string;
}

/** Result of {@link segmentPowerLog}. */
export interface PowerSegmentation {
  readonly blocks: readonly PowerBlock[];
  readonly skipped: readonly SkippedRun[];
  /** Light-on threshold per label group, mW (−∞ shown as null = no light-off readings in that group). */
  readonly thresholds: readonly { readonly wavelengthNm: number | null; readonly settingPercent: number | null; readonly thresholdMw: number | null }[];
  /** Readings classed as light off (pauses). */
  readonly lightOffReadings: number;
  readonly options: ResolvedSegmentOptions;
}

const MIN_GAP_S = 5;
const GAP_INTERVALS = 5;
/** Floor of the dark level relative to P95 when P5 ≤ 0 (meter offset), so the geometric mean stays defined. */
const DARK_FLOOR = 1e-6;
const P_ON = 0.95;

function labelKey(w: number | null, s: number | null): string {
  return `${w ?? "-"}|${s ?? "-"}`;
}

/**
 * Splits a power log into measurement blocks of constant wavelength and set point, without the pauses and the
 * switching transitions.
 *
 * @param log - A parsed log ({@link parsePowerLog}).
 * @param options - Thresholds and trimming rules, see {@link SegmentPowerLogOptions}.
 * @returns The blocks (reading ranges), the runs skipped with their reason, and the thresholds used.
 * @throws InvalidArgumentError for negative counts or tolerances, or a non-finite threshold.
 *
 * Notes: (1) Readings are grouped by their (wavelength, set point) labels. With `onThresholdMw: "auto"` each
 * group's threshold is the geometric mean of its lowest reading and its 95th percentile, √(P_min·P95) (P_min
 * floored at 10⁻⁶·P95 for meters that read slightly negative in the dark), when P95/P_min ≥ `minOnOffRatio` (the
 * group has light-off pauses), else every reading of the group is on. The geometric mean separates a dark meter
 * (≈ nW) from a 1 % set point of a mW laser. (2) A block is a maximal run of on-readings
 * with the same labels and no gap longer than `maxGapS`. (3) At an edge that touches an off-reading or a label
 * change, or at the start or end of the log, `transitionReadings` readings are dropped (a reading whose
 * integration straddles the switch), then further edge readings more than `transitionTolerancePercent` from the
 * block median, within `maxTransitionS` of the edge (slow shutters, meter bandwidth). Edges at a gap are not trimmed.
 * (4) Runs left with fewer than `minBlockReadings` readings are listed in `skipped`. This mirrors SmartLPM, which
 * finds pulses in a continuous log from a threshold and a recipe signature (here no recipe is needed).
 * @example
 * const seg = segmentPowerLog(parsePowerLog(toSmartLpmTsv(simulatePowerLog({ wavelengthsNm: [488, 561], blockDurationS: 30 }).rows)));
 * // seg.blocks.length → 2; seg.blocks[0].n → 30
 * @see QUAREP-LiMi/SmartLPM README (signature parsing); microscope-metrics `_find_stability_subset` (peers.md F22).
 */
export function segmentPowerLog(log: PowerLogData, options: SegmentPowerLogOptions = {}): PowerSegmentation {
  const t = log.timesS;
  const p = log.powersMw;
  const n = p.length;
  const intervals: number[] = [];
  for (let i = 1; i < n; i++) intervals.push(t[i] - t[i - 1]);
  const medInterval = intervals.length ? median(intervals) : 1;
  const o: ResolvedSegmentOptions = {
    onThresholdMw: "auto",
    minOnOffRatio: 20,
    transitionReadings: 1,
    transitionTolerancePercent: 10,
    maxTransitionS: 3,
    maxGapS: Math.max(MIN_GAP_S, GAP_INTERVALS * medInterval),
    minBlockReadings: 3,
    ...options,
  };
  if (o.onThresholdMw !== "auto" && !Number.isFinite(o.onThresholdMw)) {
    throw new InvalidArgumentError(`onThresholdMw is ${o.onThresholdMw}; expected a number in mW or "auto".`, "Use a level between the dark reading and the lowest light-on reading.");
  }
  for (const [name, v] of [
    ["minOnOffRatio", o.minOnOffRatio],
    ["transitionReadings", o.transitionReadings],
    ["transitionTolerancePercent", o.transitionTolerancePercent],
    ["maxTransitionS", o.maxTransitionS],
    ["maxGapS", o.maxGapS],
    ["minBlockReadings", o.minBlockReadings],
  ] as const) {
    if (!(Number.isFinite(v) && v >= 0)) throw new InvalidArgumentError(`${name} is ${v}; expected a finite number ≥ 0.`, "See the SegmentPowerLogOptions defaults.");
  }
  const waves = log.wavelengthsNm;
  const sets = log.settingsPercent;
  const keys: string[] = new Array(n);
  const groups = new Map<string, { w: number | null; s: number | null; values: number[] }>();
  for (let i = 0; i < n; i++) {
    const w = waves ? waves[i] : null;
    const s = sets ? sets[i] : null;
    const k = labelKey(w, s);
    keys[i] = k;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { w, s, values: [] }));
    g.values.push(p[i]);
  }
  const thresholdOf = new Map<string, number>();
  const thresholds: { wavelengthNm: number | null; settingPercent: number | null; thresholdMw: number | null }[] = [];
  for (const [k, g] of groups) {
    let th: number;
    if (o.onThresholdMw !== "auto") th = o.onThresholdMw;
    else {
      const hi = quantile(g.values, P_ON);
      let mn = Number.POSITIVE_INFINITY;
      for (const v of g.values) if (v < mn) mn = v;
      const lo = Math.max(mn, hi * DARK_FLOOR);
      th = hi > 0 && hi / lo >= o.minOnOffRatio ? Math.sqrt(lo * hi) : Number.NEGATIVE_INFINITY;
    }
    thresholdOf.set(k, th);
    thresholds.push({ wavelengthNm: g.w, settingPercent: g.s, thresholdMw: Number.isFinite(th) ? th : null });
  }
  const on = new Uint8Array(n);
  let off = 0;
  for (let i = 0; i < n; i++) {
    on[i] = p[i] > (thresholdOf.get(keys[i]) as number) ? 1 : 0;
    if (!on[i]) off++;
  }
  const blocks: PowerBlock[] = [];
  const skipped: SkippedRun[] = [];
  let i = 0;
  while (i < n) {
    if (!on[i]) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && on[j] && keys[j] === keys[i] && t[j] - t[j - 1] <= o.maxGapS) j++;
    // run [i, j)
    // the start and end of the log count as switches: a log may start or stop in the middle of a reading
    const switchBefore = i === 0 || !on[i - 1] || keys[i - 1] !== keys[i];
    const switchAfter = j === n || !on[j] || keys[j] !== keys[i];
    let a = i + (switchBefore ? o.transitionReadings : 0);
    let b = j - (switchAfter ? o.transitionReadings : 0);
    let reason = "";
    if (b - a > 0) {
      const med = median(p.slice(a, b));
      const tol = o.transitionTolerancePercent / 100;
      const far = (k: number): boolean => med !== 0 && Math.abs(p[k] - med) / Math.abs(med) > tol;
      if (switchBefore) {
        const tA = t[a];
        while (a < b && t[a] - tA <= o.maxTransitionS && far(a)) a++;
      }
      if (switchAfter) {
        const tB = t[b - 1];
        while (b > a && tB - t[b - 1] <= o.maxTransitionS && far(b - 1)) b--;
      }
    }
    const kept = Math.max(0, b - a);
    if (kept < o.minBlockReadings || kept === 0) {
      reason = `${j - i} light-on reading(s), ${kept} left after removing the switching transitions; a block needs at least ${Math.max(1, o.minBlockReadings)}`;
      skipped.push({ firstLine: log.lineNumbers[i], lastLine: log.lineNumbers[j - 1], startTimeS: t[i], n: j - i, reason });
    } else {
      blocks.push({
        index: blocks.length,
        wavelengthNm: waves ? waves[a] : null,
        settingPercent: sets ? sets[a] : null,
        start: a,
        end: b,
        n: kept,
        firstLine: log.lineNumbers[a],
        lastLine: log.lineNumbers[b - 1],
        startTimeS: t[a],
        endTimeS: t[b - 1],
        trimmedStart: a - i,
        trimmedEnd: j - b,
      });
    }
    i = j;
  }
  return { blocks, skipped, thresholds, lightOffReadings: off, options: o };
}
