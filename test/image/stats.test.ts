import { describe, expect, test } from "vitest";
import { InsufficientDataError, InvalidArgumentError } from "../../src/core/errors.js";
import { Random } from "../../src/core/random.js";
import { countAtOrAbove, histogram, imageStats, percentiles } from "../../src/image/stats.js";
import { makeImage, type PixelArray } from "../../src/image/types.js";

/** numpy "linear" percentile from a fully sorted copy: the reference the kernel must match. */
function refPercentile(values: ArrayLike<number>, p: number): number {
  const a = Array.from(values)
    .filter((v) => !Number.isNaN(v))
    .sort((x, y) => x - y);
  const h = ((a.length - 1) * p) / 100;
  const lo = Math.floor(h);
  const f = h - lo;
  return f === 0 ? a[lo]! : a[lo]! + f * (a[lo + 1]! - a[lo]!);
}

describe("imageStats", () => {
  test("doc example: [1, 2, 3, 4]", () => {
    const s = imageStats(new Uint16Array([1, 2, 3, 4]));
    expect(s.min).toBe(1);
    expect(s.max).toBe(4);
    expect(s.mean).toBe(2.5);
    expect(s.sum).toBe(10);
    expect(s.count).toBe(4);
    expect(s.sd).toBeCloseTo(Math.sqrt(5 / 3), 12);
  });

  test("matches a two-pass float64 reference on random data spanning several blocks (rel. 1e-12)", () => {
    const r = new Random(3);
    const n = 10_001; // not a multiple of the 4096 block
    const d = new Float32Array(n);
    for (let i = 0; i < n; i++) d[i] = 1e4 + r.normal(0, 3);
    let sum = 0;
    for (const v of d) sum += v;
    const mean = sum / n;
    let ss = 0;
    for (const v of d) ss += (v - mean) ** 2;
    const s = imageStats(makeImage(d, [1, 1, n]));
    expect(Math.abs(s.mean - mean) / mean).toBeLessThan(1e-12);
    expect(Math.abs(s.sd - Math.sqrt(ss / (n - 1))) / Math.sqrt(ss / (n - 1))).toBeLessThan(1e-9);
    expect(s.sum).toBeCloseTo(sum, 4);
  });

  test("no cancellation: SD 1 on a 1e9 offset is exact to 1e-6", () => {
    const d = new Float64Array(20_000);
    for (let i = 0; i < d.length; i++) d[i] = 1e9 + (i % 2 === 0 ? -1 : 1);
    const s = imageStats(d);
    // population SD 1 → sample SD sqrt(n/(n-1))
    expect(Math.abs(s.sd - Math.sqrt(d.length / (d.length - 1)))).toBeLessThan(1e-6);
  });

  test("skips NaN, single value has sd 0", () => {
    const s = imageStats(new Float32Array([Number.NaN, 5, Number.NaN]));
    expect(s).toEqual({ min: 5, max: 5, mean: 5, sd: 0, count: 1, sum: 5 });
  });

  test("throws InsufficientDataError for empty or all-NaN data", () => {
    expect(() => imageStats(new Float32Array(0))).toThrow(InsufficientDataError);
    expect(() => imageStats(new Float32Array([Number.NaN]))).toThrow(/all NaN/);
  });
});

describe("percentiles", () => {
  test("doc example", () => {
    expect(percentiles(new Uint16Array([1, 2, 3, 4]), [0, 50, 100])).toEqual([1, 2.5, 4]);
  });

  const ps = [0, 0.1, 1, 5, 25, 33.3, 50, 50, 75, 99, 99.9, 100];
  const cases: [string, () => PixelArray][] = [
    [
      "Uint16 with many ties (counting path)",
      () => {
        const r = new Random(11);
        return Uint16Array.from({ length: 5001 }, () => Math.floor(r.uniform() * 40) * 100);
      },
    ],
    [
      "Uint8 (counting path)",
      () => {
        const r = new Random(12);
        return Uint8Array.from({ length: 777 }, () => Math.floor(r.uniform() * 256));
      },
    ],
    [
      "Int16 with negatives (counting path)",
      () => {
        const r = new Random(13);
        return Int16Array.from({ length: 3000 }, () => Math.round(r.normal(0, 5000)));
      },
    ],
    [
      "Float32 with ties and NaN (quickselect path)",
      () => {
        const r = new Random(14);
        return Float32Array.from({ length: 4099 }, (_, i) => (i % 97 === 0 ? Number.NaN : Math.round(r.normal(0, 3)) / 2));
      },
    ],
    [
      "Float64 continuous (quickselect path)",
      () => {
        const r = new Random(15);
        return Float64Array.from({ length: 10_000 }, () => r.normal(100, 10));
      },
    ],
    ["Int32 constant (quickselect path)", () => new Int32Array(100).fill(-7)],
  ];
  test.each(cases)("%s: equal to a sort-based reference (1e-12)", (_name, make) => {
    const d = make();
    const got = percentiles(d, ps);
    for (let k = 0; k < ps.length; k++) expect(got[k]!).toBeCloseTo(refPercentile(d, ps[k]!), 12);
  });

  test("does not modify the input", () => {
    const d = Float64Array.of(5, 3, 1, 4, 2);
    percentiles(d, [50]);
    expect(Array.from(d)).toEqual([5, 3, 1, 4, 2]);
  });

  test("rejects percentiles outside [0, 100] and empty data", () => {
    expect(() => percentiles(new Uint8Array(3), [101])).toThrow(InvalidArgumentError);
    expect(() => percentiles(new Uint8Array(3), [0.5, -1])).toThrow(/must lie in \[0, 100\]/);
    expect(() => percentiles(new Float32Array(0), [50])).toThrow(InsufficientDataError);
  });
});

describe("histogram", () => {
  test("doc example", () => {
    expect(Array.from(histogram(new Uint8Array([0, 1, 1, 3]), { bins: 3, range: [0, 3] }).counts)).toEqual([1, 2, 1]);
  });

  /** Reference: numpy-style assignment computed with exact edge comparisons. */
  function refHistogram(d: ArrayLike<number>, bins: number, lo: number, hi: number): number[] {
    const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + ((hi - lo) * i) / bins));
    const c = new Array<number>(bins).fill(0);
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      if (!(v >= lo && v <= hi)) continue;
      let b = 0;
      while (b < bins - 1 && v >= edges[b + 1]!) b++;
      c[b]!++;
    }
    return c;
  }

  test("integer (table) and float (direct) paths match the edge-comparison reference", () => {
    const r = new Random(5);
    const u16 = Uint16Array.from({ length: 20_000 }, () => Math.floor(r.uniform() * 4096));
    const f32 = Float32Array.from(u16);
    for (const [bins, range] of [
      [256, [0, 4095]],
      [7, [100.5, 3000.25]],
      [1000, [0, 4096]],
    ] as [number, [number, number]][]) {
      const ref = refHistogram(u16, bins, range[0], range[1]);
      expect(Array.from(histogram(u16, { bins, range }).counts)).toEqual(ref);
      expect(Array.from(histogram(f32, { bins, range }).counts)).toEqual(ref);
    }
  });

  test("default range is the data min/max; constant data gets ±0.5; edges have bins + 1 values", () => {
    const h = histogram(Float32Array.of(2, 4, 6), { bins: 2 });
    expect(Array.from(h.edges)).toEqual([2, 4, 6]);
    expect(Array.from(h.counts)).toEqual([1, 2]);
    const c = histogram(new Uint16Array(10).fill(7), { bins: 4 });
    expect(c.edges[0]).toBe(6.5);
    expect(c.edges[4]).toBe(7.5);
    expect(c.counts.reduce((a, b) => a + b, 0)).toBe(10);
  });

  test("default range from the counting table of 16-bit data equals the float path", () => {
    const r = new Random(6);
    const i16 = Int16Array.from({ length: 5000 }, () => Math.round(r.normal(0, 900)));
    const a = histogram(i16, { bins: 37 });
    const b = histogram(Float64Array.from(i16), { bins: 37 });
    expect(Array.from(a.edges)).toEqual(Array.from(b.edges));
    expect(Array.from(a.counts)).toEqual(Array.from(b.counts));
    expect(a.edges[0]).toBe(Math.min(...i16));
  });

  test("rejects bad bins and range", () => {
    expect(() => histogram(new Uint8Array(3), { bins: 0 })).toThrow(InvalidArgumentError);
    expect(() => histogram(new Uint8Array(3), { range: [5, 5] })).toThrow(/low < high/);
  });
});

describe("countAtOrAbove", () => {
  test("doc example and NaN handling", () => {
    expect(countAtOrAbove(new Uint16Array([10, 4095, 4095, 200]), 4095)).toBe(2);
    expect(countAtOrAbove(Float32Array.of(Number.NaN, 1, 2), 1)).toBe(2);
    expect(() => countAtOrAbove(new Uint8Array(2), Number.NaN)).toThrow(InvalidArgumentError);
  });
});
