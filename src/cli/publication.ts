import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { InvalidArgumentError } from "../core/errors.js";
import type { QcRecordLike } from "../metadata/provenance.js";
import { ANALYSIS_WORKFLOW_TYPES, type AnalysisWorkflowType } from "../publication/analysis.js";
import type { PublicationChecklistResult } from "../publication/checklist.js";
import { publicationChecklistFile, publicationFileMarkdown } from "../publication/file.js";
import { type Command, RECORD_OPTIONS, refuseOverwrite, writeJsonFile, writeTextFile } from "./common.js";

function readJson(path: string, what: string, example: string): unknown {
  if (!existsSync(path)) throw new InvalidArgumentError(`${what} file ${path} does not exist.`, `Give the path of a JSON file, e.g. ${example}.`);
  try {
    return JSON.parse(readFileSync(path, "utf8")) as unknown;
  } catch (e) {
    throw new InvalidArgumentError(`${what} file ${path} is not valid JSON (${(e as Error).message}).`, `Expected e.g. ${example}.`);
  }
}

function readAnswers(path: string): Record<string, boolean> {
  const example = '{ "scale-bar": true, "established-example-data": false }';
  const raw = readJson(path, "Answers", example);
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new InvalidArgumentError(`Answers file ${path} holds no JSON object.`, `Expected ${example}.`);
  for (const [id, v] of Object.entries(raw)) {
    if (typeof v !== "boolean") throw new InvalidArgumentError(`Answer "${id}" in ${path} is ${JSON.stringify(v)}; expected true or false.`, `Expected ${example}.`);
  }
  return raw as Record<string, boolean>;
}

function readRecord(path: string, what: string): QcRecordLike {
  const raw = readJson(path, what, "a limiqc result record written with --json");
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new InvalidArgumentError(`${what} file ${path} holds no JSON object.`, "Give a limiqc result record written with --json.");
  return raw as QcRecordLike;
}

function printChecklist(title: string, r: PublicationChecklistResult): void {
  const c = r.counts;
  console.log(`${title}: ${c.pass + c.yes} met, ${c.warn} warn, ${c.fail + c.no} not met, ${c.open} open`);
  for (const i of r.items) {
    if (i.answer === "pass" || i.answer === "yes") continue;
    const mark = i.answer === "open" ? "OPEN" : i.answer.toUpperCase();
    console.log(`  ${mark.padEnd(5)} [${i.tier}] ${i.id}: ${i.automatic ? i.evidence : i.text}`);
  }
}

/** `limiqc publication FILE`: WG11/12 image-publishing checklist, plus the image-analysis checklist of a record. */
export const publicationCommand: Command = {
  name: "publication",
  summary: "image-publishing and image-analysis checklists (Schmied et al. 2024): automatic items answered, the rest listed (WG11/12)",
  usage:
    "limiqc publication FILE [--answers ANSWERS.json] [--analysis RECORD.json] [--workflow established|novel|machine-learning]... [--qc QC_RECORD.json]... [--platform TEXT] [--sidecar OME_XML] [--json OUT] [--markdown OUT] [--force]",
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...RECORD_OPTIONS,
        markdown: { type: "string" },
        answers: { type: "string" },
        analysis: { type: "string" },
        workflow: { type: "string", multiple: true },
        qc: { type: "string", multiple: true },
        sidecar: { type: "string" },
        platform: { type: "string" },
      },
    });
    if (positionals.length !== 1) throw new InvalidArgumentError(`publication takes one FILE; got ${positionals.length}.`, `Usage: ${publicationCommand.usage}`);
    const workflows = values.workflow?.map((w) => {
      if (!(ANALYSIS_WORKFLOW_TYPES as readonly string[]).includes(w)) throw new InvalidArgumentError(`--workflow "${w}" is unknown.`, `Use ${ANALYSIS_WORKFLOW_TYPES.join(", ")} (repeat the option for several).`);
      return w as AnalysisWorkflowType;
    });
    // Refuse before the work, not after it, when an output exists.
    for (const out of [values.json, values.markdown]) {
      if (out) refuseOverwrite(out, values.force);
    }
    const r = await publicationChecklistFile(positionals[0], {
      ...(values.answers ? { answers: readAnswers(values.answers) } : {}),
      ...(values.analysis ? { analysisRecord: readRecord(values.analysis, "Analysis record") } : {}),
      ...(values.platform ? { platform: values.platform } : {}),
      ...(workflows ? { workflows } : {}),
      ...(values.qc ? { qcRecords: values.qc.map((p) => readRecord(p, "QC record")) } : {}),
      ...(values.sidecar ? { sidecarPath: values.sidecar } : {}),
    });
    console.log(`${r.file} (sha256 ${r.sha256.slice(0, 12)}…)\n`);
    printChecklist("Image publication checklist", r.image);
    if (r.analysis) {
      console.log("");
      printChecklist("Image analysis checklist", r.analysis);
    }
    console.log(`\nAnswer the open items in a JSON file ({ "item-id": true | false }) and pass it with --answers.`);
    console.log(`Verdict: ${r.verdict.level.toUpperCase()} — ${r.verdict.reason}`);
    if (values.json) {
      writeJsonFile(values.json, r, values.force);
      console.log(`Result record: ${values.json}`);
    }
    if (values.markdown) {
      writeTextFile(values.markdown, publicationFileMarkdown(r), values.force);
      console.log(`Markdown report: ${values.markdown}`);
    }
    return 0;
  },
};
