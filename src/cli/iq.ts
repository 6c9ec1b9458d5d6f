import { parseArgs } from "node:util";
import { InvalidArgumentError } from "../core/errors.js";
import { assessImageQualityFolder } from "../quality/batch.js";
import { QUALITY_WEIGHT_PRESETS } from "../quality/metrics.js";
import { type Command, numberOption, OPTICS_OPTIONS, OPTICS_USAGE, opticsFromFlags, RECORD_OPTIONS, writeJsonFile } from "./common.js";

const num = (name: string, v: string | undefined): number | undefined => numberOption(name, v, { positive: true, example: "1.4" });

/** Immersion index assumed when --na is given without --immersion (oil, the usual high-NA case). */
const DEFAULT_IMMERSION_INDEX = 1.518;

/** `limiqc iq FOLDER`: WG10 image quality of every TIFF in a folder, with a summary table. */
export const iqCommand: Command = {
  name: "iq",
  summary: "image quality of every TIFF in a folder: saturation, dynamic range, noise, SNR, focus, sampling, resolution (WG10)",
  usage: `limiqc iq FOLDER [--json OUT] [--force] [--preset default|quantitative-intensity|localisation|screening] ${OPTICS_USAGE} (sampling and resolution checks need --na or an objective in the files; default widefield, oil) [--gain E_PER_ADU --offset ADU --read-noise E] [--no-decorrelation]`,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...RECORD_OPTIONS,
        preset: { type: "string", default: "default" },
        ...OPTICS_OPTIONS,
        gain: { type: "string" },
        offset: { type: "string" },
        "read-noise": { type: "string" },
        "no-decorrelation": { type: "boolean", default: false },
      },
    });
    if (positionals.length !== 1) throw new InvalidArgumentError(`iq takes one FOLDER; got ${positionals.length}.`, `Usage: ${iqCommand.usage}`);
    const preset = values.preset as keyof typeof QUALITY_WEIGHT_PRESETS;
    if (!(preset in QUALITY_WEIGHT_PRESETS)) throw new InvalidArgumentError(`--preset "${values.preset}" is unknown.`, `Use one of ${Object.keys(QUALITY_WEIGHT_PRESETS).join(", ")}.`);
    const given = opticsFromFlags(values);
    const optics = given.na !== undefined ? { modality: "widefield" as const, immersionIndex: DEFAULT_IMMERSION_INDEX, ...given, na: given.na } : undefined;
    const gain = num("gain", values.gain);
    const camera =
      gain !== undefined
        ? {
            conversionGainEPerAdu: gain,
            offsetAdu: numberOption("offset", values.offset, { example: "100" }) ?? 0,
            readNoiseE: numberOption("read-noise", values["read-noise"], { example: "1.6" }) ?? 0,
          }
        : undefined;
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
