/**
 * Completing the optical setup of a bead measurement from the user's settings and the image's channel facts.
 * @module
 */
import { MissingMetadataError } from "../core/errors.js";
import type { ImageView } from "../image/types.js";
import type { Modality, OpticalSetup } from "../optics/resolution.js";

const MODALITY_NAMES: readonly Modality[] = ["widefield", "confocal", "spinningDisk", "multiphoton"];

/**
 * The full optical setup of a PSF measurement: the user's settings win, wavelengths missing there are taken
 * from the image's channel info.
 *
 * @param image - The stack (its `channel` may carry the emission/excitation wavelengths in nm).
 * @param optics - Modality, NA, immersion index and wavelengths (nm) as far as the user knows them.
 * @returns A complete OpticalSetup (wavelengths may still be missing; `theoreticalResolution` says which one it needs).
 * @throws MissingMetadataError when the modality, the NA or the immersion index is missing (the message lists what to give).
 *
 * Notes: files rarely state the modality, so it must come from the user; NA and immersion index come from the
 * file's objective metadata when the caller (e.g. {@link measureBeadPsfFile}) filled them in.
 * @see theoreticalResolution
 * @example
 * resolvePsfOpticalSetup(stack, { modality: "widefield", na: 1.4, immersionIndex: 1.518 }).emissionWavelengthNm; // from stack.channel
 */
export function resolvePsfOpticalSetup(image: ImageView, optics: Partial<OpticalSetup> | undefined): OpticalSetup {
  const o = optics ?? {};
  const missing: string[] = [];
  if (o.modality === undefined) missing.push(`modality (${MODALITY_NAMES.join(", ")})`);
  if (o.na === undefined) missing.push("numerical aperture (na)");
  if (o.immersionIndex === undefined) missing.push("immersion refractive index (immersionIndex)");
  if (missing.length > 0) {
    throw new MissingMetadataError(
      `The theoretical PSF needs the optical setup, but ${missing.join(", ")} ${missing.length > 1 ? "are" : "is"} missing.`,
      'Pass optics: { modality: "widefield", na: 1.4, immersionIndex: 1.518, emissionWavelengthNm: 520 } (CLI: --modality --na --immersion --wavelength).',
    );
  }
  const emission = o.emissionWavelengthNm ?? image.channel?.emissionWavelengthNm;
  const excitation = o.excitationWavelengthNm ?? image.channel?.excitationWavelengthNm;
  return {
    modality: o.modality as Modality,
    na: o.na as number,
    immersionIndex: o.immersionIndex as number,
    ...(emission !== undefined ? { emissionWavelengthNm: emission } : {}),
    ...(excitation !== undefined ? { excitationWavelengthNm: excitation } : {}),
  };
}
