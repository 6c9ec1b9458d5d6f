import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { InvalidArgumentError } from "../core/errors.js";
import { sha256File } from "../core/provenance.js";
import { parseDriftPositions } from "../stage/analyse.js";
import { type StageDriftResult, localiseDriftSeries, measureStageDrift } from "../stage/drift.js";
import { measureStageRepeatabilityFile } from "../stage/file.js";
import type { BeadLocalisationMethod } from "../stage/localise.js";
import type { StageRepeatabilityResult } from "../stage/repeatability.js";
import { type Command, numberOption, RECORD_OPTIONS, writeJsonFile } from "./common.js";
import { readPlaneSeries } from "../io/series.js";
import { isTiffPath } from "../io/tiff-path.js";

const METHODS: readonly BeadLocalisationMethod[] = ["gaussian", "phase-correlation", "centroid"];

const num = (name: string, v: string | undefined): number | undefined => numberOption(name, v, { positive: true, example: "10" });

function printRepeatability(r: StageRepeatabilityResult): void {
  const nm = (v: number): string => `${(v * 1000).toFixed(0)} nm`;
  for (const s of r.sizes) {
    console.log(`\n  ${s.moveSizeUm} µm moves: ${s.captures - s.excluded} of ${s.captures} captures; SD all moves x ${nm(s.sdAllXUm.value)}, y ${nm(s.sdAllYUm.value)}`);
    for (const d of s.directions) {
      if (d.n) console.log(`    ${d.direction.padEnd(6)} n ${String(d.n).padStart(3)}  SD x ${d.sdXUm ? nm(d.sdXUm.value) : "—"}, y ${d.sdYUm ? nm(d.sdYUm.value) : "—"}`);
    }
    for (const a of [s.isoX, s.isoY]) {
      if (a) {
        console.log(
          `    ISO 230-2 ${a.axis}: s↑ ${nm(a.sdUpUm.value)}, s↓ ${nm(a.sdDownUm.value)}, reversal B ${nm(a.reversalUm.value)}, R↑ ${nm(a.repeatabilityUpUm)}, R ${nm(a.bidirectionalRepeatabilityUm)}, A ${nm(a.accuracyUm)}`,
        );
      }
    }
  }
}

function printDrift(d: StageDriftResult): void {
  const st = d.stabilisation;
  console.log(`  ${d.timesS.length} time points (${d.dimensions}D), total displacement ${d.totalDisplacementUm.toFixed(3)} µm`);
  console.log(`  stabilisation threshold ${st.thresholdUm.toFixed(3)} µm (${st.thresholdSource}); stabilised ${st.timeS ? `at ${st.timeS.value.toFixed(0)} s` : "never"}`);
  console.log(`  velocity ${d.velocity.all.meanUmPerMin.toFixed(3)} ± ${d.velocity.all.sdUmPerMin.toFixed(3)} (SD) µm/min; drift after stabilisation x ${d.driftRateUmPerH.x.toFixed(3)}, y ${d.driftRateUmPerH.y.toFixed(3)} µm/h`);
}

/** `limiqc stage FILE`: WG6 stage repeatability (or drift with --drift) from an image series or a position table. */
export const stageCommand: Command = {
  name: "stage",
  summary: "stage XY repeatability (QUAREP order, ISO 230-2 reversal/repeatability) or drift and stabilisation (--drift), from a bead image series or a position table (WG6)",
  usage:
    "limiqc stage FILE.tif|positions.csv [--json OUT] [--force] [--sizes 300,3000] [--method gaussian|phase-correlation|centroid] [--pixel-size UM] [--detrend] | --drift [--interval S] [--threshold UM]",
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...RECORD_OPTIONS,
        sizes: { type: "string" },
        method: { type: "string" },
        "pixel-size": { type: "string" },
        detrend: { type: "boolean", default: false },
        drift: { type: "boolean", default: false },
        interval: { type: "string" },
        threshold: { type: "string" },
      },
    });
    if (positionals.length !== 1) throw new InvalidArgumentError(`stage takes one FILE; got ${positionals.length}.`, `Usage: ${stageCommand.usage}`);
    const file = positionals[0];
    const method = (values.method ?? "gaussian") as BeadLocalisationMethod;
    if (!METHODS.includes(method)) throw new InvalidArgumentError(`--method "${values.method}" is not one of ${METHODS.join(", ")}.`, "Use gaussian (default), phase-correlation or centroid.");
    const pixelSizeUm = num("pixel-size", values["pixel-size"]);
    const sizes = values.sizes?.split(",").map((s) => {
      const v = Number(s);
      if (!(v > 0)) throw new InvalidArgumentError(`--sizes "${values.sizes}" is not a list of positive numbers.`, "E.g. --sizes 300,3000.");
      return v;
    });
    let record: { verdict: { level: string; reason: string }; checks?: readonly { level: string; reason: string }[]; provenance: { inputs: readonly { file?: string; sha256: string }[] } };
    if (values.drift) {
      const threshold = num("threshold", values.threshold);
      let positions: ReturnType<typeof parseDriftPositions>;
      if (isTiffPath(file)) {
        const stack = await readPlaneSeries(file);
        const interval = num("interval", values.interval) ?? 1;
        positions = localiseDriftSeries(stack, Array.from({ length: stack.shape[0] }, (_, i) => i * interval), { method, ...(pixelSizeUm ? { pixelSizeUm } : {}) });
      } else positions = parseDriftPositions(await readFile(file, "utf8"));
      const d = measureStageDrift(positions, threshold !== undefined ? { thresholdUm: threshold } : {});
      console.log(`${file}: drift series`);
      printDrift(d);
      record = { ...d, provenance: { ...d.provenance, inputs: [{ file, sha256: await sha256File(file) }] } };
    } else {
      const r = await measureStageRepeatabilityFile(file, { method, ...(pixelSizeUm ? { pixelSizeUm } : {}), ...(sizes ? { moveSizesUm: sizes } : {}), detrend: values.detrend ? "linear" : "none" });
      if ("localisation" in r) {
        const frames = r.localisation.positions.length;
        console.log(`${file}: ${frames} captures, bead found in ${frames - r.localisation.excluded.length} (${method})`);
        for (const e of r.localisation.excluded) console.log(`  frame ${e.frame} excluded: ${e.reason}`);
        printRepeatability(r.repeatability);
        record = { ...r, checks: r.repeatability.checks };
      } else {
        console.log(`${file}: ${r.sizes.reduce((n, s) => n + s.captures, 0)} captures from the position table`);
        printRepeatability(r);
        record = r;
      }
    }
    for (const c of (record.checks ?? []).filter((x) => x.level !== "pass")) console.log(`  ${c.level.toUpperCase()}: ${c.reason}`);
    console.log(`\nVerdict: ${record.verdict.level.toUpperCase()} — ${record.verdict.reason}`);
    if (values.json) {
      writeJsonFile(values.json, record, values.force);
      console.log(`Result record: ${values.json}`);
    }
    return 0;
  },
};
