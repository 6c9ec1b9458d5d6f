import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { makeImage } from "../../src/image/types.js";
import { writeOmeTiff } from "../../src/io/tiff-writer.js";
import { METADATA_SAMPLE_OME_XML, metadataFromOmeXml, readAcquisitionMetadata } from "../../src/metadata/index.js";
import { evaluateChecklist } from "../../src/protocols/checklist.js";
import { loadProtocol } from "../../src/protocols/load.js";
import { judgeOriginalBitDepth } from "../../src/protocols/bit-depth.js";
import { publicationChecklist } from "../../src/publication/index.js";

const dir = mkdtempSync(join(tmpdir(), "limiqc-bitdepth-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("original bit depth kept (judged against the detector's depth)", () => {
  test("stored below the detector's depth fails; at or above passes", () => {
    const f = judgeOriginalBitDepth({ bitsPerSample: 8, significantBits: 12 });
    expect(f.answer).toBe("fail");
    expect(f.evidence).toContain("Stored as 8-bit but the detector recorded 12 bits");
    expect(judgeOriginalBitDepth({ bitsPerSample: 16, significantBits: 12 }).answer).toBe("pass");
    expect(judgeOriginalBitDepth({ bitsPerSample: 16, significantBits: 16 }).answer).toBe("pass");
    expect(judgeOriginalBitDepth({ bitsPerSample: 32, significantBits: 16 }).answer).toBe("pass");
  });
  test("an honest 8-bit camera (detector depth 8) passes, with a reminder about writer defaults", () => {
    const r = judgeOriginalBitDepth({ bitsPerSample: 8, significantBits: 8 });
    expect(r.answer).toBe("pass");
    expect(r.evidence).toContain("storage depth here by default");
  });
  test("detector depth unknown: 8-bit warns and asks to confirm; 16/32-bit pass; storage unknown is open", () => {
    const w = judgeOriginalBitDepth({ bitsPerSample: 8 });
    expect(w.answer).toBe("warn");
    expect(w.evidence).toContain("confirm that 8 bits is the detector's native depth");
    expect(judgeOriginalBitDepth({ pixelType: "uint8" }).answer).toBe("warn"); // sidecar: type only
    expect(judgeOriginalBitDepth({ bitsPerSample: 16 }).answer).toBe("pass");
    expect(judgeOriginalBitDepth({ pixelType: "float32" }).answer).toBe("pass");
    expect(judgeOriginalBitDepth({}).answer).toBe("open");
  });
  test("publicationChecklist item bit-depth: the 12-bit-in-uint16 sample passes, an 8-bit copy of it fails the checklist", () => {
    const m = metadataFromOmeXml(METADATA_SAMPLE_OME_XML);
    const item = (r: ReturnType<typeof publicationChecklist>) => r.items.find((i) => i.id === "bit-depth");
    expect(item(publicationChecklist(m))?.answer).toBe("pass");
    const reduced = publicationChecklist({ ...m, pixelType: "uint8", bitsPerSample: 8 });
    expect(item(reduced)?.answer).toBe("fail");
    expect(item(reduced)?.tier).toBe("minimal");
    expect(reduced.verdict.level).toBe("fail");
    expect(reduced.verdict.reason).toContain("bit-depth");
    expect(reduced.minimalNotMet).toBeGreaterThanOrEqual(1);
  });
  test("files: 8-bit OME-TIFF without detector depth warns, 12-bit in uint16 passes (read back from disk)", async () => {
    const n = 16;
    const f8 = join(dir, "eight.ome.tif");
    const f12 = join(dir, "twelve.ome.tif");
    await writeOmeTiff(f8, makeImage(new Uint8Array(n * n).fill(40), [1, n, n], { voxelSizeUm: [1, 0.1, 0.1] }));
    await writeOmeTiff(f12, makeImage(new Uint16Array(n * n).fill(400), [1, n, n], { voxelSizeUm: [1, 0.1, 0.1], bitDepth: 12 }));
    const m8 = await readAcquisitionMetadata(f8);
    const m12 = await readAcquisitionMetadata(f12);
    expect([m8.bitsPerSample, m8.significantBits]).toEqual([8, undefined]);
    expect(publicationChecklist(m8).items.find((i) => i.id === "bit-depth")?.answer).toBe("warn");
    expect(m12.significantBits).toBe(12);
    expect(publicationChecklist(m12).items.find((i) => i.id === "bit-depth")?.answer).toBe("pass");
  });
  test("protocol checklist: original-bit-depth judged against the detector, not a 12-bit minimum like the acquisition check", () => {
    const protocol = loadProtocol("publication");
    const status = (facts: Parameters<typeof evaluateChecklist>[1]) => evaluateChecklist(protocol, facts).find((i) => i.id === "bit-depth")?.auto?.status;
    const acquisitionCheck = (facts: Parameters<typeof evaluateChecklist>[1]) =>
      evaluateChecklist([{ id: "acq", text: "acquire at ≥ 12 bits", auto: { check: "bit-depth", params: { minBits: 12 } } }], facts)[0]?.auto?.status;
    expect(status({ bitsPerSample: 8, significantBits: 8 })).toBe("pass");
    expect(acquisitionCheck({ bitsPerSample: 8, significantBits: 8 })).toBe("warn");
    expect(status({ bitsPerSample: 8, significantBits: 12 })).toBe("fail"); // a reduced copy
    expect(status({ bitsPerSample: 8 })).toBe("warn");
    expect(status({ bitsPerSample: 16 })).toBe("pass");
    expect(status({})).toBe("unknown");
  });
});
