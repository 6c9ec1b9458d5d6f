import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { stageCommand } from "../../src/cli/stage.js";
import { readImage } from "../../src/io/tiff-reader.js";
import { ensureSample } from "../../src/samples/index.js";
import "../../src/stage/index.js";
import { analyseStageSeries } from "../../src/stage/analyse.js";
import { STAGE_SERIES_SAMPLE_SETTINGS } from "../../src/stage/samples.js";

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "limiqc-stage-"));
  process.env.LIMIQC_SAMPLE_DIR = dir;
});
afterAll(() => {
  delete process.env.LIMIQC_SAMPLE_DIR;
});
afterEach(() => {
  vi.restoreAllMocks();
});

function capture(): () => string {
  const lines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => {
    lines.push(a.join(" "));
  });
  return () => lines.join("\n");
}

describe("stage samples and limiqc stage", () => {
  test("stage-series sample: the lost bead is excluded, 3000 µm scatter fails, backlash is found", async () => {
    const path = await ensureSample("stage-series");
    const stack = await readImage(path);
    expect(stack.shape).toEqual([160, 64, 64]);
    const r = analyseStageSeries(stack);
    expect(r.localisation.excluded.map((e) => e.frame)).toEqual([STAGE_SERIES_SAMPLE_SETTINGS.lostBeadFrame]);
    expect(r.verdict.level).toBe("fail");
    expect(r.verdict.reason).toMatch(/^3000 µm moves/);
    const x300 = r.repeatability.sizes[0].isoX!;
    expect(Math.abs(x300.reversalUm.value - 0.6)).toBeLessThan(0.15);
  });

  test("limiqc stage FILE.tif, --drift, and a position table", async () => {
    const out = capture();
    const json = join(dir, "stage.json");
    expect(await stageCommand.run([await ensureSample("stage-series"), "--json", json])).toBe(0);
    expect(out()).toMatch(/160 captures, bead found in 159 \(gaussian\)/);
    expect(out()).toMatch(/frame 37 excluded: no bead found/);
    expect(out()).toMatch(/ISO 230-2 x: s↑ \d+ nm/);
    expect(out()).toMatch(/Verdict: FAIL — 3000 µm moves/);
    const rec = JSON.parse(readFileSync(json, "utf8"));
    expect(rec.provenance.inputs[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(rec.repeatability.sizes.length).toBe(2);

    expect(await stageCommand.run([await ensureSample("drift-series"), "--drift", "--interval", "20", "--json", join(dir, "drift.json")])).toBe(0);
    expect(out()).toMatch(/60 time points \(2D\)/);
    expect(out()).toMatch(/stabilised at (80|100|120) s/);

    const table = join(dir, "pos.csv");
    writeFileSync(table, "size_um,direction,x_um,y_um\n300,1,0.1,0.2\n300,2,0.0,0.1\n300,3,0.05,0.15\n300,4,0.1,0.1\n");
    expect(await stageCommand.run([table])).toBe(0);
    expect(out()).toMatch(/4 captures from the position table/);
    await expect(stageCommand.run([table, "--method", "magic"])).rejects.toThrow(/--method "magic"/);
    await expect(stageCommand.run([])).rejects.toThrow(/stage takes one FILE; got 0/);
    await expect(stageCommand.run([join(dir, "missing.csv")])).rejects.toThrow(/missing\.csv does not exist/);
  });
});
