import { describe, expect, test } from "vitest";
import { DimensionError, InsufficientDataError, InvalidArgumentError } from "../../src/core/errors.js";
import { Random } from "../../src/core/random.js";
import { type ImageView, makeImage } from "../../src/image/types.js";
import { type DecorrelationResult, decorrelationPlot, measureDecorrelation } from "../../src/resolution/decorrelation.js";
import { type ResolutionImageOptions, type ResolutionImageSet, simulateResolutionImages } from "../../src/resolution/image-resolution-sim.js";

// "Known resolution" for decorrelation analysis. The estimator is a radial statistic of the spectrum magnitude:
// d(r) = Σ_{|k|<r}|I|·w / (‖I·w‖·√N_r), so its peak sits where the local |I|·w falls to half the running mean. For an
// object with a flat spectrum seen through an ideal circular pupil (|I| ∝ OTF, zero beyond fc = 2·NA/λ) and the
// strongest high-pass filter (w ∝ r², g → 0.15), the noise-free peak solves OTF(s)·s⁴ = ∫₀ˢ OTF(t)·t³ dt, s = r/fc:
// s∞ ≈ 0.880. Weaker filters peak lower, so k_c,max → 0.880·fc and the resolution → λ/(2NA)/0.880 ≈ 1.14·λ/(2NA)
// (not λ/(2NA): the estimator stops where the OTF has fallen to a few % of its low-frequency value). Tolerance
// against that reference: 5 % (radius grid 1/49 of Nyquist ≈ 2–5 % of k_c here; issue: 10 %).
function circularOtf(s: number): number {
  return s >= 1 ? 0 : (2 / Math.PI) * (Math.acos(s) - s * Math.sqrt(1 - s * s));
}
/** Peak of ∫₀ˢ OTF(t)·t³ dt / s over s ∈ (0, 1], by direct numerical integration. */
function noiseFreePeakFraction(): number {
  const n = 100000;
  let integral = 0;
  let best = 0;
  let bestS = 0;
  for (let i = 1; i <= n; i++) {
    const s = i / n;
    const t = (i - 0.5) / n;
    integral += (circularOtf(t) * t ** 3) / n;
    if (integral / s > best) {
      best = integral / s;
      bestS = s;
    }
  }
  return bestS;
}
const S_INF = noiseFreePeakFraction();

const cache = new Map<string, ResolutionImageSet>();
function sim(o: ResolutionImageOptions = {}): ResolutionImageSet {
  const key = JSON.stringify(o);
  let s = cache.get(key);
  if (!s) {
    s = simulateResolutionImages({ widthPx: 512, seed: 21, realisations: 1, ...o });
    cache.set(key, s);
  }
  return s;
}
const relErr = (v: number, t: number): number => Math.abs(v - t) / t;
const expectedUm = (s: ResolutionImageSet): number => s.truth.abbeResolutionUm! / S_INF;

// Band-limited images: the object's spectrum is kept unchanged up to fc = 2·NA/λ and removed beyond, so the resolution
// is exactly λ/(2·NA) with no estimator-dependent fraction of the cutoff. Issue #4 tolerance: 10 % (observed −2 to −4 %,
// the radius grid and the last ring's partial content).
describe("measureDecorrelation on band-limited images (resolution exactly λ/(2·NA))", () => {
  test.each([
    [0.04, 1.3, 200],
    [0.04, 1.3, 20],
    [0.06, 0.9, 200],
    [0.04, 0.7, 20],
  ])("pixel %d µm, NA %d, %d photons: within 10 %% of λ/(2·NA)", (pixelSizeUm, na, meanSignalPhotons) => {
    const s = simulateResolutionImages({ psf: "band-limited", structure: "texture", widthPx: 512, pixelSizeUm, na, meanSignalPhotons, seed: 3, realisations: 1 });
    const r = measureDecorrelation(s.images[0]);
    expect(r.status).toBe("resolved");
    expect(relErr(r.resolution!.value, s.truth.abbeResolutionUm!)).toBeLessThan(0.1);
  });

  test("the band-limited simulator refuses sparse objects, whose clipped ringing would break the planted limit", () => {
    expect(() => simulateResolutionImages({ psf: "band-limited", structure: "points" })).toThrow(InvalidArgumentError);
    expect(() => simulateResolutionImages({ psf: "band-limited", structure: "points" })).toThrow(/needs structure "texture"/);
  });
});

describe("measureDecorrelation on simulated images of known resolution", () => {
  test("the noise-free reference fraction of the cutoff is 0.880", () => {
    expect(S_INF).toBeCloseTo(0.88, 2);
  });

  test("noise-free image: k_c,max = 0.880 × the OTF cutoff (normalised to Nyquist) within 3 %", () => {
    const s = sim();
    const r = measureDecorrelation(s.noiseFree);
    const kcCutoff = s.truth.otfCutoffCyclesPerUm! / s.truth.nyquistCyclesPerUm;
    expect(relErr(r.kcMax.value, S_INF * kcCutoff)).toBeLessThan(0.03);
  });

  test("Airy PSF, several pixel sizes: resolution = λ/(2NA)/0.880 within 5 %", () => {
    for (const pixelSizeUm of [0.04, 0.06, 0.08]) {
      const s = sim({ pixelSizeUm });
      const r = measureDecorrelation(s.images[0]!);
      expect(r.status).toBe("resolved");
      expect(r.resolution!.unit).toBe("um");
      expect(relErr(r.resolution!.value, expectedUm(s))).toBeLessThan(0.05);
      // and 10–20 % above λ/(2NA), as the reference predicts
      expect(r.resolution!.value / s.truth.abbeResolutionUm!).toBeGreaterThan(1.08);
      expect(r.resolution!.value / s.truth.abbeResolutionUm!).toBeLessThan(1.2);
    }
  });

  test("resolution = 2·pixel size / k_c,max; frequency = k_c,max / (2·pixel size); kcGM ≤ k_c,max", () => {
    const s = sim();
    const r = measureDecorrelation(s.images[0]!);
    const p = s.truth.pixelSizeUm;
    expect(r.resolution!.value).toBeCloseTo((2 * p) / r.kcMax.value, 12);
    expect(r.cutoffFrequency.value).toBeCloseTo(r.kcMax.value / (2 * p), 12);
    expect(r.cutoffFrequency.unit).toBe("cycles/um");
    expect(r.kcGM.value).toBeLessThanOrEqual(r.kcMax.value);
    expect(r.resolution!.uncertainty).toBeGreaterThan(0);
    expect(r.a0.value).toBeGreaterThan(0.5);
    // 1 unfiltered + (1 + Ng) first pass + Ng refined curves of Nr points
    expect(r.curves).toHaveLength(22);
    expect(r.curves.every((c) => c.d.length === 50 && c.radius.length === 50)).toBe(true);
    expect(r.summary).toMatch(/Decorrelation resolution 0\.2\d\d ± /);
  });

  test("more blur (lower NA) → worse resolution, each within 5 % of λ/(2NA)/0.880", () => {
    const res = [1.3, 0.9, 0.7].map((na) => {
      const s = sim({ na });
      const r = measureDecorrelation(s.images[0]!);
      expect(relErr(r.resolution!.value, expectedUm(s))).toBeLessThan(0.05);
      return r.resolution!.value;
    });
    expect(res[1]!).toBeGreaterThan(res[0]!);
    expect(res[2]!).toBeGreaterThan(res[1]!);
  });

  test("more noise → lower A0; at very low SNR the resolution is worse, and pure noise gives no-signal", () => {
    const runs = [2000, 200, 20, 3].map((meanSignalPhotons) => measureDecorrelation(sim({ meanSignalPhotons, widthPx: 256 }).images[0]!));
    for (let i = 1; i < runs.length; i++) expect(runs[i]!.a0.value).toBeLessThan(runs[i - 1]!.a0.value);
    // within 10 % of the reference over the whole range (non-monotonic in between: a noise floor lifts the tail)
    for (const r of runs) expect(relErr(r.resolution!.value, 0.2 / S_INF)).toBeLessThan(0.1);
    expect(runs[3]!.resolution!.value).toBeGreaterThanOrEqual(runs[0]!.resolution!.value);
    const rng = new Random(3);
    const noise = makeImage(Float32Array.from({ length: 128 * 128 }, () => rng.normal(100, 10)), [1, 128, 128], { voxelSizeUm: [1, 0.1, 0.1] });
    const r = measureDecorrelation(noise);
    expect(r.status).toBe("no-signal");
    expect(r.resolution).toBeNull();
    expect(r.summary).toMatch(/too noisy or has no structure/);
  });

  test("cutoff above Nyquist: nyquist-limited, reported as ≤ 2 pixels", () => {
    const s = sim({ pixelSizeUm: 0.12, widthPx: 256 });
    const r = measureDecorrelation(s.images[0]!);
    expect(r.status).toBe("nyquist-limited");
    expect(r.resolution).toBeNull();
    expect(r.limit.value).toBeCloseTo(0.24, 10);
    expect(r.summary).toContain("≤ 0.240 µm");
  });

  test("without pixel size: px and cycles/px; non-square 300 × 200 field still within 5 %", () => {
    const s = sim({ widthPx: 300, heightPx: 200 });
    const im = s.images[0]!;
    const r = measureDecorrelation(makeImage(im.data, im.shape));
    expect(r.resolution!.unit).toBe("px");
    expect(r.cutoffFrequency.unit).toBe("cycles/px");
    expect(relErr(r.resolution!.value * s.truth.pixelSizeUm, expectedUm(s))).toBeLessThan(0.05);
  });

  test("the result is plain JSON", () => {
    const r = measureDecorrelation(sim().images[0]!);
    const back = JSON.parse(JSON.stringify(r)) as DecorrelationResult;
    expect(back.curves[0]!.d).toEqual(r.curves[0]!.d);
    expect(back.kcMax.value).toBe(r.kcMax.value);
  });
});

describe("measureDecorrelation errors", () => {
  const rng = new Random(9);
  const noise = (ny: number, nx: number, nz = 1, voxelSizeUm: readonly [number, number, number] = [1, 0.1, 0.1]): ImageView =>
    makeImage(Float32Array.from({ length: nz * ny * nx }, () => rng.uniform()), [nz, ny, nx], { voxelSizeUm });

  test("too small image", () => {
    expect(() => measureDecorrelation(noise(20, 64))).toThrow(DimensionError);
    expect(() => measureDecorrelation(noise(20, 64))).toThrow(/64 × 20 px; at least 32 × 32/);
  });
  test("stack", () => {
    expect(() => measureDecorrelation(noise(64, 64, 3))).toThrow(/stack of 3 planes/);
  });
  test("constant image", () => {
    const flat = makeImage(new Uint16Array(64 * 64).fill(100), [1, 64, 64]);
    expect(() => measureDecorrelation(flat)).toThrow(InsufficientDataError);
    expect(() => measureDecorrelation(flat)).toThrow(/equals 100/);
  });
  test("non-finite pixel", () => {
    const im = noise(64, 64);
    im.data[0] = Number.POSITIVE_INFINITY;
    expect(() => measureDecorrelation(im)).toThrow(/pixel 0 \(x 0, y 0\) is Infinity/);
  });
  test("non-square pixels", () => {
    expect(() => measureDecorrelation(noise(64, 64, 1, [1, 0.1, 0.2]))).toThrow(InvalidArgumentError);
    expect(() => measureDecorrelation(noise(64, 64, 1, [1, 0.1, 0.2]))).toThrow(/not square/);
  });
  test("options out of range", () => {
    expect(() => measureDecorrelation(noise(64, 64), { radiusSamples: 10 })).toThrow(/radiusSamples is 10/);
    expect(() => measureDecorrelation(noise(64, 64), { highPassFilters: 2 })).toThrow(/highPassFilters is 2/);
    expect(() => measureDecorrelation(noise(64, 64), { minAmplitude: 1 })).toThrow(/minAmplitude is 1/);
    expect(() => measureDecorrelation(noise(64, 64), { apodizationPx: -3 })).toThrow(/apodizationPx is -3/);
  });
});

describe("decorrelationPlot", () => {
  test("one trace per curve, legend entries for d0 and each pass, the A cut and k_c,max lines", () => {
    const r = measureDecorrelation(sim().images[0]!);
    const fig = decorrelationPlot(r);
    expect(fig.data).toHaveLength(r.curves.length);
    const named = (fig.data as { name?: string; showlegend?: boolean }[]).filter((t) => t.showlegend !== false);
    expect(named.map((t) => t.name)).toEqual(["high-pass filtered, pass 1", "high-pass filtered, refined pass 2", "d0 (no filter)"]);
    const layout = fig.layout as { shapes: { x0?: number; y0?: number }[]; annotations: { text: string }[] };
    expect(layout.shapes.some((s) => s.y0 === 0.05)).toBe(true);
    expect(layout.shapes.some((s) => s.x0 === r.kcMax.value)).toBe(true);
    expect(layout.annotations.map((a) => a.text).join(" ")).toMatch(/k_c,max 0\.3\d\d → 0\.2\d\d µm/);
  });
});
