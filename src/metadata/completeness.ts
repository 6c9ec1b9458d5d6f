/**
 * Completeness and plausibility of acquisition metadata against the tiered 4DN-BINA-OME-QUAREP (NBO-Q)
 * microscopy metadata specifications (Tier 1 minimum, Tier 2 advanced quantification, Tier 3 full documentation).
 * @module
 */
import { InvalidArgumentError } from "../core/errors.js";
import { VERDICT_RANK, type Verdict, type VerdictLevel } from "../core/quantity.js";
import { parseImmersion } from "../optics/immersion.js";
import { judge } from "../protocols/load.js";
import { METADATA_COMPLETENESS_CRITERION, METADATA_CONSISTENCY_CRITERION, PIXEL_SIZE_CONSISTENCY_CRITERION } from "./criteria.js";
import type { AcquisitionMetadata } from "./model.js";

/** NBO-Q tier: 1 minimum (qualitative / M&M), 2 advanced quantification, 3 full documentation. */
export type MetadataTier = 1 | 2 | 3;

/** Status of one metadata item. */
export type MetadataFieldStatus = "present" | "missing" | "implausible" | "not-applicable";

/** One checked metadata item. */
export interface MetadataFieldCheck {
  readonly id: string;
  readonly label: string;
  readonly tier: MetadataTier;
  /** Where the item lives in the OME / NBO-Q model, e.g. "Objective@LensNA". */
  readonly omePath: string;
  readonly status: MetadataFieldStatus;
  /** The value found (stringified), when present. */
  readonly value?: string;
  /** What is wrong (missing/implausible) and how to fix it. */
  readonly fix?: string;
}

/** A cross-field consistency check (NA vs immersion, pixel size vs magnification, wavelengths). */
export interface MetadataConsistencyCheck {
  readonly id: string;
  readonly status: "ok" | "implausible" | "unknown";
  readonly message: string;
  readonly fix?: string;
}

/** Options of {@link assessMetadataCompleteness}. */
export interface MetadataCompletenessOptions {
  /** Tier the data must meet for a "pass". @default 1 */
  readonly targetTier?: MetadataTier;
  /**
   * Camera pixel size, µm (from the camera data sheet), to check pixel size × magnification.
   * @default the camera pixel size of the metadata's detector (Micro-Meta App hardware file) when exactly one is known; else the check is skipped
   */
  readonly cameraPixelUm?: number;
  /** Extra magnification between objective and camera (tube lens / relay), e.g. 1.0 or 1.6. @default 1 */
  readonly intermediateMagnification?: number;
  /** Relative mismatch of object pixel size vs camera pixel / magnification that fails (criterion `pixel-size-consistency`; warn above 0.05). @default 0.1 */
  readonly pixelSizeTolerance?: number;
  /** Percent of target-tier items present below which the verdict is "fail" (criterion `tier-completeness`; "warn" until 100 %). @default 50 */
  readonly failBelowPercent?: number;
  /**
   * Item ids the user declares documented outside the image (e.g. "mounting-medium" in the Methods, "coverslip" in the
   * lab notebook); a missing one counts as present, with the value "documented elsewhere (declared)". Recorded in the options. @default []
   */
  readonly documentedElsewhere?: readonly string[];
}

/**
 * Ids of all items {@link assessMetadataCompleteness} checks, e.g. for `documentedElsewhere` / `--documented`.
 * @returns The 43 item ids in report order ("experimenter", "acquisition-date", …, "intensity-calibration").
 * @example metadataItemIds().includes("mounting-medium"); // true
 */
export function metadataItemIds(): string[] {
  return FIELDS.map((f) => f.id);
}

/** One acceptance criterion of protocols/metadata/protocol.json applied with `judge()`. */
export interface MetadataCriterionCheck {
  /** Criterion id in protocol.json ("tier-completeness", "pixel-size-consistency", "metadata-consistency"). */
  readonly criterion: string;
  /** The value judged (percent, relative mismatch or count); null when it could not be computed. */
  readonly value: number | null;
  readonly unit: string;
  /** The limits applied, e.g. "fail < 50, warn < 100". */
  readonly limit: string;
  /** The verdict level, or "not-evaluated" when the value is unknown (the check then does not count). */
  readonly level: VerdictLevel | "not-evaluated";
  readonly reason: string;
}

/** Result of {@link assessMetadataCompleteness}. */
export interface MetadataCompletenessReport {
  readonly fields: readonly MetadataFieldCheck[];
  readonly consistency: readonly MetadataConsistencyCheck[];
  /** Percent of the target tier's items (that tier and below) present, %. */
  readonly targetPercent: number;
  /** Relative mismatch of pixel size vs camera pixel / magnification (1); null when unknown. */
  readonly pixelSizeMismatch: number | null;
  /** Number of implausible consistency checks other than the pixel-size one (it has its own criterion). */
  readonly inconsistentCount: number;
  /** The acceptance criteria applied; the verdict is the worst evaluated level. */
  readonly checks: readonly MetadataCriterionCheck[];
  /** Per tier: items checked (applicable), present, and percent present (items of that tier only). */
  readonly tiers: readonly { readonly tier: MetadataTier; readonly applicable: number; readonly present: number; readonly percent: number }[];
  /** Highest tier whose items (and all lower tiers') are all present; 0 when Tier 1 is incomplete. */
  readonly tierMet: 0 | MetadataTier;
  readonly verdict: Verdict;
  /** Resolved options; `cameraPixelUm` is the camera pixel size used (null: none), `cameraPixelFrom` where it came from. */
  readonly options: Required<Omit<MetadataCompletenessOptions, "cameraPixelUm">> & { cameraPixelUm: number | null; cameraPixelFrom: "option" | "metadata" | null };
}

/** Visible-light range used for plausibility of fluorescence wavelengths (incl. UV and 2-photon IR), nm. */
const MIN_WAVELENGTH_NM = 250;
const MAX_WAVELENGTH_NM = 1400;
/** Physically possible objective magnifications. */
const MIN_MAGNIFICATION = 1;
const MAX_MAGNIFICATION = 250;
/** Object pixel sizes outside this range are implausible for light microscopy, µm. */
const MIN_PIXEL_UM = 0.005;
const MAX_PIXEL_UM = 100;
/** Multiphoton excitation is above emission; below this excitation/emission ratio assume 1-photon. */
const MULTIPHOTON_RATIO = 1.3;

type Getter = (m: AcquisitionMetadata) => string | undefined | null;

interface FieldSpec {
  readonly id: string;
  readonly label: string;
  readonly tier: MetadataTier;
  readonly omePath: string;
  /** Value as text, undefined when missing, null when not applicable to this image. */
  readonly get: Getter;
  readonly fix: string;
}

const s = (v: unknown): string | undefined => (v === undefined || v === null || v === "" ? undefined : String(v));
const allChannels = (m: AcquisitionMetadata, f: (c: AcquisitionMetadata["channels"][number]) => unknown): string | undefined => {
  if (m.channels.length === 0) return undefined;
  const vals = m.channels.map(f);
  return vals.every((v) => v !== undefined && v !== null && v !== "") ? vals.map(String).join(", ") : undefined;
};
const isFluorescence = (m: AcquisitionMetadata): boolean =>
  !m.channels.some((c) => c.contrastMethod !== undefined && c.contrastMethod !== "Fluorescence") || m.channels.length === 0;

const OME_HINT = "Export with Bio-Formats (bfconvert / Fiji 'Bio-Formats Exporter') from the vendor file, or record it in Micro-Meta App (hardware / settings JSON) or OMERO.mde and give that file as a sidecar.";
const NOT_IN_OME = "The OME 2016-06 core has no element for it: record it in the NBO-Q extension (Micro-Meta App), as a MapAnnotation, or in the Methods.";

/**
 * The items checked, by tier, after the NBO-Q v02-10 tier spreadsheet (Hammer et al. 2021). Only items limiqc can
 * reach through OME-XML / ImageJ / TIFF are read from the data; items the OME core cannot hold are listed as missing
 * with a fix that says where they belong.
 */
const FIELDS: readonly FieldSpec[] = [
  // Tier 1 — minimum information
  { id: "experimenter", label: "Experimenter", tier: 1, omePath: "Experimenter", get: (m) => s(m.experimenter?.name ?? m.experimenter?.email), fix: `Add the person who acquired the data. ${OME_HINT}` },
  { id: "acquisition-date", label: "Acquisition date", tier: 1, omePath: "Image/AcquisitionDate", get: (m) => s(m.acquisitionDate), fix: `Keep the acquisition date when exporting (vendor formats store it). ${OME_HINT}` },
  { id: "sample-description", label: "Sample / experiment description", tier: 1, omePath: "Image/Description", get: (m) => s(m.imageDescription), fix: "Describe the sample (organism/cell line, labelling) in Image/Description or the Methods." },
  { id: "mounting-medium", label: "Mounting medium", tier: 1, omePath: "NBO-Q Sample/MountingMedium", get: () => undefined, fix: NOT_IN_OME },
  { id: "microscope-manufacturer", label: "Microscope manufacturer", tier: 1, omePath: "Instrument/Microscope@Manufacturer", get: (m) => s(m.microscope?.manufacturer), fix: `Add the stand's manufacturer. ${OME_HINT}` },
  { id: "microscope-model", label: "Microscope model", tier: 1, omePath: "Instrument/Microscope@Model", get: (m) => s(m.microscope?.model), fix: `Add the stand's model. ${OME_HINT}` },
  { id: "microscope-type", label: "Microscope type (upright/inverted)", tier: 1, omePath: "Instrument/Microscope@Type", get: (m) => s(m.microscope?.type), fix: `Add Upright/Inverted. ${OME_HINT}` },
  { id: "light-source", label: "Light source (type and wavelength)", tier: 1, omePath: "Instrument/LightSource", get: (m) => (m.lightSources.length ? m.lightSources.map((l) => `${l.kind}${l.wavelengthNm ? ` ${l.wavelengthNm} nm` : ""}`).join(", ") : undefined), fix: `List the light sources (laser lines, LED, lamp). ${OME_HINT}` },
  { id: "objective-manufacturer", label: "Objective manufacturer", tier: 1, omePath: "Objective@Manufacturer", get: (m) => s(m.objective?.manufacturer), fix: `Add the objective's maker. ${OME_HINT}` },
  { id: "objective-magnification", label: "Objective magnification", tier: 1, omePath: "Objective@NominalMagnification", get: (m) => s(m.objective?.nominalMagnification), fix: `Add the nominal magnification (engraved on the objective). ${OME_HINT}` },
  { id: "objective-na", label: "Objective NA", tier: 1, omePath: "Objective@LensNA", get: (m) => s(m.objective?.lensNA), fix: `Add the numerical aperture (engraved on the objective). ${OME_HINT}` },
  { id: "objective-correction", label: "Objective correction", tier: 1, omePath: "Objective@Correction", get: (m) => s(m.objective?.correction), fix: `Add the correction class (PlanApo, PlanFluor, ...). ${OME_HINT}` },
  { id: "immersion", label: "Immersion medium", tier: 1, omePath: "Objective@Immersion", get: (m) => s(m.objective?.immersion), fix: `Add the immersion (Oil, Water, Glycerol, Air). ${OME_HINT}` },
  { id: "immersion-index", label: "Immersion refractive index", tier: 1, omePath: "ObjectiveSettings@RefractiveIndex", get: (m) => s(m.objective?.refractiveIndex), fix: `Add the refractive index of the immersion medium (e.g. 1.518 for oil). ${OME_HINT}` },
  { id: "filters", label: "Filters / dichroics", tier: 1, omePath: "Instrument/Filter", get: (m) => (m.filters.length ? m.filters.map((f) => f.model ?? (f.cutInNm && f.cutOutNm ? `${f.cutInNm}–${f.cutOutNm} nm` : f.type ?? "filter")).join(", ") : isFluorescence(m) ? undefined : null), fix: `List the filter sets (excitation, dichroic, emission ranges). ${OME_HINT}` },
  { id: "detector", label: "Detector (make and type)", tier: 1, omePath: "Instrument/Detector", get: (m) => (m.detectors.length && m.detectors.every((d) => d.type || d.manufacturer) ? m.detectors.map((d) => [d.manufacturer, d.type].filter(Boolean).join(" ")).join(", ") : undefined), fix: `Add the detector's manufacturer and type (sCMOS, EMCCD, PMT, HyD ...). ${OME_HINT}` },
  { id: "channel-name", label: "Channel names", tier: 1, omePath: "Channel@Name", get: (m) => allChannels(m, (c) => c.name), fix: "Name every channel (e.g. DAPI, GFP); ImageJ: Image › Properties, or the vendor software." },
  { id: "channel-color", label: "Channel display colours", tier: 1, omePath: "Channel@Color", get: (m) => allChannels(m, (c) => c.color), fix: `Store a display colour per channel. ${OME_HINT}` },
  { id: "contrast-method", label: "Contrast method", tier: 1, omePath: "Channel@ContrastMethod", get: (m) => allChannels(m, (c) => c.contrastMethod), fix: `Add the contrast method per channel (Fluorescence, Brightfield, DIC ...). ${OME_HINT}` },
  { id: "acquisition-mode", label: "Acquisition mode", tier: 1, omePath: "Channel@AcquisitionMode", get: (m) => allChannels(m, (c) => c.acquisitionMode), fix: `Add the acquisition mode per channel (WideField, LaserScanningConfocalMicroscopy, SpinningDiskConfocal ...). ${OME_HINT}` },
  { id: "illumination-type", label: "Illumination type", tier: 1, omePath: "Channel@IlluminationType", get: (m) => allChannels(m, (c) => c.illuminationType), fix: `Add the illumination type per channel (Epifluorescence, Transmitted ...). ${OME_HINT}` },
  { id: "fluorophore", label: "Fluorophore", tier: 1, omePath: "Channel@Fluor", get: (m) => (isFluorescence(m) ? allChannels(m, (c) => c.fluor) : null), fix: `Add the fluorophore per channel. ${OME_HINT}` },
  { id: "excitation", label: "Excitation wavelengths", tier: 1, omePath: "Channel@ExcitationWavelength", get: (m) => (isFluorescence(m) ? allChannels(m, (c) => c.excitationWavelengthNm) : null), fix: `Add the excitation wavelength per channel, nm. ${OME_HINT}` },
  { id: "emission", label: "Emission wavelengths", tier: 1, omePath: "Channel@EmissionWavelength", get: (m) => (isFluorescence(m) ? allChannels(m, (c) => c.emissionWavelengthNm) : null), fix: `Add the emission wavelength per channel, nm. ${OME_HINT}` },
  { id: "exposure", label: "Exposure time / pixel dwell", tier: 1, omePath: "Plane@ExposureTime", get: (m) => allChannels(m, (c) => (c.exposureTimeS === undefined ? undefined : `${c.exposureTimeS} s`)), fix: `Store the exposure time (camera) or pixel dwell time (scanner) per channel. ${OME_HINT}` },
  { id: "dimensions", label: "Dimension order and sizes", tier: 1, omePath: "Pixels@DimensionOrder, Size*", get: (m) => (m.sizes ? `${m.dimensionOrder ?? "?"} ${m.sizes.x}×${m.sizes.y}×${m.sizes.z}×${m.sizes.c}×${m.sizes.t}` : undefined), fix: "The image sizes are unknown: give limiqc the image file itself." },
  { id: "pixel-size-xy", label: "Pixel size x/y", tier: 1, omePath: "Pixels@PhysicalSizeX/Y", get: (m) => (m.physicalSizeUm.x !== undefined && m.physicalSizeUm.y !== undefined ? `${m.physicalSizeUm.x} × ${m.physicalSizeUm.y} µm` : undefined), fix: "Set the calibration (Fiji: Image › Properties; or export as OME-TIFF from the vendor file, which keeps it)." },
  { id: "pixel-size-z", label: "z-step", tier: 1, omePath: "Pixels@PhysicalSizeZ", get: (m) => (m.sizes && m.sizes.z <= 1 ? null : s(m.physicalSizeUm.z === undefined ? undefined : `${m.physicalSizeUm.z} µm`)), fix: "Set the z-step (Fiji: Image › Properties › Voxel depth; or export as OME-TIFF)." },
  { id: "environment-temperature", label: "Temperature", tier: 1, omePath: "ImagingEnvironment@Temperature", get: (m) => s(m.environment?.temperatureC === undefined ? undefined : `${m.environment.temperatureC} °C`), fix: `Record the sample temperature (also for fixed samples: room temperature). ${OME_HINT}` },
  // Tier 2 — advanced quantification
  { id: "time-increment", label: "Time increment", tier: 2, omePath: "Pixels@TimeIncrement", get: (m) => (m.sizes && m.sizes.t <= 1 ? null : s(m.timeIncrementS)), fix: "Store the frame interval (Fiji: Image › Properties › Frame interval)." },
  { id: "significant-bits", label: "Detector bit depth", tier: 2, omePath: "Pixels@SignificantBits", get: (m) => s(m.significantBits), fix: `Store the detector's bit depth (e.g. 12 of 16). ${OME_HINT}` },
  { id: "environment-co2", label: "CO₂", tier: 2, omePath: "ImagingEnvironment@CO2Percent", get: (m) => s(m.environment?.co2Percent), fix: `Record CO₂ for live imaging (write 0 % or 'not controlled' for fixed samples). ${OME_HINT}` },
  { id: "environment-humidity", label: "Humidity", tier: 2, omePath: "ImagingEnvironment@Humidity", get: (m) => s(m.environment?.humidityPercent), fix: `Record humidity for live imaging. ${OME_HINT}` },
  { id: "coverslip", label: "Coverslip thickness", tier: 2, omePath: "NBO-Q Sample/CoverGlass", get: () => undefined, fix: NOT_IN_OME },
  { id: "working-distance", label: "Objective working distance", tier: 2, omePath: "Objective@WorkingDistance", get: (m) => s(m.objective?.workingDistanceUm), fix: `Add the working distance from the objective data sheet. ${OME_HINT}` },
  { id: "light-attenuation", label: "Illumination intensity (attenuation)", tier: 2, omePath: "LightSourceSettings@Attenuation", get: (m) => allChannels(m, (c) => c.lightAttenuation), fix: `Store the light-source setting per channel (laser %, LED %). ${OME_HINT}` },
  { id: "detector-settings", label: "Detector gain per channel", tier: 2, omePath: "DetectorSettings@Gain", get: (m) => allChannels(m, (c) => c.detectorGain), fix: `Store the detector gain/offset per channel. ${OME_HINT}` },
  { id: "optical-calibration", label: "Optical calibration record (PSF, within a month)", tier: 2, omePath: "NBO-Q OpticalCalibration", get: () => undefined, fix: "Attach the latest limiqc PSF record (`limiqc psf … --json`) with exportQcOmeXml; NBO-Q requires it monthly at Tier 2." },
  // Tier 3 — full documentation
  { id: "objective-model", label: "Objective model / catalogue number", tier: 3, omePath: "Objective@Model", get: (m) => s(m.objective?.model), fix: `Add the objective's model. ${OME_HINT}` },
  { id: "detector-model", label: "Detector model", tier: 3, omePath: "Detector@Model", get: (m) => (m.detectors.length && m.detectors.every((d) => d.model) ? m.detectors.map((d) => d.model).join(", ") : undefined), fix: `Add the detector's model. ${OME_HINT}` },
  { id: "light-source-model", label: "Light source model and power", tier: 3, omePath: "LightSource@Model, @Power", get: (m) => (m.lightSources.length && m.lightSources.every((l) => l.model && l.powerMw !== undefined) ? m.lightSources.map((l) => `${l.model} ${l.powerMw} mW`).join(", ") : undefined), fix: `Add the light sources' model and nominal power. ${OME_HINT}` },
  { id: "filter-models", label: "Filter models", tier: 3, omePath: "Filter@Model", get: (m) => (m.filters.length && m.filters.every((f) => f.model) ? m.filters.map((f) => f.model).join(", ") : isFluorescence(m) ? undefined : null), fix: `Add the filters' models. ${OME_HINT}` },
  { id: "intensity-calibration", label: "Intensity calibration record", tier: 3, omePath: "NBO-Q IntensityCalibration", get: () => undefined, fix: "Attach the latest limiqc illumination-power / detector record with exportQcOmeXml (NBO-Q: monthly–quarterly at Tier 3)." },
];

/**
 * The consistency checks: physics that the metadata must obey.
 * Each returns "unknown" when a needed item is missing (the completeness list already asks for it).
 */
function consistencyChecks(
  m: AcquisitionMetadata,
  o: { cameraPixelUm: number | null; cameraPixelFrom: "option" | "metadata" | null; intermediateMagnification: number; pixelSizeTolerance: number },
): { checks: MetadataConsistencyCheck[]; pixelSizeMismatch: number | null } {
  const out: MetadataConsistencyCheck[] = [];
  let pixelSizeMismatch: number | null = null;
  const obj = m.objective;
  // NA vs immersion index: NA = n·sin α must stay below both the recorded RI and the named medium's index.
  let nominal: number | undefined;
  if (obj?.immersion) {
    try {
      nominal = parseImmersion(obj.immersion).refractiveIndex;
    } catch {
      nominal = undefined;
    }
  }
  const indices = [obj?.refractiveIndex, nominal].filter((x): x is number => x !== undefined);
  if (obj?.lensNA !== undefined && indices.length > 0) {
    const n = Math.min(...indices);
    out.push(
      obj.lensNA > 0 && obj.lensNA < n
        ? { id: "na-vs-immersion", status: "ok", message: `NA ${obj.lensNA} < immersion index ${n}.` }
        : {
            id: "na-vs-immersion",
            status: "implausible",
            message: `NA ${obj.lensNA} is not between 0 and the immersion index ${n}${obj.immersion ? ` (${obj.immersion})` : ""}: NA = n·sin α cannot reach n.`,
            fix: "Check the objective engraving: the immersion or the NA in the metadata is wrong (e.g. a 1.4 oil objective recorded as Water or Air).",
          },
    );
  } else out.push({ id: "na-vs-immersion", status: "unknown", message: "NA or immersion index missing: cannot check NA < n." });
  if (obj?.refractiveIndex !== undefined && obj.immersion) {
    try {
      const nominal = parseImmersion(obj.immersion).refractiveIndex;
      if (Math.abs(nominal - obj.refractiveIndex) > 0.05) {
        out.push({
          id: "immersion-index",
          status: "implausible",
          message: `Refractive index ${obj.refractiveIndex} does not match the immersion "${obj.immersion}" (nominal ${nominal}).`,
          fix: "Correct either the immersion or ObjectiveSettings@RefractiveIndex.",
        });
      } else out.push({ id: "immersion-index", status: "ok", message: `Refractive index ${obj.refractiveIndex} matches ${obj.immersion} (${nominal}).` });
    } catch {
      /* "Multi"/"Other": nothing to compare */
    }
  }
  const mag = obj?.nominalMagnification;
  if (mag !== undefined && (mag < MIN_MAGNIFICATION || mag > MAX_MAGNIFICATION)) {
    out.push({ id: "magnification-range", status: "implausible", message: `Nominal magnification ${mag}× is outside ${MIN_MAGNIFICATION}–${MAX_MAGNIFICATION}×.`, fix: "Correct Objective@NominalMagnification." });
  }
  const px = m.physicalSizeUm.x;
  for (const [axis, v] of [["x", m.physicalSizeUm.x], ["y", m.physicalSizeUm.y], ["z", m.physicalSizeUm.z]] as const) {
    if (v !== undefined && (v < MIN_PIXEL_UM || v > MAX_PIXEL_UM)) {
      out.push({ id: `pixel-size-${axis}-range`, status: "implausible", message: `Pixel size ${axis} = ${v} µm is outside ${MIN_PIXEL_UM}–${MAX_PIXEL_UM} µm (a unit error?).`, fix: "Check the calibration unit (nm vs µm vs inch) and re-set it." });
    }
  }
  if (px !== undefined && m.physicalSizeUm.y !== undefined && Math.abs(px - m.physicalSizeUm.y) > 0.01 * px) {
    out.push({ id: "square-pixels", status: "implausible", message: `Pixels are not square (x ${px} µm, y ${m.physicalSizeUm.y} µm); cameras and most scanners have square pixels.`, fix: "Check the calibration; set the same x and y pixel size unless the scan really was anisotropic." });
  }
  // Pixel size vs magnification × camera pixel
  if (px !== undefined && mag !== undefined && o.cameraPixelUm !== null) {
    const expected = o.cameraPixelUm / (mag * o.intermediateMagnification);
    const rel = Math.abs(px - expected) / expected;
    pixelSizeMismatch = rel;
    const cam = `camera pixel ${o.cameraPixelUm} µm${o.cameraPixelFrom === "metadata" ? " (from the detector in the metadata)" : ""}`;
    out.push(
      rel <= o.pixelSizeTolerance
        ? { id: "pixel-size-vs-magnification", status: "ok", message: `Pixel size ${px} µm is within ${(rel * 100).toFixed(1)} % of ${cam} / (${mag}× · ${o.intermediateMagnification}) = ${expected.toPrecision(4)} µm.` }
        : {
            id: "pixel-size-vs-magnification",
            status: "implausible",
            message: `Pixel size ${px} µm differs by ${(rel * 100).toFixed(0)} % from ${cam} / (${mag}× · ${o.intermediateMagnification}) = ${expected.toPrecision(4)} µm (binning ${(px / expected).toFixed(2)}?).`,
            fix: "Check binning, the intermediate magnification (tube-lens/relay optics) and the objective recorded; measure the pixel size with a stage micrometer.",
          },
    );
  } else out.push({ id: "pixel-size-vs-magnification", status: "unknown", message: "Pixel size, magnification or camera pixel size (option cameraPixelUm, or a camera with PixelWidth in a Micro-Meta App hardware file) unknown: cannot check pixel size × magnification." });
  // Wavelengths
  m.channels.forEach((c, i) => {
    const label = `Channel ${i}${c.name ? ` (${c.name})` : ""}`;
    for (const [kind, v] of [["excitation", c.excitationWavelengthNm], ["emission", c.emissionWavelengthNm]] as const) {
      if (v !== undefined && (v < MIN_WAVELENGTH_NM || v > MAX_WAVELENGTH_NM)) {
        out.push({ id: `wavelength-range-${i}-${kind}`, status: "implausible", message: `${label} ${kind} ${v} nm is outside ${MIN_WAVELENGTH_NM}–${MAX_WAVELENGTH_NM} nm (unit error?).`, fix: "Check the wavelength unit (nm) and value." });
      }
    }
    const ex = c.excitationWavelengthNm;
    const em = c.emissionWavelengthNm;
    if (ex !== undefined && em !== undefined && em <= ex && ex / em < MULTIPHOTON_RATIO) {
      out.push({
        id: `stokes-${i}`,
        status: "implausible",
        message: `${label}: emission ${em} nm ≤ excitation ${ex} nm; one-photon fluorescence emits at longer wavelengths (Stokes shift).`,
        fix: "Excitation and emission are probably swapped, or one is wrong; correct the channel metadata.",
      });
    }
  });
  // Image vs sidecar: disagreements and choices limiqc did not make.
  const byField = new Map<string, NonNullable<AcquisitionMetadata["conflicts"]>[number][]>();
  for (const c of m.conflicts ?? []) byField.set(c.field, [...(byField.get(c.field) ?? []), c]);
  for (const [field, cs] of byField) {
    out.push({
      id: `sidecar-${field}`,
      status: "implausible",
      message: `${field}: the image says ${cs[0].image}; ${cs.map((c) => `${c.source} says ${c.sidecar}`).join("; ")}.`,
      fix: "Find out which is right (objective engraving, instrument logbook, acquisition software) and correct the image metadata (re-export) or the sidecar; limiqc keeps the image's value.",
    });
  }
  for (const u of m.unresolved ?? []) {
    out.push({
      id: `sidecar-${u.field}-choice`,
      status: "unknown",
      message: `${u.reason} Candidates: ${u.candidates.join("; ")}.`,
      fix: "Record which one was used: a Micro-Meta App Settings file (ObjectiveSettings), ObjectiveSettings in the OME-XML, or the objective in the image metadata.",
    });
  }
  return { checks: out, pixelSizeMismatch };
}

/** Value of an item the user declared documented outside the image. */
const DOCUMENTED_ELSEWHERE = "documented elsewhere (declared)";

/** Completeness item a consistency check makes implausible, if any. */
function itemForCheck(id: string): string | undefined {
  const SIDECAR_ITEMS: Readonly<Record<string, string>> = {
    "objective.lensNA": "objective-na",
    "objective.nominalMagnification": "objective-magnification",
    "objective.immersion": "immersion",
    "objective.refractiveIndex": "immersion-index",
    "objective.manufacturer": "objective-manufacturer",
    "objective.model": "objective-model",
    "objective.correction": "objective-correction",
    "objective.workingDistanceUm": "working-distance",
    objective: "objective-na",
    "microscope.manufacturer": "microscope-manufacturer",
    "microscope.model": "microscope-model",
    "microscope.type": "microscope-type",
    "physicalSizeUm.x": "pixel-size-xy",
    "physicalSizeUm.y": "pixel-size-xy",
    "physicalSizeUm.z": "pixel-size-z",
    "environment.temperatureC": "environment-temperature",
    "environment.co2Percent": "environment-co2",
    "environment.humidityPercent": "environment-humidity",
  };
  if (id.startsWith("sidecar-")) {
    const field = id.slice("sidecar-".length);
    if (SIDECAR_ITEMS[field]) return SIDECAR_ITEMS[field];
    if (/excitationWavelengthNm$/.test(field)) return "excitation";
    if (/emissionWavelengthNm$/.test(field)) return "emission";
    if (/\.fluor$/.test(field)) return "fluorophore";
    return undefined;
  }
  if (id.startsWith("na-vs")) return "objective-na";
  if (id === "immersion-index") return "immersion-index";
  if (id.startsWith("pixel-size-z")) return "pixel-size-z";
  if (id.startsWith("pixel-size") || id === "square-pixels") return "pixel-size-xy";
  if (id.startsWith("magnification")) return "objective-magnification";
  if (id.includes("excitation") || id.startsWith("stokes")) return "excitation";
  if (id.includes("emission")) return "emission";
  return undefined;
}

/** The single camera pixel size the metadata's detectors give, µm, or null (none, or several different). */
function cameraPixelFromMetadata(m: AcquisitionMetadata): number | null {
  const sizes = [...new Set(m.detectors.map((d) => d.pixelSizeUm).filter((x): x is number => x !== undefined && Number.isFinite(x) && x > 0))];
  return sizes.length === 1 ? sizes[0] : null;
}

const limitText = (c: { direction: "max" | "min"; fail: number; warn?: number }, fail: number): string => {
  const cmp = c.direction === "min" ? "<" : ">";
  return `fail ${cmp} ${fail}${c.warn !== undefined ? `, warn ${cmp} ${c.warn}` : ""}`;
};

/**
 * Checks acquisition metadata against the NBO-Q tiers: which items are present, missing or implausible, with a fix
 * each, and judges the result against the protocol's acceptance criteria.
 * @param metadata - The acquisition-metadata model (see `acquisitionMetadataFrom`, `readAcquisitionMetadata`).
 * @param options - Target tier, camera pixel size for the magnification check, limits.
 * @returns Per-item status, consistency checks (physics, and image vs sidecar), per-tier completeness, the judged
 *   criteria (`checks`) and the verdict (worst evaluated check, with its reason).
 * @throws InvalidArgumentError for a target tier other than 1–3, a non-positive camera pixel / magnification /
 *   tolerance, or a `failBelowPercent` outside (0, 100].
 * Notes: three criteria of protocols/metadata/protocol.json are applied with `judge()` (src/metadata/criteria.ts):
 * `tier-completeness` (percent of the target tier's items, that tier and below, present: fail < 50 %, warn < 100 %),
 * `pixel-size-consistency` (relative mismatch of the pixel size vs camera pixel / magnification: fail > 0.1,
 * warn > 0.05; not evaluated when a value is unknown) and `metadata-consistency` (count of implausible items —
 * NA ≥ n, wrong refractive index, wavelengths, non-square pixels, image/sidecar conflicts — fail > 0).
 * Items the OME 2016-06 core cannot store (mounting medium, coverslip, calibration records) count as missing unless
 * the user declares them `documentedElsewhere`: no image file can prove them; the fix says where they belong. Limits
 * are limiqc defaults: NBO-Q publishes tiers, not scores.
 * @see Hammer M. et al., Nat Methods 18:1427–1440 (2021), doi:10.1038/s41592-021-01327-9 (NBO-Q tiers); WU-BIMAC/NBOMicroscopyMetadataSpecs v02-10 tier spreadsheet.
 * @example
 * assessMetadataCompleteness(metadataFromOmeXml(xml)).tierMet; // 0 when a Tier-1 item is missing
 */
export function assessMetadataCompleteness(metadata: AcquisitionMetadata, options: MetadataCompletenessOptions = {}): MetadataCompletenessReport {
  const userCamera = options.cameraPixelUm ?? null;
  const metaCamera = cameraPixelFromMetadata(metadata);
  const o = {
    targetTier: options.targetTier ?? 1,
    cameraPixelUm: userCamera ?? metaCamera,
    cameraPixelFrom: userCamera !== null ? ("option" as const) : metaCamera !== null ? ("metadata" as const) : null,
    intermediateMagnification: options.intermediateMagnification ?? 1,
    pixelSizeTolerance: options.pixelSizeTolerance ?? PIXEL_SIZE_CONSISTENCY_CRITERION.fail,
    failBelowPercent: options.failBelowPercent ?? METADATA_COMPLETENESS_CRITERION.fail,
    documentedElsewhere: [...(options.documentedElsewhere ?? [])],
  };
  const unknownIds = o.documentedElsewhere.filter((id) => !FIELDS.some((f) => f.id === id));
  if (unknownIds.length > 0) {
    throw new InvalidArgumentError(`documentedElsewhere names unknown item(s): ${unknownIds.join(", ")}.`, `Known item ids: ${FIELDS.map((f) => f.id).join(", ")}.`);
  }
  if (![1, 2, 3].includes(o.targetTier)) throw new InvalidArgumentError(`targetTier is ${o.targetTier}; expected 1, 2 or 3.`, "Tier 1 = minimum, 2 = advanced quantification, 3 = full documentation.");
  for (const [name, v] of [["cameraPixelUm", userCamera], ["intermediateMagnification", o.intermediateMagnification], ["pixelSizeTolerance", o.pixelSizeTolerance]] as const) {
    if (v !== null && !(Number.isFinite(v) && v > 0)) throw new InvalidArgumentError(`${name} is ${v}; expected a positive number.`, "E.g. cameraPixelUm: 6.5 for a typical sCMOS, intermediateMagnification: 1.");
  }
  if (!(Number.isFinite(o.failBelowPercent) && o.failBelowPercent > 0 && o.failBelowPercent <= 100)) {
    throw new InvalidArgumentError(`failBelowPercent is ${o.failBelowPercent}; expected a percentage in (0, 100].`, "E.g. 50 (the default): fewer than half the items present fails.");
  }
  const { checks: consistency, pixelSizeMismatch } = consistencyChecks(metadata, o);
  const implausibleIds = new Map<string, string>();
  for (const c of consistency) {
    if (c.status !== "implausible") continue;
    const field = itemForCheck(c.id);
    if (field && !implausibleIds.has(field)) implausibleIds.set(field, `${c.message} ${c.fix ?? ""}`.trim());
  }
  const fields: MetadataFieldCheck[] = FIELDS.map((f) => {
    const v = f.get(metadata);
    const base = { id: f.id, label: f.label, tier: f.tier, omePath: f.omePath };
    if (v === null) return { ...base, status: "not-applicable" };
    if (v === undefined && o.documentedElsewhere.includes(f.id)) return { ...base, status: "present", value: DOCUMENTED_ELSEWHERE };
    if (v === undefined) return { ...base, status: "missing", fix: f.fix };
    const bad = implausibleIds.get(f.id);
    return bad ? { ...base, status: "implausible", value: v, fix: bad } : { ...base, status: "present", value: v };
  });
  const tiers = ([1, 2, 3] as const).map((tier) => {
    const app = fields.filter((f) => f.tier === tier && f.status !== "not-applicable");
    const present = app.filter((f) => f.status === "present").length;
    return { tier, applicable: app.length, present, percent: app.length ? (100 * present) / app.length : 100 };
  });
  let tierMet: 0 | MetadataTier = 0;
  for (const t of tiers) {
    if (t.present === t.applicable) tierMet = t.tier;
    else break;
  }
  const target = fields.filter((f) => f.tier <= o.targetTier && f.status !== "not-applicable");
  const present = target.filter((f) => f.status === "present").length;
  const targetPercent = target.length ? (100 * present) / target.length : 100;
  const implausible = consistency.filter((c) => c.status === "implausible" && c.id !== "pixel-size-vs-magnification");
  const inconsistentCount = implausible.length;

  // Acceptance criteria (protocols/metadata/protocol.json) applied with judge().
  const checks: MetadataCriterionCheck[] = [];
  const cC = { ...METADATA_COMPLETENESS_CRITERION, description: `Tier-≤${o.targetTier} metadata items present (${present} of ${target.length})` };
  const jC = judge(cC, targetPercent, { fail: o.failBelowPercent });
  const missing = target.filter((f) => f.status !== "present").map((f) => f.label);
  checks.push({
    criterion: cC.id,
    value: targetPercent,
    unit: cC.unit,
    limit: limitText(cC, o.failBelowPercent),
    level: jC.level,
    reason: jC.level === "pass" ? jC.reason : `${jC.reason} Missing or implausible: ${missing.slice(0, 6).join(", ")}${missing.length > 6 ? " …" : "."}`,
  });
  const cP = PIXEL_SIZE_CONSISTENCY_CRITERION;
  if (pixelSizeMismatch === null) {
    checks.push({ criterion: cP.id, value: null, unit: cP.unit, limit: limitText(cP, o.pixelSizeTolerance), level: "not-evaluated", reason: consistency.find((c) => c.id === "pixel-size-vs-magnification")?.message ?? "Not evaluated." });
  } else {
    const jP = judge(cP, pixelSizeMismatch, { fail: o.pixelSizeTolerance });
    checks.push({ criterion: cP.id, value: pixelSizeMismatch, unit: cP.unit, limit: limitText(cP, o.pixelSizeTolerance), level: jP.level, reason: jP.reason });
  }
  const cI = METADATA_CONSISTENCY_CRITERION;
  const jI = judge(cI, inconsistentCount);
  checks.push({ criterion: cI.id, value: inconsistentCount, unit: cI.unit, limit: limitText(cI, cI.fail), level: jI.level, reason: jI.level === "pass" ? jI.reason : `${jI.reason} First: ${implausible[0].message}` });

  const judged = checks.filter((c): c is MetadataCriterionCheck & { level: VerdictLevel } => c.level !== "not-evaluated");
  let worst = judged[0];
  for (const c of judged) if (VERDICT_RANK[c.level] > VERDICT_RANK[worst.level]) worst = c;
  const others = judged.filter((c) => c !== worst && c.level !== "pass").length;
  const verdict: Verdict =
    worst.level === "pass"
      ? { level: "pass", reason: `All ${judged.length} evaluated criteria pass: ${judged.map((c) => c.criterion).join(", ")}.` }
      : { level: worst.level, reason: `${worst.reason}${others > 0 ? ` (${others} more ${others > 1 ? "criteria" : "criterion"} not passing)` : ""}` };
  return { fields, consistency, targetPercent, pixelSizeMismatch, inconsistentCount, checks, tiers, tierMet, verdict, options: o };
}
