import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, expect, test, vi } from "vitest";
import { iqCommand } from "../../src/cli/iq.js";
import { ensureQualityDemoFolder } from "../../src/quality/simulate-quality.js";

const dir = mkdtempSync(join(tmpdir(), "limiqc-iq-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let lines: string[] = [];
beforeEach(() => {
  lines = [];
  vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => {
    lines.push(a.join(" "));
  });
});
afterEach(() => vi.restoreAllMocks());

test("limiqc iq: shared optics flags reach the sampling check; camera flags are validated; --json written", async () => {
  const folder = await ensureQualityDemoFolder(join(dir, "demo"));
  const json = join(dir, "iq.json");
  const flags = ["--na", "1.4", "--immersion", "oil", "--emission", "520", "--no-decorrelation"];
  expect(await iqCommand.run([folder, ...flags, "--json", json])).toBe(0);
  expect(lines.join("\n")).toMatch(/Verdict: (PASS|WARN|FAIL) — /);
  const record = JSON.parse(readFileSync(json, "utf8")) as { images: { options?: { optics?: { na: number; immersionIndex: number; modality: string } } }[] };
  expect(JSON.stringify(record)).toContain('"na":1.4');
  expect(JSON.stringify(record)).toContain('"immersionIndex":1.518');
  await expect(iqCommand.run([folder, ...flags, "--gain", "0.5", "--offset", "abc"])).rejects.toThrow(/--offset is "abc"; expected a number/);
  await expect(iqCommand.run([folder, "--na", "1.4", "--modality", "sted"])).rejects.toThrow(/--modality "sted" is unknown/);
});
