/**
 * Theoretical lateral and axial resolution (FWHM of the PSF) per imaging modality, as defined by
 * MetroloJ_QC, with the Rayleigh and PSFj conventions as named alternatives.
 * @module
 */
import { InvalidArgumentError, MissingMetadataError } from "../core/errors.js";

/** Imaging modality, as distinguished by MetroloJ_QC's theoretical-resolution table. */
export type Modality = "widefield" | "confocal" | "spinningDisk" | "multiphoton";

/**
 * Which theoretical-FWHM formulas to use.
 * - "metroloj-qc": MetroloJ_QC's per-modality table (the default; F6 in peers.md).
 * - "rayleigh": 0.61·λem/NA lateral, 2·n·λem/NA² axial (microscope-metrics' textbook criteria).
 * - "psfj": 0.84·0.61·λem/NA (= 0.5124·λem/NA) lateral, 1.76·n·λem/NA² axial (PSFj `Microscope`).
 * The two alternatives are widefield formulas on the emission wavelength, applied whatever the
 * modality, exactly as those tools do; use them only to compare with their numbers.
 */
export type ResolutionConvention = "metroloj-qc" | "rayleigh" | "psfj";

/** Optical parameters of an acquisition. Wavelengths in nm (vacuum). */
export interface OpticalSetup {
  readonly modality: Modality;
  /** Numerical aperture of the objective, n·sin α (dimensionless, 0 < NA < n). */
  readonly na: number;
  /** Refractive index n of the immersion medium (see `IMMERSION_REFRACTIVE_INDEX`). */
  readonly immersionIndex: number;
  /** Emission (detection) wavelength, nm. Needed by widefield and spinning disk (and the alternative conventions). */
  readonly emissionWavelengthNm?: number;
  /** Excitation wavelength, nm. Needed by confocal and multiphoton (the 2-photon laser wavelength, e.g. 920). */
  readonly excitationWavelengthNm?: number;
}

/** Options of {@link theoreticalResolution}. */
export interface ResolutionOptions {
  /** Formula set. @default "metroloj-qc" */
  convention?: ResolutionConvention;
}

/** Theoretical PSF FWHM of an optical setup, with everything a report needs to show how it was obtained. */
export interface TheoreticalResolution {
  readonly modality: Modality;
  readonly convention: ResolutionConvention;
  readonly lateralFwhmNm: number;
  readonly lateralFwhmUm: number;
  readonly axialFwhmNm: number;
  readonly axialFwhmUm: number;
  /** The wavelength the formulas used, nm. */
  readonly wavelengthNm: number;
  /** Whether that was the emission or the excitation wavelength. */
  readonly wavelengthKind: "emission" | "excitation";
  readonly na: number;
  readonly immersionIndex: number;
  /** e.g. "0.51·λem/NA" */
  readonly lateralFormula: string;
  /** e.g. "1.77·n·λem/NA²" */
  readonly axialFormula: string;
  /** Where the formulas come from. */
  readonly reference: string;
}

/** Multiphoton lateral formula switches from 0.377·λ/NA to 0.383·λ/NA^0.91 above this NA (Zipfel et al. 2003, doi:10.1038/nbt899). */
export const MULTIPHOTON_NA_SWITCH = 0.7;

/** Wavelength range accepted as plausible (nm): catches µm passed as nm and similar slips. */
const WAVELENGTH_MIN_NM = 200;
const WAVELENGTH_MAX_NM = 2500;
const NM_PER_UM = 1000;

const REFERENCES: Readonly<Record<ResolutionConvention, string>> = {
  "metroloj-qc":
    "MetroloJ_QC theoreticalResolutionCalculator.getResolution (Faklaris et al. 2022, J Cell Biol 221:e202107093), which cites Wilhelm (Zeiss 2011), Amos et al. (2012), Toomre & Pawley (2006); multiphoton formulas as in Zipfel et al. (2003) Nat Biotechnol 21:1369",
  rayleigh: "Rayleigh criterion as in microscope-metrics devices (0.61·λ/NA, 2·n·λ/NA²)",
  psfj: "PSFj Microscope.calculateTheoreticalResolutions (Theer et al. 2014, Nat Methods 11:981)",
};

/**
 * Theoretical lateral and axial FWHM resolution.
 *
 * MetroloJ_QC convention (λ = wavelength, n = immersion index, NA = numerical aperture):
 * | modality | wavelength | lateral | axial |
 * |---|---|---|---|
 * | widefield | λem | 0.51·λ/NA | 1.77·n·λ/NA² |
 * | confocal (point scanning, pinhole ≤ 1 AU) | λex | 0.51·λ/NA | 0.88·λ/(n − √(n² − NA²)) |
 * | spinning disk | λem | 0.51·λ/NA | λ/(n − √(n² − NA²)) |
 * | multiphoton | λex | 0.377·λ/NA (NA ≤ 0.7), 0.383·λ/NA^0.91 (NA > 0.7) | 0.626·λ/(n − √(n² − NA²)) |
 *
 * @param setup - Modality, NA, immersion index and the wavelength(s) in nm.
 * @param options - `convention` (default "metroloj-qc").
 * @returns FWHMs in nm and µm, the wavelength used and the formula strings.
 * @throws InvalidArgumentError when NA ≤ 0, NA ≥ n, n < 1, or a wavelength is outside 200–2500 nm.
 * @throws MissingMetadataError when the wavelength the modality (or convention) needs is missing.
 *
 * Notes: the confocal formulas assume a pinhole of about 1 Airy unit or less; with a wider pinhole
 * the resolution tends towards the widefield values (MetroloJ_QC ignores the pinhole here too).
 * The multiphoton formulas are for two-photon excitation.
 *
 * @see MetroloJ_QC `resolution/theoreticalResolutionCalculator.java`; QUAREP-LiMi WG5; Faklaris et al. (2022) doi:10.1083/jcb.202107093
 * @example
 * ```ts
 * const r = theoreticalResolution({ modality: "widefield", na: 1.4, immersionIndex: 1.518, emissionWavelengthNm: 520 });
 * r.lateralFwhmNm; // 189.43 (0.51·520/1.4)
 * r.axialFwhmNm;   // 712.84 (1.77·1.518·520/1.4²)
 * ```
 */
export function theoreticalResolution(setup: OpticalSetup, options: ResolutionOptions = {}): TheoreticalResolution {
  const convention = options.convention ?? "metroloj-qc";
  validateOpticalSetup(setup);
  const { modality, na, immersionIndex: n } = setup;
  let lateral: number;
  let axial: number;
  let lateralFormula: string;
  let axialFormula: string;
  let kind: "emission" | "excitation";
  let lambda: number;
  if (convention === "rayleigh" || convention === "psfj") {
    kind = "emission";
    lambda = requireWavelength(setup, kind, `The ${convention} convention`);
    const [kl, ka] = convention === "rayleigh" ? [0.61, 2] : [0.84 * 0.61, 1.76];
    lateral = (kl * lambda) / na;
    axial = (ka * n * lambda) / (na * na);
    lateralFormula = convention === "rayleigh" ? "0.61·λem/NA" : "0.84·0.61·λem/NA";
    axialFormula = convention === "rayleigh" ? "2·n·λem/NA²" : "1.76·n·λem/NA²";
  } else {
    kind = modality === "confocal" || modality === "multiphoton" ? "excitation" : "emission";
    lambda = requireWavelength(setup, kind, `The theoretical ${modalityLabel(modality)} resolution`);
    const axialDenominator = n - Math.sqrt(n * n - na * na);
    switch (modality) {
      case "widefield":
        lateral = (0.51 * lambda) / na;
        axial = (1.77 * n * lambda) / (na * na);
        lateralFormula = "0.51·λem/NA";
        axialFormula = "1.77·n·λem/NA²";
        break;
      case "confocal":
        lateral = (0.51 * lambda) / na;
        axial = (0.88 * lambda) / axialDenominator;
        lateralFormula = "0.51·λex/NA";
        axialFormula = "0.88·λex/(n − √(n² − NA²))";
        break;
      case "spinningDisk":
        lateral = (0.51 * lambda) / na;
        axial = lambda / axialDenominator;
        lateralFormula = "0.51·λem/NA";
        axialFormula = "λem/(n − √(n² − NA²))";
        break;
      case "multiphoton":
        if (na > MULTIPHOTON_NA_SWITCH) {
          lateral = (0.383 * lambda) / na ** 0.91;
          lateralFormula = "0.383·λex/NA^0.91 (NA > 0.7)";
        } else {
          lateral = (0.377 * lambda) / na;
          lateralFormula = "0.377·λex/NA (NA ≤ 0.7)";
        }
        axial = (0.626 * lambda) / axialDenominator;
        axialFormula = "0.626·λex/(n − √(n² − NA²))";
        break;
    }
  }
  return {
    modality,
    convention,
    lateralFwhmNm: lateral,
    lateralFwhmUm: lateral / NM_PER_UM,
    axialFwhmNm: axial,
    axialFwhmUm: axial / NM_PER_UM,
    wavelengthNm: lambda,
    wavelengthKind: kind,
    na,
    immersionIndex: n,
    lateralFormula,
    axialFormula,
    reference: REFERENCES[convention],
  };
}

/**
 * Checks the modality, NA and immersion index of an optical setup (not the wavelengths, which
 * depend on what is computed).
 * @param setup - The setup to check.
 * @returns Nothing; returns normally when the setup is valid.
 * @throws InvalidArgumentError when the modality is unknown, NA is not in (0, n), or n < 1.
 */
export function validateOpticalSetup(setup: OpticalSetup): void {
  if (!MODALITIES.includes(setup.modality)) {
    throw new InvalidArgumentError(`Unknown modality "${setup.modality}".`, `Use one of ${MODALITIES.join(", ")}.`);
  }
  const { na, immersionIndex: n } = setup;
  if (!(Number.isFinite(n) && n >= 1)) {
    throw new InvalidArgumentError(`Immersion refractive index is ${n}; expected a number ≥ 1 (air 1.0, water 1.333, oil 1.518).`, "Pass immersionIndex, e.g. from immersionRefractiveIndex(\"Oil\").");
  }
  if (!(Number.isFinite(na) && na > 0)) {
    throw new InvalidArgumentError(`Numerical aperture is ${na}; expected a positive number.`, "Read the NA from the objective barrel or the file's objective metadata.");
  }
  if (na >= n) {
    throw new InvalidArgumentError(
      `Numerical aperture ${na} is not below the immersion refractive index ${n}: NA = n·sin α cannot exceed n.`,
      "Check the immersion medium (an NA 1.4 objective needs oil, n = 1.518; water allows NA < 1.333; air NA < 1) or the NA value.",
    );
  }
}

const MODALITIES: readonly Modality[] = ["widefield", "confocal", "spinningDisk", "multiphoton"];

/**
 * Human-readable modality name for messages and reports.
 * @param modality - The modality.
 * @returns e.g. "spinning-disk confocal".
 */
export function modalityLabel(modality: Modality): string {
  switch (modality) {
    case "widefield":
      return "widefield";
    case "confocal":
      return "point-scanning confocal";
    case "spinningDisk":
      return "spinning-disk confocal";
    case "multiphoton":
      return "multiphoton";
  }
}

/**
 * The emission or excitation wavelength of a setup, checked for presence and plausibility.
 * @param setup - Optical setup.
 * @param kind - Which wavelength is needed.
 * @param what - Who needs it, for the message (e.g. "The theoretical widefield resolution").
 * @returns The wavelength in nm.
 * @throws MissingMetadataError when it is missing.
 * @throws InvalidArgumentError when it is outside 200–2500 nm (e.g. given in µm).
 */
export function requireWavelength(setup: OpticalSetup, kind: "emission" | "excitation", what: string): number {
  const field = kind === "emission" ? "emissionWavelengthNm" : "excitationWavelengthNm";
  const v = setup[field];
  if (v === undefined || v === null) {
    throw new MissingMetadataError(
      `${what} needs the ${kind} wavelength (${field}), which is missing.`,
      kind === "emission"
        ? "Pass the emission (detection) wavelength in nm, e.g. 520 for GFP/FITC, from the filter or the file's channel metadata."
        : "Pass the excitation (laser) wavelength in nm, e.g. 488 for a confocal or 920 for two-photon imaging.",
    );
  }
  if (!(Number.isFinite(v) && v >= WAVELENGTH_MIN_NM && v <= WAVELENGTH_MAX_NM)) {
    throw new InvalidArgumentError(
      `${field} is ${v}; expected a wavelength in nm between ${WAVELENGTH_MIN_NM} and ${WAVELENGTH_MAX_NM}.`,
      v > 0 && v < 10 ? `It looks like µm: pass ${v * NM_PER_UM} nm.` : "Wavelengths are in nanometres (e.g. 520).",
    );
  }
  return v;
}
