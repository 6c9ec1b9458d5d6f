/**
 * A human (and JSON) summary of an image file, for `limiqc info FILE`.
 */
import { basename } from "node:path";
import { DimensionError, UnsupportedFormatError } from "../core/errors.js";
import type { ChannelInfo } from "../image/types.js";
import { isImageJDescription } from "./imagej.js";
import type { DimensionOrder, MetadataSource, MicroscopeInfo, ObjectiveInfo, PhysicalSizeUm, PixelType } from "./metadata.js";
import { isOmeXml } from "./ome-xml.js";
import { TiffFile, compressionLabel, openImageFile } from "./tiff-reader.js";

/** What `limiqc info` reports about a file. Plain data: safe to `JSON.stringify`. */
export interface FileDescription {
  readonly path: string;
  readonly fileSizeBytes: number;
  /** "OME-TIFF", "ImageJ TIFF" or "TIFF". */
  readonly format: string;
  readonly source?: MetadataSource;
  readonly bigTiff: boolean;
  readonly byteOrder: "little-endian" | "big-endian";
  /** Compression of the first page, e.g. "LZW (5)". */
  readonly compression: string;
  /** Horizontal-differencing predictor (2) or floating-point predictor (3), when used. */
  readonly predictor?: number;
  readonly tiled: boolean;
  /** Number of pages (IFDs) in the file. */
  readonly pageCount: number;
  readonly sizes: { readonly x: number; readonly y: number; readonly z: number; readonly c: number; readonly t: number };
  readonly dimensionOrder?: DimensionOrder;
  /** Pixel type, or a description of the unsupported sample format. */
  readonly pixelType: PixelType | string;
  readonly bitsPerSample: number;
  readonly significantBits?: number;
  /** Voxel size in µm; fields absent when unknown. */
  readonly voxelSizeUm: PhysicalSizeUm;
  readonly timeIncrementS?: number;
  readonly channels: readonly ChannelInfo[];
  readonly objective?: ObjectiveInfo;
  readonly microscope?: MicroscopeInfo;
  readonly acquisitionDate?: string;
  readonly imageName?: string;
  /** Whether limiqc can read the pixels. */
  readonly readable: boolean;
  /** Why the pixels cannot be read, when `readable` is false. */
  readonly problem?: string;
  readonly notes: readonly string[];
}

/**
 * Describes a TIFF/OME-TIFF/ImageJ file: format, layout, pixel type, calibration, channels, objective, notes.
 * @param path - File path.
 * @returns The description (plain data; see `formatFileDescription` for text).
 * @throws InvalidArgumentError when the file does not exist.
 * @throws CorruptFileError when it is not a TIFF or is structurally broken.
 * Notes: a valid TIFF that limiqc cannot decode (JPEG, RGB, 1-bit, inconsistent sizes) is still described,
 * with `readable: false` and the reason in `problem`.
 * @example (await describeImageFile("data/fixtures/ome_uint16_c2z5.ome.tif")).voxelSizeUm // { x: 0.1, y: 0.1, z: 0.3 }
 */
export async function describeImageFile(path: string): Promise<FileDescription> {
  const tiff = TiffFile.open(path);
  let page0: ReturnType<TiffFile["page"]>;
  let structure: Pick<FileDescription, "path" | "fileSizeBytes" | "bigTiff" | "byteOrder" | "compression" | "predictor" | "tiled" | "pageCount">;
  try {
    page0 = tiff.page(0);
    structure = {
      path,
      fileSizeBytes: tiff.fileSizeBytes,
      bigTiff: tiff.bigTiff,
      byteOrder: tiff.littleEndian ? "little-endian" : "big-endian",
      compression: compressionLabel(page0.compression),
      predictor: page0.predictor !== 1 ? page0.predictor : undefined,
      tiled: page0.tiled,
      pageCount: tiff.pageCount,
    };
  } finally {
    tiff.close();
  }
  if (structure.predictor === undefined) delete (structure as { predictor?: number }).predictor;
  try {
    const file = await openImageFile(path);
    await file.close();
    const m = file.metadata;
    return stripUndefined({
      ...structure,
      format: m.source === "ome" ? "OME-TIFF" : m.source === "imagej" ? "ImageJ TIFF" : "TIFF",
      source: m.source,
      sizes: { x: m.sizeX, y: m.sizeY, z: m.sizeZ, c: m.sizeC, t: m.sizeT },
      dimensionOrder: m.dimensionOrder,
      pixelType: m.pixelType,
      bitsPerSample: m.bitsPerSample,
      significantBits: m.significantBits,
      voxelSizeUm: { ...m.physicalSizeUm },
      timeIncrementS: m.timeIncrementS,
      channels: m.channels,
      objective: m.objective,
      microscope: m.microscope,
      acquisitionDate: m.acquisitionDate,
      imageName: m.imageName,
      readable: true,
      notes: [...m.notes],
    });
  } catch (e) {
    if (!(e instanceof UnsupportedFormatError || e instanceof DimensionError)) throw e;
    const desc = page0.imageDescription ?? "";
    return {
      ...structure,
      format: isOmeXml(desc) ? "OME-TIFF" : isImageJDescription(desc) ? "ImageJ TIFF" : "TIFF",
      sizes: { x: page0.width, y: page0.height, z: structure.pageCount, c: page0.samplesPerPixel, t: 1 },
      pixelType: `${page0.bitsPerSample}-bit, SampleFormat ${page0.sampleFormat}, ${page0.samplesPerPixel} sample(s) per pixel`,
      bitsPerSample: page0.bitsPerSample,
      voxelSizeUm: {},
      channels: [],
      readable: false,
      problem: e.message,
      notes: [],
    };
  }
}

function stripUndefined<T extends object>(o: T): T {
  const out = { ...o } as Record<string, unknown>;
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out as T;
}

/**
 * Formats a file description as aligned text lines for the terminal.
 * @param d - Output of `describeImageFile`.
 * @returns Multi-line text (no trailing newline).
 * @example formatFileDescription(d) // "File:        beads.ome.tif (64.7 kB)\nFormat:      OME-TIFF, classic TIFF, little-endian\n..."
 */
export function formatFileDescription(d: FileDescription): string {
  const rows: [string, string][] = [];
  rows.push(["File", `${basename(d.path)} (${formatBytes(d.fileSizeBytes)})`]);
  rows.push(["Format", `${d.format}, ${d.bigTiff ? "BigTIFF" : "classic TIFF"}, ${d.byteOrder}`]);
  rows.push(["Compression", `${d.compression}${d.predictor ? `, predictor ${d.predictor}` : ""}${d.tiled ? ", tiled" : ", strips"}`]);
  const s = d.sizes;
  const order = d.dimensionOrder ? `order ${d.dimensionOrder}, ` : "";
  rows.push(["Dimensions", `X ${s.x} × Y ${s.y} × Z ${s.z} × C ${s.c} × T ${s.t} (${order}${d.pageCount} pages)`]);
  rows.push(["Pixel type", `${d.pixelType}${d.significantBits !== undefined && d.significantBits < d.bitsPerSample ? ` (${d.significantBits} significant bits)` : ""}`]);
  if (!d.readable) rows.push(["Readable", `no: ${d.problem?.split("\n")[0] ?? "unknown reason"}`]);
  const v = d.voxelSizeUm;
  const known = [v.x, v.y, v.z].some((x) => x !== undefined);
  const um = (x: number | undefined): string => (x === undefined ? "unknown" : `${formatNumber(x)} µm`);
  rows.push(["Voxel size", known ? `x ${um(v.x)}, y ${um(v.y)}, z ${um(v.z)}` : "unknown (not calibrated)"]);
  if (d.timeIncrementS !== undefined) rows.push(["Time step", `${formatNumber(d.timeIncrementS)} s`]);
  if (d.channels.length > 0) {
    d.channels.forEach((ch, c) => {
      const parts: string[] = [];
      if (ch.excitationWavelengthNm !== undefined) parts.push(`ex ${formatNumber(ch.excitationWavelengthNm)} nm`);
      if (ch.emissionWavelengthNm !== undefined) parts.push(`em ${formatNumber(ch.emissionWavelengthNm)} nm`);
      if (ch.color) parts.push(ch.color);
      rows.push([c === 0 ? "Channels" : "", `${c} ${ch.name ?? "(unnamed)"}${parts.length ? ` (${parts.join(", ")})` : ""}`]);
    });
  }
  const o = d.objective;
  if (o) {
    const parts: string[] = [];
    if (o.model) parts.push(o.model);
    if (o.manufacturer) parts.push(o.manufacturer);
    if (o.nominalMagnification !== undefined) parts.push(`${o.nominalMagnification}×`);
    if (o.lensNA !== undefined) parts.push(`NA ${o.lensNA}`);
    if (o.immersion) parts.push(o.immersion);
    if (o.refractiveIndex !== undefined) parts.push(`n = ${o.refractiveIndex}`);
    rows.push(["Objective", parts.join(", ")]);
  } else rows.push(["Objective", "not recorded"]);
  const m = d.microscope;
  if (m) rows.push(["Microscope", [m.type, m.manufacturer, m.model].filter(Boolean).join(", ")]);
  if (d.acquisitionDate) rows.push(["Acquired", d.acquisitionDate]);
  if (d.imageName) rows.push(["Image name", d.imageName]);
  d.notes.forEach((n, i) => {
    rows.push([i === 0 ? "Notes" : "", `- ${n}`]);
  });
  return rows.map(([k, val]) => `${k ? `${k}:` : ""}`.padEnd(13) + val).join("\n");
}

function formatNumber(x: number): string {
  return String(Number(x.toPrecision(6)));
}

function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let v = n;
  let i = -1;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}
