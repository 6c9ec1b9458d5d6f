import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test, vi } from "vitest";
import { psfCommand } from "../../src/cli/psf.js";
import { LimiqcError, MissingMetadataError } from "../../src/core/errors.js";
import { sha256 } from "../../src/core/provenance.js";
import { writeOmeTiff } from "../../src/io/tiff-writer.js";
import { loadProtocol } from "../../src/protocols/load.js";
import { PSF_TOLERANCES } from "../../src/resolution/bead-psf.js";
import { measureBeadPsfFile, opticsFromMetadata } from "../../src/resolution/file.js";
import { RESOLUTION_BEADS_SAMPLE } from "../../src/resolution/samples.js";
import { ensureSample, SAMPLES } from "../../src/samples/index.js";
import { simulateMultiChannelBeadStack } from "../../src/simulate/beads.js";

const dir = mkdtempSync(join(tmpdir(), "limiqc-psf-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("multichannel OME-TIFF: each channel against its own wavelength", async () => {
  const path = join(dir, "two-colour.ome.tif");
  const { image } = simulateMultiChannelBeadStack({
    beads: 16,
    shape: [36, 320, 320],
    voxelSizeUm: [0.15, 0.065, 0.065],
    seed: 8,
    photons: 6000,
    zRangeUm: [2.6, 2.6],
    channels: [
      { name: "green", excitationWavelengthNm: 488, emissionWavelengthNm: 520 },
      { name: "red", excitationWavelengthNm: 561, emissionWavelengthNm: 600 },
    ],
  });
  await writeOmeTiff(path, image, { objective: { lensNA: 1.4, immersion: "Oil" } });
  const r = await measureBeadPsfFile(path, { optics: { modality: "widefield" } });

  test("NA and immersion come from the file, wavelengths from each channel", () => {
    expect(r.optics).toMatchObject({ modality: "widefield", na: 1.4, immersionIndex: 1.518 });
    expect(r.channels.map((c) => c.theory.wavelengthNm)).toEqual([520, 600]);
    expect(r.channels[1].theory.lateralFwhmUm).toBeCloseTo((0.51 * 0.6) / 1.4, 9);
    expect(r.channels.map((c) => c.channel.name)).toEqual(["green", "red"]);
  });

  test("the red channel's FWHM scales with λ (simulated 0.25·600/520 µm) within 2 %", () => {
    expect(Math.abs(r.channels[0].summary!.x.mean.value / 0.25 - 1)).toBeLessThan(0.02);
    expect(Math.abs(r.channels[1].summary!.x.mean.value / ((0.25 * 600) / 520) - 1)).toBeLessThan(0.02);
  });

  test("provenance names the file and its SHA-256", () => {
    const digest = sha256(readFileSync(path));
    expect(r.sha256).toBe(digest);
    expect(r.channels[0].provenance.inputs).toEqual([{ file: path, sha256: digest }]);
    expect(r.provenance.fn).toBe("measureBeadPsfFile");
  });

  test("one channel on request; an unknown channel is refused", async () => {
    const one = await measureBeadPsfFile(path, { optics: { modality: "widefield" }, channels: [1] });
    expect(one.channels.map((c) => c.channel.index)).toEqual([1]);
    await expect(measureBeadPsfFile(path, { optics: { modality: "widefield" }, channels: [2] })).rejects.toThrow(/Channel 2 does not exist; the file has 2 channel\(s\)/);
  });

  test("without the modality: MissingMetadataError naming the channel", async () => {
    await expect(measureBeadPsfFile(path)).rejects.toThrow(MissingMetadataError);
    await expect(measureBeadPsfFile(path)).rejects.toThrow(/^Channel 0 \("green"\): The theoretical PSF needs the optical setup, but modality/);
  });

  test("opticsFromMetadata reads NA and the immersion index", () => {
    expect(opticsFromMetadata({ objective: { lensNA: 1.2, immersion: "Water" } } as never)).toEqual({ na: 1.2, immersionIndex: 1.333 });
    expect(opticsFromMetadata({ objective: { immersion: "Other" } } as never)).toEqual({});
  });

  test("CLI: prints the summary and verdict, writes the record once, refuses to overwrite", async () => {
    const out = join(dir, "psf.json");
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    try {
      const code = await psfCommand.run([path, "--modality", "widefield", "--channel", "0", "--json", out]);
      expect(code).toBe(0);
      const text = log.mock.calls.map((c) => String(c[0])).join("\n");
      expect(text).toMatch(/channel 0 "green" \(emission 520 nm\): 16 beads found, 16 accepted/);
      expect(text).toMatch(/PASS — Lateral FWHM 1\.\d\d× and axial FWHM 0\.9\d×/);
      const rec = JSON.parse(readFileSync(out, "utf8"));
      expect(rec.kind).toBe("bead-psf-file");
      expect(rec.channels[0].summary.n).toBe(16);
      await expect(psfCommand.run([path, "--modality", "widefield", "--json", out])).rejects.toThrow(LimiqcError);
      await expect(psfCommand.run([path, "--modality", "brightfield"])).rejects.toThrow(/--modality "brightfield" is unknown/);
      await expect(psfCommand.run([path, "--modality", "widefield", "--na", "high"])).rejects.toThrow(/--na is "high"; expected a positive number/);
    } finally {
      log.mockRestore();
    }
  });
});

describe("protocol and sample", () => {
  test("protocols/resolution loads and its limits are the code's defaults", () => {
    const p = loadProtocol("resolution");
    expect(p.workingGroup).toBe("WG5");
    expect(p.notebook).toBe("05-resolution.ipynb");
    expect(p.acceptance.find((a) => a.metric === "lateralRatio")!.fail).toBe(PSF_TOLERANCES.lateralRatioMax);
    expect(p.acceptance.find((a) => a.metric === "axialRatio")!.fail).toBe(PSF_TOLERANCES.axialRatioMax);
    const auto = p.checklist.filter((i) => i.auto).map((i) => i.auto!.check);
    for (const k of ["nyquist-xy", "nyquist-z", "z-stack", "not-saturated", "pixel-size-present", "wavelength-present", "objective-present"]) expect(auto).toContain(k);
    expect(p.sop).toMatch(/Faklaris/);
  });

  test("the bundled sample reveals its planted tilt and curvature within 10 %", async () => {
    expect(SAMPLES["resolution-beads"].file).toBe("resolution-beads.ome.tif");
    const prev = process.env.LIMIQC_SAMPLE_DIR;
    process.env.LIMIQC_SAMPLE_DIR = join(dir, "samples");
    try {
      const path = await ensureSample("resolution-beads");
      const r = await measureBeadPsfFile(path, { optics: { modality: "widefield" } });
      const c = r.channels[0];
      const planted = RESOLUTION_BEADS_SAMPLE.options;
      expect(Math.abs(c.field!.tiltXMrad.value - planted.fieldTiltMrad![0])).toBeLessThan(0.1 * Math.abs(planted.fieldTiltMrad![0]));
      expect(Math.abs(c.field!.tiltYMrad.value - planted.fieldTiltMrad![1])).toBeLessThan(0.1 * Math.abs(planted.fieldTiltMrad![1]));
      expect(Math.abs(c.field!.fieldCurvatureUm!.value - planted.fieldCurvatureUm!)).toBeLessThan(0.1 * planted.fieldCurvatureUm!);
      // every planted fault is rejected; the spherical aberration shows as a widened, asymmetric axial PSF
      for (const rule of ["edge-y", "neighbour", "saturated", "dim", "aggregate-intensity"] as const) expect(c.counts.byRule[rule]).toBeGreaterThan(0);
      expect(c.axialRatio!).toBeGreaterThan(1.1);
      expect(c.summary!.z.difference1dMinus3dUm.mean).toBeLessThan(-0.2);
    } finally {
      if (prev === undefined) delete process.env.LIMIQC_SAMPLE_DIR;
      else process.env.LIMIQC_SAMPLE_DIR = prev;
    }
  });
});
