/**
 * Bundled sample for the metadata protocol: an OME-TIFF whose hand-written OME-XML has known gaps and
 * inconsistencies (the notebook's answer key is {@link METADATA_SAMPLE_TRUTH}).
 * @module
 */
import { Random } from "../core/random.js";
import { writeTiff } from "../io/tiff-writer.js";
import { SAMPLES } from "../samples/index.js";

const SIZE_PX = 128;
const BACKGROUND_ADU = 200;
const SIGNAL_ADU = 1500;
const NOISE_ADU = 12;

/** The OME-XML written into the "metadata-gaps" sample. */
export const METADATA_SAMPLE_OME_XML: string = `<?xml version="1.0" encoding="UTF-8"?>
<OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06">
  <Instrument ID="Instrument:0">
    <Microscope Type="Inverted" Manufacturer="ACME Optics" Model="Scope 9000"/>
    <Laser ID="LightSource:0" Manufacturer="ACME Lasers" Model="L488" Wavelength="488" WavelengthUnit="nm" Power="50" PowerUnit="mW"/>
    <Laser ID="LightSource:1" Manufacturer="ACME Lasers" Model="L561" Wavelength="561" WavelengthUnit="nm"/>
    <Detector ID="Detector:0" Manufacturer="ACME Cameras" Model="Orca-like" Type="CMOS"/>
    <Objective ID="Objective:0" Manufacturer="ACME Optics" Model="PA63" Correction="PlanApo" NominalMagnification="63" LensNA="1.4" Immersion="Water"/>
  </Instrument>
  <Image ID="Image:0" Name="metadata-gaps sample">
    <AcquisitionDate>2024-06-03T14:05:00</AcquisitionDate>
    <InstrumentRef ID="Instrument:0"/>
    <ObjectiveSettings ID="Objective:0" RefractiveIndex="1.518"/>
    <Pixels ID="Pixels:0" DimensionOrder="XYZCT" Type="uint16" SignificantBits="12" SizeX="${SIZE_PX}" SizeY="${SIZE_PX}" SizeZ="1" SizeC="2" SizeT="1" PhysicalSizeX="0.2" PhysicalSizeXUnit="µm" PhysicalSizeY="0.2" PhysicalSizeYUnit="µm">
      <Channel ID="Channel:0:0" Name="GFP" Fluor="EGFP" Color="16711935" SamplesPerPixel="1" ExcitationWavelength="488" ExcitationWavelengthUnit="nm" EmissionWavelength="520" EmissionWavelengthUnit="nm" AcquisitionMode="WideField" IlluminationType="Epifluorescence" ContrastMethod="Fluorescence">
        <DetectorSettings ID="Detector:0" Gain="1"/>
        <LightSourceSettings ID="LightSource:0" Attenuation="0.2"/>
      </Channel>
      <Channel ID="Channel:0:1" Name="mCherry" Color="-16776961" SamplesPerPixel="1" ExcitationWavelength="610" ExcitationWavelengthUnit="nm" EmissionWavelength="561" EmissionWavelengthUnit="nm" AcquisitionMode="WideField" IlluminationType="Epifluorescence" ContrastMethod="Fluorescence"/>
      <TiffData IFD="0" PlaneCount="2"/>
      <Plane TheZ="0" TheC="0" TheT="0" ExposureTime="100" ExposureTimeUnit="ms"/>
      <Plane TheZ="0" TheC="1" TheT="0" ExposureTime="0.25" ExposureTimeUnit="s"/>
    </Pixels>
  </Image>
</OME>
`;

/** What the sample plants: the gaps and inconsistencies a metadata report must find. */
export const METADATA_SAMPLE_TRUTH = {
  missingTier1: ["experimenter", "sample-description", "mounting-medium", "filters", "fluorophore", "environment-temperature"],
  implausible: ["na-vs-immersion", "immersion-index", "stokes-1"],
  /** With cameraPixelUm 6.5: 6.5 / 63 = 0.103 µm expected, 0.2 µm recorded (2× binning not recorded). */
  cameraPixelUm: 6.5,
} as const;

/**
 * Writes the "metadata-gaps" sample: 2 channels × 128² px uint16 (12-bit), Gaussian spots on a flat background.
 * @param path - Target file.
 */
export async function writeMetadataSample(path: string): Promise<void> {
  const rng = new Random(707);
  const planes: Uint16Array[] = [];
  for (let c = 0; c < 2; c++) {
    const p = new Uint16Array(SIZE_PX * SIZE_PX);
    const spots: [number, number][] = [];
    for (let k = 0; k < 12; k++) spots.push([rng.range(10, SIZE_PX - 10), rng.range(10, SIZE_PX - 10)]);
    for (let y = 0; y < SIZE_PX; y++) {
      for (let x = 0; x < SIZE_PX; x++) {
        let v = BACKGROUND_ADU;
        for (const [sx, sy] of spots) v += SIGNAL_ADU * Math.exp(-((x - sx) ** 2 + (y - sy) ** 2) / 8);
        p[y * SIZE_PX + x] = Math.max(0, Math.min(4095, Math.round(v + rng.normal(0, NOISE_ADU))));
      }
    }
    planes.push(p);
  }
  await writeTiff(path, planes, { width: SIZE_PX, height: SIZE_PX, description: METADATA_SAMPLE_OME_XML, overwrite: true });
}

SAMPLES["metadata-gaps"] = {
  file: "metadata-gaps.ome.tif",
  description:
    "OME-TIFF (2 channels, 128×128 px, 12-bit) with hand-written OME-XML that lacks the experimenter, sample description, filters, temperature and the mCherry fluorophore, records a 63×/1.4 objective as water immersion (NA > n) with oil RI 1.518, swaps mCherry's excitation/emission, and has 0.2 µm pixels where a 6.5 µm camera at 63× gives 0.103 µm.",
  generate: writeMetadataSample,
};
