import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { DimensionError, InsufficientDataError, InvalidArgumentError } from "../../src/core/errors.js";
import { gaussianBlur } from "../../src/image/blur.js";
import { type ImageView, makeImage } from "../../src/image/types.js";
import { writeOmeTiff } from "../../src/io/tiff-writer.js";
import {
  assessImageQuality,
  assessImageQualityFile,
  assessImageQualityFolder,
  estimateNoiseSd,
  focusScore,
  imageQualityPlots,
  poissonGaussianSdAdu,
  simulateQualityImage,
} from "../../src/quality/index.js";

const dir = mkdtempSync(join(tmpdir(), "limiqc-iq-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const OPTICS = { modality: "widefield" as const, na: 1.4, immersionIndex: 1.518, emissionWavelengthNm: 520 };

describe("noise, saturation, focus on simulated images", () => {
  test("MAD noise estimate within 5 % (Gaussian noise on structured image)", () => {
    for (const sd of [3, 10, 40]) {
      const { image, truth } = simulateQualityImage({ noiseSdAdu: sd, seed: sd });
      const est = estimateNoiseSd(image).value;
      expect(Math.abs(est / truth.noiseSdAdu - 1), `σ=${sd}`).toBeLessThan(0.05);
    }
  });
  test("Poisson-Gaussian: MAD estimate and camera-model prediction within 5 % at background", () => {
    const cam = { conversionGainEPerAdu: 0.5, offsetAdu: 100, readNoiseE: 3 };
    const { image, truth } = simulateQualityImage({ noise: "poisson-gaussian", ...cam, backgroundPhotons: 200, photons: 2000, seed: 4 });
    const r = assessImageQuality([image], { camera: cam, decorrelation: false });
    const n = r.channels[0].noise;
    expect(Math.abs(n.noiseSdAdu.value / truth.noiseSdAdu - 1)).toBeLessThan(0.05);
    expect(Math.abs((n.modelNoiseSdAdu?.value ?? 0) / truth.noiseSdAdu - 1)).toBeLessThan(0.05);
    expect(Math.abs(n.backgroundAdu.value - truth.backgroundAdu)).toBeLessThan(0.05 * truth.backgroundAdu);
    expect(poissonGaussianSdAdu(1100, { conversionGainEPerAdu: 1, offsetAdu: 100, readNoiseE: 2 })).toBeCloseTo(Math.sqrt(1004), 9);
  });
  test("saturation fraction is exact", () => {
    const { image, truth } = simulateQualityImage({ saturatedPixels: 37, seed: 2 });
    const r = assessImageQuality([image], { decorrelation: false });
    const c = r.channels[0];
    expect(c.saturationAdu).toBe(4095);
    expect(c.saturatedPercent.value).toBe((100 * truth.saturatedPixels) / (192 * 192));
    expect(c.checks.find((k) => k.criterion === "saturation")?.level).toBe("fail"); // 0.1 % = 36.9 px
    const r0 = assessImageQuality([simulateQualityImage({ seed: 2 }).image], { decorrelation: false });
    expect(r0.channels[0].saturatedPercent.value).toBe(0);
  });
  test("focus score decreases monotonically with defocus (scalar PSF), independent of noise level", () => {
    // 0–1 µm spans in-focus to ~2 axial FWHMs of a 1.4-NA PSF; beyond, the noise-corrected score flattens near 0 at σ = 20.
    for (const [sd, defocus] of [[5, [0, 0.2, 0.4, 0.7, 1, 2]], [20, [0, 0.2, 0.4, 0.7, 1]]] as const) {
      const scores = defocus.map((dz) => {
        const { image } = simulateQualityImage({ defocusUm: dz, noiseSdAdu: sd, seed: 11 });
        return focusScore(image, 0, estimateNoiseSd(image).value);
      });
      for (let i = 1; i < scores.length; i++) expect(scores[i], `σ ${sd}, dz ${defocus[i]}`).toBeLessThan(scores[i - 1]);
    }
  }, 20000);
  test("SNR, dynamic range, sampling and decorrelation resolution in the record", () => {
    const { image } = simulateQualityImage({ sizePx: 256, points: 300, noiseSdAdu: 5, seed: 3 });
    const r = assessImageQuality([image], { optics: OPTICS });
    const c = r.channels[0];
    expect(c.snr.value).toBeGreaterThan(10);
    expect(c.effectiveBits.value).toBeGreaterThan(6);
    expect(c.sampling?.level).toBe("pass"); // 65 nm < Nyquist 92.9 nm
    expect(c.resolutionStatus).toMatch(/resolved|nyquist-limited/);
    expect(c.resolution?.value ?? 0).toBeGreaterThan(0.15);
    expect(c.resolution?.value ?? 1).toBeLessThan(0.35);
    expect(r.verdict.level).toBe("pass");
    expect(JSON.parse(JSON.stringify(r)).channels[0].score).toBe(r.score);
  }, 20000);
  test("low signal fails SNR; weights change the score", () => {
    const { image } = simulateQualityImage({ photons: 150, noiseSdAdu: 20, seed: 5 });
    const r = assessImageQuality([image], { decorrelation: false });
    expect(r.channels[0].checks.find((k) => k.criterion === "snr")?.level).toBe("fail");
    const r2 = assessImageQuality([image], { decorrelation: false, weights: { snr: 0 } });
    expect(r2.score).toBeGreaterThan(r.score);
  });
  test("streamed focus filter equals the blur-then-Laplacian definition; quickselect noise equals the sorted-median definition", () => {
    const { image } = simulateQualityImage({ sizePx: 70, points: 25, seed: 8, noiseSdAdu: 6 });
    // reference: full gaussianBlur (σ 1 px), 4-neighbour Laplacian over the interior (border 5 px), noise term removed
    const blurred = gaussianBlur(image, [0, 1, 1]).data;
    const n = 70;
    const b = 5;
    let s = 0;
    let s2 = 0;
    let sum = 0;
    let c = 0;
    for (let y = b; y < n - b; y++) {
      for (let x = b; x < n - b; x++) {
        const i = y * n + x;
        const l = blurred[i - n] + blurred[i + n] + blurred[i - 1] + blurred[i + 1] - 4 * blurred[i];
        s += l;
        s2 += l * l;
        sum += blurred[i];
        c++;
      }
    }
    const ref = (s2 / c - (s / c) ** 2) / (sum / c) ** 2;
    expect(Math.abs(focusScore(image, 0, 0) / ref - 1)).toBeLessThan(1e-5); // float32 vs float64 blur
    // noise reference: sort-based darkest-quarter selection and MAD, as defined in the TSDoc
    const box: number[] = [];
    const res: number[] = [];
    for (let y = 2; y < n - 2; y++) {
      for (let x = 2; x < n - 2; x++) {
        let bs = 0;
        for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) bs += image.data[(y + dy) * n + x + dx];
        box.push(bs);
        const at = (dy: number, dx: number): number => image.data[(y + dy) * n + x + dx];
        res.push(at(-1, -1) - 2 * at(-1, 0) + at(-1, 1) - 2 * at(0, -1) + 4 * at(0, 0) - 2 * at(0, 1) + at(1, -1) - 2 * at(1, 0) + at(1, 1));
      }
    }
    const thr = [...box].sort((p, q) => p - q)[Math.floor(0.25 * (box.length - 1))];
    const sel = res.filter((_, i) => box[i] <= thr);
    const med = (a: number[]): number => {
      const t = [...a].sort((p, q) => p - q);
      return t.length % 2 ? t[(t.length - 1) / 2] : 0.5 * (t[t.length / 2 - 1] + t[t.length / 2]);
    };
    const m0 = med(sel);
    const sigmaRef = (1.482602218505602 * med(sel.map((v) => Math.abs(v - m0)))) / 6;
    expect(estimateNoiseSd(image).value).toBeCloseTo(sigmaRef, 9);
    const tiny: ImageView = makeImage(Float32Array.from({ length: 100 }, (_, i) => (i * 7919) % 13), [1, 10, 10]);
    expect(focusScore(tiny, 0, 0)).toBeGreaterThan(0); // < 12 px: the clamped-edge path
  });
  test("errors", () => {
    expect(() => assessImageQuality([])).toThrow(InvalidArgumentError);
    expect(() => estimateNoiseSd(makeImage(new Uint16Array(16), [1, 4, 4]))).toThrow(DimensionError);
    expect(() => estimateNoiseSd(makeImage(new Uint16Array(400).fill(7), [1, 20, 20]))).toThrow(InsufficientDataError);
    const { image } = simulateQualityImage({ sizePx: 32, points: 3 });
    expect(() => assessImageQuality([image], { weights: { snr: -1 } })).toThrow(/Weight of snr is -1/);
    expect(() => assessImageQuality([image], { snrLimits: [10, 3] })).toThrow(/fail ≤ warn/);
  });
});

describe("batch over a folder", () => {
  test("flags the defocused and the saturated image, rejects an unreadable file", async () => {
    for (let k = 0; k < 5; k++) await writeOmeTiff(join(dir, `ok-${k}.ome.tif`), simulateQualityImage({ seed: 20 + k, sizePx: 128, points: 60 }).image);
    await writeOmeTiff(join(dir, "blurred.ome.tif"), simulateQualityImage({ seed: 30, sizePx: 128, points: 60, defocusUm: 2 }).image);
    await writeOmeTiff(join(dir, "saturated.ome.tif"), simulateQualityImage({ seed: 31, sizePx: 128, points: 60, saturatedPixels: 200 }).image);
    writeFileSync(join(dir, "broken.tif"), "not a tiff");
    const b = await assessImageQualityFolder(dir, { decorrelation: false });
    expect(b.images).toHaveLength(7);
    expect(b.rejected.map((r) => r.file)).toEqual([join(dir, "broken.tif")]);
    const lvl = (name: string): string | undefined => b.table.find((r) => r.file.endsWith(name))?.level;
    expect(lvl("blurred.ome.tif")).toBe("fail");
    expect(lvl("saturated.ome.tif")).toBe("fail");
    expect(lvl("ok-0.ome.tif")).toBe("pass");
    expect(b.counts.fail).toBe(2);
    expect(imageQualityPlots(b)).toHaveLength(2);
    const ok = b.images.find((i) => i.file.endsWith("ok-0.ome.tif"));
    expect(ok?.result.provenance.inputs).toEqual([{ file: join(dir, "ok-0.ome.tif"), sha256: ok?.sha256 }]);
    await expect(assessImageQualityFolder(join(dir, "nope"))).rejects.toThrow(InvalidArgumentError);
  }, 20000);
});

describe("one file", () => {
  test("assessImageQualityFile records the input file and its SHA-256 with the resolved options", async () => {
    const file = join(dir, "single.ome.tif");
    const { image } = simulateQualityImage({ seed: 9, sizePx: 96, points: 40 });
    await writeOmeTiff(file, image);
    const r = await assessImageQualityFile(file, { decorrelation: false });
    const inMemory = assessImageQuality([image], { decorrelation: false });
    expect(r.provenance.fn).toBe("assessImageQualityFile");
    expect(r.provenance.inputs).toHaveLength(1);
    expect(r.provenance.inputs[0].file).toBe(file);
    expect(r.provenance.inputs[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.provenance.options).toEqual(inMemory.options);
    expect(r.channels[0].noise.noiseSdAdu.value).toBe(inMemory.channels[0].noise.noiseSdAdu.value);
  });
});
