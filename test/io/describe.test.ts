import { describe, expect, test } from "vitest";
import { CorruptFileError } from "../../src/core/errors.js";
import { describeImageFile, formatFileDescription } from "../../src/io/index.js";
import { FIXTURES } from "./pattern.js";

describe("describeImageFile / formatFileDescription", () => {
  test("OME-TIFF: everything limiqc info shows", async () => {
    const d = await describeImageFile(`${FIXTURES}ome_uint16_c2z5.ome.tif`);
    expect(d).toMatchObject({
      format: "OME-TIFF",
      source: "ome",
      bigTiff: false,
      byteOrder: "little-endian",
      compression: "none (1)",
      tiled: false,
      pageCount: 10,
      sizes: { x: 64, y: 48, z: 5, c: 2, t: 1 },
      dimensionOrder: "XYZCT",
      pixelType: "uint16",
      significantBits: 12,
      voxelSizeUm: { x: 0.1, y: 0.1, z: 0.3 },
      readable: true,
    });
    expect(JSON.parse(JSON.stringify(d))).toEqual(d); // JSON-serialisable, nothing lost
    const text = formatFileDescription(d);
    expect(text).toContain("Format:      OME-TIFF, classic TIFF, little-endian");
    expect(text).toContain("Dimensions:  X 64 × Y 48 × Z 5 × C 2 × T 1 (order XYZCT, 10 pages)");
    expect(text).toContain("Pixel type:  uint16 (12 significant bits)");
    expect(text).toContain("Voxel size:  x 0.1 µm, y 0.1 µm, z 0.3 µm");
    expect(text).toContain("Channels:    0 DAPI (ex 405 nm, em 450 nm, #0000ff)");
    expect(text).toContain("             1 GFP (ex 488 nm, em 520 nm, #00ff00)");
    expect(text).toContain("Objective:   Plan-Apochromat 63x/1.4 Oil DIC, 63×, NA 1.4, Oil, n = 1.518");
    expect(text).toContain("Microscope:  Inverted, ACME Optics, Scope 9000");
  });

  test("compressed BigTIFF / big-endian / uncalibrated files", async () => {
    const lzw = await describeImageFile(`${FIXTURES}lzw_predictor_ome_uint16.ome.tif`);
    expect(formatFileDescription(lzw)).toContain("Compression: LZW (5), predictor 2, strips");
    const big = await describeImageFile(`${FIXTURES}bigtiff_ome_uint16.ome.tif`);
    expect(big.bigTiff).toBe(true);
    const be = await describeImageFile(`${FIXTURES}bigendian_uint16_z2.tif`);
    expect(be.byteOrder).toBe("big-endian");
    const bare = formatFileDescription(await describeImageFile(`${FIXTURES}uint8_z3.tif`));
    expect(bare).toContain("Voxel size:  unknown (not calibrated)");
    expect(bare).toContain("Objective:   not recorded");
    expect(bare).toMatch(/Notes: {7}- No OME-XML or ImageJ metadata/);
    expect(bare).toMatch(/\n {13}- XResolution is 72 pixels per inch/);
  });

  test("partly calibrated: x/y known, z unknown", async () => {
    const d = await describeImageFile(`${FIXTURES}imagej_hyperstack_t2z3c2.tif`);
    expect(formatFileDescription({ ...d, voxelSizeUm: { x: 0.2, y: 0.2 } })).toContain("Voxel size:  x 0.2 µm, y 0.2 µm, z unknown");
    expect(formatFileDescription(d)).toContain("Time step:   2 s");
  });

  test("a valid TIFF limiqc cannot decode is still described, with the reason", async () => {
    const d = await describeImageFile(`${FIXTURES}jpeg_uint8.tif`);
    expect(d.readable).toBe(false);
    expect(d.compression).toBe("JPEG (7)");
    expect(d.problem).toMatch(/JPEG \(7\), which limiqc does not decode/);
    expect(formatFileDescription(d)).toMatch(/Readable: {4}no: .*JPEG \(7\)/);
  });

  test("inconsistent OME sizes: described as OME-TIFF but not readable", async () => {
    const d = await describeImageFile(`${FIXTURES}ome_size_mismatch.ome.tif`);
    expect(d.format).toBe("OME-TIFF");
    expect(d.readable).toBe(false);
    expect(d.problem).toMatch(/14 planes, but the file has 10 pages/);
  });

  test("not a TIFF: the reader's error propagates", async () => {
    await expect(describeImageFile(`${FIXTURES}bad_magic.tif`)).rejects.toThrow(CorruptFileError);
  });
});
