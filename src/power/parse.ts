/**
 * Power-meter log readers (QUAREP-LiMi WG1): SmartLPM tab-separated logs, Thorlabs power-meter exports and any
 * CSV/TSV table with a time column and a power column chosen by name.
 *
 * Every non-blank line after the header either becomes a reading or is listed in `rejectedRows` with its line
 * number and the reason: nothing is dropped silently.
 */
import { readFile } from "node:fs/promises";
import { CorruptFileError, InvalidArgumentError, LimiqcError, MissingMetadataError } from "../core/errors.js";
import { sha256 } from "../core/provenance.js";

/** Which layout a log was recognised as. */
export type PowerLogFormat = "smartlpm" | "thorlabs" | "generic";

/** How the time column was interpreted. */
export type PowerLogTimeKind =
  /** Date and time with an explicit UTC offset ("Z", "+01:00"): exact. */
  | "zoned"
  /** Date and time without an offset: read as wall-clock time (a daylight-saving change inside the log shifts it by 1 h). */
  | "wall-clock"
  /** Time of day only: midnight roll-overs are detected (a backward step of more than 12 h adds a day). */
  | "time-of-day"
  /** Elapsed time since the start, in the header's unit (s when none). */
  | "elapsed";

/** Order of day and month in slash dates like 03/04/2024. */
export type DateOrder = "MDY" | "DMY";

/** Options of {@link parsePowerLog}. Column names are matched case-insensitively, ignoring a unit in brackets. */
export interface ParsePowerLogOptions {
  /** Name of the time column (e.g. "timestamp", "Time of day"). @default auto: timestamp, time, date time, elapsed, t, ... */
  readonly timeColumn?: string;
  /** Name of a separate date column combined with a time-of-day column. @default auto: "date" when present */
  readonly dateColumn?: string;
  /** Name of the power column. @default auto: power, optical power, measured power, p, value */
  readonly powerColumn?: string;
  /** Name of the wavelength column (nm). @default auto: wavelength, lambda, wl */
  readonly wavelengthColumn?: string;
  /** Name of the set-point column (%). @default auto: setting, set point, set power, laser power [%] */
  readonly settingColumn?: string;
  /** Name of the temperature column (°C). @default auto: temperature, temp */
  readonly temperatureColumn?: string;
  /** Unit of the power column when its header has none: "W", "mW", "uW", "nW", "pW" or "dBm". @default "mW" (with a note) */
  readonly powerUnit?: string;
  /** Field separator. @default auto: tab, else ";", else "," on the header line */
  readonly delimiter?: "\t" | "," | ";";
  /** Day/month order of slash dates (dot dates are always day.month.year). @default "MDY" */
  readonly dateOrder?: DateOrder;
  /** Wavelength of every reading when the log has no wavelength column, nm. @default a "Wavelength … 640" line above the table, else none */
  readonly wavelengthNm?: number;
}

/** A line that could not be read, with the reason. Line numbers are 1-based, as an editor shows them. */
export interface RejectedRow {
  readonly line: number;
  readonly text: string;
  readonly reason: string;
}

/** A parsed power log: one entry per reading, in file order. */
export interface PowerLogData {
  readonly format: PowerLogFormat;
  /** Header names used for each quantity (null when absent). */
  readonly columns: {
    readonly time: string;
    readonly date: string | null;
    readonly power: string;
    readonly wavelength: string | null;
    readonly setting: string | null;
    readonly temperature: string | null;
  };
  /** Unit the file's power column was in (readings are converted to mW). */
  readonly sourcePowerUnit: string;
  readonly timeKind: PowerLogTimeKind;
  /** Time of the first reading: ISO 8601 (with offset for "zoned", without for "wall-clock"), or null when the log has no dates. */
  readonly startTime: string | null;
  /** Time of each reading from the first reading, s. */
  readonly timesS: readonly number[];
  /** Power of each reading, mW. */
  readonly powersMw: readonly number[];
  /** Wavelength of each reading, nm (null where unknown); null when the log has no wavelength at all. */
  readonly wavelengthsNm: readonly (number | null)[] | null;
  /** Set point of each reading, % (null where unknown); null when the log has no set-point column. */
  readonly settingsPercent: readonly (number | null)[] | null;
  /** Temperature of each reading, °C (null where empty); null when the log has no temperature column. */
  readonly temperaturesC: readonly (number | null)[] | null;
  /** 1-based line number of each reading in the file. */
  readonly lineNumbers: readonly number[];
  /** Lines after the header that could not be read. */
  readonly rejectedRows: readonly RejectedRow[];
  /** Recoverable oddities (assumed units, mixed offsets, ...). */
  readonly notes: readonly string[];
  /** Source file, when read from disk. */
  readonly file?: string;
  /** SHA-256 of the file's bytes (or of the text when parsed from a string). */
  readonly sha256: string;
}

/** SmartLPM's header, which identifies its logs. */
const SMARTLPM_HEADER = ["timestamp", "wavelength[nm]", "setting[%]", "power[mw]"];
/** Lines searched for the header row (instrument exports put metadata above the table). */
const MAX_HEADER_SCAN_LINES = 80;
const MS_PER_S = 1000;
const MS_PER_DAY = 86_400_000;
const HALF_DAY_MS = MS_PER_DAY / 2;
/** Longest text of a rejected line kept in the record. */
const MAX_REJECTED_TEXT = 120;

const POWER_TO_MW: Readonly<Record<string, number>> = { w: 1e3, mw: 1, uw: 1e-3, "µw": 1e-3, μw: 1e-3, nw: 1e-6, pw: 1e-9 };
const TIME_TO_S: Readonly<Record<string, number>> = { s: 1, sec: 1, ms: 1e-3, min: 60, h: 3600 };

const TIME_NAMES = /^(time ?stamp|time|date ?time|time of day|clock|elapsed|elapsed time|t|time elapsed|relative time|seconds)$/;
const DATE_NAMES = /^(date|day)$/;
const POWER_NAMES = /^(power|optical power|measured power|power reading|p|value|reading)$/;
const WAVELENGTH_NAMES = /^(wavelength|lambda|λ|wl|line)$/;
const SETTING_NAMES = /^(setting|set ?point|set ?power|power setting|laser power|level|power set ?point|output)$/;
const TEMPERATURE_NAMES = /^(temperature|temp|sensor temperature)$/;

interface HeaderField {
  readonly raw: string;
  /** Lower-case name without the unit. */
  readonly name: string;
  /** Lower-case unit from [..] or (..), "" when none. */
  readonly unit: string;
}

function splitHeaderField(raw: string): HeaderField {
  const t = raw.trim().replace(/^"|"$/g, "");
  const m = /^(.*?)\s*[[(]([^\])]*)[\])]\s*$/.exec(t);
  const name = (m ? m[1] : t).trim().toLowerCase().replace(/\s+/g, " ");
  const unit = m ? m[2].trim().toLowerCase() : "";
  return { raw: t, name, unit };
}

function splitLine(line: string, delimiter: string): string[] {
  if (!line.includes('"')) return line.split(delimiter);
  // minimal CSV quoting: "a,b" stays one field, "" is a literal quote
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') {
      if (quoted && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else quoted = !quoted;
    } else if (ch === delimiter && !quoted) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function detectDelimiter(line: string): "\t" | ";" | "," {
  if (line.includes("\t")) return "\t";
  if (line.includes(";")) return ";";
  return ",";
}

function findColumn(fields: readonly HeaderField[], explicit: string | undefined, pattern: RegExp, what: string): number {
  if (explicit !== undefined) {
    const want = splitHeaderField(explicit);
    const i = fields.findIndex((f) => f.raw.toLowerCase() === explicit.trim().toLowerCase() || f.name === want.name);
    if (i < 0) {
      throw new MissingMetadataError(
        `The log has no ${what} column named "${explicit}"; its columns are ${fields.map((f) => `"${f.raw}"`).join(", ")}.`,
        `Pass the exact header of the ${what} column, or omit the option to detect it.`,
      );
    }
    return i;
  }
  return fields.findIndex((f) => pattern.test(f.name));
}

/** Parses a decimal number; with `decimalComma` a single comma is the decimal mark. Returns null when not a finite number. */
function parseNumber(s: string, decimalComma: boolean): number | null {
  let t = s.trim().replace(/^"|"$/g, "");
  if (t === "") return null;
  if (decimalComma && /^[-+]?\d*,\d+(e[-+]?\d+)?$/i.test(t)) t = t.replace(",", ".");
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

interface ParsedTime {
  /** ms: since the epoch (zoned / wall-clock read as UTC), since midnight (time-of-day) or elapsed. */
  readonly ms: number;
  readonly kind: PowerLogTimeKind;
}

const ISO_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(AM|PM)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const SLASH_RE = /^(\d{1,2})([/.])(\d{1,2})[/.](\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(AM|PM)?)?$/i;
const TOD_RE = /^(\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d+))?\s*(AM|PM)?$/i;

function fractionMs(frac: string | undefined): number {
  return frac ? Number(`0.${frac}`) * MS_PER_S : 0;
}

function hour24(h: number, ampm: string | undefined): number {
  if (!ampm) return h;
  const pm = ampm.toUpperCase() === "PM";
  return (h % 12) + (pm ? 12 : 0);
}

function validClock(h: number, mi: number, s: number): boolean {
  return h <= 23 && mi <= 59 && s <= 60;
}

function utcMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number | null {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || !validClock(h, mi, s)) return null;
  const v = Date.UTC(y, mo - 1, d, h, mi, s) + ms;
  // reject 31 February and the like (Date.UTC rolls them over)
  const back = new Date(v - ms);
  return back.getUTCDate() === d ? v : null;
}

/**
 * Parses one timestamp.
 * @returns the time in ms and its kind, or null when the text is not a timestamp limiqc understands.
 */
function parseTimestamp(text: string, dateOrder: DateOrder, elapsedUnitS: number | null, decimalComma: boolean): ParsedTime | null {
  const s = text.trim().replace(/^"|"$/g, "");
  if (elapsedUnitS !== null) {
    const v = parseNumber(s, decimalComma);
    return v === null ? null : { ms: v * elapsedUnitS * MS_PER_S, kind: "elapsed" };
  }
  let m = ISO_RE.exec(s);
  if (m) {
    const h = hour24(Number(m[4]), m[8]);
    const base = utcMs(Number(m[1]), Number(m[2]), Number(m[3]), h, Number(m[5]), Number(m[6] ?? 0), fractionMs(m[7]));
    if (base === null) return null;
    if (!m[9]) return { ms: base, kind: "wall-clock" };
    if (m[9].toUpperCase() === "Z") return { ms: base, kind: "zoned" };
    const sign = m[9][0] === "-" ? -1 : 1;
    const digits = m[9].slice(1).replace(":", "");
    const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4));
    return { ms: base - sign * offsetMin * 60_000, kind: "zoned" };
  }
  m = SLASH_RE.exec(s);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[3]);
    const dayFirst = m[2] === "." || dateOrder === "DMY";
    const [d, mo] = dayFirst ? [a, b] : [b, a];
    const h = m[5] ? hour24(Number(m[5]), m[9]) : 0;
    const v = utcMs(Number(m[4]), mo, d, h, Number(m[6] ?? 0), Number(m[7] ?? 0), fractionMs(m[8]));
    return v === null ? null : { ms: v, kind: "wall-clock" };
  }
  m = TOD_RE.exec(s);
  if (m) {
    const h = hour24(Number(m[1]), m[5]);
    if (!validClock(h, Number(m[2]), Number(m[3]))) return null;
    return { ms: ((h * 60 + Number(m[2])) * 60 + Number(m[3])) * MS_PER_S + fractionMs(m[4]), kind: "time-of-day" };
  }
  return null;
}

function powerFactor(unit: string): number | "dbm" | null {
  const u = unit.replace(/\s/g, "").toLowerCase();
  if (u === "dbm") return "dbm";
  return POWER_TO_MW[u] ?? null;
}

function isoOf(ms: number, zoned: boolean): string {
  const iso = new Date(ms).toISOString();
  return zoned ? iso : iso.slice(0, -1);
}

function clip(text: string): string {
  return text.length > MAX_REJECTED_TEXT ? `${text.slice(0, MAX_REJECTED_TEXT)}…` : text;
}

/**
 * Parses a power-meter log from text: SmartLPM TSV, Thorlabs power-meter exports, or any delimited table with a
 * time column and a power column found by name.
 *
 * @param text - The file's text.
 * @param options - Column names, power unit, delimiter, date order, a constant wavelength; see {@link ParsePowerLogOptions}.
 * @returns The readings (times from the first reading in s, power in mW, wavelength nm, set point %, temperature °C),
 *   the rejected lines with their line numbers and reasons, and notes.
 * @throws CorruptFileError when no header row with a time and a power column is found in the first 80 lines, or
 *   when no line after the header is readable.
 * @throws MissingMetadataError when an explicitly named column does not exist.
 * @throws InvalidArgumentError for an unknown power unit.
 *
 * Notes: the header row is the first line (of the first 80) that has both a time-like and a power-like column
 * name, so instrument metadata above the table is skipped. Units come from brackets in the header
 * ("power[mW]", "Power (W)", "Time (s)"); power is converted to mW ("dBm" via 10^(dBm/10)). Timestamps may be ISO
 * 8601 with or without an offset ("2024-11-08T17:27:32.678+01:00", "2024-11-08 17:27:32.678"), slash or dot dates
 * ("11/08/2024 5:27:32 PM", "08.11.2024 17:27:32"; a date header "Date (dd/MM/yyyy)" sets the order), a time of day (a separate date column is combined with it), or
 * elapsed time (a numeric time column; unit from the header, else seconds). With ";" as the delimiter a decimal
 * comma is accepted. A line is rejected (and listed) when it has too few fields, an unreadable time or power, a
 * time earlier than the previous reading, or repeats the header. Blank lines are skipped. Sampling need not be
 * regular. The Thorlabs Optical Power Monitor export layout could not be checked against a real file; it is read
 * through the generic rules (header row with e.g. "Time of day (hh:mm:ss)" or "Date" + "Time", and "Power (W)").
 * @example
 * const log = parsePowerLog("timestamp\twavelength[nm]\tsetting[%]\tpower[mW]\n2024-11-08 17:27:32.678\t488\t30\t2.5e-04\nxx\n");
 * // log.format → "smartlpm"; log.powersMw → [0.00025]; log.rejectedRows[0].line → 3
 * @see QUAREP-LiMi/SmartLPM (log format); quarep-protocols.md §WG1.
 */
export function parsePowerLog(text: string, options: ParsePowerLogOptions = {}): PowerLogData {
  return parseInternal(text, options, undefined, sha256(text));
}

/**
 * Reads a power-meter log file (UTF-8, or UTF-16 with a byte-order mark) and parses it with {@link parsePowerLog}.
 *
 * @param path - The log file.
 * @param options - As {@link parsePowerLog}.
 * @returns The parsed log with `file` and the SHA-256 of its bytes.
 * @throws LimiqcError when the file cannot be read (missing, permission).
 * @throws CorruptFileError, MissingMetadataError, InvalidArgumentError as {@link parsePowerLog}.
 * @see parsePowerLog
 */
export async function readPowerLog(path: string, options: ParsePowerLogOptions = {}): Promise<PowerLogData> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new LimiqcError(`Cannot read the power log ${path}: ${(e as Error).message}`, "Check the path and that the file is readable.");
  }
  let text: string;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) text = bytes.subarray(2).toString("utf16le");
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) text = Buffer.from(bytes.subarray(2)).swap16().toString("utf16le");
  else text = bytes.toString("utf8").replace(/^\uFEFF/, "");
  return parseInternal(text, options, path, sha256(bytes));
}

function parseInternal(text: string, options: ParsePowerLogOptions, file: string | undefined, digest: string): PowerLogData {
  const lines = text.split(/\r\n|\n|\r/);
  const notes: string[] = [];
  let dateOrder: DateOrder = options.dateOrder ?? "MDY";
  // --- header ---
  let headerIdx = -1;
  let delimiter: "\t" | ";" | "," = options.delimiter ?? "\t";
  let fields: HeaderField[] = [];
  let iTime = -1;
  let iPower = -1;
  const scan = Math.min(lines.length, MAX_HEADER_SCAN_LINES);
  for (let i = 0; i < scan; i++) {
    const line = lines[i];
    if (!line.trim()) continue;
    const d = options.delimiter ?? detectDelimiter(line);
    const f = splitLine(line, d).map(splitHeaderField);
    if (f.length < 2) continue;
    const hasNumbers = f.filter((x) => parseNumber(x.raw, d === ";") !== null).length;
    if (hasNumbers >= f.length - 1) continue; // a data row, not a header
    const t = findColumnSafe(f, options.timeColumn, TIME_NAMES);
    const p = findColumnSafe(f, options.powerColumn, POWER_NAMES);
    if (t >= 0 && p >= 0 && t !== p) {
      headerIdx = i;
      delimiter = d;
      fields = f;
      iTime = t;
      iPower = p;
      break;
    }
  }
  if (headerIdx < 0) {
    throw new CorruptFileError(
      `No header row with a time column and a power column was found in the first ${scan} lines${file ? ` of ${file}` : ""}.`,
      'The table needs a header such as "timestamp<TAB>power[mW]" or "Time (s),Power (W)"; name the columns with timeColumn/powerColumn if they are called differently.',
    );
  }
  // explicit names must exist (throws MissingMetadataError otherwise)
  if (options.timeColumn !== undefined) iTime = findColumn(fields, options.timeColumn, TIME_NAMES, "time");
  if (options.powerColumn !== undefined) iPower = findColumn(fields, options.powerColumn, POWER_NAMES, "power");
  const iDate = options.dateColumn !== undefined ? findColumn(fields, options.dateColumn, DATE_NAMES, "date") : fields.findIndex((f, k) => k !== iTime && DATE_NAMES.test(f.name));
  if (options.dateOrder === undefined && iDate >= 0 && /^dd[/.]mm/.test(fields[iDate].unit)) dateOrder = "DMY";
  const iWave = findColumn(fields, options.wavelengthColumn, WAVELENGTH_NAMES, "wavelength");
  const iSet = findColumn(fields, options.settingColumn, SETTING_NAMES, "set-point");
  const iTemp = findColumn(fields, options.temperatureColumn, TEMPERATURE_NAMES, "temperature");
  const headerNames = fields.map((f) => f.raw.toLowerCase().replace(/\s/g, ""));
  const isSmartLpm = SMARTLPM_HEADER.every((h, k) => headerNames[k] === h);
  const preamble = lines.slice(0, headerIdx).join("\n");
  const format: PowerLogFormat = isSmartLpm ? "smartlpm" : /thorlabs|pm100|pm400|optical power monitor/i.test(preamble + fields.map((f) => f.raw).join(" ")) ? "thorlabs" : "generic";
  const decimalComma = delimiter === ";";
  // a constant wavelength: the option, else "Wavelength ... 640" in the metadata above the table
  let constWave: number | null = options.wavelengthNm ?? null;
  if (iWave < 0 && constWave === null) {
    const m = /wavelength[^\n\d]*?(\d{3,4}(?:\.\d+)?)/i.exec(preamble);
    if (m) {
      constWave = Number(m[1]);
      notes.push(`Wavelength ${constWave} nm taken from the metadata above the table.`);
    }
  }

  // --- units ---
  let unitText = fields[iPower].unit;
  if (!unitText) {
    unitText = options.powerUnit ?? "mW";
    if (options.powerUnit === undefined) notes.push(`The power column "${fields[iPower].raw}" names no unit; readings were taken as mW.`);
  }
  const factor = powerFactor(unitText);
  if (factor === null) {
    throw new InvalidArgumentError(
      `Power unit "${unitText}" (column "${fields[iPower].raw}") is not one limiqc reads; expected W, mW, µW, nW, pW or dBm.`,
      "Pass powerUnit with the unit of the readings.",
    );
  }
  const timeField = fields[iTime];
  const timeUnit = timeField.unit.replace(/\s/g, "");
  const elapsedUnitS = timeUnit in TIME_TO_S ? TIME_TO_S[timeUnit] : null;

  // --- rows ---
  const need = Math.max(iTime, iPower, iDate) + 1;
  const timesMs: number[] = [];
  const powers: number[] = [];
  const waves: (number | null)[] = [];
  const sets: (number | null)[] = [];
  const temps: (number | null)[] = [];
  const lineNumbers: number[] = [];
  const rejected: RejectedRow[] = [];
  const kinds = new Set<PowerLogTimeKind>();
  let dayOffsetMs = 0;
  let lastRawMs = Number.NEGATIVE_INFINITY;
  let lastMs = Number.NEGATIVE_INFINITY;
  let elapsedFallback = false;
  const headerLine = lines[headerIdx].trim();
  for (let i = headerIdx + 1; i < lines.length; i++) {
    const line = lines[i];
    if (!line.trim()) continue;
    const reject = (reason: string): void => {
      rejected.push({ line: i + 1, text: clip(line), reason });
    };
    if (line.trim() === headerLine) {
      reject("repeated header line");
      continue;
    }
    const parts = splitLine(line, delimiter);
    if (parts.length < need) {
      reject(`${parts.length} field(s); the header has ${fields.length} and the time/power columns need at least ${need}`);
      continue;
    }
    let timeText = parts[iTime];
    if (iDate >= 0) timeText = `${parts[iDate].trim()} ${timeText.trim()}`;
    let t = parseTimestamp(timeText, dateOrder, elapsedUnitS, decimalComma);
    if (t === null && elapsedUnitS === null && kinds.size === 0 && parseNumber(timeText, decimalComma) !== null) {
      // a numeric time column without a unit: elapsed seconds
      t = { ms: (parseNumber(timeText, decimalComma) as number) * MS_PER_S, kind: "elapsed" };
      elapsedFallback = true;
    } else if (t === null && elapsedFallback) {
      const v = parseNumber(timeText, decimalComma);
      if (v !== null) t = { ms: v * MS_PER_S, kind: "elapsed" };
    }
    if (t === null) {
      reject(`time "${timeText.trim()}" is not a timestamp limiqc reads`);
      continue;
    }
    const raw = parseNumber(parts[iPower], decimalComma);
    if (raw === null) {
      reject(`power "${parts[iPower].trim()}" is not a finite number`);
      continue;
    }
    let ms = t.ms;
    if (t.kind === "time-of-day") {
      if (ms + dayOffsetMs < lastRawMs - HALF_DAY_MS) dayOffsetMs += MS_PER_DAY;
      ms += dayOffsetMs;
    }
    if (ms < lastMs) {
      reject(`time ${timeText.trim()} is earlier than the previous reading`);
      continue;
    }
    kinds.add(t.kind);
    lastRawMs = ms;
    lastMs = ms;
    timesMs.push(ms);
    powers.push(factor === "dbm" ? 10 ** (raw / 10) : raw * factor);
    lineNumbers.push(i + 1);
    const opt = (k: number): number | null => (k >= 0 && k < parts.length ? parseNumber(parts[k], decimalComma) : null);
    waves.push(iWave >= 0 ? opt(iWave) : constWave);
    sets.push(iSet >= 0 ? opt(iSet) : null);
    temps.push(iTemp >= 0 ? opt(iTemp) : null);
  }
  if (timesMs.length === 0) {
    throw new CorruptFileError(
      `No readable reading after the header (line ${headerIdx + 1})${file ? ` in ${file}` : ""}; ${rejected.length} line(s) were rejected${rejected.length ? `, e.g. line ${rejected[0].line}: ${rejected[0].reason}` : ""}.`,
      "Check the delimiter, the time format and the power column (see the rejected lines).",
    );
  }
  if (kinds.has("zoned") && kinds.has("wall-clock")) notes.push("Some timestamps carry a UTC offset and others do not; those without were read as UTC.");
  if (kinds.has("wall-clock")) notes.push("Timestamps carry no UTC offset; they were read as wall-clock time (a daylight-saving change inside the log would shift times by 1 h).");
  if (elapsedFallback) notes.push(`The time column "${timeField.raw}" is numeric without a unit; it was read as elapsed seconds.`);
  if (dayOffsetMs > 0) notes.push("The time of day passed midnight; a day was added after the roll-over.");
  if (rejected.length) notes.push(`${rejected.length} line(s) could not be read (see rejectedRows), first at line ${rejected[0].line}: ${rejected[0].reason}.`);
  const kind: PowerLogTimeKind = kinds.has("zoned") ? "zoned" : kinds.has("wall-clock") ? "wall-clock" : kinds.has("time-of-day") ? "time-of-day" : "elapsed";
  const t0 = timesMs[0];
  const hasDates = kind === "zoned" || kind === "wall-clock";
  const anyWave = waves.some((w) => w !== null);
  return {
    format,
    columns: {
      time: timeField.raw,
      date: iDate >= 0 ? fields[iDate].raw : null,
      power: fields[iPower].raw,
      wavelength: iWave >= 0 ? fields[iWave].raw : null,
      setting: iSet >= 0 ? fields[iSet].raw : null,
      temperature: iTemp >= 0 ? fields[iTemp].raw : null,
    },
    sourcePowerUnit: unitText,
    timeKind: kind,
    startTime: hasDates ? isoOf(t0, kind === "zoned") : null,
    timesS: timesMs.map((v) => (v - t0) / MS_PER_S),
    powersMw: powers,
    wavelengthsNm: anyWave ? waves : null,
    settingsPercent: iSet >= 0 ? sets : null,
    temperaturesC: iTemp >= 0 ? temps : null,
    lineNumbers,
    rejectedRows: rejected,
    notes,
    ...(file !== undefined ? { file } : {}),
    sha256: digest,
  };
}

function findColumnSafe(fields: readonly HeaderField[], explicit: string | undefined, pattern: RegExp): number {
  if (explicit === undefined) return fields.findIndex((f) => pattern.test(f.name));
  const want = splitHeaderField(explicit);
  const i = fields.findIndex((f) => f.raw.toLowerCase() === explicit.trim().toLowerCase() || f.name === want.name);
  // not there: find the header row by the usual names, so the caller can say the named column is missing
  return i >= 0 ? i : fields.findIndex((f) => pattern.test(f.name));
}
