import { describe, expect, test } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { measureBeadPsf } from "../../src/resolution/bead-psf.js";
import { psfBeadTable, psfFieldMapFigure, psfFocusMapFigure, psfGalleryFigure, psfProfilesFigure, psfSummaryTable } from "../../src/resolution/figures.js";
import { beadStack, gridBeads, WIDEFIELD_520 } from "./psf-helpers.js";

type Trace = Record<string, unknown> & { type: string; z?: number[][]; x?: number[]; y?: number[]; marker?: { color?: unknown } };

describe("PSF figures and tables", () => {
  // 12 good beads, one saturated, tilted by 0.05 µm per 3 µm column step
  const beads = [...gridBeads(12, 2.2, 800).map((b, i) => ({ ...b, z: 2.2 + 0.05 * (i % 6) })), { x: 12, y: 12.5, z: 2.2, amp: 9000 }];
  const stack = beadStack(beads, { shape: [36, 360, 360], seed: 12, bitDepth: 12 });
  const r = measureBeadPsf(stack, { optics: WIDEFIELD_520 });

  test("gallery: three √-scaled projections per bead in [0, 1], ellipse and fit-curve overlays", () => {
    const fig = psfGalleryFigure(stack, r, { maxBeads: 4, beadsPerRow: 2 });
    const heat = (fig.data as Trace[]).filter((t) => t.type === "heatmap");
    expect(heat.length).toBe(12);
    const xy = heat[0].z!;
    const roi = r.beads[0].roi;
    expect(xy.length).toBe(roi.height);
    expect(xy[0].length).toBe(roi.width);
    expect(Math.max(...xy.flat())).toBe(1);
    expect(Math.min(...xy.flat())).toBe(0);
    expect((fig.data as Trace[]).filter((t) => t.type === "scatter").length).toBe(24);
    // the XZ panel of the first bead is depth × width
    expect(heat[1].z!.length).toBe(roi.depth);
  });

  test("profiles: data, 1D and 3D fit on x, y and z; the 1D fit passes through the data", () => {
    const fig = psfProfilesFigure(stack, r);
    const d = fig.data as Trace[];
    expect(d.length).toBe(9);
    const peakData = Math.max(...(d[0].y as number[]));
    const peakFit = Math.max(...(d[1].y as number[]));
    expect(Math.abs(peakFit / peakData - 1)).toBeLessThan(0.08);
  });

  test("field map: one marker per accepted bead coloured by its FWHM, rejected beads as crosses", () => {
    const fig = psfFieldMapFigure(r, "z");
    const [acc, rej] = fig.data as Trace[];
    expect(acc.x!.length).toBe(r.counts.accepted);
    const first = r.beads.find((b) => b.accepted)!;
    expect((acc.marker!.color as number[])[0]).toBeCloseTo(first.fwhmUm!.z.value, 4);
    expect(rej.x!.length).toBe(r.counts.rejected);
    expect(() => psfFieldMapFigure(r, "diagonal" as "x")).toThrow(InvalidArgumentError);
  });

  test("focus map: fitted surface relative to the centre plus the beads on a symmetric colour scale", () => {
    const fig = psfFocusMapFigure(r, 10);
    const [heat, pts] = fig.data as Trace[];
    expect(heat.z!.length).toBe(10);
    expect(pts.x!.length).toBe(r.counts.accepted);
    const layout = fig.layout as { coloraxis: { cmin: number; cmax: number }; title: { text: string } };
    expect(layout.coloraxis.cmin).toBeCloseTo(-layout.coloraxis.cmax, 12);
    expect(layout.title.text).toMatch(/tilt \d+\.\d\d ± \d+\.\d\d mrad/);
  });

  test("tables: every bead once, accepted first, rejected with their reasons; summary per axis", () => {
    const rows = psfBeadTable(r);
    expect(rows.length).toBe(r.counts.candidates);
    expect(rows[0].status).toBe("accepted");
    const last = rows[rows.length - 1];
    expect(last.status).toBe("rejected");
    expect(String(last.reasons)).toMatch(/^saturated: /);
    const sum = psfSummaryTable(r);
    expect(sum.map((x) => x.axis)).toEqual(["x", "y", "z"]);
    expect(sum[2].n).toBe(r.counts.accepted);
  });

  test("errors: wrong stack, unknown bead, no accepted bead", () => {
    const other = beadStack(gridBeads(2, 2.2, 800), { shape: [30, 200, 200], seed: 1 });
    expect(() => psfGalleryFigure(other, r)).toThrow(/the result was measured on \[36, 360, 360\]/);
    expect(() => psfProfilesFigure(stack, r, 999)).toThrow(/Bead 999 does not exist/);
    const rejected = r.beads.find((b) => !b.accepted)!;
    expect(() => psfProfilesFigure(stack, r, rejected.id)).toThrow(/was not fitted \(saturated\)/);
    const sat = beadStack(gridBeads(4, 2.2, 9000), { shape: [30, 300, 300], seed: 2, bitDepth: 12 });
    const none = measureBeadPsf(sat, { optics: WIDEFIELD_520 });
    expect(() => psfGalleryFigure(sat, none)).toThrow(/No accepted bead/);
    expect(() => psfFocusMapFigure(none)).toThrow(/no focal-plane fit/);
    expect(psfSummaryTable(none)).toEqual([]);
  });
});
