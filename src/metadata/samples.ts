/**
 * Bundled sample for the metadata protocol: an OME-TIFF whose hand-written OME-XML has known gaps and
 * inconsistencies (the notebook's answer key is {@link METADATA_SAMPLE_TRUTH}).
 * @module
 */
import { writeFileSync } from "node:fs";
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
        <LightSourceSettings ID="LightSource:0" Attenuation="0.2"/>
        <DetectorSettings ID="Detector:0" Gain="1"/>
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

/**
 * Hand-made Micro-Meta App hardware (Instrument) file of the sample's microscope: stand, three objectives (10×/0.3 air,
 * 63×/1.4 oil, 100×/1.45 oil), two lasers, an sCMOS camera (6.5 µm pixels), a GFP filter set and a stage.
 * Identical to data/fixtures/metadata/mma-hardware.json (a test checks it).
 */
export const METADATA_SAMPLE_MMA_HARDWARE: Readonly<Record<string, unknown>> = {
  "Name": "ACME Scope 9000 (imaging facility, room 2.14)",
  "Schema_ID": "Instrument.json",
  "ID": "5a7e1c0e-9d52-4c1b-8f0a-1b2c3d4e5f60",
  "Tier": 2,
  "ValidationTier": 2,
  "ModelVersion": "2.01.0",
  "AppVersion": "1.0.0-b1-1",
  "Description": "Hand-made example after the Micro-Meta App instrument schema; not a real microscope.",
  "MicroscopeStand": {
    "Name": "ACME Scope 9000",
    "Schema_ID": "InvertedMicroscopeStand.json",
    "ID": "0d7f8a52-3b1e-4c55-9a0e-6f1d2c3b4a59",
    "Tier": 1,
    "Type": "Compound",
    "Origin": "Commercial-as is",
    "Manufacturer": "ACME Optics",
    "Model": "Scope 9000",
    "CatalogNumber": "S9K-INV"
  },
  "components": [
    {
      "Name": "10x air",
      "Schema_ID": "Objective.json",
      "ID": "obj-10x",
      "Tier": 1,
      "Manufacturer": "ACME Optics",
      "Model": "PA10",
      "NominalMagnification": "10",
      "LensNA": "0.3",
      "NominalImmersionMedium": "Air",
      "Correction": "PlanApo",
      "WorkingDistance": "5.2",
      "WorkingDistanceUnit": "mm"
    },
    {
      "Name": "63x oil",
      "Schema_ID": "Objective.json",
      "ID": "obj-63x",
      "Tier": 1,
      "Manufacturer": "ACME Optics",
      "Model": "PA63",
      "NominalMagnification": "63",
      "LensNA": "1.4",
      "NominalImmersionMedium": "Oil",
      "Correction": "PlanApo",
      "WorkingDistance": "0.14",
      "WorkingDistanceUnit": "mm"
    },
    {
      "Name": "100x oil",
      "Schema_ID": "Objective.json",
      "ID": "obj-100x",
      "Tier": 1,
      "Manufacturer": "ACME Optics",
      "Model": "PA100",
      "NominalMagnification": 100,
      "LensNA": 1.45,
      "NominalImmersionMedium": "Oil",
      "Correction": "PlanApo"
    },
    {
      "Name": "488 laser",
      "Schema_ID": "Laser.json",
      "ID": "ls-488",
      "Tier": 1,
      "Manufacturer": "ACME Lasers",
      "Model": "L488",
      "Wavelength": "488",
      "WavelengthUnit": "nm",
      "NominalPower": "50",
      "NominalPowerUnit": "mW"
    },
    {
      "Name": "561 laser",
      "Schema_ID": "Laser.json",
      "ID": "ls-561",
      "Tier": 1,
      "Manufacturer": "ACME Lasers",
      "Model": "L561",
      "Wavelength": "561",
      "WavelengthUnit": "nm",
      "NominalPower": "0.04",
      "NominalPowerUnit": "W"
    },
    {
      "Name": "sCMOS camera",
      "Schema_ID": "CMOS.json",
      "ID": "det-cam",
      "Tier": 2,
      "Manufacturer": "ACME Cameras",
      "Model": "Orca-like",
      "PixelWidth": "6.5",
      "PixelWidthUnit": "µm",
      "PixelHeight": "6.5",
      "PixelHeightUnit": "µm"
    },
    {
      "Name": "GFP excitation",
      "Schema_ID": "ExcitationFilter.json",
      "ID": "flt-ex-gfp",
      "Tier": 2,
      "Manufacturer": "ACME Filters",
      "Model": "FF01-482/35",
      "Type": "BandPass",
      "TransmittanceRange": [
        {
          "CutIn": "464.5",
          "CutInUnit": "nm",
          "CutOut": "499.5",
          "CutOutUnit": "nm",
          "Transmittance": "0.93"
        }
      ]
    },
    {
      "Name": "488/561 dichroic",
      "Schema_ID": "StandardDichroic.json",
      "ID": "flt-di",
      "Tier": 2,
      "Manufacturer": "ACME Filters",
      "Model": "Di03-R488/561"
    },
    {
      "Name": "GFP emission",
      "Schema_ID": "EmissionFilter.json",
      "ID": "flt-em-gfp",
      "Tier": 2,
      "Manufacturer": "ACME Filters",
      "Model": "FF01-525/45",
      "Type": "BandPass",
      "TransmittanceRange": [
        {
          "CutIn": "502.5",
          "CutInUnit": "nm",
          "CutOut": "547.5",
          "CutOutUnit": "nm",
          "Transmittance": "0.95"
        }
      ]
    },
    {
      "Name": "XY stage",
      "Schema_ID": "MechanicalStage.json",
      "ID": "stage-1",
      "Tier": 3,
      "Manufacturer": "ACME Stages",
      "Model": "XY-100"
    }
  ],
  "linkedFields": {}
};

/**
 * Hand-made Micro-Meta App image-acquisition Settings file for the "metadata-gaps" sample: 63× objective selected
 * (oil, n = 1.518), GFP and mCherry channels, 22 °C. Identical to data/fixtures/metadata/mma-settings.json.
 */
export const METADATA_SAMPLE_MMA_SETTINGS: Readonly<Record<string, unknown>> = {
  "Name": "metadata-gaps sample, acquisition settings",
  "AcquisitionDate": "2024-06-03T14:05:00",
  "Schema_ID": "Image.json",
  "ID": "9c4b2f6e-1a3d-4e8f-b7c6-d5e4f3a2b1c0",
  "Tier": 2,
  "ValidationTier": 2,
  "ModelVersion": "2.01.0",
  "AppVersion": "1.0.0-b1-1",
  "Description": "HeLa cells, EGFP-tubulin and mCherry-H2B, fixed, mounted in a glycerol-based antifade medium (hand-made example).",
  "InstrumentName": "ACME Scope 9000 (imaging facility, room 2.14)",
  "InstrumentID": "5a7e1c0e-9d52-4c1b-8f0a-1b2c3d4e5f60",
  "ObjectiveSettings": {
    "ID": "obj-63x",
    "Schema_ID": "ObjectiveSettings.json",
    "ImmersionMedium": "Oil",
    "ImmersionRefractiveIndex": 1.518
  },
  "Channels": [
    {
      "Name": "GFP",
      "ID": "ch-0",
      "Schema_ID": "Channel.json",
      "Fluorophore": "EGFP",
      "ExcitationWavelength": 488,
      "ExcitationWavelengthUnit": "nm",
      "EmissionWavelength": 520,
      "EmissionWavelengthUnit": "nm",
      "AcquisitionMode": "WideField",
      "ContrastMethod": "Fluorescence",
      "IlluminationType": "Epifluorescence",
      "LightSourceSettings": [
        {
          "ID": "ls-488",
          "Wavelength": 488,
          "WavelengthUnit": "nm",
          "Attenuation": 0.2
        }
      ],
      "DetectorSettingsGroup": [
        {
          "ID": "det-cam",
          "Gain": 1
        }
      ]
    },
    {
      "Name": "mCherry",
      "ID": "ch-1",
      "Schema_ID": "Channel.json",
      "Fluorophore": "mCherry",
      "ExcitationWavelength": 561,
      "ExcitationWavelengthUnit": "nm",
      "EmissionWavelength": 610,
      "EmissionWavelengthUnit": "nm",
      "AcquisitionMode": "WideField",
      "ContrastMethod": "Fluorescence",
      "IlluminationType": "Epifluorescence",
      "LightSourceSettings": [
        {
          "ID": "ls-561",
          "Wavelength": 561,
          "WavelengthUnit": "nm",
          "Attenuation": 0.5
        }
      ],
      "DetectorSettingsGroup": [
        {
          "ID": "det-cam",
          "Gain": 1
        }
      ]
    }
  ],
  "ImagingEnvironment": [
    {
      "Schema_ID": "ImagingEnvironment.json",
      "Temperature": 22,
      "TemperatureUnit": "°C",
      "CO2Percent": 0,
      "Humidity": 0.4
    }
  ]
};

SAMPLES["metadata-mma-hardware"] = {
  file: "metadata-mma-hardware.json",
  description:
    "Micro-Meta App hardware file (hand-made, ModelVersion 2.01.0) of the metadata-gaps sample's microscope: three objectives (10×/0.3 air, 63×/1.4 oil, 100×/1.45 oil), two lasers, a 6.5 µm sCMOS and a GFP filter set; it contradicts the sample's 'water' immersion.",
  generate: async (path: string): Promise<void> => writeFileSync(path, `${JSON.stringify(METADATA_SAMPLE_MMA_HARDWARE, null, 2)}\n`),
};

SAMPLES["metadata-mma-settings"] = {
  file: "metadata-mma-settings.json",
  description: "Micro-Meta App acquisition-settings file (hand-made) for the metadata-gaps sample: selects the 63× oil objective, names the fluorophores (correct mCherry 561/610 nm), 22 °C.",
  generate: async (path: string): Promise<void> => writeFileSync(path, `${JSON.stringify(METADATA_SAMPLE_MMA_SETTINGS, null, 2)}\n`),
};

SAMPLES["metadata-gaps"] = {
  file: "metadata-gaps.ome.tif",
  description:
    "OME-TIFF (2 channels, 128×128 px, 12-bit) with hand-written OME-XML that lacks the experimenter, sample description, filters, temperature and the mCherry fluorophore, records a 63×/1.4 objective as water immersion (NA > n) with oil RI 1.518, swaps mCherry's excitation/emission, and has 0.2 µm pixels where a 6.5 µm camera at 63× gives 0.103 µm.",
  generate: writeMetadataSample,
};
