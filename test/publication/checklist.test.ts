import { describe, expect, test } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { makeProvenance } from "../../src/core/provenance.js";
import { METADATA_SAMPLE_OME_XML, metadataFromOmeXml } from "../../src/metadata/index.js";
import { checkColourBlindSafe, publicationChecklist, publicationReportMarkdown, simulateColourDeficiency } from "../../src/publication/index.js";

const ans = (r: ReturnType<typeof publicationChecklist>, id: string): string | undefined => r.items.find((i) => i.id === id)?.answer;

describe("publication checklist", () => {
  test("colour-vision simulation: red and green collapse for deuteranopes, magenta/green do not", () => {
    const r = simulateColourDeficiency("#ff0000", "deuteranopia");
    const g = simulateColourDeficiency("#00ff00", "deuteranopia");
    expect(r[0] / r[1]).toBeCloseTo(g[0] / g[1], 0); // both become yellow (same hue), only brightness differs
    expect(checkColourBlindSafe(["#ff0000", "#00ff00"]).ok).toBe(false);
    expect(checkColourBlindSafe(["#ff00ff", "#00ff00"]).ok).toBe(true);
    expect(simulateColourDeficiency("#ffffff", "protanopia").every((c) => Math.abs(c - 1) < 0.01)).toBe(true);
    expect(() => simulateColourDeficiency("green", "protanopia")).toThrow(InvalidArgumentError);
  });
  test("auto items from the metadata-gaps sample (green + red channels fail colour-blind safety)", () => {
    const m = metadataFromOmeXml(METADATA_SAMPLE_OME_XML);
    const r = publicationChecklist(m, { compression: "none (1)" });
    expect(ans(r, "pixel-size-known")).toBe("pass");
    expect(ans(r, "lossless-format")).toBe("pass");
    expect(ans(r, "bit-depth")).toBe("pass"); // 12-bit detector in uint16
    expect(ans(r, "colour-blind-safe")).toBe("fail");
    expect(ans(r, "qc-attached")).toBe("open");
    expect(ans(r, "scale-bar")).toBe("open");
    expect(r.verdict.level).toBe("fail");
    expect(r.minimalNotMet).toBe(1);
    expect(r.provenance.fn).toBe("publicationChecklist");
    const md = publicationReportMarkdown(r);
    expect(md).toContain("| colours and channels | minimal | Channel colours are colour-blind accessible. | ❌ fail (auto)");
  });
  test("no metadata: pixel size fails; user answers and QC records are taken", () => {
    const m = metadataFromOmeXml("junk");
    const qc = [{ verdict: { level: "pass" as const, reason: "ok" }, provenance: makeProvenance("measureBeadPsf", {}) }];
    const r = publicationChecklist(m, { compression: "JPEG (7)", qcRecords: qc, answers: { "scale-bar": true, "public-database": false } });
    expect(ans(r, "pixel-size-known")).toBe("fail");
    expect(ans(r, "lossless-format")).toBe("fail");
    expect(ans(r, "bit-depth")).toBe("open"); // no pixel type at all
    expect(ans(r, "qc-attached")).toBe("pass");
    expect(ans(r, "scale-bar")).toBe("yes");
    expect(ans(r, "public-database")).toBe("no");
    expect(() => publicationChecklist(m, { answers: { nonsense: true } })).toThrow(/unknown item "nonsense"/);
  });
});
