import { describe, expect, test } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors.js";
import type { ImageView } from "../../src/image/types.js";
import { simulateBeadStack, simulateMultiChannelBeadStack } from "../../src/simulate/beads.js";
import { scalarPsfFwhmUm } from "../../src/simulate/psf.js";

/** Background-subtracted centroid [x, y, z] (px) in a box of ±h px around a guess. */
function centroid(img: ImageView<Uint16Array>, guess: readonly number[], h: number, hz: number, bg: number): number[] {
  const [nz, ny, nx] = img.shape;
  let s = 0;
  const m = [0, 0, 0];
  for (let z = Math.max(0, Math.round(guess[2]) - hz); z <= Math.min(nz - 1, Math.round(guess[2]) + hz); z++)
    for (let y = Math.max(0, Math.round(guess[1]) - h); y <= Math.min(ny - 1, Math.round(guess[1]) + h); y++)
      for (let x = Math.max(0, Math.round(guess[0]) - h); x <= Math.min(nx - 1, Math.round(guess[0]) + h); x++) {
        const v = img.data[(z * ny + y) * nx + x] - bg;
        s += v;
        m[0] += v * x;
        m[1] += v * y;
        m[2] += v * z;
      }
  return m.map((v) => v / s);
}

const quietCamera = { readNoiseE: 0, darkCurrentEPerS: 0, offsetAdu: 100, gainEPerAdu: 1, quantumEfficiency: 1, fullWellE: 60000 };

describe("simulateBeadStack", () => {
  test("same seed → identical stack and truth; different seed → different", () => {
    const o = { shape: [16, 96, 96] as const, beads: 4, minSeparationUm: 1.5, marginUm: 1, seed: 7 };
    const a = simulateBeadStack(o);
    const b = simulateBeadStack(o);
    const c = simulateBeadStack({ ...o, seed: 8 });
    expect(b.image.data).toEqual(a.image.data);
    expect(b.truth.beads).toEqual(a.truth.beads);
    expect(c.image.data).not.toEqual(a.image.data);
    expect(c.truth.beads[0].xUm).not.toBe(a.truth.beads[0].xUm);
  });

  test("planted positions are where the light is (centroid within 0.03 px laterally, 0.05 planes axially)", () => {
    const { image, truth } = simulateBeadStack({
      shape: [24, 200, 200],
      voxelSizeUm: [0.2, 0.065, 0.065],
      beads: 6,
      minSeparationUm: 2,
      photons: 2e5,
      backgroundPhotons: 0,
      camera: quietCamera,
      seed: 3,
    });
    for (const b of truth.beads) {
      const c = centroid(image, [b.xPx, b.yPx, b.zPx], 9, 7, 100);
      expect(Math.abs(c[0] - b.xPx)).toBeLessThan(0.03);
      expect(Math.abs(c[1] - b.yPx)).toBeLessThan(0.03);
      expect(Math.abs(c[2] - b.zPx)).toBeLessThan(0.05);
      expect(b.xUm).toBeCloseTo(b.xPx * 0.065, 12);
    }
  });

  test("separation, margins, brightness spread and z range are respected", () => {
    const { truth } = simulateBeadStack({ shape: [20, 300, 300], beads: 40, minSeparationUm: 2, marginUm: 1.5, photonsSpreadPercent: 20, zRangeUm: [1, 2], seed: 5 });
    const w = 299 * 0.065;
    expect(truth.beads.length).toBe(40);
    for (const a of truth.beads) {
      expect(a.xUm).toBeGreaterThanOrEqual(1.5);
      expect(a.xUm).toBeLessThanOrEqual(w - 1.5);
      expect(a.objectUm[2]).toBeGreaterThanOrEqual(1);
      expect(a.objectUm[2]).toBeLessThanOrEqual(2);
      for (const b of truth.beads) if (a !== b) expect(Math.hypot(a.xUm - b.xUm, a.yUm - b.yUm)).toBeGreaterThanOrEqual(2);
    }
    const ph = truth.beads.map((b) => b.photons);
    const mean = ph.reduce((s, v) => s + v, 0) / ph.length;
    const sd = Math.sqrt(ph.reduce((s, v) => s + (v - mean) ** 2, 0) / (ph.length - 1));
    expect(Math.abs(sd / mean - 0.2)).toBeLessThan(0.08);
  });

  test("planted faults are recorded with their beads and visible in the data", () => {
    const { image, truth } = simulateBeadStack({
      shape: [20, 256, 256],
      beads: 8,
      minSeparationUm: 3,
      marginUm: 2,
      faults: ["edge", "close", "aggregate", "saturated", "dim"],
      seed: 12,
    });
    const kinds = truth.faults.map((f) => f.kind);
    expect(kinds).toEqual(["edge", "close", "aggregate", "saturated", "dim"]);
    const good = truth.beads.filter((b) => b.fault === null);
    expect(good.length).toBe(8);
    expect(good.every((b) => b.index < 8)).toBe(true);
    const byKind = Object.fromEntries(truth.faults.map((f) => [f.kind, f.beadIndices.map((i) => truth.beads[i])]));
    const w = 255 * 0.065;
    const e = byKind.edge[0];
    expect(Math.min(e.xUm, w - e.xUm, e.yUm, w - e.yUm)).toBeLessThan(2);
    const [p, q] = byKind.close;
    expect(Math.hypot(p.xUm - q.xUm, p.yUm - q.yUm)).toBeCloseTo(1.5, 9);
    expect(byKind.aggregate.length).toBeGreaterThanOrEqual(2);
    for (const m of byKind.aggregate) expect(Math.hypot(m.xUm - byKind.aggregate[0].xUm, m.yUm - byKind.aggregate[0].yUm)).toBeLessThan(0.5 * 0.25 * 2.1);
    expect(byKind.dim[0].photons).toBeCloseTo(500, 9);
    // the saturated bead clips at the ADC maximum (default camera: 16 bits)
    const s = byKind.saturated[0];
    const [, ny, nx] = image.shape;
    const k = Math.round(s.zPx);
    expect(image.data[(k * ny + Math.round(s.yPx)) * nx + Math.round(s.xPx)]).toBe(65535);
    expect(truth.camera.maxAdu).toBe(65535);
    expect(truth.faults[3].reason).toMatch(/saturates/);
  });

  test("field tilt and curvature shift each bead's focus by the planted amount; the brightest plane follows", () => {
    const { image, truth } = simulateBeadStack({
      shape: [40, 400, 400],
      voxelSizeUm: [0.1, 0.065, 0.065],
      beads: 12,
      fieldTiltMrad: [40, -25],
      fieldCurvatureUm: 0.8,
      photons: 1e5,
      seed: 2,
    });
    const [xc, yc] = truth.fieldCentreUm;
    const r = truth.cornerRadiusUm;
    const [, ny, nx] = image.shape;
    for (const b of truth.beads) {
      const expected = Math.tan(0.04) * (b.objectUm[0] - xc) + Math.tan(-0.025) * (b.objectUm[1] - yc) + (0.8 * ((b.objectUm[0] - xc) ** 2 + (b.objectUm[1] - yc) ** 2)) / (r * r);
      expect(b.focusShiftUm).toBeCloseTo(expected, 12);
      expect(b.zUm).toBeCloseTo(b.objectUm[2] + expected, 12);
      let best = -1;
      let bestZ = 0;
      for (let z = 0; z < 40; z++) {
        const v = image.data[(z * ny + Math.round(b.yPx)) * nx + Math.round(b.xPx)];
        if (v > best) {
          best = v;
          bestZ = z;
        }
      }
      expect(Math.abs(bestZ - b.zPx)).toBeLessThanOrEqual(2);
    }
  });

  test("scalar PSF: truth FWHM is the model's numerical FWHM, and the light sits at the planted positions", () => {
    const psf = { kind: "scalar" as const, numericalAperture: 1.3, immersionIndex: 1.518, emissionWavelengthNm: 600 };
    const { image, truth } = simulateBeadStack({ shape: [24, 128, 128], voxelSizeUm: [0.15, 0.07, 0.07], beads: 3, psf, photons: 2e5, backgroundPhotons: 0, camera: quietCamera, seed: 4 });
    const f = scalarPsfFwhmUm(psf);
    for (let a = 0; a < 3; a++) expect(truth.psf.fwhmUm[a]).toBeCloseTo(f.fwhmUm[a], 6);
    for (const b of truth.beads) {
      const c = centroid(image, [b.xPx, b.yPx, b.zPx], 6, 3, 100);
      expect(Math.abs(c[0] - b.xPx)).toBeLessThan(0.05);
      expect(Math.abs(c[1] - b.yPx)).toBeLessThan(0.05);
    }
  });

  test("performance sanity: a 512×512×32 stack with 50 beads", () => {
    const { image, truth } = simulateBeadStack({ shape: [32, 512, 512], beads: 50, minSeparationUm: 2, seed: 1 });
    expect(image.data.length).toBe(32 * 512 * 512);
    expect(truth.beads.length).toBe(50);
  });
});

describe("simulateMultiChannelBeadStack", () => {
  test("each channel has the planted magnification, shift and wavelength-scaled FWHM", () => {
    const { image, truth } = simulateMultiChannelBeadStack({
      shape: [16, 200, 200],
      beads: 5,
      seed: 6,
      channels: [{ emissionWavelengthNm: 500 }, { emissionWavelengthNm: 650, magnification: 1.01, shiftUm: [0.2, -0.1, 0.3], photonScale: 0.5 }],
    });
    expect(image.channels.length).toBe(2);
    expect(image.channels[1].channel?.emissionWavelengthNm).toBe(650);
    const [xc, yc] = truth.fieldCentreUm;
    for (const b of truth.beads) {
      const [c0, c1] = b.channels;
      expect(c1.xUm).toBeCloseTo(xc + 1.01 * (c0.xUm - xc) + 0.2, 9);
      expect(c1.yUm).toBeCloseTo(yc + 1.01 * (c0.yUm - yc) - 0.1, 9);
      expect(c1.zUm).toBeCloseTo(c0.zUm + 0.3, 9);
      expect(c1.photons).toBeCloseTo(0.5 * c0.photons, 9);
    }
    expect(truth.channels[1].fwhmUm[0]).toBeCloseTo(0.25 * 1.3, 9);
  });
});

describe("invalid bead options", () => {
  test("beads that cannot fit with the requested separation", () => {
    expect(() => simulateBeadStack({ shape: [8, 128, 128], beads: 200, minSeparationUm: 3 })).toThrow(InvalidArgumentError);
    expect(() => simulateBeadStack({ shape: [8, 128, 128], beads: 200, minSeparationUm: 3 })).toThrow(/cannot fit 3 µm apart/);
  });
  test("negative sizes, margins that leave no room, NA ≥ n, unknown faults", () => {
    expect(() => simulateBeadStack({ shape: [8, -4, 64] })).toThrow(/shape is \[8, -4, 64\]/);
    expect(() => simulateBeadStack({ shape: [8, 64, 64], marginUm: 3 })).toThrow(/leaves no room/);
    expect(() => simulateBeadStack({ psf: { kind: "scalar", numericalAperture: 1.6 } })).toThrow(/not below the immersion index/);
    expect(() => simulateBeadStack({ faults: ["wobbly" as never] })).toThrow(/Unknown bead fault "wobbly"/);
    expect(() => simulateBeadStack({ photons: -1 })).toThrow(/photons is -1/);
    expect(() => simulateMultiChannelBeadStack({ channels: [] })).toThrow(/channels is empty/);
  });
});
