/**
 * limiqc's own TIFF structure parser (classic TIFF and BigTIFF, either byte order) and the
 * image-file API on top of it.
 *
 * The file is read through a file descriptor at offsets, never as a whole. Uncompressed strip
 * pages are read straight into the destination typed array (byte-swapped in place for
 * big-endian files); compressed or tiled pages are decoded by geotiff.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { kMaxLength } from "node:buffer";
import { basename } from "node:path";
import { fromFile, type GeoTIFF } from "geotiff";
import { CorruptFileError, DimensionError, InvalidArgumentError, LimiqcError, UnsupportedFormatError } from "../core/errors.js";
import { type ImageView, type MultiChannelImage, type PixelArray, makeImage } from "../image/types.js";
import { decodeBlocksInto } from "./block-decode.js";
import { type ImageMetadata, type PixelType, allocatePixels, bytesPerPixel, planeIndex } from "./metadata.js";
import { resolveImageMetadata } from "./resolve-metadata.js";

/** TIFF tag numbers limiqc reads. */
export const TIFF_TAG = {
  NewSubfileType: 254,
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  Photometric: 262,
  FillOrder: 266,
  ImageDescription: 270,
  StripOffsets: 273,
  SamplesPerPixel: 277,
  RowsPerStrip: 278,
  StripByteCounts: 279,
  XResolution: 282,
  YResolution: 283,
  PlanarConfiguration: 284,
  ResolutionUnit: 296,
  Software: 305,
  Predictor: 317,
  TileWidth: 322,
  TileLength: 323,
  TileOffsets: 324,
  TileByteCounts: 325,
  SampleFormat: 339,
} as const;

/** TIFF compression codes and their names. */
export const COMPRESSION_NAMES: Readonly<Record<number, string>> = {
  1: "none",
  2: "CCITT RLE",
  3: "CCITT Group 3",
  4: "CCITT Group 4",
  5: "LZW",
  6: "old-style JPEG",
  7: "JPEG",
  8: "Adobe deflate",
  32773: "PackBits",
  32946: "deflate",
  33003: "JPEG 2000 (Aperio)",
  33005: "JPEG 2000 (Aperio)",
  34712: "JPEG 2000",
  34887: "LERC",
  34892: "lossy JPEG (DNG)",
  34925: "LZMA",
  50000: "zstd",
  50001: "WebP",
  50002: "JPEG XL",
};

/** Compression codes limiqc decodes (1 directly, the others through geotiff). */
export const SUPPORTED_COMPRESSIONS: readonly number[] = [1, 5, 8, 32946, 32773, 50000];

const COMPRESSION_NONE = 1;
const PREDICTOR_NONE = 1;
const PLANAR_CONTIG = 1;
const SAMPLE_FORMAT_UINT = 1;
const SAMPLE_FORMAT_INT = 2;
const SAMPLE_FORMAT_FLOAT = 3;
const SAMPLE_FORMAT_VOID = 4;
const SAMPLE_FORMAT_COMPLEX_INT = 5;
const SAMPLE_FORMAT_COMPLEX_FLOAT = 6;
/** RowsPerStrip default (2^32 − 1): the whole image in one strip. */
const ROWS_PER_STRIP_DEFAULT = 4294967295;
/** Bytes read at an IFD offset in one call; covers the entry count, ~40 classic entries and the next pointer. */
const IFD_PROBE_BYTES = 512;
/** Largest typed array Node 20 allocates (buffer.constants.MAX_LENGTH, 4 GiB). */
const MAX_STACK_BYTES = kMaxLength;
/** readSync takes at most 2^31 − 1 bytes per call; stay well below. */
const MAX_READ_BYTES = 1 << 30;
/** Field type → byte size (TIFF 6.0 + BigTIFF types 16–18). */
const TYPE_SIZE: Readonly<Record<number, number>> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8 };

/** Structural facts of one TIFF page (IFD). */
export interface TiffPageInfo {
  /** Zero-based IFD index in the file's chain. */
  readonly index: number;
  /** Byte offset of the IFD. */
  readonly ifdOffset: number;
  readonly width: number;
  readonly height: number;
  /** Bits per sample of the first sample. */
  readonly bitsPerSample: number;
  /** 1 unsigned int, 2 signed int, 3 IEEE float, 4 undefined, 5/6 complex. @default 1 */
  readonly sampleFormat: number;
  readonly samplesPerPixel: number;
  /** TIFF compression code (see COMPRESSION_NAMES). */
  readonly compression: number;
  /** 0 min-is-white, 1 min-is-black, 2 RGB, 3 palette, ... */
  readonly photometric?: number;
  /** 1 chunky (contiguous), 2 planar (separate). */
  readonly planarConfig: number;
  readonly predictor: number;
  readonly newSubfileType: number;
  readonly tiled: boolean;
  readonly rowsPerStrip?: number;
  readonly tileWidth?: number;
  readonly tileLength?: number;
  /** Strip or tile offsets, bytes. */
  readonly dataOffsets: readonly number[];
  /** Strip or tile byte counts; undefined when the tag is missing. */
  readonly dataByteCounts?: readonly number[];
  /** ImageDescription decoded as UTF-8 (trailing NULs removed). */
  readonly imageDescription?: string;
  readonly software?: string;
  /** Pixels per resolution unit along x. */
  readonly xResolution?: number;
  readonly yResolution?: number;
  /** 1 none, 2 inch, 3 centimetre. @default 2 */
  readonly resolutionUnit: number;
}

interface RawEntry {
  readonly type: number;
  readonly count: number;
  /** Absolute file offset of the value bytes (inline or out of line). */
  readonly valueOffset: number;
}

/**
 * A TIFF file opened for random access by file descriptor. Low-level: most callers want `openImageFile`.
 *
 * Notes: the IFD chain is walked once at open (one small read per IFD, loop-checked); each page's tags
 * are parsed when the page is first asked for. Offsets past the end of the file raise CorruptFileError.
 */
export class TiffFile {
  readonly path: string;
  readonly fileSizeBytes: number;
  readonly littleEndian: boolean;
  readonly bigTiff: boolean;
  /** Offsets of every IFD in chain order. */
  readonly ifdOffsets: readonly number[];
  private fd: number;
  private readonly pages = new Map<number, TiffPageInfo>();
  private readonly name: string;

  private constructor(path: string, fd: number, fileSizeBytes: number, littleEndian: boolean, bigTiff: boolean, ifdOffsets: number[]) {
    this.path = path;
    this.fd = fd;
    this.fileSizeBytes = fileSizeBytes;
    this.littleEndian = littleEndian;
    this.bigTiff = bigTiff;
    this.ifdOffsets = ifdOffsets;
    this.name = basename(path);
  }

  /**
   * Opens a TIFF file and walks its IFD chain.
   * @param path - File path.
   * @returns The open file; call `close()` when done.
   * @throws InvalidArgumentError when the file does not exist or is not a regular file.
   * @throws CorruptFileError for a bad magic number (the message shows the first bytes), a truncated header,
   *   an IFD past the end of the file, an IFD loop, or a file without any IFD.
   */
  static open(path: string): TiffFile {
    const fd = openFileForReading(path);
    try {
      const size = fstatSync(fd).size;
      const name = basename(path);
      if (size === 0) throw new CorruptFileError(`${name} is empty (0 bytes).`, "The file was not written completely; copy or export it again.");
      const head = Buffer.alloc(16);
      const n = readSync(fd, head, 0, 16, 0);
      const magic = describeMagic(head.subarray(0, n));
      const byteOrder = head.toString("latin1", 0, 2);
      if (n < 8 || (byteOrder !== "II" && byteOrder !== "MM")) {
        throw new CorruptFileError(
          `${name} is not a TIFF file: it starts with ${magic}; a TIFF starts with 49 49 ("II") or 4d 4d ("MM") followed by 42 or 43.`,
          hintForSignature(head.subarray(0, n)),
        );
      }
      const le = byteOrder === "II";
      const version = le ? head.readUInt16LE(2) : head.readUInt16BE(2);
      let big: boolean;
      let first: number;
      if (version === 42) {
        big = false;
        first = le ? head.readUInt32LE(4) : head.readUInt32BE(4);
      } else if (version === 43) {
        if (n < 16) throw new CorruptFileError(`${name} is a truncated BigTIFF: the 16-byte header is cut off after ${n} bytes.`, TRUNCATED_HINT);
        const offsetSize = le ? head.readUInt16LE(4) : head.readUInt16BE(4);
        if (offsetSize !== 8) throw new CorruptFileError(`${name}: BigTIFF header declares ${offsetSize}-byte offsets; expected 8.`, TRUNCATED_HINT);
        big = true;
        first = toSafeNumber(le ? head.readBigUInt64LE(8) : head.readBigUInt64BE(8), name);
      } else {
        throw new CorruptFileError(
          `${name} is not a TIFF file: byte-order mark "${byteOrder}" is followed by version ${version}; expected 42 (TIFF) or 43 (BigTIFF). First bytes: ${magic}.`,
          hintForSignature(head.subarray(0, n)),
        );
      }
      const offsets = walkIfdChain(fd, size, le, big, first, name);
      return new TiffFile(path, fd, size, le, big, offsets);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /** Number of IFDs (pages) in the chain. */
  get pageCount(): number {
    return this.ifdOffsets.length;
  }

  /**
   * Structural facts of one page, parsed on first use and cached.
   * @param index - Zero-based page index.
   * @returns The page's tags that limiqc uses.
   * @throws InvalidArgumentError when the index is out of range.
   * @throws CorruptFileError when a tag value lies past the end of the file.
   */
  page(index: number): TiffPageInfo {
    const cached = this.pages.get(index);
    if (cached) return cached;
    if (!Number.isInteger(index) || index < 0 || index >= this.ifdOffsets.length) {
      throw new InvalidArgumentError(`Page ${index} requested, but ${this.name} has ${this.ifdOffsets.length} pages (0…${this.ifdOffsets.length - 1}).`);
    }
    const info = this.parsePage(index);
    this.pages.set(index, info);
    return info;
  }

  /**
   * Reads `length` bytes at `offset`.
   * @param offset - File offset, bytes.
   * @param length - Number of bytes.
   * @returns A new Buffer with the bytes.
   * @throws CorruptFileError when the range extends past the end of the file.
   */
  readBytes(offset: number, length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    this.readInto(out, offset, "data");
    return out;
  }

  /**
   * Reads an uncompressed strip page straight into `dest` (which must have exactly width·height elements
   * of the page's pixel type), byte-swapping in place when the file is big-endian.
   * @param page - The page (from `page()`), uncompressed, stripped, one sample per pixel.
   * @param dest - Destination pixels; may be a subarray of a larger stack.
   * @param contiguousOffset - Read the plane from this file offset instead of the page's strips
   *   (ImageJ's single-IFD layout for files above 4 GiB).
   * @throws CorruptFileError when strips are missing, too short or past the end of the file.
   */
  readUncompressedInto(page: TiffPageInfo, dest: PixelArray, contiguousOffset?: number): void {
    const bytes = new Uint8Array(dest.buffer, dest.byteOffset, dest.byteLength);
    const rowBytes = page.width * (page.bitsPerSample / 8);
    if (contiguousOffset !== undefined) {
      this.readInto(bytes, contiguousOffset, `plane at offset ${contiguousOffset}`);
    } else {
      const rowsPerStrip = Math.min(page.rowsPerStrip ?? ROWS_PER_STRIP_DEFAULT, page.height);
      const stripCount = Math.ceil(page.height / rowsPerStrip);
      if (page.dataOffsets.length < stripCount) {
        throw new CorruptFileError(
          `${this.name}: page ${page.index} has ${page.dataOffsets.length} strip offsets, but ${page.height} rows at ${rowsPerStrip} rows per strip need ${stripCount}.`,
          CORRUPT_HINT,
        );
      }
      // Merge runs of strips that follow each other in the file into single reads.
      let destPos = 0;
      let k = 0;
      while (k < stripCount) {
        const start = page.dataOffsets[k];
        let runBytes = 0;
        let next = start;
        while (k < stripCount && page.dataOffsets[k] === next) {
          const rows = Math.min(rowsPerStrip, page.height - k * rowsPerStrip);
          const need = rows * rowBytes;
          const have = page.dataByteCounts?.[k];
          if (have !== undefined && have < need) {
            throw new CorruptFileError(
              `${this.name}: strip ${k} of page ${page.index} holds ${have} bytes, but ${rows} uncompressed rows need ${need}.`,
              CORRUPT_HINT,
            );
          }
          runBytes += need;
          next += need;
          k++;
          // A strip whose byte count exceeds its rows (padding) breaks the run.
          if (have !== undefined && have !== need) break;
        }
        this.readInto(bytes.subarray(destPos, destPos + runBytes), start, `strip data of page ${page.index}`);
        destPos += runBytes;
      }
    }
    if (!this.littleEndian) swapInPlace(dest);
  }

  /** Closes the file descriptor (idempotent). */
  close(): void {
    if (this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
    }
  }

  private readInto(target: Uint8Array, offset: number, what: string): void {
    if (this.fd < 0) throw new InvalidArgumentError(`${this.name} is already closed.`, "Open it again with openImageFile().");
    if (offset + target.length > this.fileSizeBytes) {
      throw new CorruptFileError(
        `${this.name}: ${what} at offset ${offset} (${target.length} bytes) extends past the end of the file (${this.fileSizeBytes} bytes); the file is truncated or corrupt.`,
        TRUNCATED_HINT,
      );
    }
    let done = 0;
    while (done < target.length) {
      const n = readSync(this.fd, target, done, Math.min(target.length - done, MAX_READ_BYTES), offset + done);
      if (n === 0) {
        throw new CorruptFileError(`${this.name}: reading ${what} stopped after ${done} of ${target.length} bytes at offset ${offset}.`, TRUNCATED_HINT);
      }
      done += n;
    }
  }

  private parsePage(index: number): TiffPageInfo {
    const ifdOffset = this.ifdOffsets[index];
    const big = this.bigTiff;
    const entrySize = big ? 20 : 12;
    const countBytes = big ? 8 : 2;
    const head = this.readBytes(ifdOffset, countBytes);
    const count = big ? toSafeNumber(this.littleEndian ? head.readBigUInt64LE(0) : head.readBigUInt64BE(0), this.name) : this.u16(head, 0);
    const block = this.readBytes(ifdOffset + countBytes, count * entrySize);
    const entries = new Map<number, RawEntry>();
    for (let i = 0; i < count; i++) {
      const p = i * entrySize;
      const tag = this.u16(block, p);
      const type = this.u16(block, p + 2);
      const n = big ? toSafeNumber(this.littleEndian ? block.readBigUInt64LE(p + 4) : block.readBigUInt64BE(p + 4), this.name) : this.u32(block, p + 4);
      const size = (TYPE_SIZE[type] ?? 0) * n;
      const inlineCapacity = big ? 8 : 4;
      const fieldPos = ifdOffset + countBytes + p + (big ? 12 : 8);
      let valueOffset = fieldPos;
      if (size > inlineCapacity) {
        valueOffset = big ? toSafeNumber(this.littleEndian ? block.readBigUInt64LE(p + 12) : block.readBigUInt64BE(p + 12), this.name) : this.u32(block, p + 8);
      }
      if (TYPE_SIZE[type] === undefined) continue; // unknown field type: skip, as TIFF 6.0 asks
      entries.set(tag, { type, count: n, valueOffset });
    }
    const nums = (tag: number): number[] | undefined => {
      const e = entries.get(tag);
      return e ? this.readNumbers(e, tag, index) : undefined;
    };
    const one = (tag: number): number | undefined => nums(tag)?.[0];
    const text = (tag: number): string | undefined => {
      const e = entries.get(tag);
      if (!e) return undefined;
      const raw = this.readValueBytes(e, tag, index);
      let end = raw.length;
      while (end > 0 && raw[end - 1] === 0) end--;
      return raw.toString("utf8", 0, end);
    };
    const width = one(TIFF_TAG.ImageWidth);
    const height = one(TIFF_TAG.ImageLength);
    if (width === undefined || height === undefined) {
      throw new CorruptFileError(`${this.name}: page ${index} has no ${width === undefined ? "ImageWidth" : "ImageLength"} tag.`, CORRUPT_HINT);
    }
    const tiled = entries.has(TIFF_TAG.TileOffsets);
    return {
      index,
      ifdOffset,
      width,
      height,
      bitsPerSample: one(TIFF_TAG.BitsPerSample) ?? 1,
      sampleFormat: one(TIFF_TAG.SampleFormat) ?? SAMPLE_FORMAT_UINT,
      samplesPerPixel: one(TIFF_TAG.SamplesPerPixel) ?? 1,
      compression: one(TIFF_TAG.Compression) ?? COMPRESSION_NONE,
      photometric: one(TIFF_TAG.Photometric),
      planarConfig: one(TIFF_TAG.PlanarConfiguration) ?? PLANAR_CONTIG,
      predictor: one(TIFF_TAG.Predictor) ?? PREDICTOR_NONE,
      newSubfileType: one(TIFF_TAG.NewSubfileType) ?? 0,
      tiled,
      rowsPerStrip: one(TIFF_TAG.RowsPerStrip),
      tileWidth: one(TIFF_TAG.TileWidth),
      tileLength: one(TIFF_TAG.TileLength),
      dataOffsets: nums(tiled ? TIFF_TAG.TileOffsets : TIFF_TAG.StripOffsets) ?? [],
      dataByteCounts: nums(tiled ? TIFF_TAG.TileByteCounts : TIFF_TAG.StripByteCounts),
      imageDescription: text(TIFF_TAG.ImageDescription),
      software: text(TIFF_TAG.Software),
      xResolution: one(TIFF_TAG.XResolution),
      yResolution: one(TIFF_TAG.YResolution),
      resolutionUnit: one(TIFF_TAG.ResolutionUnit) ?? 2,
    };
  }

  private readValueBytes(e: RawEntry, tag: number, page: number): Buffer {
    const size = TYPE_SIZE[e.type] * e.count;
    if (e.valueOffset + size > this.fileSizeBytes) {
      throw new CorruptFileError(
        `${this.name}: the value of tag ${tag} in page ${page} (${size} bytes at offset ${e.valueOffset}) lies past the end of the file (${this.fileSizeBytes} bytes).`,
        TRUNCATED_HINT,
      );
    }
    return this.readBytes(e.valueOffset, size);
  }

  private readNumbers(e: RawEntry, tag: number, page: number): number[] {
    const b = this.readValueBytes(e, tag, page);
    const le = this.littleEndian;
    const out = new Array<number>(e.count);
    for (let i = 0; i < e.count; i++) {
      switch (e.type) {
        case 1:
        case 7:
          out[i] = b[i];
          break;
        case 6:
          out[i] = b.readInt8(i);
          break;
        case 3:
          out[i] = le ? b.readUInt16LE(2 * i) : b.readUInt16BE(2 * i);
          break;
        case 8:
          out[i] = le ? b.readInt16LE(2 * i) : b.readInt16BE(2 * i);
          break;
        case 4:
        case 13:
          out[i] = le ? b.readUInt32LE(4 * i) : b.readUInt32BE(4 * i);
          break;
        case 9:
          out[i] = le ? b.readInt32LE(4 * i) : b.readInt32BE(4 * i);
          break;
        case 5: {
          const num = le ? b.readUInt32LE(8 * i) : b.readUInt32BE(8 * i);
          const den = le ? b.readUInt32LE(8 * i + 4) : b.readUInt32BE(8 * i + 4);
          out[i] = den === 0 ? Number.NaN : num / den;
          break;
        }
        case 10: {
          const num = le ? b.readInt32LE(8 * i) : b.readInt32BE(8 * i);
          const den = le ? b.readInt32LE(8 * i + 4) : b.readInt32BE(8 * i + 4);
          out[i] = den === 0 ? Number.NaN : num / den;
          break;
        }
        case 11:
          out[i] = le ? b.readFloatLE(4 * i) : b.readFloatBE(4 * i);
          break;
        case 12:
          out[i] = le ? b.readDoubleLE(8 * i) : b.readDoubleBE(8 * i);
          break;
        case 16:
        case 18:
          out[i] = toSafeNumber(le ? b.readBigUInt64LE(8 * i) : b.readBigUInt64BE(8 * i), this.name);
          break;
        case 17:
          out[i] = toSafeNumber(le ? b.readBigInt64LE(8 * i) : b.readBigInt64BE(8 * i), this.name);
          break;
        default:
          out[i] = Number.NaN;
      }
    }
    // A zero-denominator rational is not a resolution; drop such values rather than pass NaN on.
    return out.some(Number.isNaN) ? out.filter((v) => !Number.isNaN(v)) : out;
  }

  private u16(b: Buffer, p: number): number {
    return this.littleEndian ? b.readUInt16LE(p) : b.readUInt16BE(p);
  }

  private u32(b: Buffer, p: number): number {
    return this.littleEndian ? b.readUInt32LE(p) : b.readUInt32BE(p);
  }
}

const TRUNCATED_HINT = "The file is incomplete (interrupted copy or acquisition?). Copy or export it again from the original.";
const CORRUPT_HINT = "The file is damaged or was written by a faulty program; re-export it (Fiji: File › Save As › Tiff, or bfconvert).";

function openFileForReading(path: string): number {
  try {
    const fd = openSync(path, "r");
    if (!fstatSync(fd).isFile()) {
      closeSync(fd);
      throw new InvalidArgumentError(`${path} is not a regular file (a directory?).`, "Pass the path of a .tif/.tiff file.");
    }
    return fd;
  } catch (e) {
    if (e instanceof LimiqcError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      throw new InvalidArgumentError(`File not found: ${path}`, `Check the path; relative paths are resolved from ${process.cwd()}.`);
    }
    if (code === "EISDIR") throw new InvalidArgumentError(`${path} is a directory, not a TIFF file.`, "Pass the path of a .tif/.tiff file.");
    if (code === "EACCES" || code === "EPERM") {
      throw new InvalidArgumentError(`Permission denied reading ${path}.`, "Check the file's permissions.");
    }
    throw new InvalidArgumentError(`Cannot open ${path}: ${(e as Error).message}`);
  }
}

function walkIfdChain(fd: number, size: number, le: boolean, big: boolean, first: number, name: string): number[] {
  const offsets: number[] = [];
  const seen = new Set<number>();
  const probe = Buffer.allocUnsafe(IFD_PROBE_BYTES);
  const countBytes = big ? 8 : 2;
  const entrySize = big ? 20 : 12;
  const nextBytes = big ? 8 : 4;
  let offset = first;
  if (offset === 0) throw new CorruptFileError(`${name} is a TIFF without any image (first IFD offset is 0).`, CORRUPT_HINT);
  while (offset !== 0) {
    if (seen.has(offset)) {
      throw new CorruptFileError(
        `${name}: the IFD chain loops back to offset ${offset} after ${offsets.length} pages.`,
        "The file's page list is corrupt; re-export it from the acquisition software or Fiji.",
      );
    }
    if (offset + countBytes > size) {
      throw new CorruptFileError(
        `${name}: IFD ${offsets.length} is at offset ${offset}, past the end of the file (${size} bytes); the file is truncated.`,
        TRUNCATED_HINT,
      );
    }
    seen.add(offset);
    offsets.push(offset);
    const got = readSync(fd, probe, 0, Math.min(IFD_PROBE_BYTES, size - offset), offset);
    const count = big ? toSafeNumber(le ? probe.readBigUInt64LE(0) : probe.readBigUInt64BE(0), name) : le ? probe.readUInt16LE(0) : probe.readUInt16BE(0);
    const nextPos = offset + countBytes + count * entrySize;
    if (nextPos + nextBytes > size) {
      throw new CorruptFileError(
        `${name}: IFD ${offsets.length - 1} at offset ${offset} declares ${count} entries, which run past the end of the file (${size} bytes).`,
        TRUNCATED_HINT,
      );
    }
    let nb: Buffer;
    if (nextPos - offset + nextBytes <= got) nb = probe.subarray(nextPos - offset, nextPos - offset + nextBytes);
    else {
      nb = Buffer.allocUnsafe(nextBytes);
      readSync(fd, nb, 0, nextBytes, nextPos);
    }
    offset = big ? toSafeNumber(le ? nb.readBigUInt64LE(0) : nb.readBigUInt64BE(0), name) : le ? nb.readUInt32LE(0) : nb.readUInt32BE(0);
  }
  return offsets;
}

function toSafeNumber(v: bigint, name: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new CorruptFileError(`${name}: a 64-bit offset or count (${v}) is beyond 2^53; the file is corrupt.`, CORRUPT_HINT);
  }
  return Number(v);
}

function describeMagic(b: Uint8Array): string {
  const hex = Array.from(b.subarray(0, 8), (x) => x.toString(16).padStart(2, "0")).join(" ");
  const ascii = Array.from(b.subarray(0, 8), (x) => (x >= 0x20 && x < 0x7f ? String.fromCharCode(x) : ".")).join("");
  return b.length === 0 ? "nothing" : `bytes ${hex} ("${ascii}")`;
}

const SIGNATURES: readonly { readonly bytes: readonly number[]; readonly what: string }[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: "a PNG image" },
  { bytes: [0xff, 0xd8, 0xff], what: "a JPEG image" },
  { bytes: [0x5a, 0x49, 0x53, 0x52, 0x41, 0x57], what: "a Zeiss CZI file" },
  { bytes: [0x89, 0x48, 0x44, 0x46], what: "an HDF5 file (Imaris .ims, BigDataViewer .h5?)" },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: "a ZIP archive" },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: "a PDF document" },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: "a GIF image" },
];

function hintForSignature(b: Uint8Array): string {
  for (const s of SIGNATURES) {
    if (s.bytes.every((x, i) => b[i] === x)) {
      return `It looks like ${s.what}. Export the data as OME-TIFF (Fiji: File › Save As › OME-TIFF, or bfconvert) and open that.`;
    }
  }
  return "Check that this is the right file; proprietary formats (CZI, ND2, LIF, OIR) must be exported as OME-TIFF first (Fiji/Bio-Formats or bfconvert).";
}

/** Swaps the bytes of every element in place (big-endian file → host order). */
function swapInPlace(data: PixelArray): void {
  const size = data.BYTES_PER_ELEMENT;
  if (size === 1) return;
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (size === 2) b.swap16();
  else if (size === 4) b.swap32();
  else b.swap64();
}

/**
 * The pixel type of a page, or a clear error when limiqc cannot read it.
 * @param page - Page facts.
 * @param name - File name for messages.
 * @returns The pixel type.
 * @throws UnsupportedFormatError for several samples per pixel (RGB), complex samples, 1/4/12/24-bit samples,
 *   64-bit integers, 16-bit floats or an unsupported compression.
 * @throws DimensionError for a zero width or height.
 */
export function checkPageSupported(page: TiffPageInfo, name: string): PixelType {
  if (page.width < 1 || page.height < 1) {
    throw new DimensionError(
      `${name}: page ${page.index} is ${page.width} × ${page.height} pixels; width and height must be at least 1.`,
      "The file's ImageWidth/ImageLength tags are damaged; re-export the image.",
    );
  }
  if (page.samplesPerPixel !== 1) {
    throw new UnsupportedFormatError(
      `${name}: page ${page.index} has ${page.samplesPerPixel} samples per pixel (${page.photometric === 2 ? "RGB" : "multi-sample"}); limiqc reads one sample per pixel (grayscale planes).`,
      "Split the colour channels (Fiji: Image › Color › Split Channels, or Image › Type › 16-bit) and save them as a multi-channel TIFF.",
    );
  }
  const bps = page.bitsPerSample;
  const sf = page.sampleFormat;
  let type: PixelType | undefined;
  if (sf === SAMPLE_FORMAT_COMPLEX_INT || sf === SAMPLE_FORMAT_COMPLEX_FLOAT) {
    throw new UnsupportedFormatError(
      `${name}: page ${page.index} stores complex ${sf === SAMPLE_FORMAT_COMPLEX_FLOAT ? "floating-point" : "integer"} samples (SampleFormat ${sf}, ${bps} bits); limiqc reads real-valued images only.`,
      "Save the magnitude or the real part as a 32-bit float TIFF.",
    );
  }
  if (sf === SAMPLE_FORMAT_UINT || sf === SAMPLE_FORMAT_VOID) type = ({ 8: "uint8", 16: "uint16", 32: "uint32" } as const)[bps as 8 | 16 | 32];
  else if (sf === SAMPLE_FORMAT_INT) type = ({ 8: "int8", 16: "int16", 32: "int32" } as const)[bps as 8 | 16 | 32];
  else if (sf === SAMPLE_FORMAT_FLOAT) type = ({ 32: "float32", 64: "float64" } as const)[bps as 32 | 64];
  if (!type) {
    const kind = sf === SAMPLE_FORMAT_FLOAT ? "floating-point" : sf === SAMPLE_FORMAT_INT ? "signed integer" : "unsigned integer";
    const what = bps === 1 ? "1-bit (bilevel, black-and-white)" : `${bps}-bit ${kind}`;
    throw new UnsupportedFormatError(
      `${name}: page ${page.index} stores ${what} samples (BitsPerSample ${bps}, SampleFormat ${sf}); limiqc reads 8-, 16- and 32-bit integers and 32/64-bit floats.`,
      "Convert the image (Fiji: Image › Type › 16-bit or 32-bit) and save it as TIFF.",
    );
  }
  if (!SUPPORTED_COMPRESSIONS.includes(page.compression)) {
    const lossy = [6, 7, 34892, 50001].includes(page.compression);
    throw new UnsupportedFormatError(
      `${name}: page ${page.index} is compressed with ${compressionLabel(page.compression)}, which limiqc does not decode. Supported: ${SUPPORTED_COMPRESSIONS.map(compressionLabel).join(", ")}.`,
      lossy
        ? "Lossy compression alters pixel values and is unsuitable for QC measurements: re-export the raw data uncompressed or with LZW/deflate/zstd."
        : "Re-save the file uncompressed or with LZW/deflate/zstd (e.g. `tiffcp -c none in.tif out.tif`, or Fiji File › Save As › Tiff).",
    );
  }
  return type;
}

/**
 * A compression code with its name, e.g. "JPEG (7)".
 * @param code - TIFF compression code.
 * @returns "name (code)", or "unknown (code)".
 */
export function compressionLabel(code: number): string {
  return `${COMPRESSION_NAMES[code] ?? "unknown"} (${code})`;
}

/** One plane yielded by `ImageFile.planes()`. */
export interface PlaneRecord {
  readonly c: number;
  readonly z: number;
  readonly t: number;
  /** Zero-based page index in the file. */
  readonly page: number;
  readonly data: PixelArray;
}

/** Options of `ImageFile.planes()`. */
export interface PlaneStreamOptions {
  /** Yield one array, overwritten by each plane, instead of a fresh array per plane. @default false */
  readonly reuseBuffer?: boolean;
}

/** An open microscopy image file: metadata now, pixels on request, plane by plane. */
export interface ImageFile {
  readonly path: string;
  readonly metadata: ImageMetadata;
  /** Number of readable pages (planes) in the file. */
  readonly pageCount: number;
  /** Reads plane (c, z, t) as width·height pixels, x fastest. @throws InvalidArgumentError for an index out of range. */
  readPlane(c: number, z: number, t?: number): Promise<PixelArray>;
  /** Reads page `index` in file order. @throws InvalidArgumentError for an index out of range. */
  readPage(index: number): Promise<PixelArray>;
  /** Reads the z-stack of channel `c` at time `t` (defaults 0) with voxel size, bit depth and channel info attached. */
  readStack(c?: number, t?: number): Promise<ImageView>;
  /** Reads every channel's z-stack at time `t` (default 0). */
  readChannels(t?: number): Promise<MultiChannelImage>;
  /**
   * Streams every plane in file order.
   * @param options - `reuseBuffer: true` yields the same array every time, overwritten by the next plane
   *   (no allocation per plane: fastest, constant memory; copy what you keep). @default { reuseBuffer: false }
   */
  planes(options?: PlaneStreamOptions): AsyncGenerator<PlaneRecord>;
  /** Releases the file (idempotent). */
  close(): Promise<void>;
}

/** How the logical pages map onto the file. */
interface PageLayout {
  /** ImageJ > 4 GiB layout: planes follow each other from this offset, only the first has an IFD. */
  readonly contiguousFrom?: number;
  readonly pageCount: number;
}

class TiffImageFile implements ImageFile {
  readonly path: string;
  readonly metadata: ImageMetadata;
  readonly pageCount: number;
  private readonly tiff: TiffFile;
  private readonly layout: PageLayout;
  private readonly pixelType: PixelType;
  private readonly planeLength: number;
  private readonly name: string;
  private geotiff?: Promise<GeoTIFF>;
  private closed = false;

  constructor(tiff: TiffFile, metadata: ImageMetadata, layout: PageLayout) {
    this.tiff = tiff;
    this.path = tiff.path;
    this.metadata = metadata;
    this.layout = layout;
    this.pageCount = layout.pageCount;
    this.pixelType = metadata.pixelType;
    this.planeLength = metadata.sizeX * metadata.sizeY;
    this.name = basename(tiff.path);
  }

  async readPage(index: number): Promise<PixelArray> {
    const out = allocatePixels(this.pixelType, this.planeLength);
    await this.readPageInto(index, out);
    return out;
  }

  async readPlane(c: number, z: number, t = 0): Promise<PixelArray> {
    return this.readPage(planeIndex(this.metadata, c, z, t));
  }

  async readStack(c = 0, t = 0): Promise<ImageView> {
    const m = this.metadata;
    planeIndex(m, c, 0, t); // range check before allocating
    const bytes = this.planeLength * m.sizeZ * bytesPerPixel(this.pixelType);
    if (bytes > MAX_STACK_BYTES) {
      throw new DimensionError(
        `${this.name}: one channel's z-stack is ${(bytes / 2 ** 30).toFixed(1)} GiB, above Node's ${MAX_STACK_BYTES / 2 ** 30} GiB limit for one typed array.`,
        "Process it plane by plane with readPlane() or planes(), or crop it first.",
      );
    }
    const data = allocatePixels(this.pixelType, this.planeLength * m.sizeZ);
    for (let z = 0; z < m.sizeZ; z++) {
      await this.readPageInto(planeIndex(m, c, z, t), data.subarray(z * this.planeLength, (z + 1) * this.planeLength));
    }
    return makeImage(data, [m.sizeZ, m.sizeY, m.sizeX], imageExtras(m, c));
  }

  async readChannels(t = 0): Promise<MultiChannelImage> {
    const channels: ImageView[] = [];
    for (let c = 0; c < this.metadata.sizeC; c++) channels.push(await this.readStack(c, t));
    return { channels };
  }

  async *planes(options: PlaneStreamOptions = {}): AsyncGenerator<PlaneRecord> {
    const reuse = options.reuseBuffer ?? false;
    const m = this.metadata;
    const order: { page: number; c: number; z: number; t: number }[] = [];
    for (let t = 0; t < m.sizeT; t++) for (let c = 0; c < m.sizeC; c++) for (let z = 0; z < m.sizeZ; z++) order.push({ page: planeIndex(m, c, z, t), c, z, t });
    order.sort((a, b) => a.page - b.page);
    const shared = reuse ? allocatePixels(this.pixelType, this.planeLength) : undefined;
    for (const o of order) {
      if (shared) {
        await this.readPageInto(o.page, shared);
        yield { ...o, data: shared };
      } else yield { ...o, data: await this.readPage(o.page) };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.tiff.close();
    if (this.geotiff) {
      const g = await this.geotiff.catch(() => undefined);
      await g?.close();
    }
  }

  private async readPageInto(index: number, dest: PixelArray): Promise<void> {
    if (this.closed) throw new InvalidArgumentError(`${this.name} is already closed.`, "Open it again with openImageFile().");
    if (!Number.isInteger(index) || index < 0 || index >= this.pageCount) {
      throw new InvalidArgumentError(`Page ${index} requested, but ${this.name} has ${this.pageCount} pages (0…${this.pageCount - 1}).`);
    }
    if (this.layout.contiguousFrom !== undefined) {
      const page0 = this.tiff.page(0);
      this.tiff.readUncompressedInto(page0, dest, this.layout.contiguousFrom + index * dest.byteLength);
      return;
    }
    const page = this.tiff.page(index);
    this.checkConsistent(page);
    if (page.compression === COMPRESSION_NONE && !page.tiled && page.predictor === PREDICTOR_NONE) {
      this.tiff.readUncompressedInto(page, dest);
      return;
    }
    await this.decode(page, dest);
  }

  private checkConsistent(page: TiffPageInfo): void {
    if (page.index === 0) return;
    const m = this.metadata;
    if (page.width !== m.sizeX || page.height !== m.sizeY) {
      throw new DimensionError(
        `${this.name}: page ${page.index} is ${page.width} × ${page.height} pixels, but page 0 is ${m.sizeX} × ${m.sizeY}.`,
        "limiqc reads stacks of equal-sized planes; the file may hold thumbnails or several series. Export the series you need as its own file.",
      );
    }
    const type = checkPageSupported(page, this.name);
    if (type !== m.pixelType) {
      throw new DimensionError(`${this.name}: page ${page.index} stores ${type} pixels, but page 0 stores ${m.pixelType}.`, "Convert all planes to one type and save again.");
    }
  }

  /** Decodes a compressed, tiled or predicted page through geotiff (see block-decode.ts for big-endian + predictor). */
  private async decode(page: TiffPageInfo, dest: PixelArray): Promise<void> {
    const label = compressionLabel(page.compression);
    try {
      if (!this.tiff.littleEndian && page.predictor !== PREDICTOR_NONE) {
        await decodeBlocksInto(this.tiff, page, dest);
        return;
      }
      this.geotiff ??= fromFile(this.path);
      const g = await this.geotiff;
      const image = await g.getImage(page.index);
      const raster = (await image.readRasters({ interleave: true })) as unknown as PixelArray;
      if (raster.length !== dest.length) {
        throw new Error(`decoded ${raster.length} pixels, expected ${dest.length}`);
      }
      dest.set(raster as never);
    } catch (e) {
      if (e instanceof LimiqcError) throw e;
      const msg = (e instanceof Error ? e.message : String(e)).split("\n")[0];
      throw new CorruptFileError(
        `${this.name}: could not decode page ${page.index} (${label}${page.tiled ? ", tiled" : ""}${page.predictor !== PREDICTOR_NONE ? `, predictor ${page.predictor}` : ""}): ${msg}`,
        "The compressed data is damaged. Re-export the file, or try opening it in Fiji to see whether other software can read it.",
      );
    }
  }
}

function imageExtras(m: ImageMetadata, c: number): { voxelSizeUm?: [number, number, number]; bitDepth?: number; channel?: ImageMetadata["channels"][number] } {
  const extras: { voxelSizeUm?: [number, number, number]; bitDepth?: number; channel?: ImageMetadata["channels"][number] } = {};
  const v = voxelSizeFromMetadata(m);
  if (v) extras.voxelSizeUm = v;
  if (m.significantBits !== undefined && m.significantBits < m.bitsPerSample) extras.bitDepth = m.significantBits;
  const ch = m.channels[c];
  if (ch && Object.keys(ch).length > 0) extras.channel = ch;
  return extras;
}

/**
 * The voxel size [dz, dy, dx] in µm that `readStack` attaches, from the metadata's physical sizes.
 * @param m - Image metadata.
 * @returns [dz, dy, dx] in µm, or undefined when x or y is unknown, or z is unknown for a stack of more than one slice.
 * Notes: for a single plane (sizeZ = 1) without a z step, dz is set equal to dx so that 2D images with a
 * lateral calibration pass `requireVoxelSizeUm`; it has no physical meaning there.
 */
export function voxelSizeFromMetadata(m: ImageMetadata): [number, number, number] | undefined {
  const { x, y, z } = m.physicalSizeUm;
  if (x === undefined || y === undefined) return undefined;
  if (z !== undefined) return [z, y, x];
  return m.sizeZ === 1 ? [x, y, x] : undefined;
}

/**
 * Opens a TIFF, OME-TIFF or ImageJ TIFF for reading plane by plane.
 * @param path - File path.
 * @returns The open file with its metadata; call `close()` when done.
 * @throws InvalidArgumentError when the file does not exist or is not a file.
 * @throws CorruptFileError for a bad magic number, truncation, offsets past the end of the file or an IFD loop.
 * @throws UnsupportedFormatError for an unsupported compression (e.g. "JPEG (7)"), sample format or RGB pages.
 * @throws DimensionError when the page count contradicts the OME/ImageJ sizes, or the image has zero width/height.
 * Notes: reads only the header, the IFD chain, the first and last page's tags and the first page's description;
 * pixel data are read on request. The first and last page's data ranges are checked against the file size,
 * so most truncated files fail here rather than half-way through a stack.
 * @see https://www.openmicroscopy.org/Schemas/Documentation/Generated/OME-2016-06/ome.html (OME-TIFF)
 * @example
 * const f = await openImageFile("data/fixtures/ome_uint16_c2z5.ome.tif");
 * f.metadata.sizeC; // 2
 * const stack = await f.readStack(1); // channel 1, shape [5, 48, 64], voxelSizeUm [0.3, 0.1, 0.1]
 * await f.close();
 */
export async function openImageFile(path: string): Promise<ImageFile> {
  const tiff = TiffFile.open(path);
  try {
    const name = basename(path);
    const page0 = tiff.page(0);
    const pixelType = checkPageSupported(page0, name);
    const { metadata, contiguousFrom, pageCount } = resolveImageMetadata(tiff, page0, pixelType);
    const last = tiff.page(tiff.pageCount - 1);
    for (const p of [page0, last]) checkDataInFile(p, tiff.fileSizeBytes, name);
    if (contiguousFrom !== undefined) {
      const end = contiguousFrom + pageCount * metadata.sizeX * metadata.sizeY * bytesPerPixel(pixelType);
      if (end > tiff.fileSizeBytes) {
        throw new CorruptFileError(`${name}: ${pageCount} contiguous planes end at byte ${end}, past the end of the file (${tiff.fileSizeBytes} bytes).`, TRUNCATED_HINT);
      }
    }
    return new TiffImageFile(tiff, metadata, { contiguousFrom, pageCount });
  } catch (e) {
    tiff.close();
    throw e;
  }
}

function checkDataInFile(page: TiffPageInfo, size: number, name: string): void {
  const counts = page.dataByteCounts;
  for (let k = 0; k < page.dataOffsets.length; k++) {
    const end = page.dataOffsets[k] + (counts?.[k] ?? 0);
    if (end > size) {
      throw new CorruptFileError(
        `${name}: ${page.tiled ? "tile" : "strip"} ${k} of page ${page.index} (offset ${page.dataOffsets[k]}, ${counts?.[k] ?? 0} bytes) extends past the end of the file (${size} bytes).`,
        TRUNCATED_HINT,
      );
    }
  }
}

/** Options for `readImage`. */
export interface ReadImageOptions {
  /** Channel index, zero-based. @default 0 */
  readonly channel?: number;
  /** Time point index, zero-based. @default 0 */
  readonly timepoint?: number;
}

/**
 * Reads one channel's z-stack at one time point from a TIFF/OME-TIFF/ImageJ file.
 * @param path - File path.
 * @param options - Channel and time point (zero-based, default 0).
 * @returns The stack, shape [nz, ny, nx], with voxel size (µm), bit depth and channel info when the file has them.
 * @throws (see `openImageFile`) plus InvalidArgumentError for a channel or time point out of range.
 * @example const psfStack = await readImage("beads.ome.tif", { channel: 1 });
 */
export async function readImage(path: string, options: ReadImageOptions = {}): Promise<ImageView> {
  const o = { channel: 0, timepoint: 0, ...options };
  const file = await openImageFile(path);
  try {
    return await file.readStack(o.channel, o.timepoint);
  } finally {
    await file.close();
  }
}
