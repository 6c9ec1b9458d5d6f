/**
 * Field uniformity straight from image files (flat field and optional dark image), as the CLI and notebooks use it.
 * @module
 */
import { DimensionError, InvalidArgumentError, LimiqcError } from "../core/errors.js";
import { makeProvenance, type Provenance, sha256File } from "../core/provenance.js";
import type { Verdict } from "../core/quantity.js";
import { extractPlane } from "../image/roi.js";
import type { ImageView } from "../image/types.js";
import type { ImageMetadata } from "../io/metadata.js";
import { openImageFile } from "../io/tiff-reader.js";
import { type FieldUniformityOptions, type FieldUniformityResult, measureFieldUniformity } from "./measure.js";

/** Options of {@link measureFieldUniformityFile}. */
export interface FieldUniformityFileOptions extends Omit<FieldUniformityOptions, "dark" | "file" | "inputs" | "channelIndex"> {
  /** Dark image file (same camera ROI); channel c of the dark is used for channel c when the counts match, else channel 0. @default none */
  darkPath?: string;
  /** z-plane to analyse when the file is a stack. @default 0 for single planes; required for stacks */
  z?: number;
  /** Channels to analyse. @default all */
  channels?: readonly number[];
}

/** Result of {@link measureFieldUniformityFile}. */
export interface FieldUniformityFileResult {
  readonly file: string;
  readonly sha256: string;
  readonly darkFile?: string;
  readonly darkSha256?: string;
  /** Facts from the file: size, channels, pixel size. */
  readonly fileFacts: { readonly shape: readonly [number, number, number]; readonly channels: number; readonly pixelSizeUm?: number };
  readonly metadata: ImageMetadata;
  readonly channels: FieldUniformityResult[];
  /** Worst channel verdict. */
  readonly verdict: Verdict;
  readonly provenance: Provenance;
}

function pickPlane(stack: ImageView, z: number | undefined, name: string): ImageView {
  const nz = stack.shape[0];
  if (nz === 1 && (z === undefined || z === 0)) return stack;
  if (z === undefined) {
    throw new DimensionError(
      `${name} is a z-stack of ${nz} planes; field uniformity needs one plane.`,
      `Choose the plane inside the fluorescent layer with z (CLI: --z N, 0…${nz - 1}).`,
    );
  }
  if (!Number.isInteger(z) || z < 0 || z >= nz) throw new InvalidArgumentError(`z = ${z} is outside ${name}'s planes 0…${nz - 1}.`, "Pick an existing plane.");
  return extractPlane(stack, z);
}

/**
 * Measures field uniformity on every channel of a flat-field image file, subtracting an optional dark image file.
 *
 * @param path - OME-TIFF / ImageJ TIFF / TIFF of a homogeneous slide (one plane per channel, or pick `z`).
 * @param options - Dark file, plane, channels, and the {@link FieldUniformityOptions} of the measurement.
 * @returns Per-channel results, the worst verdict, the files' SHA-256 and provenance.
 * @throws DimensionError for a stack without `z`, a dark image of another size, or an image that is too small.
 * @throws SaturationError, InsufficientDataError as {@link measureFieldUniformity}; file errors from {@link openImageFile}.
 * @throws InvalidArgumentError for a channel or plane that does not exist.
 *
 * Notes: the file digests are of the bytes on disk, so a record can be matched to its files later.
 * @see {@link measureFieldUniformity}
 * @example
 * const r = await measureFieldUniformityFile(await ensureSample("field-uniformity"), { darkPath: await ensureSample("field-uniformity-dark") });
 */
export async function measureFieldUniformityFile(path: string, options: FieldUniformityFileOptions = {}): Promise<FieldUniformityFileResult> {
  const { darkPath, z, channels: wanted, ...measureOptions } = options;
  const f = await openImageFile(path);
  try {
    const m = f.metadata;
    const indices = wanted ?? Array.from({ length: m.sizeC }, (_, c) => c);
    for (const c of indices) {
      if (!Number.isInteger(c) || c < 0 || c >= m.sizeC) throw new InvalidArgumentError(`Channel ${c} requested, but ${path} has ${m.sizeC} channel(s) (0…${m.sizeC - 1}).`, "Channels are numbered from 0.");
    }
    const planes: ImageView[] = [];
    for (const c of indices) planes.push(pickPlane(await f.readStack(c), z, path));
    const sha = await sha256File(path);
    let darks: ImageView[] | null = null;
    let darkSha: string | undefined;
    if (darkPath) {
      const d = await openImageFile(darkPath);
      try {
        darks = [];
        for (const c of indices) {
          const dc = d.metadata.sizeC === m.sizeC ? c : 0;
          const stack = await d.readStack(dc);
          darks.push(pickPlane(stack, stack.shape[0] > 1 ? (z ?? 0) : undefined, darkPath));
        }
        darkSha = await sha256File(darkPath);
      } finally {
        await d.close();
      }
    }
    const inputs = [{ file: path, sha256: sha }, ...(darkPath && darkSha ? [{ file: darkPath, sha256: darkSha }] : [])];
    const results: FieldUniformityResult[] = [];
    for (const [k, c] of indices.entries()) {
      try {
        results.push(measureFieldUniformity(planes[k], { ...measureOptions, dark: darks ? darks[k] : null, inputs, channelIndex: c }));
      } catch (e) {
        if (!(e instanceof LimiqcError) || m.sizeC === 1) throw e;
        const Ctor = e.constructor as new (message: string, hint?: string) => LimiqcError;
        throw new Ctor(`Channel ${c}: ${e.message.split("\n  → ")[0]}`, e.hint);
      }
    }
    const order = ["pass", "warn", "fail"] as const;
    const worst = results.reduce((a, b) => (order.indexOf(b.verdict.level) > order.indexOf(a.verdict.level) ? b : a));
    const verdict: Verdict =
      results.length === 1
        ? { level: worst.verdict.level, reason: worst.verdict.reason }
        : {
            level: worst.verdict.level,
            reason:
              worst.verdict.level === "pass"
                ? `All ${results.length} channels pass: ${results.map((r) => `channel ${r.channel.index} U ${r.uniformity.value.toFixed(1)} %`).join(", ")}.`
                : `Channel ${worst.channel.index}${worst.channel.name ? ` (${worst.channel.name})` : ""}: ${worst.verdict.reason}`,
          };
    const px = m.physicalSizeUm.x;
    return {
      file: path,
      sha256: sha,
      ...(darkPath ? { darkFile: darkPath, darkSha256: darkSha } : {}),
      fileFacts: { shape: [m.sizeZ, m.sizeY, m.sizeX], channels: m.sizeC, ...(px !== undefined ? { pixelSizeUm: px } : {}) },
      metadata: m,
      channels: results,
      verdict,
      provenance: makeProvenance("measureFieldUniformityFile", { ...measureOptions, z, channels: indices, dark: !!darkPath }, inputs, []),
    };
  } finally {
    await f.close();
  }
}
