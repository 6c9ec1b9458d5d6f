import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { DimensionError, InsufficientDataError, InvalidArgumentError, LimiqcError } from "../../src/core/errors.js";
import "../../src/detector/index.js";
import { measurePhotonTransfer } from "../../src/detector/photon-transfer.js";
import { CAMERA_SERIES_SAMPLE_SETTINGS } from "../../src/detector/samples.js";
import { cameraEntryFromName, parseCameraManifest, readCameraSeries, writeCameraSeries } from "../../src/detector/series-io.js";
import { makeImage } from "../../src/image/types.js";
import { writeOmeTiff, writeTiff } from "../../src/io/tiff-writer.js";
import { ensureSample } from "../../src/samples/index.js";
import { simulateCameraSeries } from "../../src/simulate/camera.js";

const tmp = () => mkdtempSync(join(tmpdir(), "limiqc-ptc-"));

describe("camera series on disk", () => {
  test("write → read round trip with a manifest; the analysis finds the planted gain", async () => {
    const dir = tmp();
    const s = simulateCameraSeries({ seed: 3, levels: 8, shape: [32, 40], darkSeriesFrames: 6 });
    const manifest = await writeCameraSeries(dir, s);
    const data = await readCameraSeries(dir);
    expect(data.manifest).toBe(manifest);
    expect(data.levels.length).toBe(8);
    data.levels.forEach((lv, i) => {
      expect(lv.flat.length).toBe(2);
      expect(lv.dark.length).toBe(2);
      expect(lv.exposureS).toBeCloseTo(s.levels[i].exposureS, 12);
      expect(lv.photonsPerPixel).toBeCloseTo(s.levels[i].photonsPerPixel, 6);
      expect(Array.from(lv.flat[1].data)).toEqual(Array.from(s.levels[i].flat[1].data));
      expect(Array.from(lv.dark[0].data)).toEqual(Array.from(s.levels[i].dark[0].data));
    });
    expect(data.darkSeries!.shape).toEqual([6, 32, 40]);
    expect(data.inputs.length).toBe(8 + 8 + 1);
    expect(data.inputs[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    const r = measurePhotonTransfer(data.levels);
    expect(Math.abs(r.conversionGainEPerAdu.value / s.truth.gainEPerAdu - 1)).toBeLessThan(0.05);
    // the same folder read through its manifest path
    expect((await readCameraSeries(manifest)).levels.length).toBe(8);
    // writing again refuses to overwrite
    await expect(writeCameraSeries(dir, s)).rejects.toThrow(InvalidArgumentError);
  });

  test("file names: kinds, exposures with units, illumination levels", () => {
    expect(cameraEntryFromName("flat_L03_10ms_a.tif")).toEqual({ file: "flat_L03_10ms_a.tif", kind: "flat", exposureS: 0.01, illumination: 3, photonsPerPixel: null });
    expect(cameraEntryFromName("Dark-2p5ms.TIFF")!.exposureS).toBeCloseTo(0.0025, 12);
    expect(cameraEntryFromName("bright_0.5s.tif")!.exposureS).toBe(0.5);
    expect(cameraEntryFromName("dark_series_250us.tif")!.kind).toBe("dark-series");
    expect(cameraEntryFromName("bias_250us.tif")!.exposureS).toBeCloseTo(250e-6, 12);
    expect(cameraEntryFromName("image_0001.tif")).toBeNull();
    expect(() => cameraEntryFromName("flat_a.tif")).toThrow(/says "flat" but no exposure time/);
  });

  test("a folder without manifest is read from the names; unknown names, missing darks and mixed sizes are clear errors", async () => {
    const dir = tmp();
    const s = simulateCameraSeries({ seed: 4, levels: 3, shape: [16, 16] });
    const pair = (fr: readonly { data: ArrayLike<number> }[]) => makeImage(Uint16Array.from([...Array.from(fr[0].data), ...Array.from(fr[1].data)]), [2, 16, 16]);
    for (let i = 0; i < 3; i++) {
      const ms = Math.round(s.levels[i].exposureS * 1e6) / 1e3;
      await writeOmeTiff(join(dir, `flat_L${i + 1}_${ms}ms.ome.tif`), pair(s.levels[i].flat));
      await writeOmeTiff(join(dir, `dark_${ms}ms.ome.tif`), pair(s.levels[i].dark));
    }
    writeFileSync(join(dir, "notes.txt"), "ignored");
    const data = await readCameraSeries(dir);
    expect(data.manifest).toBeNull();
    expect(data.levels.length).toBe(3);
    expect(data.notes.join(" ")).toMatch(/read from the file names/);

    await writeTiff(join(dir, "snapshot.tif"), [new Uint16Array(256)], { width: 16, height: 16 });
    await expect(readCameraSeries(dir)).rejects.toThrow(InvalidArgumentError);
    await expect(readCameraSeries(dir)).rejects.toThrow(/say neither dark nor flat: snapshot\.tif/);

    const d2 = tmp();
    await writeTiff(join(d2, "flat_L1_20ms.tif"), [new Uint16Array(256), new Uint16Array(256)], { width: 16, height: 16 });
    await writeTiff(join(d2, "dark_10ms.tif"), [new Uint16Array(256), new Uint16Array(256)], { width: 16, height: 16 });
    await expect(readCameraSeries(d2)).rejects.toThrow(InsufficientDataError);
    await expect(readCameraSeries(d2)).rejects.toThrow(/No dark frames at 20 ms for flat_L1_20ms\.tif \(dark exposures: 10 ms\)/);

    const d3 = tmp();
    await writeTiff(join(d3, "flat_L1_10ms.tif"), [new Uint16Array(256), new Uint16Array(256)], { width: 16, height: 16 });
    await writeTiff(join(d3, "dark_10ms.tif"), [new Uint16Array(240), new Uint16Array(240)], { width: 16, height: 15 });
    await expect(readCameraSeries(d3)).rejects.toThrow(DimensionError);
    await expect(readCameraSeries(d3)).rejects.toThrow(/flat_L1_10ms\.tif has 16 × 16 px frames but dark_10ms\.tif has 15 × 16 px|dark_10ms\.tif has 15 × 16 px frames but flat_L1_10ms\.tif has 16 × 16 px/);
    await expect(readCameraSeries(join(d3, "nothing"))).rejects.toThrow(LimiqcError);
  });

  test("manifest errors name the line", () => {
    expect(() => parseCameraManifest("file,kind\na.tif,flat\n")).toThrow(/line 1: the header has no "exposure_ms" column/);
    expect(() => parseCameraManifest("# c\nfile,kind,exposure_ms\na.tif,grey,10\n")).toThrow(/line 3: kind "grey" is not flat, dark or dark-series/);
    expect(() => parseCameraManifest("file,kind,exposure_ms\na.tif,flat,ten\n")).toThrow(/line 2: exposure_ms "ten" is not a number/);
    expect(parseCameraManifest("file,kind,exposure_ms,illumination\na.tif,flat,10,0.5\n")[0]).toEqual({ file: "a.tif", kind: "flat", exposureS: 0.01, illumination: 0.5, photonsPerPixel: null });
  });

  test("the bundled camera-series sample: planted read-noise fault is found", async () => {
    process.env.LIMIQC_SAMPLE_DIR = tmp();
    try {
      const manifest = await ensureSample("camera-series");
      expect(manifest.endsWith(join("camera-series", "manifest.csv"))).toBe(true);
      const data = await readCameraSeries(manifest);
      expect(data.levels.length).toBe(24);
      const r = measurePhotonTransfer(data.levels, { spec: CAMERA_SERIES_SAMPLE_SETTINGS.spec });
      expect(Math.abs(r.conversionGainEPerAdu.value / 0.46 - 1)).toBeLessThan(0.02);
      expect(r.checks.find((c) => c.id === "read-noise-ratio")!.level).toBe("fail");
      expect(r.levels.filter((l) => l.exclusion?.startsWith("saturated")).length).toBeGreaterThan(0);
    } finally {
      delete process.env.LIMIQC_SAMPLE_DIR;
    }
  });
});
