/**
 * The image metadata model shared by the TIFF, OME-TIFF and ImageJ readers and writers:
 * sizes, dimension order, pixel type, physical calibration (always in µm), channels,
 * objective and instrument. Plain data, JSON-serialisable.
 */
import { InvalidArgumentError } from "../core/errors.js";
import type { ChannelInfo, PixelArray } from "../image/types.js";

/** Pixel storage types limiqc reads and writes (OME-XML `Pixels@Type` spelling). */
export type PixelType = "uint8" | "uint16" | "uint32" | "int8" | "int16" | "int32" | "float32" | "float64";

/**
 * OME dimension order: X and Y first, then Z, C, T from fastest- to slowest-varying
 * across the pages of the file. "XYZCT" means page = z + sizeZ·(c + sizeC·t).
 */
export type DimensionOrder = "XYZCT" | "XYZTC" | "XYCZT" | "XYCTZ" | "XYTZC" | "XYTCZ";

/** All valid OME dimension orders. */
export const DIMENSION_ORDERS: readonly DimensionOrder[] = ["XYZCT", "XYZTC", "XYCZT", "XYCTZ", "XYTZC", "XYTCZ"];

/** Objective facts as far as the file tells them. */
export interface ObjectiveInfo {
  readonly model?: string;
  readonly manufacturer?: string;
  readonly nominalMagnification?: number;
  /** Numerical aperture (dimensionless). */
  readonly lensNA?: number;
  /** OME immersion name: "Oil", "Water", "Glycerol", "Air", ... */
  readonly immersion?: string;
  /** Refractive index of the immersion medium (OME ObjectiveSettings@RefractiveIndex). */
  readonly refractiveIndex?: number;
  /** Working distance, µm. */
  readonly workingDistanceUm?: number;
}

/** Microscope stand facts (OME Instrument/Microscope). */
export interface MicroscopeInfo {
  /** OME microscope type: "Upright", "Inverted", "Dissection", "Electrophysiology", "Other". */
  readonly type?: string;
  readonly manufacturer?: string;
  readonly model?: string;
}

/** Where the metadata came from. */
export type MetadataSource = "ome" | "imagej" | "tiff";

/** Physical pixel/voxel size, µm; a field is undefined when the file did not say (or said it in a unit that is not a length). */
export interface PhysicalSizeUm {
  readonly x?: number;
  readonly y?: number;
  readonly z?: number;
}

/**
 * Everything limiqc knows about an image file's layout and acquisition.
 * Plain data: safe to `JSON.stringify`.
 */
export interface ImageMetadata {
  readonly sizeX: number;
  readonly sizeY: number;
  readonly sizeZ: number;
  readonly sizeC: number;
  readonly sizeT: number;
  readonly dimensionOrder: DimensionOrder;
  readonly pixelType: PixelType;
  /** Bits per stored sample (8, 16, 32 or 64). */
  readonly bitsPerSample: number;
  /** Bits the detector actually used (OME SignificantBits), e.g. 12 for a 12-bit camera in uint16. */
  readonly significantBits?: number;
  readonly physicalSizeUm: PhysicalSizeUm;
  /** Time between frames, s. */
  readonly timeIncrementS?: number;
  /** One entry per channel (length sizeC); entries may be empty objects. */
  readonly channels: readonly ChannelInfo[];
  readonly objective?: ObjectiveInfo;
  readonly microscope?: MicroscopeInfo;
  /** ISO 8601 acquisition date as written in the file. */
  readonly acquisitionDate?: string;
  /** Image name (OME Image@Name). */
  readonly imageName?: string;
  readonly source: MetadataSource;
  /** Oddities found while parsing (recoverable; shown by `limiqc info`). */
  readonly notes: readonly string[];
  /** Raw ImageDescription of the first page, when there was one. */
  readonly description?: string;
  /**
   * Explicit plane → page table from OME TiffData, indexed by `(t·sizeC + c)·sizeZ + z`.
   * Absent when pages follow `dimensionOrder` from page 0 (the usual case).
   */
  readonly planeToPage?: readonly number[];
}

const BYTES_PER_SAMPLE: Record<PixelType, number> = {
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  uint32: 4,
  int32: 4,
  float32: 4,
  float64: 8,
};

/**
 * Bytes per pixel of a pixel type.
 * @param type - Pixel type.
 * @returns Bytes per sample (1, 2, 4 or 8).
 */
export function bytesPerPixel(type: PixelType): number {
  return BYTES_PER_SAMPLE[type];
}

/**
 * The pixel type of a typed array.
 * @param data - Pixels.
 * @returns Its OME pixel type name.
 * @throws InvalidArgumentError when `data` is not one of the PixelArray types.
 */
export function pixelTypeOf(data: PixelArray): PixelType {
  if (data instanceof Uint8Array) return "uint8";
  if (data instanceof Uint16Array) return "uint16";
  if (data instanceof Uint32Array) return "uint32";
  if (data instanceof Int8Array) return "int8";
  if (data instanceof Int16Array) return "int16";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  throw new InvalidArgumentError(
    `Pixel data is a ${(data as object)?.constructor?.name ?? typeof data}, not a supported typed array.`,
    "Use Uint8Array, Uint16Array, Uint32Array, Int8Array, Int16Array, Int32Array, Float32Array or Float64Array.",
  );
}

/**
 * Allocates a typed array of a pixel type without zero-filling (the caller overwrites every element).
 * @param type - Pixel type.
 * @param length - Number of pixels.
 * @returns A fresh array with its own ArrayBuffer (byteOffset 0).
 */
export function allocatePixels(type: PixelType, length: number): PixelArray {
  // Buffer.allocUnsafeSlow gives an unpooled, non-zeroed ArrayBuffer of exactly this size.
  const buffer = Buffer.allocUnsafeSlow(length * BYTES_PER_SAMPLE[type]).buffer;
  switch (type) {
    case "uint8":
      return new Uint8Array(buffer, 0, length);
    case "int8":
      return new Int8Array(buffer, 0, length);
    case "uint16":
      return new Uint16Array(buffer, 0, length);
    case "int16":
      return new Int16Array(buffer, 0, length);
    case "uint32":
      return new Uint32Array(buffer, 0, length);
    case "int32":
      return new Int32Array(buffer, 0, length);
    case "float32":
      return new Float32Array(buffer, 0, length);
    case "float64":
      return new Float64Array(buffer, 0, length);
  }
}

/**
 * Page index of plane (c, z, t), honouring the dimension order (or the explicit OME TiffData table).
 * @param meta - Image metadata.
 * @param c - Channel index, zero-based.
 * @param z - Slice index, zero-based.
 * @param t - Time point index, zero-based.
 * @returns Zero-based page (IFD) index in the file.
 * @throws InvalidArgumentError when an index is out of range.
 * @example planeIndex({ ...meta, sizeZ: 5, sizeC: 2, sizeT: 1, dimensionOrder: "XYZCT" }, 1, 3, 0) // → 8
 */
export function planeIndex(meta: ImageMetadata, c: number, z: number, t = 0): number {
  checkIndex("channel", c, meta.sizeC);
  checkIndex("slice (z)", z, meta.sizeZ);
  checkIndex("time point", t, meta.sizeT);
  if (meta.planeToPage) return meta.planeToPage[(t * meta.sizeC + c) * meta.sizeZ + z];
  return orderedIndex(meta.dimensionOrder, { Z: [z, meta.sizeZ], C: [c, meta.sizeC], T: [t, meta.sizeT] });
}

/**
 * Linear index of (z, c, t) in the page order of an OME dimension order, without range checks.
 * @param order - OME dimension order; letters 3–5 run from fastest to slowest.
 * @param pos - For each of Z, C, T: [index, size].
 * @returns The zero-based linear index.
 */
export function orderedIndex(order: DimensionOrder, pos: Record<"Z" | "C" | "T", readonly [number, number]>): number {
  let index = 0;
  let stride = 1;
  for (let i = 2; i < 5; i++) {
    const [value, size] = pos[order[i] as "Z" | "C" | "T"];
    index += value * stride;
    stride *= size;
  }
  return index;
}

function checkIndex(what: string, value: number, size: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= size) {
    throw new InvalidArgumentError(
      `Requested ${what} ${value}, but the image has ${size} (valid: 0…${size - 1}).`,
      "Indices are zero-based; check the sizes with `limiqc info FILE`.",
    );
  }
}

/** Micrometres per unit for the length units found in OME-XML and ImageJ descriptions. */
const UM_PER_UNIT: Readonly<Record<string, number>> = {
  pm: 1e-6,
  "\u00C5": 1e-4, // Å LATIN CAPITAL LETTER A WITH RING ABOVE (OME spelling)
  "\u212B": 1e-4, // Å ANGSTROM SIGN
  angstrom: 1e-4,
  nm: 1e-3,
  nanometer: 1e-3,
  nanometre: 1e-3,
  "\u00B5m": 1, // µm with MICRO SIGN
  "\u03BCm": 1, // μm with GREEK SMALL LETTER MU
  um: 1,
  micron: 1,
  microns: 1,
  micrometer: 1,
  micrometre: 1,
  mm: 1e3,
  millimeter: 1e3,
  millimetre: 1e3,
  cm: 1e4,
  centimeter: 1e4,
  centimetre: 1e4,
  m: 1e6,
  meter: 1e6,
  metre: 1e6,
};

/**
 * Micrometres per unit of a length unit name, or undefined for an unknown unit.
 * @param unit - Unit as written in the file (OME enum value, ImageJ `unit=`); case-sensitive for "m" vs "M" is not needed here.
 * @returns µm per unit, e.g. 1e-3 for "nm".
 * Notes: accepts nm, µm (micro sign or Greek mu), um, micron(s), mm, cm, m, Å, pm; ImageJ's literal "\u00B5m" escape is decoded first.
 * Inches are deliberately unknown: in microscopy files they come from print resolution, not calibration.
 */
export function umPerLengthUnit(unit: string): number | undefined {
  const u = decodeUnicodeEscapes(unit.trim());
  return UM_PER_UNIT[u] ?? UM_PER_UNIT[u.toLowerCase()];
}

/** Seconds per unit for the time units of OME-XML and ImageJ (`tunit=`). */
const S_PER_UNIT: Readonly<Record<string, number>> = {
  ns: 1e-9,
  "\u00B5s": 1e-6,
  "\u03BCs": 1e-6,
  us: 1e-6,
  ms: 1e-3,
  msec: 1e-3,
  s: 1,
  sec: 1,
  second: 1,
  seconds: 1,
  min: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hour: 3600,
  hours: 3600,
  hr: 3600,
};

/**
 * Seconds per unit of a time unit name, or undefined for an unknown unit.
 * @param unit - Unit as written in the file ("s", "ms", "sec", "min", ...).
 * @returns s per unit.
 */
export function sPerTimeUnit(unit: string): number | undefined {
  const u = decodeUnicodeEscapes(unit.trim());
  return S_PER_UNIT[u] ?? S_PER_UNIT[u.toLowerCase()];
}

/**
 * Decodes Java-style `\uXXXX` escapes (ImageJ writes µ as "\u00B5").
 * @param s - Text possibly containing escapes.
 * @returns The text with escapes replaced by their characters.
 */
export function decodeUnicodeEscapes(s: string): string {
  return s.replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/**
 * Converts a length to µm, or returns undefined and records a note when the unit is unknown
 * or the value is not a positive finite number.
 * @param value - Length in `unit`.
 * @param unit - Unit name.
 * @param what - What the value is, for the note (e.g. "PhysicalSizeX").
 * @param notes - Notes array to append to.
 * @returns The length in µm, or undefined.
 */
export function lengthToUm(value: number, unit: string, what: string, notes: string[]): number | undefined {
  const factor = umPerLengthUnit(unit);
  if (factor === undefined) {
    notes.push(`${what} is given in unit "${unit}", which is not a length limiqc knows; it is left undefined.`);
    return undefined;
  }
  if (!Number.isFinite(value) || value <= 0) {
    notes.push(`${what} is ${value} ${unit}; a size must be a positive number, so it is left undefined.`);
    return undefined;
  }
  return value * factor;
}
