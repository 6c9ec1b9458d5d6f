import { parseArgs } from "node:util";
import { InvalidArgumentError } from "../core/errors.js";
import type { Modality } from "../optics/resolution.js";
import { assessImageQualityFolder } from "../quality/batch.js";
import { QUALITY_WEIGHT_PRESETS } from "../quality/metrics.js";
import { type Command, writeJsonFile, numberOption } from "./common.js";

const num = (name: string, v: string | undefined): number | undefined => numberOption(name, v, { positive: true, example: "1.4" });

/** `limiqc iq FOLDER`: WG10 image quality of every TIFF in a folder, with a summary table. */
export const iqCommand: Command = {
  name: "iq",
  summary: "image quality of every TIFF in a folder: saturation, dynamic range, noise, SNR, focus, sampling, resolution (WG10)",
  usage: "limiqc iq FOLDER [--json OUT] [--force] [--preset default|quantitative-intensity|localisation|screening] [--na NA --immersion-index N --emission NM [--modality widefield|confocal|spinningDisk|multiphoton] [--excitation NM]] [--gain E_PER_ADU --offset ADU --read-noise E] [--no-decorrelation]",
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: "string" },
        force: { type: "boolean", default: false },
        preset: { type: "string", default: "default" },
        na: { type: "string" },
        "immersion-index": { type: "string" },
        emission: { type: "string" },
        excitation: { type: "string" },
        modality: { type: "string", default: "widefield" },
        gain: { type: "string" },
        offset: { type: "string" },
        "read-noise": { type: "string" },
        "no-decorrelation": { type: "boolean", default: false },
      },
    });
    if (positionals.length !== 1) throw new InvalidArgumentError(`iq takes one FOLDER; got ${positionals.length}.`, `Usage: ${iqCommand.usage}`);
    const preset = values.preset as keyof typeof QUALITY_WEIGHT_PRESETS;
    if (!(preset in QUALITY_WEIGHT_PRESETS)) throw new InvalidArgumentError(`--preset "${values.preset}" is unknown.`, `Use one of ${Object.keys(QUALITY_WEIGHT_PRESETS).join(", ")}.`);
    const na = num("na", values.na);
    const optics =
      na !== undefined
        ? {
            modality: values.modality as Modality,
            na,
            immersionIndex: num("immersion-index", values["immersion-index"]) ?? 1.518,
            ...(values.emission ? { emissionWavelengthNm: num("emission", values.emission) } : {}),
            ...(values.excitation ? { excitationWavelengthNm: num("excitation", values.excitation) } : {}),
          }
        : undefined;
    const gain = num("gain", values.gain);
    const camera = gain !== undefined ? { conversionGainEPerAdu: gain, offsetAdu: Number(values.offset ?? 0), readNoiseE: Number(values["read-noise"] ?? 0) } : undefined;
    const b = await assessImageQualityFolder(positionals[0], {
      weights: QUALITY_WEIGHT_PRESETS[preset],
      decorrelation: !values["no-decorrelation"],
      ...(optics ? { optics } : {}),
      ...(camera ? { camera } : {}),
    });
    console.log(`${b.folder}: ${b.images.length} image(s)${b.rejected.length ? `, ${b.rejected.length} unreadable` : ""} (worst first)\n`);
    console.log("  level  score  sat %    bits    SNR   focus      resolution  file");
    for (const r of b.table) {
      console.log(
        `  ${r.level.padEnd(5)} ${r.score.toFixed(0).padStart(5)}  ${r.saturatedPercent.toFixed(3).padStart(6)}  ${r.effectiveBits.toFixed(1).padStart(5)}  ${r.snr.toFixed(1).padStart(6)}  ${r.focusScore.toPrecision(3).padStart(9)}  ${(r.resolution === null ? "–" : r.resolution.toPrecision(3)).padStart(10)}  ${r.file}`,
      );
    }
    for (const r of b.rejected) console.log(`  UNREADABLE ${r.file}: ${r.reason}`);
    console.log(`\nVerdict: ${b.verdict.level.toUpperCase()} — ${b.verdict.reason}`);
    if (values.json) {
      writeJsonFile(values.json, b, values.force);
      console.log(`Result record: ${values.json}`);
    }
    return 0;
  },
};
