import { describe, expect, test } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { PHANTOM_KINDS, simulatePhantom } from "../../src/simulate/index.js";

describe("simulatePhantom", () => {
  test("every kind produces data and truth with the demonstration defaults", () => {
    const small = {
      beads: { shape: [16, 96, 96] as const, beads: 3, minSeparationUm: 1.5, marginUm: 1 },
      "beads-multicolor": { shape: [16, 96, 96] as const, beads: 3, minSeparationUm: 1.5, marginUm: 1 },
      flatfield: { shape: [64, 64] as const, centrePx: [40, 30] as const },
      "camera-series": { levels: 4 },
      stage: { rounds: 2 },
      "power-log": { blockDurationS: 10 },
      drift: { timePoints: 4 },
    };
    for (const kind of PHANTOM_KINDS) {
      const r = simulatePhantom(kind, small[kind] as never) as { truth: object };
      expect(r.truth).toBeTypeOf("object");
    }
    const b = simulatePhantom("beads", small.beads);
    expect(b.truth.psf.model).toBe("scalar");
    expect(b.image.shape).toEqual([16, 96, 96]);
    const m = simulatePhantom("beads-multicolor", small["beads-multicolor"]);
    expect(m.image.channels.length).toBe(2);
    expect(m.truth.channels[1].shiftUm).toEqual([0.05, -0.03, 0.15]);
    expect(simulatePhantom("power-log", { blockDurationS: 10 }).truth.blocks.length).toBe(4);
    expect(simulatePhantom("stage", { rounds: 2 }).frames).not.toBeNull();
  });

  test("an unknown kind throws InvalidArgumentError listing the kinds", () => {
    expect(() => simulatePhantom("galaxy" as never)).toThrow(InvalidArgumentError);
    expect(() => simulatePhantom("galaxy" as never)).toThrow(/Unknown phantom kind "galaxy"/);
  });
});
