import { parseArgs } from "node:util";
import { InvalidArgumentError } from "../core/errors.js";
import { type FieldUniformityFileOptions, measureFieldUniformityFile } from "../uniformity/file.js";
import type { FieldUniformityResult } from "../uniformity/measure.js";
import { type Command, numberOption, RECORD_OPTIONS, writeJsonFile } from "./common.js";

const num = (name: string, v: string | undefined): number | undefined => numberOption(name, v, { example: "50" });

function printChannel(r: FieldUniformityResult): void {
  const name = `channel ${r.channel.index}${r.channel.name ? ` "${r.channel.name}"` : ""}${r.channel.emissionWavelengthNm ? ` (${r.channel.emissionWavelengthNm} nm)` : ""}`;
  const q = (v: { value: number; uncertainty: number }, d = 1): string => `${v.value.toFixed(d)} ± ${v.uncertainty.toFixed(d)}`;
  const um = r.maxLocationUm ? ` = (${r.maxLocationUm.x.value.toFixed(1)}, ${r.maxLocationUm.y.value.toFixed(1)}) µm` : "";
  console.log(`\n${name}:`);
  console.log(`  uniformity U          ${q(r.uniformity)} %   (Imin ${r.minIntensity.value.toFixed(0)}, Imax ${r.maxIntensity.value.toFixed(0)} ADU above dark)`);
  console.log(`  field uniformity FU   ${q(r.fieldUniformity)} %`);
  console.log(`  centering accuracy C  ${q(r.centeringAccuracy)} %   (from the maximum: ${r.centeringAccuracyMax.value.toFixed(1)} %)`);
  console.log(`  CV                    ${q(r.cv, 2)} %`);
  console.log(`  maximum at            (${r.maxLocationPx.x.value.toFixed(1)}, ${r.maxLocationPx.y.value.toFixed(1)}) ± ${r.maxLocationPx.x.uncertainty.toFixed(1)} px${um}`);
  console.log(`  corners (% of max)    ${r.points.filter((p) => p.name.endsWith("corner")).map((p) => `${p.name.replace(" corner", "")} ${p.relativeIntensityPercent.toFixed(1)}`).join(", ")}`);
  if (r.defects.cellCount) console.log(`  defects (dust?)       ${r.defects.cellCount} cells, ${r.defects.areaPercent.toFixed(2)} % of the field, excluded`);
  console.log(`  dark subtraction      ${r.darkSubtraction.kind}${r.darkSubtraction.kind !== "none" ? ` (mean ${r.darkSubtraction.levelAdu.toFixed(1)} ADU)` : ""}`);
  console.log(`  ${r.verdict.level.toUpperCase()} — ${r.verdict.reason}`);
}

/** `limiqc flatness FILE`: WG3 field illumination uniformity of a flat-field image. */
export const flatnessCommand: Command = {
  name: "flatness",
  summary: "field illumination uniformity of a flat-field image (WG3): U, field uniformity, centering, maximum location, verdict",
  usage: "limiqc flatness FILE [--dark FILE] [--offset ADU] [--z N] [--channel C ...] [--json OUT] [--force] [--uniformity-limit PCT] [--centering-limit PCT]",
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...RECORD_OPTIONS,
        dark: { type: "string" },
        offset: { type: "string" },
        z: { type: "string" },
        channel: { type: "string", multiple: true },
        "uniformity-limit": { type: "string" },
        "centering-limit": { type: "string" },
      },
    });
    if (positionals.length !== 1) throw new InvalidArgumentError(`flatness takes one FILE; got ${positionals.length}.`, `Usage: ${flatnessCommand.usage}`);
    const file = positionals[0];
    const channels = values.channel?.map((c) => {
      const k = Number(c);
      if (!Number.isInteger(k) || k < 0) throw new InvalidArgumentError(`--channel "${c}" is not a channel index.`, "Channels are numbered from 0.");
      return k;
    });
    const options: FieldUniformityFileOptions = {
      ...(values.dark ? { darkPath: values.dark } : {}),
      ...(values.offset !== undefined ? { offsetAdu: num("offset", values.offset) } : {}),
      ...(values.z !== undefined ? { z: num("z", values.z) } : {}),
      ...(channels ? { channels } : {}),
      ...(values["uniformity-limit"] !== undefined ? { uniformityLimitPercent: num("uniformity-limit", values["uniformity-limit"]) } : {}),
      ...(values["centering-limit"] !== undefined ? { centeringLimitPercent: num("centering-limit", values["centering-limit"]) } : {}),
    };
    const r = await measureFieldUniformityFile(file, options);
    const px = r.fileFacts.pixelSizeUm;
    console.log(`${file}: ${r.fileFacts.shape[2]} × ${r.fileFacts.shape[1]} px${px ? ` (${px} µm/px)` : ""}, ${r.fileFacts.channels} channel(s)${r.darkFile ? `; dark ${r.darkFile}` : ""}`);
    for (const c of r.channels) printChannel(c);
    if (r.channels.length > 1) console.log(`\n${r.verdict.level.toUpperCase()} — ${r.verdict.reason}`);
    if (values.json) {
      writeJsonFile(values.json, r, values.force);
      console.log(`\nresult record written to ${values.json}`);
    }
    return 0;
  },
};
