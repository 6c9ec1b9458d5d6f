import { decode } from "fast-png";
import { describe, expect, test } from "vitest";
import { DimensionError, InsufficientDataError, InvalidArgumentError, MissingPixelSizeError } from "../../src/core/errors.js";
import { makeImage } from "../../src/image/types.js";
import { blockAverage, type ColormapName, colormapLut, imageBundle, percentileRange, renderImage } from "../../src/notebook/png.js";

function decodeBundle(b: Record<string, unknown>): { width: number; height: number; channels: number; depth: number; data: Uint8Array } {
  const png = decode(Buffer.from(b["image/png"] as string, "base64"));
  return { width: png.width, height: png.height, channels: png.channels, depth: png.depth, data: png.data as Uint8Array };
}
const rgbAt = (d: Uint8Array, w: number, x: number, y: number): number[] => Array.from(d.subarray((y * w + x) * 3, (y * w + x) * 3 + 3));

describe("PNG output", () => {
  test("decodes to the image size as 8-bit RGB, bundle has png/html/text", () => {
    const w = 300;
    const hgt = 200;
    const data = new Uint16Array(w * hgt).map((_, i) => (i * 7919) % 4096);
    const b = imageBundle(makeImage(data, [1, hgt, w]));
    expect(Object.keys(b).sort()).toEqual(["image/png", "text/html", "text/plain"]);
    const png = decodeBundle(b);
    expect([png.width, png.height, png.channels, png.depth]).toEqual([300, 200, 3, 8]);
    expect(b["text/html"]).toContain(`src="data:image/png;base64,${b["image/png"]}"`);
    expect(b["text/plain"]).toContain("300 × 200 px");
  });

  test("wide images are block-averaged down to maxWidthPx", () => {
    // 1000 × 4, each 10-px block of a row holds 10 copies of the block index → block mean = index
    const w = 1000;
    const data = new Float32Array(w * 4).map((_, i) => Math.floor((i % w) / 10));
    const r = renderImage({ data, width: w, height: 4 }, { maxWidthPx: 100, range: [0, 255] });
    expect([r.widthPx, r.heightPx, r.downsample]).toEqual([100, 1, 10]);
    for (let x = 0; x < 100; x++) expect(r.rgb[x * 3]).toBe(x); // gray LUT: value v in [0, 255] → v
    const b = imageBundle({ data, width: w, height: 4 }, { maxWidthPx: 100 });
    expect(decodeBundle(b).width).toBe(100);
    expect(b["text/plain"]).toContain("10× block average of 1000 × 4");
  });

  test("blockAverage averages partial edge blocks over the pixels they hold", () => {
    const { data, nx, ny } = blockAverage([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5, 2, 2);
    expect([nx, ny]).toEqual([3, 1]);
    expect(Array.from(data)).toEqual([(1 + 2 + 6 + 7) / 4, (3 + 4 + 8 + 9) / 4, (5 + 10) / 2]);
    expect(() => blockAverage([1, 2, 3], 2, 2, 1)).toThrow(DimensionError);
  });
});

describe("colour maps", () => {
  const ends: Record<ColormapName, [number[], number[]]> = {
    gray: [[0, 0, 0], [255, 255, 255]],
    viridis: [[0x44, 0x01, 0x54], [0xfd, 0xe7, 0x25]],
    inferno: [[0x00, 0x00, 0x04], [0xfc, 0xff, 0xa4]],
    magma: [[0x00, 0x00, 0x04], [0xfc, 0xfd, 0xbf]],
    fire: [[0, 0, 0], [255, 255, 255]],
  };
  test.each(Object.keys(ends) as ColormapName[])("%s maps the display minimum to the first colour and the maximum to the last", (name) => {
    const lut = colormapLut(name);
    expect(lut.length).toBe(768);
    expect(Array.from(lut.subarray(0, 3))).toEqual(ends[name][0]);
    expect(Array.from(lut.subarray(765, 768))).toEqual(ends[name][1]);
    // values at/below the minimum and at/above the maximum of an explicit range
    const b = imageBundle({ data: new Float32Array([-5, 10, 110, 265, 500]), width: 5, height: 1 }, { colormap: name, range: [10, 265] });
    const png = decodeBundle(b);
    expect(rgbAt(png.data, 5, 0, 0)).toEqual(ends[name][0]);
    expect(rgbAt(png.data, 5, 1, 0)).toEqual(ends[name][0]);
    expect(rgbAt(png.data, 5, 3, 0)).toEqual(ends[name][1]);
    expect(rgbAt(png.data, 5, 4, 0)).toEqual(ends[name][1]);
    expect(rgbAt(png.data, 5, 2, 0)).toEqual(Array.from(lut.subarray(100 * 3, 100 * 3 + 3))); // 110 → entry 100
  });

  // matplotlib 3.6: cmap(i / 255) × 255, rounded, at entries 37, 100, 128, 200
  const MPL: Record<string, Record<number, number[]>> = {
    viridis: { 37: [70, 51, 127], 100: [42, 118, 142], 128: [33, 145, 140], 200: [112, 207, 87] },
    inferno: { 37: [41, 11, 85], 100: [144, 37, 104], 200: [251, 157, 7] },
    magma: { 37: [36, 18, 83], 100: [137, 40, 129], 200: [253, 152, 105] },
  };
  test.each(Object.keys(MPL))("%s matches matplotlib within 2/255 per channel", (name) => {
    const lut = colormapLut(name as ColormapName);
    for (const [i, rgb] of Object.entries(MPL[name])) {
      const e = Number(i) * 3;
      for (let c = 0; c < 3; c++) expect(Math.abs(lut[e + c] - rgb[c])).toBeLessThanOrEqual(2);
    }
  });

  test("fire follows ImageJ's LUT (control colour 8 of 32 at entry 64)", () => {
    const lut = colormapLut("fire");
    expect(Array.from(lut.subarray(64 * 3, 64 * 3 + 3))).toEqual([146, 0, 210]);
  });

  test("an unknown colormap is refused", () => {
    expect(() => colormapLut("jet" as ColormapName)).toThrow(InvalidArgumentError);
  });
});

describe("display range", () => {
  test("auto range is the 0.1–99.9th percentile (linear interpolation)", () => {
    const n = 10001;
    const values = new Float32Array(n).map((_, i) => i); // 0..10000
    const [lo, hi] = percentileRange(values, 0.001, 0.999);
    expect(lo).toBeCloseTo(10, 9);
    expect(hi).toBeCloseTo(9990, 9);
    const r = renderImage({ data: values, width: n, height: 1 }, { maxWidthPx: n });
    expect(r.displayRange[0]).toBeCloseTo(10, 9);
    expect(r.displayRange[1]).toBeCloseTo(9990, 9);
    expect(r.dataRange).toEqual([0, 10000]);
  });

  test("a hot pixel does not set the stretch; NaN pixels are ignored", () => {
    const data = new Float32Array(100 * 100).fill(100);
    for (let i = 0; i < data.length; i++) data[i] += i % 100;
    data[5] = 65535;
    data[6] = Number.NaN;
    const r = renderImage({ data, width: 100, height: 100 });
    expect(r.displayRange[1]).toBeLessThan(200);
    expect(r.dataRange[1]).toBe(65535);
  });

  test("a flat image gets range [v, v + 1]; an all-NaN image is refused", () => {
    const r = renderImage({ data: new Float32Array(16).fill(7), width: 4, height: 4 });
    expect(r.displayRange).toEqual([7, 8]);
    expect(() => renderImage({ data: new Float32Array(4).fill(Number.NaN), width: 2, height: 2 })).toThrow(InsufficientDataError);
  });

  test("an explicit range must increase", () => {
    expect(() => renderImage({ data: [1, 2], width: 2, height: 1 }, { range: [5, 5] })).toThrow(/not an increasing pair/);
  });
});

describe("scale bar", () => {
  /** Longest run of white pixels in any row, and the row it is in. */
  function whiteRun(rgb: Uint8Array, w: number, hgt: number): { length: number; row: number; end: number } {
    let best = { length: 0, row: -1, end: -1 };
    for (let y = 0; y < hgt; y++) {
      let run = 0;
      for (let x = 0; x < w; x++) {
        const p = (y * w + x) * 3;
        run = rgb[p] === 255 && rgb[p + 1] === 255 && rgb[p + 2] === 255 ? run + 1 : 0;
        if (run > best.length) best = { length: run, row: y, end: x };
      }
    }
    return best;
  }

  test("is burned in white with the right length for the voxel size", () => {
    // 200 × 100 px at 0.1 µm/px: a 5 µm bar is 50 px
    const img = makeImage(new Uint16Array(200 * 100), [1, 100, 200], { voxelSizeUm: [1, 0.1, 0.1] });
    const b = imageBundle(img, { scaleBarUm: 5, colormap: "viridis" });
    const png = decodeBundle(b);
    const run = whiteRun(png.data, png.width, png.height);
    expect(run.length).toBe(50);
    expect(run.row).toBeGreaterThan(80); // bottom of the image
    expect(run.end).toBeGreaterThan(180); // right side
    expect(b["text/html"]).toContain("Scale bar: 5 µm");
    expect(b["text/plain"]).toContain("scale bar 5 µm (50 px)");
  });

  test("accounts for downsampling", () => {
    const img = makeImage(new Uint16Array(200 * 100), [1, 100, 200], { voxelSizeUm: [1, 0.1, 0.1] });
    const r = renderImage(img, { scaleBarUm: 5, maxWidthPx: 100 });
    expect(r.downsample).toBe(2);
    expect(whiteRun(r.rgb, r.widthPx, r.heightPx).length).toBe(25);
  });

  test("auto picks a 1/2/5·10ⁿ µm length near 20% of the width", () => {
    const img = makeImage(new Float32Array(512 * 64), [1, 64, 512], { voxelSizeUm: [1, 0.1, 0.1] });
    const r = renderImage(img);
    expect(r.scaleBar).toEqual({ lengthUm: 10, lengthPx: 100 });
    expect(whiteRun(r.rgb, r.widthPx, r.heightPx).length).toBe(100);
    const plain = renderImage({ data: new Float32Array(64), width: 8, height: 8 });
    expect(plain.scaleBar).toBeNull();
  });

  test("errors: no pixel size, too long, not positive", () => {
    const noSize = { data: new Float32Array(100), width: 10, height: 10 };
    expect(() => renderImage(noSize, { scaleBarUm: 1 })).toThrow(MissingPixelSizeError);
    expect(() => renderImage(noSize, { scaleBarUm: 1 })).toThrow(/no pixel size/);
    const sized = { ...noSize, pixelSizeUm: 0.5 };
    expect(() => renderImage(sized, { scaleBarUm: 50 })).toThrow(InvalidArgumentError);
    expect(() => renderImage(sized, { scaleBarUm: 50 })).toThrow(/100 px at 0\.5 µm\/px/);
    expect(() => renderImage(sized, { scaleBarUm: -1 })).toThrow(/positive length/);
    expect(renderImage(sized, { scaleBarUm: "none" }).scaleBar).toBeNull();
  });
});

describe("3D input", () => {
  const nz = 3;
  const ny = 4;
  const nx = 5;
  const stack = new Uint16Array(nz * ny * nx).fill(10);
  stack[0 * 20 + 1 * 5 + 1] = 1000; // z0 (y1, x1)
  stack[1 * 20 + 2 * 5 + 3] = 2000; // z1 (y2, x3)
  stack[2 * 20 + 3 * 5 + 4] = 3000; // z2 (y3, x4)
  const img = makeImage(stack, [nz, ny, nx]);

  test("is max-projected by default", () => {
    const r = renderImage(img, { range: [0, 3000] });
    const v = (x: number, y: number): number => r.rgb[(y * nx + x) * 3];
    expect(v(1, 1)).toBe(Math.round((1000 * 255) / 3000));
    expect(v(3, 2)).toBe(Math.round((2000 * 255) / 3000));
    expect(v(4, 3)).toBe(255);
    expect(v(0, 0)).toBe(Math.round((10 * 255) / 3000));
    expect(r.source).toBe("max projection of 3 z-planes");
    expect(imageBundle(img)["text/plain"]).toContain("max projection of 3 z-planes");
  });

  test("mean projection and single planes", () => {
    const m = renderImage(img, { projection: "mean", range: [0, 3000] });
    expect(m.rgb[(2 * nx + 3) * 3]).toBe(Math.round((((2000 + 20) / 3) * 255) / 3000));
    const z2 = renderImage(img, { z: 2, range: [0, 3000] });
    expect(z2.rgb[(3 * nx + 4) * 3]).toBe(255);
    expect(z2.rgb[(1 * nx + 1) * 3]).toBe(1); // 10 → round(0.85)
    expect(() => renderImage(img, { z: 3 })).toThrow(/outside the stack \(planes 0–2\)/);
  });

  test("does not modify its input", () => {
    const copy = stack.slice();
    imageBundle(img, { projection: "mean" });
    expect(stack).toEqual(copy);
  });
});

describe("HTML figure", () => {
  test("has the PNG, a colour bar with min/max and units, the title (escaped)", () => {
    const b = imageBundle({ data: new Float32Array([0, 50, 100, 150]), width: 2, height: 2, pixelSizeUm: 0.065 }, { range: [0, 150], title: "<Beads>", colormap: "magma" });
    const t = b["text/html"] as string;
    expect(t).toContain("&lt;Beads&gt;");
    expect(t).not.toContain("<Beads>");
    expect(t).toMatch(/<svg class="limiqc-colorbar"/);
    expect(t).toMatch(/>150<\/text>/);
    expect(t).toMatch(/>0<\/text>/);
    expect(t).toMatch(/>ADU<\/text>/);
    expect(t).toContain("image-rendering:pixelated"); // 2 px wide: enlarged with square pixels
    expect(b["text/plain"]).toContain("display 0–150 ADU");
  });

  test("bad shapes are refused", () => {
    expect(() => imageBundle({ data: new Float32Array(5), width: 2, height: 2 })).toThrow(DimensionError);
  });
});
