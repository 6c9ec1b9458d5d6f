import { describe, expect, test } from "vitest";
import { InvalidArgumentError, MissingMetadataError } from "../../src/core/errors.js";
import {
  FWHM_PER_SIGMA,
  fwhmToSigma,
  IMMERSION_REFRACTIVE_INDEX,
  immersionRefractiveIndex,
  nyquistSampling,
  type OpticalSetup,
  parseImmersion,
  samplingReport,
  sigmaToFwhm,
  theoreticalResolution,
} from "../../src/optics/index.js";

const wf: OpticalSetup = { modality: "widefield", na: 1.4, immersionIndex: 1.518, emissionWavelengthNm: 520 };

describe("theoreticalResolution (MetroloJ_QC table)", () => {
  test("widefield 1.4 NA oil, 520 nm: 0.51·520/1.4 = 189.43 nm, 1.77·1.518·520/1.96 = 712.84 nm", () => {
    const r = theoreticalResolution(wf);
    expect(r.lateralFwhmNm).toBeCloseTo(189.428571, 5);
    expect(r.axialFwhmNm).toBeCloseTo(712.840408, 5);
    expect(r.lateralFwhmUm).toBeCloseTo(0.189428571, 8);
    expect(r.axialFwhmUm).toBeCloseTo(0.712840408, 8);
    expect(r.wavelengthKind).toBe("emission");
    expect(r.wavelengthNm).toBe(520);
    expect(r.lateralFormula).toBe("0.51·λem/NA");
    expect(r.axialFormula).toBe("1.77·n·λem/NA²");
    expect(r.convention).toBe("metroloj-qc");
  });

  test("confocal uses the excitation wavelength: 488 nm, NA 1.4 oil → 177.77 nm, 461.16 nm", () => {
    const r = theoreticalResolution({ modality: "confocal", na: 1.4, immersionIndex: 1.518, excitationWavelengthNm: 488, emissionWavelengthNm: 520 });
    expect(r.wavelengthKind).toBe("excitation");
    expect(r.lateralFwhmNm).toBeCloseTo(177.771429, 5);
    expect(r.axialFwhmNm).toBeCloseTo(461.164064, 5);
  });

  test("spinning disk, NA 1.2 water, 600 nm → 255 nm, 797.26 nm", () => {
    const r = theoreticalResolution({ modality: "spinningDisk", na: 1.2, immersionIndex: 1.333, emissionWavelengthNm: 600 });
    expect(r.lateralFwhmNm).toBeCloseTo(255, 8);
    expect(r.axialFwhmNm).toBeCloseTo(797.258916, 5);
    expect(r.axialFormula).toBe("λem/(n − √(n² − NA²))");
  });

  test("multiphoton switches formula above NA 0.7 (920 nm, water)", () => {
    const low = theoreticalResolution({ modality: "multiphoton", na: 0.6, immersionIndex: 1.333, excitationWavelengthNm: 920 });
    expect(low.lateralFwhmNm).toBeCloseTo(578.066667, 5);
    expect(low.axialFwhmNm).toBeCloseTo(4036.769606, 4);
    const at = theoreticalResolution({ modality: "multiphoton", na: 0.7, immersionIndex: 1.333, excitationWavelengthNm: 920 });
    expect(at.lateralFwhmNm).toBeCloseTo((0.377 * 920) / 0.7, 8);
    const high = theoreticalResolution({ modality: "multiphoton", na: 1.05, immersionIndex: 1.333, excitationWavelengthNm: 920 });
    expect(high.lateralFwhmNm).toBeCloseTo(337.057767, 5);
    expect(high.lateralFormula).toContain("NA^0.91");
    const one = theoreticalResolution({ modality: "multiphoton", na: 1.0, immersionIndex: 1.333, excitationWavelengthNm: 920 });
    expect(one.axialFwhmNm).toBeCloseTo(1275.324775, 5);
  });

  test("alternative conventions: Rayleigh 0.61/2 and PSFj 0.84·0.61/1.76 on λem", () => {
    const ray = theoreticalResolution(wf, { convention: "rayleigh" });
    expect(ray.lateralFwhmNm).toBeCloseTo(226.571429, 5);
    expect(ray.axialFwhmNm).toBeCloseTo(805.469388, 5);
    const psfj = theoreticalResolution(wf, { convention: "psfj" });
    expect(psfj.lateralFwhmNm).toBeCloseTo(190.32, 8);
    expect(psfj.axialFwhmNm).toBeCloseTo(708.813061, 5);
    // larger NA → smaller FWHM, for every modality (monotonicity)
    for (const modality of ["widefield", "confocal", "spinningDisk", "multiphoton"] as const) {
      const s = { modality, immersionIndex: 1.518, emissionWavelengthNm: 520, excitationWavelengthNm: 488 };
      const a = theoreticalResolution({ ...s, na: 1.2 });
      const b = theoreticalResolution({ ...s, na: 1.4 });
      expect(b.lateralFwhmNm).toBeLessThan(a.lateralFwhmNm);
      expect(b.axialFwhmNm).toBeLessThan(a.axialFwhmNm);
    }
  });

  test("errors: NA ≥ n, missing wavelength, µm given as nm, bad NA", () => {
    expect(() => theoreticalResolution({ ...wf, immersionIndex: 1.333 })).toThrow(InvalidArgumentError);
    expect(() => theoreticalResolution({ ...wf, immersionIndex: 1.333 })).toThrow(/NA = n·sin α cannot exceed n/);
    expect(() => theoreticalResolution({ modality: "confocal", na: 1.4, immersionIndex: 1.518, emissionWavelengthNm: 520 })).toThrow(MissingMetadataError);
    expect(() => theoreticalResolution({ modality: "confocal", na: 1.4, immersionIndex: 1.518, emissionWavelengthNm: 520 })).toThrow(/excitation wavelength \(excitationWavelengthNm\)/);
    expect(() => theoreticalResolution({ modality: "widefield", na: 1.4, immersionIndex: 1.518 })).toThrow(/emission wavelength/);
    expect(() => theoreticalResolution({ modality: "multiphoton", na: 1, immersionIndex: 1.333, excitationWavelengthNm: 920 }, { convention: "rayleigh" })).toThrow(
      /rayleigh convention needs the emission wavelength/,
    );
    expect(() => theoreticalResolution({ ...wf, emissionWavelengthNm: 0.52 })).toThrow(/looks like µm: pass 520 nm/);
    expect(() => theoreticalResolution({ ...wf, na: 0 })).toThrow(/Numerical aperture is 0/);
    expect(() => theoreticalResolution({ ...wf, modality: "sted" as "widefield" })).toThrow(/Unknown modality/);
    expect(() => theoreticalResolution({ ...wf, immersionIndex: 0.9 })).toThrow(/expected a number ≥ 1/);
    expect(() => theoreticalResolution({ ...wf, excitationWavelengthNm: 5000, modality: "confocal" })).toThrow(/between 200 and 2500/);
  });
});

describe("Nyquist sampling", () => {
  test("widefield: λem/(4NA) = 92.857 nm, λem/(2n(1 − cos α)) = 279.207 nm", () => {
    const q = nyquistSampling(wf);
    expect(q.lateralNm).toBeCloseTo(92.857143, 5);
    expect(q.axialNm).toBeCloseTo(279.207006, 5);
    expect(q.lateralUm).toBeCloseTo(0.092857143, 8);
    expect(q.lateralFormula).toBe("λem/(4·NA)");
  });

  test("confocal: λex/(8NA) = 43.571 nm, λex/(4n(1 − cos α)) = 131.013 nm; spinning disk like widefield", () => {
    const q = nyquistSampling({ modality: "confocal", na: 1.4, immersionIndex: 1.518, excitationWavelengthNm: 488 });
    expect(q.lateralNm).toBeCloseTo(43.571429, 5);
    expect(q.axialNm).toBeCloseTo(131.012518, 5);
    const sd = nyquistSampling({ modality: "spinningDisk", na: 1.2, immersionIndex: 1.333, emissionWavelengthNm: 600 });
    expect(sd.lateralNm).toBeCloseTo(125, 8);
    expect(sd.axialNm).toBeCloseTo(398.629458, 5);
    const mp = nyquistSampling({ modality: "multiphoton", na: 1.0, immersionIndex: 1.333, excitationWavelengthNm: 920 });
    expect(mp.lateralNm).toBeCloseTo(115, 8);
  });

  test("samplingReport: NyquistRate = Nyquist ÷ pixel, pass/warn/fail at 1 and 1.5×", () => {
    // Nyquist: 0.0928571 µm lateral, 0.279207 µm axial
    const r = samplingReport([0.3, 0.12, 0.0928571428571], wf);
    const [x, y, z] = r.axes;
    expect(x.axis).toBe("x");
    expect(x.level).toBe("pass"); // exactly at Nyquist
    expect(x.nyquistRate).toBeCloseTo(1, 9);
    expect(y.level).toBe("warn"); // 1.29×
    expect(y.samplingRatio).toBeCloseTo(0.12 / 0.0928571428571, 9);
    expect(y.nyquistRate).toBeCloseTo(0.0928571428571 / 0.12, 9);
    expect(z.level).toBe("warn"); // 1.07×
    expect(z.samplesPerFwhm).toBeCloseTo(0.712840408 / 0.3, 6);
    expect(r.level).toBe("warn");
    expect(r.verdict.reason).toMatch(/y pixel size 0.120 µm is 1.29× the Nyquist interval/);
    const bad = samplingReport([1.0, 0.065, 0.065], wf);
    expect(bad.axes[2].level).toBe("fail");
    expect(bad.level).toBe("fail");
    expect(bad.verdict.reason).toMatch(/Re-acquire/);
    const planar = samplingReport([0.065, 0.065], wf);
    expect(planar.axes.map((a) => a.axis)).toEqual(["x", "y"]);
    expect(planar.level).toBe("pass");
  });

  test("TSDoc example: [0.2, 0.065, 0.065] µm widefield passes on all axes", () => {
    expect(samplingReport([0.2, 0.065, 0.065], wf).axes.map((a) => a.level)).toEqual(["pass", "pass", "pass"]);
  });

  test("errors: bad voxel size, warnFactor < 1, missing wavelength", () => {
    expect(() => samplingReport([0, 0.1, 0.1], wf)).toThrow(/not a positive number/);
    expect(() => samplingReport([0.1] as unknown as [number, number], wf)).toThrow(/voxelSizeUm has 1 entries/);
    expect(() => samplingReport([0.2, 0.1, 0.1], wf, { warnFactor: 0.5 })).toThrow(InvalidArgumentError);
    expect(() => nyquistSampling({ modality: "multiphoton", na: 1, immersionIndex: 1.333, emissionWavelengthNm: 520 })).toThrow(MissingMetadataError);
  });
});

describe("immersion media", () => {
  test("OME names map to the stated indices", () => {
    expect(immersionRefractiveIndex("Oil")).toBe(1.518);
    expect(immersionRefractiveIndex("Water")).toBe(1.333);
    expect(parseImmersion("WaterDipping")).toEqual({ medium: "water", refractiveIndex: 1.333 });
    expect(immersionRefractiveIndex("Air")).toBe(1.0);
    expect(immersionRefractiveIndex("Glycerol")).toBe(1.47);
    expect(immersionRefractiveIndex(" silicone oil ")).toBe(1.406);
    expect(immersionRefractiveIndex("water-dipping")).toBe(1.333);
    expect(IMMERSION_REFRACTIVE_INDEX).toEqual({ air: 1.0, water: 1.333, glycerol: 1.47, silicone: 1.406, oil: 1.518 });
  });

  test("Multi/Other → MissingMetadataError; unknown names → InvalidArgumentError", () => {
    expect(() => parseImmersion("Multi")).toThrow(MissingMetadataError);
    expect(() => parseImmersion("Other")).toThrow(/does not say which medium/);
    expect(() => parseImmersion("honey")).toThrow(InvalidArgumentError);
    expect(() => parseImmersion("honey")).toThrow(/Unknown immersion "honey"/);
  });
});

describe("constants re-exported", () => {
  test("FWHM_PER_SIGMA = 2√(2 ln 2) and the conversions invert each other", () => {
    expect(FWHM_PER_SIGMA).toBeCloseTo(2.354820045, 9);
    expect(fwhmToSigma(sigmaToFwhm(1.7))).toBeCloseTo(1.7, 12);
  });
});
