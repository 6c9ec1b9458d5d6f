import { parseArgs } from "node:util";
import { LimiqcError } from "../core/errors.js";
import { describeImageFile, formatFileDescription } from "../io/describe.js";
import { type Command, RECORD_OPTIONS, writeJsonFile } from "./common.js";

export const infoCommand: Command = {
  name: "info",
  summary: "dimensions, voxel size, channels and metadata of image files",
  usage: "limiqc info FILE... [--json OUT] [--force]",
  async run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...RECORD_OPTIONS } });
    if (!positionals.length) throw new LimiqcError("No file given.", "Usage: limiqc info FILE... [--json OUT]");
    const descriptions = [];
    for (const file of positionals) {
      const d = await describeImageFile(file);
      descriptions.push(d);
      console.log(formatFileDescription(d));
      if (positionals.length > 1) console.log("");
    }
    if (values.json) writeJsonFile(values.json, descriptions.length === 1 ? descriptions[0] : descriptions, values.force);
    return 0;
  },
};
