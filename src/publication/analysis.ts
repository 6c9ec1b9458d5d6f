/**
 * WG12 image-analysis checklist (Schmied et al. 2024): items for established, novel and machine-learning workflows,
 * the reproducibility items answered from a limiqc result record's provenance, the rest asked of the author.
 * @module
 */
import { cpus } from "node:os";
import { InvalidArgumentError } from "../core/errors.js";
import { makeProvenance, type Provenance } from "../core/provenance.js";
import type { QcRecordLike } from "../metadata/provenance.js";
import type { PublicationChecklistResult, PublicationItem, PublicationTier } from "./checklist.js";
import { summarisePublicationItems } from "./summary.js";

/** Workflow types of the image-analysis checklist. */
export type AnalysisWorkflowType = "established" | "novel" | "machine-learning";

/** All workflow types, in checklist order. */
export const ANALYSIS_WORKFLOW_TYPES: readonly AnalysisWorkflowType[] = ["established", "novel", "machine-learning"];

/** A limiqc result record (anything with a `provenance`), or a bare Provenance. */
export type AnalysisRecordInput = QcRecordLike | Provenance;

/** Options of {@link analysisChecklist}. */
export interface AnalysisChecklistOptions {
  /** Workflow types the analysis used (a limiqc analysis is an established workflow). @default ["established"] */
  readonly workflows?: readonly AnalysisWorkflowType[];
  /** Platform the analysis ran on (OS, runtime, CPU), e.g. {@link analysisPlatform}(). @default the record's provenance.platform (recorded since limiqc records it), else not recorded */
  readonly platform?: string;
  /** QC records of the instrument that acquired the analysed images. @default [] */
  readonly qcRecords?: readonly QcRecordLike[];
  /** The author's answers by item id (true = yes); an item the record answers keeps the record's answer. @default {} */
  readonly answers?: Readonly<Record<string, boolean>>;
}

/** Item kinds limiqc can answer from a record's provenance. */
type AutoKind = "cite" | "version" | "key-settings" | "all-settings" | "input" | "instrument-qc";

interface AnalysisSpec {
  readonly id: string;
  readonly section: PublicationItem["section"];
  readonly tier: PublicationTier;
  readonly text: string;
  /** Answered from the record (established workflow and provenance sections only). */
  readonly auto?: AutoKind;
}

const SECTION_OF: Readonly<Record<AnalysisWorkflowType, PublicationItem["section"]>> = {
  established: "established workflow",
  novel: "novel workflow",
  "machine-learning": "machine-learning workflow",
};

/** Items of Schmied et al. (2024), image-analysis checklist, in our wording; ids are prefixed by workflow type. */
const ITEMS: Readonly<Record<AnalysisWorkflowType, readonly Omit<AnalysisSpec, "section">[]>> = {
  established: [
    { id: "established-cite", tier: "minimal", text: "The workflow and the platform it ran on are cited with their versions (paper, or URL, author and download date).", auto: "cite" },
    { id: "established-key-settings", tier: "minimal", text: "The settings that change the outcome (key settings) are reported.", auto: "key-settings" },
    { id: "established-example-data", tier: "minimal", text: "Example data for testing the workflow are provided." },
    { id: "established-manual-rois", tier: "minimal", text: "Hand-drawn ROIs, if any, are saved as files and shared with the workflow." },
    { id: "established-exact-version", tier: "minimal", text: "The exact version (release, or commit and date) of the workflow is given.", auto: "version" },
    { id: "established-all-settings", tier: "recommended", text: "All settings, including defaults and program preferences, are shared (e.g. in the supplement).", auto: "all-settings" },
    { id: "established-public-example", tier: "recommended", text: "The example data are in a public repository (e.g. Zenodo, IDR, BioImage Archive)." },
    { id: "established-usage-documented", tier: "ideal", text: "Its use is documented step by step (tutorial, screenshots or a screen recording)." },
    { id: "established-container", tier: "ideal", text: "The workflow can be run in a container or a hosted environment." },
  ],
  novel: [
    { id: "novel-cite-components", tier: "minimal", text: "Every component (plugin, package) and the platform are cited with their versions." },
    { id: "novel-sequence", tier: "minimal", text: "The order of the processing steps is described (flow chart or text)." },
    { id: "novel-key-settings", tier: "minimal", text: "Key settings are reported (best as a table in the supplement or the code package)." },
    { id: "novel-example-data-code", tier: "minimal", text: "The code and example data to run it are provided with the paper." },
    { id: "novel-manual-rois", tier: "minimal", text: "Hand-drawn ROIs, if any, are saved as files and shared with the code." },
    { id: "novel-exact-version", tier: "minimal", text: "The exact version (release, or commit and date) of the code is given." },
    { id: "novel-all-settings", tier: "recommended", text: "All settings, including hidden preferences, are shared." },
    { id: "novel-public-data-code", tier: "recommended", text: "Code and example data are in a public, versioned repository (e.g. GitHub with a Zenodo release, IDR)." },
    { id: "novel-rationale", tier: "recommended", text: "The rationale is explained: biological question, what is measured, related workflows, the maths where needed." },
    { id: "novel-limitations", tier: "recommended", text: "Scope and limits are stated (2D/3D, bit depth, file types, object size, excluded objects)." },
    { id: "novel-tutorial", tier: "ideal", text: "A tutorial or screen recording shows how to use it." },
    { id: "novel-easy-install", tier: "ideal", text: "Installation is easy and documented; code and example data are packaged together (e.g. a container)." },
  ],
  "machine-learning": [
    { id: "ml-cite-method", tier: "minimal", text: "The paper that describes the machine-learning method is cited." },
    { id: "ml-model-access", tier: "minimal", text: "The trained model is accessible (at the least on request)." },
    { id: "ml-validation-data", tier: "minimal", text: "Openly accessible example or validation images are sufficient to test the model's performance." },
    { id: "ml-train-test-data", tier: "recommended", text: "Pre-trained or new models: training and test data are shared with their metadata (hyperparameters, configuration, training time and hardware)." },
    { id: "ml-code", tier: "recommended", text: "Pre-trained or new models: the training code is in a public repository with a long-term record (e.g. Zenodo)." },
    { id: "ml-limitations", tier: "recommended", text: "Pre-trained or new models: performance on these data is tested and the limitations are discussed." },
    { id: "ml-container", tier: "recommended", text: "Pre-trained or new models: code, model and data can be run in a container or a hosted service." },
    { id: "ml-standard-format", tier: "ideal", text: "New models: the model is shared in a community format (e.g. BioImage Model Zoo)." },
  ],
};

/** limiqc additions (not in Schmied et al.): what makes the analysed data traceable. */
const PROVENANCE_ITEMS: readonly AnalysisSpec[] = [
  { id: "provenance-input", section: "provenance", tier: "recommended", text: "The analysed input is identified by a checksum (SHA-256).", auto: "input" },
  { id: "provenance-instrument-qc", section: "provenance", tier: "recommended", text: "QC records of the instrument that acquired the images are attached.", auto: "instrument-qc" },
];

/** Ids of every item of the image-analysis checklist (all workflow types and the provenance items). */
export const ANALYSIS_ITEM_IDS: readonly string[] = [
  ...ANALYSIS_WORKFLOW_TYPES.flatMap((w) => ITEMS[w].map((s) => s.id)),
  ...PROVENANCE_ITEMS.map((s) => s.id),
];

/** A released version: x.y.z without pre-release or build suffix. */
const RELEASE_VERSION = /^\d+\.\d+\.\d+$/;
/** Settings named in the evidence before "…". */
const MAX_LISTED_SETTINGS = 8;
/** Hex digits of a SHA-256 shown in the evidence. */
const SHORT_HASH_CHARS = 12;

function provenanceOf(input: AnalysisRecordInput | undefined): Provenance | undefined {
  if (!input || typeof input !== "object") return undefined;
  const p = input as Partial<Provenance>;
  const prov = typeof p.fn === "string" && typeof p.version === "string" ? (input as Provenance) : (input as QcRecordLike).provenance;
  // A record read back from JSON may lack fields: inputs default to none, so the checks below never see undefined.
  return prov ? { ...prov, inputs: Array.isArray(prov.inputs) ? prov.inputs : [] } : undefined;
}

function specsFor(workflows: readonly AnalysisWorkflowType[]): AnalysisSpec[] {
  const out: AnalysisSpec[] = [];
  for (const w of ANALYSIS_WORKFLOW_TYPES) if (workflows.includes(w)) for (const s of ITEMS[w]) out.push({ ...s, section: SECTION_OF[w] });
  return [...out, ...PROVENANCE_ITEMS];
}

function describeInputs(p: Provenance): string {
  return p.inputs.map((i) => `${i.file ?? "pixel data"} (sha256 ${i.sha256.slice(0, SHORT_HASH_CHARS)}…)`).join(", ");
}

/** Answer and evidence of an automatic item, or undefined when the record cannot answer it. */
function autoAnswer(kind: AutoKind, p: Provenance | undefined, o: { platform?: string; qc: readonly QcRecordLike[] }): Pick<PublicationItem, "answer" | "evidence"> | undefined {
  if (kind === "instrument-qc") {
    const qc = o.qc;
    if (qc.length === 0) return undefined;
    const failed = qc.filter((r) => r.verdict?.level === "fail").length;
    return {
      answer: failed ? "warn" : "pass",
      evidence: `${qc.length} QC record(s): ${qc.map((r) => `${r.provenance?.fn ?? "?"} ${r.verdict?.level ?? "no verdict"}`).join(", ")}${failed ? `; ${failed} failed: say how this affects the analysis` : ""}.`,
    };
  }
  if (!p) return undefined;
  const settings = p.options && typeof p.options === "object" ? Object.keys(p.options) : undefined;
  switch (kind) {
    case "cite": {
      const tool = `limiqc ${p.version}, function ${p.fn}`;
      if (p.version === "unknown") return { answer: "fail", evidence: `${p.fn} is recorded but the limiqc version is unknown: re-run with an installed limiqc release.` };
      return o.platform
        ? { answer: "pass", evidence: `${tool}; platform ${o.platform}. Cite limiqc and this platform in the Methods.` }
        : { answer: "warn", evidence: `${tool} is recorded; the platform is not: pass \`platform: analysisPlatform()\` or state the OS and Node.js version in the Methods.` };
    }
    case "version":
      if (p.version === "unknown") return { answer: "fail", evidence: "The record has no limiqc version (package.json not found at analysis time): re-run with an installed release." };
      return RELEASE_VERSION.test(p.version)
        ? { answer: "pass", evidence: `limiqc ${p.version}, analysed ${p.analysedAt ?? "(date not recorded)"}.` }
        : { answer: "warn", evidence: `limiqc ${p.version} is not a release version: give the commit and date as well.` };
    case "key-settings":
    case "all-settings": {
      if (settings === undefined) return { answer: "fail", evidence: `The record of ${p.fn} holds no settings: report them by hand or re-run with limiqc.` };
      if (settings.length === 0) return { answer: "pass", evidence: `${p.fn} has no tunable settings (recorded as empty).` };
      const listed = settings.slice(0, MAX_LISTED_SETTINGS).join(", ") + (settings.length > MAX_LISTED_SETTINGS ? ", …" : "");
      return {
        answer: "pass",
        evidence:
          kind === "key-settings"
            ? `${settings.length} setting(s) recorded in the record's provenance (${listed}): put the key ones in the Methods.`
            : `The resolved options, defaults filled in, are in the record (${listed}): share the JSON record as supplementary material.`,
      };
    }
    case "input":
      return p.inputs.length > 0
        ? { answer: "pass", evidence: `Input identified: ${describeInputs(p)}.` }
        : { answer: "warn", evidence: `The record of ${p.fn} does not identify its input: run the file-based analysis so the file's SHA-256 is recorded.` };
  }
}

/**
 * The WG12 image-analysis checklist for one analysis, reproducibility items answered from a limiqc result record.
 * @param record - The limiqc result record of the analysis (anything with `provenance`), its Provenance, or
 *   undefined when the analysis was not made with limiqc (then every item is asked of the author).
 * @param options - Workflow types used, platform, instrument QC records, the author's answers.
 * @returns Items grouped by workflow type (plus the limiqc "provenance" items), counts, minimalNotMet, a verdict
 *   (fail: a minimal item fails or is answered "no"; warn: open items, warnings or a non-minimal "no"; pass: all met)
 *   and the provenance of the checklist itself.
 * @throws InvalidArgumentError for an unknown workflow type, no workflow type, or an answer to an unknown item or to
 *   an item of a workflow type not selected.
 * Notes: from a record limiqc answers, for the established-workflow section, "workflow cited" (limiqc version and
 * function; pass only when the platform is known: from `platform` or the record's provenance), "exact version" (a release x.y.z passes), "key settings" and "all
 * settings" (the resolved options in the provenance); and the provenance items "input identified by SHA-256" and
 * "instrument QC attached" (from `qcRecords`). Novel and machine-learning items are always asked: a limiqc record
 * documents only the limiqc step. When the record answers an item, the author's answer to it is not used.
 * @see Schmied C. et al., "Community-developed checklists for publishing images and image analyses", Nat Methods
 *   21:170 (2024), doi:10.1038/s41592-023-01987-9; living list: QUAREP-LiMi/WG12_checklists_for_image_publishing.
 * @example analysisChecklist(iqRecord, { platform: analysisPlatform() }).items[0].answer; // "pass"
 */
export function analysisChecklist(record: AnalysisRecordInput | undefined, options: AnalysisChecklistOptions = {}): PublicationChecklistResult {
  const workflows = options.workflows ?? ["established"];
  if (workflows.length === 0) throw new InvalidArgumentError("analysisChecklist got no workflow type.", `Give one or more of ${ANALYSIS_WORKFLOW_TYPES.join(", ")}.`);
  for (const w of workflows) {
    if (!ANALYSIS_WORKFLOW_TYPES.includes(w)) throw new InvalidArgumentError(`Workflow type "${w}" is unknown.`, `Use ${ANALYSIS_WORKFLOW_TYPES.join(", ")}.`);
  }
  const answers = options.answers ?? {};
  const specs = specsFor(workflows);
  for (const id of Object.keys(answers)) {
    if (specs.some((s) => s.id === id)) continue;
    const other = ANALYSIS_WORKFLOW_TYPES.find((w) => ITEMS[w].some((s) => s.id === id));
    if (other) throw new InvalidArgumentError(`Answer given for "${id}", an item of ${other} workflows, but workflows are ${workflows.join(", ")}.`, `Add "${other}" to options.workflows or drop the answer.`);
    throw new InvalidArgumentError(`Answer given for unknown item "${id}".`, `Items: ${specs.map((s) => s.id).join(", ")}.`);
  }
  const p = provenanceOf(record);
  const qc = options.qcRecords ?? [];
  const items: PublicationItem[] = specs.map((s) => {
    const base = { id: s.id, section: s.section, tier: s.tier, text: s.text };
    const auto = s.auto ? autoAnswer(s.auto, p, { platform: options.platform ?? p?.platform, qc }) : undefined;
    if (auto) return { ...base, automatic: true, ...auto, evidence: auto.evidence + (answers[s.id] !== undefined ? " (Your answer was not used: the record answers this item.)" : "") };
    const a = answers[s.id];
    let evidence = a === undefined ? "To be answered by the author." : "Answered by the author.";
    if (s.auto && !p && s.auto !== "instrument-qc" && a === undefined) evidence = "No limiqc record given: answer it yourself, or pass the result record to answer it from its provenance.";
    if (s.auto === "instrument-qc" && a === undefined) evidence = "No QC record given: attach the instrument's QC records (qcRecords).";
    if (s.id === "established-example-data" && p && p.inputs.length > 0 && a === undefined) evidence = `To be answered by the author; the record identifies the input: ${describeInputs(p)}.`;
    return { ...base, automatic: false, answer: a === undefined ? "open" : a ? "yes" : "no", evidence };
  });
  const resolved = { workflows, platform: options.platform ?? p?.platform ?? null, qcRecords: qc.length, answers, record: p ? { fn: p.fn, version: p.version } : null };
  return { items, ...summarisePublicationItems(items), provenance: makeProvenance("analysisChecklist", resolved, p ? p.inputs : []) };
}

/**
 * The platform this process runs on, for the "cite workflow and platform" item.
 * @returns E.g. "Node.js v20.20.2, linux x64, AMD EPYC 7B13 (2 cores)".
 * Notes: reads the current process and OS; call it in the session that ran the analysis.
 * @example analysisPlatform().startsWith("Node.js v"); // true
 */
export function analysisPlatform(): string {
  const cpu = cpus();
  return `Node.js ${process.version}, ${process.platform} ${process.arch}${cpu.length ? `, ${cpu[0].model.trim()} (${cpu.length} cores)` : ""}`;
}
