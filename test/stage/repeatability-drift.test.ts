import { describe, expect, test } from "vitest";
import { DimensionError, InsufficientDataError, InvalidArgumentError } from "../../src/core/errors.js";
import { makeImage } from "../../src/image/types.js";
import { loadProtocol } from "../../src/protocols/load.js";
import { simulateDriftSeries, simulateStageSeries, type StageSeries } from "../../src/simulate/stage.js";
import { analyseStageSeries, parseDriftPositions, parseStagePositions } from "../../src/stage/analyse.js";
import { localiseDriftSeries, measureStageDrift } from "../../src/stage/drift.js";
import { confidenceEllipse, driftPlot, stageScatterPlot } from "../../src/stage/plots.js";
import { DEFAULT_STAGE_LIMITS, type StageCaptureInput, measureStageRepeatability, stageProtocolOrder } from "../../src/stage/repeatability.js";

const fromTruth = (s: StageSeries): StageCaptureInput[] =>
  s.truth.captures.map((c) => ({ index: c.index, moveSizeUm: c.moveSizeUm, direction: c.directionName, timeS: c.timeS, xUm: c.positionUm[0], yUm: c.positionUm[1] }));
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe("measureStageRepeatability", () => {
  test("ISO 230-2 known answer", () => {
    const caps: StageCaptureInput[] = [];
    const add = (direction: "W" | "E", x: number) => caps.push({ index: caps.length, moveSizeUm: 300, direction, xUm: x, yUm: 0 });
    for (const x of [1, 2, 3]) add("W", x);
    for (const x of [-1, 0, 1]) add("E", x);
    const r = measureStageRepeatability(caps);
    const a = r.sizes[0].isoX!;
    expect(a.reversalUm.value).toBeCloseTo(2, 12);
    expect(a.sdUpUm.value).toBeCloseTo(1, 12);
    expect(a.repeatabilityUpUm).toBeCloseTo(4, 12);
    expect(a.bidirectionalRepeatabilityUm).toBeCloseTo(6, 12);
    expect(a.accuracyUm).toBeCloseTo(6, 12);
    expect(a.pooledSdUm.value).toBeCloseTo(1, 12);
    expect(r.sizes[0].isoY).toBeNull();
    expect(r.provenance.notes.join(" ")).toMatch(/ISO 230-2 values not computed for y/);
  });

  test("recovers planted repeatability SD and backlash within 10 % (200 rounds, both move sizes, linear detrend)", () => {
    const s = simulateStageSeries({ rounds: 200, seed: 4, backlashUm: [0.3, 0.2], repeatabilitySdUm: [0.1, 0.12] });
    const r = measureStageRepeatability(fromTruth(s), { detrend: "linear" });
    for (const size of r.sizes) {
      expect(rel(size.isoX!.pooledSdUm.value, 0.1)).toBeLessThan(0.1);
      expect(rel(size.isoY!.pooledSdUm.value, 0.12)).toBeLessThan(0.1);
      expect(rel(size.isoX!.reversalUm.value, 0.3)).toBeLessThan(0.1);
      expect(rel(size.isoY!.reversalUm.value, 0.2)).toBeLessThan(0.1);
      // per-direction SD of E returns in x = the planted SD
      expect(rel(size.directions.find((d) => d.direction === "E")!.sdXUm!.value, 0.1)).toBeLessThan(0.15);
      // Tool-Kit SD over all moves includes the reversal: √(s² + B²/4)
      expect(rel(size.sdAllXUm.value, Math.sqrt(0.1 ** 2 + 0.3 ** 2 / 4))).toBeLessThan(0.1);
    }
    expect(r.verdict.level).toBe("pass");
  });

  test("scatter growing with move length fails the Tool-Kit limit for the long moves", () => {
    const s = simulateStageSeries({ rounds: 30, seed: 8, repeatabilitySdUm: [0.1, 0.1], sdPerMmUm: [0.2, 0.2] });
    const r = measureStageRepeatability(fromTruth(s));
    const small = r.sizes.find((z) => z.moveSizeUm === 300)!;
    const large = r.sizes.find((z) => z.moveSizeUm === 3000)!;
    expect(large.sdAllXUm.value).toBeGreaterThan(2 * small.sdAllXUm.value);
    const fails = r.checks.filter((c) => c.level === "fail");
    expect(fails.length).toBeGreaterThan(0);
    expect(fails.every((c) => c.subject.startsWith("3000 µm"))).toBe(true);
    expect(r.verdict.reason).toMatch(/QUAREP-LiMi Tool-Kit warning limit/);
  });

  test("image series with a lost bead: the frame is excluded and explained, the rest analysed; plots", () => {
    const s = simulateStageSeries({ rounds: 4, render: true, seed: 9 });
    const empty = simulateStageSeries({ rounds: 4, render: true, seed: 10, frames: { beadPhotons: 0 } });
    const n = 64 * 64;
    const data = Uint16Array.from(s.frames!.data);
    data.set(empty.frames!.data.subarray(7 * n, 8 * n), 7 * n);
    const r = analyseStageSeries(makeImage(data, s.frames!.shape, { voxelSizeUm: s.frames!.voxelSizeUm }));
    expect(r.repeatability.excluded).toEqual([{ index: 7, reason: expect.stringMatching(/no bead found/) }]);
    expect(r.repeatability.sizes[0].excluded).toBe(1);
    expect(r.provenance.notes.join(" ")).toMatch(/Frame 7 excluded: no bead found/);
    const fig = stageScatterPlot(r.repeatability, 3000);
    expect(fig.data.length).toBe(10);
    expect(() => stageScatterPlot(r.repeatability, 50)).toThrow(/No 50 µm moves/);
    expect(JSON.stringify(r)).not.toMatch(/NaN|Infinity/);
  });

  test("QUAREP order, position tables and errors", () => {
    const o = stageProtocolOrder(20, [300, 3000]);
    expect(o.slice(0, 6).map((x) => x.direction)).toEqual(["centre", "N", "E", "S", "W", "centre"]);
    expect(o[10].moveSizeUm).toBe(3000);
    expect(() => stageProtocolOrder(161)).toThrow(DimensionError);
    expect(() => stageProtocolOrder(161)).toThrow(/161 captures do not fit the QUAREP order/);
    const caps = parseStagePositions("size_um,direction,x_um,y_um,time_s\n300,0,1.0,2.0,0\n300,2,1.1,2.1,1\n300,4,0.9,1.9,2\n300,N,,,3\n");
    expect(caps.map((c) => c.direction)).toEqual(["centre", "E", "W", "N"]);
    expect(caps[3].excludedReason).toMatch(/no position/);
    const r = measureStageRepeatability(caps);
    expect(r.excluded).toEqual([{ index: 3, reason: "no position in the table" }]);
    expect(() => parseStagePositions("size_um,x_um,y_um\n")).toThrow(/no "direction" column/);
    expect(() => parseStagePositions("size_um,direction,x_um,y_um\n300,7,1,1\n")).toThrow(/line 2: direction "7"/);
    expect(() => measureStageRepeatability(caps.slice(0, 2))).toThrow(InsufficientDataError);
    expect(() => measureStageRepeatability(caps.map(({ timeS, ...c }) => c), { detrend: "linear" })).toThrow(InvalidArgumentError);
  });
});

describe("measureStageDrift", () => {
  // the bead must stay in the 6.4 µm field and the z range of the stacks
  const drift = { settlingUm: [2, 1.2, 0.8] as [number, number, number], settlingTimeConstantS: 150, intervalS: 20, timePoints: 30 };
  test("stabilisation time (overall and per axis) equals the simulator's, from positions and from rendered frames", () => {
    const d = simulateDriftSeries({ ...drift, seed: 5 });
    const truthPos = d.truth.timesS.map((t, i) => ({ timeS: t, xUm: d.truth.positionsUm[i][0], yUm: d.truth.positionsUm[i][1] }));
    const r = measureStageDrift(truthPos);
    expect(d.truth.stabilisationTimeS).toBeGreaterThanOrEqual(60);
    expect(r.stabilisation.timeS!.value).toBe(d.truth.stabilisationTimeS);
    expect(r.stabilisation.perAxisS.x).toBe(d.truth.stabilisationPerAxisS[0]);
    expect(r.stabilisation.perAxisS.y).toBe(d.truth.stabilisationPerAxisS[1]);
    const n = 64 * 64;
    const data = new Uint16Array(n * d.frames!.length);
    d.frames!.forEach((f, i) => {
      data.set(f.data, i * n);
    });
    const pos = localiseDriftSeries(makeImage(data, [d.frames!.length, 64, 64], { voxelSizeUm: d.frames![0].voxelSizeUm }), d.truth.timesS);
    const ri = measureStageDrift(pos);
    expect(ri.excluded).toEqual([]);
    expect(Math.abs(ri.stabilisation.timeS!.value - d.truth.stabilisationTimeS!)).toBeLessThanOrEqual(20);
    ri.relativeXUm.forEach((x, i) => {
      expect(Math.abs(x - (d.truth.positionsUm[i][0] - d.truth.positionsUm[0][0]))).toBeLessThan(0.03);
    });
    expect(r.checks[0].level).toBe("pass");
    expect(driftPlot(r).data.length).toBe(2);
  });

  test("3D: z from per-time-point stacks, stabilisation with the 3D rule; threshold from the optics", () => {
    const d = simulateDriftSeries({ ...drift, timePoints: 20, zSlices: 15, zStepUm: 0.2, seed: 6 });
    const pos = localiseDriftSeries(d.frames!, d.truth.timesS);
    const r = measureStageDrift(pos);
    expect(r.dimensions).toBe(3);
    r.relativeZUm.forEach((z, i) => {
      expect(Math.abs(z - (d.truth.positionsUm[i][2] - d.truth.positionsUm[0][2]))).toBeLessThan(0.06);
    });
    expect(Math.abs(r.stabilisation.timeS!.value - d.truth.stabilisationTimeS!)).toBeLessThanOrEqual(20);
    const o = measureStageDrift(pos, { optics: { modality: "widefield", na: 1.4, immersionIndex: 1.518, emissionWavelengthNm: 520 } });
    expect(o.stabilisation.thresholdUm).toBeCloseTo((0.51 * 0.52) / 1.4, 3);
    expect(o.stabilisation.thresholdSource).toMatch(/lateral resolution/);
  });

  test("never stabilises → fail; MSD of uniform motion; velocity; errors", () => {
    const pos = Array.from({ length: 20 }, (_, i) => ({ timeS: 10 * i, xUm: 0.3 * i, yUm: 0 }));
    const r = measureStageDrift(pos);
    expect(r.stabilisation.timeS).toBeNull();
    expect(r.verdict.level).toBe("fail");
    expect(r.verdict.reason).toMatch(/did not stabilise/);
    expect(r.msd[1].msdUm2).toBeCloseTo(0.6 ** 2, 9);
    expect(r.velocity.all.meanUmPerMin).toBeCloseTo(1.8, 9); // 0.3 µm per 10 s = 1.8 µm/min
    expect(r.driftRateUmPerH.x).toBeCloseTo(108, 6);
    expect(r.squaredDisplacementUm2[19]).toBeCloseTo((0.3 * 19) ** 2, 9);
    expect(() => measureStageDrift(pos.slice(0, 2))).toThrow(InsufficientDataError);
    expect(() => measureStageDrift(pos, { thresholdUm: 0 })).toThrow(InvalidArgumentError);
    const table = parseDriftPositions("time_s,x_um,y_um\n0,0,0\n10,0.1,0\n20,,\n30,0.1,0.05\n");
    const rt = measureStageDrift(table);
    expect(rt.excluded).toEqual([{ index: 2, reason: "no position in the table" }]);
  });

  test("confidence ellipse of a known covariance; default limits match the protocol", () => {
    const e = confidenceEllipse([-1, 1, -1, 1], [-1, -1, 1, 1]);
    const r = Math.hypot(e.x[0], e.y[0]);
    expect(r).toBeCloseTo(Math.sqrt(-2 * Math.log(0.05) * (4 / 3)), 9);
    const p = loadProtocol("stage-focus");
    expect(p.acceptance.find((a) => a.id === "sd")!.fail).toBe(DEFAULT_STAGE_LIMITS.sdUm.fail);
    expect(p.acceptance.find((a) => a.id === "sd")!.warn).toBe(DEFAULT_STAGE_LIMITS.sdUm.warn);
    expect(p.acceptance.find((a) => a.id === "reversal")!.fail).toBe(DEFAULT_STAGE_LIMITS.reversalUm.fail);
    expect(p.acceptance.find((a) => a.id === "reversal")!.warn).toBe(DEFAULT_STAGE_LIMITS.reversalUm.warn);
    expect(p.acceptance.find((a) => a.id === "stabilisation")!.fail).toBe(DEFAULT_STAGE_LIMITS.stabilisationS.fail);
    expect(p.acceptance.find((a) => a.id === "stabilisation")!.warn).toBe(DEFAULT_STAGE_LIMITS.stabilisationS.warn);
  });
});
