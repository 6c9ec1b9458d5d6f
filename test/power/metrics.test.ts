import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { DimensionError, InsufficientDataError, InvalidArgumentError } from "../../src/core/errors.js";
import { Random } from "../../src/core/random.js";
import { makeImage } from "../../src/image/types.js";
import { analysePowerLog } from "../../src/power/analyse.js";
import "../../src/power/index.js";
import { measureIntensityStability } from "../../src/power/intensity.js";
import { measureSeriesStability, movingAverageByTime } from "../../src/power/metrics.js";
import { readPowerLog } from "../../src/power/parse.js";
import { powerLinearityPlot, powerTimePlot } from "../../src/power/plots.js";
import { ensureSample } from "../../src/samples/index.js";

describe("measureSeriesStability", () => {
  test("known answer (TSDoc example)", () => {
    const s = measureSeriesStability([0, 1, 2, 3], [1, 1.02, 0.98, 1], "mW");
    expect(s.stabilityPercent.value).toBeCloseTo(98, 12);
    expect(s.cvPercent.value).toBeCloseTo(100 * Math.sqrt(0.0002), 12);
    expect(s.mean.value).toBeCloseTo(1, 12);
    expect(s.min.value).toBe(0.98);
    expect(s.max.value).toBe(1.02);
    expect(s.warmup).toBeNull(); // shorter than two smoothing windows
    expect(s.mean.unit).toBe("mW");
  });

  test("more noise gives a lower S and a higher CV", () => {
    const rng = new Random(3);
    const t = Array.from({ length: 300 }, (_, i) => i);
    const base = t.map(() => rng.normal());
    const a = measureSeriesStability(t, base.map((z) => 10 * (1 + 0.001 * z)), "mW");
    const b = measureSeriesStability(t, base.map((z) => 10 * (1 + 0.004 * z)), "mW");
    expect(b.stabilityPercent.value).toBeLessThan(a.stabilityPercent.value);
    expect(Math.abs(b.cvPercent.value / a.cvPercent.value - 4)).toBeLessThan(1e-3);
  });

  test("movingAverageByTime: centred window on irregular times", () => {
    const m = movingAverageByTime([0, 1, 2, 5, 6], [1, 2, 3, 4, 5], 2);
    expect(Array.from(m)).toEqual([1.5, 2, 2.5, 4.5, 4.5]);
  });

  test("errors", () => {
    expect(() => measureSeriesStability([0], [1], "mW")).toThrow(InsufficientDataError);
    expect(() => measureSeriesStability([0, 1], [-1, 0.5], "mW")).toThrow(/mean reading is -0.25 mW/);
    expect(() => measureSeriesStability([0, 2, 1], [1, 1, 1], "mW")).toThrow(/Time goes backwards at reading 2/);
    expect(() => measureSeriesStability([0, 1], [1, Number.NaN], "mW")).toThrow(InvalidArgumentError);
    expect(() => measureSeriesStability([0, 1], [1, 1], "mW", { referenceFraction: 0 })).toThrow(/referenceFraction/);
  });
});

describe("measureIntensityStability", () => {
  test("recovers the planted per-frame means, S, CV and drift of a time-lapse", () => {
    const nf = 361;
    const rng = new Random(7);
    const offset = 100;
    const planted: number[] = [];
    const data = new Float32Array(nf * 8 * 8);
    for (let f = 0; f < nf; f++) {
      const tS = f * 10;
      const mean = 1000 * (1 + (0.03 * tS) / 3600) * (1 + rng.normal(0, 0.002));
      planted.push(mean);
      for (let p = 0; p < 64; p++) data[f * 64 + p] = mean + offset + (p % 2 === 0 ? 5 : -5);
    }
    const r = measureIntensityStability(makeImage(data, [nf, 8, 8]), { frameIntervalS: 10, darkOffsetAdu: offset });
    r.meansAdu.forEach((m, i) => {
      expect(Math.abs(m - planted[i])).toBeLessThan(1e-3);
    });
    const ref = measureSeriesStability(r.timesS, planted, "ADU");
    expect(Math.abs(r.stability.stabilityPercent.value - ref.stabilityPercent.value)).toBeLessThan(1e-4);
    expect(Math.abs(r.stability.cvPercent.value - ref.cvPercent.value)).toBeLessThan(1e-4);
    const expectedDrift = 3 / 1.015; // 3 %/h of the start value, relative to the mean over 1 h
    expect(Math.abs(r.stability.driftPercentPerH.value - expectedDrift) / expectedDrift).toBeLessThan(0.05);
    expect(r.checks.find((c) => c.id === "drift")!.level).toBe("warn");
    expect(r.verdict.level).toBe("warn");
    expect(r.provenance.notes).toEqual([]);
  });

  test("ROI, missing offset note and errors", () => {
    const d = new Float32Array(2 * 4 * 4);
    for (let f = 0; f < 2; f++) for (let p = 0; p < 16; p++) d[f * 16 + p] = p < 8 ? 10 : 20 + f;
    const img = makeImage(d, [2, 4, 4]);
    const r = measureIntensityStability(img, { roi: { x0: 0, y0: 2, width: 4, height: 2 } });
    expect(r.meansAdu).toEqual([20, 21]);
    expect(r.provenance.notes.join(" ")).toMatch(/No dark offset subtracted/);
    expect(() => measureIntensityStability(makeImage(new Float32Array(16), [1, 4, 4]))).toThrow(DimensionError);
    expect(() => measureIntensityStability(img, { roi: { x0: 3, y0: 0, width: 4, height: 2 } })).toThrow(DimensionError);
    expect(() => measureIntensityStability(img, { timesS: [0] })).toThrow(/timesS has 1 values for 2 frames/);
  });
});

describe("bundled sample and plots", () => {
  test("the power-log sample is generated, parsed and plotted", async () => {
    process.env.LIMIQC_SAMPLE_DIR = mkdtempSync(join(tmpdir(), "limiqc-power-"));
    try {
      const path = await ensureSample("power-log");
      expect(path.endsWith("power-log.tsv")).toBe(true);
      const log = await readPowerLog(path);
      expect(log.format).toBe("smartlpm");
      const r = analysePowerLog(log);
      expect(r.blocks.length).toBe(9);
      expect(r.verdict.level).toBe("fail");
      const fig = powerTimePlot(log, r);
      expect(fig.data.length).toBe(9);
      expect(JSON.stringify(fig.layout)).toMatch(/S 99 % band/);
      const lin = powerLinearityPlot(r, 561);
      expect(lin.data.length).toBe(4);
      expect(JSON.stringify(lin.layout)).toMatch(/yaxis2/);
      expect(() => powerLinearityPlot(r, 405)).toThrow(/No linearity fit for 405 nm .* \(fits for: 488, 561, 640\)/);
    } finally {
      delete process.env.LIMIQC_SAMPLE_DIR;
    }
  });
});
