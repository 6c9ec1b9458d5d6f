import { describe, expect, test } from "vitest";
import { DimensionError, InsufficientDataError, MissingMetadataError, MissingPixelSizeError } from "../../src/core/errors.js";
import { measureCoregistration, referenceDistance } from "../../src/coregistration/measure.js";
import { extractPlane } from "../../src/image/roi.js";
import { makeImage } from "../../src/image/types.js";
import { type MultiChannelBeadStackOptions, simulateMultiChannelBeadStack } from "../../src/simulate/index.js";

/** Done-when tolerances: per-bead shifts within 10 nm laterally and 20 nm axially at SBR ≥ 20. */
const LATERAL_TOL_NM = 10;
const AXIAL_TOL_NM = 20;
const OPTICS = { modality: "widefield" as const, na: 1.4, immersionIndex: 1.518 };
const SHIFT_UM: [number, number, number] = [0.05, -0.03, 0.2];
const MAGNIFICATION = 1.003;

const BASE: MultiChannelBeadStackOptions = {
  shape: [32, 384, 384],
  voxelSizeUm: [0.15, 0.065, 0.065],
  beads: 25,
  // MetroloJ_QC's SBR (F8) is on raw values, camera offset included: 60 000 photons per bead give SBR ≈ 25
  photons: 60000,
  backgroundPhotons: 20,
  seed: 3,
  channels: [
    { name: "green", emissionWavelengthNm: 520, excitationWavelengthNm: 488 },
    { name: "red", emissionWavelengthNm: 600, excitationWavelengthNm: 561, shiftUm: SHIFT_UM, magnification: MAGNIFICATION },
  ],
};
const sim = simulateMultiChannelBeadStack(BASE);
const result = measureCoregistration(sim.image, { optics: OPTICS });
const pair = result.pairs[0];

/** Planted shift of the truth bead nearest to a measured reference position, nm. */
function truthShiftNm(xUm: number, yUm: number): [number, number, number] {
  let best = sim.truth.beads[0];
  let bd = Number.POSITIVE_INFINITY;
  for (const b of sim.truth.beads) {
    const d = Math.hypot(b.channels[0].xUm - xUm, b.channels[0].yUm - yUm);
    if (d < bd) {
      bd = d;
      best = b;
    }
  }
  const [a, c] = best.channels;
  return [1000 * (c.xUm - a.xUm), 1000 * (c.yUm - a.yUm), 1000 * (c.peakZUm - a.peakZUm)];
}

describe("shifts between channels", () => {
  test("every bead is found and fitted in both channels, at SBR ≥ 20", () => {
    expect(result.counts.detected).toBe(25);
    expect(result.counts.usedInAllChannels).toBe(25);
    for (const b of result.beads) expect(b.sbr ?? 0).toBeGreaterThanOrEqual(20);
  });

  test("per-bead shifts are recovered within 10 nm laterally and 20 nm axially", () => {
    expect(pair.beads).toHaveLength(25);
    let within3Se = 0;
    for (const b of pair.beads) {
      const [tx, ty, tz] = truthShiftNm(b.xUm, b.yUm);
      expect(Math.hypot(b.dxNm.value - tx, b.dyNm.value - ty)).toBeLessThan(LATERAL_TOL_NM);
      expect(Math.abs(b.dzNm.value - tz)).toBeLessThan(AXIAL_TOL_NM);
      if (Math.abs(b.dxNm.value - tx) < 3 * b.dxNm.uncertainty && Math.abs(b.dzNm.value - tz) < 3 * b.dzNm.uncertainty) within3Se++;
    }
    // the standard errors are honest: almost every error is within 3 SE
    expect(within3Se / pair.beads.length).toBeGreaterThan(0.85);
  });

  test("ISO 21073 distances and the ratio follow from the shifts", () => {
    for (const b of pair.beads) {
      expect(b.lateralNm.value).toBeCloseTo(Math.hypot(b.dxNm.value, b.dyNm.value), 9);
      expect(b.axialNm.value).toBeCloseTo(Math.abs(b.dzNm.value), 9);
      expect(b.ratio.value).toBeCloseTo(b.distanceNm.value / b.referenceDistanceNm, 9);
    }
    // the resolution of the longer wavelength (600 nm, widefield: 0.51·λ/NA, 1.77·n·λ/NA²) sets the ellipsoid
    expect(pair.resolutionChannel).toBe(1);
    expect(pair.resolution.lateralNm).toBeCloseTo((0.51 * 600) / 1.4, 6);
    expect(pair.resolution.axialNm).toBeCloseTo((1.77 * 1.518 * 600) / 1.96, 6);
    expect(JSON.stringify(result)).not.toMatch(/NaN/);
  });

  test("the mean shift matches the planted one and the verdict passes", () => {
    expect(Math.abs(pair.summary.meanDzNm.value - 1000 * SHIFT_UM[2])).toBeLessThan(5);
    expect(pair.summary.medianRatio).toBeLessThan(1);
    expect(result.verdict.level).toBe("pass");
    expect(pair.verdict.reason).toMatch(/within the limit ≤ 1/);
  });
});

describe("registration transforms", () => {
  test("affine: centre shift, magnification, and a residual at the noise floor", () => {
    const a = pair.transforms.affine!;
    expect(Math.abs(a.centreShiftNm.x - 1000 * SHIFT_UM[0])).toBeLessThan(5);
    expect(Math.abs(a.centreShiftNm.y - 1000 * SHIFT_UM[1])).toBeLessThan(5);
    expect(Math.abs(a.centreShiftNm.z - 1000 * SHIFT_UM[2])).toBeLessThan(5);
    expect(Math.abs(a.magnificationPpm!.x - 3000)).toBeLessThan(200);
    expect(Math.abs(a.magnificationPpm!.y - 3000)).toBeLessThan(200);
    // "at the noise floor": RMS residual ≤ 1.5 × the RMS of the shift standard errors
    expect(a.residualToNoise.lateral).toBeLessThan(1.5);
    expect(a.residualToNoise.axial).toBeLessThan(1.5);
    const p = pair.transforms.polynomial!;
    expect(p.residualToNoise.lateral).toBeLessThan(1.5);
  });

  test("a translation cannot explain chromatic magnification: residual far above the noise", () => {
    expect(pair.transforms.translation!.residualToNoise.lateral).toBeGreaterThan(5);
    expect(pair.summary.sdNm.x).toBeGreaterThan(10);
  });
});

describe("verdicts", () => {
  test("a misregistered channel fails", () => {
    const bad = simulateMultiChannelBeadStack({
      ...BASE,
      beads: 8,
      channels: [BASE.channels![0], { ...BASE.channels![1], shiftUm: [0.3, 0, 0], magnification: 1 }],
    });
    const r = measureCoregistration(bad.image, { optics: OPTICS });
    expect(r.pairs[0].summary.medianRatio).toBeGreaterThan(1.2);
    expect(r.verdict.level).toBe("fail");
    expect(r.verdict.reason).toMatch(/the limit is ≤ 1/);
  });

  test("a passing median with many beads above the limit warns (field-dependent shift)", () => {
    const limit = (pair.summary.medianRatio + pair.summary.maxRatio) / 2;
    const r = measureCoregistration(sim.image, { optics: OPTICS, ratioLimit: limit });
    expect(r.pairs[0].summary.beadsAboveLimitPercent).toBeGreaterThan(10);
    expect(r.verdict.level).toBe("warn");
    expect(r.verdict.reason).toMatch(/varies across the field/);
  });
});

describe("2D images", () => {
  test("a single plane gives lateral shifts only", () => {
    const z = Math.round(sim.truth.beads[0].channels[0].zPx);
    const planes = { channels: sim.image.channels.map((c) => extractPlane(c, z)) };
    const r = measureCoregistration(planes, { optics: OPTICS });
    expect(r.axialMeasured).toBe(false);
    for (const b of r.pairs[0].beads) {
      const [tx, ty] = truthShiftNm(b.xUm, b.yUm);
      expect(Math.hypot(b.dxNm.value - tx, b.dyNm.value - ty)).toBeLessThan(LATERAL_TOL_NM);
      expect(b.dzNm.value).toBe(0);
    }
  });
});

describe("referenceDistance (MetroloJ_QC 2024 form)", () => {
  test("known answers", () => {
    expect(referenceDistance([0.1, 0, 0], [0.2, 0.2, 0.6])).toBeCloseTo(0.2, 12);
    expect(referenceDistance([0, 0.1, 0], [0.2, 0.3, 0.6])).toBeCloseTo(0.3, 12);
    expect(referenceDistance([0, 0, -0.1], [0.2, 0.2, 0.6])).toBeCloseTo(0.6, 12);
    // 45° in the x-z plane on the ellipse x²/1 + z²/4 = 1: t = 1/√1.25, r = t·√2
    expect(referenceDistance([1, 0, 1], [1, 1, 2])).toBeCloseTo(Math.SQRT2 / Math.sqrt(1.25), 12);
    expect(referenceDistance([0, 0, 0], [0.2, 0.2, 0.6])).toBeCloseTo(0.6, 12);
  });
});

describe("bad inputs", () => {
  test("a single channel is refused with DimensionError", () => {
    expect(() => measureCoregistration({ channels: [sim.image.channels[0]] }, { optics: OPTICS })).toThrowError(DimensionError);
    expect(() => measureCoregistration({ channels: [sim.image.channels[0]] }, { optics: OPTICS })).toThrowError(/image has 1 channel\b/);
  });

  test("channels of different shapes, and a 2-plane stack", () => {
    const small = makeImage(new Uint16Array(32 * 64 * 64), [32, 64, 64], { voxelSizeUm: [0.15, 0.065, 0.065] });
    expect(() => measureCoregistration({ channels: [sim.image.channels[0], small] }, { optics: OPTICS })).toThrowError(/Channel 1 has shape \[32, 64, 64\]/);
    const two = makeImage(new Uint16Array(2 * 64 * 64), [2, 64, 64], { voxelSizeUm: [0.15, 0.065, 0.065] });
    expect(() => measureCoregistration({ channels: [two, two] }, { optics: OPTICS })).toThrowError(/2 planes/);
  });

  test("no beads", () => {
    const empty = simulateMultiChannelBeadStack({ ...BASE, shape: [16, 96, 96], beads: 0 });
    expect(() => measureCoregistration(empty.image, { optics: OPTICS })).toThrowError(InsufficientDataError);
    expect(() => measureCoregistration(empty.image, { optics: OPTICS })).toThrowError(/No beads found/);
  });

  test("missing optics or voxel size", () => {
    expect(() => measureCoregistration(sim.image)).toThrowError(MissingMetadataError);
    const noVoxel = { channels: sim.image.channels.map((c) => makeImage(c.data, c.shape)) };
    expect(() => measureCoregistration(noVoxel, { optics: OPTICS })).toThrowError(MissingPixelSizeError);
  });
});
