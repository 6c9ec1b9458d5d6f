import { parseArgs } from "node:util";
import { InvalidArgumentError, LimiqcError } from "../core/errors.js";
import { writeOmeTiff } from "../io/tiff-writer.js";
import type { ImageView, MultiChannelImage } from "../image/types.js";
import { toSmartLpmTsv } from "../simulate/power.js";
import { PHANTOM_KINDS, type PhantomKind, simulatePhantom } from "../simulate/phantom.js";
import { type Command, refuseOverwrite, writeJsonFile, writeTextFile } from "./common.js";

/** Phantom kinds the CLI can write, and the file each becomes. */
const WRITABLE: Record<string, string> = {
  beads: "OME-TIFF z-stack of beads",
  "beads-multicolor": "multichannel OME-TIFF of multi-colour beads",
  flatfield: "OME-TIFF of a fluorescent slide (and FILE.dark.ome.tif when a dark image is simulated)",
  stage: "OME-TIFF time series of a bead imaged after stage moves",
  drift: "OME-TIFF time-lapse of a drifting bead",
  "power-log": "SmartLPM-format TSV power log",
};

/** Largest array written into the truth JSON in full; longer ones (noise-free images) are summarised. */
const MAX_TRUTH_ARRAY = 10_000;

/** JSON replacer: typed arrays as plain arrays, huge ones replaced by a note. */
function truthReplacer(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const arr = value as unknown as ArrayLike<number>;
    return arr.length > MAX_TRUTH_ARRAY ? `(${arr.length} values omitted; regenerate with simulatePhantom in code to get them)` : Array.from(arr);
  }
  return value;
}

/** Objective recorded in the OME-XML when the phantom used a diffraction PSF model. */
function objectiveOf(truth: unknown): { lensNA: number; refractiveIndex: number } | undefined {
  const scalar = (truth as { psf?: { scalar?: { numericalAperture?: number; immersionIndex?: number } } }).psf?.scalar;
  return scalar?.numericalAperture && scalar.immersionIndex ? { lensNA: scalar.numericalAperture, refractiveIndex: scalar.immersionIndex } : undefined;
}

export const simulateCommand: Command = {
  name: "simulate",
  summary: "write a phantom with known ground truth (the truth goes to OUT.truth.json)",
  usage: `limiqc simulate KIND --out FILE [--seed N] [--force]   KIND: ${Object.keys(WRITABLE).join(", ")}`,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { out: { type: "string" }, seed: { type: "string" }, force: { type: "boolean", default: false } },
    });
    const kind = positionals[0] as PhantomKind | undefined;
    if (!kind || !PHANTOM_KINDS.includes(kind) || !WRITABLE[kind]) {
      throw new InvalidArgumentError(`Unknown or missing phantom kind "${kind ?? ""}".`, `Use one of: ${Object.entries(WRITABLE).map(([k, v]) => `${k} (${v})`).join("; ")}.`);
    }
    if (!values.out) throw new LimiqcError("No --out file given.", `Example: limiqc simulate ${kind} --out ${kind === "power-log" ? "power.tsv" : `${kind}.ome.tif`}`);
    const seed = values.seed === undefined ? undefined : Number(values.seed);
    if (seed !== undefined && !Number.isInteger(seed)) throw new InvalidArgumentError(`--seed ${values.seed} is not an integer.`, "Pass e.g. --seed 7.");
    const out = values.out;
    const force = values.force ?? false;
    const truthPath = `${out.replace(/\.ome\.tiff?$|\.tiff?$|\.tsv$/i, "")}.truth.json`;
    refuseOverwrite(out, force);
    refuseOverwrite(truthPath, force);
    const opts = seed === undefined ? undefined : ({ seed } as never);
    let truth: unknown;
    if (kind === "power-log") {
      const log = simulatePhantom("power-log", opts);
      writeTextFile(out, toSmartLpmTsv(log.rows), force);
      truth = log.truth;
    } else if (kind === "beads" || kind === "beads-multicolor" || kind === "flatfield") {
      const sim = simulatePhantom(kind, opts) as { image: ImageView | MultiChannelImage; truth: unknown; dark?: ImageView | null };
      await writeOmeTiff(out, sim.image, { overwrite: force, imageName: `limiqc simulated ${kind}`, objective: objectiveOf(sim.truth) });
      if (sim.dark) await writeOmeTiff(out.replace(/(\.ome)?\.tiff?$/i, ".dark.ome.tif"), sim.dark, { overwrite: force });
      truth = sim.truth;
    } else {
      const sim = simulatePhantom(kind, opts) as { frames: ImageView | readonly ImageView[] | null; truth: unknown };
      if (!sim.frames) throw new LimiqcError(`The ${kind} phantom produced no image frames with these settings.`, "Use the defaults, which render frames.");
      const frames = Array.isArray(sim.frames) ? { channels: sim.frames } : (sim.frames as ImageView);
      await writeOmeTiff(out, frames, { overwrite: force, imageName: `limiqc simulated ${kind}` });
      truth = sim.truth;
    }
    writeJsonFile(truthPath, JSON.parse(JSON.stringify({ kind, seed: seed ?? "default", truth }, truthReplacer)), force);
    console.log(`wrote ${out} (${WRITABLE[kind]}) and its ground truth ${truthPath}`);
    return 0;
  },
};
