/**
 * WG11/12 publication checklist (Schmied et al. 2024, Nat Methods): items answered automatically from the image
 * and its metadata where possible, the rest asked of the user; exportable as Markdown or JSON.
 * @module
 */
import { InvalidArgumentError } from "../core/errors.js";
import { makeProvenance, type Provenance } from "../core/provenance.js";
import type { Verdict } from "../core/quantity.js";
import type { AcquisitionMetadata } from "../metadata/model.js";
import type { QcRecordLike } from "../metadata/provenance.js";
import { judgeOriginalBitDepth } from "../protocols/bit-depth.js";
import { summarisePublicationItems } from "./summary.js";

/** Checklist tier of Schmied et al. (2024). */
export type PublicationTier = "minimal" | "recommended" | "ideal";

/** Answer of one item: auto pass/warn/fail, the user's yes/no, or still open. */
export type PublicationAnswer = "pass" | "warn" | "fail" | "yes" | "no" | "open";

/**
 * Section of a checklist item: the four sections of the image-publishing checklist (plus "quality control"), the
 * three workflow types of the image-analysis checklist, and "provenance" (limiqc additions to the analysis list).
 */
export type PublicationSection =
  | "image format"
  | "colours and channels"
  | "annotation"
  | "availability"
  | "quality control"
  | "established workflow"
  | "novel workflow"
  | "machine-learning workflow"
  | "provenance";

/** One checklist item with its answer (image-publishing and image-analysis checklists alike). */
export interface PublicationItem {
  readonly id: string;
  readonly section: PublicationSection;
  readonly tier: PublicationTier;
  readonly text: string;
  /** Whether limiqc answered it from the data. */
  readonly automatic: boolean;
  readonly answer: PublicationAnswer;
  readonly evidence: string;
}

/** Options of {@link publicationChecklist}. */
export interface PublicationChecklistOptions {
  /** Compression of the file as shown by `describeImageFile(...).compression`, e.g. "LZW (5)". @default unknown */
  readonly compression?: string;
  /** QC records attached to the figure's data. @default [] */
  readonly qcRecords?: readonly QcRecordLike[];
  /** The user's answers to the manual items, by id (true = yes). @default {} */
  readonly answers?: Readonly<Record<string, boolean>>;
  /** Input files the checklist was made from, recorded in the provenance (path and SHA-256). @default [] */
  readonly inputs?: readonly { readonly file?: string; readonly sha256: string }[];
}

/** Result of {@link publicationChecklist} and {@link analysisChecklist}: a plain JSON-serialisable record. */
export interface PublicationChecklistResult {
  readonly items: readonly PublicationItem[];
  /** Counts per answer. */
  readonly counts: Readonly<Record<PublicationAnswer, number>>;
  /** Minimal items failed automatically or answered "no" (the metric of protocols/publication/protocol.json). */
  readonly minimalNotMet: number;
  /** fail: a minimal item fails or is answered "no"; warn: items open, warnings, or a non-minimal "no"; else pass. */
  readonly verdict: Verdict;
  readonly provenance: Provenance;
}

/** Minimum colour distance (sRGB, 0–1 per component) between two channel colours under simulated colour-vision deficiency. */
const MIN_CVD_DISTANCE = 0.25;
/** Lossless TIFF compressions. */
const LOSSLESS = /none|lzw|deflate|zstd|packbits|adobe/i;

/** Machado, Oliveira & Fernandes (2009) matrices, severity 1.0, applied to linear RGB. */
const CVD_MATRICES: Readonly<Record<"protanopia" | "deuteranopia" | "tritanopia", readonly number[]>> = {
  protanopia: [0.152286, 1.052583, -0.204868, 0.114503, 0.786281, 0.099216, -0.003882, -0.048116, 1.051998],
  deuteranopia: [0.367322, 0.860646, -0.227968, 0.280085, 0.672501, 0.047413, -0.01182, 0.04294, 0.968881],
  tritanopia: [1.255528, -0.076749, -0.178779, -0.078411, 0.930809, 0.147602, 0.004733, 0.691367, 0.3039],
};

const toLinear = (c: number): number => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const toSrgb = (c: number): number => {
  const v = Math.min(1, Math.max(0, c));
  return v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055;
};

function parseHex(css: string): [number, number, number] | undefined {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(css);
  return m ? [Number.parseInt(m[1], 16) / 255, Number.parseInt(m[2], 16) / 255, Number.parseInt(m[3], 16) / 255] : undefined;
}

/**
 * How a colour looks with a colour-vision deficiency (Machado et al. 2009, full severity).
 * @param css - "#rrggbb".
 * @param deficiency - "protanopia", "deuteranopia" or "tritanopia".
 * @returns Simulated sRGB, components 0–1.
 * @throws InvalidArgumentError for a colour that is not "#rrggbb".
 * @see Machado G.M., Oliveira M.M., Fernandes L.A.F., IEEE TVCG 15:1291 (2009), doi:10.1109/TVCG.2009.113.
 * @example simulateColourDeficiency("#ff0000", "deuteranopia"); // a dark yellow-brown
 */
export function simulateColourDeficiency(css: string, deficiency: keyof typeof CVD_MATRICES): [number, number, number] {
  const rgb = parseHex(css);
  if (!rgb) throw new InvalidArgumentError(`Colour "${css}" is not #rrggbb.`, "Use CSS hex colours, e.g. #00ff00.");
  const [r, g, b] = rgb.map(toLinear);
  const m = CVD_MATRICES[deficiency];
  return [toSrgb(m[0] * r + m[1] * g + m[2] * b), toSrgb(m[3] * r + m[4] * g + m[5] * b), toSrgb(m[6] * r + m[7] * g + m[8] * b)];
}

function hueOnly(c: [number, number, number]): [number, number, number] {
  const m = Math.max(c[0], c[1], c[2]);
  return m > 0 ? [c[0] / m, c[1] / m, c[2] / m] : c;
}

/**
 * Whether channel colours stay distinguishable for protan, deutan and tritan viewers.
 * @param colours - Channel display colours, "#rrggbb".
 * @returns The smallest pairwise distance over the three deficiencies and the worst pair; ok when ≥ 0.25.
 * Notes: a single channel is always ok (greyscale is best, Schmied et al. 2024). Distance is Euclidean in sRGB after
 * scaling each simulated colour to a maximum component of 1, so it measures hue, not brightness (a dim and a bright
 * yellow are confused in a merge, where brightness carries the data).
 */
export function checkColourBlindSafe(colours: readonly string[]): { ok: boolean; minDistance: number; worst: string } {
  let min = Number.POSITIVE_INFINITY;
  let worst = "";
  for (let i = 0; i < colours.length; i++) {
    for (let j = i + 1; j < colours.length; j++) {
      for (const d of Object.keys(CVD_MATRICES) as (keyof typeof CVD_MATRICES)[]) {
        const a = hueOnly(simulateColourDeficiency(colours[i], d));
        const b = hueOnly(simulateColourDeficiency(colours[j], d));
        const dist = Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
        if (dist < min) {
          min = dist;
          worst = `${colours[i]} vs ${colours[j]} (${d})`;
        }
      }
    }
  }
  return { ok: !(min < MIN_CVD_DISTANCE), minDistance: Number.isFinite(min) ? min : 1, worst };
}

interface ManualSpec {
  readonly id: string;
  readonly section: PublicationItem["section"];
  readonly tier: PublicationTier;
  readonly text: string;
}

/** Items only the author can answer (Schmied et al. 2024, image publishing checklist). */
const MANUAL: readonly ManualSpec[] = [
  { id: "crop-relevant", section: "image format", tier: "minimal", text: "Images are cropped to the relevant content; rotation in 90° steps (otherwise interpolation stated); aspect ratio kept." },
  { id: "example-for-quantification", section: "image format", tier: "minimal", text: "An example image used for quantification is shown, unchanged apart from measured background subtraction." },
  { id: "inset-position", section: "image format", tier: "minimal", text: "The position of every inset is shown in the full view." },
  { id: "phenotype-range", section: "image format", tier: "minimal", text: "Images cover the range of the phenotype, not only the best case." },
  { id: "channel-annotation", section: "colours and channels", tier: "minimal", text: "Every channel is annotated in the figure." },
  { id: "adjustments-reported", section: "colours and channels", tier: "minimal", text: "Brightness/contrast adjustments and cut-offs are reported; no clipping of data; identical settings for compared images." },
  { id: "greyscale-per-channel", section: "colours and channels", tier: "minimal", text: "Multi-colour images are also shown as greyscale per channel." },
  { id: "intensity-scale", section: "colours and channels", tier: "recommended", text: "An intensity calibration bar is shown." },
  { id: "gamma-disclosed", section: "colours and channels", tier: "ideal", text: "Any gamma (non-linear) adjustment is disclosed and a linear version shown alongside." },
  { id: "scale-bar", section: "annotation", tier: "minimal", text: "A scale bar is in the figure (size in the figure or legend)." },
  { id: "annotations-legible", section: "annotation", tier: "minimal", text: "All annotations are explained, legible and do not obscure data." },
  { id: "processing-annotated", section: "annotation", tier: "recommended", text: "Non-linear processing (median, deconvolution, inverted LUT) and time stamps are annotated." },
  { id: "public-database", section: "availability", tier: "recommended", text: "Images are freely downloadable from a public database." },
  { id: "added-value-archive", section: "availability", tier: "ideal", text: "Images are in an added-value archive (IDR, BioImage Archive, EMPIAR)." },
];

/**
 * The WG11/12 image-publication checklist for one image, auto items answered from the metadata.
 * @param metadata - Acquisition metadata of the image (see `readAcquisitionMetadata`).
 * @param options - File compression, attached QC records, the user's answers to the manual items.
 * @returns Items with answers and evidence, counts, minimalNotMet, a verdict (fail: an automatic minimal item fails
 *   or a minimal item is answered "no"; warn: items still open or a warning; pass: everything answered and fine)
 *   and provenance.
 * @throws InvalidArgumentError for an answer to an unknown item id.
 * Notes: automatic items: pixel size known, lossless format (from `compression`), original bit depth kept (judged
 * against the detector's bit depth, see {@link judgeOriginalBitDepth}), colour-blind-safe channel colours, metadata
 * for the Methods, QC records attached. The rest are asked of the author.
 * @see Schmied C. et al., "Community-developed checklists for publishing images and image analyses", Nat Methods 21:170 (2024), doi:10.1038/s41592-023-01987-9.
 */
export function publicationChecklist(metadata: AcquisitionMetadata, options: PublicationChecklistOptions = {}): PublicationChecklistResult {
  const answers = options.answers ?? {};
  for (const id of Object.keys(answers)) {
    if (!MANUAL.some((m) => m.id === id)) throw new InvalidArgumentError(`Answer given for unknown item "${id}".`, `Manual items: ${MANUAL.map((m) => m.id).join(", ")}.`);
  }
  const m = metadata;
  const items: PublicationItem[] = [];
  const px = m.physicalSizeUm;
  items.push({
    id: "pixel-size-known",
    section: "annotation",
    tier: "minimal",
    text: "The pixel size is known, so a correct scale bar can be drawn.",
    automatic: true,
    answer: px.x !== undefined && px.y !== undefined ? "pass" : "fail",
    evidence: px.x !== undefined ? `${px.x} × ${px.y ?? "?"} µm per pixel in the ${m.source} metadata.` : "The file has no pixel size: a scale bar cannot be trusted. Export with calibration (OME-TIFF).",
  });
  const lossless = options.compression === undefined ? undefined : LOSSLESS.test(options.compression);
  items.push({
    id: "lossless-format",
    section: "availability",
    tier: "minimal",
    text: "Images are shared in a lossless format (no JPEG or other lossy compression).",
    automatic: true,
    answer: lossless === undefined ? "open" : lossless ? "pass" : "fail",
    evidence:
      lossless === undefined
        ? "Compression unknown: pass `compression` from describeImageFile."
        : `${m.source === "ome" ? "OME-TIFF" : "TIFF"}, compression ${options.compression}${lossless ? "" : ": lossy, re-export the raw data"}.`,
  });
  const depth = judgeOriginalBitDepth(m);
  items.push({
    id: "bit-depth",
    section: "availability",
    tier: "minimal",
    text: "The original bit depth is kept (not reduced below the detector's bit depth).",
    automatic: true,
    answer: depth.answer,
    evidence: depth.evidence,
  });
  const colours = m.channels.map((c) => c.color).filter((c): c is string => c !== undefined && /^#[0-9a-f]{6}$/i.test(c));
  let cvd: PublicationItem;
  if (m.channels.length <= 1) cvd = { id: "colour-blind-safe", section: "colours and channels", tier: "minimal", text: "Channel colours are colour-blind accessible.", automatic: true, answer: "pass", evidence: "Single channel: show it in greyscale." };
  else if (colours.length < m.channels.length) cvd = { id: "colour-blind-safe", section: "colours and channels", tier: "minimal", text: "Channel colours are colour-blind accessible.", automatic: true, answer: "open", evidence: "Not every channel has a display colour in the metadata; check the figure's colours." };
  else {
    const r = checkColourBlindSafe(colours);
    cvd = {
      id: "colour-blind-safe",
      section: "colours and channels",
      tier: "minimal",
      text: "Channel colours are colour-blind accessible.",
      automatic: true,
      answer: r.ok ? "pass" : "fail",
      evidence: r.ok ? `Colours ${colours.join(", ")} stay distinguishable (min distance ${r.minDistance.toFixed(2)}).` : `${r.worst} become indistinguishable (distance ${r.minDistance.toFixed(2)} < ${MIN_CVD_DISTANCE}); use magenta/green or cyan/magenta/yellow, or greyscale panels.`,
    };
  }
  items.push(cvd);
  const o = m.objective;
  const methodsItems = [m.microscope?.model, o?.nominalMagnification, o?.lensNA, m.channels.some((c) => c.emissionWavelengthNm !== undefined) ? 1 : undefined];
  const have = methodsItems.filter((x) => x !== undefined).length;
  items.push({
    id: "metadata-available",
    section: "annotation",
    tier: "recommended",
    text: "Microscope, objective and acquisition settings are available for the Methods.",
    automatic: true,
    answer: have === methodsItems.length ? "pass" : have > 0 ? "warn" : "fail",
    evidence: `${have} of ${methodsItems.length} key items (microscope model, magnification, NA, wavelengths) are in the metadata; run \`limiqc metadata\` for the full list.`,
  });
  const qc = options.qcRecords ?? [];
  items.push({
    id: "qc-attached",
    section: "quality control",
    tier: "recommended",
    text: "Instrument QC records (e.g. resolution, field uniformity, illumination power) are attached to the data.",
    automatic: true,
    answer: qc.length > 0 ? (qc.some((r) => r.verdict?.level === "fail") ? "warn" : "pass") : "open",
    evidence: qc.length ? `${qc.length} record(s): ${qc.map((r) => `${r.provenance?.fn ?? "?"} ${r.verdict?.level ?? ""}`).join(", ")}.` : "No QC record given; attach them with exportQcOmeXml.",
  });
  for (const s of MANUAL) {
    const a = answers[s.id];
    items.push({ ...s, automatic: false, answer: a === undefined ? "open" : a ? "yes" : "no", evidence: a === undefined ? "To be answered by the author." : "Answered by the author." });
  }
  const resolved = { compression: options.compression ?? null, qcRecords: qc.length, answers };
  return { items, ...summarisePublicationItems(items), provenance: makeProvenance("publicationChecklist", resolved, options.inputs ?? []) };
}

/**
 * The checklist as a Markdown report (for a supplement or a lab notebook).
 * @param result - Result of publicationChecklist or analysisChecklist.
 * @param title - Report title. @default "Image publication checklist"
 * @returns Markdown text: verdict, source, one table row per item.
 * Notes: pipes in item texts and evidence are escaped; the JSON export is `JSON.stringify(result)`.
 * @see Schmied C. et al., Nat Methods 21:170 (2024), doi:10.1038/s41592-023-01987-9.
 * @example publicationReportMarkdown(publicationChecklist(metadata)).startsWith("# Image publication checklist"); // true
 */
export function publicationReportMarkdown(result: PublicationChecklistResult, title = "Image publication checklist"): string {
  const mark: Record<PublicationAnswer, string> = { pass: "✅ pass", yes: "✅ yes", warn: "⚠️ warn", fail: "❌ fail", no: "❌ no", open: "☐ open" };
  const lines = [`# ${title}`, "", `Verdict: **${result.verdict.level}** — ${result.verdict.reason}`, "", "Source: Schmied et al. 2024, Nat Methods 21:170, doi:10.1038/s41592-023-01987-9.", "", "| Section | Tier | Item | Answer | Evidence |", "|---|---|---|---|---|"];
  for (const i of result.items) lines.push(`| ${i.section} | ${i.tier} | ${i.text.replace(/\|/g, "\\|")} | ${mark[i.answer]}${i.automatic ? " (auto)" : ""} | ${i.evidence.replace(/\|/g, "\\|")} |`);
  return `${lines.join("\n")}\n`;
}
