import { expect, test } from "vitest";
import { simulateDriftSeries, simulateStageSeries } from "../../src/simulate/stage.js";
import { measureStageDrift } from "../../src/stage/drift.js";
import { measureStageRepeatability } from "../../src/stage/repeatability.js";

test("TSDoc examples of src/stage give what they say", () => {
  const s = simulateStageSeries({ rounds: 20, seed: 1 });
  const r = measureStageRepeatability(s.truth.captures.map((c) => ({ index: c.index, moveSizeUm: c.moveSizeUm, direction: c.directionName, xUm: c.positionUm[0], yUm: c.positionUm[1] })));
  expect(Math.abs(r.sizes[0].isoX!.reversalUm.value - 0.3)).toBeLessThan(3 * r.sizes[0].isoX!.reversalUm.uncertainty);
  const d = simulateDriftSeries({ render: false, seed: 5 });
  const dr = measureStageDrift(d.truth.timesS.map((t, i) => ({ timeS: t, xUm: d.truth.positionsUm[i][0], yUm: d.truth.positionsUm[i][1] })));
  expect(dr.stabilisation.timeS!.value).toBe(d.truth.stabilisationTimeS);
});
