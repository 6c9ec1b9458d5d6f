import { expect, test } from "vitest";
import { simulateFlatField } from "../../src/simulate/index.js";
import { buildFlatFieldCorrection, correctFlatField } from "../../src/uniformity/correction.js";
import { measureFieldUniformity } from "../../src/uniformity/measure.js";
import { fieldUniformityMapFigure, fieldUniformityProfilesFigure, flatFieldComparisonFigure } from "../../src/uniformity/plots.js";

const sim = simulateFlatField({ shape: [128, 160], centrePx: [100, 50], darkImage: true, seed: 2 });
const r = measureFieldUniformity(sim.image, { dark: sim.dark });

test("band map with the maximum, the reference centroid and the centre marked, in µm", () => {
  const fig = fieldUniformityMapFigure(r);
  expect(fig.data).toHaveLength(4);
  const heat = fig.data[0] as { type: string; z: number[][]; dx: number };
  expect(heat.type).toBe("heatmap");
  expect(heat.z.length).toBe(r.isoIntensity.gridShape[0]);
  expect(heat.dx).toBeCloseTo(r.isoIntensity.binPx * 0.325, 9);
  const max = fig.data[1] as { name: string; x: number[] };
  expect(max.name).toBe("maximum");
  expect(max.x[0]).toBeCloseTo(r.maxLocationPx.x.value * 0.325, 6);
});

test("four profiles and the U limit line", () => {
  const fig = fieldUniformityProfilesFigure(r);
  expect(fig.data).toHaveLength(4);
  expect(JSON.stringify(fig.layout)).toContain("U limit 50 %");
});

test("before/after comparison", () => {
  const c = correctFlatField(sim.image, buildFlatFieldCorrection(sim.image, { dark: sim.dark }), { dark: sim.dark });
  const fig = flatFieldComparisonFigure(c, 0.325);
  expect(fig.data).toHaveLength(4);
  expect((fig.data[0] as { name: string }).name).toBe("before, horizontal");
});
