import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { publicationCommand } from "../../src/cli/publication.js";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { publicationChecklistFile, publicationFileMarkdown } from "../../src/publication/index.js";
import { assessImageQualityFile } from "../../src/quality/index.js";
import { ensureSample } from "../../src/samples/index.js";
import "../../src/metadata/index.js"; // registers the metadata-gaps sample

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "limiqc-pub-"));
  process.env.LIMIQC_SAMPLE_DIR = dir;
});
afterAll(() => {
  delete process.env.LIMIQC_SAMPLE_DIR;
  rmSync(dir, { recursive: true, force: true });
});

describe("publication checklists of a file, and the CLI", () => {
  test("image checklist from the file; analysis checklist from a record; answers routed by id", async () => {
    const file = await ensureSample("metadata-gaps");
    const iq = await assessImageQualityFile(file, { decorrelation: false });
    const r = await publicationChecklistFile(file, { analysisRecord: iq, answers: { "scale-bar": true, "established-example-data": true } });
    expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.image.items.find((i) => i.id === "lossless-format")?.answer).toBe("pass"); // uncompressed OME-TIFF
    expect(r.image.items.find((i) => i.id === "bit-depth")?.answer).toBe("pass"); // 12-bit in uint16
    expect(r.image.items.find((i) => i.id === "scale-bar")?.answer).toBe("yes");
    expect(r.analysis?.items.find((i) => i.id === "established-example-data")?.answer).toBe("yes");
    expect(r.analysis?.items.find((i) => i.id === "provenance-input")?.evidence).toContain(iq.provenance.inputs[0].sha256.slice(0, 12));
    expect(r.verdict.level).toBe("fail"); // red/green channels
    expect(r.provenance.inputs).toEqual([{ file, sha256: r.sha256 }]);
    const md = publicationFileMarkdown(r);
    expect(md).toContain("# Image publication checklist");
    expect(md).toContain("# Image analysis checklist");
    const noAnalysis = await publicationChecklistFile(file);
    expect(noAnalysis.analysis).toBeNull();
    await expect(publicationChecklistFile(file, { answers: { "no-such-item": true } })).rejects.toThrow(InvalidArgumentError);
  });

  test("limiqc publication prints both checklists and the verdict, writes JSON and Markdown, never overwrites", async () => {
    const file = await ensureSample("metadata-gaps");
    const record = join(dir, "iq.json");
    writeFileSync(record, JSON.stringify(await assessImageQualityFile(file, { decorrelation: false })));
    const answers = join(dir, "answers.json");
    writeFileSync(answers, JSON.stringify({ "scale-bar": true }));
    const json = join(dir, "pub.json");
    const md = join(dir, "pub.md");
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      expect(await publicationCommand.run([file, "--answers", answers, "--analysis", record, "--json", json, "--markdown", md])).toBe(0);
      const text = log.mock.calls.map((c) => c.join(" ")).join("\n");
      expect(text).toContain("Image publication checklist:");
      expect(text).toContain("Image analysis checklist:");
      expect(text).toMatch(/FAIL\s+\[minimal\] colour-blind-safe/);
      expect(text).toMatch(/Verdict: FAIL — /);
    } finally {
      log.mockRestore();
    }
    expect(JSON.parse(readFileSync(json, "utf8")).analysis.items.length).toBe(11);
    expect(existsSync(md)).toBe(true);
    await expect(publicationCommand.run([file, "--markdown", md])).rejects.toThrow(/already exists/);
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ "scale-bar": "yes" }));
    await expect(publicationCommand.run([file, "--answers", join(dir, "bad.json")])).rejects.toThrow(/expected true or false/);
    await expect(publicationCommand.run([file, "--workflow", "deep"])).rejects.toThrow(/--workflow "deep" is unknown/);
    await expect(publicationCommand.run([])).rejects.toThrow(/one FILE/);
  });
});
