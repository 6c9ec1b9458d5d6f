import { describe, expect, test } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { makeProvenance } from "../../src/core/provenance.js";
import { quantity } from "../../src/core/quantity.js";
import {
  LIMIQC_QC_NAMESPACE,
  METADATA_SAMPLE_OME_XML,
  checkQcOmeXml,
  exportQcJson,
  exportQcOmeXml,
  flattenQcRecord,
  methodsParagraph,
  metadataFromOmeXml,
} from "../../src/metadata/index.js";

const psfRecord = {
  summary: { fwhmUm: { x: { median: quantity(0.21, 0.01, "um") }, z: { median: quantity(0.65, 0.03, "um") } }, lateralAsymmetry: { mean: quantity(1.05, 0.02, "1") } },
  beads: [{ fwhmUm: { x: quantity(0.2, 0.01, "um") } }],
  verdict: { level: "pass" as const, reason: "FWHM within 1.3× theory & <ok>" },
  provenance: makeProvenance("measureBeadPsf", { beadDiameterUm: 0.1 }, [{ file: "beads & co.ome.tif", sha256: "a".repeat(64) }]),
};

describe("QC export", () => {
  test("flattenQcRecord finds every Quantity and maps NBO-Q names", () => {
    const v = flattenQcRecord(psfRecord);
    expect(v.map((x) => x.key)).toEqual(["summary.fwhmUm.x.median", "summary.fwhmUm.z.median", "summary.lateralAsymmetry.mean", "beads[0].fwhmUm.x"]);
    expect(v[0].nboQ).toBe("OpticalCalibration.MedianXYSpotFWHM");
    expect(v[1].nboQ).toBe("OpticalCalibration.MedianZSpotFWHM");
    expect(v[2].nboQ).toBe("OpticalCalibration.LateralAsymmetry");
  });
  test("OME-XML export passes the structural check, escapes text, and carries provenance", () => {
    const xml = exportQcOmeXml([psfRecord, psfRecord]);
    const c = checkQcOmeXml(xml);
    expect(c.problems).toEqual([]);
    expect(c.valid).toBe(true);
    expect(c.annotationCount).toBe(2);
    expect(xml).toContain(`Namespace="${LIMIQC_QC_NAMESPACE}"`);
    expect(xml).toContain('<M K="input[0].sha256">aaaa');
    expect(xml).toContain("beads &amp; co.ome.tif");
    expect(xml).toContain("&lt;ok&gt;");
    expect(xml).toContain('<M K="summary.fwhmUm.x.median [OpticalCalibration.MedianXYSpotFWHM]">0.21 ± 0.01 um</M>');
    const frag = exportQcOmeXml([psfRecord], { fragmentOnly: true });
    expect(frag.startsWith("<StructuredAnnotations>")).toBe(true);
  });
  test("structural check catches schema violations", () => {
    const xml = exportQcOmeXml([psfRecord]);
    expect(checkQcOmeXml(xml.replace('ID="Annotation:limiqc:0"', 'ID="qc0"')).problems[0]).toMatch(/AnnotationID pattern/);
    expect(checkQcOmeXml(xml.replace('<M K="verdict">', "<M>")).problems.join()).toMatch(/no K attribute/);
    const swapped = xml.replace(/(<Description>.*<\/Description>)\n(\s*<Value>[\s\S]*<\/Value>)/, "$2\n$1");
    expect(checkQcOmeXml(swapped).problems.join()).toMatch(/out of schema order/);
    expect(checkQcOmeXml("<OME><StructuredAnnotations>").valid).toBe(false);
    expect(checkQcOmeXml(xml.replace("2016-06", "2015-01")).problems.join()).toMatch(/namespace/);
  });
  test("empty record list is refused", () => {
    expect(() => exportQcOmeXml([])).toThrow(InvalidArgumentError);
  });
  test("JSON export groups NBO-Q fields", () => {
    const j = exportQcJson([psfRecord]);
    expect(j.records[0].function).toBe("measureBeadPsf");
    expect(j.records[0].nboQ.OpticalCalibration.MedianXYSpotFWHM).toHaveLength(1);
    expect(j.records[0].inputs[0].sha256).toHaveLength(64);
    expect(JSON.parse(JSON.stringify(j))).toEqual(j);
  });
});

describe("Materials & Methods paragraph", () => {
  test("fills known items and flags missing ones, inventing nothing", () => {
    const m = metadataFromOmeXml(METADATA_SAMPLE_OME_XML);
    const t = methodsParagraph(m, [psfRecord]);
    expect(t).toContain("ACME Optics Scope 9000 (inverted)");
    expect(t).toContain("63×");
    expect(t).toContain("NA 1.4");
    expect(t).toContain("exposure 100 ms");
    expect(t).toContain("[MISSING: experimenter]");
    expect(t).toContain("[MISSING: temperature]");
    expect(t).toContain("[MISSING: filter set]");
    expect(t).toContain("measureBeadPsf");
    expect(t).not.toContain("undefined");
  });
  test("empty metadata: everything flagged", () => {
    const t = methodsParagraph(metadataFromOmeXml("junk"));
    for (const s of ["microscope manufacturer and model", "objective manufacturer", "image dimensions and pixel size", "QC records"]) expect(t).toContain(`[MISSING: ${s}`);
  });
});
