import { parseArgs } from "node:util";
import { InvalidArgumentError } from "../core/errors.js";
import type { MetadataTier } from "../metadata/completeness.js";
import { analyseMetadataFile } from "../metadata/file.js";
import { methodsParagraph } from "../metadata/provenance.js";
import { type Command, numberOption, RECORD_OPTIONS, writeJsonFile } from "./common.js";

const num = (name: string, v: string | undefined): number | undefined => numberOption(name, v, { positive: true, example: "6.5" });

/** `limiqc metadata FILE`: WG7 metadata completeness (NBO-Q tiers) and plausibility report, judged against protocols/metadata. */
export const metadataCommand: Command = {
  name: "metadata",
  summary: "acquisition-metadata completeness (NBO-Q Tier 1–3) and plausibility report, with a fix per item; sidecar OME-XML or Micro-Meta App JSON (WG7)",
  usage:
    "limiqc metadata FILE [--json OUT] [--force] [--sidecar X.ome.xml|X.json]... [--tier 1|2|3] [--camera-pixel UM] [--intermediate-mag X] [--documented ITEM,ITEM] [--methods]",
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...RECORD_OPTIONS,
        sidecar: { type: "string", multiple: true },
        tier: { type: "string" },
        "camera-pixel": { type: "string" },
        "intermediate-mag": { type: "string" },
        documented: { type: "string" },
        methods: { type: "boolean", default: false },
      },
    });
    if (positionals.length !== 1) throw new InvalidArgumentError(`metadata takes one FILE; got ${positionals.length}.`, `Usage: ${metadataCommand.usage}`);
    const tier = values.tier === undefined ? 1 : Number(values.tier);
    if (![1, 2, 3].includes(tier)) throw new InvalidArgumentError(`--tier is "${values.tier}"; expected 1, 2 or 3.`, "1 = minimum (M&M), 2 = advanced quantification, 3 = full documentation.");
    const documented = values.documented
      ?.split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    const r = await analyseMetadataFile(positionals[0], {
      targetTier: tier as MetadataTier,
      ...(values.sidecar?.length ? { sidecarPath: values.sidecar } : {}),
      ...(values["camera-pixel"] ? { cameraPixelUm: num("camera-pixel", values["camera-pixel"]) } : {}),
      ...(values["intermediate-mag"] ? { intermediateMagnification: num("intermediate-mag", values["intermediate-mag"]) } : {}),
      ...(documented?.length ? { documentedElsewhere: documented } : {}),
    });
    const c = r.completeness;
    const m = r.metadata;
    console.log(`${r.file}: metadata from ${m.source}${m.sidecar ? ` + sidecar ${m.sidecar}` : ""}`);
    if (m.fromSidecar?.length) console.log(`  from sidecar: ${m.fromSidecar.map((f) => f.field).join(", ")}`);
    console.log(`  NBO-Q completeness: ${c.tiers.map((t) => `Tier ${t.tier} ${t.present}/${t.applicable}`).join(", ")}; highest tier met: ${c.tierMet || "none"}`);
    for (const f of c.fields.filter((x) => x.tier <= tier && (x.status === "missing" || x.status === "implausible"))) {
      console.log(`  ${f.status === "missing" ? "MISSING    " : "IMPLAUSIBLE"} T${f.tier} ${f.label} (${f.omePath})\n      → ${f.fix}`);
    }
    for (const k of c.consistency.filter((x) => x.status === "implausible")) console.log(`  INCONSISTENT ${k.message}\n      → ${k.fix ?? ""}`);
    for (const k of c.consistency.filter((x) => x.status === "unknown" && x.id.startsWith("sidecar-"))) console.log(`  UNDECIDED  ${k.message}\n      → ${k.fix ?? ""}`);
    for (const n of m.notes) console.log(`  note: ${n}`);
    console.log("\nAcceptance criteria (protocols/metadata/protocol.json):");
    for (const k of c.checks) console.log(`  ${k.level.toUpperCase().padEnd(13)} ${k.criterion} (${k.limit}): ${k.reason}`);
    if (values.methods) console.log(`\nMaterials & Methods draft:\n${methodsParagraph(m)}`);
    console.log(`\nVerdict: ${r.verdict.level.toUpperCase()} — ${r.verdict.reason}`);
    if (values.json) {
      writeJsonFile(values.json, r, values.force);
      console.log(`Result record: ${values.json}`);
    }
    return 0;
  },
};
