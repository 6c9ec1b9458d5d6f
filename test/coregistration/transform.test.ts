import { describe, expect, test } from "vitest";
import { InsufficientDataError, InvalidArgumentError } from "../../src/core/errors.js";
import { Random } from "../../src/core/random.js";
import { measureCoregistration } from "../../src/coregistration/measure.js";
import { applyRegistration, type BeadDisplacements, fitRegistrationTransform, registrationDisplacementUm } from "../../src/coregistration/transform.js";
import { simulateMultiChannelBeadStack } from "../../src/simulate/index.js";

const FIELD: [number, number] = [60, 40];

/** Displacements from a known field d(x, y) plus Gaussian noise of sd µm. */
function displacements(n: number, d: (x: number, y: number) => [number, number, number], sd: number, seed = 1): BeadDisplacements {
  const rng = new Random(seed);
  const xs: number[] = [];
  const ys: number[] = [];
  const dx: number[] = [];
  const dy: number[] = [];
  const dz: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = rng.range(0, FIELD[0]);
    const y = rng.range(0, FIELD[1]);
    const [a, b, c] = d(x, y);
    xs.push(x);
    ys.push(y);
    dx.push(a + rng.normal(0, sd));
    dy.push(b + rng.normal(0, sd));
    dz.push(c + rng.normal(0, 2 * sd));
  }
  const se = (k: number) => Array.from({ length: n }, () => k * sd);
  return { xUm: xs, yUm: ys, dxUm: dx, dyUm: dy, dzUm: dz, dxSeUm: se(1), dySeUm: se(1), dzSeUm: se(2) };
}

describe("fitRegistrationTransform", () => {
  // magnification 0.2 % about the field centre, a shift and a small rotation
  const M = 0.002;
  const ROT = 0.0005;
  const field = (x: number, y: number): [number, number, number] => {
    const u = x - 30;
    const v = y - 20;
    return [0.05 + M * u - ROT * v, -0.02 + M * v + ROT * u, 0.15 + 0.001 * u];
  };

  test("affine recovers shift, magnification and rotation, with a residual at the noise floor", () => {
    const t = fitRegistrationTransform(displacements(60, field, 0.002), "affine", FIELD);
    expect(t.centreShiftNm.x).toBeCloseTo(50, 0);
    expect(t.centreShiftNm.y).toBeCloseTo(-20, 0);
    expect(t.centreShiftNm.z).toBeCloseTo(150, 0);
    expect(Math.abs(t.magnificationPpm!.x - 2000)).toBeLessThan(100);
    expect(Math.abs(t.rotationMrad! - 0.5)).toBeLessThan(0.1);
    expect(t.residualToNoise.lateral).toBeGreaterThan(0.7);
    expect(t.residualToNoise.lateral).toBeLessThan(1.3);
    expect(t.chi2PerDof.x).toBeLessThan(1.6);
    const [a, b] = registrationDisplacementUm(t, 50, 10);
    const [ea, eb] = field(50, 10);
    expect(Math.abs(a - ea)).toBeLessThan(0.002);
    expect(Math.abs(b - eb)).toBeLessThan(0.002);
  });

  test("polynomial captures a quadratic (distortion-like) term that affine leaves", () => {
    const quad = (x: number, y: number): [number, number, number] => {
      const [a, b, c] = field(x, y);
      return [a + 2e-5 * (x - 30) ** 2, b, c];
    };
    const d = displacements(80, quad, 0.002, 2);
    expect(fitRegistrationTransform(d, "affine", FIELD).residualToNoise.lateral).toBeGreaterThan(2);
    expect(fitRegistrationTransform(d, "polynomial", FIELD).residualToNoise.lateral).toBeLessThan(1.3);
    expect(fitRegistrationTransform(d, "polynomial", FIELD, 3).terms).toHaveLength(10);
  });

  test("too few beads, bad kind or degree", () => {
    expect(() => fitRegistrationTransform(displacements(3, field, 0.002), "affine", FIELD)).toThrowError(InsufficientDataError);
    expect(() => fitRegistrationTransform(displacements(3, field, 0.002), "affine", FIELD)).toThrowError(/needs more than 3 beads/);
    expect(() => fitRegistrationTransform(displacements(20, field, 0.002), "polynomial", FIELD, 5)).toThrowError(InvalidArgumentError);
  });
});

describe("applyRegistration", () => {
  test("resampling the shifted channel with the fitted transform removes the shift", () => {
    const sim = simulateMultiChannelBeadStack({
      shape: [24, 256, 256],
      voxelSizeUm: [0.15, 0.065, 0.065],
      beads: 12,
      photons: 60000,
      backgroundPhotons: 20,
      seed: 9,
      channels: [
        { emissionWavelengthNm: 520, excitationWavelengthNm: 488 },
        { emissionWavelengthNm: 600, excitationWavelengthNm: 561, shiftUm: [0.12, -0.07, 0.3], magnification: 1.004 },
      ],
    });
    const optics = { modality: "widefield" as const, na: 1.4, immersionIndex: 1.518 };
    const before = measureCoregistration(sim.image, { optics });
    const t = before.pairs[0].transforms.affine!;
    const aligned = applyRegistration(sim.image.channels[1], t);
    expect(aligned.shape).toEqual(sim.image.channels[1].shape);
    const after = measureCoregistration({ channels: [sim.image.channels[0], aligned] }, { optics });
    const s = after.pairs[0].summary;
    expect(before.pairs[0].summary.medianLateralNm).toBeGreaterThan(100);
    expect(Math.abs(s.meanDxNm.value)).toBeLessThan(10);
    expect(Math.abs(s.meanDyNm.value)).toBeLessThan(10);
    expect(Math.abs(s.meanDzNm.value)).toBeLessThan(20);
    expect(s.medianLateralNm).toBeLessThan(10);
  });
});
