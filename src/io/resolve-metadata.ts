/**
 * Turns a TIFF's first page (tags + ImageDescription) into limiqc's ImageMetadata:
 * OME-XML first, then ImageJ, then a bare TIFF read as a z-stack.
 */
import { basename } from "node:path";
import { DimensionError, LimiqcError, UnsupportedFormatError } from "../core/errors.js";
import type { ChannelInfo } from "../image/types.js";
import { isImageJDescription, parseImageJDescription } from "./imagej.js";
import {
  type DimensionOrder,
  type ImageMetadata,
  type PhysicalSizeUm,
  type PixelType,
  orderedIndex,
  sPerTimeUnit,
  umPerLengthUnit,
} from "./metadata.js";
import { type OmeXmlInfo, isOmeXml, parseOmeXml } from "./ome-xml.js";
import type { TiffFile, TiffPageInfo } from "./tiff-reader.js";

/** Metadata plus how logical planes map onto the file. */
export interface ResolvedMetadata {
  readonly metadata: ImageMetadata;
  /** Number of readable planes. */
  readonly pageCount: number;
  /** Set for ImageJ's single-IFD layout: planes follow each other from this byte offset. */
  readonly contiguousFrom?: number;
}

const RESOLUTION_UNIT_NONE = 1;
const RESOLUTION_UNIT_INCH = 2;
const RESOLUTION_UNIT_CM = 3;
const UM_PER_INCH = 25400;
const UM_PER_CM = 10000;
const PHOTOMETRIC_MIN_IS_WHITE = 0;
const PHOTOMETRIC_PALETTE = 3;
const COMPRESSION_NONE = 1;

/**
 * Builds ImageMetadata from a TIFF's first page.
 * @param tiff - The open TIFF.
 * @param page0 - Its first page.
 * @param pixelType - The (already validated) pixel type of page 0.
 * @returns Metadata, readable page count and, for ImageJ's single-IFD layout, the contiguous data offset.
 * @throws DimensionError when OME or ImageJ sizes contradict the page count or the page size.
 * @throws UnsupportedFormatError for a multi-file OME-TIFF whose planes live in other files.
 * Notes: OME-XML that cannot be parsed is reported in `notes` and the file is read as a bare TIFF.
 */
export function resolveImageMetadata(tiff: TiffFile, page0: TiffPageInfo, pixelType: PixelType): ResolvedMetadata {
  const notes: string[] = [];
  const desc = page0.imageDescription;
  if (page0.photometric === PHOTOMETRIC_MIN_IS_WHITE) notes.push("Photometric is min-is-white: stored values are returned as they are (0 means white).");
  if (page0.photometric === PHOTOMETRIC_PALETTE) notes.push("Photometric is palette (indexed colour): the index values are returned, not colours.");
  const common = {
    sizeX: page0.width,
    sizeY: page0.height,
    pixelType,
    bitsPerSample: page0.bitsPerSample,
    description: desc,
  };
  const name = basename(tiff.path);
  if (desc && isOmeXml(desc)) {
    let ome: OmeXmlInfo | undefined;
    try {
      ome = parseOmeXml(desc);
    } catch (e) {
      if (e instanceof LimiqcError) throw e;
      notes.push(`The ImageDescription looks like OME-XML but could not be parsed (${(e as Error).message}); the file is read as a plain TIFF.`);
    }
    if (ome) return fromOme(ome, tiff, common, notes, name);
  }
  if (desc && isImageJDescription(desc)) return fromImageJ(desc, tiff, page0, common, notes, name);
  return fromBareTiff(tiff, page0, common, notes);
}

type Common = Pick<ImageMetadata, "sizeX" | "sizeY" | "pixelType" | "bitsPerSample" | "description">;

function fromOme(ome: OmeXmlInfo, tiff: TiffFile, common: Common, notes: string[], name: string): ResolvedMetadata {
  if (ome.sizeX !== common.sizeX || ome.sizeY !== common.sizeY) {
    throw new DimensionError(
      `${name}: OME-XML says the planes are ${ome.sizeX} × ${ome.sizeY} pixels, but the first TIFF page is ${common.sizeX} × ${common.sizeY}.`,
      "The OME-XML does not describe this file (edited or copied from another file?); re-export the data as OME-TIFF.",
    );
  }
  if (ome.pixelType && ome.pixelType !== common.pixelType) {
    notes.push(`OME-XML says pixel type ${ome.pixelType}, the TIFF pages store ${common.pixelType}; the TIFF tags are used.`);
  }
  notes.push(...ome.notes);
  const planeToPage = omePlaneMap(ome, tiff.pageCount, name, notes);
  const metadata: ImageMetadata = {
    ...common,
    sizeZ: ome.sizeZ,
    sizeC: ome.sizeC,
    sizeT: ome.sizeT,
    dimensionOrder: ome.dimensionOrder,
    significantBits: ome.significantBits,
    physicalSizeUm: ome.physicalSizeUm,
    timeIncrementS: ome.timeIncrementS,
    channels: ome.channels,
    objective: ome.objective,
    microscope: ome.microscope,
    acquisitionDate: ome.acquisitionDate,
    imageName: ome.imageName,
    source: "ome",
    notes,
    planeToPage,
  };
  return { metadata: stripUndefined(metadata), pageCount: tiff.pageCount };
}

/** Plane → page table from TiffData; undefined when pages simply follow the dimension order from IFD 0. */
function omePlaneMap(ome: OmeXmlInfo, pageCount: number, name: string, notes: string[]): number[] | undefined {
  const { sizeZ: Z, sizeC: C, sizeT: T, dimensionOrder: order } = ome;
  const total = Z * C * T;
  const mismatch = (): DimensionError =>
    new DimensionError(
      `${name}: OME-XML says SizeZ × SizeC × SizeT = ${Z} × ${C} × ${T} = ${total} planes, but the file has ${pageCount} pages.`,
      "The file may be one part of a multi-file OME-TIFF dataset, or it was edited after writing. Open it in Fiji (Bio-Formats) to check, and re-export it as a single OME-TIFF.",
    );
  if (ome.imageCount === 1 && total !== pageCount) throw mismatch();
  if (ome.tiffData.length === 0) {
    notes.push("OME-XML has no TiffData element; planes are assumed to follow the dimension order from page 0.");
    if (total > pageCount) throw mismatch();
    return undefined;
  }
  const table = new Array<number>(total).fill(-1);
  let foreign = 0;
  const fileName = name;
  for (const td of ome.tiffData) {
    if (td.fileName !== undefined && td.fileName !== fileName) {
      foreign++;
      continue;
    }
    const start = orderedIndex(order, { Z: [td.firstZ, Z], C: [td.firstC, C], T: [td.firstT, T] });
    const count = td.planeCount ?? (ome.tiffData.length === 1 ? total - start : 1);
    for (let k = 0; k < count && start + k < total; k++) {
      const { z, c, t } = decompose(order, start + k, Z, C, T);
      table[(t * C + c) * Z + z] = td.ifd + k;
    }
  }
  const unmapped = table.filter((p) => p < 0).length;
  if (unmapped > 0) {
    if (foreign > 0) {
      throw new UnsupportedFormatError(
        `${name} is part of a multi-file OME-TIFF dataset: ${unmapped} of ${total} planes are stored in other files.`,
        "limiqc reads single-file OME-TIFF. Convert the dataset into one file (Fiji: open with Bio-Formats, File › Save As › OME-TIFF; or bfconvert).",
      );
    }
    throw new DimensionError(
      `${name}: OME-XML TiffData elements map only ${total - unmapped} of ${total} planes to pages.`,
      "The OME-XML is incomplete; re-export the file as OME-TIFF.",
    );
  }
  const beyond = table.find((p) => p >= pageCount);
  if (beyond !== undefined) {
    throw new DimensionError(
      `${name}: OME-XML TiffData points at page ${beyond}, but the file has ${pageCount} pages.`,
      "The file is truncated or the OME-XML belongs to another file; re-export it as OME-TIFF.",
    );
  }
  let identity = true;
  for (let t = 0; t < T && identity; t++) {
    for (let c = 0; c < C && identity; c++) {
      for (let z = 0; z < Z; z++) {
        if (table[(t * C + c) * Z + z] !== orderedIndex(order, { Z: [z, Z], C: [c, C], T: [t, T] })) {
          identity = false;
          break;
        }
      }
    }
  }
  return identity ? undefined : table;
}

function decompose(order: DimensionOrder, linear: number, Z: number, C: number, T: number): { z: number; c: number; t: number } {
  const pos = { Z: 0, C: 0, T: 0 };
  const sizes = { Z, C, T };
  let rest = linear;
  for (let i = 2; i < 5; i++) {
    const axis = order[i] as "Z" | "C" | "T";
    pos[axis] = rest % sizes[axis];
    rest = Math.floor(rest / sizes[axis]);
  }
  return { z: pos.Z, c: pos.C, t: pos.T };
}

function fromImageJ(desc: string, tiff: TiffFile, page0: TiffPageInfo, common: Common, notes: string[], name: string): ResolvedMetadata {
  const ij = parseImageJDescription(desc);
  const C = ij.channels ?? 1;
  const T = ij.frames ?? 1;
  const images = ij.images ?? tiff.pageCount;
  let Z = ij.slices ?? images / (C * T);
  if (ij.slices === undefined && !Number.isInteger(Z)) Z = -1;
  if (C < 1 || T < 1 || Z < 1 || C * Z * T !== images) {
    throw new DimensionError(
      `${name}: ImageJ description says images=${images}, but channels × slices × frames = ${ij.channels ?? 1} × ${ij.slices ?? "?"} × ${ij.frames ?? 1}${ij.slices !== undefined ? ` = ${C * Z * T}` : ""}.`,
      "The ImageJ header is inconsistent; open the file in Fiji, fix the dimensions (Image › Properties) and save it again.",
    );
  }
  let contiguousFrom: number | undefined;
  if (images !== tiff.pageCount) {
    const contiguous =
      tiff.pageCount === 1 && images > 1 && page0.compression === COMPRESSION_NONE && !page0.tiled && stripsAreContiguous(page0);
    if (!contiguous) {
      throw new DimensionError(
        `${name}: ImageJ description says images=${images}, but the file has ${tiff.pageCount} pages.`,
        "The file is truncated or its ImageJ header is wrong; open it in Fiji to check and save it again.",
      );
    }
    contiguousFrom = page0.dataOffsets[0];
    notes.push(`ImageJ single-IFD layout: ${images} planes stored one after another from byte ${contiguousFrom}.`);
  }
  const physicalSizeUm = imageJCalibration(ij.unit, ij.spacing, page0, Z, notes);
  let timeIncrementS: number | undefined;
  if (ij.finterval !== undefined) {
    const unit = ij.timeUnit ?? "sec";
    const factor = sPerTimeUnit(unit);
    if (factor === undefined) notes.push(`ImageJ frame interval unit "${unit}" is unknown; time increment left undefined.`);
    else if (ij.finterval > 0) timeIncrementS = ij.finterval * factor;
  }
  const channels: ChannelInfo[] = Array.from({ length: C }, () => ({}));
  const metadata: ImageMetadata = {
    ...common,
    sizeZ: Z,
    sizeC: C,
    sizeT: T,
    dimensionOrder: "XYCZT",
    physicalSizeUm,
    timeIncrementS,
    channels,
    source: "imagej",
    notes,
  };
  return { metadata: stripUndefined(metadata), pageCount: images, contiguousFrom };
}

function stripsAreContiguous(page: TiffPageInfo): boolean {
  const counts = page.dataByteCounts;
  if (!counts || counts.length !== page.dataOffsets.length) return page.dataOffsets.length === 1;
  for (let k = 1; k < page.dataOffsets.length; k++) if (page.dataOffsets[k] !== page.dataOffsets[k - 1] + counts[k - 1]) return false;
  return true;
}

function imageJCalibration(unit: string | undefined, spacing: number | undefined, page0: TiffPageInfo, sizeZ: number, notes: string[]): PhysicalSizeUm {
  if (unit === undefined) {
    notes.push("The ImageJ file is not spatially calibrated (no unit= in its description); pixel size unknown.");
    return {};
  }
  if (/^(pixels?|px)$/i.test(unit)) {
    notes.push(`The ImageJ calibration unit is "${unit}": the file is not spatially calibrated; pixel size unknown.`);
    return {};
  }
  if (/^inch(es)?$/i.test(unit)) {
    notes.push("The ImageJ calibration unit is inch, which comes from a print resolution (dpi), not a microscope calibration; pixel size left unknown.");
    return {};
  }
  const factor = umPerLengthUnit(unit);
  if (factor === undefined) {
    notes.push(`The ImageJ calibration unit "${unit}" is not a length limiqc knows; pixel size left unknown.`);
    return {};
  }
  const xres = page0.xResolution;
  const yres = page0.yResolution ?? xres;
  const out: { x?: number; y?: number; z?: number } = {};
  if (xres !== undefined && xres > 0) out.x = factor / xres;
  else notes.push("The ImageJ file has a unit but no XResolution; lateral pixel size unknown.");
  if (yres !== undefined && yres > 0) out.y = factor / yres;
  if (spacing !== undefined && spacing > 0) out.z = spacing * factor;
  else if (sizeZ > 1) notes.push("The ImageJ description has no spacing= for its z-stack; z step unknown.");
  return out;
}

function fromBareTiff(tiff: TiffFile, page0: TiffPageInfo, common: Common, notes: string[]): ResolvedMetadata {
  const pages = tiff.pageCount;
  if (pages > 1) notes.push(`No OME-XML or ImageJ metadata: the ${pages} pages are read as z-slices of one channel.`);
  const xres = page0.xResolution;
  if (xres !== undefined && xres > 0 && !(page0.resolutionUnit === RESOLUTION_UNIT_NONE && xres === 1)) {
    const unitName = page0.resolutionUnit === RESOLUTION_UNIT_INCH ? "inch" : page0.resolutionUnit === RESOLUTION_UNIT_CM ? "centimetre" : "unit (no absolute unit)";
    const umPerUnit = page0.resolutionUnit === RESOLUTION_UNIT_INCH ? UM_PER_INCH : page0.resolutionUnit === RESOLUTION_UNIT_CM ? UM_PER_CM : undefined;
    const implied = umPerUnit === undefined ? "" : ` (${formatUm(umPerUnit / xres)} µm per pixel)`;
    notes.push(
      `XResolution is ${round(xres)} pixels per ${unitName}${implied}. A plain TIFF's resolution is usually a print or screen setting, not a microscope calibration, so the pixel size is left unknown; pass voxelSizeUm explicitly if it really is the calibration.`,
    );
  }
  const metadata: ImageMetadata = {
    ...common,
    sizeZ: pages,
    sizeC: 1,
    sizeT: 1,
    dimensionOrder: "XYZCT",
    physicalSizeUm: {},
    channels: [{}],
    source: "tiff",
    notes,
  };
  return { metadata: stripUndefined(metadata), pageCount: pages };
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

function formatUm(v: number): string {
  return String(Number(v.toPrecision(6)));
}

function stripUndefined(m: ImageMetadata): ImageMetadata {
  const out = { ...m } as Record<string, unknown>;
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  const p = { ...m.physicalSizeUm } as Record<string, unknown>;
  for (const k of Object.keys(p)) if (p[k] === undefined) delete p[k];
  out.physicalSizeUm = p;
  return out as unknown as ImageMetadata;
}
