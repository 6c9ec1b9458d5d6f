import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { DimensionError, InvalidArgumentError, UnsupportedFormatError } from "../../src/core/errors.js";
import { type ImageView, type PixelArray, makeImage } from "../../src/image/types.js";
import {
  type PixelType,
  TiffStreamWriter,
  needsBigTiff,
  openImageFile,
  rational,
  readImage,
  writeImageJTiff,
  writeOmeTiff,
  writeTiff,
} from "../../src/io/index.js";
import { HEIGHT, WIDTH, mismatches, patternPlane } from "./pattern.js";

const dir = mkdtempSync(join(tmpdir(), "limiqc-io-writer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const TYPES: readonly PixelType[] = ["uint8", "uint16", "uint32", "int8", "int16", "int32", "float32", "float64"];
const PLANE = WIDTH * HEIGHT;

function stack(type: PixelType, nz: number, c = 0, extra: Omit<ImageView, "data" | "shape"> = {}): ImageView {
  const planes = Array.from({ length: nz }, (_, z) => patternPlane(type, z, c));
  const data = patternPlane(type, 0, 0, 0, WIDTH, HEIGHT * nz);
  for (const [z, p] of planes.entries()) data.set(p as never, z * PLANE);
  return makeImage(data, [nz, HEIGHT, WIDTH], extra);
}

async function readAllPages(path: string): Promise<PixelArray[]> {
  const f = await openImageFile(path);
  try {
    const out: PixelArray[] = [];
    for (let i = 0; i < f.pageCount; i++) out.push(await f.readPage(i));
    return out;
  } finally {
    await f.close();
  }
}

describe("writeTiff round trips bit-exactly", () => {
  for (const type of TYPES) {
    for (const bigTiff of [false, true]) {
      test(`${type}, ${bigTiff ? "BigTIFF" : "classic"}`, async () => {
        const path = join(dir, `rt-${type}-${bigTiff}.tif`);
        const pages = [0, 1, 2].map((z) => patternPlane(type, z));
        const r = await writeTiff(path, pages, { width: WIDTH, height: HEIGHT, bigTiff });
        expect(r.bigTiff).toBe(bigTiff);
        expect(r.pageCount).toBe(3);
        const head = readFileSync(path).subarray(0, 4);
        expect(head.readUInt16LE(2)).toBe(bigTiff ? 43 : 42);
        const back = await readAllPages(path);
        expect(back.map((p) => p.constructor.name)).toEqual(pages.map((p) => p.constructor.name));
        for (const [z, p] of back.entries()) expect(mismatches(p, pages[z])).toBe(0);
      });
    }
  }

  test("odd-sized uint8 planes keep word alignment and read back", async () => {
    const path = join(dir, "odd.tif");
    const pages = [new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), new Uint8Array([9, 8, 7, 6, 5, 4, 3, 2, 1])];
    await writeTiff(path, pages, { width: 3, height: 3 });
    const back = await readAllPages(path);
    expect(Array.from(back[1])).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
  });

  test("async iterable of pages: unknown length → BigTIFF; with pageCount → classic", async () => {
    async function* gen(): AsyncGenerator<PixelArray> {
      for (let z = 0; z < 4; z++) yield patternPlane("uint16", z);
    }
    const a = await writeTiff(join(dir, "stream-a.tif"), gen(), { width: WIDTH, height: HEIGHT });
    expect(a.bigTiff).toBe(true);
    const b = await writeTiff(join(dir, "stream-b.tif"), gen(), { width: WIDTH, height: HEIGHT, pageCount: 4 });
    expect(b.bigTiff).toBe(false);
    const back = await readAllPages(join(dir, "stream-a.tif"));
    for (const [z, p] of back.entries()) expect(mismatches(p, patternPlane("uint16", z))).toBe(0);
  });

  test("description is stored as UTF-8 and read back unchanged", async () => {
    const path = join(dir, "desc.tif");
    await writeTiff(path, [patternPlane("uint8")], { width: WIDTH, height: HEIGHT, description: "Probe 2 µm – Å ✓" });
    const f = await openImageFile(path);
    await f.close();
    expect(f.metadata.description).toBe("Probe 2 µm – Å ✓");
  });

  test("plain-TIFF resolution is written in pixels per cm and not taken as a calibration", async () => {
    const path = join(dir, "res.tif");
    await writeTiff(path, [patternPlane("uint16")], { width: WIDTH, height: HEIGHT, resolutionPerUm: 10 });
    const f = await openImageFile(path);
    await f.close();
    expect(f.metadata.physicalSizeUm).toEqual({});
    expect(f.metadata.notes.join(" ")).toMatch(/100000 pixels per centimetre \(0\.1 µm per pixel\)/);
  });
});

describe("BigTIFF offsets above 4 GiB", () => {
  test("a plane stored past 4 GiB (sparse file) is read exactly", async () => {
    const small = join(dir, "small-big.tif");
    await writeTiff(small, [patternPlane("uint16", 2)], { width: WIDTH, height: HEIGHT, bigTiff: true });
    const bytes = readFileSync(small);
    const count = Number(bytes.readBigUInt64LE(16));
    const ifd = Buffer.from(bytes.subarray(16, 16 + 8 + count * 20 + 8));
    const far = 2 ** 32 + 8192; // IFD and data beyond the 32-bit range
    for (let i = 0; i < count; i++) {
      if (ifd.readUInt16LE(8 + i * 20) === 273) ifd.writeBigUInt64LE(BigInt(far + ifd.length), 8 + i * 20 + 12);
    }
    const header = Buffer.from(bytes.subarray(0, 16));
    header.writeBigUInt64LE(BigInt(far), 8);
    const path = join(dir, "sparse-big.tif");
    const fd = openSync(path, "w");
    try {
      writeSync(fd, header, 0, 16, 0);
      writeSync(fd, ifd, 0, ifd.length, far);
      const data = patternPlane("uint16", 2);
      writeSync(fd, new Uint8Array(data.buffer), 0, data.byteLength, far + ifd.length);
    } finally {
      closeSync(fd);
    }
    const f = await openImageFile(path);
    try {
      expect(mismatches(await f.readPage(0), patternPlane("uint16", 2))).toBe(0);
    } finally {
      await f.close();
      rmSync(path);
    }
  });
});

describe("BigTIFF decision", () => {
  test("4 GiB limit: 2048² uint16 × 128 fits classic, × 600 needs BigTIFF", () => {
    expect(needsBigTiff(2048 * 2048 * 2, 128)).toBe(false);
    expect(needsBigTiff(2048 * 2048 * 2, 600)).toBe(true);
    expect(needsBigTiff(2 ** 31, 1, 0)).toBe(false);
    expect(needsBigTiff(2 ** 32, 1, 0)).toBe(true);
  });

  test("rational() approximates resolutions to double precision with 32-bit terms", () => {
    for (const v of [1 / 0.065, 1 / 0.1, 15.5, 72, 1 / 3, 123456.789]) {
      const [p, q] = rational(v);
      expect(p).toBeLessThanOrEqual(4294967295);
      expect(q).toBeLessThanOrEqual(4294967295);
      expect(Math.abs(p / q - v) / v).toBeLessThan(1e-15);
    }
    expect(rational(10)).toEqual([10, 1]);
    expect(() => rational(0)).toThrow(InvalidArgumentError);
  });
});

describe("safety", () => {
  test("never overwrites an existing file unless asked", async () => {
    const path = join(dir, "exists.tif");
    writeFileSync(path, "precious");
    await expect(writeTiff(path, [patternPlane("uint8")], { width: WIDTH, height: HEIGHT })).rejects.toThrow(InvalidArgumentError);
    await expect(writeOmeTiff(path, stack("uint16", 2))).rejects.toThrow(/exists\.tif already exists; limiqc does not overwrite/);
    expect(readFileSync(path, "utf8")).toBe("precious");
    await writeTiff(path, [patternPlane("uint8")], { width: WIDTH, height: HEIGHT, overwrite: true });
    expect(mismatches((await readAllPages(path))[0], patternPlane("uint8"))).toBe(0);
  });

  test("a crash half-way leaves no file under the final name and no temporary file", async () => {
    const path = join(dir, "crash.tif");
    async function* failing(): AsyncGenerator<PixelArray> {
      yield patternPlane("uint16", 0);
      yield patternPlane("uint16", 1);
      throw new Error("acquisition aborted");
    }
    await expect(writeTiff(path, failing(), { width: WIDTH, height: HEIGHT })).rejects.toThrow("acquisition aborted");
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.includes("crash"))).toEqual([]);
  });

  test("wrong plane size and mixed pixel types are refused, leaving nothing behind", async () => {
    const path = join(dir, "bad.tif");
    await expect(writeTiff(path, [new Uint16Array(10)], { width: WIDTH, height: HEIGHT })).rejects.toThrow(DimensionError);
    await expect(writeTiff(path, [patternPlane("uint16"), patternPlane("int16")], { width: WIDTH, height: HEIGHT })).rejects.toThrow(
      /Page 1 is int16, but the file is uint16/,
    );
    await expect(writeTiff(path, [], { width: WIDTH, height: HEIGHT })).rejects.toThrow(/No pages were written/);
    expect(readdirSync(dir).filter((n) => n.includes("bad.tif"))).toEqual([]);
  });

  test("missing folder and invalid size give clear errors", async () => {
    await expect(writeTiff(join(dir, "nope", "x.tif"), [patternPlane("uint8")], { width: WIDTH, height: HEIGHT })).rejects.toThrow(/folder .*nope does not exist/);
    expect(() => TiffStreamWriter.create(join(dir, "z.tif"), { width: 0, height: 5 })).toThrow(/width is 0/);
  });
});

describe("OME-TIFF writer", () => {
  test("two channels: pixels, voxel size, names, wavelengths, colours, objective round-trip", async () => {
    const path = join(dir, "two.ome.tif");
    const voxelSizeUm = [0.3, 0.065, 0.065] as const;
    const a = stack("uint16", 4, 0, { voxelSizeUm, bitDepth: 12, channel: { name: "GFP", excitationWavelengthNm: 488, emissionWavelengthNm: 525, color: "#00ff00" } });
    const b = stack("uint16", 4, 1, { voxelSizeUm, channel: { name: "mCherry µ", excitationWavelengthNm: 561, emissionWavelengthNm: 610 } });
    await writeOmeTiff(
      path,
      { channels: [a, b] },
      {
        objective: { model: "60x/1.42 Oil", nominalMagnification: 60, lensNA: 1.42, immersion: "oil", refractiveIndex: 1.515 },
        microscope: { type: "inverted", model: "Test & <Scope>" },
        imageName: "beads – day 1",
        acquisitionDate: "2025-01-02T03:04:05",
      },
    );
    const f = await openImageFile(path);
    const m = f.metadata;
    expect(m.source).toBe("ome");
    expect([m.sizeZ, m.sizeC, m.sizeT, m.dimensionOrder]).toEqual([4, 2, 1, "XYZCT"]);
    expect(m.physicalSizeUm).toEqual({ x: 0.065, y: 0.065, z: 0.3 });
    expect(m.significantBits).toBe(12);
    expect(m.channels).toEqual([
      { name: "GFP", excitationWavelengthNm: 488, emissionWavelengthNm: 525, color: "#00ff00" },
      { name: "mCherry µ", excitationWavelengthNm: 561, emissionWavelengthNm: 610 },
    ]);
    expect(m.objective).toEqual({ model: "60x/1.42 Oil", nominalMagnification: 60, lensNA: 1.42, immersion: "Oil", refractiveIndex: 1.515 });
    expect(m.microscope).toEqual({ type: "Inverted", model: "Test & <Scope>" });
    expect(m.imageName).toBe("beads – day 1");
    expect(m.acquisitionDate).toBe("2025-01-02T03:04:05");
    expect(m.notes).toEqual([]);
    const chans = await f.readChannels();
    await f.close();
    expect(mismatches(chans.channels[0].data, a.data)).toBe(0);
    expect(mismatches(chans.channels[1].data, b.data)).toBe(0);
    expect(chans.channels[1].voxelSizeUm).toEqual([0.3, 0.065, 0.065]);
  });

  test("every pixel type round-trips through OME-TIFF", async () => {
    for (const type of TYPES) {
      const path = join(dir, `ome-${type}.ome.tif`);
      const img = stack(type, 2, 0, { voxelSizeUm: [1, 0.5, 0.5] });
      await writeOmeTiff(path, img);
      const back = await readImage(path);
      expect(back.data.constructor).toBe(img.data.constructor);
      expect(mismatches(back.data, img.data)).toBe(0);
      expect(back.voxelSizeUm).toEqual([1, 0.5, 0.5]);
    }
  });

  test("BigTIFF on request, and a single plane without z step", async () => {
    const path = join(dir, "big.ome.tif");
    const img = stack("float32", 1, 0, { voxelSizeUm: [0.1, 0.2, 0.2] });
    const r = await writeOmeTiff(path, img, { bigTiff: true });
    expect(r.bigTiff).toBe(true);
    const f = await openImageFile(path);
    await f.close();
    expect(f.metadata.physicalSizeUm).toEqual({ x: 0.2, y: 0.2 }); // PhysicalSizeZ not written for one plane
    const back = await readImage(path);
    expect(back.voxelSizeUm).toEqual([0.2, 0.2, 0.2]); // dz placeholder = dx for a single plane
    expect(mismatches(back.data, img.data)).toBe(0);
  });

  test("channels of different shapes are refused", async () => {
    await expect(writeOmeTiff(join(dir, "x.ome.tif"), { channels: [stack("uint16", 2), stack("uint16", 3)] })).rejects.toThrow(DimensionError);
  });
});

describe("ImageJ writer", () => {
  test("hyperstack: XYCZT page order, calibration, spacing", async () => {
    const path = join(dir, "ij.tif");
    const voxelSizeUm = [0.3, 0.065, 0.065] as const;
    const a = stack("uint16", 3, 0, { voxelSizeUm });
    const b = stack("uint16", 3, 1, { voxelSizeUm });
    await writeImageJTiff(path, { channels: [a, b] });
    const f = await openImageFile(path);
    const m = f.metadata;
    expect(m.source).toBe("imagej");
    expect(m.description).toMatch(/^ImageJ=1\.11a\nimages=6\nchannels=2\nslices=3\nhyperstack=true\nmode=composite\nunit=micron\nspacing=0\.3\n/);
    expect([m.sizeZ, m.sizeC, m.sizeT, m.dimensionOrder]).toEqual([3, 2, 1, "XYCZT"]);
    expect(Math.abs(m.physicalSizeUm.x! - 0.065) / 0.065).toBeLessThan(1e-12);
    expect(Math.abs(m.physicalSizeUm.y! - 0.065) / 0.065).toBeLessThan(1e-12);
    expect(m.physicalSizeUm.z).toBe(0.3);
    // page 1 is channel 1, z 0 (channel fastest)
    expect(mismatches(await f.readPage(1), patternPlane("uint16", 0, 1))).toBe(0);
    const chans = await f.readChannels();
    await f.close();
    expect(mismatches(chans.channels[0].data, a.data)).toBe(0);
    expect(mismatches(chans.channels[1].data, b.data)).toBe(0);
  });

  test("uint8 and float32 round-trip; int16 is refused", async () => {
    for (const type of ["uint8", "float32"] as const) {
      const path = join(dir, `ij-${type}.tif`);
      const img = stack(type, 2);
      await writeImageJTiff(path, img);
      const back = await readImage(path);
      expect(mismatches(back.data, img.data)).toBe(0);
      expect(back.voxelSizeUm).toBeUndefined();
    }
    await expect(writeImageJTiff(join(dir, "ij-int16.tif"), stack("int16", 2))).rejects.toThrow(UnsupportedFormatError);
  });
});
