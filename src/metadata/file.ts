/**
 * Metadata report of an image file: open it, build the acquisition-metadata model (plus an optional sidecar
 * OME-XML), check completeness and plausibility, and return a result record with provenance.
 * @module
 */
import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { InvalidArgumentError } from "../core/errors.js";
import { type Provenance, makeProvenance, sha256File } from "../core/provenance.js";
import type { Verdict } from "../core/quantity.js";
import { openImageFile } from "../io/tiff-reader.js";
import { type MetadataCompletenessOptions, type MetadataCompletenessReport, assessMetadataCompleteness } from "./completeness.js";
import { type AcquisitionMetadata, MAX_METADATA_XML_CHARS, acquisitionMetadataFrom } from "./model.js";

/** Options of {@link analyseMetadataFile}. */
export interface MetadataFileOptions extends MetadataCompletenessOptions {
  /** Path of a sidecar OME-XML file whose fields fill the gaps of the image's own metadata. @default none */
  readonly sidecarPath?: string;
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
 * Reads a file's acquisition metadata into the typed model.
 * @param path - TIFF / OME-TIFF / ImageJ TIFF.
 * @param sidecarPath - Optional sidecar OME-XML file.
 * @returns The model (see `acquisitionMetadataFrom`).
 * @throws InvalidArgumentError when the image or sidecar does not exist.
 * @throws CorruptFileError / UnsupportedFormatError / DimensionError from `openImageFile` when the file is not a readable TIFF.
 * Notes: a sidecar larger than MAX_METADATA_XML_CHARS bytes is not read (a note says so).
 */
export async function readAcquisitionMetadata(path: string, sidecarPath?: string): Promise<AcquisitionMetadata> {
  const file = await openImageFile(path);
  let meta: typeof file.metadata;
  try {
    meta = file.metadata;
  } finally {
    await file.close();
  }
  if (sidecarPath === undefined) return acquisitionMetadataFrom(meta);
  if (!existsSync(sidecarPath)) {
    throw new InvalidArgumentError(`Sidecar file ${sidecarPath} does not exist.`, "Give the path of the OME-XML sidecar (e.g. image.companion.ome), or leave --sidecar out.");
  }
  const size = statSync(sidecarPath).size;
  if (size > MAX_METADATA_XML_CHARS) {
    const m = acquisitionMetadataFrom(meta);
    return { ...m, notes: [...m.notes, `Sidecar ${basename(sidecarPath)} is ${size} bytes (limit ${MAX_METADATA_XML_CHARS}); not read.`] };
  }
  return acquisitionMetadataFrom(meta, { sidecarXml: await readFile(sidecarPath, "utf8"), sidecarName: basename(sidecarPath) });
}

/**
 * WG7 metadata report of one image file: model, NBO-Q completeness and plausibility, verdict, provenance.
 * @param path - Image file.
 * @param options - Sidecar path, target tier, camera pixel size (µm) for the magnification check.
 * @returns The result record (JSON-serialisable); provenance carries the file's SHA-256.
 * @throws (see `readAcquisitionMetadata`) and InvalidArgumentError for invalid options.
 * @see Hammer M. et al., Nat Methods 18:1427 (2021), doi:10.1038/s41592-021-01327-9.
 * @example (await analyseMetadataFile("data/fixtures/uint8_z3.tif")).verdict.level; // "fail" (a bare TIFF)
 */
export async function analyseMetadataFile(path: string, options: MetadataFileOptions = {}): Promise<MetadataFileResult> {
  const metadata = await readAcquisitionMetadata(path, options.sidecarPath);
  const completeness = assessMetadataCompleteness(metadata, options);
  const inputs = [{ file: path, sha256: await sha256File(path) }];
  if (options.sidecarPath) inputs.push({ file: options.sidecarPath, sha256: await sha256File(options.sidecarPath) });
  return {
    file: path,
    metadata,
    completeness,
    verdict: completeness.verdict,
    provenance: makeProvenance("analyseMetadataFile", { ...completeness.options, sidecarPath: options.sidecarPath ?? null }, inputs, [...metadata.notes]),
  };
}
