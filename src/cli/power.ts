import { parseArgs } from "node:util";
import { InvalidArgumentError } from "../core/errors.js";
import { sha256File } from "../core/provenance.js";
import { planeSeriesOf } from "../io/series.js";
import { openImageFile } from "../io/tiff-reader.js";
import { type ExpectedPower, type PowerLogResult, analysePowerLog } from "../power/analyse.js";
import { type IntensityStabilityResult, measureIntensityStability } from "../power/intensity.js";
import { readPowerLog } from "../power/parse.js";
import { type Command, numberOption, RECORD_OPTIONS, writeJsonFile } from "./common.js";
import { isTiffPath } from "../io/tiff-path.js";


const num = (name: string, v: string | undefined): number | undefined => numberOption(name, v, { example: "10" });

function parseExpected(specs: readonly string[]): ExpectedPower[] {
  return specs.map((s) => {
    const parts = s.split(":").map(Number);
    if (!(parts.length === 2 || parts.length === 3) || parts.some((x) => !Number.isFinite(x))) {
      throw new InvalidArgumentError(`--expected "${s}" is not WAVELENGTH:POWER_MW or WAVELENGTH:SETTING:POWER_MW.`, "E.g. --expected 488:10 (10 mW at 100 %) or --expected 488:80:8.");
    }
    return parts.length === 2 ? { wavelengthNm: parts[0], powerMw: parts[1] } : { wavelengthNm: parts[0], settingPercent: parts[1], powerMw: parts[2] };
  });
}

const f = (x: number, d = 3): string => (Math.abs(x) >= 1000 || (Math.abs(x) < 0.01 && x !== 0) ? x.toExponential(d - 1) : x.toFixed(d));

function printLog(file: string, r: PowerLogResult): void {
  console.log(`${file}: ${r.format} log, ${r.readings} readings${r.startTime ? ` from ${r.startTime}` : ""}, ${r.blocks.length} blocks`);
  if (r.rejectedRows.length) console.log(`  ${r.rejectedRows.length} unreadable line(s): ${r.rejectedRows.slice(0, 5).map((x) => `${x.line} (${x.reason})`).join("; ")}${r.rejectedRows.length > 5 ? "; …" : ""}`);
  console.log("\n  series                 n   term   mean mW      S %     CV %   drift %/h  warm-up s");
  for (const s of r.series) {
    const st = s.stability;
    const w = st.warmup ? (st.warmup.stabilised ? f(st.warmup.timeS.value, 0) : "unstable") : "–";
    console.log(
      `  ${s.label.padEnd(20)} ${String(st.n).padStart(5)}  ${s.term.padEnd(5)} ${f(st.mean.value, 4).padStart(9)}  ${f(st.stabilityPercent.value, 2).padStart(7)}  ${f(st.cvPercent.value, 3).padStart(7)}  ${f(st.driftPercentPerH.value, 2).padStart(9)}  ${w.padStart(9)}`,
    );
  }
  for (const l of r.linearity) {
    console.log(
      `\n  linearity ${l.wavelengthNm ?? "?"} nm: R² ${l.rSquared.toFixed(5)}, slope ${f(l.slopeMwPerPercent.value, 4)} mW/%, intercept ${f(l.interceptMw.value, 4)} mW, through origin ${f(l.originSlopeMwPerPercent.value, 4)} mW/%, largest deviation ${l.maxDeviationPercent.toFixed(2)} %`,
    );
  }
  for (const e of r.expected) {
    console.log(`  ${e.wavelengthNm} nm @ ${e.settingPercent} %: expected ${e.expectedMw} mW, measured ${e.measuredMw ? `${f(e.measuredMw.value, 4)} mW (${e.source})` : "—"}${e.deviationPercent !== null ? `, ${e.deviationPercent.toFixed(1)} %` : ""}`);
  }
}

function printIntensity(file: string, r: IntensityStabilityResult): void {
  const st = r.stability;
  console.log(`${file}: time-lapse of ${r.frames} frames over ${f(st.durationS, 0)} s`);
  console.log(`  mean ${f(st.mean.value, 2)} ADU, S ${st.stabilityPercent.value.toFixed(2)} %, CV ${st.cvPercent.value.toFixed(3)} %, drift ${st.driftPercentPerH.value.toFixed(2)} %/h, warm-up ${st.warmup ? (st.warmup.stabilised ? `${st.warmup.timeS.value.toFixed(0)} s` : "not stabilised") : "–"}`);
}

/** `limiqc power FILE`: WG1 power log (or a time-lapse TIFF of a fluorescent slide) → stability, linearity, verdict. */
export const powerCommand: Command = {
  name: "power",
  summary: "illumination power, stability and linearity from a power-meter log (WG1), or intensity stability from a time-lapse TIFF",
  usage:
    "limiqc power FILE [--json OUT] [--force] [--expected NM:[SET%:]MW ...] [--threshold MW] [--time-column NAME] [--power-column NAME] [--power-unit W|mW|uW|nW] [--wavelength NM] [--tolerance PCT] | FILE.tif [--interval S] [--offset ADU]",
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...RECORD_OPTIONS,
        expected: { type: "string", multiple: true },
        threshold: { type: "string" },
        "time-column": { type: "string" },
        "power-column": { type: "string" },
        "power-unit": { type: "string" },
        wavelength: { type: "string" },
        tolerance: { type: "string" },
        interval: { type: "string" },
        offset: { type: "string" },
      },
    });
    if (positionals.length !== 1) throw new InvalidArgumentError(`power takes one FILE; got ${positionals.length}.`, `Usage: ${powerCommand.usage}`);
    const file = positionals[0];
    const tolerance = num("tolerance", values.tolerance);
    const stability = tolerance !== undefined ? { warmupTolerancePercent: tolerance } : undefined;
    let record: PowerLogResult | IntensityStabilityResult;
    if (isTiffPath(file)) {
      const img = await openImageFile(file);
      try {
        const series = await planeSeriesOf(img);
        const r = measureIntensityStability(series, {
          frameIntervalS: num("interval", values.interval) ?? img.metadata.timeIncrementS ?? 1,
          ...(values.offset !== undefined ? { darkOffsetAdu: num("offset", values.offset) } : {}),
          ...(stability ? { stability } : {}),
        });
        const digest = await sha256File(file);
        record = { ...r, provenance: { ...r.provenance, inputs: [{ file, sha256: digest }] } };
        printIntensity(file, r);
      } finally {
        await img.close();
      }
    } else {
      const log = await readPowerLog(file, {
        ...(values["time-column"] !== undefined ? { timeColumn: values["time-column"] } : {}),
        ...(values["power-column"] !== undefined ? { powerColumn: values["power-column"] } : {}),
        ...(values["power-unit"] !== undefined ? { powerUnit: values["power-unit"] } : {}),
        ...(values.wavelength !== undefined ? { wavelengthNm: num("wavelength", values.wavelength) } : {}),
      });
      const threshold = num("threshold", values.threshold);
      const r = analysePowerLog(log, {
        expected: parseExpected(values.expected ?? []),
        ...(threshold !== undefined ? { segment: { onThresholdMw: threshold } } : {}),
        ...(stability ? { stability } : {}),
      });
      record = r;
      printLog(file, r);
    }
    const notPass = record.checks.filter((c) => c.level !== "pass");
    for (const c of notPass.slice(0, 8)) console.log(`  ${c.level.toUpperCase()}: ${c.reason}`);
    if (notPass.length > 8) console.log(`  … ${notPass.length - 8} more`);
    console.log(`\nVerdict: ${record.verdict.level.toUpperCase()} — ${record.verdict.reason}`);
    if (values.json) {
      writeJsonFile(values.json, record, values.force);
      console.log(`Result record: ${values.json}`);
    }
    return 0;
  },
};
