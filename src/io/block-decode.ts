/**
 * Strip/tile decoding for big-endian pages that use a TIFF predictor.
 *
 * geotiff 3.0.5 undoes predictors in the host byte order, which silently corrupts big-endian
 * files with 16/32-bit horizontal differencing (predictor 2) or the floating-point predictor (3)
 * (geotiffjs/geotiff.js PR #543 / #550). For those pages limiqc uses geotiff's decompressors only
 * and undoes the predictor itself, in the file's byte order, as libtiff does.
 */
import { getDecoder } from "geotiff";
import { CorruptFileError, UnsupportedFormatError } from "../core/errors.js";
import type { PixelArray } from "../image/types.js";
import type { TiffFile, TiffPageInfo } from "./tiff-reader.js";

const PREDICTOR_NONE = 1;
const PREDICTOR_HORIZONTAL = 2;
const PREDICTOR_FLOAT = 3;

/**
 * Decodes every strip or tile of a one-sample page into `dest` (host byte order), undoing the predictor
 * in the file's byte order.
 * @param tiff - The open file.
 * @param page - Page facts (compression, predictor, strips or tiles).
 * @param dest - width·height pixels of the page's type.
 * @throws CorruptFileError when a block decodes to fewer bytes than its rows need.
 * @throws UnsupportedFormatError for the horizontal predictor on 64-bit samples.
 * Notes: allocation is one decoded block at a time; rows are copied into `dest` with tiles clipped at the image edge.
 * @see Adobe Photoshop TIFF Technical Note 3 (floating-point predictor); TIFF 6.0 section 14 (predictor 2).
 */
export async function decodeBlocksInto(tiff: TiffFile, page: TiffPageInfo, dest: PixelArray): Promise<void> {
  const bytesPerSample = page.bitsPerSample / 8;
  const width = page.width;
  const height = page.height;
  const blockW = page.tiled ? (page.tileWidth ?? width) : width;
  const blockH = page.tiled ? (page.tileLength ?? height) : Math.min(page.rowsPerStrip ?? height, height);
  if (page.predictor === PREDICTOR_HORIZONTAL && bytesPerSample === 8) {
    throw new UnsupportedFormatError(
      `${tiff.path}: page ${page.index} uses horizontal differencing (predictor 2) on 64-bit samples, which limiqc does not undo.`,
      "Re-save the file without a predictor or as little-endian TIFF.",
    );
  }
  const decoder = await getDecoder(page.compression, {
    tileWidth: blockW,
    tileHeight: blockH,
    predictor: PREDICTOR_NONE,
    bitsPerSample: page.bitsPerSample,
    planarConfiguration: 1,
  });
  const out = new Uint8Array(dest.buffer, dest.byteOffset, dest.byteLength);
  const blockRowBytes = blockW * bytesPerSample;
  const across = Math.ceil(width / blockW);
  const counts = page.dataByteCounts;
  if (!counts) throw new CorruptFileError(`${tiff.path}: compressed page ${page.index} has no strip/tile byte counts.`);
  for (let k = 0; k < page.dataOffsets.length; k++) {
    const bx = (k % across) * blockW;
    const by = Math.floor(k / across) * blockH;
    if (by >= height) break;
    const rows = page.tiled ? blockH : Math.min(blockH, height - by);
    const raw = tiff.readBytes(page.dataOffsets[k], counts[k]);
    const compressed = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length);
    // Copy into a fresh, aligned buffer that we own (decoders may return views of shared memory).
    const decoded = new Uint8Array(await decoder.decode(compressed)).slice();
    if (decoded.length < rows * blockRowBytes) {
      throw new CorruptFileError(
        `${tiff.path}: ${page.tiled ? "tile" : "strip"} ${k} of page ${page.index} decodes to ${decoded.length} bytes; ${rows} rows need ${rows * blockRowBytes}.`,
        "The compressed data is damaged; re-export the file.",
      );
    }
    const block = decoded.subarray(0, rows * blockRowBytes);
    toHostOrder(block, rows, blockW, bytesPerSample, page.predictor);
    const cols = Math.min(blockW, width - bx);
    for (let r = 0; r < rows && by + r < height; r++) {
      const src = r * blockRowBytes;
      out.set(block.subarray(src, src + cols * bytesPerSample), ((by + r) * width + bx) * bytesPerSample);
    }
  }
}

/** Undoes the predictor of a big-endian block and leaves the samples in host (little-endian) order. */
function toHostOrder(block: Uint8Array, rows: number, width: number, bytesPerSample: number, predictor: number): void {
  const rowBytes = width * bytesPerSample;
  if (predictor === PREDICTOR_FLOAT) {
    // Byte-wise accumulation, then byte planes (most significant first) → little-endian samples.
    const tmp = new Uint8Array(rowBytes);
    for (let r = 0; r < rows; r++) {
      const row = block.subarray(r * rowBytes, (r + 1) * rowBytes);
      for (let i = 1; i < rowBytes; i++) row[i] = (row[i] + row[i - 1]) & 0xff;
      tmp.set(row);
      for (let i = 0; i < width; i++) {
        for (let b = 0; b < bytesPerSample; b++) row[i * bytesPerSample + b] = tmp[(bytesPerSample - 1 - b) * width + i];
      }
    }
    return;
  }
  if (bytesPerSample > 1) {
    const b = Buffer.from(block.buffer, block.byteOffset, block.byteLength);
    if (bytesPerSample === 2) b.swap16();
    else if (bytesPerSample === 4) b.swap32();
    else b.swap64();
  }
  if (predictor !== PREDICTOR_HORIZONTAL) return;
  const n = rows * width;
  const words =
    bytesPerSample === 1
      ? block
      : bytesPerSample === 2
        ? new Uint16Array(block.buffer, block.byteOffset, n)
        : new Uint32Array(block.buffer, block.byteOffset, n);
  for (let r = 0; r < rows; r++) {
    const start = r * width;
    for (let i = start + 1; i < start + width; i++) words[i] += words[i - 1];
  }
}
