/**
 * Both WG11/12 checklists for one image file (and optionally the analysis record made from it): what
 * `limiqc publication FILE` runs.
 * @module
 */
import { makeProvenance, type Provenance, sha256File } from "../core/provenance.js";
import { type Verdict, VERDICT_RANK } from "../core/quantity.js";
import { describeImageFile } from "../io/describe.js";
import { readAcquisitionMetadata } from "../metadata/file.js";
import type { QcRecordLike } from "../metadata/provenance.js";
import { ANALYSIS_ITEM_IDS, type AnalysisRecordInput, type AnalysisWorkflowType, analysisChecklist } from "./analysis.js";
import { type PublicationChecklistResult, publicationChecklist, publicationReportMarkdown } from "./checklist.js";

/** Options of {@link publicationChecklistFile}. */
export interface PublicationFileOptions {
  /** Answers to manual items of either checklist, by id (true = yes). @default {} */
  readonly answers?: Readonly<Record<string, boolean>>;
  /** Instrument QC records, attached to both checklists. @default [] */
  readonly qcRecords?: readonly QcRecordLike[];
  /** Result record of the analysis made from this image: adds the image-analysis checklist. @default none */
  readonly analysisRecord?: AnalysisRecordInput;
  /** Workflow types of the analysis (adds the analysis checklist even without a record). @default ["established"] with a record, none without */
  readonly workflows?: readonly AnalysisWorkflowType[];
  /** Platform the analysis ran on (see analysisPlatform). @default not recorded */
  readonly platform?: string;
  /** OME-XML sidecar with metadata the file lacks. @default none */
  readonly sidecarPath?: string;
}

/** Result of {@link publicationChecklistFile}. */
export interface PublicationFileReport {
  readonly file: string;
  readonly sha256: string;
  /** The image-publishing checklist. */
  readonly image: PublicationChecklistResult;
  /** The image-analysis checklist, when a record or workflow types were given. */
  readonly analysis: PublicationChecklistResult | null;
  /** The worse of the two verdicts. */
  readonly verdict: Verdict;
  readonly provenance: Provenance;
}

/**
 * The image-publishing checklist of a file (metadata, compression, bit depth), plus the image-analysis checklist
 * when the analysis record (or the workflow types) is given.
 * @param path - TIFF / OME-TIFF file behind a figure.
 * @param options - Answers, QC records, the analysis record, workflow types, platform, sidecar.
 * @returns Both checklists, the worse verdict, and provenance with the file's SHA-256.
 * @throws InvalidArgumentError when the file or sidecar does not exist, or for answers to unknown items;
 *   CorruptFileError / UnsupportedFormatError when the file is not a readable TIFF.
 * Notes: answers are routed by id: analysis item ids (ANALYSIS_ITEM_IDS) go to the analysis checklist, all others to
 * the image checklist (which rejects unknown ids).
 * @see Schmied C. et al., Nat Methods 21:170 (2024), doi:10.1038/s41592-023-01987-9.
 * @example (await publicationChecklistFile(await ensureSample("metadata-gaps"))).image.verdict.level; // "fail"
 */
export async function publicationChecklistFile(path: string, options: PublicationFileOptions = {}): Promise<PublicationFileReport> {
  const metadata = await readAcquisitionMetadata(path, options.sidecarPath);
  const description = await describeImageFile(path);
  const sha256 = await sha256File(path);
  const all = options.answers ?? {};
  const imageAnswers: Record<string, boolean> = {};
  const analysisAnswers: Record<string, boolean> = {};
  for (const [id, v] of Object.entries(all)) (ANALYSIS_ITEM_IDS.includes(id) ? analysisAnswers : imageAnswers)[id] = v;
  const qcRecords = options.qcRecords ?? [];
  const inputs = [{ file: path, sha256 }];
  const image = publicationChecklist(metadata, { compression: description.compression, qcRecords, answers: imageAnswers, inputs });
  const wantAnalysis = options.analysisRecord !== undefined || options.workflows !== undefined || Object.keys(analysisAnswers).length > 0;
  const analysis = wantAnalysis
    ? analysisChecklist(options.analysisRecord, {
        qcRecords,
        answers: analysisAnswers,
        ...(options.workflows ? { workflows: options.workflows } : {}),
        ...(options.platform ? { platform: options.platform } : {}),
      })
    : null;
  const verdict: Verdict =
    analysis && VERDICT_RANK[analysis.verdict.level] > VERDICT_RANK[image.verdict.level]
      ? { level: analysis.verdict.level, reason: `Analysis checklist: ${analysis.verdict.reason}` }
      : { level: image.verdict.level, reason: `Image checklist: ${image.verdict.reason}${analysis ? ` Analysis checklist: ${analysis.verdict.level}.` : ""}` };
  const resolved = { answers: all, qcRecords: qcRecords.length, workflows: options.workflows ?? null, platform: options.platform ?? null, sidecarPath: options.sidecarPath ?? null, analysisRecord: analysis !== null && options.analysisRecord !== undefined };
  return { file: path, sha256, image, analysis, verdict, provenance: makeProvenance("publicationChecklistFile", resolved, inputs) };
}

/**
 * Both checklists of a file report as one Markdown document.
 * @param report - Result of publicationChecklistFile.
 * @returns Markdown: the image checklist, then the analysis checklist if present.
 * @example publicationFileMarkdown(report).includes("# Image publication checklist"); // true
 */
export function publicationFileMarkdown(report: PublicationFileReport): string {
  const parts = [publicationReportMarkdown(report.image, "Image publication checklist"), `File: \`${report.file}\` (SHA-256 ${report.sha256}).\n`];
  if (report.analysis) parts.push(publicationReportMarkdown(report.analysis, "Image analysis checklist"));
  return parts.join("\n");
}
