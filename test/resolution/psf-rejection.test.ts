import { describe, expect, test } from "vitest";
import { DimensionError, InsufficientDataError, InvalidArgumentError, MissingMetadataError, MissingPixelSizeError } from "../../src/core/errors.js";
import { type BeadRejectionRule, findBeads } from "../../src/resolution/bead-detection.js";
import { correctForBeadSize } from "../../src/resolution/bead-fit.js";
import { type BeadPsfResult, measureBeadPsf } from "../../src/resolution/bead-psf.js";
import { simulateBeadStack } from "../../src/simulate/beads.js";
import { beadStack, gridBeads, type TestBead, WIDEFIELD_520 } from "./psf-helpers.js";

const EXPECTED = { lateral: 0.25, axial: 0.7 };
const OPTS = { optics: WIDEFIELD_520, expectedFwhmUm: EXPECTED };

/** Rules of the candidate nearest (x, y) µm. */
function rulesAt(r: BeadPsfResult, x: number, y: number): BeadRejectionRule[] {
  let best = r.beads[0];
  for (const b of r.beads) if (Math.hypot(b.detectedUm.x - x, b.detectedUm.y - y) < Math.hypot(best.detectedUm.x - x, best.detectedUm.y - y)) best = b;
  expect(Math.hypot(best.detectedUm.x - x, best.detectedUm.y - y)).toBeLessThan(0.3);
  return best.rejections.map((q) => q.rule);
}

describe("every rejection rule, on a hand-made stack", () => {
  // 400 × 400 × 40 voxels = 26 × 26 × 5.85 µm; good beads on a 3 µm grid at z = 2.2 µm
  const good = gridBeads(12, 2.2, 800);
  const special: Record<string, TestBead> = {
    edgeX: { x: 0.2, y: 12.5, z: 2.2, amp: 800 },
    edgeY: { x: 12.4, y: 25.8, z: 2.2, amp: 800 },
    edgeZ: { x: 21.1, y: 12.2, z: 0.3, amp: 800 },
    pairA: { x: 6.0, y: 16.0, z: 2.2, amp: 800 },
    pairB: { x: 7.0, y: 16.1, z: 2.2, amp: 800 },
    saturated: { x: 12.0, y: 16.0, z: 2.2, amp: 5000 },
    dim: { x: 18.0, y: 16.0, z: 2.2, amp: 40 },
    aggregate: { x: 24.0, y: 16.0, z: 2.2, amp: 2600 },
    wide: { x: 3.0, y: 21.0, z: 2.2, amp: 800 / 1.7 ** 2, sxy: 1.7 * (0.25 / 2.3548200450309493) },
  };
  const image = beadStack([...good, ...Object.values(special)], {
    shape: [40, 400, 400],
    bitDepth: 12,
    seed: 4,
  });
  const r = measureBeadPsf(image, OPTS);

  test("good beads are accepted", () => {
    for (const b of good) expect(rulesAt(r, b.x, b.y)).toEqual([]);
  });

  test.each([
    ["edgeX", "edge-x", /centre 0\.(19|20) µm from the left x edge; at least 0\.50 µm needed/],
    ["edgeY", "edge-y", /from the bottom y edge/],
    ["edgeZ", "edge-z", /centre 0\.30 µm from the first plane of the stack; at least 1\.4\d µm needed/],
    ["pairA", "neighbour", /is 1\.0\d? µm away; the minimum distance is 2\.25 µm/],
    ["pairB", "neighbour", /is 1\.0\d? µm away/],
    ["saturated", "saturated", /voxel\(s\) at or above 4095 ADU in the fit box \(allowed 0\)/],
    ["dim", "dim", /signal-to-background ratio 1\.\d\d is below 1\.5/],
    ["aggregate", "aggregate-intensity", /integrated intensity 3\.\d× the median bead \(robust z \d+\.\d > 3\.5\)/],
    ["wide", "aggregate-width", /lateral FWHM 0\.4\d\d µm is 1\.\d\d× the median bead/],
  ] as const)("%s → %s", (name, rule, reason) => {
    const s = special[name];
    let best = r.beads[0];
    for (const b of r.beads) if (Math.hypot(b.detectedUm.x - s.x, b.detectedUm.y - s.y) < Math.hypot(best.detectedUm.x - s.x, best.detectedUm.y - s.y)) best = b;
    const hit = best.rejections.find((q) => q.rule === rule);
    expect(hit, JSON.stringify(best.rejections)).toBeDefined();
    expect(hit!.reason).toMatch(reason);
    expect(best.accepted).toBe(false);
  });

  test("counts per rule and the verdict still pass on the accepted beads", () => {
    expect(r.counts.accepted).toBe(12);
    expect(r.counts.candidates).toBe(12 + Object.keys(special).length);
    expect(r.counts.byRule.neighbour).toBe(2);
    expect(r.verdict.level).toBe("pass");
  });

  test("MetroloJ_QC IQR fences flag the same aggregate", () => {
    const q = measureBeadPsf(image, { ...OPTS, aggregateTest: "metroloj-iqr" });
    expect(rulesAt(q, special.aggregate.x, special.aggregate.y)).toContain("aggregate-intensity");
    const none = measureBeadPsf(image, { ...OPTS, aggregateTest: "none" });
    expect(rulesAt(none, special.aggregate.x, special.aggregate.y)).toEqual([]);
  });
});

describe("fit-based rules", () => {
  const image = beadStack(gridBeads(6, 2.2, 800), { shape: [30, 300, 300], seed: 6 });

  test("fit-off-centre when the 3D-fit centre is more than one expected FWHM from the detected voxel", () => {
    // An expected lateral FWHM of 0.01 µm (a sixth of a pixel) makes any bead centred > 0.01 µm off its voxel "off centre".
    const r = measureBeadPsf(image, { optics: WIDEFIELD_520, expectedFwhmUm: { lateral: 0.01, axial: 0.7 } });
    const off = r.beads.filter((b) => b.rejections.some((q) => q.rule === "fit-off-centre"));
    expect(off.length).toBeGreaterThan(0);
    for (const b of off) {
      const d = Math.hypot(b.fit!.fit3d.x.centre.value - b.detectedUm.x, b.fit!.fit3d.y.centre.value - b.detectedUm.y);
      expect(d).toBeGreaterThan(0.01);
      expect(b.rejections.find((q) => q.rule === "fit-off-centre")!.reason).toMatch(/^the 3D fit centre lies 0\.0\d\d µm laterally and 0\.0\d\d µm axially from the detected voxel \(more than one theoretical FWHM\)/);
    }
  });

  test("poor-fit when the 1D R² is below minRSquared", () => {
    const r = measureBeadPsf(image, { ...OPTS, minRSquared: 0.99999 });
    expect(r.counts.accepted).toBe(0);
    expect(r.beads[0].rejections[0].reason).toMatch(/1D profile fit R² below 0\.99999: x 0\.99\d\d/);
  });

  test("fit-failed when the fit box is too shallow (bead on the first plane, z margin switched off)", () => {
    const img = beadStack([...gridBeads(6, 2.2, 800), { x: 15, y: 15, z: 0, amp: 800 }], { shape: [30, 300, 300], seed: 6 });
    const r = measureBeadPsf(img, { ...OPTS, roiHalfDepthUm: 0.45, minEdgeDistanceZUm: 0 });
    const b = r.beads.find((x) => Math.hypot(x.detectedUm.x - 15, x.detectedUm.y - 15) < 0.3)!;
    expect(b.rejections.map((q) => q.rule)).toEqual(["fit-failed"]);
    expect(b.rejections[0].reason).toMatch(/fit box is 17 × 17 × 4 voxels; at least 5 per axis/);
    expect(b.fit).toBeNull();
  });
});

describe("bad inputs", () => {
  const stack = beadStack(gridBeads(6, 2.2, 800), { shape: [30, 300, 300], seed: 7 });

  test("a 2D image where a z-stack is required → DimensionError", () => {
    const plane = beadStack(gridBeads(6, 0, 800), { shape: [1, 300, 300], seed: 7 });
    expect(() => measureBeadPsf(plane, OPTS)).toThrow(DimensionError);
    expect(() => measureBeadPsf(plane, OPTS)).toThrow(/needs a z-stack of at least 5 slices, but the image has 1/);
  });

  test("bead finding itself works on a 2D image (no z rule)", () => {
    const plane = beadStack(gridBeads(6, 0, 800), { shape: [1, 300, 300], seed: 7 });
    const f = findBeads(plane, { expectedFwhmUm: EXPECTED });
    expect(f.candidates.length).toBe(6);
    expect(f.candidates.every((c) => c.rejections.length === 0 && c.zPx === 0)).toBe(true);
  });

  test("missing voxel size → MissingPixelSizeError", () => {
    const noCal = beadStack(gridBeads(2, 2.2, 800), { shape: [30, 200, 200], voxelSizeUm: null });
    expect(() => measureBeadPsf(noCal, OPTS)).toThrow(MissingPixelSizeError);
    expect(() => measureBeadPsf(noCal, OPTS)).toThrow(/needs the voxel size in µm/);
  });

  test("missing optics → MissingMetadataError naming what is missing", () => {
    expect(() => measureBeadPsf(stack)).toThrow(MissingMetadataError);
    expect(() => measureBeadPsf(stack, { optics: { na: 1.4, immersionIndex: 1.518 } })).toThrow(/modality \(widefield, confocal, spinningDisk, multiphoton\) is missing/);
    expect(() => measureBeadPsf(stack, { optics: { modality: "widefield", na: 1.4, immersionIndex: 1.518 } })).toThrow(/emission/);
  });

  test("no beads found → InsufficientDataError", () => {
    const empty = beadStack([], { shape: [30, 200, 200], seed: 8 });
    expect(() => measureBeadPsf(empty, OPTS)).toThrow(InsufficientDataError);
    expect(() => measureBeadPsf(empty, OPTS)).toThrow(/No beads found: no local maximum of the smoothed max projection rises above the detection threshold/);
  });

  test("all beads saturated → an explained empty result, not an error", () => {
    const sat = beadStack(gridBeads(6, 2.2, 9000), { shape: [30, 300, 300], seed: 9, bitDepth: 12 });
    const r = measureBeadPsf(sat, OPTS);
    expect(r.summary).toBeNull();
    expect(r.lateralRatio).toBeNull();
    expect(r.field).toBeNull();
    expect(r.verdict.level).toBe("fail");
    expect(r.verdict.reason).toMatch(/^No bead could be measured: all 6 candidate\(s\) were rejected \(6 saturated\)\. Lower the laser power/);
    expect(JSON.stringify(r)).not.toMatch(/NaN|null,"uncertainty"/);
  });

  test("invalid options → InvalidArgumentError", () => {
    expect(() => measureBeadPsf(stack, { ...OPTS, method: "2d" as "1d" })).toThrow(InvalidArgumentError);
    expect(() => measureBeadPsf(stack, { ...OPTS, aggregateTest: "zscore" as "none" })).toThrow(/aggregateTest is "zscore"/);
    expect(() => measureBeadPsf(stack, { ...OPTS, roiHalfWidthUm: -1 })).toThrow(/roiHalfWidthUm is -1; expected a positive number/);
    expect(() => measureBeadPsf(stack, { ...OPTS, beadDiameterUm: -0.1 })).toThrow(/beadDiameterUm is -0\.1/);
    expect(() => measureBeadPsf(stack, { ...OPTS, beadDiameterUm: 100 })).toThrow(/A bead of 100 µm cannot be removed/);
  });
});

describe("correctForBeadSize", () => {
  test("known answer √(0.2² − 0.27726·0.1²) and SE scaling", () => {
    const c = correctForBeadSize({ value: 0.2, uncertainty: 0.004, unit: "um" }, 0.1);
    expect(c.value).toBeCloseTo(Math.sqrt(0.04 - 0.0027725887), 9);
    expect(c.uncertainty).toBeCloseTo((0.004 * 0.2) / c.value, 12);
    expect(correctForBeadSize({ value: 0.2, uncertainty: 0.004, unit: "um" }, 0)).toEqual({ value: 0.2, uncertainty: 0.004, unit: "um" });
  });
});

describe("simulator faults map onto the rules", () => {
  test("edge, close, aggregate, saturated and dim faults of simulateBeadStack are rejected for the right reason", () => {
    const { image, truth } = simulateBeadStack({ beads: 24, shape: [40, 400, 400], voxelSizeUm: [0.15, 0.065, 0.065], seed: 3, faults: ["edge", "close", "aggregate", "saturated", "dim"], zRangeUm: [2.9, 2.9] });
    const r = measureBeadPsf(image, { optics: WIDEFIELD_520, expectedFwhmUm: EXPECTED });
    const want: Record<string, BeadRejectionRule[]> = { edge: ["edge-x", "edge-y"], close: ["neighbour"], aggregate: ["aggregate-intensity"], saturated: ["saturated"], dim: ["dim"] };
    for (const f of truth.faults) {
      for (const i of f.beadIndices) {
        const t = truth.beads[i];
        const rules = rulesAt(r, t.xUm, t.yUm);
        expect(rules.some((x) => want[f.kind].includes(x)), `${f.kind}: ${rules.join(",")}`).toBe(true);
      }
    }
    expect(r.counts.accepted).toBe(24);
  });
});
