import { describe, expect, test } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { simulateFlatField, simulateMultiChannelFlatField } from "../../src/simulate/flatfield.js";

describe("simulateFlatField", () => {
  test("truth U, max location, FU and C equal what the noise-free profile shows (MetroloJ_QC definitions)", () => {
    const { truth } = simulateFlatField({ shape: [200, 300], centrePx: [180.4, 90.7], gradientPercent: [0, 0], seed: 2 });
    const p = truth.relativeProfile.data;
    const [, ny, nx] = truth.relativeProfile.shape;
    let mn = Infinity;
    let mx = -Infinity;
    let imax = 0;
    for (let i = 0; i < p.length; i++) {
      if (p[i] < mn) mn = p[i];
      if (p[i] > mx) {
        mx = p[i];
        imax = i;
      }
    }
    expect(mx).toBeCloseTo(1, 6);
    expect(truth.uniformityPercent).toBeCloseTo((100 * mn) / mx, 4);
    expect(truth.maxLocationPx).toEqual([imax % nx, Math.floor(imax / nx)]);
    // without a gradient the maximum is the pixel nearest the planted centre
    expect(truth.maxLocationPx).toEqual([180, 91]);
    // reference zone centroid (top 10 % bin) and centering accuracy, recomputed here
    let rx = 0;
    let ry = 0;
    let rn = 0;
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++)
        if (p[y * nx + x] >= 0.9) {
          rx += x;
          ry += y;
          rn++;
        }
    const c = 100 - (200 * Math.hypot(rx / rn - (nx - 1) / 2, ry / rn - (ny - 1) / 2)) / Math.hypot(nx, ny);
    expect(truth.centeringPercent).toBeCloseTo(c, 3);
    const pts = [p[0], p[nx - 1], p[(ny - 1) * nx], p[ny * nx - 1], p[150], p[(ny - 1) * nx + 150], p[100 * nx], p[100 * nx + nx - 1]];
    const pm = pts.reduce((a, b) => a + b, 0) / 8;
    const sd = Math.sqrt(pts.reduce((a, b) => a + (b - pm) ** 2, 0) / 8);
    expect(truth.fieldUniformityPercent).toBeCloseTo(100 - 100 * sd, 4);
    // the profile function agrees with the sampled profile
    expect(truth.profile(37, 151)).toBeCloseTo(p[151 * nx + 37], 6);
  });

  test("the image follows the profile: mean ADU = offset + η·peakPhotons·p/K (4 SE) in the centre and at a corner", () => {
    const { image, truth } = simulateFlatField({ shape: [128, 128], peakPhotons: 3000, seed: 4 });
    const K = truth.camera.gainEPerAdu;
    const region = (x0: number, y0: number): number => {
      let s = 0;
      let e = 0;
      for (let y = y0; y < y0 + 8; y++)
        for (let x = x0; x < x0 + 8; x++) {
          s += image.data[y * 128 + x];
          e += truth.camera.offsetAdu + (0.8 * 3000 * truth.profile(x, y) + 0.05) / K;
        }
      return (s - e) / 64;
    };
    const sdMean = Math.sqrt((0.8 * 3000) / (K * K) / 64);
    expect(Math.abs(region(60, 60))).toBeLessThan(4 * sdMean);
    expect(Math.abs(region(0, 0))).toBeLessThan(4 * sdMean);
  });

  test("cos⁴ vignetting: p = 1/(1 + ρ²/s²)²; a gradient moves the maximum towards the bright side", () => {
    const { truth } = simulateFlatField({ shape: [101, 101], model: "cos4", scalePx: 40, seed: 1 });
    expect(truth.profile(90, 50)).toBeCloseTo(0.25, 6);
    const g = simulateFlatField({ shape: [101, 101], gradientPercent: [60, 0], seed: 1 });
    expect(g.truth.maxLocationPx[0]).toBeGreaterThan(50);
    expect(g.truth.maxLocationPx[1]).toBe(50);
    expect(g.truth.profileCentrePx).toEqual([50, 50]);
  });

  test("dust darkens its speck; hot pixels appear in the dark image; same seed reproduces", () => {
    const o = { shape: [128, 128] as const, dustSpecks: 2, dustDepth: [0.5, 0.5] as const, darkImage: true, camera: { hotPixelFraction: 0.001 }, seed: 8 };
    const a = simulateFlatField(o);
    const b = simulateFlatField(o);
    expect(b.image.data).toEqual(a.image.data);
    expect(simulateFlatField({ ...o, seed: 9 }).image.data).not.toEqual(a.image.data);
    for (const d of a.truth.dust) {
      const i = Math.round(d.yPx) * 128 + Math.round(d.xPx);
      const expected = a.truth.camera.offsetAdu + (0.8 * 2000 * a.truth.profile(Math.round(d.xPx), Math.round(d.yPx))) / a.truth.camera.gainEPerAdu;
      expect(a.image.data[i]).toBeLessThan(a.truth.camera.offsetAdu + 0.75 * (expected - a.truth.camera.offsetAdu));
    }
    expect(a.dark).not.toBeNull();
    for (const h of a.truth.camera.hotPixelIndices) expect(a.dark!.data[h]).toBeGreaterThan(150);
  });

  test("multi-channel: each channel has its own planted profile", () => {
    const { image, truth } = simulateMultiChannelFlatField({
      shape: [100, 120],
      channels: [{ centrePx: [30, 40] }, { centrePx: [90, 60], model: "cos4", scalePx: 80 }],
      seed: 3,
    });
    expect(image.channels.length).toBe(2);
    expect(truth.channels[0].maxLocationPx).toEqual([30, 40]);
    expect(truth.channels[1].maxLocationPx).toEqual([90, 60]);
    expect(truth.channels[0].uniformityPercent).not.toBeCloseTo(truth.channels[1].uniformityPercent, 1);
  });

  test("invalid options throw InvalidArgumentError", () => {
    expect(() => simulateFlatField({ gradientPercent: [150, 80] })).toThrow(/zero or negative at a corner/);
    expect(() => simulateFlatField({ shape: [0, 10] })).toThrow(InvalidArgumentError);
    expect(() => simulateFlatField({ scalePx: -3 })).toThrow(/scalePx is -3/);
    expect(() => simulateFlatField({ dustDepth: [0.5, 0.2] })).toThrow(/dustDepth\[1\] is 0.2/);
  });
});
