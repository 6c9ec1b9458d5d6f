/**
 * Metadata report of an image file: open it, build the acquisition-metadata model (plus optional sidecars: OME-XML,
 * Micro-Meta App hardware / settings JSON), check completeness and plausibility, and return a result record with provenance.
 * @module
 */
import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import { InvalidArgumentError } from "../core/errors.js";
import { type Provenance, makeProvenance, sha256File } from "../core/provenance.js";
import type { Verdict } from "../core/quantity.js";
import { openImageFile } from "../io/tiff-reader.js";
import { type MetadataCompletenessOptions, type MetadataCompletenessReport, assessMetadataCompleteness } from "./completeness.js";
import { parseMicroMetaAppJson } from "./mma.js";
import { type AcquisitionMetadata, MAX_METADATA_XML_CHARS, type SidecarModel, acquisitionMetadataFrom, omeXmlSidecar } from "./model.js";

/** Options of {@link analyseMetadataFile}. */
export interface MetadataFileOptions extends MetadataCompletenessOptions {
  /**
   * Sidecar file(s) whose fields fill the gaps of the image's own metadata: OME-XML (`.ome.xml`, `.companion.ome`) or
   * Micro-Meta App JSON (hardware and/or settings file). @default none
   */
  readonly sidecarPath?: string | readonly string[];
}

/**
 * Reads one sidecar file into a sidecar model: Micro-Meta App JSON when the text starts with "{" or the name ends in
 * ".json", else OME-XML.
 * @param path - Sidecar file.
 * @returns The sidecar model (see `parseMicroMetaAppJson`, `omeXmlSidecar`).
 * @throws InvalidArgumentError when the file does not exist.
 * @throws CorruptFileError when a JSON sidecar is not valid JSON.
 * @throws UnsupportedFormatError when a JSON sidecar is not a Micro-Meta App file.
 * Notes: a file larger than MAX_METADATA_XML_CHARS bytes is not read (`metadata` undefined, a note says so);
 * malformed OME-XML becomes a note (as for the image's own OME-XML), not an error.
 * @example (await readSidecarFile("data/fixtures/metadata/mma-hardware-3-objectives.json")).objectives.length; // 3
 */
export async function readSidecarFile(path: string): Promise<SidecarModel> {
  const name = basename(path);
  if (!existsSync(path)) {
    throw new InvalidArgumentError(`Sidecar file ${path} does not exist.`, "Give the path of the OME-XML sidecar (e.g. image.companion.ome) or of the Micro-Meta App JSON file, or leave --sidecar out.");
  }
  const isJsonName = extname(path).toLowerCase() === ".json";
  const size = statSync(path).size;
  if (size > MAX_METADATA_XML_CHARS) {
    return {
      name,
      format: isJsonName ? "micro-meta-app" : "ome-xml",
      description: isJsonName ? "Micro-Meta App file (not read)" : "OME-XML sidecar (not read)",
      objectives: [],
      notes: [`Sidecar ${name} is ${size} bytes (limit ${MAX_METADATA_XML_CHARS}); not read.`],
    };
  }
  const text = await readFile(path, "utf8");
  const first = text.replace(/^\uFEFF/, "").trimStart()[0];
  if (first === "{" || first === "[" || isJsonName) return parseMicroMetaAppJson(text, name);
  return omeXmlSidecar(text, name);
}

/** Result record of {@link analyseMetadataFile}. */
export interface MetadataFileResult {
  readonly file: string;
  readonly metadata: AcquisitionMetadata;
  readonly completeness: MetadataCompletenessReport;
  readonly verdict: Verdict;
  readonly provenance: Provenance;
}

/**
 * Reads a file's acquisition metadata into the typed model, completed by sidecar files.
 * @param path - TIFF / OME-TIFF / ImageJ TIFF.
 * @param sidecarPath - Optional sidecar file(s): OME-XML, or Micro-Meta App hardware and/or settings JSON.
 * @returns The model (see `acquisitionMetadataFrom`); `fromSidecar` lists the fields sidecars supplied, `conflicts`
 *   the fields where a sidecar disagrees with the image, `unresolved` the choices limiqc did not make (e.g. which of
 *   several objectives of a hardware file was used).
 * @throws InvalidArgumentError when the image or a sidecar does not exist.
 * @throws CorruptFileError / UnsupportedFormatError / DimensionError from `openImageFile` when the file is not a readable TIFF.
 * @throws CorruptFileError / UnsupportedFormatError from {@link readSidecarFile} for a JSON sidecar that is not valid JSON / not Micro-Meta App.
 * Notes: a sidecar larger than MAX_METADATA_XML_CHARS bytes is not read (a note says so). The image's values win.
 * @example (await readAcquisitionMetadata("img.ome.tif", ["scope.json", "settings.json"])).fromSidecar;
 */
export async function readAcquisitionMetadata(path: string, sidecarPath?: string | readonly string[]): Promise<AcquisitionMetadata> {
  const paths = sidecarPath === undefined ? [] : typeof sidecarPath === "string" ? [sidecarPath] : [...sidecarPath];
  const sidecars: SidecarModel[] = [];
  for (const p of paths) sidecars.push(await readSidecarFile(p));
  const file = await openImageFile(path);
  let meta: typeof file.metadata;
  try {
    meta = file.metadata;
  } finally {
    await file.close();
  }
  return acquisitionMetadataFrom(meta, { sidecars });
}

/**
 * WG7 metadata report of one image file: model, NBO-Q completeness and plausibility, verdict, provenance.
 * @param path - Image file.
 * @param options - Sidecar path(s), target tier, camera pixel size (µm) for the magnification check, limits.
 * @returns The result record (JSON-serialisable); the verdict comes from the protocol's acceptance criteria
 *   (see `assessMetadataCompleteness`); provenance carries the SHA-256 of the image and of every sidecar.
 * @throws (see `readAcquisitionMetadata`) and InvalidArgumentError for invalid options.
 * @see Hammer M. et al., Nat Methods 18:1427 (2021), doi:10.1038/s41592-021-01327-9.
 * @example (await analyseMetadataFile("data/fixtures/uint8_z3.tif")).verdict.level; // "fail" (a bare TIFF)
 */
export async function analyseMetadataFile(path: string, options: MetadataFileOptions = {}): Promise<MetadataFileResult> {
  const metadata = await readAcquisitionMetadata(path, options.sidecarPath);
  const completeness = assessMetadataCompleteness(metadata, options);
  const sidecarPaths = options.sidecarPath === undefined ? [] : typeof options.sidecarPath === "string" ? [options.sidecarPath] : [...options.sidecarPath];
  const inputs = [{ file: path, sha256: await sha256File(path) }];
  for (const p of sidecarPaths) inputs.push({ file: p, sha256: await sha256File(p) });
  return {
    file: path,
    metadata,
    completeness,
    verdict: completeness.verdict,
    provenance: makeProvenance("analyseMetadataFile", { ...completeness.options, sidecarPaths }, inputs, [...metadata.notes]),
  };
}
