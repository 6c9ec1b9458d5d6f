import { describe, expect, test } from "vitest";
import { InsufficientDataError, InvalidArgumentError } from "../../src/core/errors.js";
import { measureBeadPsf } from "../../src/resolution/bead-psf.js";
import { fitFocusField } from "../../src/resolution/field.js";
import { simulateBeadStack } from "../../src/simulate/beads.js";
import { WIDEFIELD_520 } from "./psf-helpers.js";

describe("fitFocusField known answers", () => {
  const geometry = { fieldCentreUm: [10, 10] as const, cornerRadiusUm: Math.hypot(10, 10) };
  const pts = [] as { xUm: number; yUm: number; zUm: number }[];
  for (let i = 0; i <= 4; i++) {
    for (let j = 0; j <= 4; j++) {
      const u = 5 * i - 10;
      const v = 5 * j - 10;
      // tilt atan(0.004) along x, atan(−0.002) along y, sag 0.5 µm at the corner (radius² = 200)
      pts.push({ xUm: u + 10, yUm: v + 10, zUm: 3 + 0.004 * u - 0.002 * v + (0.5 * (u * u + v * v)) / 200 });
    }
  }

  test("exact data: tilt, curvature sag and planarity", () => {
    const f = fitFocusField(pts, geometry);
    expect(f.tiltSource).toBe("quadric");
    expect(f.tiltXMrad.value).toBeCloseTo(Math.atan(0.004) * 1000, 9);
    expect(f.tiltYMrad.value).toBeCloseTo(Math.atan(-0.002) * 1000, 9);
    expect(f.tiltMrad.value).toBeCloseTo(Math.atan(Math.hypot(0.004, 0.002)) * 1000, 9);
    expect(f.fieldCurvatureUm!.value).toBeCloseTo(0.5, 9);
    expect(f.fieldAstigmatismUm).toBeCloseTo(0, 9);
    expect(f.quadric!.centreZUm.value).toBeCloseTo(3, 9);
  });

  test("fewer than minBeadsForCurvature: plane only, with a note", () => {
    const f = fitFocusField(pts.slice(0, 8), geometry);
    expect(f.quadric).toBeNull();
    expect(f.fieldCurvatureUm).toBeNull();
    expect(f.tiltSource).toBe("plane");
    expect(f.notes[0]).toMatch(/Field curvature not fitted: 8 beads, at least 10/);
  });

  test("errors", () => {
    expect(() => fitFocusField(pts.slice(0, 3), geometry)).toThrow(InsufficientDataError);
    expect(() => fitFocusField(pts, { fieldCentreUm: [0, 0], cornerRadiusUm: 0 })).toThrow(InvalidArgumentError);
  });
});

describe("tilt and field curvature recovered from a simulated bead slide (40 beads, all at one height)", () => {
  const tilt = [5, -3] as const;
  const sag = 0.3;
  const { image, truth } = simulateBeadStack({
    beads: 40,
    shape: [40, 448, 448],
    voxelSizeUm: [0.15, 0.065, 0.065],
    seed: 21,
    photons: 5000,
    zRangeUm: [2.9, 2.9],
    fieldTiltMrad: tilt,
    fieldCurvatureUm: sag,
  });
  const r = measureBeadPsf(image, { optics: WIDEFIELD_520 });

  test("tilt and curvature within 10 % (measured: better than 3 %)", () => {
    const f = r.field!;
    expect(f.tiltSource).toBe("quadric");
    expect(Math.abs(f.tiltXMrad.value - tilt[0])).toBeLessThan(0.1 * Math.abs(tilt[0]));
    expect(Math.abs(f.tiltYMrad.value - tilt[1])).toBeLessThan(0.1 * Math.abs(tilt[1]));
    const total = Math.atan(Math.hypot(Math.tan(tilt[0] / 1000), Math.tan(tilt[1] / 1000))) * 1000;
    expect(Math.abs(f.tiltMrad.value - total)).toBeLessThan(0.1 * total);
    expect(Math.abs(f.fieldCurvatureUm!.value - sag)).toBeLessThan(0.1 * sag);
    // the field geometry is the simulator's
    expect(f.cornerRadiusUm).toBeCloseTo(truth.cornerRadiusUm, 9);
    expect(f.fieldCentreUm[0]).toBeCloseTo(truth.fieldCentreUm[0], 9);
  });

  test("the stated uncertainties are consistent with the errors (within 3 SE)", () => {
    const f = r.field!;
    expect(Math.abs(f.tiltXMrad.value - tilt[0])).toBeLessThan(3 * f.tiltXMrad.uncertainty + 1e-9);
    expect(Math.abs(f.fieldCurvatureUm!.value - sag)).toBeLessThan(3 * f.fieldCurvatureUm!.uncertainty + 1e-9);
  });

  test("a flat, untilted slide gives tilt and curvature compatible with zero", () => {
    const flat = simulateBeadStack({ beads: 30, shape: [40, 448, 448], voxelSizeUm: [0.15, 0.065, 0.065], seed: 22, photons: 5000, zRangeUm: [2.9, 2.9] });
    const f = measureBeadPsf(flat.image, { optics: WIDEFIELD_520 }).field!;
    expect(Math.abs(f.tiltMrad.value)).toBeLessThan(0.5);
    expect(Math.abs(f.fieldCurvatureUm!.value)).toBeLessThan(0.02);
  });
});
