import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { makeProvenance, type Provenance } from "../../src/core/provenance.js";
import { writeOmeTiff } from "../../src/io/tiff-writer.js";
import { analysisChecklist, analysisPlatform, publicationReportMarkdown } from "../../src/publication/index.js";
import { assessImageQualityFile, simulateQualityImage } from "../../src/quality/index.js";

const dir = mkdtempSync(join(tmpdir(), "limiqc-analysis-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HASH = "ab".repeat(32);
const record = (p: Partial<Provenance> = {}): { provenance: Provenance } => ({
  provenance: { ...makeProvenance("measureBeadPsf", { beadDiameterUm: 0.1, model: "gaussian" }, [{ file: "beads.ome.tif", sha256: HASH }]), version: "0.1.0", ...p },
});
type Result = ReturnType<typeof analysisChecklist>;
const item = (r: Result, id: string) => r.items.find((i) => i.id === id);
const ans = (r: Result, id: string): string | undefined => item(r, id)?.answer;
const PLATFORM = "Node.js v20.0.0, linux x64";

describe("image-analysis checklist: automatic answers from a limiqc record", () => {
  test("a complete record answers cite, version, settings and input; the rest stay open", () => {
    const r = analysisChecklist(record(), { platform: PLATFORM });
    expect(r.items.map((i) => i.id).filter((id) => item(r, id)?.automatic)).toEqual([
      "established-cite",
      "established-key-settings",
      "established-exact-version",
      "established-all-settings",
      "provenance-input",
    ]);
    for (const id of ["established-cite", "established-key-settings", "established-exact-version", "established-all-settings", "provenance-input"]) expect(ans(r, id), id).toBe("pass");
    expect(item(r, "established-cite")?.evidence).toContain("limiqc 0.1.0, function measureBeadPsf; platform Node.js v20.0.0");
    expect(item(r, "established-key-settings")?.evidence).toContain("2 setting(s) recorded");
    expect(item(r, "provenance-input")?.evidence).toContain(`beads.ome.tif (sha256 ${HASH.slice(0, 12)}…)`);
    expect(ans(r, "established-example-data")).toBe("open");
    expect(item(r, "established-example-data")?.evidence).toContain("the record identifies the input: beads.ome.tif");
    expect(ans(r, "provenance-instrument-qc")).toBe("open");
    expect(r.items).toHaveLength(11); // 9 established + 2 provenance
    expect(r.verdict.level).toBe("warn");
    expect(r.minimalNotMet).toBe(0);
    expect(r.provenance.fn).toBe("analysisChecklist");
    expect(r.provenance.inputs).toEqual([{ file: "beads.ome.tif", sha256: HASH }]);
  });
  test("fail and warn cases: unknown version, pre-release, no platform, no input, no settings", () => {
    const unknown = analysisChecklist(record({ version: "unknown" }), { platform: PLATFORM });
    expect(ans(unknown, "established-cite")).toBe("fail");
    expect(ans(unknown, "established-exact-version")).toBe("fail");
    expect(unknown.verdict.level).toBe("fail");
    expect(unknown.verdict.reason).toContain("established-exact-version");
    expect(ans(analysisChecklist(record({ version: "0.2.0-dev.3" }), { platform: PLATFORM }), "established-exact-version")).toBe("warn");
    const noPlatform = analysisChecklist(record({ platform: undefined })); // a record made before provenance had a platform
    expect(ans(noPlatform, "established-cite")).toBe("warn");
    expect(item(noPlatform, "established-cite")?.evidence).toContain("the platform is not");
    expect(ans(analysisChecklist(record({ inputs: [] })), "provenance-input")).toBe("warn");
    const noOptions = analysisChecklist({ provenance: { ...record().provenance, options: undefined as unknown as object } });
    expect(ans(noOptions, "established-key-settings")).toBe("fail");
    expect(ans(analysisChecklist(record({ options: {} })), "established-key-settings")).toBe("pass");
  });
  test("a bare Provenance works; a record read back from JSON without inputs does not crash", () => {
    expect(ans(analysisChecklist(record().provenance, { platform: PLATFORM }), "established-cite")).toBe("pass");
    const { inputs: _drop, ...rest } = record().provenance;
    expect(ans(analysisChecklist({ provenance: rest as Provenance }), "provenance-input")).toBe("warn");
  });
  test("no record: every item is asked and takes the author's answer", () => {
    const r = analysisChecklist(undefined, { answers: { "established-cite": true, "established-exact-version": false } });
    expect(r.items.every((i) => !i.automatic)).toBe(true);
    expect(ans(r, "established-cite")).toBe("yes");
    expect(ans(r, "established-exact-version")).toBe("no");
    expect(item(r, "established-key-settings")?.evidence).toContain("No limiqc record given");
    expect(r.verdict.level).toBe("fail"); // a minimal item answered no
  });
  test("the record wins over the author's answer to an automatic item", () => {
    const r = analysisChecklist(record({ version: "unknown" }), { answers: { "established-exact-version": true } });
    expect(ans(r, "established-exact-version")).toBe("fail");
    expect(item(r, "established-exact-version")?.evidence).toContain("Your answer was not used");
  });
  test("instrument QC records: pass, or warn when one failed", () => {
    const ok = { verdict: { level: "pass" as const, reason: "ok" }, provenance: makeProvenance("measureFieldUniformity", {}) };
    const bad = { verdict: { level: "fail" as const, reason: "U 40 %" }, provenance: makeProvenance("measureBeadPsf", {}) };
    expect(ans(analysisChecklist(record(), { qcRecords: [ok] }), "provenance-instrument-qc")).toBe("pass");
    const r = analysisChecklist(record(), { qcRecords: [ok, bad] });
    expect(ans(r, "provenance-instrument-qc")).toBe("warn");
    expect(item(r, "provenance-instrument-qc")?.evidence).toContain("1 failed");
  });
  test("everything answered and met gives pass", () => {
    const ok = { verdict: { level: "pass" as const, reason: "ok" }, provenance: makeProvenance("measureFieldUniformity", {}) };
    const manual = ["established-example-data", "established-manual-rois", "established-public-example", "established-usage-documented", "established-container"];
    const r = analysisChecklist(record(), { platform: PLATFORM, qcRecords: [ok], answers: Object.fromEntries(manual.map((id) => [id, true])) });
    expect(r.counts).toEqual({ pass: 6, warn: 0, fail: 0, yes: 5, no: 0, open: 0 });
    expect(r.verdict.level).toBe("pass");
  });
  test("workflow types select the sections; novel and machine-learning items are always asked", () => {
    const r = analysisChecklist(record(), { workflows: ["novel", "machine-learning"] });
    const sections = new Set(r.items.map((i) => i.section));
    expect([...sections]).toEqual(["novel workflow", "machine-learning workflow", "provenance"]);
    expect(r.items.filter((i) => i.section !== "provenance").every((i) => !i.automatic)).toBe(true);
    expect(r.items.filter((i) => i.section === "novel workflow")).toHaveLength(12);
    expect(r.items.filter((i) => i.section === "machine-learning workflow").map((i) => i.tier)).toEqual([
      "minimal", "minimal", "minimal", "recommended", "recommended", "recommended", "recommended", "ideal",
    ]);
    expect(new Set(analysisChecklist(undefined, { workflows: ["established", "novel", "machine-learning"] }).items.map((i) => i.id)).size).toBe(9 + 12 + 8 + 2);
  });
  test("errors: answers to unknown items or unselected workflow types, unknown or no workflow type", () => {
    expect(() => analysisChecklist(record(), { answers: { "ml-model-access": true } })).toThrow(/an item of machine-learning workflows/);
    expect(() => analysisChecklist(record(), { answers: { nonsense: true } })).toThrow(InvalidArgumentError);
    expect(() => analysisChecklist(record(), { answers: { nonsense: true } })).toThrow(/unknown item "nonsense"/);
    expect(() => analysisChecklist(record(), { workflows: ["deep" as "novel"] })).toThrow(/Workflow type "deep" is unknown/);
    expect(() => analysisChecklist(record(), { workflows: [] })).toThrow(/no workflow type/);
  });
  test("Markdown and JSON export", () => {
    const r = analysisChecklist(record(), { platform: PLATFORM });
    const md = publicationReportMarkdown(r, "Image analysis checklist");
    expect(md.startsWith("# Image analysis checklist\n")).toBe(true);
    expect(md).toContain("| established workflow | minimal | The exact version (release, or commit and date) of the workflow is given. | ✅ pass (auto)");
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
  test("platform string and a real record: assessImageQualityFile", async () => {
    expect(analysisPlatform()).toMatch(/^Node\.js v\d+.*(linux|darwin|win32)/);
    const file = join(dir, "iq.ome.tif");
    await writeOmeTiff(file, simulateQualityImage({ seed: 3, sizePx: 64, points: 20 }).image);
    const rec = await assessImageQualityFile(file, { decorrelation: false });
    const r = analysisChecklist(rec, { platform: analysisPlatform() });
    expect(ans(r, "established-cite")).toBe("pass");
    const fromRecord = analysisChecklist(rec); // the platform recorded in the provenance is enough
    expect(ans(fromRecord, "established-cite")).toBe("pass");
    expect(item(fromRecord, "established-cite")?.evidence).toContain(`platform ${process.version === "" ? "?" : `Node.js ${process.version}`}`);
    expect(ans(r, "established-key-settings")).toBe("pass");
    expect(ans(r, "provenance-input")).toBe("pass");
    expect(item(r, "provenance-input")?.evidence).toContain(file);
  });
});
