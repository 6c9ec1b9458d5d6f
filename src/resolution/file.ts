/**
 * Bead PSF measurement of an image file: opens it, completes the optical setup from its metadata, measures every
 * channel with its own wavelength and records the file's SHA-256 in the provenance.
 * @module
 */
import { InvalidArgumentError } from "../core/errors.js";
import { makeProvenance, type Provenance, sha256File } from "../core/provenance.js";
import type { Verdict } from "../core/quantity.js";
import type { ImageView } from "../image/types.js";
import type { ImageMetadata } from "../io/metadata.js";
import { openImageFile } from "../io/tiff-reader.js";
import { immersionRefractiveIndex } from "../optics/immersion.js";
import type { OpticalSetup } from "../optics/resolution.js";
import { type BeadPsfOptions, type BeadPsfResult, measureBeadPsfChannels } from "./bead-psf.js";

/** Options of {@link measureBeadPsfFile}: those of measureBeadPsf plus channel selection. */
export interface BeadPsfFileOptions extends Omit<BeadPsfOptions, "inputs" | "channelIndex"> {
  /** Channels to measure (0-based). @default all channels */
  channels?: readonly number[];
  /** Per-channel optics overriding `optics` (e.g. wavelengths the file lacks). @default none */
  channelOptics?: readonly (Partial<OpticalSetup> | undefined)[];
  /** Time point to read. @default 0 */
  timepoint?: number;
}

/** Result record of {@link measureBeadPsfFile}. */
export interface BeadPsfFileResult {
  readonly kind: "bead-psf-file";
  readonly file: string;
  readonly sha256: string;
  /** What the file said, as far as the measurement uses it. */
  readonly fileFacts: {
    readonly format: string;
    readonly shape: readonly [number, number, number];
    readonly channels: number;
    readonly objective?: { readonly na?: number; readonly immersion?: string; readonly refractiveIndex?: number };
  };
  /** The optical setup shared by the channels after merging the file's metadata and the user's settings. */
  readonly optics: Partial<OpticalSetup>;
  readonly channels: BeadPsfResult[];
  readonly verdict: Verdict;
  readonly provenance: Provenance;
}

/**
 * The optical setup a file's metadata states: NA and immersion refractive index of the objective (the refractive
 * index, else the immersion medium's tabulated index). Wavelengths stay with each channel.
 *
 * @param metadata - Metadata of an opened image file.
 * @returns The partial setup (empty when the file says nothing).
 * @throws Never (an unknown immersion name is ignored).
 * @see immersionRefractiveIndex
 * @example
 * opticsFromMetadata(file.metadata); // { na: 1.4, immersionIndex: 1.518 }
 */
export function opticsFromMetadata(metadata: ImageMetadata): Partial<OpticalSetup> {
  const o = metadata.objective;
  let n = o?.refractiveIndex;
  if (n === undefined && o?.immersion) {
    try {
      n = immersionRefractiveIndex(o.immersion);
    } catch {
      n = undefined;
    }
  }
  return { ...(o?.lensNA !== undefined ? { na: o.lensNA } : {}), ...(n !== undefined ? { immersionIndex: n } : {}) };
}

/**
 * Measures the bead PSF in an image file (OME-TIFF, ImageJ TIFF, plain TIFF), every channel with its own wavelength.
 *
 * @param path - The bead z-stack file.
 * @param options - As {@link measureBeadPsf}; `optics` given here win over the file's objective metadata; channel
 *   wavelengths come from `channelOptics[c]`, else the file's channel metadata, else `optics`.
 * @returns File facts, the merged setup, one result per channel, the worst verdict and provenance (file + SHA-256).
 * @throws CorruptFileError / UnsupportedFormatError when the file cannot be read.
 * @throws DimensionError for a single-plane image (a z-stack is required).
 * @throws MissingPixelSizeError when the file carries no voxel size (save as OME-TIFF or calibrated ImageJ TIFF).
 * @throws MissingMetadataError when the modality, NA, immersion index or wavelength is neither in the file nor in `optics`.
 * @throws InsufficientDataError when a channel holds no bead.
 * @throws InvalidArgumentError for an unknown channel or time point.
 *
 * Notes: the whole stack of each selected channel is read into memory (one channel at a time for the analysis).
 * The SHA-256 covers the file's bytes, so a record can be traced to the exact file later.
 * @see measureBeadPsf; Faklaris et al. (2022) doi:10.1083/jcb.202107093
 * @example
 * const r = await measureBeadPsfFile("beads.ome.tif", { optics: { modality: "widefield" } });
 * r.channels[0].summary?.z.mean.value;
 */
export async function measureBeadPsfFile(path: string, options: BeadPsfFileOptions = {}): Promise<BeadPsfFileResult> {
  const file = await openImageFile(path);
  try {
    const m = file.metadata;
    const t = options.timepoint ?? 0;
    if (!(Number.isInteger(t) && t >= 0 && t < m.sizeT)) {
      throw new InvalidArgumentError(`Time point ${t} does not exist; the file has ${m.sizeT}.`, `Use 0…${m.sizeT - 1}.`);
    }
    const indices = options.channels ?? Array.from({ length: m.sizeC }, (_, i) => i);
    for (const c of indices) {
      if (!(Number.isInteger(c) && c >= 0 && c < m.sizeC)) throw new InvalidArgumentError(`Channel ${c} does not exist; the file has ${m.sizeC} channel(s).`, `Use channel indices 0…${m.sizeC - 1}.`);
    }
    const optics = { ...opticsFromMetadata(m), ...options.optics };
    const sha = await sha256File(path);
    const stacks: ImageView[] = [];
    for (let c = 0; c < m.sizeC; c++) stacks.push(indices.includes(c) ? await file.readStack(c, t) : emptyView());
    const r = measureBeadPsfChannels({ channels: stacks }, { ...options, optics, channelIndices: indices, inputs: [{ file: path, sha256: sha }] });
    return {
      kind: "bead-psf-file",
      file: path,
      sha256: sha,
      fileFacts: {
        format: m.source,
        shape: [m.sizeZ, m.sizeY, m.sizeX],
        channels: m.sizeC,
        ...(m.objective ? { objective: { na: m.objective.lensNA, immersion: m.objective.immersion, refractiveIndex: m.objective.refractiveIndex } } : {}),
      },
      optics,
      channels: r.channels,
      verdict: r.verdict,
      provenance: makeProvenance("measureBeadPsfFile", { ...options, optics }, [{ file: path, sha256: sha }], []),
    };
  } finally {
    await file.close();
  }
}

/** Placeholder for a channel that is not measured (never analysed). */
function emptyView(): ImageView {
  return { data: new Uint16Array(1), shape: [1, 1, 1] };
}
