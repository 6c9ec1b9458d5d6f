import { parseArgs } from "node:util";
import { DimensionError, InvalidArgumentError, LimiqcError } from "../core/errors.js";
import { sha256File } from "../core/provenance.js";
import { readImage } from "../io/tiff-reader.js";
import { extractPlane } from "../image/roi.js";
import type { ImageView } from "../image/types.js";
import { measureDecorrelation } from "../resolution/decorrelation.js";
import { measureFrc } from "../resolution/frc.js";
import { type Command, RECORD_OPTIONS, writeJsonFile } from "./common.js";

const NO_LIMIT = "no verdict: there is no published limit for image-based resolution; compare with your instrument's earlier records";

/** One plane of a file: the file's only plane, or --z N of a stack. */
async function readPlane(path: string, z: string | undefined, channel: string | undefined): Promise<ImageView> {
  const image = await readImage(path, { channel: channel === undefined ? 0 : Number(channel) });
  if (z !== undefined) {
    const k = Number(z);
    if (!Number.isInteger(k)) throw new InvalidArgumentError(`--z ${z} is not a plane index.`, "Pass e.g. --z 10 (planes count from 0).");
    return extractPlane(image, k);
  }
  if (image.shape[0] > 1) {
    throw new DimensionError(`${path} is a stack of ${image.shape[0]} planes; image-based resolution works on one plane.`, "Choose the plane with --z N (e.g. the sharpest one).");
  }
  return image;
}

const fileInputs = (paths: string[]): Promise<{ file: string; sha256: string }[]> => Promise.all(paths.map(async (file) => ({ file, sha256: await sha256File(file) })));

export const frcCommand: Command = {
  name: "frc",
  summary: "resolution by Fourier ring correlation of two independent images of the same field",
  usage: "limiqc frc FILE1 FILE2 [--z N] [--channel C] [--json OUT] [--force]",
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { z: { type: "string" }, channel: { type: "string" }, ...RECORD_OPTIONS },
    });
    if (positionals.length !== 2) throw new LimiqcError(`FRC needs exactly two images of the same field; got ${positionals.length}.`, "Acquire the field twice in a row and pass both files.");
    const [a, b] = await Promise.all(positionals.map((p) => readPlane(p, values.z, values.channel)));
    const r = measureFrc(a, b);
    console.log(r.summary);
    console.log(`half-bit threshold: ${r.crossings.halfBit.status}${r.crossings.halfBit.resolution ? `, ${r.crossings.halfBit.resolution.value.toFixed(3)} ${r.crossings.halfBit.resolution.unit}` : ""}`);
    console.log(NO_LIMIT);
    if (values.json) writeJsonFile(values.json, { ...r, inputs: await fileInputs(positionals) }, values.force);
    return 0;
  },
};

export const decorrelationCommand: Command = {
  name: "decorr",
  summary: "resolution of a single image by decorrelation analysis (Descloux et al. 2019)",
  usage: "limiqc decorr FILE [--z N] [--channel C] [--json OUT] [--force]",
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { z: { type: "string" }, channel: { type: "string" }, ...RECORD_OPTIONS },
    });
    if (positionals.length !== 1) throw new LimiqcError(`Decorrelation analysis takes one image; got ${positionals.length}.`, "Usage: limiqc decorr FILE [--z N]");
    const r = measureDecorrelation(await readPlane(positionals[0], values.z, values.channel));
    console.log(r.summary);
    console.log(NO_LIMIT);
    if (values.json) writeJsonFile(values.json, { ...r, inputs: await fileInputs(positionals) }, values.force);
    return 0;
  },
};
