import { describe, expect, test } from "vitest";
import { type PixelType, openImageFile, readImage } from "../../src/io/index.js";
import { FIXTURES, HEIGHT, WIDTH, mismatches, patternPlane } from "./pattern.js";

interface Case {
  readonly file: string;
  readonly type: PixelType;
  readonly z: number;
  readonly c?: number;
  readonly t?: number;
  readonly ctor: string;
}

const OME_C2Z5 = { type: "uint16", z: 5, c: 2, ctor: "Uint16Array" } as const;
const CASES: readonly Case[] = [
  { file: "ome_uint16_c2z5.ome.tif", ...OME_C2Z5 },
  { file: "lzw_ome_uint16.ome.tif", ...OME_C2Z5 },
  { file: "lzw_predictor_ome_uint16.ome.tif", ...OME_C2Z5 },
  { file: "zstd_ome_uint16.ome.tif", ...OME_C2Z5 },
  { file: "deflate_predictor_ome_uint16.ome.tif", ...OME_C2Z5 },
  { file: "packbits_ome_uint16.ome.tif", ...OME_C2Z5 },
  { file: "tiled_ome_uint16.ome.tif", ...OME_C2Z5 },
  { file: "lzw_bigendian_ome_uint16.ome.tif", ...OME_C2Z5 },
  { file: "bigtiff_zstd_ome_uint16.ome.tif", ...OME_C2Z5 },
  { file: "deflate_fpredictor_float32_z3.tif", type: "float32", z: 3, ctor: "Float32Array" },
  { file: "deflate_fpredictor_bigendian_float32_z3.tif", type: "float32", z: 3, ctor: "Float32Array" },
  { file: "tiled_deflate_predictor_bigendian_int16_z3.tif", type: "int16", z: 3, ctor: "Int16Array" },
  { file: "ome_prefixed_xyczt_t2.ome.tif", type: "uint16", z: 3, c: 2, t: 2, ctor: "Uint16Array" },
  { file: "ome_tifffile_nm.ome.tif", type: "uint16", z: 4, ctor: "Uint16Array" },
  { file: "bigtiff_ome_uint16.ome.tif", type: "uint16", z: 3, ctor: "Uint16Array" },
  { file: "imagej_hyperstack_t2z3c2.tif", type: "uint16", z: 3, c: 2, t: 2, ctor: "Uint16Array" },
  { file: "imagej_float32_escaped_unit.tif", type: "float32", z: 4, ctor: "Float32Array" },
  { file: "imagej_single_ifd_contiguous.tif", type: "uint16", z: 3, ctor: "Uint16Array" },
  { file: "uint8_z3.tif", type: "uint8", z: 3, ctor: "Uint8Array" },
  { file: "int8_z3.tif", type: "int8", z: 3, ctor: "Int8Array" },
  { file: "int16_z3.tif", type: "int16", z: 3, ctor: "Int16Array" },
  { file: "uint32_z3.tif", type: "uint32", z: 3, ctor: "Uint32Array" },
  { file: "int32_z3.tif", type: "int32", z: 3, ctor: "Int32Array" },
  { file: "float32_z3.tif", type: "float32", z: 3, ctor: "Float32Array" },
  { file: "float64_z3.tif", type: "float64", z: 3, ctor: "Float64Array" },
  { file: "bigendian_uint16_z2.tif", type: "uint16", z: 2, ctor: "Uint16Array" },
  { file: "bigendian_int32_z2.tif", type: "int32", z: 2, ctor: "Int32Array" },
  { file: "bigendian_float64_z2.tif", type: "float64", z: 2, ctor: "Float64Array" },
  { file: "deflate_uint16_z3.tif", type: "uint16", z: 3, ctor: "Uint16Array" },
];

describe("every readable fixture: exact pixels (all planes, formula of make-fixtures.py)", () => {
  for (const k of CASES) {
    test(k.file, async () => {
      const C = k.c ?? 1;
      const T = k.t ?? 1;
      const f = await openImageFile(FIXTURES + k.file);
      try {
        const m = f.metadata;
        expect([m.sizeX, m.sizeY, m.sizeZ, m.sizeC, m.sizeT]).toEqual([WIDTH, HEIGHT, k.z, C, T]);
        expect(m.pixelType).toBe(k.type);
        expect(f.pageCount).toBe(k.z * C * T);
        for (let t = 0; t < T; t++) {
          for (let c = 0; c < C; c++) {
            for (let z = 0; z < k.z; z++) {
              const plane = await f.readPlane(c, z, t);
              expect(plane.constructor.name).toBe(k.ctor);
              expect(mismatches(plane, patternPlane(k.type, z, c, t))).toBe(0);
            }
            const stack = await f.readStack(c, t);
            expect(stack.shape).toEqual([k.z, HEIGHT, WIDTH]);
            const plane = WIDTH * HEIGHT;
            for (let z = 0; z < k.z; z++) {
              expect(mismatches(stack.data.subarray(z * plane, (z + 1) * plane), patternPlane(k.type, z, c, t))).toBe(0);
            }
          }
        }
        // planes() streams every plane once, in file order, with the right coordinates
        const seen: number[] = [];
        for await (const p of f.planes()) {
          seen.push(p.page);
          expect(mismatches(p.data, patternPlane(k.type, p.z, p.c, p.t))).toBe(0);
        }
        expect(seen).toEqual(Array.from({ length: k.z * C * T }, (_, i) => i));
        // reuseBuffer: one array, overwritten plane by plane, same values
        let shared: unknown;
        for await (const p of f.planes({ reuseBuffer: true })) {
          shared ??= p.data;
          expect(p.data).toBe(shared);
          expect(mismatches(p.data, patternPlane(k.type, p.z, p.c, p.t))).toBe(0);
        }
      } finally {
        await f.close();
      }
    });
  }
});

describe("fixture metadata matches what make-fixtures.py wrote", () => {
  test("hand-written OME-XML: sizes, order, calibration, channels, objective, instrument, UTF-8 name", async () => {
    const f = await openImageFile(`${FIXTURES}ome_uint16_c2z5.ome.tif`);
    await f.close();
    const m = f.metadata;
    expect(m.source).toBe("ome");
    expect(m.dimensionOrder).toBe("XYZCT");
    expect(m.significantBits).toBe(12);
    expect(m.physicalSizeUm).toEqual({ x: 0.1, y: 0.1, z: 0.3 });
    expect(m.channels).toEqual([
      { name: "DAPI", excitationWavelengthNm: 405, emissionWavelengthNm: 450, color: "#0000ff" },
      { name: "GFP", excitationWavelengthNm: 488, emissionWavelengthNm: 520, color: "#00ff00" },
    ]);
    expect(m.objective).toEqual({
      model: "Plan-Apochromat 63x/1.4 Oil DIC",
      nominalMagnification: 63,
      lensNA: 1.4,
      immersion: "Oil",
      refractiveIndex: 1.518,
      workingDistanceUm: 190,
    });
    expect(m.microscope).toEqual({ type: "Inverted", manufacturer: "ACME Optics", model: "Scope 9000" });
    expect(m.acquisitionDate).toBe("2024-05-17T10:30:00");
    expect(m.imageName).toBe("Beads – 63×/1.4 µm test"); // decoded as UTF-8, not Latin-1
    expect(m.notes).toEqual([]);
    expect(m.description).toContain("<OME");
  });

  test("compressed copies made by tiffcp keep the OME metadata", async () => {
    for (const file of ["lzw_ome_uint16.ome.tif", "zstd_ome_uint16.ome.tif", "tiled_ome_uint16.ome.tif"]) {
      const f = await openImageFile(FIXTURES + file);
      await f.close();
      expect(f.metadata.physicalSizeUm).toEqual({ x: 0.1, y: 0.1, z: 0.3 });
      expect(f.metadata.objective?.lensNA).toBe(1.4);
    }
  });

  test("readStack attaches voxel size [dz, dy, dx], bit depth and channel info", async () => {
    const s = await readImage(`${FIXTURES}ome_uint16_c2z5.ome.tif`, { channel: 1 });
    expect(s.voxelSizeUm).toEqual([0.3, 0.1, 0.1]);
    expect(s.bitDepth).toBe(12);
    expect(s.channel?.name).toBe("GFP");
    expect(s.channel?.emissionWavelengthNm).toBe(520);
    const f = await openImageFile(`${FIXTURES}ome_uint16_c2z5.ome.tif`);
    const all = await f.readChannels();
    await f.close();
    expect(all.channels.map((c) => c.channel?.name)).toEqual(["DAPI", "GFP"]);
  });

  test("ome: prefix, XYCZT order, mm / Å / default-µm units, ms time increment, µm wavelength", async () => {
    const f = await openImageFile(`${FIXTURES}ome_prefixed_xyczt_t2.ome.tif`);
    await f.close();
    const m = f.metadata;
    expect(m.dimensionOrder).toBe("XYCZT");
    expect(m.physicalSizeUm.x).toBeCloseTo(0.11, 12);
    expect(m.physicalSizeUm.y).toBeCloseTo(0.11, 12);
    expect(m.physicalSizeUm.z).toBe(0.5);
    expect(m.timeIncrementS).toBeCloseTo(1.5, 12);
    expect(m.channels).toEqual([{ name: "mCherry", excitationWavelengthNm: 561, emissionWavelengthNm: 610 }, {}]);
  });

  test("tifffile's own OME writer, sizes in nm", async () => {
    const f = await openImageFile(`${FIXTURES}ome_tifffile_nm.ome.tif`);
    await f.close();
    expect(f.metadata.physicalSizeUm.x).toBeCloseTo(0.065, 12);
    expect(f.metadata.physicalSizeUm.z).toBeCloseTo(0.2, 12);
    expect(f.metadata.channels).toEqual([{ name: "mCherry" }]);
  });

  test("BigTIFF OME", async () => {
    const f = await openImageFile(`${FIXTURES}bigtiff_ome_uint16.ome.tif`);
    await f.close();
    expect(f.metadata.physicalSizeUm).toEqual({ x: 0.15, y: 0.15, z: 0.4 });
  });

  test("ImageJ hyperstack: channels/slices/frames, unit=micron, spacing, finterval, resolution", async () => {
    const f = await openImageFile(`${FIXTURES}imagej_hyperstack_t2z3c2.tif`);
    await f.close();
    const m = f.metadata;
    expect(m.source).toBe("imagej");
    expect(m.dimensionOrder).toBe("XYCZT");
    expect(m.physicalSizeUm).toEqual({ x: 0.2, y: 0.2, z: 0.5 });
    expect(m.timeIncrementS).toBe(2);
  });

  test("ImageJ unit written as the \\u00B5m escape", async () => {
    const f = await openImageFile(`${FIXTURES}imagej_float32_escaped_unit.tif`);
    await f.close();
    expect(f.metadata.physicalSizeUm).toEqual({ x: 0.25, y: 0.25, z: 1 });
  });

  test("ImageJ single-IFD contiguous layout (as ImageJ writes files > 4 GiB)", async () => {
    const f = await openImageFile(`${FIXTURES}imagej_single_ifd_contiguous.tif`);
    await f.close();
    expect(f.metadata.physicalSizeUm).toEqual({ x: 0.1, y: 0.1, z: 0.25 });
    expect(f.metadata.notes.join(" ")).toMatch(/single-IFD layout: 3 planes/);
  });

  test("bare TIFF: 72 dpi is not a calibration — pixel size unknown, with a note", async () => {
    const s = await readImage(`${FIXTURES}uint8_z3.tif`);
    expect(s.voxelSizeUm).toBeUndefined();
    const f = await openImageFile(`${FIXTURES}uint8_z3.tif`);
    await f.close();
    expect(f.metadata.source).toBe("tiff");
    expect(f.metadata.physicalSizeUm).toEqual({});
    expect(f.metadata.notes.join(" ")).toMatch(/72 pixels per inch \(352\.778 µm per pixel\).*not a microscope calibration/);
  });

  test("uncompressed planes own exactly their buffer (read straight into the destination)", async () => {
    const f = await openImageFile(`${FIXTURES}ome_uint16_c2z5.ome.tif`);
    const p = await f.readPage(3);
    await f.close();
    expect(p.byteOffset).toBe(0);
    expect(p.buffer.byteLength).toBe(WIDTH * HEIGHT * 2);
  });
});
