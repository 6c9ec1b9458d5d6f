import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { InvalidArgumentError } from "../core/errors.js";
import { measureCoregistrationFile } from "../coregistration/file.js";
import { analyseCameraSeries } from "../detector/camera.js";
import { readCameraSeries } from "../detector/series-io.js";
import { exportHistoryCsv, exportHistoryJson, importHistoryFile } from "../history/exchange.js";
import { type HistoryStore, historyStoreLocation, openHistoryStore, sqliteStorePath } from "../history/store.js";
import {
  type HistoryContext,
  historyFromBeadPsf,
  historyFromCoregistration,
  historyFromDetector,
  historyFromFieldUniformity,
  historyFromPowerLog,
  historyFromStage,
} from "../history/from-results.js";
import { printHtmlToPdf } from "../history/pdf.js";
import { historyPeriodReportHtml } from "../history/report.js";
import { watchFolder } from "../history/watch.js";
import { inputAcquisitionTime } from "../history/acquisition-time.js";
import type { HistoryRecord } from "../history/types.js";
import type { OpticalSetup } from "../optics/resolution.js";
import { analysePowerLog } from "../power/analyse.js";
import { readPowerLog } from "../power/parse.js";
import { measureBeadPsfFile } from "../resolution/file.js";
import { measureStageRepeatabilityFile } from "../stage/file.js";
import { measureFieldUniformityFile } from "../uniformity/file.js";
import { analyseHistoryTrends } from "../history/trends.js";
import { coregOptics } from "./coreg.js";
import { type Command, numberOption, OPTICS_OPTIONS, OPTICS_USAGE, opticsFromFlags, RECORD_OPTIONS, refuseOverwrite, writeJsonFile, writeTextFile } from "./common.js";

/** Usage line of one subcommand; run, watch and report are shown as the top-level commands they also are. */
function usageOf(sub: string): string {
  const line = USAGE.split("\n").find((l) => l.includes(`limiqc history ${sub} `))?.trim();
  if (line === undefined) return USAGE;
  return ["run", "watch", "report"].includes(sub) ? line.replace("limiqc history ", "limiqc ") : line;
}

const STORE = "--store PATH|postgres://USER@HOST/DB";
const RUN_ARGS = `--instrument X [${STORE}] [--objective O] [--acquired-at ISO] ${OPTICS_USAGE}`;
/** Protocols of run: each positional is a file, except for ptc (a camera acquisition folder or its manifest). */
const RUN_WHAT = "psf|flatness|power|coreg|stage FILE... | ptc FOLDER...";
const WATCH_ARGS = `psf|flatness|power|coreg|stage --instrument X [${STORE}] [--objective O] [--stable-s S] [--pattern REGEX] [optics flags as run] (not ptc: run it on the finished folder)`;
const USAGE = [
  `limiqc history run ${RUN_WHAT} ${RUN_ARGS}`,
  `limiqc history watch FOLDER ${WATCH_ARGS}`,
  `limiqc history import FILE.json|FILE.csv... [${STORE}] [--instrument X [--objective O] [--acquired-at ISO]]`,
  `limiqc history export OUT.json|OUT.csv [${STORE}] [--instrument X] [--force]`,
  `limiqc history trends [${STORE}] --instrument X [--metric M] [--baseline-until DATE | --baseline-points N] [--json OUT] [--force]`,
  `limiqc history report [${STORE}] --instrument X --from DATE --to DATE --out REPORT.html [--pdf REPORT.pdf] [--baseline-until DATE | --baseline-points N] [--force]`,
  `(the store defaults to $LIMIQC_STORE)`,
].join("\n       ");

/** Opens a store that must already exist (a missing SQLite file is an error, not a new empty store). */
async function openExistingStore(location: string): Promise<HistoryStore> {
  const file = sqliteStorePath(location);
  if (file !== null && !existsSync(file)) {
    throw new InvalidArgumentError(`Store ${location} does not exist.`, "Check --store (or LIMIQC_STORE); import results first: limiqc history import FILE --store PATH.");
  }
  return openHistoryStore(location);
}

/** Saves rows, printing what happened; the store is opened for this save only. */
async function storeRows(location: string, rows: readonly HistoryRecord[]): Promise<void> {
  const store = await openHistoryStore(location);
  try {
    const s = await store.insert(rows);
    console.log(`${store.location}: ${s.inserted} record(s) stored, ${s.duplicates} already there (${await store.count()} in total)`);
  } finally {
    await store.close();
  }
}

const RUN_PROTOCOLS = ["psf", "flatness", "power", "coreg", "stage", "ptc"] as const;
type RunProtocol = (typeof RUN_PROTOCOLS)[number];

/**
 * Stage repeatability of one file with `limiqc stage`'s defaults (Gaussian localisation, QUAREP order 300/3000 µm,
 * no detrending): a TIFF image series or a position table; the record's provenance names the file and its SHA-256.
 */
async function stageForHistory(file: string, context: HistoryContext): Promise<HistoryRecord[]> {
  const r = await measureStageRepeatabilityFile(file, { method: "gaussian", detrend: "none" });
  const what = "localisation" in r ? "stage repeatability" : "stage repeatability (position table)";
  console.log(`${file}: ${what}, ${r.verdict.level.toUpperCase()} — ${r.verdict.reason}`);
  return historyFromStage(r, context);
}

/**
 * Analyses one file (for ptc: one acquisition folder) with the protocol's default options, those of the standalone
 * command, and returns its history rows (prints a one-line summary).
 */
/**
 * The context with the input's acquisition time when --acquired-at was not given: the same input must get the same
 * time (it is part of the record's natural key), so storing it twice adds nothing; the analysis time would not.
 */
async function withAcquisitionTime(file: string, context: HistoryContext): Promise<HistoryContext> {
  if (context.acquiredAt !== undefined) return context;
  const t = await inputAcquisitionTime(file);
  console.log(`  acquired ${t.iso} (${t.from === "metadata" ? "from the image metadata" : "the file's modification time; --acquired-at sets it"})`);
  return { ...context, acquiredAt: t.iso };
}

async function analyseForHistory(protocol: RunProtocol, file: string, givenContext: HistoryContext, optics: Partial<OpticalSetup>): Promise<HistoryRecord[]> {
  if (protocol === "power") {
    const res = analysePowerLog(await readPowerLog(file));
    console.log(`${file}: power log, ${res.verdict.level.toUpperCase()} — ${res.verdict.reason}`);
    // a power log dates itself (its first timestamp); only a log without one needs the file's time
    return historyFromPowerLog(res, res.startTime === null ? await withAcquisitionTime(file, givenContext) : givenContext);
  }
  const context = (): Promise<HistoryContext> => withAcquisitionTime(file, givenContext);
  if (protocol === "psf") {
    const res = await measureBeadPsfFile(file, { optics: optics });
    console.log(`${file}: bead PSF, ${res.verdict.level.toUpperCase()} — ${res.verdict.reason}`);
    return historyFromBeadPsf(res, await context());
  }
  if (protocol === "flatness") {
    const res = await measureFieldUniformityFile(file);
    console.log(`${file}: field uniformity, ${res.verdict.level.toUpperCase()} — ${res.verdict.reason}`);
    return historyFromFieldUniformity(res, await context());
  }
  if (protocol === "coreg") {
    const res = await measureCoregistrationFile(file, { optics: coregOptics(optics) });
    console.log(`${file}: co-registration, ${res.verdict.level.toUpperCase()} — ${res.verdict.reason}`);
    return historyFromCoregistration(res, await context());
  }
  if (protocol === "stage") return stageForHistory(file, await context());
  if (protocol === "ptc") {
    const res = analyseCameraSeries(await readCameraSeries(file), { spec: {} });
    console.log(`${file}: camera photon transfer, ${res.verdict.level.toUpperCase()} — ${res.verdict.reason}`);
    return historyFromDetector(res, await context());
  }
  throw new InvalidArgumentError(`Unknown protocol "${protocol}".`, `Use one of ${RUN_PROTOCOLS.join(", ")}.`);
}

/** Protocol ids accepted for the command names (the SOP folders' names). */
const PROTOCOL_ALIASES: Readonly<Record<string, RunProtocol>> = {
  resolution: "psf",
  "field-uniformity": "flatness",
  "illumination-power": "power",
  "co-registration": "coreg",
  "stage-focus": "stage",
  detector: "ptc",
};

function checkProtocol(protocolArg: string | undefined): RunProtocol {
  const protocol = protocolArg === undefined ? undefined : (PROTOCOL_ALIASES[protocolArg] ?? protocolArg);
  if (!protocol || !(RUN_PROTOCOLS as readonly string[]).includes(protocol)) {
    throw new InvalidArgumentError(`run/watch: protocol is "${protocolArg ?? ""}"; expected one of ${RUN_PROTOCOLS.join(", ")} (or ${Object.keys(PROTOCOL_ALIASES).join(", ")}).`, `Usage: ${usageOf("run")}`);
  }
  return protocol as RunProtocol;
}

const RUN_OPTIONS = {
  store: { type: "string" },
  instrument: { type: "string" },
  objective: { type: "string" },
  "acquired-at": { type: "string" },
  ...OPTICS_OPTIONS,
} as const;

/** `history watch FOLDER PROTOCOL`: analyses and stores every new file once it has stopped changing, until Ctrl-C. */
async function runWatch(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...RUN_OPTIONS, "stable-s": { type: "string" }, pattern: { type: "string" } } });
  const location = historyStoreLocation(values.store);
  const [folder, protocolArg] = positionals;
  const protocol = checkProtocol(protocolArg);
  if (protocol === "ptc") {
    throw new InvalidArgumentError(
      "watch: ptc cannot be watched: it analyses a whole camera acquisition (flat and dark series at many levels, one folder), not files one by one as they appear.",
      `Once the acquisition is complete, run: limiqc run ptc ${folder ?? "FOLDER"} --instrument ${values.instrument ?? "X"}`,
    );
  }
  if (!folder) throw new InvalidArgumentError("watch: no folder.", `Usage: ${usageOf("watch")}`);
  if (!values.instrument) throw new InvalidArgumentError("watch: no --instrument given.", "Name the instrument (--instrument X).");
  const context: HistoryContext = { instrument: values.instrument, objective: values.objective ?? null };
  const optics = opticsFromFlags(values);
  const stableS = numberOption("stable-s", values["stable-s"], { positive: true, example: "5" }) ?? 2;
  await (await openHistoryStore(location)).close(); // a wrong store fails now, not at the first acquisition
  const ac = new AbortController();
  process.once("SIGINT", () => ac.abort());
  process.once("SIGTERM", () => ac.abort());
  console.log(`watching ${folder} for ${protocol} files (complete after ${stableS} s unchanged); Ctrl-C to stop`);
  await watchFolder(
    folder,
    async (file) => {
      const rows = await analyseForHistory(protocol, file, context, optics);
      await storeRows(location, rows);
    },
    { stableMs: stableS * 1000, signal: ac.signal, pattern: values.pattern ? new RegExp(values.pattern) : undefined },
    (e, file) =>
      console.log(
        `  ${file ?? folder}: not stored — ${e instanceof Error ? e.message : String(e)}\n  still watching; once fixed: limiqc run ${protocol} ${file ?? "FILE"} --instrument ${values.instrument}`,
      ),
  );
  console.log(`stopped watching ${folder}`);
  return 0;
}

/** Analyses each file (ptc: each folder) with the protocol's default options (optics from the file, else the flags) and stores the rows. */
async function runRun(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: RUN_OPTIONS });
  const location = historyStoreLocation(values.store);
  const [protocolArg, ...files] = positionals;
  const protocol = checkProtocol(protocolArg);
  if (files.length === 0) throw new InvalidArgumentError(`run: no input ${protocol === "ptc" ? "folder" : "file"}.`, `Usage: ${usageOf("run")}`);
  if (!values.instrument) throw new InvalidArgumentError("run: no --instrument given.", "Name the instrument the files were acquired on (--instrument X).");
  const context: HistoryContext = { instrument: values.instrument, objective: values.objective ?? null, acquiredAt: values["acquired-at"] };
  const optics = opticsFromFlags(values);

  // analyse everything first, then store in one transaction: a failing file stores nothing
  const rows: HistoryRecord[] = [];
  for (const file of files) rows.push(...(await analyseForHistory(protocol, file, context, optics)));
  await storeRows(location, rows);
  return 0;
}

async function runImport(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { store: { type: "string" }, instrument: { type: "string" }, objective: { type: "string" }, "acquired-at": { type: "string" } },
  });
  const location = historyStoreLocation(values.store);
  const context = values.instrument ? { instrument: values.instrument, objective: values.objective ?? null, acquiredAt: values["acquired-at"] } : undefined;
  if (positionals.length === 0) throw new InvalidArgumentError("history import: no input file.", `Usage: ${usageOf("import")}`);
  const store = await openHistoryStore(location);
  try {
    for (const file of positionals) {
      const r = await importHistoryFile(store, file, context);
      console.log(`${file}: ${r.inserted} record(s) imported, ${r.duplicates} already in the store`);
    }
    console.log(`${store.location}: ${await store.count()} record(s) in total`);
  } finally {
    await store.close();
  }
  return 0;
}

async function runExport(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { store: { type: "string" }, instrument: { type: "string" }, force: { type: "boolean", default: false } } });
  const location = historyStoreLocation(values.store);
  const out = positionals[0];
  if (!out) throw new InvalidArgumentError("history export: no output file.", "Pass OUT.json or OUT.csv.");
  refuseOverwrite(out, values.force);
  const store = await openExistingStore(location);
  try {
    const q = values.instrument ? { instrument: values.instrument } : {};
    const text = out.toLowerCase().endsWith(".csv") ? await exportHistoryCsv(store, q) : await exportHistoryJson(store, q);
    writeTextFile(out, text, values.force);
    console.log(`${out}: ${await store.count(q)} record(s) exported`);
  } finally {
    await store.close();
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
      ...RECORD_OPTIONS,
    },
  });
  const location = historyStoreLocation(values.store);
  if (!values.instrument) throw new InvalidArgumentError("history trends: no --instrument given.", "Pass --instrument NAME (as stored in the history).");
  const store = await openExistingStore(location);
  let records: HistoryRecord[];
  try {
    records = await store.query({ instrument: values.instrument, metric: values.metric });
  } finally {
    await store.close();
  }
  if (records.length === 0) throw new InvalidArgumentError(`No records of instrument "${values.instrument}"${values.metric ? ` and metric "${values.metric}"` : ""} in ${store.location}.`, "Check the names with limiqc history export, or import results first.");
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
  const location = historyStoreLocation(values.store);
  const { instrument, from, to, out } = values;
  if (!instrument || !from || !to || !out) throw new InvalidArgumentError("history report needs --instrument, --from, --to and --out.", `Usage: ${usageOf("report")}`);
  refuseOverwrite(out, values.force);
  const store = await openExistingStore(location);
  let records: HistoryRecord[];
  try {
    records = await store.query({ instrument });
  } finally {
    await store.close();
  }
  const baselinePoints = numberOption("baseline-points", values["baseline-points"], { positive: true, example: "20" });
  const html = historyPeriodReportHtml(records, { instrument, from, to, baselineUntil: values["baseline-until"], baselinePoints });
  writeTextFile(out, html, values.force);
  console.log(`${out}: QC report of ${instrument}, ${from} to ${to} (self-contained HTML, ${(html.length / 1e6).toFixed(1)} MB)`);
  if (values.pdf) {
    refuseOverwrite(values.pdf, values.force);
    const bytes = printHtmlToPdf(out, values.pdf);
    console.log(`${values.pdf}: PDF (${(bytes / 1e6).toFixed(1)} MB)`);
  }
  return 0;
}

/**
 * `limiqc history run|watch|import|export|trends|report`: the QC history store. `import` takes history exports (JSON/CSV) and result
 * records of `limiqc psf|flatness|power|coreg|stage|ptc --json` (with --instrument).
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

/** `limiqc run PROTOCOL FILE...` (ptc: FOLDER...): analyse and store in one go (same as `history run`). */
export const runCommand: Command = {
  name: "run",
  summary: "Analyse QC acquisitions and save every result in the QC history store in one go (all files or none)",
  usage: `limiqc run ${RUN_WHAT} ${RUN_ARGS}`,
  run: runRun,
};

/** `limiqc watch FOLDER PROTOCOL`: analyse and store new acquisitions as they appear (same as `history watch`). */
export const watchCommand: Command = {
  name: "watch",
  summary: "Watch an acquisition folder; analyse and store each new file once it is completely written (Ctrl-C stops)",
  usage: `limiqc watch FOLDER ${WATCH_ARGS}`,
  run: runWatch,
};

/** `limiqc report`: period report of one instrument (same as `history report`). */
export const reportCommand: Command = {
  name: "report",
  summary: "Period QC report of one instrument from the history store: self-contained HTML (and PDF) with trends and verdicts",
  usage: `limiqc report [${STORE}] --instrument X --from DATE --to DATE --out REPORT.html [--pdf REPORT.pdf] [--baseline-until DATE | --baseline-points N] [--force]`,
  run: runReport,
};
