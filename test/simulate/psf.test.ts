import { describe, expect, test } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { FWHM_PER_SIGMA } from "../../src/optics/constants.js";
import {
  chromaticPositionUm,
  createPsfKernel,
  effectiveGaussianFwhmUm,
  evaluatePsf,
  focusShiftUm,
  lateralFwhmAtUm,
  scalarPsfFwhmUm,
  zernikeNoll,
} from "../../src/simulate/psf.js";
import { besselJSeries, gaussLegendre } from "../../src/simulate/special.js";

/** Intensity-weighted mean and SD along each axis [x, y, z], in pixels. */
function moments(data: Float32Array, shape: readonly [number, number, number]): { mean: number[]; sd: number[]; sum: number } {
  const [nz, ny, nx] = shape;
  let s = 0;
  const m1 = [0, 0, 0];
  const m2 = [0, 0, 0];
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const v = data[(z * ny + y) * nx + x];
        s += v;
        m1[0] += v * x;
        m1[1] += v * y;
        m1[2] += v * z;
        m2[0] += v * x * x;
        m2[1] += v * y * y;
        m2[2] += v * z * z;
      }
  const mean = m1.map((m) => m / s);
  return { mean, sd: m2.map((m, i) => Math.sqrt(m / s - mean[i] ** 2)), sum: s };
}

describe("Gaussian PSF", () => {
  const fwhmUm = [0.3, 0.26, 0.8] as const;
  const voxel = [0.1, 0.05, 0.05] as const;

  test("point-sampled: second moments give the planted σ within 1 % and the centre within 0.01 px", () => {
    const centrePx = [31.37, 30.81, 16.42] as const;
    const { image, truth } = evaluatePsf({ kind: "gaussian", fwhmUm }, { shape: [33, 64, 64], voxelSizeUm: voxel, centrePx, photons: 1000 });
    const m = moments(image.data, image.shape);
    for (let a = 0; a < 3; a++) {
      const sigmaPx = fwhmUm[a] / FWHM_PER_SIGMA / voxel[2 - a];
      expect(Math.abs(m.sd[a] / sigmaPx - 1)).toBeLessThan(0.01);
      expect(Math.abs(m.mean[a] - centrePx[a])).toBeLessThan(0.01);
    }
    expect(truth.fwhmUm).toEqual([0.3, 0.26, 0.8]);
    // in-focus plane of a bead centred on a plane sums to `photons`
    const onPlane = evaluatePsf({ kind: "gaussian", fwhmUm }, { shape: [33, 64, 64], voxelSizeUm: voxel, centrePx: [31.37, 30.81, 16], photons: 1000 });
    const plane = onPlane.image.data.subarray(16 * 64 * 64, 17 * 64 * 64);
    expect(plane.reduce((a, b) => a + b, 0)).toBeCloseTo(1000, 0);
  });

  test("pixel integration: variance is σ² + Δ²/12 per axis (within 1 %) and truth reports that FWHM", () => {
    const { image, truth } = evaluatePsf(
      { kind: "gaussian", fwhmUm },
      { shape: [33, 64, 64], voxelSizeUm: voxel, centrePx: [31.6, 32.2, 15.7], pixelIntegration: true },
    );
    const m = moments(image.data, image.shape);
    const eff = effectiveGaussianFwhmUm(fwhmUm, voxel, { pixelIntegration: true });
    for (let a = 0; a < 3; a++) {
      const s = fwhmUm[a] / FWHM_PER_SIGMA / voxel[2 - a];
      expect(Math.abs(m.sd[a] / Math.sqrt(s * s + 1 / 12) - 1)).toBeLessThan(0.01);
      expect(truth.fwhmUm[a]).toBeCloseTo(eff[a], 12);
    }
    expect(truth.pixelIntegration).toBe(true);
  });

  test("bead diameter adds D²/20 to each axis variance", () => {
    const d = 0.2;
    const { image, truth } = evaluatePsf({ kind: "gaussian", fwhmUm }, { shape: [33, 64, 64], voxelSizeUm: voxel, beadDiameterUm: d });
    const m = moments(image.data, image.shape);
    for (let a = 0; a < 3; a++) {
      const varUm = (fwhmUm[a] / FWHM_PER_SIGMA) ** 2 + (d * d) / 20;
      expect(Math.abs((m.sd[a] * voxel[2 - a]) / Math.sqrt(varUm) - 1)).toBeLessThan(0.01);
      expect(truth.fwhmUm[a]).toBeCloseTo(Math.sqrt(varUm) * FWHM_PER_SIGMA, 12);
    }
  });
});

describe("scalar diffraction PSF (Born & Wolf)", () => {
  const na = 1.4;
  const n = 1.518;
  const lambda = 0.52;
  const kernel = createPsfKernel({ kind: "scalar", numericalAperture: na, immersionIndex: n, emissionWavelengthNm: 520 }, [0.1, 0.05, 0.05], {
    dzRangeUm: [-6, 6],
  });

  test("paraxial in-focus lateral FWHM is 0.5145·λ/NA (≤ 0.5 %), i.e. within 1 % of 0.51·λ/NA; axial 1.772·n·λ/NA² (≤ 0.5 %)", () => {
    const f = kernel.fwhmUm;
    expect(Math.abs(f[0] / ((0.5145 * lambda) / na) - 1)).toBeLessThan(0.005);
    expect(Math.abs(f[0] / ((0.51 * lambda) / na) - 1)).toBeLessThan(0.03);
    expect(f[1]).toBeCloseTo(f[0], 12);
    expect(Math.abs(f[2] / ((1.772 * n * lambda) / (na * na)) - 1)).toBeLessThan(0.005);
    expect(kernel.peakOffsetUm).toEqual([0, 0, 0]);
  });

  test("matches the Airy pattern (2J₁(v)/v)² in focus and sinc²(u/4) on axis up to 6 µm defocus (abs. error < 2e-3 of the peak)", () => {
    const peak = kernel.intensityAt(0, 0, 0);
    const j = new Float64Array(2);
    for (const r of [0.05, 0.13, 0.3, 0.45, 0.8, 1.5]) {
      const v = ((2 * Math.PI) / lambda) * na * r;
      besselJSeries(v, 1, j);
      expect(Math.abs(kernel.intensityAt(r, 0, 0) / peak - (2 * j[1] / v) ** 2)).toBeLessThan(2e-3);
    }
    for (const z of [0.2, 0.7, 2, 4, 5.9]) {
      const u = (((2 * Math.PI) / lambda) * z * na * na) / n;
      const s = Math.sin(u / 4) / (u / 4);
      expect(Math.abs(kernel.intensityAt(0, 0, z) / peak - s * s)).toBeLessThan(2e-3);
    }
    // peak per µm² for unit plane energy is π·NA²/λ² (Airy)
    expect(Math.abs(peak / ((Math.PI * na * na) / (lambda * lambda)) - 1)).toBeLessThan(2e-3);
  });

  test("each plane carries the bead's light: in-focus plane sum ≈ photons (Airy tail beyond 12 λ/NA dropped, < 1.5 %)", () => {
    const { image } = evaluatePsf(
      { kind: "scalar", numericalAperture: na, immersionIndex: n, emissionWavelengthNm: 520 },
      { shape: [3, 181, 181], voxelSizeUm: [0.2, 0.05, 0.05], photons: 1000, centrePx: [90.3, 89.6, 1] },
    );
    const plane = image.data.subarray(181 * 181, 2 * 181 * 181);
    const sum = plane.reduce((a, b) => a + b, 0);
    expect(sum).toBeGreaterThan(985);
    expect(sum).toBeLessThan(1001);
  });

  test("symmetric about focus without aberration; spherical aberration makes planes above and below focus differ", () => {
    const asymmetry = (k: typeof kernel, zc: number, d: number): number => {
      let num = 0;
      let den = 0;
      for (let r = 0; r < 1.5; r += 0.01) {
        const a = k.intensityAt(r, 0, zc + d);
        const b = k.intensityAt(r, 0, zc - d);
        num += Math.abs(a - b) * r;
        den += (a + b) * r;
      }
      return num / den;
    };
    expect(asymmetry(kernel, 0, 0.5)).toBeLessThan(1e-6);
    const sa = createPsfKernel({ kind: "scalar", numericalAperture: na, immersionIndex: n, zernike: [{ noll: 11, waves: 0.15 }] }, [0.1, 0.05, 0.05]);
    expect(asymmetry(sa, sa.peakOffsetUm[2], 0.5)).toBeGreaterThan(0.1);
    expect(sa.fwhmUm[2]).toBeGreaterThan(kernel.fwhmUm[2] * 1.1);
  });

  test("astigmatism (Z6) swaps the wider axis above and below focus; x = y at best focus", () => {
    const ast = createPsfKernel({ kind: "scalar", numericalAperture: na, immersionIndex: n, zernike: [{ noll: 6, waves: 0.12 }] }, [0.1, 0.05, 0.05], {
      dzRangeUm: [-1.5, 1.5],
    });
    const [xa, ya] = lateralFwhmAtUm(ast, 0.4);
    const [xb, yb] = lateralFwhmAtUm(ast, -0.4);
    expect(Math.sign(xa - ya)).toBe(-Math.sign(xb - yb));
    expect(Math.abs(xa - ya) / Math.min(xa, ya)).toBeGreaterThan(0.15);
    expect(Math.abs(ast.fwhmUm[0] / ast.fwhmUm[1] - 1)).toBeLessThan(0.01);
  });

  test("the angular (e^{imψ}) expansion agrees with a brute-force 2D pupil integral for astigmatism + coma", () => {
    const zern = [
      { noll: 6, waves: 0.1 },
      { noll: 8, waves: 0.08 },
    ];
    const k = createPsfKernel({ kind: "scalar", numericalAperture: na, immersionIndex: n, zernike: zern }, [0.1, 0.05, 0.05], { dzRangeUm: [-1, 1] });
    const kw = ((2 * Math.PI) / lambda) * na;
    const { nodes, weights } = gaussLegendre(120, 0, 1);
    const nphi = 256;
    const brute = (x: number, y: number, z: number): number => {
      let re = 0;
      let im = 0;
      for (let i = 0; i < nodes.length; i++) {
        const rho = nodes[i];
        for (let p = 0; p < nphi; p++) {
          const phi = (2 * Math.PI * p) / nphi;
          let w = 0;
          for (const t of zern) w += 2 * Math.PI * t.waves * zernikeNoll(t.noll, rho, phi);
          const ph = w - (((2 * Math.PI) / lambda) * z * na * na * rho * rho) / (2 * n) + kw * rho * (x * Math.cos(phi) + y * Math.sin(phi));
          re += weights[i] * rho * Math.cos(ph);
          im += weights[i] * rho * Math.sin(ph);
        }
      }
      return (re * re + im * im) / (nphi * nphi);
    };
    const pts: [number, number, number][] = [
      [0, 0, 0],
      [0.1, 0.05, 0],
      [-0.12, 0.08, 0.3],
      [0.2, -0.15, -0.4],
      [0.05, 0.3, 0.6],
    ];
    const ref = brute(pts[0][0], pts[0][1], pts[0][2]);
    const got0 = k.intensityAt(pts[0][0], pts[0][1], pts[0][2]);
    for (const [x, y, z] of pts) {
      expect(Math.abs(k.intensityAt(x, y, z) / got0 - brute(x, y, z) / ref)).toBeLessThan(3e-3);
    }
  });

  test("Debye (non-paraxial) model: axial FWHM within 3 % of 0.88·λ/(n − √(n² − NA²)), lateral narrower than paraxial", () => {
    const d = scalarPsfFwhmUm({ kind: "scalar", numericalAperture: na, immersionIndex: n, emissionWavelengthNm: 520, approximation: "debye" });
    const theory = (0.88 * lambda) / (n - Math.sqrt(n * n - na * na));
    expect(Math.abs(d.fwhmUm[2] / theory - 1)).toBeLessThan(0.03);
    expect(d.fwhmUm[0]).toBeLessThan(kernel.fwhmUm[0]);
  });

  test("confocal (point pinhole) is ~√2 narrower than widefield at similar wavelengths", () => {
    const c = scalarPsfFwhmUm({ kind: "scalar", numericalAperture: na, immersionIndex: n, emissionWavelengthNm: 520, excitationWavelengthNm: 520, modality: "confocal" });
    expect(Math.abs((c.fwhmUm[0] * Math.SQRT2) / kernel.fwhmUm[0] - 1)).toBeLessThan(0.05);
    expect(c.fwhmUm[2]).toBeLessThan(kernel.fwhmUm[2]);
  });

  test("a bead of 0.2 µm widens the table PSF", () => {
    const b = scalarPsfFwhmUm({ kind: "scalar", numericalAperture: na, immersionIndex: n }, { beadDiameterUm: 0.2 });
    expect(b.fwhmUm[0]).toBeGreaterThan(kernel.fwhmUm[0] * 1.03);
    expect(b.fwhmUm[2]).toBeGreaterThan(kernel.fwhmUm[2]);
  });
});

describe("field effects", () => {
  test("tilt in mrad and curvature sag at the corner", () => {
    const centre = [50, 40] as const;
    const corner = Math.hypot(50, 40);
    expect(focusShiftUm(60, 40, centre, corner, { fieldTiltMrad: [2, 0] })).toBeCloseTo(Math.tan(0.002) * 10, 12);
    expect(focusShiftUm(100, 80, centre, corner, { fieldCurvatureUm: 1.5 })).toBeCloseTo(1.5, 12);
    expect(focusShiftUm(50, 40, centre, corner, { fieldTiltMrad: [3, 4], fieldCurvatureUm: 2 })).toBe(0);
  });

  test("lateral chromatic magnification about the field centre plus a shift", () => {
    expect(chromaticPositionUm([60, 30, 5], [50, 40], 1.01, [0.1, -0.2, 0.3])).toEqual([50 + 1.01 * 10 + 0.1, 40 - 1.01 * 10 - 0.2, 5.3]);
  });
});

describe("invalid PSF options", () => {
  test("NA ≥ n is refused", () => {
    expect(() => createPsfKernel({ kind: "scalar", numericalAperture: 1.2, immersionIndex: 1.0 }, [0.1, 0.05, 0.05])).toThrow(InvalidArgumentError);
    expect(() => createPsfKernel({ kind: "scalar", numericalAperture: 1.2, immersionIndex: 1.0 }, [0.1, 0.05, 0.05])).toThrow(/not below the immersion index/);
  });
  test("tip/tilt Zernike terms, negative FWHM and voxel sizes are refused", () => {
    expect(() => createPsfKernel({ kind: "scalar", zernike: [{ noll: 2, waves: 0.1 }] }, [0.1, 0.05, 0.05])).toThrow(/Noll index 2 is not supported/);
    expect(() => createPsfKernel({ kind: "gaussian", fwhmUm: [-0.2, 0.2, 0.6] }, [0.1, 0.05, 0.05])).toThrow(/fwhmUm\[0\] is -0.2/);
    expect(() => evaluatePsf({ kind: "gaussian" }, { voxelSizeUm: [0.1, -0.05, 0.05] })).toThrow(InvalidArgumentError);
    expect(() => evaluatePsf({ kind: "gaussian" }, { shape: [0, 10, 10] })).toThrow(/positive integers/);
  });
  test("pixel integration of the scalar model and bead size with astigmatism are refused", () => {
    expect(() => createPsfKernel({ kind: "scalar" }, [0.1, 0.05, 0.05], { pixelIntegration: true })).toThrow(/only implemented for the Gaussian/);
    expect(() => createPsfKernel({ kind: "scalar", zernike: [{ noll: 6, waves: 0.1 }] }, [0.1, 0.05, 0.05], { beadDiameterUm: 0.1 })).toThrow(
      /asymmetric aberrations/,
    );
  });
});
