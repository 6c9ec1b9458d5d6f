/**
 * Bundled sample for the co-registration protocol: a simulated three-colour bead z-stack with known chromatic
 * shifts and lateral chromatic magnification, written as OME-TIFF on first use (see src/samples).
 * @module
 */
import { writeOmeTiff } from "../io/tiff-writer.js";
import { SAMPLES } from "../samples/index.js";
import { type MultiChannelBeadStackOptions, simulateMultiChannelBeadStack } from "../simulate/beads.js";

/** What the "co-registration-beads" sample plants (the notebook's answer key). */
export const COREGISTRATION_SAMPLE: Readonly<{ options: MultiChannelBeadStackOptions; numericalAperture: number; immersion: string; immersionIndex: number }> = {
  numericalAperture: 1.4,
  immersion: "Oil",
  immersionIndex: 1.518,
  options: {
    shape: [32, 512, 512],
    voxelSizeUm: [0.15, 0.065, 0.065],
    beads: 40,
    minSeparationUm: 3,
    marginUm: 1.5,
    photons: 12000,
    backgroundPhotons: 15,
    psf: { kind: "gaussian", fwhmUm: [0.22, 0.22, 0.7] },
    seed: 404,
    channels: [
      { name: "green", excitationWavelengthNm: 488, emissionWavelengthNm: 520 },
      { name: "orange", excitationWavelengthNm: 561, emissionWavelengthNm: 600, shiftUm: [0.04, -0.03, 0.12], magnification: 1.0015 },
      { name: "far-red", excitationWavelengthNm: 640, emissionWavelengthNm: 680, shiftUm: [0.28, -0.12, 0.25], magnification: 1.003 },
    ],
  },
};

SAMPLES["co-registration-beads"] = {
  file: "co-registration-beads.ome.tif",
  description:
    "Simulated three-colour bead z-stack (widefield, NA 1.4 oil; 520, 600 and 680 nm; 512×512×32, 65 nm pixels, 150 nm steps, 40 beads): the orange channel is shifted by (40, −30, 120) nm with 0.15 % lateral chromatic magnification (passes), the far-red channel by (280, −120, 250) nm with 0.3 % magnification — a misregistered far-red path that fails ratio ≤ 1.",
  async generate(path: string): Promise<void> {
    const s = COREGISTRATION_SAMPLE;
    const { image } = simulateMultiChannelBeadStack(s.options);
    await writeOmeTiff(path, image, {
      objective: { lensNA: s.numericalAperture, immersion: s.immersion, refractiveIndex: s.immersionIndex, nominalMagnification: 100 },
      imageName: "co-registration-beads (simulated)",
      overwrite: true,
    });
  },
};
