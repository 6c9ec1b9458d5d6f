import { describe, expect, test } from "vitest";
import { Random } from "../../src/core/random.js";

describe("Random", () => {
  test("is reproducible for a seed and differs across seeds", () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const xa = [a.uniform(), a.uniform(), a.uniform()];
    expect([b.uniform(), b.uniform(), b.uniform()]).toEqual(xa);
    expect(c.uniform()).not.toBe(xa[0]);
  });

  test("normal has mean 0 and SD 1 (n = 200 000, within 4 standard errors)", () => {
    const r = new Random(1);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const v = r.normal();
      s += v;
      s2 += v * v;
    }
    const mean = s / n;
    const sd = Math.sqrt(s2 / n - mean * mean);
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(sd - 1)).toBeLessThan(4 / Math.sqrt(2 * n));
  });

  test.each([0.5, 4, 9.9, 10, 37, 1000])("poisson(%d) has mean = variance = λ", (lambda) => {
    const r = new Random(7);
    const n = 100_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const v = r.poisson(lambda);
      expect(Number.isInteger(v) && v >= 0).toBe(true);
      s += v;
      s2 += v * v;
    }
    const mean = s / n;
    const variance = s2 / n - mean * mean;
    expect(Math.abs(mean - lambda)).toBeLessThan(5 * Math.sqrt(lambda / n));
    expect(Math.abs(variance / lambda - 1)).toBeLessThan(0.03);
  });
});
