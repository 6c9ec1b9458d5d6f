import { describe, expect, test } from "vitest";
import { DimensionError, InsufficientDataError, InvalidArgumentError } from "../../src/core/errors.js";
import { Random } from "../../src/core/random.js";
import { fft2d, powerSpectrum, radialAverage } from "../../src/image/fft.js";
import { type ImageView, makeImage } from "../../src/image/types.js";
import {
  apodiseImage,
  FRC_FIXED_THRESHOLD,
  type FrcResult,
  frcCurvePlot,
  halfBitThreshold,
  measureFrc,
  measureSingleImageFrc,
} from "../../src/resolution/frc.js";
import { circularPupilOtf, type ResolutionImageOptions, type ResolutionImageSet, simulateResolutionImages } from "../../src/resolution/image-resolution-sim.js";

// Test design ("known resolution" for FRC): an object with a flat spectrum (single-pixel points) imaged through an
// ideal circular pupil has no signal beyond the OTF cutoff fc = 2·NA/λ. With two independent noise realisations the
// FRC is SNR(q)/(1 + SNR(q)); at high SNR it stays near 1 until just below fc and cannot cross after fc, so the 1/7
// crossing is at 0.98–1.0·fc and the resolution 1/q is λ/(2·NA) within 2 %. Tolerance: 5 % (issue: 10 %). The
// fields span ≥ 40 rings to the cutoff (512 px; see the leakage limitation in measureFrc's TSDoc).
const cache = new Map<string, ResolutionImageSet>();
function sim(o: ResolutionImageOptions = {}): ResolutionImageSet {
  const key = JSON.stringify(o);
  let s = cache.get(key);
  if (!s) {
    s = simulateResolutionImages({ widthPx: 512, seed: 11, ...o });
    cache.set(key, s);
  }
  return s;
}
const pair = (o: ResolutionImageOptions = {}): [ImageView, ImageView] => {
  const s = sim(o);
  return [s.images[0]!, s.images[1]!];
};
const relErr = (v: number, t: number): number => Math.abs(v - t) / t;

describe("halfBitThreshold", () => {
  test("known values: 1 for one sample, 0.2071/1.2071 for many, formula in between", () => {
    expect(halfBitThreshold(1)).toBeCloseTo(1, 4);
    expect(halfBitThreshold(1e12)).toBeCloseTo(0.2071 / 1.2071, 5);
    expect(halfBitThreshold(100)).toBeCloseTo((0.2071 + 0.19102) / (1.2071 + 0.09102), 10);
  });
  test("rejects a non-positive sample count", () => {
    expect(() => halfBitThreshold(0)).toThrow(InvalidArgumentError);
    expect(() => halfBitThreshold(0)).toThrow(/n = 0/);
  });
});

describe("measureFrc on simulated images of known resolution", () => {
  test("Airy PSF at high SNR: resolution = λ/(2NA) within 2 % at both thresholds", () => {
    const s = sim({ meanSignalPhotons: 2000 });
    const r = measureFrc(s.images[0]!, s.images[1]!);
    const abbe = s.truth.abbeResolutionUm!;
    expect(r.status).toBe("crossed");
    expect(r.resolution!.unit).toBe("um");
    expect(relErr(r.resolution!.value, abbe)).toBeLessThan(0.02);
    expect(relErr(r.crossings.halfBit.resolution!.value, abbe)).toBeLessThan(0.02);
    // the crossing cannot lie beyond the cutoff by more than ring quantisation
    expect(r.crossings.fixed.frequency!.value).toBeLessThan(s.truth.otfCutoffCyclesPerUm! + 3 * r.crossings.fixed.frequency!.uncertainty);
    expect(r.crossings.fixed.frequency!.unit).toBe("cycles/um");
    // uncertainty is stated and plausible (ring width 1/(512·0.04 µm) ≈ 0.049 cycles/µm)
    expect(r.resolution!.uncertainty).toBeGreaterThan(0);
    expect(r.resolution!.uncertainty).toBeLessThan(0.01 * abbe);
    expect(r.summary).toMatch(/FRC resolution 0\.\d+ ± /);
  });

  test("default photon budget, lines, points+lines: within 5 % of λ/(2NA)", () => {
    for (const structure of ["points", "lines", "points-and-lines"] as const) {
      const s = sim({ structure });
      const r = measureFrc(s.images[0]!, s.images[1]!);
      expect(relErr(r.resolution!.value, s.truth.abbeResolutionUm!)).toBeLessThan(0.05);
    }
  });

  test("Gaussian PSF: crossing matches the expected FRC = S/(S + N) computed from the noise-free image, within 3 %", () => {
    const s = sim({ psf: "gaussian", meanSignalPhotons: 50 });
    const r = measureFrc(s.images[0]!, s.images[1]!);
    const n = 512;
    const taper = (0.5 * n) / 2;
    // independent expectation: signal power of the apodised noise-free image per ring, white noise power Σ w²·var
    const signal = radialAverage(powerSpectrum(fft2d(apodiseImage(s.noiseFree, taper))), { statistic: "sum" });
    const w = new Float64Array(n).fill(1);
    for (let i = 0; i < taper; i++) w[i] = w[n - 1 - i] = 0.5 * (1 - Math.cos((Math.PI * (i + 0.5)) / taper));
    let noisePerSample = 0;
    const readVar = s.truth.readNoiseE ** 2 + 1 / 12;
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) noisePerSample += (w[x]! * w[y]!) ** 2 * (s.noiseFree.data[y * n + x]! + readVar);
    let qExpected = 0;
    for (let b = 2; b < signal.values.length; b++) {
      const frc = (k: number): number => signal.values[k]! / (signal.values[k]! + signal.counts[k]! * noisePerSample);
      if (frc(b) < FRC_FIXED_THRESHOLD) {
        const f0 = frc(b - 1) - FRC_FIXED_THRESHOLD;
        const f1 = frc(b) - FRC_FIXED_THRESHOLD;
        qExpected = (b - 1 + f0 / (f0 - f1)) / (n * s.truth.pixelSizeUm);
        break;
      }
    }
    expect(qExpected).toBeGreaterThan(0);
    expect(relErr(r.crossings.fixed.frequency!.value, qExpected)).toBeLessThan(0.03);
  });

  test("more blur (lower NA) → worse resolution, tracking λ/(2NA) within 5 %", () => {
    const res = [1.3, 0.9, 0.6].map((na) => {
      const s = sim({ na });
      const r = measureFrc(s.images[0]!, s.images[1]!);
      expect(relErr(r.resolution!.value, s.truth.abbeResolutionUm!)).toBeLessThan(0.05);
      return r.resolution!.value;
    });
    expect(res[1]!).toBeGreaterThan(res[0]!);
    expect(res[2]!).toBeGreaterThan(res[1]!);
  });

  test("more noise → worse or equal resolution", () => {
    const res = [2000, 200, 20, 2].map((meanSignalPhotons) => measureFrc(...pair({ meanSignalPhotons, widthPx: 256 })).resolution!.value);
    for (let i = 1; i < res.length; i++) expect(res[i]!).toBeGreaterThanOrEqual(res[i - 1]!);
    expect(res[3]!).toBeGreaterThan(1.1 * res[0]!);
  });

  test("undersampled image (cutoff above Nyquist): nyquist-limited, reported as ≤ 2 pixels", () => {
    const s = sim({ pixelSizeUm: 0.12, widthPx: 256 });
    const r = measureFrc(s.images[0]!, s.images[1]!);
    expect(r.status).toBe("nyquist-limited");
    expect(r.resolution).toBeNull();
    expect(r.crossings.fixed.limit.value).toBeCloseTo(0.24, 6);
    expect(r.summary).toContain("≤ 0.240 µm");
  });

  test("two independent noise images: no-correlation, no resolution", () => {
    const rng = new Random(3);
    const a = makeImage(Float32Array.from({ length: 128 * 128 }, () => rng.normal(100, 10)), [1, 128, 128]);
    const b = makeImage(Float32Array.from({ length: 128 * 128 }, () => rng.normal(100, 10)), [1, 128, 128]);
    const r = measureFrc(a, b);
    expect(r.status).toBe("no-correlation");
    expect(r.resolution).toBeNull();
    expect(r.summary).toMatch(/share no measurable structure/);
  });

  test("without pixel size the result is in px and cycles/px", () => {
    const s = sim({ widthPx: 256 });
    const strip = (im: ImageView): ImageView => makeImage(im.data, im.shape);
    const r = measureFrc(strip(s.images[0]!), strip(s.images[1]!));
    expect(r.resolution!.unit).toBe("px");
    expect(r.curve.frequencyUnit).toBe("cycles/px");
    expect(relErr(r.resolution!.value, s.truth.abbeResolutionUm! / s.truth.pixelSizeUm)).toBeLessThan(0.05);
    expect(r.provenance.notes.join(" ")).toMatch(/No pixel size/);
    // an explicit pixel size brings µm back
    const r2 = measureFrc(strip(s.images[0]!), strip(s.images[1]!), { pixelSizeUm: 0.04 });
    expect(r2.resolution!.value).toBeCloseTo(r.resolution!.value * 0.04, 10);
  });

  test("non-square, non-power-of-two images (300 × 200, zero-padded): within 5 %", () => {
    const s = sim({ widthPx: 300, heightPx: 200 });
    const r = measureFrc(s.images[0]!, s.images[1]!);
    expect(relErr(r.resolution!.value, s.truth.abbeResolutionUm!)).toBeLessThan(0.05);
    expect(r.imageShapePx).toEqual([200, 300]);
    expect(r.provenance.notes.join(" ")).toMatch(/Zero-padded from 300 × 200 to 512 × 256/);
    // effective ring counts corrected for the padding: fill fraction 60000/131072
    const ring = 50;
    expect(r.curve.ringSamples[ring]!).toBeLessThan(2 * Math.PI * ring * 1.2);
  });

  test("optional smoothing keeps the raw curve and stays within 5 %", () => {
    const s = sim();
    const r = measureFrc(s.images[0]!, s.images[1]!, { smoothingRings: 5, threshold: "half-bit" });
    expect(r.options.smoothingRings).toBe(5);
    expect(r.curve.frc).not.toEqual(r.curve.frcRaw);
    expect(r.resolution).toEqual(r.crossings.halfBit.resolution);
    expect(relErr(r.resolution!.value, s.truth.abbeResolutionUm!)).toBeLessThan(0.05);
  });

  test("the result is plain JSON (no typed arrays, no NaN)", () => {
    const r = measureFrc(...pair());
    const back = JSON.parse(JSON.stringify(r)) as FrcResult;
    expect(back.curve.frc.length).toBe(r.curve.frc.length);
    expect(back.curve.frc.every((v) => Number.isFinite(v))).toBe(true);
    expect(back.crossings.fixed.resolution!.value).toBe(r.crossings.fixed.resolution!.value);
    expect(back.provenance.inputs).toHaveLength(2);
  });
});

describe("measureSingleImageFrc (checkerboard split)", () => {
  test("image sampled finer than √2 × Nyquist: λ/(2NA) within 3 %, close to the two-image FRC", () => {
    const s = sim();
    const single = measureSingleImageFrc(s.images[0]!);
    const two = measureFrc(s.images[0]!, s.images[1]!);
    expect(single.method).toBe("checkerboard");
    expect(relErr(single.resolution!.value, s.truth.abbeResolutionUm!)).toBeLessThan(0.03);
    expect(relErr(single.resolution!.value, two.resolution!.value)).toBeLessThan(0.03);
    expect(single.crossings.fixed.limit.value).toBeCloseTo(2 * Math.SQRT2 * 0.04, 10);
  });

  test("more blur → worse single-image resolution, within 5 % of λ/(2NA)", () => {
    const res = [1.3, 0.8].map((na) => {
      const s = sim({ na });
      const r = measureSingleImageFrc(s.images[0]!);
      expect(relErr(r.resolution!.value, s.truth.abbeResolutionUm!)).toBeLessThan(0.05);
      return r.resolution!.value;
    });
    expect(res[1]!).toBeGreaterThan(res[0]!);
  });

  test("Nyquist-sampled image: the split cannot resolve the cutoff and says so (≤ 2√2 pixels)", () => {
    const s = sim({ pixelSizeUm: 0.1, widthPx: 256 });
    const r = measureSingleImageFrc(s.images[0]!);
    expect(r.status).toBe("nyquist-limited");
    expect(r.crossings.fixed.limit.value).toBeCloseTo(2 * Math.SQRT2 * 0.1, 10);
    expect(r.summary).toContain("≤ 0.283 µm");
  });

  test("rejects images smaller than 64 px", () => {
    const rng = new Random(1);
    const im = makeImage(Float32Array.from({ length: 48 * 48 }, () => rng.uniform()), [1, 48, 48]);
    expect(() => measureSingleImageFrc(im)).toThrow(DimensionError);
    expect(() => measureSingleImageFrc(im)).toThrow(/at least 64 × 64/);
  });
});

describe("measureFrc errors", () => {
  const rng = new Random(5);
  const noise = (ny: number, nx: number, nz = 1): ImageView =>
    makeImage(Float32Array.from({ length: nz * ny * nx }, () => rng.uniform()), [nz, ny, nx], { voxelSizeUm: [1, 0.1, 0.1] });

  test("images of different size", () => {
    expect(() => measureFrc(noise(64, 64), noise(64, 80))).toThrow(DimensionError);
    expect(() => measureFrc(noise(64, 64), noise(64, 80))).toThrow(/differ in size/);
  });
  test("too small images", () => {
    expect(() => measureFrc(noise(16, 16), noise(16, 16))).toThrow(DimensionError);
    expect(() => measureFrc(noise(16, 16), noise(16, 16))).toThrow(/at least 32 × 32/);
  });
  test("a stack instead of a plane", () => {
    expect(() => measureFrc(noise(64, 64, 2), noise(64, 64, 2))).toThrow(/stack of 2 planes/);
  });
  test("constant image", () => {
    const flat = makeImage(new Float32Array(64 * 64).fill(7), [1, 64, 64]);
    expect(() => measureFrc(flat, noise(64, 64))).toThrow(InsufficientDataError);
    expect(() => measureFrc(noise(64, 64), flat)).toThrow(/every pixel .* equals 7/);
  });
  test("non-finite pixel", () => {
    const d = noise(64, 64);
    const bad = makeImage(Float32Array.from(d.data), [1, 64, 64]);
    bad.data[65] = Number.NaN;
    expect(() => measureFrc(bad, d)).toThrow(InvalidArgumentError);
    expect(() => measureFrc(bad, d)).toThrow(/pixel 65 \(x 1, y 1\) is NaN/);
  });
  test("different pixel sizes", () => {
    const a = noise(64, 64);
    const b = makeImage(noise(64, 64).data, [1, 64, 64], { voxelSizeUm: [1, 0.2, 0.2] });
    expect(() => measureFrc(a, b)).toThrow(/different pixel sizes/);
  });
  test("options out of range", () => {
    expect(() => measureFrc(noise(64, 64), noise(64, 64), { tukeyAlpha: 2 })).toThrow(/tukeyAlpha is 2/);
    expect(() => measureFrc(noise(64, 64), noise(64, 64), { smoothingRings: 4 })).toThrow(/odd integer/);
    expect(() => measureFrc(noise(64, 64), noise(64, 64), { pixelSizeUm: -1 })).toThrow(/pixelSizeUm is -1/);
    expect(() => measureFrc(noise(64, 64), noise(64, 64), { threshold: "bogus" as "fixed" })).toThrow(/threshold "bogus"/);
  });
});

describe("frcCurvePlot", () => {
  test("FRC and half-bit curves, the 1/7 line and one vertical line per crossing", () => {
    const r = measureFrc(...pair());
    const fig = frcCurvePlot(r);
    expect(fig.data).toHaveLength(2);
    const layout = fig.layout as { shapes: { y0?: number; x0?: number; type: string }[]; annotations: { text: string }[] };
    expect(layout.shapes.some((s) => s.y0 === FRC_FIXED_THRESHOLD)).toBe(true);
    expect(layout.shapes.filter((s) => s.x0 !== undefined && s.x0 > 0)).toHaveLength(2);
    expect(layout.annotations.map((a) => a.text).join(" ")).toMatch(/1\/7: 0\.2\d\d µm/);
    const smoothed = frcCurvePlot(measureFrc(...pair(), { smoothingRings: 3 }));
    expect(smoothed.data).toHaveLength(3);
  });
});

describe("simulateResolutionImages and the OTF (the ground truth used above)", () => {
  test("documented examples and known OTF values", () => {
    expect(halfBitThreshold(10000)).toBeCloseTo(0.186, 4);
    expect(circularPupilOtf(0)).toBe(1);
    expect(circularPupilOtf(0.5)).toBeCloseTo(0.391, 4);
    expect(circularPupilOtf(1)).toBe(0);
    const { truth } = simulateResolutionImages({ widthPx: 64, seed: 3 });
    expect(truth.abbeResolutionUm).toBeCloseTo(0.2, 12);
    expect(truth.otfCutoffCyclesPerUm).toBeCloseTo(5, 12);
  });

  test("camera statistics: mean ADU = expected photons + offset; variance = expected + read² (+1/12), within 2 %", () => {
    const s = simulateResolutionImages({ widthPx: 128, realisations: 2, structure: "texture", meanSignalPhotons: 100, seed: 4 });
    const [a, b] = s.images;
    let mean = 0;
    let varDiff = 0;
    let expected = 0;
    const n = a!.data.length;
    for (let i = 0; i < n; i++) {
      mean += a!.data[i]! - 100;
      expected += s.noiseFree.data[i]!;
      varDiff += (a!.data[i]! - b!.data[i]!) ** 2 / 2;
    }
    expect(relErr(mean / n, expected / n)).toBeLessThan(0.02);
    expect(relErr(varDiff / n, expected / n + 1.5 ** 2 + 1 / 12)).toBeLessThan(0.02);
    expect(a!.voxelSizeUm).toEqual([0.04, 0.04, 0.04]);
  });

  test("rejects invalid options", () => {
    expect(() => simulateResolutionImages({ widthPx: 4 })).toThrow(/widthPx is 4; expected an integer ≥ 8/);
    expect(() => simulateResolutionImages({ na: 0 })).toThrow(InvalidArgumentError);
    expect(() => simulateResolutionImages({ psf: "bessel" as "airy" })).toThrow(/psf "bessel"/);
    expect(() => simulateResolutionImages({ structure: "stars" as "points" })).toThrow(/structure "stars"/);
    expect(() => simulateResolutionImages({ offsetAdu: Number.NaN })).toThrow(/offsetAdu is NaN/);
    expect(() => simulateResolutionImages({ widthPx: 9000 })).toThrow(/canvas would be 16384 × 16384 px/);
  });
});

describe("measureFrc on band-limited images (resolution exactly λ/(2·NA))", () => {
  test.each([
    [0.04, 1.3, 200],
    [0.06, 0.9, 20],
    [0.04, 0.7, 20],
  ])("pixel %d µm, NA %d, %d photons: 1/7 crossing within 10 %% of λ/(2·NA) (observed ≤ 6 %%)", (pixelSizeUm, na, meanSignalPhotons) => {
    const s = simulateResolutionImages({ psf: "band-limited", structure: "texture", widthPx: 512, pixelSizeUm, na, meanSignalPhotons, seed: 3 });
    const r = measureFrc(s.images[0], s.images[1]);
    expect(r.status).toBe("crossed");
    expect(Math.abs(r.resolution!.value - s.truth.abbeResolutionUm!) / s.truth.abbeResolutionUm!).toBeLessThan(0.1);
  });
});
