import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { writeTiff } from "../../src/io/tiff-writer.js";
import {
  MAX_METADATA_XML_CHARS,
  METADATA_SAMPLE_OME_XML,
  METADATA_SAMPLE_TRUTH,
  analyseMetadataFile,
  assessMetadataCompleteness,
  metadataFromOmeXml,
  writeMetadataSample,
} from "../../src/metadata/index.js";

const FIX = "data/fixtures";
const dir = mkdtempSync(join(tmpdir(), "limiqc-meta-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ome = (objective: string, channels: string, extra = ""): string => `<?xml version="1.0"?>
<OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06">
  <Instrument ID="Instrument:0">${objective}</Instrument>
  <Image ID="Image:0"><InstrumentRef ID="Instrument:0"/>${extra}
    <Pixels ID="Pixels:0" DimensionOrder="XYZCT" Type="uint16" SizeX="64" SizeY="64" SizeZ="1" SizeC="1" SizeT="1" PhysicalSizeX="0.1" PhysicalSizeY="0.1">${channels}<TiffData/></Pixels>
  </Image>
</OME>`;

const status = (r: ReturnType<typeof assessMetadataCompleteness>, id: string): string | undefined => r.fields.find((f) => f.id === id)?.status;
const check = (r: ReturnType<typeof assessMetadataCompleteness>, id: string): string | undefined => r.consistency.find((c) => c.id === id)?.status;

describe("metadata model and completeness on fixtures", () => {
  test("hand-written OME-TIFF: objective, channels, pixel size present; experimenter and filters missing", async () => {
    const r = await analyseMetadataFile(`${FIX}/ome_uint16_c2z5.ome.tif`);
    expect(r.metadata.source).toBe("ome");
    expect(r.metadata.objective?.lensNA).toBe(1.4);
    const c = r.completeness;
    for (const id of ["objective-na", "objective-magnification", "immersion", "immersion-index", "channel-name", "channel-color", "excitation", "emission", "pixel-size-xy", "pixel-size-z", "acquisition-date", "microscope-type"]) {
      expect(status(c, id), id).toBe("present");
    }
    for (const id of ["experimenter", "filters", "detector", "exposure", "mounting-medium"]) expect(status(c, id), id).toBe("missing");
    expect(check(c, "na-vs-immersion")).toBe("ok");
    expect(c.tierMet).toBe(0);
    expect(r.verdict.level).toBe("warn");
    expect(r.provenance.inputs[0].sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  test("ImageJ hyperstack: calibration and time increment present, instrument missing", async () => {
    const r = await analyseMetadataFile(`${FIX}/imagej_hyperstack_t2z3c2.tif`);
    expect(r.metadata.source).toBe("imagej");
    expect(r.metadata.physicalSizeUm.x).toBeCloseTo(0.2, 6);
    expect(status(r.completeness, "pixel-size-xy")).toBe("present");
    expect(status(r.completeness, "pixel-size-z")).toBe("present");
    expect(status(r.completeness, "time-increment")).toBe("present");
    expect(status(r.completeness, "objective-na")).toBe("missing");
    expect(r.verdict.level).toBe("fail");
  });

  test("bare TIFF (no metadata at all): clear report, every instrument item missing with a fix", async () => {
    const r = await analyseMetadataFile(`${FIX}/uint8_z3.tif`);
    expect(r.metadata.source).toBe("tiff");
    expect(status(r.completeness, "pixel-size-xy")).toBe("missing");
    const missing = r.completeness.fields.filter((f) => f.status === "missing");
    expect(missing.length).toBeGreaterThan(20);
    expect(missing.every((f) => (f.fix ?? "").length > 10)).toBe(true);
    expect(r.verdict.level).toBe("fail");
    expect(r.verdict.reason).toMatch(/Tier-≤1 metadata items present \(\d+ of 29\) is [\d.]+ %; the limit is ≥ 50/);
    expect(r.completeness.checks.find((c) => c.criterion === "tier-completeness")?.level).toBe("fail");
  });

  test("bundled sample: planted gaps and inconsistencies are all found", async () => {
    const path = join(dir, "gaps.ome.tif");
    await writeMetadataSample(path);
    const r = await analyseMetadataFile(path, { cameraPixelUm: METADATA_SAMPLE_TRUTH.cameraPixelUm });
    for (const id of METADATA_SAMPLE_TRUTH.missingTier1) expect(status(r.completeness, id), id).toBe("missing");
    for (const id of METADATA_SAMPLE_TRUTH.implausible) expect(check(r.completeness, id), id).toBe("implausible");
    expect(check(r.completeness, "pixel-size-vs-magnification")).toBe("implausible");
    expect(status(r.completeness, "objective-na")).toBe("implausible");
    expect(r.metadata.channels[0].exposureTimeS).toBeCloseTo(0.1, 9);
    expect(r.metadata.channels[1].exposureTimeS).toBeCloseTo(0.25, 9);
    expect(r.metadata.lightSources.map((l) => l.wavelengthNm)).toEqual([488, 561]);
    expect(r.metadata.detectors[0].type).toBe("CMOS");
    expect(r.metadata.objective?.correction).toBe("PlanApo");
    expect(r.verdict.level).toBe("fail");
  });

  test("sidecar OME-XML fills gaps of a bare TIFF", async () => {
    const side = join(dir, "side.ome.xml");
    writeFileSync(side, METADATA_SAMPLE_OME_XML.replace('SizeX="128" SizeY="128"', 'SizeX="64" SizeY="48"'));
    const r = await analyseMetadataFile(`${FIX}/uint8_z3.tif`, { sidecarPath: side });
    expect(r.metadata.sidecar).toBe("side.ome.xml");
    expect(r.metadata.objective?.nominalMagnification).toBe(63);
    expect(r.metadata.notes.some((n) => /channel/.test(n))).toBe(true); // 2 channels vs 1: flagged
    expect(r.provenance.inputs).toHaveLength(2);
  });
});

describe("OME-XML strings with known missing / inconsistent fields", () => {
  test("NA above the immersion index is implausible", () => {
    const m = metadataFromOmeXml(ome('<Objective ID="Objective:0" LensNA="1.3" Immersion="Air" NominalMagnification="60"/>', "<Channel ID=\"Channel:0:0\"/>"));
    const r = assessMetadataCompleteness(m);
    expect(check(r, "na-vs-immersion")).toBe("implausible");
    expect(r.consistency.find((c) => c.id === "na-vs-immersion")?.message).toMatch(/NA 1.3 .* immersion index 1/);
    expect(r.verdict.level).toBe("fail");
  });
  test("pixel size vs magnification × camera pixel: consistent and inconsistent", () => {
    const m = metadataFromOmeXml(ome('<Objective ID="Objective:0" LensNA="0.8" Immersion="Air" NominalMagnification="65"/>', "<Channel ID=\"Channel:0:0\"/>"));
    expect(check(assessMetadataCompleteness(m, { cameraPixelUm: 6.5 }), "pixel-size-vs-magnification")).toBe("ok"); // 6.5/65 = 0.1
    expect(check(assessMetadataCompleteness(m, { cameraPixelUm: 13 }), "pixel-size-vs-magnification")).toBe("implausible");
    expect(check(assessMetadataCompleteness(m), "pixel-size-vs-magnification")).toBe("unknown");
  });
  test("wavelength out of range and emission below excitation", () => {
    const m = metadataFromOmeXml(ome("", '<Channel ID="Channel:0:0" ExcitationWavelength="561" EmissionWavelength="5200"/>'));
    const r = assessMetadataCompleteness(m);
    expect(check(r, "wavelength-range-0-emission")).toBe("implausible");
    const m2 = metadataFromOmeXml(ome("", '<Channel ID="Channel:0:0" ExcitationWavelength="561" EmissionWavelength="520"/>'));
    expect(check(assessMetadataCompleteness(m2), "stokes-0")).toBe("implausible");
    // two-photon: 920 nm excitation, 520 emission is fine
    const m3 = metadataFromOmeXml(ome("", '<Channel ID="Channel:0:0" ExcitationWavelength="920" EmissionWavelength="520"/>'));
    expect(check(assessMetadataCompleteness(m3), "stokes-0")).toBeUndefined();
  });
  test("complete Tier-1 minimum passes Tier 1", () => {
    const inst = `<Microscope Type="Inverted" Manufacturer="A" Model="B"/><Laser ID="LightSource:0" Wavelength="488"/><Detector ID="Detector:0" Manufacturer="C" Type="CMOS"/>
      <Filter ID="Filter:0" Model="GFP-set"/><Objective ID="Objective:0" Manufacturer="D" Correction="PlanApo" NominalMagnification="60" LensNA="1.4" Immersion="Oil"/>`;
    const extra = `<AcquisitionDate>2024-01-01T00:00:00</AcquisitionDate><ExperimenterRef ID="Experimenter:0"/><Description>HeLa, EGFP-tubulin</Description><ObjectiveSettings ID="Objective:0" RefractiveIndex="1.518"/><ImagingEnvironment Temperature="37" CO2Percent="0.05"/>`;
    const ch = '<Channel ID="Channel:0:0" Name="GFP" Fluor="EGFP" Color="16711935" ExcitationWavelength="488" EmissionWavelength="520" AcquisitionMode="WideField" IlluminationType="Epifluorescence" ContrastMethod="Fluorescence"/>';
    const xml = ome(inst, ch, extra).replace("<Instrument", '<Experimenter ID="Experimenter:0" FirstName="Ada" LastName="L"/><Instrument').replace("<TiffData/>", '<TiffData/><Plane TheZ="0" TheC="0" TheT="0" ExposureTime="50" ExposureTimeUnit="ms"/>');
    const m = metadataFromOmeXml(xml);
    expect(m.experimenter?.name).toBe("Ada L");
    expect(m.environment?.co2Percent).toBeCloseTo(5, 9);
    const r = assessMetadataCompleteness(m, { cameraPixelUm: 6 });
    const t1 = r.fields.filter((f) => f.tier === 1 && f.status !== "present" && f.status !== "not-applicable").map((f) => f.id);
    expect(t1).toEqual(["mounting-medium"]); // not representable in OME core: always asked
    expect(r.verdict.level).toBe("warn");
  });
});

describe("bad inputs give clear reports, not crashes", () => {
  test("malformed XML", () => {
    const m = metadataFromOmeXml("<OME><Image></OME>");
    expect(m.source).toBe("none");
    expect(m.notes[0]).toMatch(/not usable OME-XML/);
    expect(assessMetadataCompleteness(m).verdict.level).toBe("fail");
  });
  test("not XML at all / empty", () => {
    expect(metadataFromOmeXml("").notes[0]).toMatch(/not usable/);
    expect(metadataFromOmeXml("hello").source).toBe("none");
  });
  test("huge XML string is refused with a note", () => {
    const huge = `<OME>${" ".repeat(MAX_METADATA_XML_CHARS + 10)}</OME>`;
    const m = metadataFromOmeXml(huge);
    expect(m.source).toBe("none");
    expect(m.notes[0]).toMatch(/characters \(limit/);
  });
  test("file with a 50 MB ImageDescription", async () => {
    const path = join(dir, "huge-desc.tif");
    await writeTiff(path, [new Uint16Array(16 * 16)], { width: 16, height: 16, description: `notes: ${"x".repeat(50 * 1024 * 1024)}` });
    const r = await analyseMetadataFile(path);
    expect(r.metadata.notes.some((n) => /not searched for metadata/.test(n))).toBe(true);
    expect(r.verdict.level).toBe("fail");
  }, 20000);
  test("file whose OME-XML is malformed", async () => {
    const path = join(dir, "bad-ome.tif");
    await writeTiff(path, [new Uint16Array(16 * 16)], { width: 16, height: 16, description: '<?xml version="1.0"?><OME xmlns="x"><Image><Pixels></OME>' });
    const r = await analyseMetadataFile(path);
    expect(r.metadata.source).toBe("tiff");
    expect(r.metadata.notes.join(" ")).toMatch(/could not be parsed|could not use/);
  });
  test("missing sidecar and bad options throw typed errors", async () => {
    await expect(analyseMetadataFile(`${FIX}/uint8_z3.tif`, { sidecarPath: join(dir, "nope.xml") })).rejects.toThrow(InvalidArgumentError);
    expect(() => assessMetadataCompleteness(metadataFromOmeXml(""), { cameraPixelUm: -1 })).toThrow(/cameraPixelUm is -1/);
    expect(() => assessMetadataCompleteness(metadataFromOmeXml(""), { targetTier: 4 as 1 })).toThrow(InvalidArgumentError);
  });
});
