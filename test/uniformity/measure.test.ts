import { describe, expect, test } from "vitest";
import { DimensionError, InsufficientDataError, InvalidArgumentError, SaturationError } from "../../src/core/errors.js";
import { makeImage } from "../../src/image/types.js";
import { type FlatFieldOptions, simulateFlatField, simulateMultiChannelFlatField } from "../../src/simulate/index.js";
import { measureFieldUniformity, measureFieldUniformityChannels } from "../../src/uniformity/measure.js";

/** Tolerances the issue asks for: U, FU and C within 2 percentage points; the maximum within 2 px (0.65 µm at 0.325 µm/px). */
const PP_TOL = 2;
const MAX_TOL_PX = 2;

const CASES: [string, FlatFieldOptions][] = [
  ["Gaussian vignetting, off-centre maximum", { shape: [512, 512], centrePx: [300, 220], darkImage: true, seed: 3 }],
  ["strong Gaussian vignetting", { shape: [512, 512], centrePx: [300, 220], scalePx: 200, darkImage: true, seed: 4 }],
  ["cos⁴ law with a gradient, non-square", { shape: [512, 640], model: "cos4", centrePx: [200, 300], scalePx: 400, gradientPercent: [10, -5], darkImage: true, seed: 5 }],
  ["dust and hot pixels", { shape: [512, 640], model: "cos4", centrePx: [200, 300], scalePx: 400, gradientPercent: [10, -5], dustSpecks: 10, camera: { hotPixelFraction: 0.001 }, darkImage: true, seed: 5 }],
];

describe("measureFieldUniformity recovers the planted profile", () => {
  for (const [name, opts] of CASES) {
    test(name, () => {
      const sim = simulateFlatField(opts);
      const r = measureFieldUniformity(sim.image, { dark: sim.dark });
      const t = sim.truth;
      expect(Math.abs(r.uniformity.value - t.uniformityPercent)).toBeLessThan(PP_TOL);
      expect(Math.abs(r.uniformity.value - t.uniformityPercent)).toBeLessThan(3 * r.uniformity.uncertainty + 0.2);
      expect(Math.abs(r.fieldUniformity.value - t.fieldUniformityPercent)).toBeLessThan(PP_TOL);
      expect(Math.abs(r.centeringAccuracy.value - t.centeringPercent)).toBeLessThan(PP_TOL);
      expect(Math.abs(r.centeringAccuracyMax.value - t.centeringMaxPixelPercent)).toBeLessThan(PP_TOL);
      expect(Math.abs(r.cv.value - t.cvPercent)).toBeLessThan(PP_TOL);
      expect(Math.abs(r.maxLocationPx.x.value - t.maxLocationPx[0])).toBeLessThan(MAX_TOL_PX);
      expect(Math.abs(r.maxLocationPx.y.value - t.maxLocationPx[1])).toBeLessThan(MAX_TOL_PX);
      expect(r.maxLocationMethod).toBe("quadric fit to the reference zone");
      expect(Math.abs(r.referenceCentroidPx.x - t.referenceCentroidPx[0])).toBeLessThan(MAX_TOL_PX);
      expect(Math.abs(r.maxLocationUm!.x.value - t.maxLocationPx[0] * 0.325)).toBeLessThan(MAX_TOL_PX * 0.325);
      // the record is JSON-serialisable and holds no NaN
      expect(JSON.stringify(r)).not.toMatch(/NaN|null/);
    });
  }

  test("dust is found and excluded, not mistaken for vignetting", () => {
    const sim = simulateFlatField(CASES[3][1]);
    const r = measureFieldUniformity(sim.image, { dark: sim.dark });
    expect(r.defects.cellCount).toBeGreaterThan(20);
    expect(r.defects.cells[0].deviationPercent).toBeLessThan(-5);
    const clean = measureFieldUniformity(simulateFlatField(CASES[2][1]).image, { dark: simulateFlatField(CASES[2][1]).dark });
    expect(clean.defects.cellCount).toBeLessThan(10);
  });

  test("hot pixels at the detector maximum do not move Imax (block median), even without a dark image", () => {
    const base: FlatFieldOptions = { shape: [256, 256], centrePx: [140, 120], seed: 8 };
    const clean = simulateFlatField(base);
    const hot = simulateFlatField({ ...base, camera: { hotPixelFraction: 0.00005, hotPixelDarkCurrentEPerS: 1e7 } });
    const offsetAdu = clean.truth.camera.offsetAdu;
    const a = measureFieldUniformity(clean.image, { offsetAdu });
    const b = measureFieldUniformity(hot.image, { offsetAdu });
    expect(b.saturation.saturatedPercent).toBeGreaterThan(0);
    expect(Math.abs(a.uniformity.value - b.uniformity.value)).toBeLessThan(0.5);
    expect(Math.abs(b.uniformity.value - clean.truth.uniformityPercent)).toBeLessThan(PP_TOL);
  });

  test("without dark subtraction the offset biases U upwards, and a note says so", () => {
    const sim = simulateFlatField({ shape: [256, 256], scalePx: 150, darkImage: true, seed: 2 });
    const raw = measureFieldUniformity(sim.image);
    const dark = measureFieldUniformity(sim.image, { dark: sim.dark });
    expect(raw.uniformity.value).toBeGreaterThan(dark.uniformity.value + 1);
    expect(raw.provenance.notes.join(" ")).toMatch(/No dark image or offset/);
    expect(raw.darkSubtraction.kind).toBe("none");
    expect(dark.darkSubtraction.kind).toBe("image");
  });

  test("invariance: mirroring the image leaves U unchanged and mirrors the maximum", () => {
    const sim = simulateFlatField({ shape: [256, 320], centrePx: [200, 100], darkImage: true, seed: 6 });
    const [, ny, nx] = sim.image.shape;
    const flip = (d: ArrayLike<number>): Uint16Array => {
      const out = new Uint16Array(nx * ny);
      for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) out[y * nx + x] = d[y * nx + (nx - 1 - x)];
      return out;
    };
    const a = measureFieldUniformity(sim.image, { dark: sim.dark });
    const b = measureFieldUniformity(makeImage(flip(sim.image.data), [1, ny, nx], { bitDepth: 16 }), { dark: makeImage(flip(sim.dark!.data), [1, ny, nx]) });
    expect(Math.abs(a.uniformity.value - b.uniformity.value)).toBeLessThan(0.3);
    expect(Math.abs(a.maxLocationPx.x.value - (nx - 1 - b.maxLocationPx.x.value))).toBeLessThan(0.5);
    expect(Math.abs(a.centeringAccuracy.value - b.centeringAccuracy.value)).toBeLessThan(0.3);
  });

  test("monotonic: stronger vignetting gives lower U", () => {
    const u = [600, 350, 200].map((scalePx) => {
      const sim = simulateFlatField({ shape: [256, 256], scalePx, darkImage: true, seed: 9 });
      return measureFieldUniformity(sim.image, { dark: sim.dark }).uniformity.value;
    });
    expect(u[0]).toBeGreaterThan(u[1]);
    expect(u[1]).toBeGreaterThan(u[2]);
  });

  test("the TSDoc example: maximum at (150, 120)", () => {
    const { image, dark, truth } = simulateFlatField({ shape: [256, 256], centrePx: [150, 120], darkImage: true, seed: 4 });
    const r = measureFieldUniformity(image, { dark });
    expect(Math.abs(r.maxLocationPx.x.value - 150)).toBeLessThan(MAX_TOL_PX);
    expect(Math.abs(r.maxLocationPx.y.value - 120)).toBeLessThan(MAX_TOL_PX);
    expect(Math.abs(r.uniformity.value - truth.uniformityPercent)).toBeLessThan(PP_TOL);
  });
});

describe("profiles, bands and peer values", () => {
  const sim = simulateFlatField({ shape: [300, 400], scalePx: 250, darkImage: true, seed: 12 });
  const r = measureFieldUniformity(sim.image, { dark: sim.dark });

  test("four profiles through the centre, peaking near 100 % at the centre of a centred field", () => {
    expect(r.profiles.map((p) => p.name)).toEqual(["horizontal", "vertical", "diagonal TL-BR", "diagonal TR-BL"]);
    for (const p of r.profiles) {
      const mid = p.relativeIntensityPercent[Math.floor(p.relativeIntensityPercent.length / 2)];
      expect(mid).toBeGreaterThan(98);
      expect(p.distancePx[0]).toBeLessThan(0);
      expect(p.distanceUm![0]).toBeCloseTo(p.distancePx[0] * 0.325, 9);
      // the profile ends match the truth at the border
      const end = p.relativeIntensityPercent[p.relativeIntensityPercent.length - 1];
      expect(end).toBeGreaterThan(0);
    }
    const diag = r.profiles[2].relativeIntensityPercent;
    expect(Math.abs(diag[0] - 100 * sim.truth.profile(0, 0))).toBeLessThan(PP_TOL);
  });

  test("iso-intensity bands cover the field and the top band holds the reference zone", () => {
    const total = r.isoIntensity.areaPercent.reduce((a, b) => a + b.percent, 0);
    expect(total).toBeCloseTo(100, 6);
    expect(r.isoIntensity.bands.length).toBe(r.isoIntensity.gridShape[0] * r.isoIntensity.gridShape[1]);
    expect(Math.max(...r.isoIntensity.bands)).toBe(90);
    expect(r.isoIntensity.areaPercent[9].percent).toBeGreaterThan(1);
  });

  test("microscope-metrics values: a centred field has its maximum at the centre and symmetric corners", () => {
    expect(r.microscopeMetrics.relativeCentreDistance.maxLocation).toBeLessThan(0.02);
    const q = r.microscopeMetrics.regionRatiosPercent;
    expect(Math.abs(q.topLeft - q.bottomRight)).toBeLessThan(1);
    expect(q.centre).toBeGreaterThan(q.topLeft);
    expect(q.centre).toBeLessThanOrEqual(100);
  });
});

describe("verdict", () => {
  test("U < 50 % fails with the value and the limit in the reason", () => {
    const sim = simulateFlatField({ shape: [256, 256], centrePx: [150, 120], scalePx: 120, darkImage: true, seed: 1 });
    const r = measureFieldUniformity(sim.image, { dark: sim.dark });
    expect(sim.truth.uniformityPercent).toBeLessThan(40);
    expect(r.verdict.level).toBe("fail");
    expect(r.verdict.reason).toMatch(/Uniformity U = 100·Imin\/Imax is \d+(\.\d)? %; the limit is ≥ 50/);
    expect(r.verdict.reason).toMatch(/Likely cause/);
  });

  test("a broad, centred field passes", () => {
    const sim = simulateFlatField({ shape: [256, 256], scalePx: 400, darkImage: true, seed: 1 });
    const r = measureFieldUniformity(sim.image, { dark: sim.dark });
    expect(r.verdict.level).toBe("pass");
    expect(r.verdict.details.map((d) => d.criterion)).toEqual(["uniformity", "centering"]);
  });

  test("a far off-centre maximum fails centering and names the diaphragm / alignment", () => {
    const sim = simulateFlatField({ shape: [256, 256], centrePx: [10, 10], scalePx: 150, darkImage: true, seed: 1 });
    const r = measureFieldUniformity(sim.image, { dark: sim.dark });
    expect(sim.truth.centeringPercent).toBeLessThan(40);
    expect(Math.abs(r.centeringAccuracy.value - sim.truth.centeringPercent)).toBeLessThan(PP_TOL);
    expect(r.verdict.level).toBe("fail");
    expect(r.verdict.reason).toMatch(/off-centre/);
  });

  test("limits can be overridden", () => {
    const sim = simulateFlatField({ shape: [256, 256], scalePx: 400, darkImage: true, seed: 1 });
    const r = measureFieldUniformity(sim.image, { dark: sim.dark, uniformityLimitPercent: 99 });
    expect(r.verdict.level).toBe("fail");
    expect(r.options.uniformityLimitPercent).toBe(99);
  });
});

describe("several channels", () => {
  test("each channel is measured on its own", () => {
    const sim = simulateMultiChannelFlatField({ shape: [256, 256], darkImage: true, seed: 5 });
    const rep = measureFieldUniformityChannels(sim.image, { dark: sim.dark });
    expect(rep.channels).toHaveLength(2);
    for (const [i, ch] of rep.channels.entries()) {
      const t = sim.truth.channels[i];
      expect(ch.channel.index).toBe(i);
      expect(Math.abs(ch.uniformity.value - t.uniformityPercent)).toBeLessThan(PP_TOL);
      expect(Math.abs(ch.maxLocationPx.x.value - t.maxLocationPx[0])).toBeLessThan(MAX_TOL_PX);
    }
    expect(rep.channels[1].channel.name).toBe("red");
  });

  test("an error names the channel", () => {
    const sim = simulateMultiChannelFlatField({ shape: [64, 64], seed: 5, channels: [{}, { peakPhotons: 1e6 }] });
    expect(() => measureFieldUniformityChannels(sim.image)).toThrowError(/Channel 1: .*detector maximum/);
  });
});

describe("bad inputs", () => {
  test("saturated slide: SaturationError with the fraction", () => {
    const sim = simulateFlatField({ shape: [128, 128], peakPhotons: 60000, seed: 1 });
    const err = (() => {
      try {
        measureFieldUniformity(sim.image);
      } catch (e) {
        return e as Error;
      }
      throw new Error("no error");
    })();
    expect(err).toBeInstanceOf(SaturationError);
    expect(err.message).toMatch(/\d+(\.\d+)? % of pixels \(\d+ of 16384\) are at the detector maximum 65535 ADU/);
    expect(err.message).toMatch(/Lower the illumination/);
  });

  test("a z-stack is refused with DimensionError", () => {
    const img = makeImage(new Uint16Array(3 * 64 * 64).fill(1000), [3, 64, 64]);
    expect(() => measureFieldUniformity(img)).toThrowError(DimensionError);
    expect(() => measureFieldUniformity(img)).toThrowError(/stack of 3 planes/);
  });

  test("a tiny image is refused", () => {
    expect(() => measureFieldUniformity(makeImage(new Uint16Array(16 * 16).fill(1000), [1, 16, 16]))).toThrowError(/at least 32 × 32 px, but got 16 × 16/);
  });

  test("a dark image of another size is refused", () => {
    const sim = simulateFlatField({ shape: [128, 128], seed: 1 });
    const dark = makeImage(new Uint16Array(64 * 128).fill(100), [1, 64, 128]);
    expect(() => measureFieldUniformity(sim.image, { dark })).toThrowError(DimensionError);
    expect(() => measureFieldUniformity(sim.image, { dark })).toThrowError(/dark image is 128 × 64 px .* image is 128 × 128 px/);
  });

  test("no signal above the dark level", () => {
    const sim = simulateFlatField({ shape: [128, 128], seed: 1 });
    expect(() => measureFieldUniformity(sim.image, { offsetAdu: 60000 })).toThrowError(InsufficientDataError);
    expect(() => measureFieldUniformity(sim.image, { offsetAdu: 60000 })).toThrowError(/No signal above the dark level/);
  });

  test("out-of-range options", () => {
    const sim = simulateFlatField({ shape: [128, 128], seed: 1 });
    expect(() => measureFieldUniformity(sim.image, { stepPercent: 0 })).toThrowError(InvalidArgumentError);
    expect(() => measureFieldUniformity(sim.image, { binPx: 64 })).toThrowError(/binPx = 64; expected at most a quarter/);
  });
});
