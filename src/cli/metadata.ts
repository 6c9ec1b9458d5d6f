import { parseArgs } from "node:util";
import { InvalidArgumentError } from "../core/errors.js";
import { analyseMetadataFile } from "../metadata/file.js";
import type { MetadataTier } from "../metadata/completeness.js";
import { methodsParagraph } from "../metadata/provenance.js";
import { type Command, writeJsonFile, numberOption } from "./common.js";

const num = (name: string, v: string | undefined): number | undefined => numberOption(name, v, { positive: true, example: "6.5" });

/** `limiqc metadata FILE`: WG7 metadata completeness (NBO-Q tiers) and plausibility report. */
export const metadataCommand: Command = {
  name: "metadata",
  summary: "acquisition-metadata completeness (NBO-Q Tier 1–3) and plausibility report, with a fix per item (WG7)",
  usage: "limiqc metadata FILE [--json OUT] [--force] [--sidecar OME_XML] [--tier 1|2|3] [--camera-pixel UM] [--intermediate-mag X] [--methods]",
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: "string" },
        force: { type: "boolean", default: false },
        sidecar: { type: "string" },
        tier: { type: "string" },
        "camera-pixel": { type: "string" },
        "intermediate-mag": { type: "string" },
        methods: { type: "boolean", default: false },
      },
    });
    if (positionals.length !== 1) throw new InvalidArgumentError(`metadata takes one FILE; got ${positionals.length}.`, `Usage: ${metadataCommand.usage}`);
    const tier = values.tier === undefined ? 1 : Number(values.tier);
    if (![1, 2, 3].includes(tier)) throw new InvalidArgumentError(`--tier is "${values.tier}"; expected 1, 2 or 3.`, "1 = minimum (M&M), 2 = advanced quantification, 3 = full documentation.");
    const r = await analyseMetadataFile(positionals[0], {
      targetTier: tier as MetadataTier,
      ...(values.sidecar ? { sidecarPath: values.sidecar } : {}),
      ...(values["camera-pixel"] ? { cameraPixelUm: num("camera-pixel", values["camera-pixel"]) } : {}),
      ...(values["intermediate-mag"] ? { intermediateMagnification: num("intermediate-mag", values["intermediate-mag"]) } : {}),
    });
    const c = r.completeness;
    console.log(`${r.file}: metadata from ${r.metadata.source}${r.metadata.sidecar ? ` + sidecar ${r.metadata.sidecar}` : ""}`);
    console.log(`  NBO-Q completeness: ${c.tiers.map((t) => `Tier ${t.tier} ${t.present}/${t.applicable}`).join(", ")}; highest tier met: ${c.tierMet || "none"}`);
    for (const f of c.fields.filter((x) => x.tier <= tier && (x.status === "missing" || x.status === "implausible"))) {
      console.log(`  ${f.status === "missing" ? "MISSING    " : "IMPLAUSIBLE"} T${f.tier} ${f.label} (${f.omePath})\n      → ${f.fix}`);
    }
    for (const k of c.consistency.filter((x) => x.status === "implausible")) console.log(`  INCONSISTENT ${k.message}\n      → ${k.fix ?? ""}`);
    for (const n of r.metadata.notes) console.log(`  note: ${n}`);
    if (values.methods) console.log(`\nMaterials & Methods draft:\n${methodsParagraph(r.metadata)}`);
    console.log(`\nVerdict: ${r.verdict.level.toUpperCase()} — ${r.verdict.reason}`);
    if (values.json) {
      writeJsonFile(values.json, r, values.force);
      console.log(`Result record: ${values.json}`);
    }
    return 0;
  },
};
