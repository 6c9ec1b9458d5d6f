/**
 * XY stage repeatability (QUAREP-LiMi WG6 protocol) with ISO 230-2 style repeatability, reversal value and
 * accuracy band.
 */
import { DimensionError, InsufficientDataError, InvalidArgumentError } from "../core/errors.js";
import { type Provenance, makeProvenance } from "../core/provenance.js";
import { type Quantity, type Verdict, quantity } from "../core/quantity.js";
import { fitLine } from "../fit/linear.js";
import { judge } from "../protocols/load.js";
import { verdictFromChecks } from "../protocols/verdict.js";

/** Direction of the move a capture returned from ("centre": the capture at the start of a round, no move). */
export type StageMoveDirection = "centre" | "N" | "E" | "S" | "W";
/** The QUAREP macro's order within a round (direction codes 0–4). */
export const STAGE_ROUND_ORDER: readonly StageMoveDirection[] = ["centre", "N", "E", "S", "W"];

/** One capture of a repeatability series. */
export interface StageCaptureInput {
  readonly index: number;
  readonly moveSizeUm: number;
  readonly direction: StageMoveDirection;
  readonly round?: number;
  /** Time of the capture, s (needed for detrend "linear"). */
  readonly timeS?: number;
  /** Measured position, µm; null when the capture was excluded. */
  readonly xUm: number | null;
  readonly yUm: number | null;
  /** Why the capture was excluded (e.g. from localiseBeadSeries). */
  readonly excludedReason?: string | null;
}

/** Warn/fail limits of the stage protocol. Match protocols/stage-focus/protocol.json. */
export interface StageLimits {
  /** SD of x or y over all captures of a move size, µm (QUAREP Tool-Kit warning limit 0.5). */
  readonly sdUm: { readonly warn: number; readonly fail: number };
  /** |Reversal value B| per axis, µm. */
  readonly reversalUm: { readonly warn: number; readonly fail: number };
  /** Stabilisation time of a drift series, s. */
  readonly stabilisationS: { readonly warn: number; readonly fail: number };
}

/** Default stage limits: the SD fail limit is the QUAREP Tool-Kit's warning limit; the others are limiqc defaults. */
export const DEFAULT_STAGE_LIMITS: StageLimits = {
  sdUm: { warn: 0.4, fail: 0.5 },
  reversalUm: { warn: 0.5, fail: 1 },
  stabilisationS: { warn: 600, fail: 1800 },
};

/** Options of {@link measureStageRepeatability}. */
export interface StageRepeatabilityOptions {
  /** "linear": remove a straight-line drift of x and y against capture time per move size first. @default "none" (as the QUAREP Tool-Kit) */
  readonly detrend?: "none" | "linear";
  /** Limits overriding {@link DEFAULT_STAGE_LIMITS}. */
  readonly limits?: Partial<StageLimits>;
}

/** Statistics of the captures returning from one direction. */
export interface StageDirectionStats {
  readonly direction: StageMoveDirection;
  readonly n: number;
  /** Mean position relative to the mean of all captures of this move size, µm; null when n = 0. */
  readonly meanXUm: number | null;
  readonly meanYUm: number | null;
  /** Sample SD (n − 1) ± s/√(2(n − 1)), µm; null when n < 2. */
  readonly sdXUm: Quantity | null;
  readonly sdYUm: Quantity | null;
}

/**
 * ISO 230-2 quantities of one axis at the single target position. ↑ = approach moving in + direction along the
 * axis (x: returns from W; y: returns from S), ↓ = moving in − direction (x: from E; y: from N).
 */
export interface StageIsoAxis {
  readonly axis: "x" | "y";
  readonly nUp: number;
  readonly nDown: number;
  /** x̄↑ − x̄ and x̄↓ − x̄ (relative to the mean of all captures), µm. */
  readonly meanUpUm: number;
  readonly meanDownUm: number;
  /** s↑, s↓: sample SDs ± s/√(2(n − 1)), µm. */
  readonly sdUpUm: Quantity;
  readonly sdDownUm: Quantity;
  /** Pooled SD of both approach directions (the repeatability SD without reversal), µm. */
  readonly pooledSdUm: Quantity;
  /** Unidirectional repeatability R↑ = 4s↑, R↓ = 4s↓, µm. */
  readonly repeatabilityUpUm: number;
  readonly repeatabilityDownUm: number;
  /** Reversal value B = x̄↑ − x̄↓ (≈ backlash) ± √(s↑²/n↑ + s↓²/n↓), µm. Its sign depends on the camera orientation. */
  readonly reversalUm: Quantity;
  /** Bidirectional repeatability R = max(2s↑ + 2s↓ + |B|, R↑, R↓), µm. */
  readonly bidirectionalRepeatabilityUm: number;
  /** Accuracy band A = max(x̄↑ + 2s↑, x̄↓ + 2s↓) − min(x̄↑ − 2s↑, x̄↓ − 2s↓), µm (at the single target; without a calibrated target it excludes the systematic offset). */
  readonly accuracyUm: number;
}

/** Results of one move size. */
export interface StageMoveSizeResult {
  readonly moveSizeUm: number;
  readonly captures: number;
  readonly excluded: number;
  /** QUAREP Tool-Kit: SD of x and of y over all captures of this move size (all directions), µm. */
  readonly sdAllXUm: Quantity;
  readonly sdAllYUm: Quantity;
  readonly directions: readonly StageDirectionStats[];
  /** Null for an axis with fewer than 2 captures in either approach direction. */
  readonly isoX: StageIsoAxis | null;
  readonly isoY: StageIsoAxis | null;
  /** Positions relative to the mean, µm, per direction (for scatter plots). */
  readonly points: readonly { readonly direction: StageMoveDirection; readonly index: number; readonly xUm: number; readonly yUm: number }[];
}

/** One judged metric. */
export interface StageCheck {
  readonly id: string;
  readonly subject: string;
  readonly value: number;
  readonly unit: string;
  readonly limit: string;
  readonly level: "pass" | "warn" | "fail";
  readonly reason: string;
}

/** Result record of {@link measureStageRepeatability}. */
export interface StageRepeatabilityResult {
  readonly sizes: readonly StageMoveSizeResult[];
  readonly excluded: readonly { readonly index: number; readonly reason: string }[];
  readonly checks: readonly StageCheck[];
  readonly verdict: Verdict;
  readonly limits: StageLimits;
  readonly options: { readonly detrend: "none" | "linear" };
  readonly provenance: Provenance;
}

/**
 * The QUAREP macro's capture order: per move size, `rounds` rounds of [centre, N, E, S, W].
 *
 * @param frames - Number of captures in the series.
 * @param moveSizesUm - Move sizes in acquisition order. @default [300, 3000]
 * @returns Move size, round and direction of each capture.
 * @throws DimensionError when the frame count is not a multiple of 5 × the number of sizes (the message says what
 *   would fit).
 * @see QUAREP-LiMi/WG6-Stage-and-Focus `QuarepCheckStage01.mac` (direction codes 0 centre, 1 N, 2 E, 3 S, 4 W).
 */
export function stageProtocolOrder(frames: number, moveSizesUm: readonly number[] = [300, 3000]): { moveSizeUm: number; round: number; direction: StageMoveDirection }[] {
  const perSize = frames / moveSizesUm.length;
  if (moveSizesUm.length === 0 || !Number.isInteger(perSize) || perSize % STAGE_ROUND_ORDER.length !== 0 || perSize === 0) {
    throw new DimensionError(
      `${frames} captures do not fit the QUAREP order (${moveSizesUm.length} move size(s) × rounds × 5 captures: centre, N, E, S, W).`,
      `Pass the move sizes used (e.g. [300, 3000] for 160 captures = 2 × 16 rounds × 5), or a position table with the direction of each capture.`,
    );
  }
  const rounds = perSize / STAGE_ROUND_ORDER.length;
  const out: { moveSizeUm: number; round: number; direction: StageMoveDirection }[] = [];
  for (const s of moveSizesUm) for (let r = 0; r < rounds; r++) for (const d of STAGE_ROUND_ORDER) out.push({ moveSizeUm: s, round: r, direction: d });
  return out;
}

function stats(v: readonly number[]): { mean: number; sd: number; n: number } {
  const n = v.length;
  const mean = n ? v.reduce((a, b) => a + b, 0) / n : 0;
  const sd = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

const sdQ = (s: { sd: number; n: number }): Quantity => quantity(s.sd, s.n > 1 ? s.sd / Math.sqrt(2 * (s.n - 1)) : 0, "um");

function iso(axis: "x" | "y", up: readonly number[], down: readonly number[]): StageIsoAxis | null {
  if (up.length < 2 || down.length < 2) return null;
  const u = stats(up);
  const d = stats(down);
  const B = u.mean - d.mean;
  const pooled = Math.sqrt(((u.n - 1) * u.sd ** 2 + (d.n - 1) * d.sd ** 2) / (u.n + d.n - 2));
  const Ru = 4 * u.sd;
  const Rd = 4 * d.sd;
  return {
    axis,
    nUp: u.n,
    nDown: d.n,
    meanUpUm: u.mean,
    meanDownUm: d.mean,
    sdUpUm: sdQ(u),
    sdDownUm: sdQ(d),
    pooledSdUm: quantity(pooled, pooled / Math.sqrt(2 * (u.n + d.n - 2)), "um"),
    repeatabilityUpUm: Ru,
    repeatabilityDownUm: Rd,
    reversalUm: quantity(B, Math.sqrt(u.sd ** 2 / u.n + d.sd ** 2 / d.n), "um"),
    bidirectionalRepeatabilityUm: Math.max(2 * u.sd + 2 * d.sd + Math.abs(B), Ru, Rd),
    accuracyUm: Math.max(u.mean + 2 * u.sd, d.mean + 2 * d.sd) - Math.min(u.mean - 2 * u.sd, d.mean - 2 * d.sd),
  };
}

/**
 * Stage repeatability from the positions of a bead after out-and-back moves (QUAREP-LiMi WG6): SD per move size and
 * direction (QUAREP Tool-Kit), and per axis the ISO 230-2 unidirectional and bidirectional repeatability, the
 * reversal value (backlash) and the accuracy band.
 *
 * @param captures - Positions per capture with move size and direction (e.g. from {@link localiseBeadSeries} and
 *   {@link stageProtocolOrder}); excluded captures carry null positions and a reason.
 * @param options - Detrending and limits; see {@link StageRepeatabilityOptions}.
 * @returns Per move size: SD of all captures, per-direction statistics, ISO quantities per axis, relative positions;
 *   checks against the limits; the overall verdict; provenance.
 * @throws InsufficientDataError when a move size has fewer than 3 usable captures.
 * @throws InvalidArgumentError when detrend "linear" lacks capture times, or a position is not finite.
 *
 * Notes: **definitions.** For one move size and axis, positions are taken relative to the mean of all its usable
 * captures. The Tool-Kit SD is the sample SD of all captures (it includes the reversal: returns from opposite
 * directions sit ±B/2 apart). ISO 230-2 at the single target: ↑ approaches move in the + direction along the axis
 * (x: returns from W, y: returns from S), ↓ in the − direction (x: E, y: N); s↑, s↓ sample SDs; R↑ = 4s↑;
 * reversal B = x̄↑ − x̄↓; bidirectional R = max(2s↑ + 2s↓ + |B|, R↑, R↓); accuracy band A = max(x̄↑ + 2s↑,
 * x̄↓ + 2s↓) − min(x̄↑ − 2s↑, x̄↓ − 2s↓). Returns from N/S tell nothing about x approach (and E/W nothing about
 * y), so they are not in that axis' ISO sets; centre captures neither. The systematic positional deviation E of
 * ISO 230-2 needs calibrated targets (a stage micrometer) and is not computed. Image axes are used: a mirrored
 * camera flips the sign of B, not its size. Slow drift during the run inflates the SDs; detrend "linear"
 * removes a straight-line drift against capture time (off by default, as the Tool-Kit).
 * @example
 * const s = simulateStageSeries({ rounds: 20, seed: 1 });
 * const r = measureStageRepeatability(s.truth.captures.map((c) => ({ index: c.index, moveSizeUm: c.moveSizeUm, direction: c.directionName, xUm: c.positionUm[0], yUm: c.positionUm[1] })));
 * // r.sizes[0].isoX.reversalUm.value ≈ 0.3 (the planted backlash)
 * @see QUAREP-LiMi/WG6-Stage-and-Focus; QUAREP-LiMi-Tool-Kit `pageStageResults.py`; ISO 230-2:2014 §2–3 (definitions), quarep-protocols.md §WG6.
 */
export function measureStageRepeatability(captures: readonly StageCaptureInput[], options: StageRepeatabilityOptions = {}): StageRepeatabilityResult {
  const detrend = options.detrend ?? "none";
  const limits: StageLimits = { ...DEFAULT_STAGE_LIMITS, ...options.limits };
  const notes: string[] = [];
  const excluded: { index: number; reason: string }[] = [];
  const sizes = [...new Set(captures.map((c) => c.moveSizeUm))];
  const results: StageMoveSizeResult[] = [];
  for (const size of sizes) {
    const all = captures.filter((c) => c.moveSizeUm === size);
    const ok: { c: StageCaptureInput; x: number; y: number }[] = [];
    for (const c of all) {
      if (c.xUm === null || c.yUm === null || c.excludedReason) {
        excluded.push({ index: c.index, reason: c.excludedReason ?? "no position" });
        continue;
      }
      if (!Number.isFinite(c.xUm) || !Number.isFinite(c.yUm)) {
        throw new InvalidArgumentError(`Capture ${c.index} has position (${c.xUm}, ${c.yUm}) µm; positions must be finite or null.`, "Mark unmeasurable captures with null positions and a reason.");
      }
      ok.push({ c, x: c.xUm, y: c.yUm });
    }
    if (ok.length < 3) {
      throw new InsufficientDataError(`Move size ${size} µm has ${ok.length} usable capture(s) of ${all.length}; at least 3 are needed.`, "Check the excluded captures (bead lost?) and acquire more rounds.");
    }
    if (detrend === "linear") {
      if (ok.some((o) => o.c.timeS === undefined)) {
        throw new InvalidArgumentError("detrend \"linear\" needs the time of every capture (timeS).", "Give capture times, or use detrend \"none\".");
      }
      const t = ok.map((o) => o.c.timeS as number);
      const fx = fitLine(t, ok.map((o) => o.x));
      const fy = fitLine(t, ok.map((o) => o.y));
      const tm = t.reduce((a, b) => a + b, 0) / t.length;
      ok.forEach((o, i) => {
        o.x -= fx.slope.value * (t[i] - tm);
        o.y -= fy.slope.value * (t[i] - tm);
      });
      notes.push(`${size} µm: linear drift removed (${(fx.slope.value * 3600).toFixed(3)}, ${(fy.slope.value * 3600).toFixed(3)}) µm/h in x, y.`);
    }
    const mx = stats(ok.map((o) => o.x)).mean;
    const my = stats(ok.map((o) => o.y)).mean;
    const rel = ok.map((o) => ({ direction: o.c.direction, index: o.c.index, xUm: o.x - mx, yUm: o.y - my }));
    const directions: StageDirectionStats[] = STAGE_ROUND_ORDER.map((d) => {
      const pts = rel.filter((p) => p.direction === d);
      const sx = stats(pts.map((p) => p.xUm));
      const sy = stats(pts.map((p) => p.yUm));
      return { direction: d, n: pts.length, meanXUm: pts.length ? sx.mean : null, meanYUm: pts.length ? sy.mean : null, sdXUm: pts.length > 1 ? sdQ(sx) : null, sdYUm: pts.length > 1 ? sdQ(sy) : null };
    });
    const pick = (d: StageMoveDirection, axis: "xUm" | "yUm"): number[] => rel.filter((p) => p.direction === d).map((p) => p[axis]);
    const isoX = iso("x", pick("W", "xUm"), pick("E", "xUm"));
    const isoY = iso("y", pick("S", "yUm"), pick("N", "yUm"));
    if (!isoX || !isoY) notes.push(`${size} µm: fewer than 2 captures in an approach direction; ISO 230-2 values not computed for ${[!isoX && "x", !isoY && "y"].filter(Boolean).join(" and ")}.`);
    results.push({
      moveSizeUm: size,
      captures: all.length,
      excluded: all.length - ok.length,
      sdAllXUm: sdQ(stats(rel.map((p) => p.xUm))),
      sdAllYUm: sdQ(stats(rel.map((p) => p.yUm))),
      directions,
      isoX,
      isoY,
      points: rel,
    });
  }
  const checks: StageCheck[] = [];
  const src = "limiqc default: no published limit";
  const add = (id: string, description: string, subject: string, l: { warn: number; fail: number }, value: number, source: string): void => {
    const j = judge({ id, description, metric: id, unit: "µm", direction: "max", fail: l.fail, warn: l.warn, source }, value);
    checks.push({ id, subject, value, unit: "µm", limit: `≤ ${l.fail}`, level: j.level, reason: `${subject}: ${j.reason}` });
  };
  for (const r of results) {
    add("sd", "SD of x over all captures", `${r.moveSizeUm} µm moves, x`, limits.sdUm, r.sdAllXUm.value, "QUAREP-LiMi Tool-Kit warning limit");
    add("sd", "SD of y over all captures", `${r.moveSizeUm} µm moves, y`, limits.sdUm, r.sdAllYUm.value, "QUAREP-LiMi Tool-Kit warning limit");
    if (r.isoX) add("reversal", "|reversal value B|", `${r.moveSizeUm} µm moves, x`, limits.reversalUm, Math.abs(r.isoX.reversalUm.value), src);
    if (r.isoY) add("reversal", "|reversal value B|", `${r.moveSizeUm} µm moves, y`, limits.reversalUm, Math.abs(r.isoY.reversalUm.value), src);
  }
  if (excluded.length) notes.push(`${excluded.length} capture(s) excluded: ${excluded.slice(0, 5).map((e) => `#${e.index} (${e.reason})`).join("; ")}${excluded.length > 5 ? "; …" : ""}.`);
  return {
    sizes: results,
    excluded,
    checks,
    verdict: verdictFromChecks(checks),
    limits,
    options: { detrend },
    provenance: makeProvenance("measureStageRepeatability", { detrend, limits }, [], notes),
  };
}
