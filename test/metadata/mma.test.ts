import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CorruptFileError, InvalidArgumentError, UnsupportedFormatError } from "../../src/core/errors.js";
import {
  MAX_METADATA_XML_CHARS,
  METADATA_SAMPLE_MMA_HARDWARE,
  METADATA_SAMPLE_MMA_SETTINGS,
  acquisitionMetadataFrom,
  analyseMetadataFile,
  parseMicroMetaAppJson,
  readAcquisitionMetadata,
  readSidecarFile,
  writeMetadataSample,
} from "../../src/metadata/index.js";

const FIX = "data/fixtures";
const HW = `${FIX}/metadata/mma-hardware.json`;
const ST = `${FIX}/metadata/mma-settings.json`;
const BARE = `${FIX}/uint8_z3.tif`;
const dir = mkdtempSync(join(tmpdir(), "limiqc-mma-"));
const GAPS = join(dir, "gaps.ome.tif");
beforeAll(async () => writeMetadataSample(GAPS));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hwJson = (): Record<string, unknown> => JSON.parse(readFileSync(HW, "utf8"));
const writeJson = (name: string, o: unknown): string => {
  const p = join(dir, name);
  writeFileSync(p, typeof o === "string" ? o : JSON.stringify(o));
  return p;
};
/** Every number anywhere in a record is finite (no NaN / Infinity leaks into reports). */
const allFinite = (v: unknown): boolean =>
  typeof v === "number" ? Number.isFinite(v) : Array.isArray(v) ? v.every(allFinite) : v && typeof v === "object" ? Object.values(v).every(allFinite) : true;
const check = (r: { completeness: { consistency: readonly { id: string; status: string; message: string }[] } }, id: string) => r.completeness.consistency.find((c) => c.id === id);
const field = (r: { completeness: { fields: readonly { id: string; status: string }[] } }, id: string) => r.completeness.fields.find((f) => f.id === id)?.status;

describe("Micro-Meta App JSON parsing (hand-made fixtures after the MMA schemas)", () => {
  test("hardware file: stand, 3 objectives, lasers, camera, filters with units converted", () => {
    const s = parseMicroMetaAppJson(readFileSync(HW, "utf8"), "mma-hardware.json");
    expect(s.format).toBe("micro-meta-app");
    expect(s.description).toMatch(/hardware file \(Instrument\.json, ModelVersion 2\.01\.0\)/);
    expect(s.metadata?.microscope).toEqual({ type: "Inverted", manufacturer: "ACME Optics", model: "Scope 9000" });
    expect(s.objectives.map((o) => [o.model, o.nominalMagnification, o.lensNA, o.immersion])).toEqual([
      ["PA10", 10, 0.3, "Air"],
      ["PA63", 63, 1.4, "Oil"],
      ["PA100", 100, 1.45, "Oil"],
    ]);
    expect(s.objectives[1].workingDistanceUm).toBeCloseTo(140, 9); // 0.14 mm (MMA default unit mm)
    expect(s.metadata?.objective).toBeUndefined(); // a hardware file does not say which objective was used
    expect(s.metadata?.lightSources.map((l) => [l.kind, l.wavelengthNm, l.powerMw])).toEqual([
      ["Laser", 488, 50],
      ["Laser", 561, 40], // 0.04 W
    ]);
    expect(s.metadata?.detectors).toEqual([{ id: "det-cam", manufacturer: "ACME Cameras", model: "Orca-like", type: "CMOS", pixelSizeUm: 6.5 }]);
    expect(s.metadata?.filters.map((f) => [f.model, f.cutInNm, f.cutOutNm])).toEqual([
      ["FF01-482/35", 464.5, 499.5],
      ["Di03-R488/561", undefined, undefined],
      ["FF01-525/45", 502.5, 547.5],
    ]);
    expect(s.metadata?.filters[1].type).toBe("Dichroic");
    expect(s.notes.join(" ")).toMatch(/MechanicalStage×1/);
  });

  test("settings file: selected objective, immersion index, channels, environment (fractions → %)", () => {
    const s = parseMicroMetaAppJson(readFileSync(ST, "utf8"), "mma-settings.json");
    expect(s.selectedObjectiveId).toBe("obj-63x");
    expect(s.metadata?.objective).toEqual({ refractiveIndex: 1.518, immersion: "Oil" });
    expect(s.metadata?.channels.map((c) => [c.name, c.fluor, c.excitationWavelengthNm, c.emissionWavelengthNm, c.lightSourceId, c.lightAttenuation])).toEqual([
      ["GFP", "EGFP", 488, 520, "ls-488", 0.2],
      ["mCherry", "mCherry", 561, 610, "ls-561", 0.5],
    ]);
    expect(s.metadata?.environment).toEqual({ temperatureC: 22, co2Percent: 0, humidityPercent: 40 });
    expect(s.metadata?.acquisitionDate).toBe("2024-06-03T14:05:00");
  });

  test("bundled samples are byte-identical to the committed fixtures", () => {
    expect(`${JSON.stringify(METADATA_SAMPLE_MMA_HARDWARE, null, 2)}\n`).toBe(readFileSync(HW, "utf8"));
    expect(`${JSON.stringify(METADATA_SAMPLE_MMA_SETTINGS, null, 2)}\n`).toBe(readFileSync(ST, "utf8"));
  });
});

describe("MMA sidecar merged into an image's metadata", () => {
  test("bare TIFF + hardware with 3 objectives: fills instrument, does not guess the objective, says which ones", async () => {
    const r = await analyseMetadataFile(BARE, { sidecarPath: HW });
    const m = r.metadata;
    expect(m.objective).toBeUndefined();
    expect(m.unresolved?.[0].candidates).toEqual(["ACME Optics PA10 10×/0.3 Air", "ACME Optics PA63 63×/1.4 Oil", "ACME Optics PA100 100×/1.45 Oil"]);
    const choice = check(r, "sidecar-objective-choice");
    expect(choice?.status).toBe("unknown");
    expect(choice?.message).toMatch(/3 objectives .* does not guess.*PA10.*PA63.*PA100/);
    expect(field(r, "objective-na")).toBe("missing");
    expect(m.microscope?.manufacturer).toBe("ACME Optics");
    expect(m.fromSidecar).toContainEqual({ field: "microscope.manufacturer", source: "mma-hardware.json" });
    expect(m.fromSidecar).toContainEqual({ field: "filters", source: "mma-hardware.json" });
    expect(m.notes.some((n) => /Filled from sidecar mma-hardware\.json .*microscope\.manufacturer/.test(n))).toBe(true);
    expect(field(r, "detector")).toBe("present");
    expect(r.provenance.inputs.map((i) => i.file)).toEqual([BARE, HW]);
    expect(allFinite(r)).toBe(true);
  });

  test("bare TIFF + hardware + settings: the settings file picks the objective; its facts are marked as from the sidecar", async () => {
    const m = await readAcquisitionMetadata(BARE, [HW, ST]);
    expect(m.objective).toMatchObject({ model: "PA63", nominalMagnification: 63, lensNA: 1.4, immersion: "Oil", refractiveIndex: 1.518 });
    expect(m.unresolved).toBeUndefined();
    expect(m.fromSidecar).toContainEqual({ field: "objective.lensNA", source: "mma-hardware.json" });
    expect(m.fromSidecar).toContainEqual({ field: "objective.refractiveIndex", source: "mma-settings.json" });
    expect(m.fromSidecar?.some((f) => f.field.endsWith(".id"))).toBe(false);
    expect(m.sidecar).toBe("mma-hardware.json, mma-settings.json");
    expect(m.notes.join(" ")).toMatch(/ObjectiveSettings ID obj-63x/);
    expect(m.notes.join(" ")).toMatch(/cannot be paired with the image's 1/); // 2 named channels vs 1 unnamed: not guessed either
    expect(m.environment?.temperatureC).toBe(22);
  });

  test("image (63×/1.4 'Water') + hardware: the matching objective is found, the immersion conflict is reported, the image wins", async () => {
    const r = await analyseMetadataFile(GAPS, { sidecarPath: HW });
    const m = r.metadata;
    expect(m.objective?.immersion).toBe("Water"); // image value kept
    expect(m.objective?.workingDistanceUm).toBeCloseTo(140, 9); // gap filled from the matched objective
    expect(m.conflicts).toEqual([{ field: "objective.immersion", image: '"Water"', sidecar: '"Oil"', source: "mma-hardware.json" }]);
    const c = check(r, "sidecar-objective.immersion");
    expect(c?.status).toBe("implausible");
    expect(c?.message).toMatch(/image says "Water"; mma-hardware\.json says "Oil"/);
    expect(field(r, "immersion")).toBe("implausible");
    // The camera pixel of the hardware file fills the image's detector, so the pixel-size criterion is evaluated.
    expect(m.detectors[0].pixelSizeUm).toBe(6.5);
    expect(r.completeness.options.cameraPixelFrom).toBe("metadata");
    expect(r.completeness.pixelSizeMismatch).toBeCloseTo(0.2 / (6.5 / 63) - 1, 9);
    expect(r.verdict.level).toBe("fail");
  });

  test("image + hardware + settings: swapped mCherry wavelengths flagged, missing fluorophore and temperature filled", async () => {
    const m = await readAcquisitionMetadata(GAPS, [HW, ST]);
    expect(m.channels[1].excitationWavelengthNm).toBe(610); // image kept
    expect(m.conflicts?.map((c) => c.field)).toEqual(expect.arrayContaining(["channels[1].excitationWavelengthNm", "channels[1].emissionWavelengthNm"]));
    expect(m.channels[1].fluor).toBe("mCherry");
    expect(m.fromSidecar).toContainEqual({ field: "channels[1].fluor", source: "mma-settings.json" });
    expect(m.fromSidecar).toContainEqual({ field: "environment.temperatureC", source: "mma-settings.json" });
    expect(m.channels[1].lightSourceId).toBeUndefined(); // "ls-561" names no light source of the image's own list: dropped
  });

  test("manufacturer mismatch (as MethodsJ2 flags it) is a conflict; 'ACME' vs 'ACME Optics' is not", async () => {
    const other = hwJson();
    (other.MicroscopeStand as Record<string, unknown>).Manufacturer = "Other Corp";
    const r = await analyseMetadataFile(GAPS, { sidecarPath: writeJson("other.json", other) });
    expect(r.metadata.conflicts?.find((c) => c.field === "microscope.manufacturer")).toEqual({ field: "microscope.manufacturer", image: '"ACME Optics"', sidecar: '"Other Corp"', source: "other.json" });
    expect(field(r, "microscope-manufacturer")).toBe("implausible");
    const same = hwJson();
    (same.MicroscopeStand as Record<string, unknown>).Manufacturer = "acme";
    const r2 = await readAcquisitionMetadata(GAPS, writeJson("same.json", same));
    expect(r2.conflicts?.some((c) => c.field === "microscope.manufacturer")).toBe(false);
  });

  test("one objective with a different NA: NA conflict; several objectives none matching: objective conflict", async () => {
    const one = hwJson();
    const objective = (one.components as Record<string, unknown>[])[1];
    one.components = [{ ...objective, LensNA: "1.3" }];
    const m = await readAcquisitionMetadata(GAPS, writeJson("one.json", one));
    expect(m.conflicts?.find((c) => c.field === "objective.lensNA")).toMatchObject({ image: "1.4", sidecar: "1.3" });
    expect(m.objective?.lensNA).toBe(1.4);
    const none = hwJson();
    none.components = (none.components as Record<string, unknown>[]).filter((c) => c.ID !== "obj-63x");
    const m2 = await readAcquisitionMetadata(GAPS, writeJson("none.json", none));
    expect(m2.conflicts?.find((c) => c.field === "objective")?.sidecar).toMatch(/none of ACME Optics PA10 .*; ACME Optics PA100/);
    expect(m2.objective?.workingDistanceUm).toBeUndefined(); // nothing taken from a non-matching objective
  });

  test("sidecar-only model (no image): source is micro-meta-app", () => {
    const m = acquisitionMetadataFrom(undefined, { sidecars: [parseMicroMetaAppJson(readFileSync(HW, "utf8"), "hw.json")] });
    expect(m.source).toBe("micro-meta-app");
    expect(m.lightSources).toHaveLength(2);
  });

  test("an OME-XML sidecar goes through the same merge (conflicts reported)", () => {
    const xml = `<OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06"><Instrument ID="Instrument:0"><Objective ID="Objective:0" LensNA="1.2" NominalMagnification="60" Immersion="Water"/></Instrument><Image ID="Image:0"><InstrumentRef ID="Instrument:0"/><ObjectiveSettings ID="Objective:0"/><Pixels ID="Pixels:0" DimensionOrder="XYZCT" Type="uint8" SizeX="4" SizeY="4" SizeZ="1" SizeC="1" SizeT="1"><TiffData/></Pixels></Image></OME>`;
    const withImage = acquisitionMetadataFrom(undefined, { sidecarXml: xml, sidecarName: "a.ome.xml", sidecars: [parseMicroMetaAppJson(readFileSync(HW, "utf8"), "hw.json")] });
    expect(withImage.objective?.lensNA).toBe(1.2); // OME sidecar first: it wins
    expect(withImage.conflicts?.find((c) => c.field === "objective")).toBeDefined(); // 60×/1.2 is none of the hardware file's objectives
  });
});

describe("bad sidecar inputs: typed errors or notes, never a crash or NaN", () => {
  test("malformed JSON → CorruptFileError naming the file", async () => {
    const p = writeJson("broken.json", '{"Schema_ID": "Instrument.json", "components": [');
    await expect(readSidecarFile(p)).rejects.toThrow(CorruptFileError);
    await expect(analyseMetadataFile(BARE, { sidecarPath: p })).rejects.toThrow(/broken\.json is not valid JSON/);
    expect(() => parseMicroMetaAppJson("")).toThrow(CorruptFileError);
  });
  test("JSON that is not a Micro-Meta App file → UnsupportedFormatError", () => {
    expect(() => parseMicroMetaAppJson('{"name": "x", "values": [1, 2]}', "x.json")).toThrow(UnsupportedFormatError);
    expect(() => parseMicroMetaAppJson('{"Schema_ID": "Plate.json"}', "p.json")).toThrow(/not a Micro-Meta App file.*found "Schema_ID": "Plate\.json"/);
    expect(() => parseMicroMetaAppJson("[1, 2, 3]", "a.json")).toThrow(UnsupportedFormatError);
  });
  test("unknown ModelVersion → read best-effort with a note", () => {
    const o = hwJson();
    o.ModelVersion = "9.0.0";
    const s = parseMicroMetaAppJson(JSON.stringify(o), "future.json");
    expect(s.notes.join(" ")).toMatch(/ModelVersion "9\.0\.0" is not one limiqc knows .* read best-effort/);
    expect(s.objectives).toHaveLength(3);
    const { ModelVersion: _v, ...noVersion } = hwJson();
    expect(parseMicroMetaAppJson(JSON.stringify(noVersion), "old.json").notes.join(" ")).toMatch(/no ModelVersion recorded/);
  });
  test("non-numeric values → note, field left undefined (no NaN)", () => {
    const o = hwJson();
    (o.components as Record<string, unknown>[])[1].LensNA = "high";
    const s = parseMicroMetaAppJson(JSON.stringify(o), "bad-na.json");
    expect(s.objectives[1].lensNA).toBeUndefined();
    expect(s.notes.join(" ")).toMatch(/objective "63x oil" LensNA is "high", not a number; ignored/);
    expect(allFinite(s)).toBe(true);
  });
  test("a sidecar larger than the size cap is not read (note), the image report still works", async () => {
    const p = join(dir, "huge.json");
    writeFileSync(p, `{"Schema_ID": "Instrument.json", "Description": "${"x".repeat(MAX_METADATA_XML_CHARS)}"}`);
    const r = await analyseMetadataFile(BARE, { sidecarPath: p });
    expect(r.metadata.notes.some((n) => /Sidecar huge\.json is \d+ bytes \(limit 16777216\); not read/.test(n))).toBe(true);
    expect(r.metadata.sidecar).toBeUndefined();
    expect(r.metadata.microscope).toBeUndefined();
  }, 20000);
  test("missing sidecar → InvalidArgumentError", async () => {
    await expect(readSidecarFile(join(dir, "nope.json"))).rejects.toThrow(InvalidArgumentError);
  });
});
