/**
 * Turning protocol result records into history rows: one small mapping per protocol.
 */
import { InvalidArgumentError } from "../core/errors.js";
import type { Provenance } from "../core/provenance.js";
import type { Quantity, VerdictLevel } from "../core/quantity.js";
import type { PowerLogResult } from "../power/analyse.js";
import type { BeadPsfResult } from "../resolution/bead-psf.js";
import type { BeadPsfFileResult } from "../resolution/file.js";
import type { FieldUniformityResult } from "../uniformity/measure.js";
import type { FieldUniformityFileResult } from "../uniformity/file.js";
import { HistoryRecordError } from "./errors.js";
import { validateHistoryRecord } from "./record.js";
import type { HistoryRecord } from "./types.js";

/** Where and when a QC run happened: what the result record itself does not say. */
export interface HistoryContext {
  /** Instrument identifier (required). */
  readonly instrument: string;
  /** Objective, e.g. "63x/1.40 oil". @default null */
  readonly objective?: string | null;
  /** ISO 8601 acquisition time. @default the analysis time from the result's provenance */
  readonly acquiredAt?: string;
}

/** Protocol ids used in history rows (the folder names under protocols/). */
export const HISTORY_PROTOCOLS = { resolution: "resolution", uniformity: "field-uniformity", power: "illumination-power" } as const;

const LIMIT_RE = /^\s*(≤|<=|<|≥|>=|>)\s*(-?[0-9.]+(?:e[-+]?\d+)?)/i;

/**
 * Reads a fail limit written as text ("≤ 1.5", "≥ 97") into lower/upper numbers.
 * @param text - The limit text of a check.
 * @returns `{lowerLimit, upperLimit}`, nulls when the text is not a simple bound.
 * @throws Never.
 * @example
 * limitsFromText("≥ 97"); // { lowerLimit: 97, upperLimit: null }
 */
export function limitsFromText(text: string): { lowerLimit: number | null; upperLimit: number | null } {
  const m = LIMIT_RE.exec(text);
  if (!m) return { lowerLimit: null, upperLimit: null };
  const v = Number(m[2]);
  if (!Number.isFinite(v)) return { lowerLimit: null, upperLimit: null };
  return m[1]?.startsWith("≤") || m[1]?.startsWith("<") ? { lowerLimit: null, upperLimit: v } : { lowerLimit: v, upperLimit: null };
}

function base(protocol: string, prov: Provenance, ctx: HistoryContext, channel: string | null, inputSha256: string | null) {
  if (typeof ctx.instrument !== "string" || ctx.instrument.trim() === "") {
    throw new InvalidArgumentError(`History context has instrument ${JSON.stringify(ctx.instrument)}.`, "Name the instrument (e.g. \"LSM980-room2\").");
  }
  return {
    protocol,
    instrument: ctx.instrument,
    objective: ctx.objective ?? null,
    channel,
    acquiredAt: ctx.acquiredAt ?? prov.analysedAt,
    analysedAt: prov.analysedAt,
    inputSha256: inputSha256 ?? prov.inputs.find((i) => i.sha256)?.sha256 ?? null,
    provenance: JSON.parse(JSON.stringify(prov)) as Record<string, unknown>,
  };
}

function metricRow(
  b: ReturnType<typeof base>,
  metric: string,
  q: Quantity | { value: number; uncertainty: number | null; unit: string },
  verdict: VerdictLevel | null,
  limitText: string | null,
): HistoryRecord {
  const lim = limitText === null ? { lowerLimit: null, upperLimit: null } : limitsFromText(limitText);
  return validateHistoryRecord({ ...b, metric, value: q.value, uncertainty: q.uncertainty, unit: q.unit, limitText, verdict, ...lim }, `${b.protocol}/${metric}`);
}

/** Channel label of a history row: the emission wavelength (stable across files), else the name, else the index. */
function channelLabel(c: { index: number; name?: string; emissionWavelengthNm?: number }): string {
  if (c.emissionWavelengthNm !== undefined) return `${c.emissionWavelengthNm} nm`;
  if (c.name) return c.name;
  return `channel ${c.index}`;
}

/**
 * History rows of a bead PSF measurement: per channel, lateralRatio and axialRatio (judged, with their limits)
 * and the mean FWHM x, y, z (µm ± SEM, not judged) and the accepted bead count.
 *
 * @param result - A {@link BeadPsfResult} (measureBeadPsf) or {@link BeadPsfFileResult} (measureBeadPsfFile).
 * @param context - Instrument, objective, acquisition time.
 * @returns The rows (none for a channel without accepted beads except the bead count).
 * @throws InvalidArgumentError when the context has no instrument.
 *
 * Notes: the ratio uncertainty is the SEM of the worse lateral axis (or z) divided by theory.
 * @see measureBeadPsf
 * @example
 * await store.insert(historyFromBeadPsf(await measureBeadPsfFile(path), { instrument: "LSM980" }));
 */
export function historyFromBeadPsf(result: BeadPsfResult | BeadPsfFileResult, context: HistoryContext): HistoryRecord[] {
  const channels = result.kind === "bead-psf-file" ? result.channels : [result];
  const fileSha = result.kind === "bead-psf-file" ? result.sha256 : null;
  const out: HistoryRecord[] = [];
  for (const c of channels) {
    const b = base(HISTORY_PROTOCOLS.resolution, c.provenance, context, channelLabel(c.channel), fileSha);
    const check = (id: string) => c.checks.find((k) => k.id === id);
    const count = check("bead-count");
    out.push(metricRow(b, "beadsAccepted", { value: c.counts.accepted, uncertainty: null, unit: "1" }, count?.level ?? null, count?.limit ?? null));
    const s = c.summary;
    if (!s || c.lateralRatio === null || c.axialRatio === null) continue;
    const lat = check("lateral-ratio");
    const worse = s.x.ratio.value >= s.y.ratio.value ? s.x.ratio : s.y.ratio;
    out.push(metricRow(b, "lateralRatio", { value: c.lateralRatio, uncertainty: worse.uncertainty, unit: "1" }, lat?.level ?? null, lat?.limit ?? null));
    const ax = check("axial-ratio");
    out.push(metricRow(b, "axialRatio", { value: c.axialRatio, uncertainty: s.z.ratio.uncertainty, unit: "1" }, ax?.level ?? null, ax?.limit ?? null));
    out.push(metricRow(b, "fwhmX", s.x.mean, null, null));
    out.push(metricRow(b, "fwhmY", s.y.mean, null, null));
    out.push(metricRow(b, "fwhmZ", s.z.mean, null, null));
  }
  return out;
}

/**
 * History rows of a field-uniformity measurement: per channel U and C (judged against their limits), FU and CV
 * (not judged), all in %.
 *
 * @param result - A {@link FieldUniformityResult} (measureFieldUniformity) or {@link FieldUniformityFileResult}.
 * @param context - Instrument, objective, acquisition time.
 * @returns Four rows per channel.
 * @throws InvalidArgumentError when the context has no instrument.
 * @see measureFieldUniformity
 * @example
 * historyFromFieldUniformity(measureFieldUniformity(image), { instrument: "LSM980" }).map((r) => r.metric);
 * // ["uniformity", "centeringAccuracy", "fieldUniformity", "cv"]
 */
export function historyFromFieldUniformity(result: FieldUniformityResult | FieldUniformityFileResult, context: HistoryContext): HistoryRecord[] {
  const isFile = "channels" in result;
  const channels = isFile ? result.channels : [result];
  const fileSha = isFile ? result.sha256 : null;
  const out: HistoryRecord[] = [];
  for (const c of channels) {
    const b = base(HISTORY_PROTOCOLS.uniformity, c.provenance, context, channelLabel(c.channel), fileSha);
    const level = (id: string) => c.verdict.details.find((d) => d.criterion === id)?.level ?? null;
    out.push(metricRow(b, "uniformity", c.uniformity, level("uniformity"), `≥ ${c.options.uniformityLimitPercent}`));
    out.push(metricRow(b, "centeringAccuracy", c.centeringAccuracy, level("centering"), `≥ ${c.options.centeringLimitPercent}`));
    out.push(metricRow(b, "fieldUniformity", c.fieldUniformity, null, null));
    out.push(metricRow(b, "cv", c.cv, null, null));
  }
  return out;
}

/**
 * History rows of a power-log analysis: one row per judged check (stability, cv, drift, warm-up, linearity,
 * expected power), the check's subject (e.g. "488 nm @ 80 %") as channel.
 *
 * @param result - A {@link PowerLogResult} (analysePowerLog).
 * @param context - Instrument, objective, acquisition time (default: the log's start time, else the analysis time).
 * @returns One row per check, except "rejected-rows".
 * @throws InvalidArgumentError when the context has no instrument.
 * @see analysePowerLog
 * @example
 * historyFromPowerLog(analysePowerLog(readPowerLog(path)), { instrument: "LSM980" });
 */
export function historyFromPowerLog(result: PowerLogResult, context: HistoryContext): HistoryRecord[] {
  const start = result.startTime !== null && Number.isFinite(Date.parse(result.startTime)) ? new Date(Date.parse(result.startTime)).toISOString() : undefined;
  const ctx: HistoryContext = { ...context, acquiredAt: context.acquiredAt ?? start };
  const out: HistoryRecord[] = [];
  for (const k of result.checks) {
    if (k.id === "rejected-rows") continue;
    const b = base(HISTORY_PROTOCOLS.power, result.provenance, ctx, k.subject, null);
    out.push(metricRow(b, k.id, { value: k.value, uncertainty: null, unit: k.unit }, k.level, k.limit));
  }
  return out;
}

/** The kinds of result record {@link historyFromResult} recognises. */
export type HistoryResultKind = "bead-psf" | "field-uniformity" | "power-log";

/**
 * Which protocol produced a result record read back from JSON (`limiqc psf|flatness|power --json`, or a notebook's
 * saved record), or null when it is none limiqc's history knows.
 * @param record - A parsed JSON value.
 * @returns The kind, or null.
 * @throws Never.
 * @example
 * historyResultKind(JSON.parse(readFileSync("psf.json", "utf8"))); // "bead-psf"
 */
export function historyResultKind(record: unknown): HistoryResultKind | null {
  if (typeof record !== "object" || record === null) return null;
  const r = record as Record<string, unknown>;
  if (r.kind === "bead-psf" || r.kind === "bead-psf-file") return "bead-psf";
  const isUniformity = (x: unknown) => typeof x === "object" && x !== null && "uniformity" in x && "centeringAccuracy" in x;
  if (isUniformity(r) || (Array.isArray(r.channels) && r.channels.length > 0 && r.channels.every(isUniformity))) return "field-uniformity";
  if (Array.isArray(r.checks) && Array.isArray(r.series) && Array.isArray(r.linearity) && Array.isArray(r.blocks)) return "power-log";
  return null;
}

/**
 * History rows of any supported result record (bead PSF, field uniformity, power log), dispatching on its shape.
 *
 * @param record - A result record, e.g. parsed from `limiqc psf FILE --json OUT`.
 * @param context - Instrument, objective, acquisition time.
 * @param source - Name for messages (file path). @default "result"
 * @returns The rows (validated).
 * @throws HistoryRecordError when the record is not a recognised result, or is incomplete or has non-finite values
 *   (the message names the source).
 * @throws InvalidArgumentError when the context has no instrument.
 * @see historyFromBeadPsf
 * @see historyFromFieldUniformity
 * @see historyFromPowerLog
 * @example
 * await store.insert(historyFromResult(JSON.parse(readFileSync("flat.json", "utf8")), { instrument: "LSM980" }));
 */
export function historyFromResult(record: unknown, context: HistoryContext, source = "result"): HistoryRecord[] {
  const kind = historyResultKind(record);
  if (kind === null) {
    throw new HistoryRecordError(
      `${source} is not a result record limiqc's history knows (bead PSF, field uniformity, power log).`,
      "Save results with `limiqc psf|flatness|power FILE --json OUT`, or give a history export.",
    );
  }
  try {
    if (kind === "bead-psf") return historyFromBeadPsf(record as BeadPsfResult | BeadPsfFileResult, context);
    if (kind === "field-uniformity") return historyFromFieldUniformity(record as FieldUniformityResult | FieldUniformityFileResult, context);
    return historyFromPowerLog(record as PowerLogResult, context);
  } catch (e) {
    if (e instanceof HistoryRecordError || e instanceof InvalidArgumentError) throw e;
    throw new HistoryRecordError(`${source} looks like a ${kind} result but is incomplete (${(e as Error).message}).`, "Re-run the analysis and save its record again; nothing was imported.");
  }
}
