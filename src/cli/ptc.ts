import { parseArgs } from "node:util";
import { InvalidArgumentError } from "../core/errors.js";
import { analyseCameraSeries } from "../detector/camera.js";
import type { CameraSpec } from "../detector/photon-transfer.js";
import { readCameraSeries } from "../detector/series-io.js";
import { type Command, numberOption, RECORD_OPTIONS, writeJsonFile } from "./common.js";

const num = (name: string, v: string | undefined): number | undefined => numberOption(name, v, { positive: true, example: "1.5" });

const p = (x: number, d = 4): string => x.toPrecision(d);

/** `limiqc ptc FOLDER`: EMVA 1288 photon transfer (and the dark-noise test) of a camera acquisition. */
export const ptcCommand: Command = {
  name: "ptc",
  summary: "camera photon transfer (EMVA 1288: gain, read noise, dark current, saturation, DSNU, PRNU) and dark-noise test (WG2)",
  usage:
    "limiqc ptc FOLDER|MANIFEST.csv [--json OUT] [--force] [--saturation ADU] [--spec-gain E_PER_ADU] [--spec-read-noise E] [--spec-dark-current E_PER_S] [--threshold PCT]",
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...RECORD_OPTIONS,
        saturation: { type: "string" },
        "spec-gain": { type: "string" },
        "spec-read-noise": { type: "string" },
        "spec-dark-current": { type: "string" },
        threshold: { type: "string" },
      },
    });
    if (positionals.length !== 1) throw new InvalidArgumentError(`ptc takes one FOLDER; got ${positionals.length}.`, `Usage: ${ptcCommand.usage}`);
    const folder = positionals[0];
    const spec: CameraSpec = {
      ...(values["spec-gain"] !== undefined ? { conversionGainEPerAdu: num("spec-gain", values["spec-gain"]) } : {}),
      ...(values["spec-read-noise"] !== undefined ? { readNoiseE: num("spec-read-noise", values["spec-read-noise"]) } : {}),
      ...(values["spec-dark-current"] !== undefined ? { darkCurrentEPerS: num("spec-dark-current", values["spec-dark-current"]) } : {}),
    };
    const data = await readCameraSeries(folder);
    const sat = num("saturation", values.saturation);
    const thr = num("threshold", values.threshold);
    const r = analyseCameraSeries(data, { spec, ...(sat !== undefined ? { saturationAdu: sat } : {}), ...(thr !== undefined ? { thresholdPercent: thr } : {}) });
    const t = r.photonTransfer;
    console.log(`${folder}: ${t.levels.length} levels${data.manifest ? " (manifest)" : " (from file names)"}, ${t.gainFit.levels} in the gain fit${data.darkSeries ? `, dark series of ${data.darkSeries.shape[0]} frames` : ""}`);
    console.log("\n  level                          exposure ms   signal ADU   variance ADU²   SNR     use");
    for (const l of t.levels) {
      console.log(
        `  ${l.label.slice(0, 30).padEnd(30)} ${p(l.exposureS * 1000).padStart(11)} ${p(l.signalAdu).padStart(12)} ${p(l.varianceAdu2).padStart(15)} ${p(l.snr, 3).padStart(7)}   ${l.usedForGain ? "yes" : `no: ${l.exclusion}`}`,
      );
    }
    const q = (x: { value: number; uncertainty: number } | null, unit: string): string => (x ? `${p(x.value)} ± ${p(x.uncertainty, 2)} ${unit}` : "—");
    console.log(`\n  conversion gain   ${q(t.conversionGainEPerAdu, "e⁻/ADU")} (K = ${p(t.systemGainAduPerE.value)} ADU/e⁻, fit R² ${t.gainFit.rSquared.toFixed(4)})`);
    console.log(`  offset            ${q(t.offsetAdu, "ADU")}`);
    console.log(`  read noise        ${q(t.readNoiseE, "e⁻")}`);
    console.log(`  dark current      ${q(t.darkCurrentEPerS, "e⁻/s")}`);
    console.log(`  saturation        ${t.saturation ? q(t.saturation.capacityE, "e⁻") : "not reached"}`);
    console.log(`  dynamic range     ${t.dynamicRange ? `${p(t.dynamicRange.ratio)} (${t.dynamicRange.db.toFixed(1)} dB)` : "—"}`);
    console.log(`  linearity error   ${t.linearityError ? `${t.linearityError.minPercent.toFixed(3)} … ${t.linearityError.maxPercent.toFixed(3)} %` : "—"}`);
    console.log(`  DSNU              ${q(t.dsnuE, "e⁻")};  PRNU ${q(t.prnuPercent, "%")}`);
    if (r.darkNoise) {
      const d = r.darkNoise;
      console.log(
        `  dark test         median read noise ${q(d.readNoiseMedianE, "e⁻")}, RMS ${q(d.readNoiseRmsE, "e⁻")}, warm ${d.warm.pixels}, cold ${d.cold.pixels}, hot ${d.hot.pixels} (${d.defectPercent.toFixed(3)} % of pixels)`,
      );
    }
    for (const c of r.checks.filter((x) => x.level !== "pass")) console.log(`  ${c.level.toUpperCase()}: ${c.reason}`);
    console.log(`\nVerdict: ${r.verdict.level.toUpperCase()} — ${r.verdict.reason}`);
    if (values.json) {
      writeJsonFile(values.json, r, values.force);
      console.log(`Result record: ${values.json}`);
    }
    return 0;
  },
};
