import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { coregCommand } from "../../src/cli/coreg.js";
import { DimensionError } from "../../src/core/errors.js";
import { COREGISTRATION_RATIO_CRITERION } from "../../src/coregistration/criteria.js";
import { measureCoregistrationFile } from "../../src/coregistration/file.js";
import { coregistrationRatioFigure, coregistrationShiftFigure } from "../../src/coregistration/plots.js";
import { COREGISTRATION_SAMPLE } from "../../src/coregistration/samples.js";
import { makeImage } from "../../src/image/types.js";
import { writeOmeTiff } from "../../src/io/tiff-writer.js";
import { loadProtocol } from "../../src/protocols/load.js";
import { ensureSample } from "../../src/samples/index.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "limiqc-wg4-"));
  process.env.LIMIQC_SAMPLE_DIR = dir;
});
afterAll(() => {
  delete process.env.LIMIQC_SAMPLE_DIR;
  rmSync(dir, { recursive: true, force: true });
});

test("the co-registration sample: known shifts recovered, far-red fails, figures built", async () => {
  const file = await ensureSample("co-registration-beads");
  const r = await measureCoregistrationFile(file, { optics: { modality: "widefield" } });
  expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
  expect(r.fileFacts.channels).toBe(3);
  const ch = COREGISTRATION_SAMPLE.options.channels!;
  for (const [k, target] of [[0, 1], [1, 2]] as const) {
    const a = r.pairs[k].transforms.affine!;
    const s = ch[target].shiftUm!;
    expect(Math.abs(a.centreShiftNm.x - 1000 * s[0])).toBeLessThan(10);
    expect(Math.abs(a.centreShiftNm.z - 1000 * s[2])).toBeLessThan(20);
    expect(Math.abs(a.magnificationPpm!.x - 1e6 * (ch[target].magnification! - 1))).toBeLessThan(300);
  }
  expect(r.pairs[0].verdict.level).toBe("pass");
  expect(r.pairs[1].verdict.level).toBe("fail");
  expect(r.verdict.level).toBe("fail");
  const quiver = coregistrationShiftFigure(r.pairs[1]);
  expect(quiver.data).toHaveLength(3);
  expect(JSON.stringify(quiver.layout)).toMatch(/arrows ×/);
  expect(coregistrationRatioFigure(r).data).toHaveLength(3);
});

test("limiqc coreg prints per-pair results and writes the record", async () => {
  const file = await ensureSample("co-registration-beads");
  const out = join(dir, "coreg.json");
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  try {
    expect(await coregCommand.run([file, "--json", out])).toBe(0);
    const text = log.mock.calls.map((c) => c.join(" ")).join("\n");
    expect(text).toMatch(/assuming widefield/);
    expect(text).toMatch(/channel 0 → 2/);
    expect(text).toMatch(/FAIL —/);
  } finally {
    log.mockRestore();
  }
  expect(existsSync(out)).toBe(true);
  expect(JSON.parse(readFileSync(out, "utf8")).pairs).toHaveLength(3);
});

test("a single-channel file is refused", async () => {
  const path = join(dir, "one-channel.ome.tif");
  await writeOmeTiff(path, makeImage(new Uint16Array(8 * 32 * 32), [8, 32, 32], { voxelSizeUm: [0.2, 0.1, 0.1] }));
  await expect(measureCoregistrationFile(path, { optics: { modality: "widefield", na: 1.4, immersionIndex: 1.518 } })).rejects.toThrow(DimensionError);
  await expect(coregCommand.run([path])).rejects.toThrow(/image has 1 channel/);
});

test("protocol.json matches the criterion the code applies", () => {
  const p = loadProtocol("co-registration");
  expect(p.acceptance[0]).toEqual(COREGISTRATION_RATIO_CRITERION);
  expect(p.notebook).toBe("04-co-registration.ipynb");
});
