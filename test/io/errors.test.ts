import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { CorruptFileError, DimensionError, InvalidArgumentError, type LimiqcError, UnsupportedFormatError } from "../../src/core/errors.js";
import { openImageFile, readImage, writeTiff } from "../../src/io/index.js";
import { FIXTURES, HEIGHT, WIDTH, patternPlane } from "./pattern.js";

const dir = mkdtempSync(join(tmpdir(), "limiqc-io-errors-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Opens (and reads the first page of) a file and returns the error it throws. */
async function failure(path: string): Promise<LimiqcError> {
  try {
    const f = await openImageFile(path);
    try {
      await f.readPage(0);
    } finally {
      await f.close();
    }
  } catch (e) {
    return e as LimiqcError;
  }
  throw new Error(`${path} opened without error`);
}

describe("typed, actionable errors", () => {
  test("file not found", async () => {
    const e = await failure(join(dir, "missing.tif"));
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.message).toMatch(/^File not found: .*missing\.tif/);
  });

  test("a directory instead of a file", async () => {
    const e = await failure(dir);
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.message).toMatch(/directory/);
  });

  test("bad magic: says what the first bytes were and what they look like", async () => {
    const e = await failure(`${FIXTURES}bad_magic.tif`);
    expect(e).toBeInstanceOf(CorruptFileError);
    expect(e.message).toMatch(/not a TIFF file: it starts with bytes 89 50 4e 47 0d 0a 1a 0a/);
    expect(e.hint).toMatch(/PNG/);
  });

  test("empty file", async () => {
    const p = join(dir, "empty.tif");
    writeFileSync(p, "");
    const e = await failure(p);
    expect(e).toBeInstanceOf(CorruptFileError);
    expect(e.message).toMatch(/empty \(0 bytes\)/);
  });

  test("wrong TIFF version number", async () => {
    const p = join(dir, "version.tif");
    writeFileSync(p, Buffer.from([0x49, 0x49, 0x2b, 0x01, 8, 0, 0, 0, 0, 0]));
    const e = await failure(p);
    expect(e).toBeInstanceOf(CorruptFileError);
    expect(e.message).toMatch(/version 299; expected 42 \(TIFF\) or 43 \(BigTIFF\)/);
  });

  test("truncated file: IFD past the end", async () => {
    const e = await failure(`${FIXTURES}truncated.ome.tif`);
    expect(e).toBeInstanceOf(CorruptFileError);
    expect(e.message).toMatch(/IFD 1 is at offset \d+, past the end of the file \(38826 bytes\); the file is truncated/);
  });

  test("strip past the end of the file is caught at open", async () => {
    const e = await failure(`${FIXTURES}strip_past_end.tif`);
    expect(e).toBeInstanceOf(CorruptFileError);
    expect(e.message).toMatch(/strip 0 of page 2 .* extends past the end of the file/);
  });

  test("IFD loop", async () => {
    const e = await failure(`${FIXTURES}ifd_loop.tif`);
    expect(e).toBeInstanceOf(CorruptFileError);
    expect(e.message).toMatch(/IFD chain loops back to offset 8 after 2 pages/);
  });

  test("unsupported compression: JPEG (7) named, supported list given, lossy hint", async () => {
    const e = await failure(`${FIXTURES}jpeg_uint8.tif`);
    expect(e).toBeInstanceOf(UnsupportedFormatError);
    expect(e.message).toMatch(/compressed with JPEG \(7\).*Supported: none \(1\), LZW \(5\), Adobe deflate \(8\), deflate \(32946\), PackBits \(32773\), zstd \(50000\)/);
    expect(e.hint).toMatch(/Lossy/);
  });

  test("unsupported compression: JPEG 2000 (34712)", async () => {
    const e = await failure(`${FIXTURES}forged_jpeg2000.tif`);
    expect(e).toBeInstanceOf(UnsupportedFormatError);
    expect(e.message).toMatch(/JPEG 2000 \(34712\)/);
  });

  test("unsupported sample formats: complex, 1-bit, 24-bit, RGB", async () => {
    const cases: [string, RegExp][] = [
      ["complex64.tif", /complex floating-point samples \(SampleFormat 6, 64 bits\)/],
      ["bilevel_1bit.tif", /1-bit \(bilevel/],
      ["bits24.tif", /24-bit unsigned integer samples/],
      ["rgb_uint8.tif", /3 samples per pixel \(RGB\)/],
    ];
    for (const [file, re] of cases) {
      const e = await failure(FIXTURES + file);
      expect(e, file).toBeInstanceOf(UnsupportedFormatError);
      expect(e.message).toMatch(re);
    }
  });

  test("zero width", async () => {
    const e = await failure(`${FIXTURES}zero_width.tif`);
    expect(e).toBeInstanceOf(DimensionError);
    expect(e.message).toMatch(/page 0 is 0 × 48 pixels/);
  });

  test("OME sizes whose product does not match the page count", async () => {
    const e = await failure(`${FIXTURES}ome_size_mismatch.ome.tif`);
    expect(e).toBeInstanceOf(DimensionError);
    expect(e.message).toMatch(/SizeZ × SizeC × SizeT = 7 × 2 × 1 = 14 planes, but the file has 10 pages/);
  });

  test("ImageJ images= that does not match the page count", async () => {
    const e = await failure(`${FIXTURES}imagej_images_mismatch.tif`);
    expect(e).toBeInstanceOf(DimensionError);
    expect(e.message).toMatch(/images=12, but the file has 10 pages/);
  });

  test("ImageJ images= that contradicts channels × slices × frames", async () => {
    const p = join(dir, "ij-inconsistent.tif");
    const pages = [0, 1, 2, 3].map((z) => patternPlane("uint16", z));
    await writeTiff(p, pages, { width: WIDTH, height: HEIGHT, description: "ImageJ=1.54f\nimages=4\nchannels=2\nslices=3\n" });
    const e = await failure(p);
    expect(e).toBeInstanceOf(DimensionError);
    expect(e.message).toMatch(/images=4, but channels × slices × frames = 2 × 3 × 1 = 6/);
  });

  test("decoder errors from geotiff are wrapped in CorruptFileError", async () => {
    const e = await failure(`${FIXTURES}corrupt_deflate.tif`);
    expect(e).toBeInstanceOf(CorruptFileError);
    expect(e.message).toMatch(/could not decode page 0 \(Adobe deflate \(8\)\): \S+/);
    expect(e.message).not.toMatch(/node_modules|\n {4}at /);
  });

  test("multi-file OME-TIFF (planes in another file) is refused by name", async () => {
    const xml = `<?xml version="1.0"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06"><Image ID="Image:0"><Pixels ID="Pixels:0" DimensionOrder="XYZCT" Type="uint16" SizeX="${WIDTH}" SizeY="${HEIGHT}" SizeZ="2" SizeC="1" SizeT="1"><Channel ID="Channel:0:0"/><TiffData IFD="0" FirstZ="0" PlaneCount="1"><UUID FileName="multi.ome.tif">urn:uuid:1</UUID></TiffData><TiffData IFD="0" FirstZ="1" PlaneCount="1"><UUID FileName="other.ome.tif">urn:uuid:2</UUID></TiffData></Pixels></Image><Image ID="Image:1"><Pixels ID="Pixels:1" DimensionOrder="XYZCT" Type="uint16" SizeX="1" SizeY="1" SizeZ="1" SizeC="1" SizeT="1"/></Image></OME>`;
    const p = join(dir, "multi.ome.tif");
    await writeTiff(p, [patternPlane("uint16")], { width: WIDTH, height: HEIGHT, description: xml });
    const e = await failure(p);
    expect(e).toBeInstanceOf(UnsupportedFormatError);
    expect(e.message).toMatch(/multi-file OME-TIFF dataset: 1 of 2 planes are stored in other files/);
  });

  test("plane, channel and time point out of range", async () => {
    const f = await openImageFile(`${FIXTURES}ome_uint16_c2z5.ome.tif`);
    try {
      await expect(f.readPlane(2, 0)).rejects.toThrow(InvalidArgumentError);
      await expect(f.readPlane(0, 5)).rejects.toThrow(/slice \(z\) 5, but the image has 5/);
      await expect(f.readStack(0, 1)).rejects.toThrow(/time point 1, but the image has 1/);
      await expect(f.readPage(10)).rejects.toThrow(/Page 10 requested, but ome_uint16_c2z5.ome.tif has 10 pages/);
    } finally {
      await f.close();
    }
    await expect(f.readPage(0)).rejects.toThrow(/already closed/);
    await expect(readImage(`${FIXTURES}ome_uint16_c2z5.ome.tif`, { channel: 3 })).rejects.toThrow(/channel 3, but the image has 2/);
  });

  test("a page whose size differs from page 0 is refused when read", async () => {
    const p = join(dir, "mixed.tif");
    await writeTiff(p, [patternPlane("uint16", 0), patternPlane("uint16", 1)], { width: WIDTH, height: HEIGHT });
    // Patch ImageWidth (tag 256, first entry after NewSubfileType) of the second IFD to 32.
    const bytes = readFileSync(p);
    const ifd0 = bytes.readUInt32LE(4);
    const ifd1 = bytes.readUInt32LE(ifd0 + 2 + bytes.readUInt16LE(ifd0) * 12);
    const entry = ifd1 + 2 + 12; // entries are sorted: 254, then 256
    expect(bytes.readUInt16LE(entry)).toBe(256);
    bytes.writeUInt32LE(32, entry + 8);
    writeFileSync(p, bytes);
    const f = await openImageFile(p);
    try {
      await expect(f.readPage(1)).rejects.toThrow(DimensionError);
      await expect(f.readPage(1)).rejects.toThrow(/page 1 is 32 × 48 pixels, but page 0 is 64 × 48/);
    } finally {
      await f.close();
    }
  });

  test("no temporary files are left behind by failed writes in this folder", () => {
    expect(readdirSync(dir).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });
});
