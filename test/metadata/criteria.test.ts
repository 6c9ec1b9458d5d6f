import { describe, expect, test } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors.js";
import {
  METADATA_COMPLETENESS_CRITERION,
  METADATA_CONSISTENCY_CRITERION,
  PIXEL_SIZE_CONSISTENCY_CRITERION,
  assessMetadataCompleteness,
  metadataFromOmeXml,
  metadataItemIds,
} from "../../src/metadata/index.js";
import { loadProtocol } from "../../src/protocols/load.js";

/** A Tier-1-complete OME-XML (everything the OME core can hold), 65× objective, pixel size `pxUm`. */
const completeXml = (pxUm: number, opts: { na?: number; drop?: string[] } = {}): string => {
  let inst = `<Microscope Type="Inverted" Manufacturer="A" Model="B"/><Laser ID="LightSource:0" Wavelength="488"/><Detector ID="Detector:0" Manufacturer="C" Type="CMOS"/>
      <Objective ID="Objective:0" Manufacturer="D" Correction="PlanApo" NominalMagnification="65" LensNA="${opts.na ?? 1.4}" Immersion="Oil"/><Filter ID="Filter:0" Model="GFP-set"/>`;
  let extra = `<AcquisitionDate>2024-01-01T00:00:00</AcquisitionDate><ExperimenterRef ID="Experimenter:0"/><Description>HeLa, EGFP-tubulin</Description><ObjectiveSettings ID="Objective:0" RefractiveIndex="1.518"/><ImagingEnvironment Temperature="37" CO2Percent="0.05"/>`;
  let ch = '<Channel ID="Channel:0:0" Name="GFP" Fluor="EGFP" Color="16711935" ExcitationWavelength="488" EmissionWavelength="520" AcquisitionMode="WideField" IlluminationType="Epifluorescence" ContrastMethod="Fluorescence"/>';
  for (const d of opts.drop ?? []) {
    inst = inst.replace(new RegExp(`<${d}[^>]*/>`), "");
    extra = extra.replace(new RegExp(`<${d}>[^<]*</${d}>|<${d}[^>]*/>`), "");
    ch = ch.replace(new RegExp(` ${d}="[^"]*"`), "");
  }
  return `<OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06"><Experimenter ID="Experimenter:0" FirstName="Ada" LastName="L"/><Instrument ID="Instrument:0">${inst}</Instrument>
  <Image ID="Image:0"><InstrumentRef ID="Instrument:0"/>${extra}
    <Pixels ID="Pixels:0" DimensionOrder="XYZCT" Type="uint16" SizeX="64" SizeY="64" SizeZ="1" SizeC="1" SizeT="1" PhysicalSizeX="${pxUm}" PhysicalSizeY="${pxUm}">${ch}<TiffData/>
      <Plane TheZ="0" TheC="0" TheT="0" ExposureTime="50" ExposureTimeUnit="ms"/></Pixels>
  </Image>
</OME>`;
};
const CAMERA_UM = 6.5; // 6.5 µm / 65× = 0.1 µm expected object pixel
const check = (r: ReturnType<typeof assessMetadataCompleteness>, id: string) => r.checks.find((c) => c.criterion === id);

describe("acceptance criteria of protocols/metadata applied with judge()", () => {
  test("protocol.json holds exactly the criteria the code applies", () => {
    const p = loadProtocol("metadata");
    const byId = Object.fromEntries(p.acceptance.map((a) => [a.id, a]));
    for (const c of [METADATA_COMPLETENESS_CRITERION, PIXEL_SIZE_CONSISTENCY_CRITERION, METADATA_CONSISTENCY_CRITERION]) expect(byId[c.id]).toEqual(c);
    expect(p.acceptance).toHaveLength(3);
    expect(p.sop).toMatch(/tier-completeness/);
  });

  test("complete metadata passes every criterion; the verdict says so", () => {
    const r = assessMetadataCompleteness(metadataFromOmeXml(completeXml(0.1)), { cameraPixelUm: CAMERA_UM, documentedElsewhere: ["mounting-medium"] });
    expect(r.checks.map((c) => [c.criterion, c.level])).toEqual([
      ["tier-completeness", "pass"],
      ["pixel-size-consistency", "pass"],
      ["metadata-consistency", "pass"],
    ]);
    expect(r.targetPercent).toBe(100);
    expect(r.fields.find((f) => f.id === "mounting-medium")?.value).toBe("documented elsewhere (declared)");
    expect(r.verdict).toEqual({ level: "pass", reason: "All 3 evaluated criteria pass: tier-completeness, pixel-size-consistency, metadata-consistency." });
  });

  test("tier completeness crosses pass → warn → fail as items are removed", () => {
    const opts = { cameraPixelUm: CAMERA_UM, documentedElsewhere: ["mounting-medium"] };
    const warn = assessMetadataCompleteness(metadataFromOmeXml(completeXml(0.1, { drop: ["Description"] })), opts);
    expect(check(warn, "tier-completeness")?.level).toBe("warn");
    expect(warn.targetPercent).toBeCloseTo((100 * 27) / 28, 9); // z-step is not applicable to a single plane
    expect(warn.verdict.level).toBe("warn");
    expect(warn.verdict.reason).toMatch(/Tier-≤1 metadata items present \(27 of 28\) is 96\.4 %.*early-warning level 100.*Sample \/ experiment description/);
    const many = ["Description", "AcquisitionDate", "ExperimenterRef", "Microscope", "Laser", "Detector", "Filter", "ImagingEnvironment", "Fluor", "Color", "AcquisitionMode", "IlluminationType", "ContrastMethod", "Plane"];
    const boundary = assessMetadataCompleteness(metadataFromOmeXml(completeXml(0.1, { drop: many })), opts);
    expect(boundary.targetPercent).toBe(50); // 14 of 28: exactly at the limit, which is still within it
    expect(check(boundary, "tier-completeness")?.level).toBe("warn");
    const fail = assessMetadataCompleteness(metadataFromOmeXml(completeXml(0.1, { drop: [...many, "Name"] })), opts);
    expect(fail.targetPercent).toBeCloseTo((100 * 13) / 28, 9);
    expect(check(fail, "tier-completeness")?.level).toBe("fail");
    expect(fail.verdict.level).toBe("fail");
    // The same data only warn when the user lowers the fail limit.
    expect(check(assessMetadataCompleteness(metadataFromOmeXml(completeXml(0.1, { drop: [...many, "Name"] })), { ...opts, failBelowPercent: 10 }), "tier-completeness")?.level).toBe("warn");
  });

  test("pixel-size consistency crosses pass (3 %) → warn (7 %) → fail (15 %); unknown camera → not evaluated", () => {
    const level = (px: number) => check(assessMetadataCompleteness(metadataFromOmeXml(completeXml(px)), { cameraPixelUm: CAMERA_UM }), "pixel-size-consistency");
    expect(level(0.103)?.level).toBe("pass");
    expect(level(0.103)?.value).toBeCloseTo(0.03, 9);
    expect(level(0.107)?.level).toBe("warn");
    expect(level(0.115)?.level).toBe("fail");
    expect(level(0.115)?.reason).toMatch(/is 0\.15.*limit is ≤ 0\.1/);
    const unknown = assessMetadataCompleteness(metadataFromOmeXml(completeXml(0.115)));
    expect(check(unknown, "pixel-size-consistency")?.level).toBe("not-evaluated");
    expect(unknown.pixelSizeMismatch).toBeNull();
    expect(unknown.checks.find((c) => c.level === "fail")).toBeUndefined(); // not evaluated ≠ failed
  });

  test("one inconsistent item (NA 1.6 with oil) fails the consistency criterion", () => {
    const r = assessMetadataCompleteness(metadataFromOmeXml(completeXml(0.1, { na: 1.6 })), { cameraPixelUm: CAMERA_UM, documentedElsewhere: ["mounting-medium"] });
    expect(r.inconsistentCount).toBe(1);
    expect(check(r, "metadata-consistency")?.level).toBe("fail");
    expect(r.verdict.level).toBe("fail");
    expect(r.verdict.reason).toMatch(/Inconsistent metadata items .* is 1; the limit is ≤ 0 .*First: NA 1\.6 is not between 0 and the immersion index 1\.518/);
  });

  test("bad options are refused", () => {
    const m = metadataFromOmeXml(completeXml(0.1));
    expect(() => assessMetadataCompleteness(m, { documentedElsewhere: ["mounting medium"] })).toThrow(/unknown item\(s\): mounting medium/);
    expect(() => assessMetadataCompleteness(m, { failBelowPercent: 150 })).toThrow(InvalidArgumentError);
    expect(metadataItemIds()).toContain("mounting-medium");
  });
});
