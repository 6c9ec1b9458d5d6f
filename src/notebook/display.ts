/**
 * Rich display for notebooks run by the tslab kernel.
 *
 * Design: every `show*` function builds a `MimeBundle` (a pure function of its input, testable
 * without a kernel), sends it with `display(bundle)` when a tslab kernel is running, and returns it.
 * Outside a kernel (scripts, tests, the CLI) nothing is printed and nothing throws.
 *
 * tslab's public `display.raw()` sends a single MIME type per output; a full bundle (HTML with a
 * plain-text fallback and machine-readable JSON) goes through tslab's per-execution writer
 * `lastWriteDisplayData`, exported by `tslab/dist/jupyter.js` (an internal of tslab 1.0.22, found
 * through `require.cache`).
 */
import { createRequire } from "node:module";
import { InvalidArgumentError } from "../core/errors.js";
import type { VerdictLevel } from "../core/quantity.js";
import { css, FONT_FAMILY, fragment, h, type HtmlChild, PALETTE, type SafeHtml } from "./html.js";

/** One notebook output: MIME type → content (strings, base64 for binary, objects for `*json` types). */
export type MimeBundle = Record<string, unknown>;

const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/**
 * Marks a bundle so that printing it (tslab prints a cell's last value with `console.log`) does not
 * dump its contents under the rich output: in a kernel it prints as an empty line, elsewhere as a
 * one-line summary. The marker is a non-enumerable symbol: JSON, `Object.keys` and equality ignore it.
 */
function quiet(bundle: MimeBundle): MimeBundle {
  Object.defineProperty(bundle, INSPECT, {
    value: (): string => (isInKernel() ? "" : `MimeBundle [${Object.keys(bundle).join(", ")}]`),
    enumerable: false,
  });
  return bundle;
}

/**
 * Starts a bundle for a `show*` function (see `quiet`).
 *
 * @param entries MIME type → content.
 * @returns The bundle, which prints quietly.
 */
export function makeBundle(entries: MimeBundle): MimeBundle {
  return quiet({ ...entries });
}

/** MIME type of the verdict output; the notebook runner and the report find each notebook's verdict by it. */
export const VERDICT_MIME = "application/vnd.limiqc.verdict+json";
/** MIME type of the checklist output. */
export const CHECKLIST_MIME = "application/vnd.limiqc.checklist+json";

interface DisplayMessage {
  data: MimeBundle;
  metadata: Record<string, unknown>;
  transient: Record<string, unknown>;
}
type DisplayWriter = (message: DisplayMessage, update: boolean) => void;

const nodeRequire = createRequire(import.meta.url);
const TSLAB_JUPYTER_MODULE = /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/;
let tslabModuleKey: string | null = null;

function writerOf(mod: NodeJS.Module | undefined): DisplayWriter | null {
  const w = (mod?.exports as { lastWriteDisplayData?: unknown } | undefined)?.lastWriteDisplayData;
  return typeof w === "function" ? (w as DisplayWriter) : null;
}

/** tslab's writer for the cell being executed, or null outside a kernel. */
function tslabWriter(): DisplayWriter | null {
  const cache = nodeRequire.cache;
  if (tslabModuleKey !== null) {
    const w = writerOf(cache[tslabModuleKey]);
    if (w) return w;
    tslabModuleKey = null;
  }
  for (const key of Object.keys(cache)) {
    if (!TSLAB_JUPYTER_MODULE.test(key)) continue;
    const w = writerOf(cache[key]);
    if (w) {
      tslabModuleKey = key;
      return w;
    }
  }
  return null;
}

/**
 * Whether code is running inside a tslab kernel cell (so `display` will send output).
 *
 * @returns true when tslab's per-execution display writer is loaded and set.
 *
 * Notes: looks for a loaded module whose path ends in `tslab/dist/jupyter.js` with a
 * `lastWriteDisplayData` function (tslab 1.0.22 internals; tslab is pinned exactly).
 */
export function isInKernel(): boolean {
  return tslabWriter() !== null;
}

/**
 * Sends a MIME bundle as one `display_data` output when running in a tslab kernel.
 *
 * @param bundle MIME type → content. `Uint8Array` values are sent base64-encoded; values of
 *   `*json` types are made JSON-safe (typed arrays → arrays, non-finite numbers → null).
 * @param metadata Optional per-MIME metadata (e.g. `{ "image/png": { width: 512 } }`).
 * @returns The bundle it was given (unchanged), whether or not it was sent.
 *
 * Notes: outside a kernel this does nothing and never throws, so library code and tests can
 * call the `show*` functions freely. Inside a kernel, an error raised by the kernel's writer
 * (a closed socket) propagates.
 * @see https://jupyter-client.readthedocs.io/en/stable/messaging.html#display-data
 */
export function display(bundle: MimeBundle, metadata: Record<string, unknown> = {}): MimeBundle {
  const writer = tslabWriter();
  if (!writer) return bundle;
  const data: MimeBundle = {};
  for (const [mime, value] of Object.entries(bundle)) {
    if (value instanceof Uint8Array) data[mime] = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64");
    else if (/json$/i.test(mime)) data[mime] = toJsonSafe(value);
    else data[mime] = value;
  }
  writer({ data, metadata, transient: {} }, false);
  return bundle;
}

/**
 * Deep copy of a value that survives `JSON.stringify` as intended.
 *
 * @param value Any value.
 * @returns Typed arrays become plain arrays, non-finite numbers `null`, `Date`s ISO strings,
 *   bigints strings, functions/symbols/undefined dropped from objects, repeated references `"[circular]"`.
 *
 * Notes: `JSON.stringify(new Float32Array([1]))` gives `{"0":1}` and `NaN` becomes `null` silently;
 * this makes both explicit before data reaches a notebook or a plot.
 */
export function toJsonSafe(value: unknown): unknown {
  return jsonSafe(value, new WeakSet<object>());
}

function jsonSafe(v: unknown, seen: WeakSet<object>): unknown {
  if (v === null) return null;
  switch (typeof v) {
    case "number":
      return Number.isFinite(v) ? v : null;
    case "string":
    case "boolean":
      return v;
    case "bigint":
      return v.toString();
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  const o = v as object;
  if (ArrayBuffer.isView(o) && !(o instanceof DataView)) {
    const arr = o as unknown as ArrayLike<number | bigint>;
    const out = new Array<unknown>(arr.length);
    for (let i = 0; i < arr.length; i++) {
      const x = arr[i];
      out[i] = typeof x === "bigint" ? x.toString() : Number.isFinite(x) ? x : null;
    }
    return out;
  }
  if (o instanceof Date) return Number.isFinite(o.getTime()) ? o.toISOString() : null;
  if (seen.has(o)) return "[circular]";
  seen.add(o);
  let result: unknown;
  if (Array.isArray(o)) {
    result = o.map((x) => {
      const y = jsonSafe(x, seen);
      return y === undefined ? null : y;
    });
  } else if (typeof (o as { toJSON?: unknown }).toJSON === "function") {
    result = jsonSafe((o as { toJSON(): unknown }).toJSON(), seen);
  } else {
    const rec: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) {
      const y = jsonSafe(x, seen);
      if (y !== undefined) rec[k] = y;
    }
    result = rec;
  }
  seen.delete(o);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Number and unit formatting

/** Default significant digits for numbers in tables and cards. */
export const DEFAULT_DIGITS = 4;
/** Below this magnitude (and at or above `LARGE_NUMBER`) numbers are written in exponent form. */
const SMALL_NUMBER = 1e-3;
const LARGE_NUMBER = 1e9;
/** Largest integer written out in full. */
const MAX_PLAIN_INTEGER = 1e15;
/** Most decimals ever written in fixed notation. */
const MAX_DECIMALS = 12;
/** A shared column format may show the largest value with at most this many digits beyond `digits`. */
const COLUMN_EXTRA_DIGITS = 2;
/** Significant digits of an uncertainty when formatting "value ± uncertainty". */
const UNCERTAINTY_DIGITS = 2;

/**
 * Formats one number with a given count of significant digits, for people.
 *
 * @param value The number.
 * @param digits Significant digits (1–15). @default 4
 * @returns Integers in full (below 1e15); other values in fixed notation with trailing zeros
 *   removed (`0.25`, `123.5`, `12346`), exponent form below 1e-3 or from 1e9 (`1.235e-5`);
 *   `"NaN"`, `"∞"`, `"−∞"` for non-finite values.
 * @throws InvalidArgumentError when `digits` is not an integer in 1–15.
 * @example formatNumber(0.2501234) === "0.2501"; formatNumber(12345.678) === "12346"
 */
export function formatNumber(value: number, digits: number = DEFAULT_DIGITS): string {
  checkDigits(digits);
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "−∞";
  if (value === 0) return "0";
  const abs = Math.abs(value);
  if (Number.isInteger(value) && abs < MAX_PLAIN_INTEGER) return String(value);
  if (abs < SMALL_NUMBER || abs >= LARGE_NUMBER) return value.toExponential(digits - 1).replace(/\.?0+e/, "e");
  const s = value.toFixed(decimalsFor(abs, digits));
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}

function checkDigits(digits: number): void {
  if (!Number.isInteger(digits) || digits < 1 || digits > 15) {
    throw new InvalidArgumentError(`digits = ${digits}; expected an integer from 1 to 15.`, "Pass e.g. { digits: 4 } for four significant digits.");
  }
}

/** Decimals that show `digits` significant digits of a number of magnitude `abs`. */
function decimalsFor(abs: number, digits: number): number {
  return Math.min(MAX_DECIMALS, Math.max(0, digits - 1 - Math.floor(Math.log10(abs))));
}

/**
 * Formats a measured value with its uncertainty, rounded at the uncertainty's 2nd significant digit.
 *
 * @param value The value.
 * @param uncertainty Its uncertainty (≥ 0); 0 or non-finite falls back to `formatNumber(value, digits)`.
 * @param digits Significant digits used when there is no usable uncertainty. @default 4
 * @returns e.g. `"0.2513 ± 0.0042"`.
 * @example formatWithUncertainty(0.251349, 0.004213) === "0.2513 ± 0.0042"
 */
export function formatWithUncertainty(value: number, uncertainty: number, digits: number = DEFAULT_DIGITS): string {
  if (!(uncertainty > 0) || !Number.isFinite(uncertainty) || !Number.isFinite(value)) return formatNumber(value, digits);
  const decimals = decimalsFor(uncertainty, UNCERTAINTY_DIGITS);
  return `${value.toFixed(decimals)} ± ${uncertainty.toFixed(decimals)}`;
}

const UNIT_LABELS: Readonly<Record<string, string>> = { um: "µm", "1": "", "%": "%", "e-": "e⁻", "e-/ADU": "e⁻/ADU", "e-/s": "e⁻/s" };

/**
 * The printed form of a unit: `"um"` → `"µm"`, `"1"` → `""` (dimensionless), others unchanged.
 *
 * @param unit A `Unit` from core/quantity or any unit text.
 * @returns The label to show next to a number or in a header.
 */
export function unitLabel(unit: string): string {
  return UNIT_LABELS[unit] ?? unit;
}

/** A header or axis title with its unit: `"FWHM x (nm)"`; no parentheses when the unit is empty or dimensionless. */
export function withUnit(label: string, unit: string | undefined): string {
  const u = unit === undefined ? "" : unitLabel(unit);
  return u ? `${label} (${u})` : label;
}

interface QuantityLike {
  value: number;
  uncertainty: number;
  unit: string;
}

function isQuantity(v: unknown): v is QuantityLike {
  if (typeof v !== "object" || v === null) return false;
  const q = v as Record<string, unknown>;
  return typeof q.value === "number" && typeof q.uncertainty === "number" && typeof q.unit === "string";
}

const VERDICT_LEVELS: readonly VerdictLevel[] = ["pass", "warn", "fail"];
const VERDICT_SYMBOL: Readonly<Record<VerdictLevel | "unknown", string>> = { pass: "✓", warn: "!", fail: "✗", unknown: "?" };

/** The verdict level a cell value stands for: the strings pass/warn/fail (any case) or an object with such a `level`. */
function verdictLevelOf(v: unknown): VerdictLevel | null {
  if (typeof v === "string") {
    const s = v.trim().toLowerCase();
    return (VERDICT_LEVELS as readonly string[]).includes(s) ? (s as VerdictLevel) : null;
  }
  if (typeof v === "object" && v !== null && !isQuantity(v)) {
    const level = (v as { level?: unknown }).level;
    return typeof level === "string" && (VERDICT_LEVELS as readonly string[]).includes(level) ? (level as VerdictLevel) : null;
  }
  return null;
}

function verdictBadge(level: VerdictLevel | "unknown", text: string, minWidth = "4.6em"): SafeHtml {
  const c = PALETTE[level];
  return h(
    "span",
    {
      class: `limiqc-badge limiqc-${level}`,
      style: css({
        display: "inline-block",
        background: c.bg,
        color: c.fg,
        border: `1px solid ${c.border}`,
        "border-radius": "4px",
        padding: "0 6px",
        "font-weight": 600,
        "white-space": "nowrap",
        "min-width": minWidth,
        "text-align": "center",
        "box-sizing": "border-box",
      }),
    },
    `${VERDICT_SYMBOL[level]} ${text}`,
  );
}

/** Format a non-numeric cell value as text. */
function formatOther(v: unknown, digits: number): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return formatNumber(v, digits);
  if (typeof v === "string") return v;
  if (typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (v instanceof Date) return Number.isFinite(v.getTime()) ? v.toISOString() : "invalid date";
  if (isQuantity(v)) {
    const u = unitLabel(v.unit);
    return formatWithUncertainty(v.value, v.uncertainty, digits) + (u ? ` ${u}` : "");
  }
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return Array.from(v as ArrayLike<unknown>, (x) => formatOther(x, digits)).join(", ");
  const level = verdictLevelOf(v);
  if (level) return level.toUpperCase();
  return JSON.stringify(toJsonSafe(v)) ?? "";
}

// ---------------------------------------------------------------------------------------------
// Markdown

/**
 * Builds a Markdown output (rendered by every front end; shown as-is in plain text).
 *
 * @param md Markdown source.
 * @returns `{ "text/markdown", "text/plain" }`.
 */
export function markdownBundle(md: string): MimeBundle {
  return makeBundle({ "text/markdown": md, "text/plain": md });
}

/**
 * Displays Markdown in the notebook (see `markdownBundle`).
 *
 * @param md Markdown source.
 * @returns The bundle displayed (also returned outside a kernel, where nothing is printed).
 */
export function showMarkdown(md: string): MimeBundle {
  return display(markdownBundle(md));
}

// ---------------------------------------------------------------------------------------------
// Tables

/** Options for `showTable`. */
export interface TableOptions {
  /** Caption shown above the table. @default none */
  title?: string;
  /** Unit per column name, shown in the header as "FWHM x (nm)". Columns of `Quantity` cells use the quantity's unit when absent here. @default {} */
  units?: Record<string, string>;
  /** Significant digits for numbers. @default 4 */
  digits?: number;
  /** Rows shown in the HTML and text tables (the JSON carries all rows). @default 100 */
  maxRows?: number;
}

/** Anything `showTable` accepts: row objects, `{ columns, rows }` (rows as arrays or objects), or an arquero table (anything with `objects()`). */
export type TableInput =
  | readonly Record<string, unknown>[]
  | { readonly columns: readonly string[]; readonly rows: readonly (readonly unknown[] | Record<string, unknown>)[] }
  | { objects(): object[]; columnNames?: () => string[] };

const resolveTableOptions = (o: TableOptions = {}) => ({ title: undefined as string | undefined, units: {} as Record<string, string>, digits: DEFAULT_DIGITS, maxRows: 100, ...o });

interface NormalisedTable {
  columns: string[];
  rows: Record<string, unknown>[];
}

function normaliseTable(input: TableInput): NormalisedTable {
  if (Array.isArray(input)) {
    const rows = input as readonly Record<string, unknown>[];
    return { columns: columnsOf(rows), rows: [...rows] };
  }
  const t = input as Record<string, unknown>;
  if (typeof t.objects === "function") {
    const rows = (t.objects as () => Record<string, unknown>[]).call(input);
    const names = typeof t.columnNames === "function" ? (t.columnNames as () => string[]).call(input) : columnsOf(rows);
    return { columns: [...names], rows };
  }
  if (Array.isArray(t.columns) && Array.isArray(t.rows)) {
    const columns = (t.columns as unknown[]).map(String);
    const rows = (t.rows as unknown[]).map((r, i) => {
      if (Array.isArray(r)) {
        if (r.length !== columns.length) {
          throw new InvalidArgumentError(
            `Table row ${i} has ${r.length} values but there are ${columns.length} columns.`,
            "Give every row one value per column (use null for a missing value).",
          );
        }
        const o: Record<string, unknown> = {};
        for (let c = 0; c < columns.length; c++) o[columns[c]] = r[c];
        return o;
      }
      return r as Record<string, unknown>;
    });
    return { columns, rows };
  }
  throw new InvalidArgumentError(
    "showTable got something that is neither an array of row objects, { columns, rows }, nor a table with objects().",
    "Pass e.g. [{ bead: 1, fwhmXNm: 251 }], or an arquero table.",
  );
}

function columnsOf(rows: readonly Record<string, unknown>[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}

interface ColumnFormat {
  numeric: boolean;
  unit: string;
  format: (v: unknown) => string;
}

/** Chooses one format per column: numbers share their decimals when that keeps ≥ 2 significant digits for every value. */
function columnFormat(values: readonly unknown[], unitFromOptions: string | undefined, digits: number): ColumnFormat {
  let numeric = true;
  let allIntegers = true;
  let maxAbs = 0;
  let minAbs = Number.POSITIVE_INFINITY;
  let quantityUnit: string | undefined;
  let sawValue = false;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    sawValue = true;
    if (isQuantity(v)) {
      quantityUnit ??= v.unit;
      continue;
    }
    if (typeof v !== "number") {
      numeric = false;
      continue;
    }
    if (!Number.isFinite(v)) continue;
    if (!Number.isInteger(v)) allIntegers = false;
    const a = Math.abs(v);
    if (a > maxAbs) maxAbs = a;
    if (a > 0 && a < minAbs) minAbs = a;
  }
  const unit = unitFromOptions ?? quantityUnit ?? "";
  const quantityUnitShown = unitFromOptions === undefined && quantityUnit !== undefined;
  let fixedDecimals: number | null = null;
  if (numeric && sawValue && !allIntegers && maxAbs >= SMALL_NUMBER && maxAbs < LARGE_NUMBER) {
    // enough decimals for `digits` significant digits of the smallest value, unless that gives the
    // largest value more than COLUMN_EXTRA_DIGITS extra digits: then format value by value
    const dMax = decimalsFor(maxAbs, digits);
    const dMin = minAbs === Number.POSITIVE_INFINITY ? dMax : decimalsFor(minAbs, digits);
    if (dMin - dMax <= COLUMN_EXTRA_DIGITS) fixedDecimals = dMin;
  }
  const format = (v: unknown): string => {
    if (typeof v === "number" && Number.isFinite(v)) {
      if (fixedDecimals !== null) return v.toFixed(fixedDecimals);
      return formatNumber(v, digits);
    }
    if (isQuantity(v) && quantityUnitShown && v.unit === quantityUnit) return formatWithUncertainty(v.value, v.uncertainty, digits);
    return formatOther(v, digits);
  };
  return { numeric: numeric && sawValue, unit, format };
}

interface PreparedTable {
  columns: string[];
  headers: string[];
  formats: ColumnFormat[];
  rows: Record<string, unknown>[];
  shown: Record<string, unknown>[];
}

function prepareTable(input: TableInput, options: TableOptions): PreparedTable & ReturnType<typeof resolveTableOptions> {
  const o = resolveTableOptions(options);
  checkDigits(o.digits);
  if (!Number.isInteger(o.maxRows) || o.maxRows < 1) {
    throw new InvalidArgumentError(`maxRows = ${o.maxRows}; expected a positive integer.`, "Pass e.g. { maxRows: 50 }.");
  }
  const { columns, rows } = normaliseTable(input);
  const formats = columns.map((c) =>
    columnFormat(
      rows.map((r) => r[c]),
      o.units[c],
      o.digits,
    ),
  );
  const headers = columns.map((c, i) => withUnit(c, formats[i].unit));
  return { ...o, columns, headers, formats, rows, shown: rows.slice(0, o.maxRows) };
}

const CELL_PADDING = "3px 10px";

function tableHtml(t: PreparedTable & { title?: string; maxRows: number }): SafeHtml {
  const th = (text: string, numeric: boolean): SafeHtml =>
    h(
      "th",
      {
        style: css({
          "text-align": numeric ? "right" : "left",
          padding: CELL_PADDING,
          background: PALETTE.headerBackground,
          color: PALETTE.text,
          "border-bottom": `2px solid ${PALETTE.border}`,
          "font-weight": 600,
          "white-space": "nowrap",
        }),
      },
      text,
    );
  const body = t.shown.map((row, r) => {
    const zebra = r % 2 === 0 ? PALETTE.background : PALETTE.headerBackground;
    const cells = t.columns.map((c, i) => {
      const v = row[c];
      const level = verdictLevelOf(v);
      const base = {
        padding: CELL_PADDING,
        color: PALETTE.text,
        background: zebra,
        "border-bottom": `1px solid ${PALETTE.border}`,
        "text-align": t.formats[i].numeric ? "right" : "left",
        "font-variant-numeric": "tabular-nums",
      };
      if (level) {
        const reason = typeof v === "object" && v !== null ? (v as { reason?: unknown }).reason : undefined;
        return h(
          "td",
          { class: `limiqc-cell-${level}`, title: typeof reason === "string" ? reason : null, style: css({ ...base, "text-align": "left" }) },
          verdictBadge(level, typeof v === "string" ? v.trim() : level),
        );
      }
      return h("td", { style: css(base) }, t.formats[i].format(v));
    });
    return h("tr", null, cells);
  });
  const hidden = t.rows.length - t.shown.length;
  return h(
    "div",
    {
      class: "limiqc-table",
      style: css({
        background: PALETTE.background,
        color: PALETTE.text,
        "font-family": FONT_FAMILY,
        "font-size": "13px",
        padding: "8px",
        border: `1px solid ${PALETTE.border}`,
        "border-radius": "6px",
        display: "inline-block",
        "max-width": "100%",
        "overflow-x": "auto",
        margin: "4px 0",
      }),
    },
    t.title ? h("div", { class: "limiqc-title", style: css({ "font-weight": 600, "font-size": "14px", margin: "0 0 6px" }) }, t.title) : null,
    h(
      "table",
      { style: css({ "border-collapse": "collapse", margin: 0, border: "none", "table-layout": "auto" }) },
      h("thead", null, h("tr", null, t.headers.map((hd, i) => th(hd, t.formats[i].numeric)))),
      h("tbody", null, body),
    ),
    hidden > 0 ? h("div", { style: css({ color: PALETTE.muted, "font-size": "12px", margin: "6px 0 0" }) }, `… ${hidden} more row(s) not shown (maxRows = ${t.maxRows}).`) : null,
  );
}

function tableText(t: PreparedTable & { title?: string; maxRows: number }): string {
  const cellText = t.shown.map((row) =>
    t.columns.map((c, i) => {
      const v = row[c];
      const level = verdictLevelOf(v);
      return level ? level.toUpperCase() : t.formats[i].format(v);
    }),
  );
  const widths = t.headers.map((hd, i) => Math.max(hd.length, ...cellText.map((r) => r[i].length)));
  const pad = (s: string, i: number): string => (t.formats[i].numeric ? s.padStart(widths[i]) : s.padEnd(widths[i]));
  const lines: string[] = [];
  if (t.title) lines.push(t.title);
  lines.push(t.headers.map(pad).join("  ").trimEnd());
  lines.push(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of cellText) lines.push(r.map(pad).join("  ").trimEnd());
  const hidden = t.rows.length - t.shown.length;
  if (hidden > 0) lines.push(`… ${hidden} more row(s) not shown`);
  return lines.join("\n");
}

/**
 * Builds a table output: HTML, aligned plain text, and the rows as JSON.
 *
 * @param input Row objects, `{ columns, rows }`, or an arquero table (duck-typed: `objects()`).
 * @param options Title, units per column, significant digits, rows shown.
 * @returns `{ "text/html", "text/plain", "application/json" }`; the JSON is the array of all rows
 *   (JSON-safe: typed arrays → arrays, non-finite → null).
 * @throws InvalidArgumentError for an unrecognised input, a row with the wrong number of values,
 *   or invalid `digits`/`maxRows`.
 *
 * Notes: a numeric column shares one number of decimals (enough for `digits` significant digits
 * of its smallest non-zero value) unless the column spans so many decades that its largest
 * value would show more than `digits + 2` digits; then each value is formatted alone. `Quantity` cells (`{value, uncertainty, unit}`)
 * show "value ± uncertainty" rounded at the uncertainty's 2nd digit, and put their unit in the
 * header. Cells whose value is "pass"/"warn"/"fail" (or an object with such a `level`) are
 * highlighted with colour and a symbol (✓ ! ✗), so they read without colour too. All text is
 * HTML-escaped.
 * @example tableBundle([{ bead: 1, "FWHM x": 251.27 }], { units: { "FWHM x": "nm" } })["text/plain"]
 */
export function tableBundle(input: TableInput, options: TableOptions = {}): MimeBundle {
  const t = prepareTable(input, options);
  return makeBundle({
    "text/html": tableHtml(t).html,
    "text/plain": tableText(t),
    "application/json": toJsonSafe(t.rows),
  });
}

/**
 * Displays a table (see `tableBundle`).
 *
 * @param input Row objects, `{ columns, rows }`, or an arquero table.
 * @param options Title, units, digits, maxRows.
 * @returns The bundle displayed.
 * @throws InvalidArgumentError as `tableBundle`.
 */
export function showTable(input: TableInput, options: TableOptions = {}): MimeBundle {
  return display(tableBundle(input, options));
}

// ---------------------------------------------------------------------------------------------
// Verdict card

/** One line of a verdict's evidence: a measured value against its limit. */
export interface VerdictDetail {
  /** What was measured, e.g. "FWHM x". */
  label: string;
  /** The measured value: a number, text, or a `Quantity`. */
  value: unknown;
  /** The acceptance limit as text or number, e.g. "≤ 0.30 µm". @default none */
  limit?: string | number;
  level: VerdictLevel;
}

/** What `showVerdict` shows: the overall outcome of one QC check. */
export interface VerdictCard {
  level: VerdictLevel;
  /** Name of the check, e.g. "Lateral resolution (PSF)". */
  title: string;
  /** One sentence a person can act on. */
  reason: string;
  details?: VerdictDetail[];
}

function checkLevel(level: unknown, where: string): asserts level is VerdictLevel {
  if (!(VERDICT_LEVELS as readonly unknown[]).includes(level)) {
    throw new InvalidArgumentError(`${where} level is ${JSON.stringify(level)}; expected "pass", "warn" or "fail".`, "Use the lower-case level names from core/quantity's VerdictLevel.");
  }
}

/**
 * Builds a verdict card: a coloured card with a symbol (✓ pass, ! warn, ✗ fail), a text line,
 * and the verdict as `application/vnd.limiqc.verdict+json`.
 *
 * @param v Level, title, reason, and optional details (label, value, limit, level).
 * @returns `{ "text/html", "text/plain", "application/vnd.limiqc.verdict+json" }`; text/plain starts
 *   with `"PASS — <reason>"`.
 * @throws InvalidArgumentError when a level is not pass/warn/fail.
 *
 * Notes: the notebook runner and the report find each notebook's verdict by the MIME type
 * `VERDICT_MIME`; its content is the verdict given here, made JSON-safe. The card has explicit
 * colours on white so it reads in dark front-end themes.
 */
export function verdictBundle(v: VerdictCard): MimeBundle {
  checkLevel(v.level, "Verdict");
  const details = v.details ?? [];
  for (const [i, d] of details.entries()) checkLevel(d.level, `Verdict detail ${i} (${d.label})`);
  const c = PALETTE[v.level];
  const word = v.level.toUpperCase();
  const detailRows = details.map((d) =>
    h(
      "tr",
      null,
      h("td", { style: css({ padding: "2px 12px 2px 0", color: PALETTE.text }) }, d.label),
      h("td", { style: css({ padding: "2px 12px 2px 0", "text-align": "right", "font-variant-numeric": "tabular-nums", color: PALETTE.text }) }, formatOther(d.value, DEFAULT_DIGITS)),
      h("td", { style: css({ padding: "2px 12px 2px 0", color: PALETTE.muted }) }, d.limit === undefined ? "" : formatOther(d.limit, DEFAULT_DIGITS)),
      h("td", { style: css({ padding: "2px 0" }) }, verdictBadge(d.level, d.level)),
    ),
  );
  const html = h(
    "div",
    {
      class: `limiqc-verdict limiqc-verdict-${v.level}`,
      role: "status",
      style: css({
        background: PALETTE.background,
        color: PALETTE.text,
        "font-family": FONT_FAMILY,
        "font-size": "14px",
        border: `1px solid ${c.border}`,
        "border-left": `8px solid ${c.border}`,
        "border-radius": "6px",
        padding: "10px 14px",
        margin: "6px 0",
        "max-width": "760px",
      }),
    },
    h(
      "div",
      { style: css({ "font-size": "16px", "font-weight": 600 }) },
      h("span", { class: "limiqc-verdict-badge", style: css({ background: c.bg, color: c.fg, border: `1px solid ${c.border}`, "border-radius": "4px", padding: "1px 8px", "margin-right": "10px" }) }, `${VERDICT_SYMBOL[v.level]} ${word}`),
      v.title,
    ),
    h("div", { class: "limiqc-verdict-reason", style: css({ margin: "6px 0 0" }) }, v.reason),
    detailRows.length > 0
      ? h(
          "table",
          { style: css({ "border-collapse": "collapse", margin: "8px 0 0", border: "none", "font-size": "13px" }) },
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              ["Measure", "Value", "Limit", "Result"].map((t, i) => h("th", { style: css({ padding: "2px 12px 2px 0", "text-align": i === 1 ? "right" : "left", color: PALETTE.muted, "font-weight": 600 }) }, t)),
            ),
          ),
          h("tbody", null, detailRows),
        )
      : null,
  );
  const lines = [`${word} — ${v.reason}`, `  check: ${v.title}`];
  for (const d of details) {
    lines.push(`  ${d.level.toUpperCase().padEnd(4)} ${d.label}: ${formatOther(d.value, DEFAULT_DIGITS)}${d.limit === undefined ? "" : ` (limit ${formatOther(d.limit, DEFAULT_DIGITS)})`}`);
  }
  const json: Record<string, unknown> = { level: v.level, title: v.title, reason: v.reason };
  if (v.details) json.details = v.details;
  return makeBundle({ "text/html": html.html, "text/plain": lines.join("\n"), [VERDICT_MIME]: toJsonSafe(json) });
}

/**
 * Displays a verdict card (see `verdictBundle`).
 *
 * @param v Level, title, reason, optional details.
 * @returns The bundle displayed.
 * @throws InvalidArgumentError when a level is not pass/warn/fail.
 */
export function showVerdict(v: VerdictCard): MimeBundle {
  return display(verdictBundle(v));
}

// ---------------------------------------------------------------------------------------------
// Checklist

/** Outcome of an automatic check of a checklist item; "unknown" when the data could not decide. */
export type ChecklistStatus = VerdictLevel | "unknown";

/** One checklist item; `auto` is filled when the library verified it from the data or metadata. */
export interface ChecklistDisplayItem {
  /** Stable identifier, unique within the list (e.g. "objective-clean"). */
  id: string;
  /** What to check, phrased as an instruction. */
  text: string;
  auto?: { status: ChecklistStatus; evidence: string };
}

/** Options for `showChecklist`. */
export interface ChecklistOptions {
  /** Heading of the list. @default "Checklist" */
  title?: string;
}

const CHECK_MARK: Readonly<Record<ChecklistStatus, string>> = { pass: "[x]", warn: "[!]", fail: "[!]", unknown: "[?]" };
const CHECKLIST_STATUSES: readonly ChecklistStatus[] = ["pass", "warn", "fail", "unknown"];
let checklistCounter = 0;
/** Wide enough for "? unknown", so item texts line up. */
const CHECKLIST_BADGE_WIDTH = "6.6em";

/**
 * Builds a checklist output: automatically verified items show their status and evidence,
 * manual items a checkbox.
 *
 * @param items The items, in order; ids must be unique.
 * @param options Title.
 * @returns `{ "text/html", "text/plain", "application/vnd.limiqc.checklist+json" }`. Text marks:
 *   `[x]` auto pass, `[!]` auto warn/fail, `[?]` auto undetermined, `[ ]` manual.
 * @throws InvalidArgumentError for a duplicate or empty id, or an unknown auto status.
 *
 * Notes: the checkboxes are a working aid only: their state is not saved in the notebook file,
 * the JSON output or the report (the card says so). Record manual outcomes in the QC log.
 */
export function checklistBundle(items: readonly ChecklistDisplayItem[], options: ChecklistOptions = {}): MimeBundle {
  const title = options.title ?? "Checklist";
  const ids = new Set<string>();
  for (const it of items) {
    if (!it.id || ids.has(it.id)) {
      throw new InvalidArgumentError(`Checklist item id ${JSON.stringify(it.id)} is ${it.id ? "used twice" : "empty"}.`, "Give every item a unique, non-empty id such as \"objective-clean\".");
    }
    ids.add(it.id);
    if (it.auto && !CHECKLIST_STATUSES.includes(it.auto.status)) {
      throw new InvalidArgumentError(`Checklist item "${it.id}" has auto status ${JSON.stringify(it.auto.status)}; expected pass, warn, fail or unknown.`, "Use \"unknown\" when the data cannot decide.");
    }
  }
  const uid = `limiqc-chk-${Date.now().toString(36)}-${(checklistCounter++).toString(36)}`;
  const counts = { pass: 0, warn: 0, fail: 0, unknown: 0, manual: 0 };
  const lis: HtmlChild[] = items.map((it, i) => {
    const rowStyle = css({ display: "flex", "align-items": "flex-start", gap: "8px", padding: "5px 0", "border-bottom": `1px solid ${PALETTE.border}`, "list-style": "none", margin: 0 });
    if (it.auto) {
      counts[it.auto.status]++;
      return h(
        "li",
        { class: `limiqc-check-auto limiqc-${it.auto.status}`, "data-id": it.id, style: rowStyle },
        verdictBadge(it.auto.status, it.auto.status, CHECKLIST_BADGE_WIDTH),
        h(
          "div",
          null,
          h("div", null, it.text),
          h("div", { style: css({ color: PALETTE.muted, "font-size": "12px" }) }, `Checked automatically: ${it.auto.evidence}`),
        ),
      );
    }
    counts.manual++;
    const boxId = `${uid}-${i}`;
    return h(
      "li",
      { class: "limiqc-check-manual", "data-id": it.id, style: rowStyle },
      h("input", { type: "checkbox", id: boxId, name: it.id, style: css({ margin: "3px 0 0", width: "16px", height: "16px" }) }),
      h("label", { for: boxId, style: css({ cursor: "pointer" }) }, it.text),
    );
  });
  const autoCount = items.length - counts.manual;
  const summary = `${autoCount} of ${items.length} item(s) checked automatically (${counts.pass} pass, ${counts.warn} warn, ${counts.fail} fail, ${counts.unknown} undetermined); ${counts.manual} to check by hand.`;
  const html = h(
    "form",
    {
      class: "limiqc-checklist",
      autocomplete: "off",
      style: css({
        background: PALETTE.background,
        color: PALETTE.text,
        "font-family": FONT_FAMILY,
        "font-size": "14px",
        border: `1px solid ${PALETTE.border}`,
        "border-radius": "6px",
        padding: "10px 14px",
        margin: "6px 0",
        "max-width": "760px",
      }),
    },
    h("div", { class: "limiqc-title", style: css({ "font-weight": 600, "font-size": "15px" }) }, title),
    h("div", { style: css({ color: PALETTE.muted, "font-size": "12px", margin: "2px 0 6px" }) }, summary),
    h("ul", { style: css({ padding: 0, margin: 0 }) }, lis),
    counts.manual > 0
      ? h(
          "div",
          { style: css({ color: PALETTE.muted, "font-size": "12px", margin: "6px 0 0" }) },
          fragment("Ticks are a working aid only: they are ", h("b", null, "not saved"), " in the notebook or the report. Record manual checks in your QC log."),
        )
      : null,
  );
  const lines = [title];
  for (const it of items) {
    if (!it.auto) lines.push(`[ ] ${it.text}`);
    else if (it.auto.status === "pass") lines.push(`${CHECK_MARK.pass} ${it.text} — ${it.auto.evidence}`);
    else if (it.auto.status === "unknown") lines.push(`${CHECK_MARK.unknown} ${it.text} — not determined automatically: ${it.auto.evidence}`);
    else lines.push(`${CHECK_MARK[it.auto.status]} ${it.text} — ${it.auto.status.toUpperCase()}: ${it.auto.evidence}`);
  }
  lines.push(summary);
  return makeBundle({
    "text/html": html.html,
    "text/plain": lines.join("\n"),
    [CHECKLIST_MIME]: toJsonSafe({ title, items }),
  });
}

/**
 * Displays a checklist (see `checklistBundle`).
 *
 * @param items The items; ids unique.
 * @param options Title.
 * @returns The bundle displayed.
 * @throws InvalidArgumentError as `checklistBundle`.
 */
export function showChecklist(items: readonly ChecklistDisplayItem[], options: ChecklistOptions = {}): MimeBundle {
  return display(checklistBundle(items, options));
}
