import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test, vi } from "vitest";
import { ptcCommand } from "../../src/cli/ptc.js";
import { analyseCameraSeries } from "../../src/detector/camera.js";
import { cameraPixelMaps } from "../../src/detector/dark.js";
import { DEFAULT_DETECTOR_LIMITS } from "../../src/detector/photon-transfer.js";
import { cameraSnrPlot, gainSeriesPlot, noiseMapPlot, photonTransferPlot } from "../../src/detector/plots.js";
import { measureDetectorGainSeries } from "../../src/detector/point.js";
import { readCameraSeries, writeCameraSeries } from "../../src/detector/series-io.js";
import { simulatePointDetectorImage } from "../../src/detector/simulate-point.js";
import { loadProtocol } from "../../src/protocols/load.js";
import { simulateCameraSeries } from "../../src/simulate/camera.js";

afterEach(() => {
  vi.restoreAllMocks();
});

async function folder(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "limiqc-ptc-cli-"));
  await writeCameraSeries(dir, simulateCameraSeries({ seed: 5, levels: 12, shape: [32, 32], darkSeriesFrames: 8, camera: { hotPixelFraction: 0.01 } }));
  return dir;
}

describe("limiqc ptc and the detector plots", () => {
  test("ptc prints the levels, results and verdict, and writes the record", async () => {
    const dir = await folder();
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => {
      lines.push(a.join(" "));
    });
    const json = join(dir, "ptc.json");
    expect(await ptcCommand.run([dir, "--json", json, "--spec-gain", "0.45", "--spec-read-noise", "1.0"])).toBe(0);
    const out = lines.join("\n");
    expect(out).toMatch(/12 levels \(manifest\)/);
    expect(out).toMatch(/conversion gain\s+0\.4\d+ ± /);
    expect(out).toMatch(/no: saturated: /);
    expect(out).toMatch(/dark test\s+median read noise/);
    expect(out).toMatch(/Verdict: FAIL — read noise .* vs 1/);
    const rec = JSON.parse(readFileSync(json, "utf8"));
    expect(rec.provenance.fn).toBe("analyseCameraSeries");
    expect(rec.provenance.inputs.length).toBe(12 + 12 + 1);
    expect(rec.darkNoise.warm.pixels).toBeGreaterThan(0);
    await expect(ptcCommand.run([dir, "--json", json])).rejects.toThrow(/already exists/);
    await expect(ptcCommand.run([])).rejects.toThrow(/ptc takes one FOLDER; got 0/);
    await expect(ptcCommand.run([dir, "--spec-gain=-1"])).rejects.toThrow(/--spec-gain is "-1"/);
  });

  test("figures: PTC with the fit and the saturation knee, SNR, noise map, gain series", async () => {
    const data = await readCameraSeries(await folder());
    const r = analyseCameraSeries(data);
    const ptc = photonTransferPlot(r.photonTransfer);
    expect(ptc.data.length).toBe(3);
    expect(JSON.stringify(ptc.layout)).toMatch(/saturation \d+ e⁻/);
    expect(JSON.stringify(ptc.data)).toMatch(/excluded/);
    const snr = cameraSnrPlot(r.photonTransfer);
    expect(snr.data.length).toBe(3);
    const maps = cameraPixelMaps(data.darkSeries!, { conversionGainEPerAdu: 0.45 });
    expect(JSON.stringify(noiseMapPlot(maps).layout)).toMatch(/Temporal noise/);
    expect(JSON.stringify(noiseMapPlot(maps, "warm").layout)).toMatch(/Warm in fraction of frames/);
    const levels = [400, 500, 600].map((g, i) => ({ gain: g, image: simulatePointDetectorImage({ photonsPerPixel: 10, gainAduPerPhoton: g / 100, shape: [2, 16, 16], seed: i }).image }));
    const gs = measureDetectorGainSeries(levels, { offsetAdu: 10 });
    expect(JSON.stringify(gainSeriesPlot(gs).layout)).toMatch(/yaxis2/);
  });

  test("default limits equal the protocol's acceptance criteria", () => {
    const p = loadProtocol("detector");
    const pairs: [string, { warn: number; fail: number }][] = [
      ["gain-deviation", DEFAULT_DETECTOR_LIMITS.gainDeviationPercent],
      ["read-noise-ratio", DEFAULT_DETECTOR_LIMITS.readNoiseRatio],
      ["dark-current-ratio", DEFAULT_DETECTOR_LIMITS.darkCurrentRatio],
      ["linearity-error", DEFAULT_DETECTOR_LIMITS.linearityErrorPercent],
      ["defect-pixels", DEFAULT_DETECTOR_LIMITS.defectPixelPercent],
      ["snr-ratio", DEFAULT_DETECTOR_LIMITS.snrRatio],
    ];
    for (const [id, l] of pairs) {
      const a = p.acceptance.find((x) => x.id === id)!;
      expect([a.warn, a.fail]).toEqual([l.warn, l.fail]);
    }
    expect(p.acceptance.length).toBe(pairs.length);
  });
});
