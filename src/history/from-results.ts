/**
 * Turning protocol result records into history rows: one small mapping per protocol.
 */
import { InvalidArgumentError } from "../core/errors.js";
import { type Provenance, sha256 } from "../core/provenance.js";
import type { Quantity, VerdictLevel } from "../core/quantity.js";
import type { CoregistrationFileResult } from "../coregistration/file.js";
import type { CoregistrationResult } from "../coregistration/measure.js";
import type { CameraSeriesResult } from "../detector/camera.js";
import type { CameraDarkNoiseResult } from "../detector/dark.js";
import type { PhotonTransferResult } from "../detector/photon-transfer.js";
import type { PowerLogResult } from "../power/analyse.js";
import type { BeadPsfResult } from "../resolution/bead-psf.js";
import type { BeadPsfFileResult } from "../resolution/file.js";
import type { FieldUniformityResult } from "../uniformity/measure.js";
import type { StageSeriesResult } from "../stage/analyse.js";
import type { StageDriftResult } from "../stage/drift.js";
import type { StageCheck, StageMoveSizeResult, StageRepeatabilityResult } from "../stage/repeatability.js";
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
export const HISTORY_PROTOCOLS = {
  resolution: "resolution",
  uniformity: "field-uniformity",
  power: "illumination-power",
  coregistration: "co-registration",
  stage: "stage-focus",
  detector: "detector",
} as const;

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

/** Unit strings written for people by some checks ("µm": micro sign U+00B5 or Greek mu U+03BC) in the history's unit vocabulary (that of core Quantity: "um"). */
const HISTORY_UNIT_ALIASES: Readonly<Record<string, string>> = { "\u00b5m": "um", "\u03bcm": "um" };

/** The history unit of a check's unit string: "µm" → "um" (as the bead PSF rows), everything else unchanged. */
function historyUnit(unit: string): string {
  return HISTORY_UNIT_ALIASES[unit] ?? unit;
}

/** Channel label of a co-registration pair: both channels' labels, e.g. "520 nm→600 nm". */
function pairLabel(channels: CoregistrationResult["channels"], reference: number, target: number): string {
  const label = (i: number): string => {
    const c = channels[i];
    return c === undefined ? `channel ${i}` : channelLabel({ index: c.index, name: c.name, emissionWavelengthNm: c.emissionWavelengthNm ?? undefined });
  };
  return `${label(reference)}→${label(target)}`;
}

/**
 * History rows of a chromatic co-registration measurement, per channel pair (channel = the pair, e.g.
 * "520 nm→600 nm"): the bead count; the median co-registration ratio (judged: the pair's verdict, limit ≤ ratioLimit);
 * the maximum ratio and the share of beads above the limit (%); the mean shift x, y (and z for stacks), nm ± standard
 * error; the median ISO 21073 lateral (and axial) distance, nm.
 *
 * @param result - A {@link CoregistrationResult} (measureCoregistration) or {@link CoregistrationFileResult}
 *   (measureCoregistrationFile, `limiqc coreg FILE --json`).
 * @param context - Instrument, objective, acquisition time.
 * @returns Nine rows per pair of a z-stack, seven of a single plane (no z shift, no axial distance); a pair without
 *   any bead fitted in both channels gives only its bead count (0), carrying the pair's verdict (fail).
 * @throws InvalidArgumentError when the context has no instrument.
 *
 * Notes: the ratio row carries the pair's verdict, which is judged on the median ratio and warns when more than 10 %
 * of the beads exceed the limit while the median passes. Medians (ratio, distances) have no stated uncertainty
 * (null); the mean shifts carry their inverse-variance standard error.
 * @see measureCoregistration
 * @example
 * historyFromCoregistration(await measureCoregistrationFile(path), { instrument: "LSM980" }).map((r) => `${r.channel} ${r.metric}`);
 * // ["520 nm→600 nm beads", "520 nm→600 nm medianRatio", "520 nm→600 nm maxRatio", ...]
 */
export function historyFromCoregistration(result: CoregistrationResult | CoregistrationFileResult, context: HistoryContext): HistoryRecord[] {
  const fileSha = "sha256" in result ? result.sha256 : null;
  const ratioLimit = `≤ ${result.options.ratioLimit}`;
  const out: HistoryRecord[] = [];
  for (const p of result.pairs) {
    const b = base(HISTORY_PROTOCOLS.coregistration, result.provenance, context, pairLabel(result.channels, p.reference, p.target), fileSha);
    const s = p.summary;
    out.push(metricRow(b, "beads", { value: s.n, uncertainty: null, unit: "1" }, s.n === 0 ? p.verdict.level : null, null));
    if (s.n === 0) continue;
    out.push(metricRow(b, "medianRatio", { value: s.medianRatio, uncertainty: null, unit: "1" }, p.verdict.level, ratioLimit));
    out.push(metricRow(b, "maxRatio", { value: s.maxRatio, uncertainty: null, unit: "1" }, null, null));
    out.push(metricRow(b, "beadsAboveLimit", { value: s.beadsAboveLimitPercent, uncertainty: null, unit: "%" }, null, null));
    out.push(metricRow(b, "meanShiftX", s.meanDxNm, null, null));
    out.push(metricRow(b, "meanShiftY", s.meanDyNm, null, null));
    if (result.axialMeasured) out.push(metricRow(b, "meanShiftZ", s.meanDzNm, null, null));
    out.push(metricRow(b, "medianLateralDistance", { value: s.medianLateralNm, uncertainty: null, unit: "nm" }, null, null));
    if (result.axialMeasured) out.push(metricRow(b, "medianAxialDistance", { value: s.medianAxialNm, uncertainty: null, unit: "nm" }, null, null));
  }
  return out;
}

/** The stated uncertainty behind a stage check, found by its id and subject ("300 µm moves, x"); null when none. */
function stageCheckUncertainty(check: StageCheck, sizes: readonly StageMoveSizeResult[], drift: StageDriftResult | null): number | null {
  if (check.id === "stabilisation") return drift?.stabilisation.timeS?.uncertainty ?? null;
  for (const s of sizes) {
    for (const axis of ["x", "y"] as const) {
      if (check.subject !== `${s.moveSizeUm} µm moves, ${axis}`) continue;
      if (check.id === "sd") return (axis === "x" ? s.sdAllXUm : s.sdAllYUm).uncertainty;
      if (check.id === "reversal") return (axis === "x" ? s.isoX : s.isoY)?.reversalUm.uncertainty ?? null;
    }
  }
  return null;
}

/**
 * History rows of a stage result: one row per judged check, the check's subject (e.g. "300 µm moves, x", "drift")
 * as channel: SD over all captures and |reversal value B| per move size and axis (repeatability), or the
 * stabilisation time (drift).
 *
 * @param result - A {@link StageRepeatabilityResult} (measureStageRepeatability, `limiqc stage positions.csv --json`),
 *   a {@link StageSeriesResult} (analyseStageSeries, `limiqc stage FILE.tif --json`) or a {@link StageDriftResult}
 *   (measureStageDrift, `limiqc stage FILE --drift --json`).
 * @param context - Instrument, objective, acquisition time.
 * @returns One row per check, in µm ("um", as the bead PSF rows) or s.
 * @throws InvalidArgumentError when the context has no instrument.
 *
 * Notes: uncertainties are those the result states: s/√(2(n − 1)) for the SDs, the standard error of B for the
 * reversal, one frame interval for the stabilisation time (none when the stage did not stabilise).
 * @see measureStageRepeatability
 * @see measureStageDrift
 * @example
 * historyFromStage(measureStageRepeatability(parseStagePositions(text)), { instrument: "LSM980" }).map((r) => `${r.metric} (${r.channel})`);
 * // ["sd (300 µm moves, x)", "sd (300 µm moves, y)", "reversal (300 µm moves, x)", ...]
 */
export function historyFromStage(result: StageRepeatabilityResult | StageSeriesResult | StageDriftResult, context: HistoryContext): HistoryRecord[] {
  const repeatability = "repeatability" in result ? result.repeatability : "sizes" in result ? result : null;
  const drift = "stabilisation" in result ? result : null;
  const checks = repeatability?.checks ?? drift?.checks ?? [];
  const out: HistoryRecord[] = [];
  for (const k of checks) {
    const b = base(HISTORY_PROTOCOLS.stage, result.provenance, context, k.subject, null);
    const uncertainty = stageCheckUncertainty(k, repeatability?.sizes ?? [], drift);
    out.push(metricRow(b, k.id, { value: k.value, uncertainty, unit: historyUnit(k.unit) }, k.level, k.limit));
  }
  return out;
}

/** SHA-256 of a multi-file input (a camera folder): the file's own hash for one file, else the hash of the sorted file hashes. */
function inputsDigest(prov: Provenance): string | null {
  const hashes = prov.inputs.map((i) => i.sha256).filter((h) => typeof h === "string" && h.length > 0);
  if (hashes.length <= 1) return hashes[0] ?? null;
  return sha256([...hashes].sort().join("\n"));
}

/** Rows of the photon-transfer part of a camera result: characteristics (with standard errors) and judged checks. */
function photonTransferRows(b: ReturnType<typeof base>, t: PhotonTransferResult): HistoryRecord[] {
  const out = [metricRow(b, "conversionGain", t.conversionGainEPerAdu, null, null), metricRow(b, "offset", t.offsetAdu, null, null), metricRow(b, "readNoise", t.readNoiseE, null, null)];
  if (t.darkCurrentEPerS) out.push(metricRow(b, "darkCurrent", t.darkCurrentEPerS, null, null));
  if (t.saturation) out.push(metricRow(b, "saturationCapacity", t.saturation.capacityE, null, null));
  if (t.dynamicRange) out.push(metricRow(b, "dynamicRange", { value: t.dynamicRange.db, uncertainty: null, unit: "dB" }, null, null));
  out.push(metricRow(b, "dsnu", t.dsnuE, null, null));
  if (t.prnuPercent) out.push(metricRow(b, "prnu", t.prnuPercent, null, null));
  if (t.quantumEfficiency) out.push(metricRow(b, "quantumEfficiency", t.quantumEfficiency, null, null));
  for (const k of t.checks) {
    // without a measured dark current the check is a placeholder (value 0, warn): not a QC point
    if (k.id === "dark-current-ratio" && !t.darkCurrentEPerS) continue;
    out.push(metricRow(b, k.id, { value: k.value, uncertainty: null, unit: k.unit }, k.level, k.limit));
  }
  return out;
}

/** Rows of a dark-noise test: offset, DSNU and read noise (e⁻ with a conversion gain, else ADU and "…Adu" metrics), defect pixels, checks. */
function darkNoiseRows(b: ReturnType<typeof base>, d: CameraDarkNoiseResult): HistoryRecord[] {
  const electrons = d.dsnuE !== null && d.readNoiseMedianE !== null && d.readNoiseRmsE !== null;
  const out = [metricRow(b, "darkOffset", d.offsetAdu, null, null)];
  if (electrons) {
    out.push(metricRow(b, "darkDsnu", d.dsnuE as Quantity, null, null));
    out.push(metricRow(b, "readNoiseMedian", d.readNoiseMedianE as Quantity, null, null));
    out.push(metricRow(b, "readNoiseRms", d.readNoiseRmsE as Quantity, null, null));
  } else {
    out.push(metricRow(b, "darkDsnuAdu", d.dsnuAdu, null, null));
    out.push(metricRow(b, "readNoiseMedianAdu", d.readNoiseMedianAdu, null, null));
    out.push(metricRow(b, "readNoiseRmsAdu", d.readNoiseRmsAdu, null, null));
  }
  out.push(metricRow(b, "warmPixels", { value: d.warm.percent, uncertainty: null, unit: "%" }, null, null));
  out.push(metricRow(b, "coldPixels", { value: d.cold.percent, uncertainty: null, unit: "%" }, null, null));
  out.push(metricRow(b, "hotPixels", { value: d.hot.percent, uncertainty: null, unit: "%" }, null, null));
  for (const k of d.checks) {
    // the dark test's read-noise check (median / specification) must not collide with the photon-transfer one
    const metric = k.id === "read-noise-ratio" ? "median-read-noise-ratio" : k.id;
    out.push(metricRow(b, metric, { value: k.value, uncertainty: null, unit: k.unit }, k.level, k.limit));
  }
  return out;
}

/**
 * History rows of a camera (detector) result: from the EMVA 1288 photon transfer the conversion gain (e-/ADU),
 * offset (ADU), read noise (e-), dark current (e-/s), saturation capacity (e-), dynamic range (dB), DSNU (e-), PRNU (%)
 * and QE (1), each with its standard error where the result states one, and the judged checks (deviation from the
 * specification, linearity error); from the dark-noise test the dark offset, DSNU, median and RMS read noise, warm /
 * cold / hot pixels (% of the sensor) and the defect-pixel check. Channel null (a camera has no channel).
 *
 * @param result - A {@link CameraSeriesResult} (analyseCameraSeries, `limiqc ptc FOLDER --json`), a
 *   {@link PhotonTransferResult} (measurePhotonTransfer) or a {@link CameraDarkNoiseResult} (measureCameraDarkNoise).
 * @param context - Instrument, objective, acquisition time.
 * @returns The rows; quantities the acquisition could not give (no saturation reached, a single dark exposure, no
 *   photon calibration) are left out, not stored as 0.
 * @throws InvalidArgumentError when the context has no instrument.
 *
 * Notes: the input SHA-256 of a folder is the SHA-256 of its files' sorted hashes, so re-storing the same folder is
 * recognised. The dark-current-ratio check without a measured dark current (a placeholder 0) is not stored, and the
 * dark test's read-noise check is stored as "median-read-noise-ratio".
 * @see analyseCameraSeries
 * @example
 * historyFromDetector(analyseCameraSeries(await readCameraSeries(folder)), { instrument: "LSM980-cam1" }).find((r) => r.metric === "readNoise")?.unit;
 * // "e-"
 */
export function historyFromDetector(result: CameraSeriesResult | PhotonTransferResult | CameraDarkNoiseResult, context: HistoryContext): HistoryRecord[] {
  const b = base(HISTORY_PROTOCOLS.detector, result.provenance, context, null, inputsDigest(result.provenance));
  if ("photonTransfer" in result) return [...photonTransferRows(b, result.photonTransfer), ...(result.darkNoise ? darkNoiseRows(b, result.darkNoise) : [])];
  if ("conversionGainEPerAdu" in result) return photonTransferRows(b, result);
  return darkNoiseRows(b, result);
}

/** The kinds of result record {@link historyFromResult} recognises (the last three are named by their protocol). */
export type HistoryResultKind = "bead-psf" | "field-uniformity" | "power-log" | "co-registration" | "stage" | "detector";

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
/** measureStageRepeatability's record. */
const isStageRepeatability = (x: unknown): boolean => isObject(x) && Array.isArray(x.sizes) && Array.isArray(x.checks) && isObject(x.limits);
/** measurePhotonTransfer's record. */
const isPhotonTransfer = (x: unknown): boolean => isObject(x) && isObject(x.conversionGainEPerAdu) && isObject(x.systemGainAduPerE) && Array.isArray(x.levels) && Array.isArray(x.checks);
/** measureCameraDarkNoise's record. */
const isDarkNoise = (x: unknown): boolean => isObject(x) && isObject(x.readNoiseMedianAdu) && typeof x.defectPercent === "number" && Array.isArray(x.checks);

/**
 * Which protocol produced a result record read back from JSON (`limiqc psf|flatness|power|coreg|stage|ptc --json`, or a
 * notebook's saved record), or null when it is none limiqc's history knows.
 * @param record - A parsed JSON value.
 * @returns The kind, or null.
 * @throws Never.
 *
 * Notes: each kind is told by fields no other kind has: bead PSF by `kind`; field uniformity by uniformity +
 * centeringAccuracy (per channel); power log by checks + series + linearity + blocks; co-registration by pairs + beads
 * + counts + axialMeasured; stage by sizes + checks + limits (repeatability, also nested as `repeatability` next to
 * `localisation` for an image series) or stabilisation + timesS + checks (drift); detector by photonTransfer +
 * darkNoise + checks (camera series), conversionGainEPerAdu + systemGainAduPerE + levels + checks (photon transfer) or
 * readNoiseMedianAdu + defectPercent + checks (dark test).
 * @example
 * historyResultKind(JSON.parse(readFileSync("psf.json", "utf8"))); // "bead-psf"
 * historyResultKind(JSON.parse(readFileSync("ptc.json", "utf8"))); // "detector"
 */
export function historyResultKind(record: unknown): HistoryResultKind | null {
  if (!isObject(record)) return null;
  const r = record;
  if (r.kind === "bead-psf" || r.kind === "bead-psf-file") return "bead-psf";
  const isUniformity = (x: unknown) => typeof x === "object" && x !== null && "uniformity" in x && "centeringAccuracy" in x;
  if (isUniformity(r) || (Array.isArray(r.channels) && r.channels.length > 0 && r.channels.every(isUniformity))) return "field-uniformity";
  if (Array.isArray(r.checks) && Array.isArray(r.series) && Array.isArray(r.linearity) && Array.isArray(r.blocks)) return "power-log";
  if (Array.isArray(r.pairs) && Array.isArray(r.beads) && isObject(r.counts) && typeof r.axialMeasured === "boolean") return "co-registration";
  const isDrift = isObject(r.stabilisation) && Array.isArray(r.timesS) && Array.isArray(r.checks);
  if (isStageRepeatability(r) || (isObject(r.localisation) && isStageRepeatability(r.repeatability)) || isDrift) return "stage";
  const isCameraSeries = isPhotonTransfer(r.photonTransfer) && (r.darkNoise === null || isDarkNoise(r.darkNoise)) && Array.isArray(r.checks);
  if (isCameraSeries || isPhotonTransfer(r) || isDarkNoise(r)) return "detector";
  return null;
}

/**
 * History rows of any supported result record (bead PSF, field uniformity, power log, co-registration, stage,
 * detector), dispatching on its shape.
 *
 * @param record - A result record, e.g. parsed from `limiqc psf FILE --json OUT`.
 * @param context - Instrument, objective, acquisition time.
 * @param source - Name for messages (file path). @default "result"
 * @returns The rows (validated).
 * @throws HistoryRecordError when the record is not a recognised result, or is incomplete or has non-finite values
 *   (the message names the source).
 * @throws InvalidArgumentError when the context has no instrument.
 * @see historyResultKind
 * @see historyFromBeadPsf
 * @see historyFromFieldUniformity
 * @see historyFromPowerLog
 * @see historyFromCoregistration
 * @see historyFromStage
 * @see historyFromDetector
 * @example
 * await store.insert(historyFromResult(JSON.parse(readFileSync("flat.json", "utf8")), { instrument: "LSM980" }));
 */
export function historyFromResult(record: unknown, context: HistoryContext, source = "result"): HistoryRecord[] {
  const kind = historyResultKind(record);
  if (kind === null) {
    throw new HistoryRecordError(
      `${source} is not a result record limiqc's history knows (bead PSF, field uniformity, power log, co-registration, stage, detector).`,
      "Save results with `limiqc psf|flatness|power|coreg|stage FILE --json OUT` or `limiqc ptc FOLDER --json OUT`, or give a history export.",
    );
  }
  try {
    if (kind === "bead-psf") return historyFromBeadPsf(record as BeadPsfResult | BeadPsfFileResult, context);
    if (kind === "field-uniformity") return historyFromFieldUniformity(record as FieldUniformityResult | FieldUniformityFileResult, context);
    if (kind === "co-registration") return historyFromCoregistration(record as CoregistrationResult | CoregistrationFileResult, context);
    if (kind === "stage") return historyFromStage(record as StageRepeatabilityResult | StageSeriesResult | StageDriftResult, context);
    if (kind === "detector") return historyFromDetector(record as CameraSeriesResult | PhotonTransferResult | CameraDarkNoiseResult, context);
    return historyFromPowerLog(record as PowerLogResult, context);
  } catch (e) {
    if (e instanceof HistoryRecordError || e instanceof InvalidArgumentError) throw e;
    throw new HistoryRecordError(`${source} looks like a ${kind} result but is incomplete (${(e as Error).message}).`, "Re-run the analysis and save its record again; nothing was imported.");
  }
}
