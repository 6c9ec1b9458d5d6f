/**
 * Immersion media and their nominal refractive indices (visible light, room temperature; the values
 * objective manufacturers design for), and parsing of the immersion names found in OME metadata.
 * @module
 */
import { InvalidArgumentError, MissingMetadataError } from "../core/errors.js";

/** Immersion media limiqc knows a refractive index for. */
export type ImmersionMedium = "air" | "water" | "glycerol" | "silicone" | "oil";

/**
 * Nominal refractive index n of each immersion medium:
 * air 1.0 (1.0003 neglected), water 1.333, glycerol 1.47 (pure glycerol ≈ 1.473; glycerol-immersion
 * objectives are often designed for ~80 % glycerol/water, n ≈ 1.45 — pass the exact value if known),
 * silicone oil 1.406 (Olympus/Evident SIL objectives), immersion oil 1.518 (ISO 8036: n_e = 1.518 at 546.1 nm, 23 °C).
 */
export const IMMERSION_REFRACTIVE_INDEX: Readonly<Record<ImmersionMedium, number>> = {
  air: 1.0,
  water: 1.333,
  glycerol: 1.47,
  silicone: 1.406,
  oil: 1.518,
};

/** A parsed immersion: the medium and its nominal refractive index. */
export interface Immersion {
  readonly medium: ImmersionMedium;
  readonly refractiveIndex: number;
}

/** Lower-cased, separator-free aliases → medium. OME `Objective/@Immersion` values are included. */
const ALIASES: Readonly<Record<string, ImmersionMedium>> = {
  air: "air",
  dry: "air",
  none: "air",
  water: "water",
  waterdipping: "water",
  glycerol: "glycerol",
  glycerin: "glycerol",
  glycerine: "glycerol",
  silicone: "silicone",
  silicon: "silicone",
  siliconeoil: "silicone",
  siliconoil: "silicone",
  sil: "silicone",
  oil: "oil",
  immersionoil: "oil",
};

/** OME immersion values that name no single medium. */
const UNDEFINED_MEDIA = new Set(["multi", "other", "unknown", ""]);

/**
 * Parses an immersion name (OME `Objective/@Immersion`: Oil, Water, WaterDipping, Air, Multi,
 * Glycerol, Other; plus common spellings such as "silicone", "glycerine", "dry") into a medium and
 * its nominal refractive index.
 *
 * @param name - Immersion name, case- and separator-insensitive ("Water-Dipping" = "WaterDipping").
 * @returns The medium and its refractive index (see {@link IMMERSION_REFRACTIVE_INDEX}).
 * @throws MissingMetadataError for "Multi", "Other", "Unknown" or an empty name (no single index implied).
 * @throws InvalidArgumentError for an unrecognised name.
 *
 * Notes: these are nominal values; for critical axial work use the objective's specified medium index.
 * @see OME Data Model, Objective `Immersion` enumeration (https://www.openmicroscopy.org/Schemas/OME/2016-06)
 * @example
 * ```ts
 * parseImmersion("WaterDipping"); // { medium: "water", refractiveIndex: 1.333 }
 * ```
 */
export function parseImmersion(name: string): Immersion {
  const key = name.trim().toLowerCase().replace(/[\s_-]+/g, "");
  if (UNDEFINED_MEDIA.has(key)) {
    throw new MissingMetadataError(
      `Immersion "${name}" does not say which medium was used, so the refractive index is unknown.`,
      "Pass immersionIndex explicitly (air 1.0, water 1.333, glycerol 1.47, silicone 1.406, oil 1.518) or fix the objective metadata.",
    );
  }
  const medium = ALIASES[key];
  if (medium === undefined) {
    throw new InvalidArgumentError(
      `Unknown immersion "${name}".`,
      "Expected one of Oil, Water, WaterDipping, Air, Glycerol, Silicone (case-insensitive), or pass the refractive index directly.",
    );
  }
  return { medium, refractiveIndex: IMMERSION_REFRACTIVE_INDEX[medium] };
}

/**
 * Refractive index of an immersion medium given by name (see {@link parseImmersion}).
 * @param name - Immersion name, e.g. "Oil" or "WaterDipping".
 * @returns The nominal refractive index n (dimensionless).
 * @throws MissingMetadataError for "Multi"/"Other"/empty names.
 * @throws InvalidArgumentError for an unrecognised name.
 * @example
 * ```ts
 * immersionRefractiveIndex("Oil"); // 1.518
 * ```
 */
export function immersionRefractiveIndex(name: string): number {
  return parseImmersion(name).refractiveIndex;
}
