import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors.js";
import {
  DIMENSION_ORDERS,
  type ImageMetadata,
  buildImageJDescription,
  buildOmeXml,
  cssColorToOme,
  isImageJDescription,
  isOmeXml,
  lengthToUm,
  omeColorToCss,
  openImageFile,
  parseImageJDescription,
  parseOmeXml,
  planeIndex,
  sPerTimeUnit,
  umPerLengthUnit,
  writeTiff,
} from "../../src/io/index.js";
import { HEIGHT, WIDTH, mismatches, patternPlane } from "./pattern.js";

const dir = mkdtempSync(join(tmpdir(), "limiqc-io-meta-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BASE: ImageMetadata = {
  sizeX: WIDTH,
  sizeY: HEIGHT,
  sizeZ: 5,
  sizeC: 2,
  sizeT: 3,
  dimensionOrder: "XYZCT",
  pixelType: "uint16",
  bitsPerSample: 16,
  physicalSizeUm: {},
  channels: [{}, {}],
  source: "ome",
  notes: [],
};

describe("units", () => {
  test("length units → µm (OME and ImageJ spellings)", () => {
    const cases: [string, number][] = [
      ["nm", 1e-3],
      ["\u00B5m", 1],
      ["\u03BCm", 1],
      ["um", 1],
      ["micron", 1],
      ["microns", 1],
      ["\\u00B5m", 1],
      ["mm", 1e3],
      ["cm", 1e4],
      ["m", 1e6],
      ["\u00C5", 1e-4],
      ["\u212B", 1e-4],
      ["pm", 1e-6],
    ];
    for (const [unit, f] of cases) expect(umPerLengthUnit(unit), unit).toBe(f);
    expect(umPerLengthUnit("inch")).toBeUndefined();
    expect(umPerLengthUnit("pixel")).toBeUndefined();
  });

  test("unknown unit or non-positive size → undefined with a note", () => {
    const notes: string[] = [];
    expect(lengthToUm(3, "furlong", "PhysicalSizeX", notes)).toBeUndefined();
    expect(lengthToUm(-1, "nm", "PhysicalSizeY", notes)).toBeUndefined();
    expect(lengthToUm(65, "nm", "PhysicalSizeZ", notes)).toBeCloseTo(0.065, 15);
    expect(notes).toEqual([
      'PhysicalSizeX is given in unit "furlong", which is not a length limiqc knows; it is left undefined.',
      "PhysicalSizeY is -1 nm; a size must be a positive number, so it is left undefined.",
    ]);
  });

  test("time units → s", () => {
    expect(sPerTimeUnit("ms")).toBe(1e-3);
    expect(sPerTimeUnit("sec")).toBe(1);
    expect(sPerTimeUnit("min")).toBe(60);
    expect(sPerTimeUnit("\u00B5s")).toBe(1e-6);
    expect(sPerTimeUnit("fortnight")).toBeUndefined();
  });
});

describe("planeIndex honours the dimension order", () => {
  test("known answers", () => {
    expect(planeIndex(BASE, 1, 3, 0)).toBe(8); // XYZCT: z + 5·(c + 2·t)
    expect(planeIndex(BASE, 1, 3, 2)).toBe(3 + 5 * (1 + 2 * 2));
    expect(planeIndex({ ...BASE, dimensionOrder: "XYCZT" }, 1, 3, 2)).toBe(1 + 2 * (3 + 5 * 2));
    expect(planeIndex({ ...BASE, dimensionOrder: "XYTCZ" }, 1, 3, 2)).toBe(2 + 3 * (1 + 2 * 3));
  });

  test("every order is a bijection onto 0…N−1", () => {
    for (const order of DIMENSION_ORDERS) {
      const m = { ...BASE, dimensionOrder: order };
      const seen = new Set<number>();
      for (let t = 0; t < 3; t++) for (let c = 0; c < 2; c++) for (let z = 0; z < 5; z++) seen.add(planeIndex(m, c, z, t));
      expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    }
  });

  test("out of range and non-integer indices throw", () => {
    expect(() => planeIndex(BASE, 2, 0, 0)).toThrow(InvalidArgumentError);
    expect(() => planeIndex(BASE, 0, -1, 0)).toThrow(/slice \(z\) -1/);
    expect(() => planeIndex(BASE, 0, 1.5, 0)).toThrow(InvalidArgumentError);
  });
});

describe("ImageJ descriptions", () => {
  test("parse", () => {
    const ij = parseImageJDescription("ImageJ=1.54f\nimages=24\nchannels=2\nslices=4\nframes=3\nhyperstack=true\nunit=\\u00B5m\nspacing=0.25\nfinterval=0.5\ntunit=min\n");
    expect(ij).toMatchObject({ version: "1.54f", images: 24, channels: 2, slices: 4, frames: 3, hyperstack: true, unit: "\u00B5m", spacing: 0.25, finterval: 0.5, timeUnit: "min" });
    expect(isImageJDescription("ImageJ=1.11a\n")).toBe(true);
    expect(isImageJDescription("<OME/>")).toBe(false);
  });

  test("build then parse", () => {
    const text = buildImageJDescription({ channels: 2, slices: 5, frames: 1, spacingUm: 0.3, calibrated: true, frameIntervalS: 2 });
    const ij = parseImageJDescription(text);
    expect(ij).toMatchObject({ images: 10, channels: 2, slices: 5, hyperstack: true, unit: "micron", spacing: 0.3, finterval: 2, mode: "composite" });
    expect(ij.frames).toBeUndefined();
  });
});

describe("OME-XML", () => {
  test("detects OME with and without prefix", () => {
    expect(isOmeXml('<?xml version="1.0"?><OME xmlns="x">')).toBe(true);
    expect(isOmeXml("<ome:OME xmlns:ome='x'>")).toBe(true);
    expect(isOmeXml("ImageJ=1.54f")).toBe(false);
    expect(isOmeXml("<OMERO>")).toBe(false);
  });

  test("colours: OME signed RGBA ↔ CSS", () => {
    expect(omeColorToCss(-1)).toBe("#ffffff");
    expect(omeColorToCss(16711935)).toBe("#00ff00");
    expect(omeColorToCss(-16776961)).toBe("#ff0000");
    expect(cssColorToOme("#ff0000")).toBe(-16776961);
    expect(cssColorToOme("#0f0")).toBe(16711935);
    expect(cssColorToOme("green")).toBeUndefined();
  });

  test("buildOmeXml → parseOmeXml keeps every field", () => {
    const meta: ImageMetadata = {
      ...BASE,
      dimensionOrder: "XYZCT",
      significantBits: 14,
      physicalSizeUm: { x: 0.108, y: 0.108, z: 0.25 },
      timeIncrementS: 1.25,
      channels: [
        { name: "A & B", excitationWavelengthNm: 405.5, emissionWavelengthNm: 450, color: "#123456" },
        { name: "C <2>", emissionWavelengthNm: 700 },
      ],
      objective: { model: "M", manufacturer: "Maker", nominalMagnification: 100, lensNA: 1.45, immersion: "Oil", refractiveIndex: 1.518, workingDistanceUm: 130 },
      microscope: { type: "Upright", manufacturer: "ACME", model: "X" },
      acquisitionDate: "2025-06-01T12:00:00",
      imageName: "name “quoted” µ",
    };
    const back = parseOmeXml(buildOmeXml(meta));
    expect(back).toMatchObject({
      sizeX: WIDTH,
      sizeY: HEIGHT,
      sizeZ: 5,
      sizeC: 2,
      sizeT: 3,
      dimensionOrder: "XYZCT",
      pixelType: "uint16",
      significantBits: 14,
      physicalSizeUm: meta.physicalSizeUm,
      timeIncrementS: 1.25,
      channels: meta.channels,
      objective: meta.objective,
      microscope: meta.microscope,
      acquisitionDate: meta.acquisitionDate,
      imageName: meta.imageName,
      imageCount: 1,
      notes: [],
    });
    expect(back.tiffData).toEqual([{ ifd: 0, firstZ: 0, firstC: 0, firstT: 0, planeCount: 30 }]);
  });

  test("an objective known only by its immersion refractive index still gets a referenced Objective", () => {
    const xml = buildOmeXml({ ...BASE, objective: { refractiveIndex: 1.33 } });
    expect(xml).toContain('<Objective ID="Objective:0:0"/>');
    expect(xml).toContain('<ObjectiveSettings ID="Objective:0:0" RefractiveIndex="1.33"/>');
    expect(parseOmeXml(xml).objective).toEqual({ refractiveIndex: 1.33 });
  });

  test("unknown units are left undefined with notes; malformed XML throws", () => {
    const xml = `<OME><Image><Pixels DimensionOrder="XYZCT" Type="uint8" SizeX="2" SizeY="2" SizeZ="1" SizeC="1" SizeT="1" PhysicalSizeX="3" PhysicalSizeXUnit="pixel" PhysicalSizeY="0.2"/></Image></OME>`;
    const info = parseOmeXml(xml);
    expect(info.physicalSizeUm).toEqual({ x: undefined, y: 0.2, z: undefined });
    expect(info.notes[0]).toMatch(/PhysicalSizeX is given in unit "pixel"/);
    expect(() => parseOmeXml("<OME><Image>")).toThrow(/malformed XML/);
  });

  test("unparseable OME-XML in a file: read as plain TIFF with a note", async () => {
    const path = join(dir, "broken-ome.tif");
    await writeTiff(path, [patternPlane("uint16")], { width: WIDTH, height: HEIGHT, description: "<OME><Image><Pixels></OME>" });
    const f = await openImageFile(path);
    await f.close();
    expect(f.metadata.source).toBe("tiff");
    expect(f.metadata.notes[0]).toMatch(/looks like OME-XML but could not be parsed/);
  });

  test("explicit TiffData mapping (planes stored in reverse) is honoured", async () => {
    const path = join(dir, "reverse.ome.tif");
    const td = [0, 1, 2].map((z) => `<TiffData IFD="${2 - z}" FirstZ="${z}" PlaneCount="1"/>`).join("");
    const xml = `<OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06"><Image ID="Image:0"><Pixels ID="Pixels:0" DimensionOrder="XYZCT" Type="uint16" SizeX="${WIDTH}" SizeY="${HEIGHT}" SizeZ="3" SizeC="1" SizeT="1"><Channel ID="Channel:0:0"/>${td}</Pixels></Image></OME>`;
    await writeTiff(path, [2, 1, 0].map((z) => patternPlane("uint16", z)), { width: WIDTH, height: HEIGHT, description: xml });
    const f = await openImageFile(path);
    try {
      expect(f.metadata.planeToPage).toEqual([2, 1, 0]);
      for (let z = 0; z < 3; z++) expect(mismatches(await f.readPlane(0, z), patternPlane("uint16", z))).toBe(0);
      const order: number[] = [];
      for await (const p of f.planes()) order.push(p.z);
      expect(order).toEqual([2, 1, 0]); // file order
    } finally {
      await f.close();
    }
  });
});
