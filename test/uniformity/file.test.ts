import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { flatnessCommand } from "../../src/cli/flatness.js";
import { DimensionError } from "../../src/core/errors.js";
import { makeImage } from "../../src/image/types.js";
import { writeOmeTiff } from "../../src/io/tiff-writer.js";
import { loadProtocol } from "../../src/protocols/load.js";
import { ensureSample } from "../../src/samples/index.js";
import { simulateFlatField } from "../../src/simulate/index.js";
import { CENTERING_CRITERION, FLAT_FIELD_RESIDUAL_CRITERION, UNIFORMITY_CRITERION } from "../../src/uniformity/criteria.js";
import { measureFieldUniformityFile } from "../../src/uniformity/file.js";
import { FIELD_UNIFORMITY_SAMPLE } from "../../src/uniformity/samples.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "limiqc-wg3-"));
  process.env.LIMIQC_SAMPLE_DIR = dir;
});
afterAll(() => {
  delete process.env.LIMIQC_SAMPLE_DIR;
  rmSync(dir, { recursive: true, force: true });
});

describe("bundled sample, file reader and CLI", () => {
  test("the field-uniformity sample fails U ≥ 50 % and is measured within 2 points of its truth", async () => {
    const file = await ensureSample("field-uniformity");
    const dark = await ensureSample("field-uniformity-dark");
    const truth = simulateFlatField(FIELD_UNIFORMITY_SAMPLE.options).truth;
    const r = await measureFieldUniformityFile(file, { darkPath: dark });
    expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.provenance.inputs.map((i) => i.file)).toEqual([file, dark]);
    const ch = r.channels[0];
    expect(truth.uniformityPercent).toBeLessThan(50);
    expect(Math.abs(ch.uniformity.value - truth.uniformityPercent)).toBeLessThan(2);
    expect(Math.abs(ch.centeringAccuracy.value - truth.centeringPercent)).toBeLessThan(2);
    expect(Math.abs(ch.maxLocationPx.x.value - truth.maxLocationPx[0])).toBeLessThan(2);
    expect(Math.abs(ch.maxLocationPx.y.value - truth.maxLocationPx[1])).toBeLessThan(2);
    expect(ch.defects.cellCount).toBeGreaterThan(0);
    expect(ch.pixelSizeUm).toBeCloseTo(0.325, 6);
    expect(r.verdict.level).toBe("fail");
  });

  test("limiqc flatness prints the verdict and writes the record", async () => {
    const file = await ensureSample("field-uniformity");
    const dark = await ensureSample("field-uniformity-dark");
    const out = join(dir, "flat.json");
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      expect(await flatnessCommand.run([file, "--dark", dark, "--json", out])).toBe(0);
      const text = log.mock.calls.map((c) => c.join(" ")).join("\n");
      expect(text).toMatch(/uniformity U\s+\d+\.\d ± \d+\.\d %/);
      expect(text).toMatch(/FAIL — Uniformity/);
    } finally {
      log.mockRestore();
    }
    expect(existsSync(out)).toBe(true);
    const rec = JSON.parse(readFileSync(out, "utf8"));
    expect(rec.channels[0].uniformity.unit).toBe("%");
    await expect(flatnessCommand.run([file, "--json", out])).rejects.toThrow(/already exists/);
  });

  test("a z-stack needs --z; the dark file must match in size", async () => {
    const sim = simulateFlatField({ shape: [64, 64], seed: 1 });
    const stack = makeImage(new Uint16Array(3 * 64 * 64), [3, 64, 64], { voxelSizeUm: [1, 0.3, 0.3] });
    stack.data.set(sim.image.data, 64 * 64);
    const path = join(dir, "stack.ome.tif");
    await writeOmeTiff(path, stack);
    await expect(measureFieldUniformityFile(path)).rejects.toThrow(DimensionError);
    await expect(measureFieldUniformityFile(path)).rejects.toThrow(/z-stack of 3 planes/);
    const r = await measureFieldUniformityFile(path, { z: 1 });
    expect(r.channels[0].uniformity.value).toBeGreaterThan(0);
    const small = join(dir, "small-dark.ome.tif");
    await writeOmeTiff(small, makeImage(new Uint16Array(32 * 48), [1, 32, 48]));
    await expect(measureFieldUniformityFile(path, { z: 1, darkPath: small })).rejects.toThrow(/dark image is 48 × 32 px/);
  });
});

test("protocol.json matches the criteria the code applies", () => {
  const p = loadProtocol("field-uniformity");
  const byId = Object.fromEntries(p.acceptance.map((a) => [a.id, a]));
  for (const c of [UNIFORMITY_CRITERION, CENTERING_CRITERION, FLAT_FIELD_RESIDUAL_CRITERION]) expect(byId[c.id]).toEqual(c);
  expect(p.notebook).toBe("03-field-uniformity.ipynb");
  expect(p.sop).toMatch(/U ≥ 50|≥ 50 %/);
});
