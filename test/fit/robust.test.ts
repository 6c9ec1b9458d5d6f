import { describe, expect, test } from "vitest";
import { InsufficientDataError, InvalidArgumentError } from "../../src/core/errors.js";
import { Random } from "../../src/core/random.js";
import { MAD_TO_SD, mad, median, metroloJOutlierFences, quantile, quartiles, robustZ, iqr, tukeyFences } from "../../src/fit/robust.js";

describe("median / quantile / quartiles", () => {
  test("known answers, and the input is not modified", () => {
    const v = [3, 1, 4, 1, 5];
    expect(median(v)).toBe(3);
    expect(v).toEqual([3, 1, 4, 1, 5]);
    const f = Float32Array.from([4, 3, 2, 1]);
    expect(median(f)).toBe(2.5);
    expect(Array.from(f)).toEqual([4, 3, 2, 1]);
    // type 7 = numpy.percentile default
    expect(quantile([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
    expect(quantile([1, 2, 3, 4], 1)).toBe(4);
    expect(quantile([7], 0.3)).toBe(7);
  });

  test("'linear' (type 7) vs 'halves' (MetroloJ_QC) quartiles", () => {
    const nine = [9, 1, 8, 2, 7, 3, 6, 4, 5];
    expect(quartiles(nine)).toEqual({ q1: 3, median: 5, q3: 7, iqr: 4, method: "linear" });
    expect(quartiles(nine, "halves")).toEqual({ q1: 2.5, median: 5, q3: 7.5, iqr: 5, method: "halves" });
    expect(quartiles([1, 2, 3, 4, 5, 6, 7, 8], "halves")).toMatchObject({ q1: 2.5, q3: 6.5 });
    expect(iqr([1, 2, 3, 4, 5, 6, 7, 8])).toBeCloseTo(3.5, 12);
  });

  test("errors: empty input, NaN, probability out of range, 'halves' with one value", () => {
    expect(() => median([])).toThrow(InsufficientDataError);
    expect(() => median([1, Number.NaN])).toThrow(/value \[1\] is NaN/);
    expect(() => quantile([1, 2], 25)).toThrow(InvalidArgumentError);
    expect(() => quartiles([1], "halves")).toThrow(/at least 2 values/);
  });
});

describe("MAD and robust z", () => {
  test("MAD raw by default, ×1.4826 when scaled; ≈ SD for normal data (n = 20 000, ±3 %)", () => {
    expect(mad([1, 2, 3, 4, 100])).toBe(1);
    expect(mad([1, 2, 3, 4, 100], { scaled: true })).toBeCloseTo(MAD_TO_SD, 12);
    const rng = new Random(1);
    const v = Array.from({ length: 20000 }, () => rng.normal(5, 2));
    expect(Math.abs(mad(v, { scaled: true }) / 2 - 1)).toBeLessThan(0.03);
  });

  test("robustZ known answer and MAD = 0 fallbacks", () => {
    const z = robustZ([1, 2, 3, 4, 100]);
    expect(z[0]).toBeCloseTo(-2 / MAD_TO_SD, 12);
    expect(z[2]).toBe(0);
    expect(z[4]).toBeCloseTo(97 / MAD_TO_SD, 10);
    // more than half equal → MAD = 0 → scale = √(π/2)·mean|x − median| = 1.2533·(10/6)
    const z2 = robustZ([5, 5, 5, 5, 6, 14]);
    expect(z2[5]).toBeCloseTo(9 / (Math.sqrt(Math.PI / 2) * (10 / 6)), 12);
    expect(Array.from(robustZ([2, 2, 2]))).toEqual([0, 0, 0]);
  });
});

describe("Tukey fences", () => {
  test("flag exactly the planted outliers in a normal sample (n = 200, 4 outliers)", () => {
    const rng = new Random(21);
    const v = Array.from({ length: 200 }, () => rng.normal(100, 5));
    const planted = [13, 77, 150, 199];
    v[13] = 160;
    v[77] = 30;
    v[150] = 140;
    v[199] = 55;
    const f = tukeyFences(v, { factor: 3 });
    expect(f.outlierIndices).toEqual(planted);
    const q = quartiles(v);
    expect(f.lower).toBeCloseTo(q.q1 - 3 * q.iqr, 12);
    expect(f.upper).toBeCloseTo(q.q3 + 3 * q.iqr, 12);
  });

  test("default factor 1.5 on a known set", () => {
    const f = tukeyFences([1, 2, 3, 4, 5, 6, 7, 8, 9, 30]);
    // type 7: q1 = 3.25, q3 = 7.75, IQR 4.5 → fences −3.5, 14.5
    expect(f.lower).toBeCloseTo(-3.5, 12);
    expect(f.upper).toBeCloseTo(14.5, 12);
    expect(f.outlierIndices).toEqual([9]);
    expect(() => tukeyFences([1, 2, 3], { factor: -1 })).toThrow(InvalidArgumentError);
  });
});

describe("metroloJOutlierFences (F11)", () => {
  test("IQR mode: half-median quartiles, 1.5·IQR fences", () => {
    const f = metroloJOutlierFences([1, 2, 3, 4, 5, 6, 7, 8, 9, 30]);
    // lower half 1..5 → Q1 = 3; upper half 6,7,8,9,30 → Q3 = 8; IQR 5
    expect(f.applied).toBe(true);
    expect(f.lower).toBe(-4.5);
    expect(f.upper).toBe(15.5);
    expect(f.outlierIndices).toEqual([9]);
  });

  test("median mode: nearest-rank 0.9 quantile of |x − median|, significance test", () => {
    const v = [10, 11, 9, 10.5, 9.5, 10, 30, 10.2, 9.8, 28];
    const f = metroloJOutlierFences(v, { mode: "median" });
    // median 10.1; δ sorted: 0.1,0.1,0.1,0.3,0.4,0.6,0.9,1.1,17.9,19.9; q = δ[8] = 17.9; median(δ) = 0.5; IQR(δ) = 1.1 − 0.1
    expect(f.applied).toBe(true);
    expect(f.significance).toBeCloseTo(17.4, 10);
    expect(f.lower).toBeCloseTo(-7.8, 10);
    expect(f.upper).toBeCloseTo(28, 10);
    expect(f.outlierIndices).toEqual([6]); // 28 sits on the fence: strictly outside only
  });

  test("median mode: one outlier in ten is below the 0.9 quantile → not significant, no fences", () => {
    const f = metroloJOutlierFences([10, 11, 9, 10.5, 9.5, 10, 30, 10.2, 9.8, 10.1], { mode: "median" });
    expect(f.applied).toBe(false);
    expect(f.significance).toBeCloseTo(7 / 9, 10);
    expect(f.outlierIndices).toEqual([]);
    expect(f.upper).toBe(Number.POSITIVE_INFINITY);
  });

  test("fewer than 5 values or zero IQR: no fences; bad options throw", () => {
    const few = metroloJOutlierFences([1, 2, 100, 3]);
    expect(few.applied).toBe(false);
    expect(few.reason).toMatch(/at least 5/);
    expect(metroloJOutlierFences([2, 2, 2, 2, 2, 2, 9]).applied).toBe(false);
    expect(() => metroloJOutlierFences([1, 2, 3, 4, 5], { quantile: 90 })).toThrow(InvalidArgumentError);
    expect(() => metroloJOutlierFences([1, 2, 3, 4, 5], { iqrFactor: -1 })).toThrow(/iqrFactor is -1/);
    expect(() => metroloJOutlierFences([1, 2, Number.NaN])).toThrow(/value \[2\] is NaN/);
  });
});
