/**
 * Bundled samples for the field-uniformity protocol: a simulated flat-field image with an off-centre maximum and
 * vignetting that fails U ≥ 50 %, and its dark image from the same simulated camera (written as OME-TIFF on first use).
 * @module
 */
import { writeOmeTiff } from "../io/tiff-writer.js";
import { SAMPLES } from "../samples/index.js";
import { type FlatFieldOptions, simulateFlatField } from "../simulate/flatfield.js";

/** What the "field-uniformity" sample plants (the notebook's answer key); the dark sample uses the same options. */
export const FIELD_UNIFORMITY_SAMPLE: Readonly<{ options: FlatFieldOptions; emissionWavelengthNm: number; excitationWavelengthNm: number }> = {
  emissionWavelengthNm: 520,
  excitationWavelengthNm: 488,
  options: {
    shape: [1024, 1024],
    pixelSizeUm: 0.325,
    model: "gaussian",
    centrePx: [660, 410],
    scalePx: 680,
    gradientPercent: [0, 6],
    peakPhotons: 3000,
    dustSpecks: 6,
    camera: { hotPixelFraction: 0.0005, hotPixelDarkCurrentEPerS: 20000 },
    darkImage: true,
    seed: 303,
    name: "GFP",
    emissionWavelengthNm: 520,
  },
};

async function writeFlat(path: string, which: "image" | "dark"): Promise<void> {
  const s = FIELD_UNIFORMITY_SAMPLE;
  const sim = simulateFlatField(s.options);
  const img = which === "image" ? sim.image : sim.dark;
  if (!img) throw new Error("internal: the field-uniformity sample has no dark image");
  await writeOmeTiff(path, img, {
    channels: [{ name: which === "image" ? "GFP" : "dark", emissionWavelengthNm: s.emissionWavelengthNm, excitationWavelengthNm: s.excitationWavelengthNm }],
    objective: { lensNA: 0.75, immersion: "Air", refractiveIndex: 1.0, nominalMagnification: 20 },
    imageName: which === "image" ? "field-uniformity (simulated flat field)" : "field-uniformity dark (simulated, shutter closed)",
    overwrite: true,
  });
}

SAMPLES["field-uniformity"] = {
  file: "field-uniformity.ome.tif",
  description:
    "Simulated flat field of a fluorescent slide (1024×1024 px, 0.325 µm pixels, 20×/0.75 air, 16-bit sCMOS) with Gaussian vignetting centred at (660, 410) px and a 6 % vertical gradient: maximum at (660, 437) px, C ≈ 77 %, U ≈ 43 % (fails U ≥ 50 %), 6 dust specks and 0.05 % hot pixels; its dark image is the sample field-uniformity-dark.",
  async generate(path: string): Promise<void> {
    await writeFlat(path, "image");
  },
};

SAMPLES["field-uniformity-dark"] = {
  file: "field-uniformity-dark.ome.tif",
  description: "Dark image (shutter closed, same simulated camera and hot pixels) belonging to the field-uniformity sample.",
  async generate(path: string): Promise<void> {
    await writeFlat(path, "dark");
  },
};
