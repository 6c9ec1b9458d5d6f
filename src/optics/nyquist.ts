/**
 * Nyquist sampling intervals per modality and a per-axis sampling check of a voxel size.
 * @module
 */
import { InvalidArgumentError } from "../core/errors.js";
import type { Verdict, VerdictLevel } from "../core/quantity.js";
import { type Modality, modalityLabel, type OpticalSetup, requireWavelength, theoreticalResolution, validateOpticalSetup } from "./resolution.js";

/** Nyquist (Shannon) sampling intervals of an optical setup. */
export interface NyquistSampling {
  readonly modality: Modality;
  /** Largest lateral pixel size that still samples the PSF at Nyquist, nm. */
  readonly lateralNm: number;
  readonly lateralUm: number;
  /** Largest z-step that still samples the PSF at Nyquist, nm. */
  readonly axialNm: number;
  readonly axialUm: number;
  /** Wavelength used, nm, and which one it was. */
  readonly wavelengthNm: number;
  readonly wavelengthKind: "emission" | "excitation";
  /** e.g. "λem/(4·NA)" */
  readonly lateralFormula: string;
  /** e.g. "λem/(2·n·(1 − cos α)), α = asin(NA/n)" */
  readonly axialFormula: string;
}

/** Sampling of one image axis against its Nyquist interval. */
export interface AxisSampling {
  readonly axis: "x" | "y" | "z";
  readonly pixelSizeUm: number;
  readonly nyquistUm: number;
  /**
   * NBO-Q "NyquistRate" = Nyquist distance ÷ pixel size. ≥ 1 means sampled at or finer than
   * Nyquist (with the Nyquist distances of {@link nyquistSampling}, which already contain the factor 2).
   */
  readonly nyquistRate: number;
  /** MetroloJ_QC's samplingRatio = pixel size ÷ Nyquist distance = 1/nyquistRate (> 1 = undersampled). */
  readonly samplingRatio: number;
  /** Theoretical FWHM (MetroloJ_QC convention) ÷ pixel size: pixels across the PSF's FWHM. */
  readonly samplesPerFwhm: number;
  readonly level: VerdictLevel;
  readonly reason: string;
}

/** Result of {@link samplingReport}. */
export interface SamplingReport {
  readonly nyquist: NyquistSampling;
  /** x, y, then z (z only when a z-step was given). */
  readonly axes: readonly AxisSampling[];
  /** Worst level over the axes. */
  readonly level: VerdictLevel;
  readonly verdict: Verdict;
}

/** Options of {@link samplingReport}. */
export interface SamplingReportOptions {
  /**
   * An axis whose pixel is coarser than Nyquist by at most this factor is "warn"; beyond it "fail".
   * @default 1.5
   */
  warnFactor?: number;
}

/** Relative slack when comparing a pixel size with the Nyquist interval (rounding in metadata). */
const COMPARE_TOLERANCE = 1e-9;
const NM_PER_UM = 1000;

/**
 * Nyquist pixel size and z-step (MetroloJ_QC `getNyquist`; QUAREP-LiMi WG5 table), α = asin(NA/n):
 * | modality | wavelength | lateral | axial |
 * |---|---|---|---|
 * | widefield, spinning disk | λem | λ/(4·NA) | λ/(2·n·(1 − cos α)) |
 * | confocal, multiphoton | λex | λ/(8·NA) | λ/(4·n·(1 − cos α)) |
 *
 * @param setup - Modality, NA, immersion index, wavelength(s) in nm.
 * @returns The Nyquist intervals in nm and µm, the wavelength used and the formulas.
 * @throws InvalidArgumentError when NA ≥ n, NA ≤ 0, n < 1 or a wavelength is implausible.
 * @throws MissingMetadataError when the wavelength the modality needs is missing.
 *
 * Notes: the intervals are 1/(2·f_c) for the incoherent OTF cut-off f_c (2NA/λ laterally in
 * widefield, doubled for confocal/multiphoton excitation-limited detection as MetroloJ_QC assumes).
 *
 * @see MetroloJ_QC `resolution/theoreticalResolutionCalculator.getNyquist`; J. B. Pawley (ed.), Handbook of Biological Confocal Microscopy, 3rd ed. (2006), ch. 4
 * @example
 * ```ts
 * nyquistSampling({ modality: "widefield", na: 1.4, immersionIndex: 1.518, emissionWavelengthNm: 520 }).lateralNm; // 92.86
 * ```
 */
export function nyquistSampling(setup: OpticalSetup): NyquistSampling {
  validateOpticalSetup(setup);
  const { modality, na, immersionIndex: n } = setup;
  const scanning = modality === "confocal" || modality === "multiphoton";
  const kind = scanning ? "excitation" : "emission";
  const lambda = requireWavelength(setup, kind, `The Nyquist sampling of a ${modalityLabel(modality)} system`);
  const oneMinusCos = 1 - Math.cos(Math.asin(na / n));
  const lateral = lambda / ((scanning ? 8 : 4) * na);
  const axial = lambda / ((scanning ? 4 : 2) * n * oneMinusCos);
  const sub = scanning ? "ex" : "em";
  return {
    modality,
    lateralNm: lateral,
    lateralUm: lateral / NM_PER_UM,
    axialNm: axial,
    axialUm: axial / NM_PER_UM,
    wavelengthNm: lambda,
    wavelengthKind: kind,
    lateralFormula: `λ${sub}/(${scanning ? 8 : 4}·NA)`,
    axialFormula: `λ${sub}/(${scanning ? 4 : 2}·n·(1 − cos α)), α = asin(NA/n)`,
  };
}

/**
 * Checks a voxel size against the Nyquist intervals of the setup, per axis.
 *
 * Verdict per axis, with ratio = pixel size ÷ Nyquist interval (MetroloJ_QC samplingRatio):
 * - "pass": ratio ≤ 1 (sampled at or finer than Nyquist; NyquistRate ≥ 1);
 * - "warn": 1 < ratio ≤ warnFactor (default 1.5: up to 1.5× coarser than Nyquist);
 * - "fail": ratio > warnFactor.
 * The overall level is the worst axis.
 *
 * @param voxelSizeUm - [dz, dy, dx] in µm (the order of `ImageView.voxelSizeUm`), or [dy, dx] for a single plane.
 * @param setup - Modality, NA, immersion index, wavelength(s) in nm.
 * @param options - `warnFactor` (default 1.5).
 * @returns Nyquist intervals, per-axis NyquistRate / samplingRatio / samples per FWHM / level, overall verdict.
 * @throws InvalidArgumentError when a voxel size is not a positive finite number, warnFactor < 1, or the setup is invalid.
 * @throws MissingMetadataError when the wavelength the modality needs is missing.
 *
 * Notes: NBO-Q defines NyquistRate = Nyquist distance ÷ pixel size and recommends "> 2" for
 * conventional and 2.5–3 for high-resolution imaging (quarep-protocols.md §WG5). That
 * recommendation only makes sense if its "Nyquist distance" is the resolvable distance (≈ FWHM),
 * i.e. samples per resolution element: see `samplesPerFwhm`. With the Nyquist intervals used here,
 * which already halve the finest resolvable period, a NyquistRate of 1 is exactly Nyquist, so
 * limiqc does not apply the "> 2" limit to it. MetroloJ_QC itself fails an axis when samplingRatio > 1
 * (with 1.6 allowed for confocal z or an open pinhole; F28 in peers.md) — our "warn" band covers that.
 *
 * @see NBO-Q Calibration & Performance `NyquistRate` (Hammer et al. 2021, Nat Methods 18:1427, doi:10.1038/s41592-021-01327-9); MetroloJ_QC `doCheck.isUndersampled`
 * @example
 * ```ts
 * const r = samplingReport([0.2, 0.065, 0.065], { modality: "widefield", na: 1.4, immersionIndex: 1.518, emissionWavelengthNm: 520 });
 * r.axes.map((a) => a.level); // ["pass", "pass", "pass"] (Nyquist 92.9 nm lateral, 279.2 nm axial)
 * ```
 */
export function samplingReport(
  voxelSizeUm: readonly [number, number, number] | readonly [number, number],
  setup: OpticalSetup,
  options: SamplingReportOptions = {},
): SamplingReport {
  const warnFactor = options.warnFactor ?? 1.5;
  if (!(Number.isFinite(warnFactor) && warnFactor >= 1)) {
    throw new InvalidArgumentError(`warnFactor is ${warnFactor}; expected a number ≥ 1.`, "1.5 means up to 1.5× coarser than Nyquist is a warning.");
  }
  if (voxelSizeUm.length !== 2 && voxelSizeUm.length !== 3) {
    throw new InvalidArgumentError(`voxelSizeUm has ${(voxelSizeUm as readonly number[]).length} entries.`, "Pass [dz, dy, dx] in µm, or [dy, dx] for a single plane.");
  }
  for (const v of voxelSizeUm) {
    if (!(Number.isFinite(v) && v > 0)) {
      throw new InvalidArgumentError(`Voxel size [${voxelSizeUm.join(", ")}] µm has an entry that is not a positive number.`, "Pass [dz, dy, dx] in µm (e.g. [0.2, 0.065, 0.065]).");
    }
  }
  const nyquist = nyquistSampling(setup);
  const theory = theoreticalResolution(setup);
  const has3 = voxelSizeUm.length === 3;
  const dy = has3 ? voxelSizeUm[1] : voxelSizeUm[0];
  const dx = has3 ? voxelSizeUm[2] : voxelSizeUm[1];
  const axes: AxisSampling[] = [
    axisSampling("x", dx, nyquist.lateralUm, theory.lateralFwhmUm, warnFactor),
    axisSampling("y", dy, nyquist.lateralUm, theory.lateralFwhmUm, warnFactor),
  ];
  if (has3) axes.push(axisSampling("z", voxelSizeUm[0], nyquist.axialUm, theory.axialFwhmUm, warnFactor));
  const rank: Record<VerdictLevel, number> = { pass: 0, warn: 1, fail: 2 };
  let worst = axes[0];
  for (const a of axes) if (rank[a.level] > rank[worst.level]) worst = a;
  const level = worst.level;
  const reason =
    level === "pass"
      ? `All axes sampled at or finer than Nyquist (${axes.map((a) => `${a.axis} ${fmt(a.pixelSizeUm)} ≤ ${fmt(a.nyquistUm)} µm`).join(", ")}).`
      : `${worst.reason} ${level === "fail" ? "Re-acquire with smaller pixels/z-steps (zoom in, higher magnification, or finer z-step)." : "Resolution measurements may be biased upwards."}`;
  return { nyquist, axes, level, verdict: { level, reason } };
}

function axisSampling(axis: "x" | "y" | "z", pixelUm: number, nyquistUm: number, fwhmUm: number, warnFactor: number): AxisSampling {
  const samplingRatio = pixelUm / nyquistUm;
  const level: VerdictLevel = samplingRatio <= 1 + COMPARE_TOLERANCE ? "pass" : samplingRatio <= warnFactor * (1 + COMPARE_TOLERANCE) ? "warn" : "fail";
  const what = axis === "z" ? "z-step" : `${axis} pixel size`;
  const reason =
    level === "pass"
      ? `${what} ${fmt(pixelUm)} µm ≤ Nyquist ${fmt(nyquistUm)} µm.`
      : `${what} ${fmt(pixelUm)} µm is ${samplingRatio.toFixed(2)}× the Nyquist interval ${fmt(nyquistUm)} µm (${level === "warn" ? `within the ${warnFactor}× warning band` : `beyond ${warnFactor}×`}).`;
  return { axis, pixelSizeUm: pixelUm, nyquistUm, nyquistRate: nyquistUm / pixelUm, samplingRatio, samplesPerFwhm: fwhmUm / pixelUm, level, reason };
}

function fmt(um: number): string {
  return um.toPrecision(3);
}
