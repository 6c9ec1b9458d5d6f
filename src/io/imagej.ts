/**
 * ImageJ TIFF descriptions ("ImageJ=1.54f\nimages=24\nchannels=2\nslices=6\n..."):
 * parse into sizes and calibration, and build one for the ImageJ writer.
 */
import { decodeUnicodeEscapes } from "./metadata.js";

/** The keys of an ImageJ description that limiqc uses; everything else is kept in `entries`. */
export interface ImageJInfo {
  /** ImageJ version that wrote the file. */
  readonly version: string;
  readonly images?: number;
  readonly channels?: number;
  readonly slices?: number;
  readonly frames?: number;
  readonly hyperstack?: boolean;
  /** Length unit of XResolution/YResolution and `spacing`, with `\uXXXX` escapes decoded ("µm", "micron", "nm", ...). */
  readonly unit?: string;
  /** z step in `unit`. */
  readonly spacing?: number;
  /** Frame interval in `timeUnit`. */
  readonly finterval?: number;
  /** Time unit of `finterval`. @default "sec" */
  readonly timeUnit?: string;
  /** Display mode: "grayscale", "composite", "color". */
  readonly mode?: string;
  /** All key=value pairs as written. */
  readonly entries: Readonly<Record<string, string>>;
}

/** The version string limiqc writes into ImageJ descriptions (what tifffile also writes). */
export const IMAGEJ_WRITER_VERSION = "1.11a";

/**
 * Whether an ImageDescription was written by ImageJ (or in ImageJ's format, e.g. by tifffile).
 * @param description - ImageDescription text.
 * @returns true when it starts with "ImageJ=".
 */
export function isImageJDescription(description: string): boolean {
  return description.trimStart().startsWith("ImageJ=");
}

/**
 * Parses an ImageJ description.
 * @param description - ImageDescription text starting with "ImageJ=".
 * @returns Sizes, unit, spacing, frame interval and all raw entries.
 * Notes: numeric keys that do not parse as numbers are left undefined (the raw text stays in `entries`).
 * The unit is returned with ImageJ's `\u00B5` escapes decoded but not converted; see `umPerLengthUnit`.
 * @see https://imagej.net/ij/developer/source/ij/io/TiffDecoder.java.html (saveImageDescription / getInfo)
 */
export function parseImageJDescription(description: string): ImageJInfo {
  const entries: Record<string, string> = {};
  for (const line of description.split(/\r?\n/)) {
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    entries[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  const int = (key: string): number | undefined => {
    const v = Number(entries[key]);
    return entries[key] !== undefined && Number.isInteger(v) ? v : undefined;
  };
  const num = (key: string): number | undefined => {
    const v = Number(entries[key]);
    return entries[key] !== undefined && Number.isFinite(v) ? v : undefined;
  };
  return {
    version: entries.ImageJ ?? "",
    images: int("images"),
    channels: int("channels"),
    slices: int("slices"),
    frames: int("frames"),
    hyperstack: entries.hyperstack === undefined ? undefined : entries.hyperstack === "true",
    unit: entries.unit === undefined ? undefined : decodeUnicodeEscapes(entries.unit),
    spacing: num("spacing"),
    finterval: num("finterval"),
    timeUnit: entries.tunit === undefined ? undefined : decodeUnicodeEscapes(entries.tunit),
    mode: entries.mode,
    entries,
  };
}

/** What the ImageJ writer puts into the description. */
export interface ImageJDescriptionFields {
  readonly channels: number;
  readonly slices: number;
  readonly frames: number;
  /** z step, µm (written with unit=micron). */
  readonly spacingUm?: number;
  /** Whether the lateral pixel size is known (then unit=micron is written). */
  readonly calibrated: boolean;
  /** Frame interval, s. */
  readonly frameIntervalS?: number;
  /** @default "grayscale" for one channel, "composite" for several */
  readonly mode?: "grayscale" | "composite" | "color";
  /** Display range written as min=/max= when given. */
  readonly displayRange?: readonly [number, number];
}

/**
 * Builds an ImageJ hyperstack description (pages ordered XYCZT: channel fastest, then slice, then frame).
 * @param f - Sizes and calibration; lengths in µm, interval in s.
 * @returns The description text, newline-separated, ending with a newline.
 * Notes: the unit is written as "micron" (ASCII; ImageJ shows it as µm). Pixel size itself goes into the
 * TIFF XResolution/YResolution tags as pixels per micron.
 */
export function buildImageJDescription(f: ImageJDescriptionFields): string {
  const images = f.channels * f.slices * f.frames;
  const lines = [`ImageJ=${IMAGEJ_WRITER_VERSION}`, `images=${images}`];
  if (f.channels > 1) lines.push(`channels=${f.channels}`);
  if (f.slices > 1) lines.push(`slices=${f.slices}`);
  if (f.frames > 1) lines.push(`frames=${f.frames}`);
  if (images > 1) lines.push("hyperstack=true");
  lines.push(`mode=${f.mode ?? (f.channels > 1 ? "composite" : "grayscale")}`);
  if (f.calibrated || f.spacingUm !== undefined) lines.push("unit=micron");
  if (f.spacingUm !== undefined) lines.push(`spacing=${f.spacingUm}`);
  if (f.frameIntervalS !== undefined) lines.push(`finterval=${f.frameIntervalS}`);
  if (f.displayRange) lines.push(`min=${f.displayRange[0]}`, `max=${f.displayRange[1]}`);
  lines.push("loop=false");
  return `${lines.join("\n")}\n`;
}
