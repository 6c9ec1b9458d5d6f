/**
 * Co-registration straight from a multichannel bead file, as the CLI and notebooks use it.
 * @module
 */
import { makeProvenance, type Provenance, sha256File } from "../core/provenance.js";
import type { ImageView } from "../image/types.js";
import { openImageFile } from "../io/tiff-reader.js";
import { type CoregistrationOptions, type CoregistrationResult, measureCoregistration } from "./measure.js";
import { opticsFromMetadata } from "../resolution/file.js";

/** Result of {@link measureCoregistrationFile}: the measurement plus the file's identity. */
export interface CoregistrationFileResult extends CoregistrationResult {
  readonly file: string;
  readonly sha256: string;
  readonly fileFacts: { readonly shape: readonly [number, number, number]; readonly channels: number; readonly objective?: { readonly na?: number; readonly immersion?: string; readonly refractiveIndex?: number } };
  readonly fileProvenance: Provenance;
}

/**
 * Measures chromatic co-registration on every channel of a multi-colour bead file (OME-TIFF, ImageJ TIFF).
 *
 * @param path - The multichannel bead z-stack (or single plane) file.
 * @param options - As {@link measureCoregistration}; `optics` given here win over the file's objective metadata.
 * @returns The co-registration result with the file path, its SHA-256 and facts.
 * @throws DimensionError for a single-channel file, channels of different shapes or a 2-plane stack.
 * @throws MissingPixelSizeError, MissingMetadataError, InsufficientDataError as {@link measureCoregistration}.
 * @throws CorruptFileError / UnsupportedFormatError when the file cannot be read.
 *
 * Notes: every channel's stack (time point 0) is read into memory.
 * @see {@link measureCoregistration}
 * @example
 * const r = await measureCoregistrationFile(await ensureSample("co-registration-beads"), { optics: { modality: "widefield" } });
 */
export async function measureCoregistrationFile(path: string, options: CoregistrationOptions = {}): Promise<CoregistrationFileResult> {
  const f = await openImageFile(path);
  try {
    const m = f.metadata;
    const optics = { ...opticsFromMetadata(m), ...options.optics };
    const channels: ImageView[] = [];
    for (let c = 0; c < m.sizeC; c++) channels.push(await f.readStack(c));
    const sha = await sha256File(path);
    const inputs = [{ file: path, sha256: sha }];
    const r = measureCoregistration({ channels }, { ...options, optics, inputs });
    return {
      ...r,
      file: path,
      sha256: sha,
      fileFacts: {
        shape: [m.sizeZ, m.sizeY, m.sizeX],
        channels: m.sizeC,
        ...(m.objective ? { objective: { na: m.objective.lensNA, immersion: m.objective.immersion, refractiveIndex: m.objective.refractiveIndex } } : {}),
      },
      fileProvenance: makeProvenance("measureCoregistrationFile", { ...options, optics }, inputs, []),
    };
  } finally {
    await f.close();
  }
}
