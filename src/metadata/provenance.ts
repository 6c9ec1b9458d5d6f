/**
 * QC provenance export: limiqc result records as OME-XML MapAnnotations (namespace {@link LIMIQC_QC_NAMESPACE})
 * and as JSON with NBO-Q Calibration & Performance field names where they exist, plus a generated
 * Materials & Methods paragraph (MethodsJ2 spirit) that flags missing items instead of inventing them.
 * @module
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { InvalidArgumentError, UnsupportedFormatError } from "../core/errors.js";
import { LIMIQC_VERSION, type Provenance } from "../core/provenance.js";
import type { Quantity, Verdict } from "../core/quantity.js";
import { escapeXml } from "../io/ome-xml.js";
import { type AcquisitionMetadata, MAX_METADATA_XML_CHARS } from "./model.js";

/** Namespace of limiqc's QC MapAnnotations (OME StructuredAnnotations/MapAnnotation@Namespace). */
export const LIMIQC_QC_NAMESPACE = "openmicroscopy.org/limiqc/qc";
const OME_NAMESPACE = "http://www.openmicroscopy.org/Schemas/OME/2016-06";
/** OME 2016-06 AnnotationID pattern (ome.xsd). */
const ANNOTATION_ID = /^((urn:lsid:([\w\-.]+\.[\w\-.]+)+:Annotation:\S+)|(Annotation:\S+))$/;
/** Most values exported per record (a record with thousands of per-bead values keeps its summary). */
const MAX_VALUES_PER_RECORD = 500;

/** Any limiqc result record: values as Quantity somewhere inside, optional verdict and provenance. */
export interface QcRecordLike {
  readonly verdict?: Verdict;
  readonly provenance?: Provenance;
}

/** One exported number. */
export interface QcValue {
  /** Dotted path in the record, e.g. "summary.fwhmUm.x.mean". */
  readonly key: string;
  /** NBO-Q Calibration & Performance name, when one exists, e.g. "OpticalCalibration.MedianXYSpotFWHM". */
  readonly nboQ?: string;
  readonly value: number;
  readonly uncertainty: number;
  readonly unit: string;
}

/** NBO-Q (v02-10) names for limiqc record keys, matched on the key's tail. */
const NBOQ_NAMES: readonly (readonly [RegExp, string])[] = [
  [/fwhmUm\.x\.median$/, "OpticalCalibration.MedianXYSpotFWHM"],
  [/fwhmUm\.y\.median$/, "OpticalCalibration.MedianXYSpotFWHM"],
  [/fwhmUm\.z\.median$/, "OpticalCalibration.MedianZSpotFWHM"],
  [/lateralAsymmetry(\.mean)?$/, "OpticalCalibration.LateralAsymmetry"],
  [/axialAsymmetry(\.mean)?$/, "OpticalCalibration.AxialAsymmetry"],
  [/nyquistRate$/, "OpticalCalibration.NyquistRate"],
  [/maxLocationPx\.x$/, "FieldUniformityEvaluation.MaxPixelX"],
  [/maxLocationPx\.y$/, "FieldUniformityEvaluation.MaxPixelY"],
  [/(^|\.)mean$/, "IlluminationPowerReportingStatistic.Average"],
];

function isQuantity(v: unknown): v is Quantity {
  if (!v || typeof v !== "object") return false;
  const q = v as Record<string, unknown>;
  return typeof q.value === "number" && typeof q.uncertainty === "number" && typeof q.unit === "string" && Number.isFinite(q.value);
}

/**
 * Every Quantity inside a result record, with its dotted path and NBO-Q name.
 * @param record - A limiqc result record.
 * @returns Up to 500 values in depth-first order (provenance and raw curves skipped).
 * Notes: the NBO-Q mapping covers OpticalCalibration (spot FWHM, asymmetry, NyquistRate) and
 * FieldUniformityEvaluation (max-pixel position); "mean" maps to IlluminationPowerReportingStatistic.Average only
 * inside power records (fn contains "Power"/"Intensity"). Other values keep limiqc names.
 * @see Hammer M. et al., Nat Methods 18:1427 (2021), NBO-Q Calibration & Performance extension.
 */
export function flattenQcRecord(record: QcRecordLike): QcValue[] {
  const out: QcValue[] = [];
  const isPower = /power|intensity/i.test(record.provenance?.fn ?? "");
  const walk = (v: unknown, path: string, depth: number): void => {
    if (out.length >= MAX_VALUES_PER_RECORD || depth > 8 || v === null || v === undefined) return;
    if (isQuantity(v)) {
      const hit = NBOQ_NAMES.find(([re, name]) => re.test(path) && (isPower || !name.startsWith("IlluminationPower")));
      out.push({ key: path, ...(hit ? { nboQ: hit[1] } : {}), value: v.value, uncertainty: v.uncertainty, unit: v.unit });
      return;
    }
    if (typeof v !== "object") return;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) walk(v[i], `${path}[${i}]`, depth + 1);
      return;
    }
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === "provenance" || k === "curves") continue;
      walk(x, path ? `${path}.${k}` : k, depth + 1);
    }
  };
  walk(record, "", 0);
  return out;
}

/** Options of {@link exportQcOmeXml} and {@link embedQcInOmeXml}. */
export interface QcOmeXmlOptions {
  /** Return only the `<StructuredAnnotations>` element (to paste into an existing OME-XML) instead of a whole OME document. @default false */
  readonly fragmentOnly?: boolean;
  /** MapAnnotation namespace (xsd:anyURI). @default "openmicroscopy.org/limiqc/qc" */
  readonly namespace?: string;
  /** Prefix of the annotation IDs ("Annotation:<prefix>:<n>"); no whitespace. @default "limiqc" */
  readonly idPrefix?: string;
}

function fmtValue(q: QcValue): string {
  return `${q.value} ± ${q.uncertainty} ${q.unit}`;
}

/** Characters XML 1.0 cannot hold at all (C0 controls except tab/LF/CR, lone surrogates, U+FFFE/U+FFFF). */
const XML_INVALID_CHARS = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * Text made safe for an XML 1.0 document: characters XML cannot represent become U+FFFD, then &, <, >, " and ' are escaped.
 * @param s - Any string.
 * @returns Escaped text, usable in element content and in double-quoted attributes.
 * @example xmlSafeText("a\u0001<b>"); // "a\uFFFD&lt;b&gt;"
 */
export function xmlSafeText(s: string): string {
  return escapeXml(s.replace(XML_INVALID_CHARS, "\uFFFD"));
}

function resolveQcXmlOptions(options: QcOmeXmlOptions): { ns: string; prefix: string } {
  const ns = options.namespace ?? LIMIQC_QC_NAMESPACE;
  const prefix = options.idPrefix ?? "limiqc";
  if (prefix === "" || /\s/.test(prefix)) {
    throw new InvalidArgumentError(`idPrefix is "${prefix}"; OME annotation IDs ("Annotation:<prefix>:<n>") cannot contain whitespace or be empty.`, "Use a prefix such as \"limiqc\" or \"qc-2024\".");
  }
  if (/\s/.test(ns)) throw new InvalidArgumentError(`namespace is "${ns}"; a MapAnnotation namespace is a URI and cannot contain whitespace.`, `Use e.g. "${LIMIQC_QC_NAMESPACE}".`);
  return { ns, prefix };
}

/** The MapAnnotation elements of `records` (one per record), indented by `indent`, element names prefixed with `el` ("" or "ome:"). */
function mapAnnotationLines(records: readonly QcRecordLike[], ns: string, ids: readonly string[], indent: string, el: string): string[] {
  const lines: string[] = [];
  records.forEach((r, i) => {
    const p = r.provenance;
    lines.push(`${indent}<${el}MapAnnotation ID="${xmlSafeText(ids[i])}" Namespace="${xmlSafeText(ns)}">`);
    lines.push(`${indent}  <${el}Description>${xmlSafeText(`limiqc QC record: ${p?.fn ?? "unknown analysis"}`)}</${el}Description>`);
    lines.push(`${indent}  <${el}Value>`);
    const pair = (k: string, v: string): void => {
      lines.push(`${indent}    <${el}M K="${xmlSafeText(k)}">${xmlSafeText(v)}</${el}M>`);
    };
    pair("limiqc.function", p?.fn ?? "unknown");
    pair("limiqc.version", p?.version ?? LIMIQC_VERSION);
    if (p?.analysedAt) pair("analysedAt", p.analysedAt);
    if (r.verdict) {
      pair("verdict", r.verdict.level);
      pair("verdict.reason", r.verdict.reason);
    }
    (p?.inputs ?? []).forEach((inp, k) => {
      if (inp.file) pair(`input[${k}].file`, inp.file);
      pair(`input[${k}].sha256`, inp.sha256);
    });
    if (p?.options) pair("options", JSON.stringify(p.options));
    for (const q of flattenQcRecord(r)) pair(q.nboQ ? `${q.key} [${q.nboQ}]` : q.key, fmtValue(q));
    lines.push(`${indent}  </${el}Value>`, `${indent}</${el}MapAnnotation>`);
  });
  return lines;
}

/**
 * QC result records as OME-XML (2016-06): one MapAnnotation per record in StructuredAnnotations.
 * @param records - limiqc result records (any protocol).
 * @param options - Fragment only, namespace, ID prefix.
 * @returns OME-XML text. Keys: `limiqc.function`, `limiqc.version`, `analysedAt`, `verdict`, `verdict.reason`,
 *   `input[i].file`, `input[i].sha256`, `options` (JSON), then one pair per value: `key` (or `key [NBO-Q name]`) → "value ± uncertainty unit".
 * @throws InvalidArgumentError when `records` is empty, or the ID prefix / namespace contains whitespace.
 * Notes: the document has no Image; {@link embedQcInOmeXml} puts the annotations into an image's own OME-XML (with
 * an AnnotationRef in each Image), or OMERO imports them as key–value pairs. Characters XML 1.0 cannot hold become
 * U+FFFD. The output validates against the official ome.xsd 2016-06 and against limiqc's subset schema
 * data/schemas/limiqc-ome-qc.xsd (`xmllint --noout --schema data/schemas/limiqc-ome-qc.xsd out.ome.xml`);
 * {@link checkQcOmeXml} is a quick structural check without a validator.
 * @see OME 2016-06 MapAnnotation, https://www.openmicroscopy.org/Schemas/Documentation/Generated/OME-2016-06/ome_xsd.html#MapAnnotation
 * @example exportQcOmeXml([psfRecord]).includes('<MapAnnotation ID="Annotation:limiqc:0"'); // true
 */
export function exportQcOmeXml(records: readonly QcRecordLike[], options: QcOmeXmlOptions = {}): string {
  if (records.length === 0) throw new InvalidArgumentError("exportQcOmeXml got no records.", "Pass the result records of one or more limiqc analyses.");
  const { ns, prefix } = resolveQcXmlOptions(options);
  const ids = records.map((_, i) => `Annotation:${prefix}:${i}`);
  const lines = ["  <StructuredAnnotations>", ...mapAnnotationLines(records, ns, ids, "    ", ""), "  </StructuredAnnotations>"];
  if (options.fragmentOnly) return `${lines.map((l) => l.slice(2)).join("\n")}\n`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<OME xmlns="${OME_NAMESPACE}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="${OME_NAMESPACE} ${OME_NAMESPACE}/ome.xsd" Creator="limiqc ${xmlSafeText(LIMIQC_VERSION)}">`,
    ...lines,
    "</OME>",
    "",
  ].join("\n");
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Puts QC records into an image's own OME-XML: MapAnnotations appended to its StructuredAnnotations (created in schema
 * order when absent) and an `<AnnotationRef>` to each of them at the end of every Image, so the QC numbers travel with
 * the image (e.g. as the companion OME-XML or the ImageDescription of an OME-TIFF).
 * @param omeXml - The image's OME-XML document (2016-06 namespace, default or prefixed).
 * @param records - limiqc result records.
 * @param options - Namespace and ID prefix (`fragmentOnly` is ignored).
 * @returns The document with the annotations added; everything else is left byte-for-byte as it was.
 * @throws InvalidArgumentError for no records, a document that is not well-formed XML, larger than
 *   MAX_METADATA_XML_CHARS, without an OME root in the 2016-06 namespace, or without an Image.
 * @throws UnsupportedFormatError for a BinaryOnly placeholder (its metadata live in another file) or a document whose
 *   Image closing tags cannot be located unambiguously (e.g. an Image element inside an XMLAnnotation).
 * Notes: annotation IDs never collide with the document's own: the ID prefix gets a number appended while
 * "Annotation:<prefix>:" is taken. AnnotationRef is the last child of Image in ome.xsd, so it goes right before
 * `</Image>`; StructuredAnnotations comes after the last Image and before any ROI.
 * @see OME 2016-06 Image/AnnotationRef and StructuredAnnotations, https://www.openmicroscopy.org/Schemas/Documentation/Generated/OME-2016-06/ome.html
 * @example embedQcInOmeXml(METADATA_SAMPLE_OME_XML, [psfRecord]).includes('<AnnotationRef ID="Annotation:limiqc:0"/>'); // true
 */
export function embedQcInOmeXml(omeXml: string, records: readonly QcRecordLike[], options: QcOmeXmlOptions = {}): string {
  if (records.length === 0) throw new InvalidArgumentError("embedQcInOmeXml got no records.", "Pass the result records of one or more limiqc analyses.");
  const { ns } = resolveQcXmlOptions(options);
  let { prefix } = resolveQcXmlOptions(options);
  if (omeXml.length > MAX_METADATA_XML_CHARS) {
    throw new InvalidArgumentError(`The OME-XML is ${omeXml.length} characters long (limit ${MAX_METADATA_XML_CHARS}).`, "Embed into the companion OME-XML of a smaller file set, or attach the QC document (exportQcOmeXml) separately.");
  }
  const v = XMLValidator.validate(omeXml);
  if (v !== true) throw new InvalidArgumentError(`The OME-XML is not well-formed (line ${v.err.line}: ${v.err.msg}).`, "Pass the image's complete OME-XML document (e.g. from `limiqc info --ome-xml` or the .companion.ome file).");
  const el = /<([A-Za-z_][\w.-]*:)?OME[\s>/]/.exec(omeXml)?.[1] ?? "";
  const imageTag = `${el}Image`;
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@_", isArray: (name) => name === imageTag }).parse(omeXml) as Record<string, unknown>;
  const ome = doc[`${el}OME`] as Record<string, unknown> | undefined;
  const nsAttr = ome?.[`@_xmlns${el ? `:${el.slice(0, -1)}` : ""}`];
  if (!ome || nsAttr !== OME_NAMESPACE) {
    throw new InvalidArgumentError(`The document's root is not an OME element in the ${OME_NAMESPACE} namespace${typeof nsAttr === "string" ? ` (found namespace "${nsAttr}")` : ""}.`, "Convert older OME-XML to 2016-06 with Bio-Formats (bfconvert) first.");
  }
  if (ome[`${el}BinaryOnly`] !== undefined) {
    throw new UnsupportedFormatError("This OME-XML is a BinaryOnly placeholder; its metadata live in the companion file it names.", "Embed the QC records into that companion OME-XML file instead.");
  }
  const taken = new Set([...omeXml.matchAll(/\bID\s*=\s*"(Annotation:[^"]*)"/g)].map((m) => m[1]));
  const base = prefix;
  for (let n = 2; [...taken].some((id) => id.startsWith(`Annotation:${prefix}:`)); n++) prefix = `${base}${n}`;
  const ids = records.map((_, i) => `Annotation:${prefix}:${i}`);
  const imageCount = ((ome[imageTag] as unknown[] | undefined) ?? []).length;
  if (imageCount === 0) throw new InvalidArgumentError("The OME-XML has no Image to attach the QC records to.", "Use exportQcOmeXml for a stand-alone QC document, or pass the image's own OME-XML.");
  const imageClose = new RegExp(`</${escapeRe(el)}Image\\s*>`, "g");
  const closings = [...omeXml.matchAll(imageClose)].length;
  if (closings !== imageCount) {
    throw new UnsupportedFormatError(`Found ${closings} </${el}Image> closing tags for ${imageCount} Image elements; cannot place the AnnotationRefs unambiguously.`, "Use exportQcOmeXml and attach the QC document separately, or remove nested OME content (e.g. inside an XMLAnnotation).");
  }
  const refs = ids.map((id) => `<${el}AnnotationRef ID="${xmlSafeText(id)}"/>`).join("");
  let out = omeXml.replace(imageClose, (m) => `${refs}${m}`);
  const annotations = mapAnnotationLines(records, ns, ids, "    ", el).join("\n");
  const saClose = new RegExp(`</${escapeRe(el)}StructuredAnnotations\\s*>`);
  const saEmpty = new RegExp(`<${escapeRe(el)}StructuredAnnotations\\s*/>`);
  if (saClose.test(out)) out = out.replace(saClose, (m) => `\n${annotations}\n  ${m}`);
  else if (saEmpty.test(out)) out = out.replace(saEmpty, `<${el}StructuredAnnotations>\n${annotations}\n  </${el}StructuredAnnotations>`);
  else {
    const block = `  <${el}StructuredAnnotations>\n${annotations}\n  </${el}StructuredAnnotations>\n`;
    const roi = new RegExp(`<${escapeRe(el)}ROI[\\s>/]`).exec(out);
    const close = out.lastIndexOf(`</${el}OME`);
    const at = roi ? roi.index : close;
    out = `${out.slice(0, at)}${block}${out.slice(at)}`;
  }
  return out;
}

/** Result of {@link checkQcOmeXml}. */
export interface OmeXmlCheck {
  readonly valid: boolean;
  readonly problems: readonly string[];
  readonly annotationCount: number;
}

/**
 * Structural check of an OME-XML QC document against the rules of ome.xsd (2016-06) that apply to it:
 * well-formed; root `OME` in the 2016-06 namespace; `StructuredAnnotations` holds only MapAnnotations; every
 * MapAnnotation has a unique ID matching the AnnotationID pattern, and its children in schema order
 * (Description?, AnnotationRef*, Value); every `M` has a `K` attribute.
 * @param xml - The document from {@link exportQcOmeXml}.
 * @returns Whether it passed, and the problems found.
 * Notes: this is a quick check without an XML Schema validator; it checks the subset of the schema the exporter
 * uses. Schema validation: `xmllint --noout --schema data/schemas/limiqc-ome-qc.xsd file.ome.xml` (limiqc's subset
 * schema, used in CI) or `--schema ome.xsd` (the full official schema, see data/schemas/README.md).
 */
export function checkQcOmeXml(xml: string): OmeXmlCheck {
  const problems: string[] = [];
  const v = XMLValidator.validate(xml);
  if (v !== true) return { valid: false, problems: [`not well-formed XML (line ${v.err.line}: ${v.err.msg})`], annotationCount: 0 };
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@_", preserveOrder: true, parseTagValue: false });
  const doc = parser.parse(xml) as Record<string, unknown>[];
  const root = doc.find((n) => !("?xml" in n));
  if (!root || !("OME" in root)) return { valid: false, problems: ["root element is not OME"], annotationCount: 0 };
  const rootAttrs = (root[":@"] ?? {}) as Record<string, string>;
  if (rootAttrs["@_xmlns"] !== OME_NAMESPACE) problems.push(`OME namespace is "${rootAttrs["@_xmlns"]}", expected ${OME_NAMESPACE}`);
  const children = root.OME as Record<string, unknown>[];
  const sa = children.filter((c) => "StructuredAnnotations" in c);
  if (sa.length !== 1) problems.push(`expected one StructuredAnnotations, found ${sa.length}`);
  const ids = new Set<string>();
  let count = 0;
  for (const s of sa) {
    for (const a of s.StructuredAnnotations as Record<string, unknown>[]) {
      const name = Object.keys(a).find((k) => k !== ":@") ?? "?";
      if (name === "#text") continue;
      if (name !== "MapAnnotation") {
        problems.push(`unexpected element ${name} in StructuredAnnotations`);
        continue;
      }
      count++;
      const at = (a[":@"] ?? {}) as Record<string, string>;
      const id = at["@_ID"];
      if (!id || !ANNOTATION_ID.test(id)) problems.push(`MapAnnotation ID "${id}" does not match the AnnotationID pattern`);
      else if (ids.has(id)) problems.push(`duplicate ID ${id}`);
      else ids.add(id);
      const order = (a.MapAnnotation as Record<string, unknown>[]).map((c) => Object.keys(c).find((k) => k !== ":@")).filter((k) => k !== "#text");
      const rank: Record<string, number> = { Description: 0, AnnotationRef: 1, Value: 2 };
      let last = -1;
      for (const o of order) {
        const r = rank[o ?? ""];
        if (r === undefined) problems.push(`${id}: unexpected child ${o}`);
        else if (r < last) problems.push(`${id}: child ${o} out of schema order (Description, AnnotationRef, Value)`);
        else last = r;
      }
      if (order.filter((o) => o === "Value").length !== 1) problems.push(`${id}: needs exactly one Value`);
      for (const c of a.MapAnnotation as Record<string, unknown>[]) {
        if (!("Value" in c)) continue;
        for (const m of c.Value as Record<string, unknown>[]) {
          const mName = Object.keys(m).find((k) => k !== ":@");
          if (mName === "#text") continue;
          if (mName !== "M") problems.push(`${id}: Value holds ${mName}, only M allowed`);
          else if (((m[":@"] ?? {}) as Record<string, string>)["@_K"] === undefined) problems.push(`${id}: an M element has no K attribute`);
        }
      }
    }
  }
  return { valid: problems.length === 0, problems, annotationCount: count };
}

/** JSON export of QC records (NBO-Q names where they exist). */
export interface QcJsonExport {
  readonly format: "limiqc-qc-export";
  readonly formatVersion: 1;
  readonly namespace: string;
  readonly exportedBy: string;
  readonly records: readonly {
    readonly function: string;
    readonly limiqcVersion: string;
    readonly analysedAt?: string;
    readonly inputs: readonly { readonly file?: string; readonly sha256: string }[];
    readonly options?: object;
    readonly verdict?: Verdict;
    readonly values: readonly QcValue[];
    /** Values grouped under their NBO-Q element, e.g. { OpticalCalibration: { MedianXYSpotFWHM: [...] } }. */
    readonly nboQ: Readonly<Record<string, Readonly<Record<string, readonly QcValue[]>>>>;
  }[];
}

/**
 * QC result records as JSON with NBO-Q Calibration & Performance names where they exist.
 * @param records - limiqc result records.
 * @returns A plain object (JSON.stringify it); empty `records` gives an empty list.
 * @see Hammer M. et al., Nat Methods 18:1427 (2021).
 */
export function exportQcJson(records: readonly QcRecordLike[]): QcJsonExport {
  return {
    format: "limiqc-qc-export",
    formatVersion: 1,
    namespace: LIMIQC_QC_NAMESPACE,
    exportedBy: `limiqc ${LIMIQC_VERSION}`,
    records: records.map((r) => {
      const values = flattenQcRecord(r);
      const nboQ: Record<string, Record<string, QcValue[]>> = {};
      for (const q of values) {
        if (!q.nboQ) continue;
        const [el, field] = q.nboQ.split(".");
        nboQ[el] ??= {};
        nboQ[el][field] ??= [];
        nboQ[el][field].push(q);
      }
      return {
        function: r.provenance?.fn ?? "unknown",
        limiqcVersion: r.provenance?.version ?? LIMIQC_VERSION,
        ...(r.provenance?.analysedAt ? { analysedAt: r.provenance.analysedAt } : {}),
        inputs: r.provenance?.inputs ?? [],
        ...(r.provenance?.options ? { options: r.provenance.options } : {}),
        ...(r.verdict ? { verdict: r.verdict } : {}),
        values,
        nboQ,
      };
    }),
  };
}

/** Marker put in generated text where an item is missing. */
export const MISSING_MARK = "[MISSING:";

const miss = (what: string): string => `${MISSING_MARK} ${what}]`;

/**
 * A Materials & Methods paragraph generated from the metadata and QC records (in the spirit of MethodsJ2).
 * @param metadata - The acquisition-metadata model.
 * @param qcRecords - QC result records to cite (optional).
 * @returns Markdown text; every item the metadata lacks appears as "[MISSING: …]" rather than being invented.
 * @see Ryan J. et al., "MethodsJ2: a software tool to capture metadata and generate comprehensive microscopy methods text", Nat Methods 18:1414 (2021), doi:10.1038/s41592-021-01290-5.
 * @example methodsParagraph(metadataFromOmeXml("<x/>")).includes("[MISSING: microscope manufacturer and model]"); // true
 */
export function methodsParagraph(metadata: AcquisitionMetadata, qcRecords: readonly QcRecordLike[] = []): string {
  const m = metadata;
  const mic = m.microscope;
  const micText = mic?.manufacturer || mic?.model ? `${[mic.manufacturer, mic.model].filter(Boolean).join(" ")}${mic.type ? ` (${mic.type.toLowerCase()})` : ""}` : miss("microscope manufacturer and model");
  const o = m.objective;
  const objParts = [
    o?.manufacturer ?? miss("objective manufacturer"),
    o?.correction ?? miss("objective correction"),
    o?.nominalMagnification !== undefined ? `${o.nominalMagnification}×` : miss("magnification"),
    o?.lensNA !== undefined ? `NA ${o.lensNA}` : miss("NA"),
    o?.immersion ? `${o.immersion.toLowerCase()} immersion${o.refractiveIndex !== undefined ? ` (n = ${o.refractiveIndex})` : ""}` : miss("immersion medium"),
  ];
  const acqMode = m.channels.find((c) => c.acquisitionMode)?.acquisitionMode;
  const sentences: string[] = [];
  sentences.push(`Images were acquired${m.acquisitionDate ? ` on ${m.acquisitionDate.slice(0, 10)}` : ` on ${miss("acquisition date")}`} by ${m.experimenter?.name ?? miss("experimenter")} on a ${micText} ${acqMode ? `in ${acqMode} mode ` : ""}with a ${objParts.join(" ")} objective.`);
  if (m.channels.length) {
    const ch = m.channels.map((c, i) => {
      const name = c.name ?? miss(`channel ${i} name`);
      const fl = c.fluor ? `${c.fluor}, ` : "";
      const ex = c.excitationWavelengthNm !== undefined ? `excitation ${c.excitationWavelengthNm} nm` : miss("excitation wavelength");
      const em = c.emissionWavelengthNm !== undefined ? `emission ${c.emissionWavelengthNm} nm` : miss("emission wavelength");
      const exp = c.exposureTimeS !== undefined ? `, exposure ${+(c.exposureTimeS * 1000).toPrecision(4)} ms` : `, ${miss("exposure time")}`;
      return `${name} (${fl}${ex}, ${em}${exp})`;
    });
    sentences.push(`${m.channels.length === 1 ? "One channel was" : `${m.channels.length} channels were`} recorded: ${ch.join("; ")}.`);
  } else sentences.push(`${miss("channels, wavelengths and exposure")}.`);
  const ls = m.lightSources.length ? m.lightSources.map((l) => [l.manufacturer, l.model, l.kind === "LightEmittingDiode" ? "LED" : l.kind.toLowerCase(), l.wavelengthNm ? `${l.wavelengthNm} nm` : ""].filter(Boolean).join(" ")).join(", ") : miss("light source");
  const det = m.detectors.length ? m.detectors.map((d) => [d.manufacturer, d.model, d.type].filter(Boolean).join(" ")).join(", ") : miss("detector");
  const filt = m.filters.length ? m.filters.map((f) => f.model ?? (f.cutInNm && f.cutOutNm ? `${f.cutInNm}–${f.cutOutNm} nm` : "filter")).join(", ") : miss("filter set");
  sentences.push(`Illumination: ${ls}; filters: ${filt}; detector: ${det}${m.significantBits ? ` (${m.significantBits}-bit)` : ""}.`);
  const p = m.physicalSizeUm;
  const sizes = m.sizes;
  const px = p.x !== undefined && p.y !== undefined ? `${p.x} × ${p.y} µm` : miss("pixel size");
  const z = sizes && sizes.z > 1 ? `, ${sizes.z} z-planes ${p.z !== undefined ? `${p.z} µm apart` : miss("z-step")}` : "";
  const t = sizes && sizes.t > 1 ? `, ${sizes.t} time points${m.timeIncrementS !== undefined ? ` every ${m.timeIncrementS} s` : ` ${miss("time interval")}`}` : "";
  sentences.push(sizes ? `Images of ${sizes.x} × ${sizes.y} pixels (${px}${z}${t}) were saved as ${m.source === "ome" ? "OME-TIFF" : m.source === "imagej" ? "ImageJ TIFF" : "TIFF"}${m.pixelType ? ` (${m.pixelType})` : ""}.` : `${miss("image dimensions and pixel size")}.`);
  const env = m.environment;
  sentences.push(env?.temperatureC !== undefined ? `Imaging was done at ${env.temperatureC} °C${env.co2Percent !== undefined ? ` and ${env.co2Percent} % CO₂` : ""}.` : `Imaging temperature: ${miss("temperature")}.`);
  sentences.push(`Sample and mounting medium: ${miss("sample preparation and mounting medium")}.`);
  for (const r of qcRecords) {
    const pv = r.provenance;
    const date = pv?.analysedAt ? pv.analysedAt.slice(0, 10) : miss("QC date");
    sentences.push(`Instrument QC (${pv?.fn ?? "limiqc analysis"}, limiqc ${pv?.version ?? LIMIQC_VERSION}, ${date})${r.verdict ? `: ${r.verdict.level} — ${r.verdict.reason}` : "."}`);
  }
  if (qcRecords.length === 0) sentences.push(`Instrument performance: ${miss("QC records (e.g. PSF / resolution, field uniformity, illumination power) within the last month")}.`);
  return sentences.join(" ");
}
