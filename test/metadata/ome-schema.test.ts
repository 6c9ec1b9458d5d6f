/**
 * Exported OME-XML validates against data/schemas/limiqc-ome-qc.xsd (limiqc's subset of OME 2016-06) with xmllint.
 * xmllint comes from Debian's libxml2-utils; without it these tests FAIL (they must not pass silently).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { InvalidArgumentError, UnsupportedFormatError } from "../../src/core/errors.js";
import { makeProvenance } from "../../src/core/provenance.js";
import { quantity } from "../../src/core/quantity.js";
import { METADATA_SAMPLE_OME_XML, embedQcInOmeXml, exportQcOmeXml, xmlSafeText } from "../../src/metadata/index.js";

const XSD = resolve("data/schemas/limiqc-ome-qc.xsd");
const dir = mkdtempSync(join(tmpdir(), "limiqc-xsd-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
/** Validates `xml` with `xmllint --noout --schema XSD`; throws (test fails) when xmllint is not installed. */
function validate(xml: string): { valid: boolean; errors: string } {
  const file = join(dir, `doc-${counter++}.xml`);
  writeFileSync(file, xml);
  const r = spawnSync("xmllint", ["--noout", "--schema", XSD, file], { encoding: "utf8" });
  if (r.error) throw new Error(`xmllint could not be run (${r.error.message}): install libxml2-utils (Debian/Ubuntu: apt-get install libxml2-utils) to validate OME-XML.`);
  return { valid: r.status === 0, errors: r.stderr };
}

const LONG = "λ".repeat(100_000);
const records = [
  {
    summary: { fwhmUm: { x: { median: quantity(0.21, 0.01, "um") }, z: { median: quantity(0.65, 0.03, "um") } } },
    verdict: { level: "pass" as const, reason: 'FWHM "within" 1.3× theory <ok> & µ-sized' },
    provenance: makeProvenance("measureBeadPsf", { beadDiameterUm: 0.1, label: "a<b>&'c'" }, [{ file: "beads & <co> \"µ\".ome.tif", sha256: "a".repeat(64) }]),
  },
  {
    uniformityPercent: quantity(87.5, 0.4, "%"),
    verdict: { level: "warn" as const, reason: `tab\there, newline\nthere, control \u0001\u001f, lone surrogate \ud800, emoji 🔬, long ${LONG}` },
    provenance: makeProvenance("measureFieldUniformity", {}, [{ file: "flat field.tif", sha256: "b".repeat(64) }]),
  },
  { values: { [`key with "quotes" <and> & µ ${"k".repeat(5000)}`]: quantity(1, 0, "1") } },
];

describe("OME-XML export validates against the limiqc OME QC schema (xmllint)", () => {
  test("xmllint is installed (libxml2-utils)", () => {
    const r = spawnSync("xmllint", ["--version"], { encoding: "utf8" });
    if (r.error) throw new Error("xmllint not found: install libxml2-utils (apt-get install libxml2-utils); the OME-XML schema tests need it.");
    expect(r.stderr + r.stdout).toMatch(/libxml/);
  });

  test("several records with awkward strings (quotes, <, &, µ, controls, lone surrogate, 100 000-character value) validate", () => {
    const xml = exportQcOmeXml(records);
    const v = validate(xml);
    expect(v.errors).toBe(`${join(dir, `doc-${counter - 1}.xml`)} validates\n`);
    expect(v.valid).toBe(true);
    expect(xml).toContain("\uFFFD"); // controls and the lone surrogate replaced, not dropped silently
    expect(xml).toContain("🔬");
    expect(xml).toContain(LONG);
    expect((xml.match(/<MapAnnotation /g) ?? []).length).toBe(3);
  });

  test("custom namespace and ID prefix validate; a prefix with whitespace is refused", () => {
    expect(validate(exportQcOmeXml(records.slice(0, 1), { namespace: "https://example.org/qc", idPrefix: "qc-2024" })).valid).toBe(true);
    expect(() => exportQcOmeXml(records, { idPrefix: "qc 1" })).toThrow(InvalidArgumentError);
    expect(() => exportQcOmeXml(records, { namespace: "a b" })).toThrow(/cannot contain whitespace/);
  });

  test("embedded into the image's own OME-XML (Image + AnnotationRef) validates", () => {
    const xml = embedQcInOmeXml(METADATA_SAMPLE_OME_XML, records);
    expect(validate(xml).valid).toBe(true);
    expect(xml).toContain('<AnnotationRef ID="Annotation:limiqc:0"/><AnnotationRef ID="Annotation:limiqc:1"/><AnnotationRef ID="Annotation:limiqc:2"/></Image>');
    expect(xml.startsWith(METADATA_SAMPLE_OME_XML.slice(0, METADATA_SAMPLE_OME_XML.indexOf("</Image>")))).toBe(true); // the rest is untouched
  });

  test("embedding: prefixed namespace, existing annotations with colliding IDs, ROI after StructuredAnnotations", () => {
    const doc = `<?xml version="1.0"?>
<ome:OME xmlns:ome="http://www.openmicroscopy.org/Schemas/OME/2016-06">
  <ome:Image ID="Image:0"><ome:Pixels ID="Pixels:0" DimensionOrder="XYZCT" Type="uint8" SizeX="2" SizeY="2" SizeZ="1" SizeC="1" SizeT="1"><ome:MetadataOnly/></ome:Pixels><ome:AnnotationRef ID="Annotation:limiqc:0"/></ome:Image>
  <ome:Image ID="Image:1"><ome:Pixels ID="Pixels:1" DimensionOrder="XYZCT" Type="uint8" SizeX="2" SizeY="2" SizeZ="1" SizeC="1" SizeT="1"><ome:MetadataOnly/></ome:Pixels></ome:Image>
  <ome:StructuredAnnotations><ome:CommentAnnotation ID="Annotation:limiqc:0"><ome:Value>older note</ome:Value></ome:CommentAnnotation></ome:StructuredAnnotations>
  <ome:ROI ID="ROI:0"><ome:Union><ome:Point ID="Shape:0" X="1" Y="1"/></ome:Union></ome:ROI>
</ome:OME>`;
    const xml = embedQcInOmeXml(doc, records.slice(0, 2));
    expect(validate(xml).valid).toBe(true);
    expect(xml).toContain('<ome:MapAnnotation ID="Annotation:limiqc2:0"');
    expect((xml.match(/<ome:AnnotationRef ID="Annotation:limiqc2:1"\/>/g) ?? []).length).toBe(2); // one per Image
    const noSa = doc.replace(/ {2}<ome:StructuredAnnotations>.*<\/ome:StructuredAnnotations>\n/, "").replace('<ome:AnnotationRef ID="Annotation:limiqc:0"/>', "");
    const xml2 = embedQcInOmeXml(noSa, records.slice(0, 1));
    expect(validate(xml2).valid).toBe(true);
    expect(xml2.indexOf("<ome:StructuredAnnotations>")).toBeLessThan(xml2.indexOf("<ome:ROI"));
  });

  test("embedding refuses what it cannot do honestly", () => {
    expect(() => embedQcInOmeXml("<OME><Image>", records)).toThrow(/not well-formed/);
    expect(() => embedQcInOmeXml('<OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2015-01"/>', records)).toThrow(/not an OME element in the .*2016-06 namespace \(found namespace ".*2015-01"\)/);
    expect(() => embedQcInOmeXml('<OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06"><BinaryOnly MetadataFile="a.ome" UUID="urn:uuid:00000000-0000-0000-0000-000000000000"/></OME>', records)).toThrow(UnsupportedFormatError);
    expect(() => embedQcInOmeXml(METADATA_SAMPLE_OME_XML, [])).toThrow(InvalidArgumentError);
    expect(() => embedQcInOmeXml('<OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06"/>', records)).toThrow(/no Image to attach/);
    const nested = METADATA_SAMPLE_OME_XML.replace("</OME>", '<StructuredAnnotations><XMLAnnotation ID="Annotation:x"><Value><Image xmlns="urn:other">x</Image></Value></XMLAnnotation></StructuredAnnotations></OME>');
    expect(() => embedQcInOmeXml(nested, records)).toThrow(/closing tags for 1 Image elements/);
  });

  test("xmlSafeText escapes markup and replaces characters XML cannot hold", () => {
    expect(xmlSafeText(`a\u0001<b>&"'`)).toBe("a\uFFFD&lt;b&gt;&amp;&quot;&apos;");
  });
});

describe("the validator rejects broken documents (so the tests above can fail)", () => {
  const good = exportQcOmeXml(records.slice(0, 1));
  test.each([
    ["ID outside the AnnotationID pattern", good.replace('ID="Annotation:limiqc:0"', 'ID="qc0"'), /qcAnnotationId|pattern/],
    ["M without K", good.replace('<M K="verdict">', "<M>"), /attribute 'K' is required/],
    ["Value missing", good.replace(/<Value>[\s\S]*<\/Value>/, ""), /Missing child element|Value/],
    ["Description after Value", good.replace(/(<Description>.*<\/Description>)\n(\s*<Value>[\s\S]*<\/Value>)/, "$2\n$1"), /Description.*not expected/],
    ["wrong namespace", good.replace("2016-06", "2015-01"), /No matching global declaration|not expected/],
    ["duplicate annotation IDs", good.replace("</StructuredAnnotations>", '<MapAnnotation ID="Annotation:limiqc:0"><Value/></MapAnnotation></StructuredAnnotations>'), /Duplicate key-sequence/],
    ["AnnotationRef to a missing annotation", embedQcInOmeXml(METADATA_SAMPLE_OME_XML, records.slice(0, 1)).replace('<AnnotationRef ID="Annotation:limiqc:0"/>', '<AnnotationRef ID="Annotation:nowhere"/>'), /No match found for key-sequence/],
    ["StructuredAnnotations before Image", embedQcInOmeXml(METADATA_SAMPLE_OME_XML, records.slice(0, 1)).replace(/(\s*<Image[\s\S]*<\/Image>)(\s*<StructuredAnnotations>[\s\S]*<\/StructuredAnnotations>)/, "$2$1"), /Image.*not expected/],
  ])("%s", (_name, xml, message) => {
    const v = validate(xml);
    expect(v.valid).toBe(false);
    expect(v.errors).toMatch(message);
  });
});
