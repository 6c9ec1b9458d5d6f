/**
 * Bundled sample for the resolution protocol: a simulated widefield bead stack with a known tilt, field curvature
 * and spherical aberration, written as OME-TIFF on first use (see src/samples).
 * @module
 */
import { writeOmeTiff } from "../io/tiff-writer.js";
import { SAMPLES } from "../samples/index.js";
import { type BeadStackOptions, simulateBeadStack } from "../simulate/beads.js";

/** What the "resolution-beads" sample plants (the notebook's answer key). */
export const RESOLUTION_BEADS_SAMPLE: Readonly<{
  options: BeadStackOptions;
  numericalAperture: number;
  immersion: string;
  immersionIndex: number;
  emissionWavelengthNm: number;
  excitationWavelengthNm: number;
  sphericalAberrationWavesRms: number;
}> = {
  numericalAperture: 1.4,
  immersion: "Oil",
  immersionIndex: 1.518,
  emissionWavelengthNm: 520,
  excitationWavelengthNm: 488,
  sphericalAberrationWavesRms: 0.1,
  options: {
    shape: [40, 512, 512],
    voxelSizeUm: [0.15, 0.065, 0.065],
    beads: 36,
    minSeparationUm: 4,
    marginUm: 0.6,
    zRangeUm: [2.9, 2.9],
    photons: 5000,
    backgroundPhotons: 10,
    fieldTiltMrad: [6, -3],
    fieldCurvatureUm: 0.4,
    faults: ["edge", "close", "aggregate", "saturated", "dim"],
    seed: 2024,
    psf: {
      kind: "scalar",
      numericalAperture: 1.4,
      immersionIndex: 1.518,
      emissionWavelengthNm: 520,
      excitationWavelengthNm: 488,
      modality: "widefield",
      zernike: [{ noll: 11, waves: 0.1 }],
    },
  },
};

SAMPLES["resolution-beads"] = {
  file: "resolution-beads.ome.tif",
  description:
    "Simulated widefield bead z-stack (NA 1.4 oil, 520 nm, 512×512×40, 65 nm pixels, 150 nm steps, 36 good beads plus one edge, close pair, aggregate, saturated and dim bead) with 0.1 waves RMS of spherical aberration, a focal-plane tilt of 6 mrad along x and −3 mrad along y, and 0.4 µm of field curvature at the corners.",
  async generate(path: string): Promise<void> {
    const s = RESOLUTION_BEADS_SAMPLE;
    const { image } = simulateBeadStack(s.options);
    await writeOmeTiff(path, image, {
      objective: { lensNA: s.numericalAperture, immersion: s.immersion, refractiveIndex: s.immersionIndex, nominalMagnification: 100 },
      channels: [{ name: "beads", emissionWavelengthNm: s.emissionWavelengthNm, excitationWavelengthNm: s.excitationWavelengthNm }],
      imageName: "resolution-beads (simulated)",
      overwrite: true,
    });
  },
};
