/**
 * TIFF, OME-TIFF and ImageJ-TIFF writers: uncompressed, one strip per page, streamed page by page,
 * written to a temporary file in the target folder and renamed into place only when complete.
 */
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, fsyncSync, linkSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { DimensionError, InvalidArgumentError, UnsupportedFormatError } from "../core/errors.js";
import type { ChannelInfo, ImageView, MultiChannelImage, PixelArray } from "../image/types.js";
import { buildImageJDescription } from "./imagej.js";
import { type ImageMetadata, type MicroscopeInfo, type ObjectiveInfo, type PixelType, bytesPerPixel, pixelTypeOf } from "./metadata.js";
import { buildOmeXml } from "./ome-xml.js";

/** Largest offset a classic TIFF can address (2^32 − 1 bytes). */
export const CLASSIC_TIFF_MAX_BYTES = 4294967295;
/** Generous upper bound of one page's IFD and tag values (bytes), used to predict the file size. */
const IFD_BYTES_ESTIMATE = 512;
const BIGTIFF_HEADER_BYTES = 16;
const CLASSIC_HEADER_BYTES = 8;
const UINT32_MAX = 4294967295;
const MAX_WRITE_BYTES = 1 << 30;
const UM_PER_CM = 10000;
const SOFTWARE = "limiqc";

const TYPE_ASCII = 2;
const TYPE_SHORT = 3;
const TYPE_LONG = 4;
const TYPE_RATIONAL = 5;
const TYPE_LONG8 = 16;
const TYPE_BYTES: Readonly<Record<number, number>> = { 2: 1, 3: 2, 4: 4, 5: 8, 16: 8 };

const SAMPLE_FORMAT: Record<PixelType, number> = {
  uint8: 1,
  uint16: 1,
  uint32: 1,
  int8: 2,
  int16: 2,
  int32: 2,
  float32: 3,
  float64: 3,
};

/** Resolution written into X/YResolution + ResolutionUnit. */
export interface TiffResolution {
  /** Pixels per unit along x. */
  readonly x: number;
  /** Pixels per unit along y. */
  readonly y: number;
  /** 1 none (ImageJ: pixels per `unit=`), 2 inch, 3 centimetre. */
  readonly unit: 1 | 2 | 3;
}

/** Options of the streaming TIFF writer. */
export interface TiffStreamWriterOptions {
  /** Plane width, pixels. */
  readonly width: number;
  /** Plane height, pixels. */
  readonly height: number;
  /** ImageDescription of the first page (UTF-8). */
  readonly description?: string;
  readonly resolution?: TiffResolution;
  /** Write BigTIFF: always, never, or when the file would exceed 4 GiB. @default "auto" */
  readonly bigTiff?: boolean | "auto";
  /** Number of pages that will be written; lets "auto" decide the format (unknown → BigTIFF). */
  readonly pageCount?: number;
  /** Pixel type every page must have. @default the first page's type */
  readonly pixelType?: PixelType;
  /** Replace an existing file. @default false */
  readonly overwrite?: boolean;
}

/** What a writer produced. */
export interface TiffWriteResult {
  readonly path: string;
  readonly pageCount: number;
  readonly bytesWritten: number;
  readonly bigTiff: boolean;
}

/**
 * Whether a file of `pageCount` pages of `planeBytes` each (plus a description) needs BigTIFF.
 * @param planeBytes - Bytes of pixel data per page.
 * @param pageCount - Number of pages.
 * @param descriptionBytes - Bytes of the ImageDescription (UTF-8). @default 0
 * @returns true when the classic format's 4 GiB offset limit would be exceeded.
 */
export function needsBigTiff(planeBytes: number, pageCount: number, descriptionBytes = 0): boolean {
  return CLASSIC_HEADER_BYTES + descriptionBytes + pageCount * (planeBytes + IFD_BYTES_ESTIMATE) > CLASSIC_TIFF_MAX_BYTES;
}

/**
 * Streams pages into a new uncompressed TIFF (one strip per page, little-endian).
 *
 * Notes: pages go to a temporary file next to the target (`.<name>.<pid>.<random>.tmp`); `finish()` renames it
 * into place, so an interrupted write never leaves a partial file under the final name. Without `overwrite`,
 * an existing target is refused both at `create` and (atomically, by hard link) at `finish`.
 * Layout per page: IFD, then its pixel data; each IFD's next-pointer is predicted and the last one is
 * set to 0 at `finish()`.
 * @example
 * const w = TiffStreamWriter.create("out.tif", { width: 2048, height: 2048, pageCount: 128, pixelType: "uint16" });
 * for await (const plane of source) w.writePage(plane);
 * await w.finish();
 */
export class TiffStreamWriter {
  readonly path: string;
  private readonly tmpPath: string;
  private readonly opts: TiffStreamWriterOptions;
  private readonly overwrite: boolean;
  private fd: number;
  private big: boolean | undefined;
  private pixelType: PixelType | undefined;
  private position = 0;
  private pages = 0;
  private lastNextPointerPos = -1;
  private done = false;

  private constructor(path: string, tmpPath: string, fd: number, opts: TiffStreamWriterOptions) {
    this.path = path;
    this.tmpPath = tmpPath;
    this.fd = fd;
    this.opts = opts;
    this.overwrite = opts.overwrite ?? false;
    this.pixelType = opts.pixelType;
    const want = opts.bigTiff ?? "auto";
    if (want !== "auto") this.big = want;
  }

  /**
   * Creates the temporary file and checks the target.
   * @param path - Final file path.
   * @param opts - Plane size, description, resolution, format and overwrite policy.
   * @returns The writer; call `writePage` for each page, then `finish()` (or `abort()`).
   * @throws InvalidArgumentError when the target exists and `overwrite` is not true, the folder does not exist,
   *   or width/height are not positive integers.
   */
  static create(path: string, opts: TiffStreamWriterOptions): TiffStreamWriter {
    for (const [k, v] of [
      ["width", opts.width],
      ["height", opts.height],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError(`TIFF ${k} is ${v}; it must be a positive integer number of pixels.`);
    }
    if (!opts.overwrite && existsSync(path)) throw existsError(path);
    const tmpPath = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
    let fd: number;
    try {
      fd = openSync(tmpPath, "wx");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT") throw new InvalidArgumentError(`Cannot write ${path}: the folder ${dirname(path)} does not exist.`, "Create the folder first.");
      throw new InvalidArgumentError(`Cannot write ${path}: ${(e as Error).message}`, "Check that the folder is writable.");
    }
    return new TiffStreamWriter(path, tmpPath, fd, opts);
  }

  /**
   * Appends one page.
   * @param data - width·height pixels, x fastest; every page must have the same type.
   * @throws DimensionError when `data.length` ≠ width·height.
   * @throws InvalidArgumentError when the pixel type differs from earlier pages, or a classic TIFF would pass 4 GiB.
   */
  writePage(data: PixelArray): void {
    if (this.done) throw new InvalidArgumentError(`The writer for ${this.path} is already finished.`);
    const { width, height } = this.opts;
    if (data.length !== width * height) {
      throw new DimensionError(
        `Page ${this.pages} for ${basename(this.path)} has ${data.length} pixels, but ${width} × ${height} = ${width * height} are needed.`,
        "Pass one plane per page, x fastest.",
      );
    }
    const type = pixelTypeOf(data);
    if (this.pixelType === undefined) this.pixelType = type;
    else if (type !== this.pixelType) {
      throw new InvalidArgumentError(`Page ${this.pages} is ${type}, but the file is ${this.pixelType}; a TIFF stack has one pixel type.`, "Convert all planes to one type first.");
    }
    if (this.pages === 0) this.writeHeader(type);
    const big = this.big === true;
    const dataBytes = data.byteLength;
    const ifd = this.buildIfd(this.position, dataBytes, type, this.pages === 0);
    const dataStart = this.position + ifd.bytes.length;
    const next = dataStart + dataBytes + (dataBytes % 2);
    if (!big && next > CLASSIC_TIFF_MAX_BYTES) {
      throw new InvalidArgumentError(
        `${basename(this.path)} would exceed the 4 GiB limit of classic TIFF at page ${this.pages}.`,
        "Write it as BigTIFF (bigTiff: true, or give pageCount so that 'auto' can decide).",
      );
    }
    ifd.setNext(next);
    this.write(ifd.bytes);
    this.lastNextPointerPos = ifd.nextPointerPos;
    this.write(new Uint8Array(data.buffer, data.byteOffset, dataBytes));
    if (dataBytes % 2) this.write(new Uint8Array(1));
    this.pages++;
  }

  /**
   * Completes the file: terminates the IFD chain, flushes, and renames the temporary file into place.
   * @returns Path, page count, size and format.
   * @throws InvalidArgumentError when no page was written, `pageCount` was given and differs, or the target appeared meanwhile (without `overwrite`).
   */
  finish(): TiffWriteResult {
    if (this.done) throw new InvalidArgumentError(`The writer for ${this.path} is already finished.`);
    try {
      if (this.pages === 0) throw new InvalidArgumentError(`No pages were written to ${basename(this.path)}.`, "A TIFF needs at least one page.");
      if (this.opts.pageCount !== undefined && this.opts.pageCount !== this.pages) {
        throw new InvalidArgumentError(`${basename(this.path)}: ${this.pages} pages were written, but pageCount said ${this.opts.pageCount}.`);
      }
      const zero = Buffer.alloc(this.big ? 8 : 4);
      writeSync(this.fd, zero, 0, zero.length, this.lastNextPointerPos);
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = -1;
      commit(this.tmpPath, this.path, this.overwrite);
      this.done = true;
      return { path: this.path, pageCount: this.pages, bytesWritten: this.position, bigTiff: this.big === true };
    } catch (e) {
      this.abort();
      throw e;
    }
  }

  /** Discards the temporary file (idempotent); the target is left untouched. */
  abort(): void {
    this.done = true;
    if (this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
    }
    if (existsSync(this.tmpPath)) unlinkSync(this.tmpPath);
  }

  private writeHeader(type: PixelType): void {
    if (this.big === undefined) {
      const o = this.opts;
      const descBytes = o.description ? Buffer.byteLength(o.description, "utf8") : 0;
      // Size unknown in advance (no pageCount): BigTIFF is always safe.
      this.big = o.pageCount === undefined ? true : needsBigTiff(o.width * o.height * bytesPerPixel(type), o.pageCount, descBytes);
    }
    const h = Buffer.alloc(this.big ? BIGTIFF_HEADER_BYTES : CLASSIC_HEADER_BYTES);
    h.write("II", 0, "latin1");
    if (this.big) {
      h.writeUInt16LE(43, 2);
      h.writeUInt16LE(8, 4);
      h.writeBigUInt64LE(BigInt(BIGTIFF_HEADER_BYTES), 8);
    } else {
      h.writeUInt16LE(42, 2);
      h.writeUInt32LE(CLASSIC_HEADER_BYTES, 4);
    }
    this.write(h);
  }

  private write(bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) {
      done += writeSync(this.fd, bytes, done, Math.min(bytes.length - done, MAX_WRITE_BYTES), this.position + done);
    }
    this.position += bytes.length;
  }

  private buildIfd(ifdOffset: number, dataBytes: number, type: PixelType, first: boolean): BuiltIfd {
    const o = this.opts;
    const big = this.big === true;
    const entries: IfdEntry[] = [
      { tag: 254, type: TYPE_LONG, values: [0] },
      { tag: 256, type: TYPE_LONG, values: [o.width] },
      { tag: 257, type: TYPE_LONG, values: [o.height] },
      { tag: 258, type: TYPE_SHORT, values: [bytesPerPixel(type) * 8] },
      { tag: 259, type: TYPE_SHORT, values: [1] },
      { tag: 262, type: TYPE_SHORT, values: [1] },
    ];
    if (first && o.description !== undefined) entries.push({ tag: 270, type: TYPE_ASCII, values: asciiz(o.description) });
    entries.push(
      { tag: 273, type: big ? TYPE_LONG8 : TYPE_LONG, values: [0] }, // patched below
      { tag: 277, type: TYPE_SHORT, values: [1] },
      { tag: 278, type: TYPE_LONG, values: [o.height] },
      { tag: 279, type: big ? TYPE_LONG8 : TYPE_LONG, values: [dataBytes] },
    );
    if (o.resolution) {
      entries.push({ tag: 282, type: TYPE_RATIONAL, values: rational(o.resolution.x) }, { tag: 283, type: TYPE_RATIONAL, values: rational(o.resolution.y) });
    }
    entries.push({ tag: 284, type: TYPE_SHORT, values: [1] });
    if (o.resolution) entries.push({ tag: 296, type: TYPE_SHORT, values: [o.resolution.unit] });
    if (first) entries.push({ tag: 305, type: TYPE_ASCII, values: asciiz(SOFTWARE) });
    entries.push({ tag: 339, type: TYPE_SHORT, values: [SAMPLE_FORMAT[type]] });
    const size = ifdSize(entries, big);
    entries[entries.findIndex((e) => e.tag === 273)].values = [ifdOffset + size];
    return encodeIfd(entries, ifdOffset, big, size);
  }
}

interface IfdEntry {
  readonly tag: number;
  readonly type: number;
  /** Numbers (RATIONAL as numerator, denominator pairs) or bytes (ASCII). */
  values: number[] | Uint8Array;
}

interface BuiltIfd {
  readonly bytes: Buffer;
  readonly nextPointerPos: number;
  setNext(offset: number): void;
}

function valueCount(e: IfdEntry): number {
  return e.type === TYPE_RATIONAL ? e.values.length / 2 : e.values.length;
}

function valueBytes(e: IfdEntry): number {
  return TYPE_BYTES[e.type] * valueCount(e);
}

function ifdSize(entries: IfdEntry[], big: boolean): number {
  const inline = big ? 8 : 4;
  let size = (big ? 8 : 2) + entries.length * (big ? 20 : 12) + (big ? 8 : 4);
  for (const e of entries) {
    const b = valueBytes(e);
    if (b > inline) size += b + (b % 2);
  }
  return size;
}

function encodeIfd(entries: IfdEntry[], ifdOffset: number, big: boolean, size: number): BuiltIfd {
  const buf = Buffer.alloc(size);
  const inline = big ? 8 : 4;
  let p = 0;
  if (big) buf.writeBigUInt64LE(BigInt(entries.length), 0);
  else buf.writeUInt16LE(entries.length, 0);
  p = big ? 8 : 2;
  const nextPos = p + entries.length * (big ? 20 : 12);
  let extra = nextPos + (big ? 8 : 4);
  for (const e of entries) {
    buf.writeUInt16LE(e.tag, p);
    buf.writeUInt16LE(e.type, p + 2);
    if (big) buf.writeBigUInt64LE(BigInt(valueCount(e)), p + 4);
    else buf.writeUInt32LE(valueCount(e), p + 4);
    const fieldPos = p + (big ? 12 : 8);
    const nbytes = valueBytes(e);
    let target = fieldPos;
    if (nbytes > inline) {
      target = extra;
      if (big) buf.writeBigUInt64LE(BigInt(ifdOffset + extra), fieldPos);
      else buf.writeUInt32LE(ifdOffset + extra, fieldPos);
      extra += nbytes + (nbytes % 2);
    }
    writeValues(buf, target, e);
    p += big ? 20 : 12;
  }
  return {
    bytes: buf,
    nextPointerPos: ifdOffset + nextPos,
    setNext(offset: number): void {
      if (big) buf.writeBigUInt64LE(BigInt(offset), nextPos);
      else buf.writeUInt32LE(offset, nextPos);
    },
  };
}

function writeValues(buf: Buffer, pos: number, e: IfdEntry): void {
  if (e.values instanceof Uint8Array) {
    buf.set(e.values, pos);
    return;
  }
  const v = e.values;
  for (let i = 0; i < v.length; i++) {
    switch (e.type) {
      case TYPE_SHORT:
        buf.writeUInt16LE(v[i], pos + 2 * i);
        break;
      case TYPE_LONG:
      case TYPE_RATIONAL:
        buf.writeUInt32LE(v[i], pos + 4 * i);
        break;
      case TYPE_LONG8:
        buf.writeBigUInt64LE(BigInt(v[i]), pos + 8 * i);
        break;
    }
  }
}

function asciiz(s: string): Uint8Array {
  return Buffer.from(`${s}\0`, "utf8");
}

/**
 * Best rational approximation p/q of a positive number with p, q < 2^32 (continued fractions).
 * @param value - Positive finite number.
 * @returns [numerator, denominator].
 * @throws InvalidArgumentError when `value` is not positive and finite.
 */
export function rational(value: number): [number, number] {
  if (!Number.isFinite(value) || value <= 0 || value > UINT32_MAX) {
    throw new InvalidArgumentError(`Resolution ${value} cannot be stored as a TIFF rational; it must be positive and below 2^32.`);
  }
  let [h0, h1, k0, k1] = [0, 1, 1, 0];
  let x = value;
  for (let i = 0; i < 64; i++) {
    const a = Math.floor(x);
    const h2 = a * h1 + h0;
    const k2 = a * k1 + k0;
    if (h2 > UINT32_MAX || k2 > UINT32_MAX) break;
    [h0, h1, k0, k1] = [h1, h2, k1, k2];
    const frac = x - a;
    if (frac < 1e-15 || h1 / k1 === value) break;
    x = 1 / frac;
  }
  if (h1 === 0) throw new InvalidArgumentError(`Resolution ${value} is too small to store as a TIFF rational (below 2^-32).`);
  return [h1, k1];
}

function existsError(path: string): InvalidArgumentError {
  return new InvalidArgumentError(`${path} already exists; limiqc does not overwrite files unless asked.`, "Choose another name, or pass overwrite: true.");
}

function commit(tmp: string, target: string, overwrite: boolean): void {
  if (overwrite) {
    renameSync(tmp, target);
    return;
  }
  try {
    linkSync(tmp, target); // fails atomically if the target exists
    unlinkSync(tmp);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw existsError(target);
    // File systems without hard links: check, then rename.
    if (existsSync(target)) throw existsError(target);
    renameSync(tmp, target);
  }
}

/** Options of `writeTiff`. */
export interface WriteTiffOptions {
  /** Plane width, pixels. */
  readonly width: number;
  /** Plane height, pixels. */
  readonly height: number;
  /** ImageDescription of the first page. */
  readonly description?: string;
  /**
   * Pixels per µm (one number, or [x, y]); stored as pixels per centimetre (ResolutionUnit 3).
   * Note that limiqc's reader does not take a plain TIFF's resolution as a calibration: use
   * `writeOmeTiff` or `writeImageJTiff` for calibrated data.
   */
  readonly resolutionPerUm?: number | readonly [number, number];
  /** @default "auto" (BigTIFF when the file would exceed 4 GiB; when pages come from an iterable of unknown length and `pageCount` is not given, BigTIFF) */
  readonly bigTiff?: boolean | "auto";
  /** Number of pages, when `pages` is an iterable; lets "auto" choose classic TIFF for small files. */
  readonly pageCount?: number;
  /** Replace an existing file. @default false */
  readonly overwrite?: boolean;
}

/**
 * Writes planes as a multi-page uncompressed TIFF.
 * @param path - Target file; must not exist unless `overwrite` is true.
 * @param pages - Planes (width·height pixels each, x fastest, one pixel type), as an array or a (async) iterable.
 * @param opts - Size, description, resolution, format, overwrite policy.
 * @returns Path, page count, size and whether BigTIFF was written.
 * @throws InvalidArgumentError when the target exists (without `overwrite`), the folder is missing, or pages differ in type.
 * @throws DimensionError when a page does not hold width·height pixels.
 * Notes: streams page by page through `TiffStreamWriter` (temporary file + rename), so an iterable of any length
 * is written in constant memory and a failure leaves no partial file under `path`.
 * @example await writeTiff("stack.tif", [plane0, plane1], { width: 64, height: 48 });
 */
export async function writeTiff(path: string, pages: Iterable<PixelArray> | AsyncIterable<PixelArray>, opts: WriteTiffOptions): Promise<TiffWriteResult> {
  const known = Array.isArray(pages) ? (pages as PixelArray[]) : undefined;
  const first = known?.[0];
  let resolution: TiffResolution | undefined;
  if (opts.resolutionPerUm !== undefined) {
    const [rx, ry] = typeof opts.resolutionPerUm === "number" ? [opts.resolutionPerUm, opts.resolutionPerUm] : opts.resolutionPerUm;
    resolution = { x: rx * UM_PER_CM, y: ry * UM_PER_CM, unit: 3 };
  }
  const writer = TiffStreamWriter.create(path, {
    width: opts.width,
    height: opts.height,
    description: opts.description,
    resolution,
    bigTiff: opts.bigTiff,
    pageCount: known ? known.length : opts.pageCount,
    pixelType: first ? pixelTypeOf(first) : undefined,
    overwrite: opts.overwrite,
  });
  return streamInto(writer, pages);
}

async function streamInto(writer: TiffStreamWriter, pages: Iterable<PixelArray> | AsyncIterable<PixelArray>): Promise<TiffWriteResult> {
  try {
    for await (const page of pages) writer.writePage(page);
    return writer.finish();
  } catch (e) {
    writer.abort();
    throw e;
  }
}

/** Options of `writeOmeTiff`. */
export interface OmeTiffWriteOptions {
  /** Replace an existing file. @default false */
  readonly overwrite?: boolean;
  /** @default "auto" */
  readonly bigTiff?: boolean | "auto";
  readonly objective?: ObjectiveInfo;
  readonly microscope?: MicroscopeInfo;
  /** Channel facts by index; override each image's own `channel`. */
  readonly channels?: readonly ChannelInfo[];
  readonly imageName?: string;
  /** ISO 8601 acquisition date. */
  readonly acquisitionDate?: string;
  /** Detector bit depth; @default the image's `bitDepth` */
  readonly significantBits?: number;
}

/**
 * Writes a single- or multi-channel z-stack as OME-TIFF (planes in XYZCT order, OME-XML in the first page).
 * @param path - Target file (conventionally `*.ome.tif`); must not exist unless `overwrite` is true.
 * @param image - One ImageView, or a MultiChannelImage whose channels share shape and pixel type.
 * @param opts - Objective, microscope, channel facts, name, date, format, overwrite policy.
 * @returns Path, page count, size and format.
 * @throws DimensionError when channels differ in shape.
 * @throws InvalidArgumentError when channels differ in pixel type or the target exists.
 * Notes: physical sizes are written in µm from the first channel's `voxelSizeUm` (PhysicalSizeZ only for nz > 1),
 * wavelengths in nm. See `buildOmeXml` for what the XML holds.
 * @see https://docs.openmicroscopy.org/ome-model/latest/ome-tiff/specification.html
 * @example await writeOmeTiff("beads.ome.tif", { channels: [green, red] }, { objective: { lensNA: 1.4, immersion: "Oil" } });
 */
export async function writeOmeTiff(path: string, image: ImageView | MultiChannelImage, opts: OmeTiffWriteOptions = {}): Promise<TiffWriteResult> {
  const views = channelViews(image);
  const { nz, ny, nx, type } = commonShape(views);
  const v = views[0].voxelSizeUm;
  const bitDepth = opts.significantBits ?? views[0].bitDepth;
  const meta: ImageMetadata = {
    sizeX: nx,
    sizeY: ny,
    sizeZ: nz,
    sizeC: views.length,
    sizeT: 1,
    dimensionOrder: "XYZCT",
    pixelType: type,
    bitsPerSample: bytesPerPixel(type) * 8,
    significantBits: bitDepth,
    physicalSizeUm: v ? { x: v[2], y: v[1], z: nz > 1 ? v[0] : undefined } : {},
    channels: views.map((view, c) => opts.channels?.[c] ?? view.channel ?? {}),
    objective: opts.objective,
    microscope: opts.microscope,
    acquisitionDate: opts.acquisitionDate,
    imageName: opts.imageName,
    source: "ome",
    notes: [],
  };
  const description = buildOmeXml(meta);
  const plane = nx * ny;
  function* pages(): Generator<PixelArray> {
    for (const view of views) for (let z = 0; z < nz; z++) yield view.data.subarray(z * plane, (z + 1) * plane);
  }
  const writer = TiffStreamWriter.create(path, {
    width: nx,
    height: ny,
    description,
    bigTiff: opts.bigTiff,
    pageCount: nz * views.length,
    pixelType: type,
    overwrite: opts.overwrite,
  });
  return streamInto(writer, pages());
}

/** Options of `writeImageJTiff`. */
export interface ImageJTiffWriteOptions {
  /** Replace an existing file. @default false */
  readonly overwrite?: boolean;
  /** @default "auto" (note: ImageJ 1 itself cannot open BigTIFF; Fiji's Bio-Formats can) */
  readonly bigTiff?: boolean | "auto";
  /** Display mode. @default "grayscale" for one channel, "composite" for several */
  readonly mode?: "grayscale" | "composite" | "color";
}

const IMAGEJ_TYPES: readonly PixelType[] = ["uint8", "uint16", "float32"];

/**
 * Writes a single- or multi-channel z-stack as an ImageJ hyperstack TIFF (pages XYCZT, `ImageJ=` description).
 * @param path - Target file; must not exist unless `overwrite` is true.
 * @param image - One ImageView, or a MultiChannelImage whose channels share shape and pixel type.
 * @param opts - Format, overwrite policy, display mode.
 * @returns Path, page count, size and format.
 * @throws UnsupportedFormatError for pixel types ImageJ cannot store (only uint8, uint16, float32).
 * @throws DimensionError when channels differ in shape.
 * @throws InvalidArgumentError when channels differ in pixel type or the target exists.
 * Notes: the pixel size goes into X/YResolution as pixels per micron (ResolutionUnit none, `unit=micron`), the z step
 * into `spacing=`. ImageJ descriptions carry no channel names or wavelengths: use `writeOmeTiff` to keep them.
 * @see https://imagej.net/ij/docs/guide/146-7.html (hyperstacks)
 */
export async function writeImageJTiff(path: string, image: ImageView | MultiChannelImage, opts: ImageJTiffWriteOptions = {}): Promise<TiffWriteResult> {
  const views = channelViews(image);
  const { nz, ny, nx, type } = commonShape(views);
  if (!IMAGEJ_TYPES.includes(type)) {
    throw new UnsupportedFormatError(`ImageJ TIFF cannot store ${type} pixels; ImageJ supports uint8, uint16 and float32.`, "Use writeOmeTiff, or convert the data to one of these types.");
  }
  const v = views[0].voxelSizeUm;
  const description = buildImageJDescription({
    channels: views.length,
    slices: nz,
    frames: 1,
    spacingUm: v && nz > 1 ? v[0] : undefined,
    calibrated: v !== undefined,
    mode: opts.mode,
  });
  const plane = nx * ny;
  function* pages(): Generator<PixelArray> {
    for (let z = 0; z < nz; z++) for (const view of views) yield view.data.subarray(z * plane, (z + 1) * plane);
  }
  const writer = TiffStreamWriter.create(path, {
    width: nx,
    height: ny,
    description,
    resolution: v ? { x: 1 / v[2], y: 1 / v[1], unit: 1 } : undefined,
    bigTiff: opts.bigTiff,
    pageCount: nz * views.length,
    pixelType: type,
    overwrite: opts.overwrite,
  });
  return streamInto(writer, pages());
}

function channelViews(image: ImageView | MultiChannelImage): readonly ImageView[] {
  const views = "channels" in image ? image.channels : [image];
  if (views.length === 0) throw new DimensionError("The image has no channels.", "Pass at least one ImageView.");
  return views;
}

function commonShape(views: readonly ImageView[]): { nz: number; ny: number; nx: number; type: PixelType } {
  const [nz, ny, nx] = views[0].shape;
  const type = pixelTypeOf(views[0].data);
  views.forEach((view, c) => {
    if (view.shape[0] !== nz || view.shape[1] !== ny || view.shape[2] !== nx) {
      throw new DimensionError(
        `Channel ${c} has shape [${view.shape.join(", ")}], channel 0 has [${nz}, ${ny}, ${nx}]; all channels must match.`,
        "Crop or pad the channels to one shape before writing.",
      );
    }
    if (view.data.length !== nz * ny * nx) {
      throw new DimensionError(`Channel ${c} holds ${view.data.length} pixels but its shape needs ${nz * ny * nx}.`, "Build images with makeImage().");
    }
    const t = pixelTypeOf(view.data);
    if (t !== type) throw new InvalidArgumentError(`Channel ${c} is ${t}, channel 0 is ${type}; a TIFF file has one pixel type.`, "Convert the channels to one type first.");
  });
  return { nz, ny, nx, type };
}
