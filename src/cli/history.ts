import { existsSync, renameSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { InvalidArgumentError, LimiqcError } from "../core/errors.js";
import { exportHistoryCsv, exportHistoryJson, importHistoryFile } from "../history/exchange.js";
import { openHistoryStore } from "../history/store.js";
import { type HistoryContext, historyFromBeadPsf, historyFromFieldUniformity, historyFromPowerLog } from "../history/from-results.js";
import { printHtmlToPdf } from "../history/pdf.js";
import { historyPeriodReportHtml } from "../history/report.js";
import { watchFolder } from "../history/watch.js";
import type { HistoryRecord } from "../history/types.js";
import type { Modality, OpticalSetup } from "../optics/resolution.js";
import { analysePowerLog } from "../power/analyse.js";
import { readPowerLog } from "../power/parse.js";
import { measureBeadPsfFile } from "../resolution/file.js";
import { measureFieldUniformityFile } from "../uniformity/file.js";
import { analyseHistoryTrends } from "../history/trends.js";
import { type Command, numberOption, writeJsonFile } from "./common.js";

/** Usage line of one subcommand. */
const usageOf = (sub: string): string => USAGE.split("\n").find((l) => l.includes(`limiqc history ${sub} `))?.trim() ?? USAGE;

const USAGE = [
  "limiqc history run psf|flatness|power FILE... --instrument X --store PATH [--objective O] [--acquired-at ISO] [--na NA --immersion-index N --emission-nm NM --modality widefield|confocal|spinningDisk|multiphoton]",
  "limiqc history watch FOLDER psf|flatness|power --instrument X --store PATH [--objective O] [--stable-s S] [--pattern REGEX] [optics flags as run]",
  "limiqc history import FILE.json|FILE.csv... --store PATH [--instrument X [--objective O] [--acquired-at ISO]]",
  "limiqc history export OUT.json|OUT.csv --store PATH [--instrument X] [--force]",
  "limiqc history trends --store PATH --instrument X [--metric M] [--baseline-until DATE | --baseline-points N] [--json OUT] [--force]",
  "limiqc history report --store PATH --instrument X --from DATE --to DATE --out REPORT.html [--pdf REPORT.pdf] [--baseline-until DATE | --baseline-points N] [--force]",
].join("\n       ");

function requireStore(store: string | undefined): string {
  if (!store) throw new InvalidArgumentError("No --store given.", "Pass --store PATH (a history file; created by import when missing).");
  return store;
}

const RUN_PROTOCOLS = ["psf", "flatness", "power"] as const;
type RunProtocol = (typeof RUN_PROTOCOLS)[number];

/** Analyses one file with the protocol's default options and returns its history rows (prints a one-line summary). */
async function analyseForHistory(protocol: RunProtocol, file: string, context: HistoryContext, optics: Partial<OpticalSetup>): Promise<HistoryRecord[]> {
  if (protocol === "psf") {
    const res = await measureBeadPsfFile(file, { optics: optics });
    console.log(`${file}: bead PSF, ${res.verdict.level.toUpperCase()} — ${res.verdict.reason}`);
    return historyFromBeadPsf(res, context);
  }
  if (protocol === "flatness") {
    const res = await measureFieldUniformityFile(file);
    console.log(`${file}: field uniformity, ${res.verdict.level.toUpperCase()} — ${res.verdict.reason}`);
    return historyFromFieldUniformity(res, context);
  }
  const res = analysePowerLog(await readPowerLog(file));
  console.log(`${file}: power log, ${res.verdict.level.toUpperCase()} — ${res.verdict.reason}`);
  return historyFromPowerLog(res, context);
}

function checkProtocol(protocol: string | undefined): RunProtocol {
  if (!protocol || !(RUN_PROTOCOLS as readonly string[]).includes(protocol)) {
    throw new InvalidArgumentError(`history run/watch: protocol is "${protocol ?? ""}"; expected one of ${RUN_PROTOCOLS.join(", ")}.`, `Usage: ${usageOf("run")}`);
  }
  return protocol as RunProtocol;
}

function opticsFromFlags(values: { na?: string; "immersion-index"?: string; "emission-nm"?: string; modality?: string }): Partial<OpticalSetup> {
  return {
    ...(values.na !== undefined ? { na: numberOption("na", values.na, { positive: true, example: "1.4" }) } : {}),
    ...(values["immersion-index"] !== undefined ? { immersionIndex: numberOption("immersion-index", values["immersion-index"], { positive: true, example: "1.518" }) } : {}),
    ...(values["emission-nm"] !== undefined ? { emissionWavelengthNm: numberOption("emission-nm", values["emission-nm"], { positive: true, example: "520" }) } : {}),
    ...(values.modality !== undefined ? { modality: parseModality(values.modality) } : {}),
  };
}

const RUN_OPTIONS = {
  store: { type: "string" },
  instrument: { type: "string" },
  objective: { type: "string" },
  "acquired-at": { type: "string" },
  na: { type: "string" },
  "immersion-index": { type: "string" },
  "emission-nm": { type: "string" },
  modality: { type: "string" },
} as const;

/** `history watch FOLDER PROTOCOL`: analyses and stores every new file once it has stopped changing, until Ctrl-C. */
async function runWatch(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...RUN_OPTIONS, "stable-s": { type: "string" }, pattern: { type: "string" } } });
  const path = requireStore(values.store);
  const [folder, protocolArg] = positionals;
  const protocol = checkProtocol(protocolArg);
  if (!folder) throw new InvalidArgumentError("history watch: no folder.", `Usage: ${usageOf("watch")}`);
  if (!values.instrument) throw new InvalidArgumentError("history watch: no --instrument given.", "Name the instrument (--instrument X).");
  const context: HistoryContext = { instrument: values.instrument, objective: values.objective ?? null };
  const optics = opticsFromFlags(values);
  const stableS = numberOption("stable-s", values["stable-s"], { positive: true, example: "5" }) ?? 2;
  const ac = new AbortController();
  process.once("SIGINT", () => ac.abort());
  process.once("SIGTERM", () => ac.abort());
  console.log(`watching ${folder} for ${protocol} files (complete after ${stableS} s unchanged); Ctrl-C to stop`);
  await watchFolder(
    folder,
    async (file) => {
      const rows = await analyseForHistory(protocol, file, context, optics);
      const store = openHistoryStore(path);
      try {
        const s = store.insert(rows);
        console.log(`  → ${s.inserted} record(s) stored, ${s.duplicates} already there`);
      } finally {
        store.close();
      }
    },
    { stableMs: stableS * 1000, signal: ac.signal, pattern: values.pattern ? new RegExp(values.pattern) : undefined },
    (e, file) => console.log(`  ${file ?? folder}: ${e instanceof Error ? e.message : String(e)} (skipped; still watching)`),
  );
  console.log(`stopped watching ${folder}`);
  return 0;
}
const MODALITIES: readonly Modality[] = ["widefield", "confocal", "spinningDisk", "multiphoton"];

function parseModality(v: string): Modality {
  if (!(MODALITIES as readonly string[]).includes(v)) throw new InvalidArgumentError(`--modality is "${v}".`, `Use one of ${MODALITIES.join(", ")}.`);
  return v as Modality;
}

/** Analyses each file with the protocol's default options (optics from the file, else the flags) and stores the rows. */
async function runRun(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: RUN_OPTIONS });
  const path = requireStore(values.store);
  const [protocolArg, ...files] = positionals;
  const protocol = checkProtocol(protocolArg);
  if (files.length === 0) throw new InvalidArgumentError("history run: no input file.", `Usage: ${usageOf("run")}`);
  if (!values.instrument) throw new InvalidArgumentError("history run: no --instrument given.", "Name the instrument the files were acquired on (--instrument X).");
  const context: HistoryContext = { instrument: values.instrument, objective: values.objective ?? null, acquiredAt: values["acquired-at"] };
  const optics = opticsFromFlags(values);

  // analyse everything first, then store in one transaction: a failing file stores nothing
  const rows: HistoryRecord[] = [];
  for (const file of files) rows.push(...(await analyseForHistory(protocol, file, context, optics)));
  const store = openHistoryStore(path);
  try {
    const s = store.insert(rows);
    console.log(`${path}: ${s.inserted} record(s) stored, ${s.duplicates} already there (${store.count()} in total)`);
  } finally {
    store.close();
  }
  return 0;
}

async function runImport(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { store: { type: "string" }, instrument: { type: "string" }, objective: { type: "string" }, "acquired-at": { type: "string" } },
  });
  const path = requireStore(values.store);
  const context = values.instrument ? { instrument: values.instrument, objective: values.objective ?? null, acquiredAt: values["acquired-at"] } : undefined;
  if (positionals.length === 0) throw new InvalidArgumentError("history import: no input file.", `Usage: ${usageOf("import")}`);
  const store = openHistoryStore(path);
  try {
    for (const file of positionals) {
      const r = importHistoryFile(store, file, context);
      console.log(`${file}: ${r.inserted} record(s) imported, ${r.duplicates} already in the store`);
    }
    console.log(`${path}: ${store.count()} record(s) in total`);
  } finally {
    store.close();
  }
  return 0;
}

async function runExport(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { store: { type: "string" }, instrument: { type: "string" }, force: { type: "boolean", default: false } } });
  const path = requireStore(values.store);
  const out = positionals[0];
  if (!out) throw new InvalidArgumentError("history export: no output file.", "Pass OUT.json or OUT.csv.");
  if (existsSync(out) && !values.force) throw new LimiqcError(`${out} already exists; limiqc does not overwrite it.`, "Choose another name, or add --force.");
  if (!existsSync(path)) throw new InvalidArgumentError(`Store ${path} does not exist.`, "Check --store.");
  const store = openHistoryStore(path);
  try {
    const q = values.instrument ? { instrument: values.instrument } : {};
    const text = out.toLowerCase().endsWith(".csv") ? exportHistoryCsv(store, q) : exportHistoryJson(store, q);
    const tmp = `${out}.tmp-${process.pid}`;
    writeFileSync(tmp, text);
    renameSync(tmp, out);
    console.log(`${out}: ${store.count(q)} record(s) exported`);
  } finally {
    store.close();
  }
  return 0;
}

async function runTrends(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      store: { type: "string" },
      instrument: { type: "string" },
      metric: { type: "string" },
      "baseline-until": { type: "string" },
      "baseline-points": { type: "string" },
      json: { type: "string" },
      force: { type: "boolean", default: false },
    },
  });
  const path = requireStore(values.store);
  if (!values.instrument) throw new InvalidArgumentError("history trends: no --instrument given.", "Pass --instrument NAME (as stored in the history).");
  if (!existsSync(path)) throw new InvalidArgumentError(`Store ${path} does not exist.`, "Import results first: limiqc history import FILE --store PATH.");
  const store = openHistoryStore(path);
  let records: ReturnType<typeof store.query>;
  try {
    records = store.query({ instrument: values.instrument, metric: values.metric });
  } finally {
    store.close();
  }
  if (records.length === 0) throw new InvalidArgumentError(`No records of instrument "${values.instrument}"${values.metric ? ` and metric "${values.metric}"` : ""} in ${path}.`, "Check the names with limiqc history export, or import results first.");
  const baselinePoints = numberOption("baseline-points", values["baseline-points"], { positive: true, example: "20" });
  const r = analyseHistoryTrends(records, { baselineUntil: values["baseline-until"], baselinePoints });
  console.log(`${values.instrument}: ${records.length} record(s), ${r.trends.length} series with control limits`);
  console.log("\n  series                                            n    baseline mean ± sd      LCL – UCL            last");
  for (const t of r.trends) {
    const name = `${t.protocol}/${t.metric}${t.channel ? ` (${t.channel})` : ""}`;
    const last = t.points[t.points.length - 1];
    const g = (x: number) => Number.parseFloat(x.toPrecision(4)).toString();
    console.log(`  ${name.padEnd(48)} ${String(t.points.length).padStart(4)}  ${`${g(t.baseline.mean)} ± ${g(t.baseline.sd)}`.padEnd(20)}  ${`${g(t.controlLimits.lower)} – ${g(t.controlLimits.upper)}`.padEnd(18)}  ${last ? g(last.value) : ""}`);
  }
  for (const s of r.skipped) console.log(`  skipped: ${s.reason}`);
  console.log(r.alerts.length === 0 ? "\nNo alerts: every series within tolerance and control limits." : `\n${r.alerts.length} alert(s):`);
  for (const a of r.alerts) console.log(`  [${a.kind}] ${a.message}`);
  if (values.json) writeJsonFile(values.json, { instrument: values.instrument, alerts: r.alerts, skipped: r.skipped, trends: r.trends }, values.force);
  return 0;
}

async function runReport(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      store: { type: "string" },
      instrument: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      out: { type: "string" },
      pdf: { type: "string" },
      "baseline-until": { type: "string" },
      "baseline-points": { type: "string" },
      force: { type: "boolean", default: false },
    },
  });
  const path = requireStore(values.store);
  const { instrument, from, to, out } = values;
  if (!instrument || !from || !to || !out) throw new InvalidArgumentError("history report needs --instrument, --from, --to and --out.", `Usage: ${usageOf("report")}`);
  if (existsSync(out) && !values.force) throw new LimiqcError(`${out} already exists; limiqc does not overwrite it.`, "Choose another name, or add --force.");
  if (!existsSync(path)) throw new InvalidArgumentError(`Store ${path} does not exist.`, "Check --store.");
  const store = openHistoryStore(path);
  let records: ReturnType<typeof store.query>;
  try {
    records = store.query({ instrument });
  } finally {
    store.close();
  }
  const baselinePoints = numberOption("baseline-points", values["baseline-points"], { positive: true, example: "20" });
  const html = historyPeriodReportHtml(records, { instrument, from, to, baselineUntil: values["baseline-until"], baselinePoints });
  const tmp = `${out}.tmp-${process.pid}`;
  writeFileSync(tmp, html);
  renameSync(tmp, out);
  console.log(`${out}: QC report of ${instrument}, ${from} to ${to} (self-contained HTML, ${(html.length / 1e6).toFixed(1)} MB)`);
  if (values.pdf) {
    if (existsSync(values.pdf) && !values.force) throw new LimiqcError(`${values.pdf} already exists; limiqc does not overwrite it.`, "Choose another name, or add --force.");
    const bytes = printHtmlToPdf(out, values.pdf);
    console.log(`${values.pdf}: PDF (${(bytes / 1e6).toFixed(1)} MB)`);
  }
  return 0;
}

/**
 * `limiqc history run|watch|import|export|trends|report`: the QC history store. `import` takes history exports (JSON/CSV) and result
 * records of `limiqc psf|flatness|power --json` (with --instrument).
 */
export const historyCommand: Command = {
  name: "history",
  summary: "QC history store: analyse-and-store (run, watch), import/export result records, trends with control limits and alerts, period report (HTML)",
  usage: USAGE,
  async run(args: string[]): Promise<number> {
    const [sub, ...rest] = args;
    if (sub === "run") return runRun(rest);
    if (sub === "watch") return runWatch(rest);
    if (sub === "import") return runImport(rest);
    if (sub === "export") return runExport(rest);
    if (sub === "trends") return runTrends(rest);
    if (sub === "report") return runReport(rest);
    throw new InvalidArgumentError(`Unknown history subcommand "${sub ?? ""}".`, `Usage: ${USAGE}`);
  },
};
