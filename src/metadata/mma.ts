/**
 * Micro-Meta App (MMA) JSON files as sidecars: the hardware file (Instrument.json: microscope stand and components —
 * objectives, light sources, detectors, filters) and the image-acquisition settings file (Image.json: channels,
 * objective settings, imaging environment), mapped into the acquisition-metadata model.
 * @module
 */
import { CorruptFileError, UnsupportedFormatError } from "../core/errors.js";
import { lengthToUm } from "../io/metadata.js";
import type { AcquisitionMetadata, ChannelMeta, DetectorMeta, EnvironmentMeta, FilterMeta, LightSourceMeta, ObjectiveMeta, SidecarModel } from "./model.js";

/** Major versions of the Micro-Meta App data model (`ModelVersion`) whose field names limiqc reads. */
export const MMA_SUPPORTED_MODEL_MAJORS: readonly number[] = [1, 2];

const NM_PER_UM = 1000;
const MW_PER_UNIT: Readonly<Record<string, number>> = { W: 1000, mW: 1, "µW": 1e-3, "μW": 1e-3, uW: 1e-3, nW: 1e-6 };
const KELVIN_OFFSET = 273.15;
const FAHRENHEIT_OFFSET = 32;
const FAHRENHEIT_PER_KELVIN = 1.8;
const PERCENT_PER_FRACTION = 100;
/** MMA's default unit of Objective `WorkingDistance` (its schema default; OME's is µm). */
const MMA_WORKING_DISTANCE_DEFAULT_UNIT = "mm";

type Json = Record<string, unknown>;

/** Value of the first of `names` present in `o`, matching keys case-insensitively (older MMA files wrote `schema_id`). */
function get(o: unknown, ...names: string[]): unknown {
  if (!o || typeof o !== "object" || Array.isArray(o)) return undefined;
  const rec = o as Json;
  for (const n of names) {
    if (rec[n] !== undefined && rec[n] !== null && rec[n] !== "") return rec[n];
  }
  const lower = new Map(Object.keys(rec).map((k) => [k.toLowerCase(), k]));
  for (const n of names) {
    const k = lower.get(n.toLowerCase());
    if (k !== undefined && rec[k] !== undefined && rec[k] !== null && rec[k] !== "") return rec[k];
  }
  return undefined;
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v.trim() || undefined : typeof v === "number" && Number.isFinite(v) ? String(v) : undefined);
const obj = (v: unknown): Json | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : Array.isArray(v) && v[0] && typeof v[0] === "object" ? (v[0] as Json) : undefined);
const arr = (v: unknown): Json[] => (Array.isArray(v) ? v.filter((x): x is Json => !!x && typeof x === "object" && !Array.isArray(x)) : obj(v) ? [obj(v) as Json] : []);

function clean<T extends object>(o: T): T | undefined {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return Object.keys(o).length > 0 ? o : undefined;
}

/** Reader state for one file: its name (for notes) and the notes collected. */
interface Reader {
  readonly file: string;
  readonly notes: string[];
}

/** A number from an MMA field (MMA stores most numbers as strings); a note and undefined when it is not one. */
function num(r: Reader, o: Json, what: string, ...names: string[]): number | undefined {
  const v = get(o, ...names);
  if (v === undefined) return undefined;
  const n = typeof v === "number" ? v : typeof v === "string" ? Number(v.trim()) : Number.NaN;
  if (Number.isFinite(n)) return n;
  r.notes.push(`${r.file}: ${what} ${names[0]} is ${JSON.stringify(v)}, not a number; ignored.`);
  return undefined;
}

/** A wavelength (or other length) in nm from a value field and its unit field (MMA default nm). */
function nm(r: Reader, o: Json, what: string, field: string, unitField: string = `${field}Unit`): number | undefined {
  const v = num(r, o, what, field);
  if (v === undefined) return undefined;
  const um = lengthToUm(v, str(get(o, unitField)) ?? "nm", `${r.file}: ${what} ${field}`, r.notes);
  return um === undefined ? undefined : Math.round(um * NM_PER_UM * 1e6) / 1e6;
}

/** A component's label for notes: its Name, else its Schema_ID. */
const label = (c: Json): string => str(get(c, "Name")) ?? str(get(c, "Schema_ID")) ?? "component";

/** The last part of a Schema_ID without ".json", e.g. "Fluorescence_LightSource_Laser.json" → "Laser". */
function schemaKind(c: Json): string {
  const id = str(get(c, "Schema_ID")) ?? "";
  return id.replace(/\.json$/i, "").split("_").pop() ?? "";
}

const LIGHT_SOURCE_KIND: Readonly<Record<string, string>> = {
  Laser: "Laser",
  MultiLaserEngine: "Laser",
  LightEmittingDiode: "LightEmittingDiode",
  Arc: "Arc",
  Filament: "Filament",
  GenericExcitationSource: "GenericExcitationSource",
};
const DETECTOR_TYPE: Readonly<Record<string, string | null>> = {
  CMOS: "CMOS",
  CCD: "CCD",
  EMCCD: "EMCCD",
  IntensifiedCCD: "IntensifiedCCD",
  IntensifiedCamera: "IntensifiedCCD",
  AnalogVideo: "AnalogVideo",
  PhotoMultiplier: "PMT",
  PMT: "PMT",
  HybridPhotoDetector: "HybridPhotoDetector",
  APD: "APD",
  Photodiode: "Photodiode",
  GenericDetector: null,
};
const FILTER_KINDS = new Set(["ExcitationFilter", "EmissionFilter", "Dichroic", "StandardDichroic", "GenericDichroic", "AdditionalDichroic", "GenericFilter", "AdditionalFilter", "FilterSet", "FilterCube"]);
const DICHROIC_KINDS = new Set(["Dichroic", "StandardDichroic", "GenericDichroic", "AdditionalDichroic"]);

function objectiveFrom(r: Reader, c: Json): ObjectiveMeta {
  const what = `objective "${label(c)}"`;
  const wd = num(r, c, what, "WorkingDistance");
  const wdUnit = str(get(c, "WorkingDistanceUnit")) ?? MMA_WORKING_DISTANCE_DEFAULT_UNIT;
  return (
    clean<ObjectiveMeta>({
      id: str(get(c, "ID")),
      manufacturer: str(get(c, "Manufacturer")),
      model: str(get(c, "Model")) ?? str(get(c, "CatalogNumber")),
      nominalMagnification: num(r, c, what, "NominalMagnification", "Magnification"),
      lensNA: num(r, c, what, "LensNA"),
      immersion: str(get(c, "NominalImmersionMedium", "Immersion", "ImmersionType", "ImmersionMedium")),
      correction: str(get(c, "Correction")),
      workingDistanceUm: wd === undefined ? undefined : lengthToUm(wd, wdUnit, `${r.file}: ${what} WorkingDistance`, r.notes),
    }) ?? {}
  );
}

function lightSourceFrom(r: Reader, c: Json, kind: string): LightSourceMeta {
  const what = `light source "${label(c)}"`;
  const power = num(r, c, what, "NominalPower", "Power");
  const powerUnit = str(get(c, "NominalPowerUnit", "PowerUnit")) ?? "mW";
  if (power !== undefined && MW_PER_UNIT[powerUnit] === undefined) r.notes.push(`${r.file}: ${what} power unit "${powerUnit}" is not one limiqc converts (W, mW, µW, nW); power ignored.`);
  return {
    kind,
    ...clean({
      id: str(get(c, "ID")),
      manufacturer: str(get(c, "Manufacturer")),
      model: str(get(c, "Model")),
      wavelengthNm: nm(r, c, what, "Wavelength") ?? nm(r, c, what, "PeakWavelength", "PeakWavelengthUnit"),
      powerMw: power !== undefined && MW_PER_UNIT[powerUnit] !== undefined ? power * MW_PER_UNIT[powerUnit] : undefined,
    }),
  };
}

function detectorFrom(r: Reader, c: Json, kind: string): DetectorMeta {
  const what = `detector "${label(c)}"`;
  const declared = str(get(c, "Type"));
  let type = DETECTOR_TYPE[kind] ?? undefined;
  if (kind === "CCD" && declared === "EMCCD") type = "EMCCD";
  if (type === undefined && declared) type = declared;
  const px = num(r, c, what, "PixelWidth", "PixelSize");
  return (
    clean<DetectorMeta>({
      id: str(get(c, "ID")),
      manufacturer: str(get(c, "Manufacturer")),
      model: str(get(c, "Model")),
      type,
      pixelSizeUm: px === undefined ? undefined : lengthToUm(px, str(get(c, "PixelWidthUnit")) ?? "µm", `${r.file}: ${what} PixelWidth`, r.notes),
    }) ?? {}
  );
}

function filterFrom(r: Reader, c: Json, kind: string): FilterMeta {
  const what = `filter "${label(c)}"`;
  const range = obj(get(c, "TransmittanceRange", "WavelengthRange"));
  return (
    clean<FilterMeta>({
      id: str(get(c, "ID")),
      manufacturer: str(get(c, "Manufacturer")),
      model: str(get(c, "Model")) ?? str(get(c, "Name")),
      type: str(get(c, "Type")) ?? (DICHROIC_KINDS.has(kind) ? "Dichroic" : undefined),
      cutInNm: range ? nm(r, range, what, "CutIn") : undefined,
      cutOutNm: range ? nm(r, range, what, "CutOut") : undefined,
    }) ?? {}
  );
}

function environmentFrom(r: Reader, e: Json): EnvironmentMeta | undefined {
  const t = num(r, e, "imaging environment", "Temperature");
  const unit = str(get(e, "TemperatureUnit")) ?? "°C";
  let temperatureC: number | undefined = t;
  if (t !== undefined && unit === "K") temperatureC = t - KELVIN_OFFSET;
  else if (t !== undefined && unit === "°F") temperatureC = (t - FAHRENHEIT_OFFSET) / FAHRENHEIT_PER_KELVIN;
  else if (t !== undefined && unit !== "°C") {
    r.notes.push(`${r.file}: temperature unit "${unit}" is not °C, K or °F; temperature ignored.`);
    temperatureC = undefined;
  }
  const co2 = num(r, e, "imaging environment", "CO2Percent");
  const hum = num(r, e, "imaging environment", "Humidity");
  return clean<EnvironmentMeta>({
    temperatureC,
    co2Percent: co2 === undefined ? undefined : co2 * PERCENT_PER_FRACTION,
    humidityPercent: hum === undefined ? undefined : hum * PERCENT_PER_FRACTION,
  });
}

function channelFrom(r: Reader, c: Json, i: number): ChannelMeta {
  const what = `channel ${i}`;
  const fl = get(c, "Fluorophore", "Fluor");
  const lss = obj(get(c, "LightSourceSettings"));
  const ds = obj(get(c, "DetectorSettings", "DetectorSettingsGroup"));
  const pin = num(r, c, what, "PinholeSize");
  return (
    clean<ChannelMeta>({
      name: str(get(c, "Name")),
      fluor: str(fl) ?? str(get(fl, "Name")),
      excitationWavelengthNm: nm(r, c, what, "ExcitationWavelength") ?? (lss ? nm(r, lss, `${what} light source`, "Wavelength") : undefined),
      emissionWavelengthNm: nm(r, c, what, "EmissionWavelength"),
      acquisitionMode: str(get(c, "AcquisitionMode")),
      illuminationType: str(get(c, "IlluminationType")),
      contrastMethod: str(get(c, "ContrastMethod")),
      pinholeSizeUm: pin === undefined ? undefined : lengthToUm(pin, str(get(c, "PinholeSizeUnit")) ?? "µm", `${r.file}: ${what} PinholeSize`, r.notes),
      lightSourceId: lss ? str(get(lss, "ID")) : undefined,
      lightAttenuation: lss ? num(r, lss, `${what} light source`, "Attenuation") : undefined,
      detectorId: ds ? str(get(ds, "ID")) : undefined,
      detectorGain: ds ? num(r, ds, `${what} detector`, "Gain") : undefined,
    }) ?? {}
  );
}

const emptyModel = (notes: string[]): AcquisitionMetadata => ({ source: "micro-meta-app", physicalSizeUm: {}, lightSources: [], detectors: [], filters: [], channels: [], notes });

function readHardware(r: Reader, root: Json): { metadata: AcquisitionMetadata; objectives: ObjectiveMeta[] } {
  const stand = obj(get(root, "MicroscopeStand"));
  const standKind = stand ? (str(get(stand, "Schema_ID")) ?? "") : "";
  // Older files (schema "Microscope.json") keep the stand's fields at the top level, with an OME-like Type.
  const standFields = stand ?? root;
  const type = /^Inverted/i.test(standKind) ? "Inverted" : /^Upright/i.test(standKind) ? "Upright" : stand ? undefined : str(get(root, "Type"));
  const microscope = clean({ type, manufacturer: str(get(standFields, "Manufacturer")), model: str(get(standFields, "Model")) });
  const objectives: ObjectiveMeta[] = [];
  const lightSources: LightSourceMeta[] = [];
  const detectors: DetectorMeta[] = [];
  const filters: FilterMeta[] = [];
  const skipped = new Map<string, number>();
  for (const c of arr(get(root, "components"))) {
    const kind = schemaKind(c);
    if (kind === "Objective") objectives.push(objectiveFrom(r, c));
    else if (LIGHT_SOURCE_KIND[kind] !== undefined) lightSources.push(lightSourceFrom(r, c, LIGHT_SOURCE_KIND[kind]));
    else if (kind in DETECTOR_TYPE) detectors.push(detectorFrom(r, c, kind));
    else if (FILTER_KINDS.has(kind)) filters.push(filterFrom(r, c, kind));
    else skipped.set(kind || "(no Schema_ID)", (skipped.get(kind || "(no Schema_ID)") ?? 0) + 1);
  }
  if (skipped.size > 0) r.notes.push(`${r.file}: components not mapped to the OME model (kept in the file only): ${[...skipped].map(([k, n]) => `${k}×${n}`).join(", ")}.`);
  const metadata: AcquisitionMetadata = { ...emptyModel([]), lightSources, detectors, filters };
  return { metadata: microscope ? { ...metadata, microscope } : metadata, objectives };
}

function readSettings(r: Reader, root: Json): { metadata: AcquisitionMetadata; selectedObjectiveId?: string } {
  const os = obj(get(root, "ObjectiveSettings"));
  const date = str(get(root, "AcquisitionDate"));
  if (date !== undefined && !Number.isFinite(Date.parse(date))) r.notes.push(`${r.file}: AcquisitionDate "${date}" is not an ISO 8601 date; not used.`);
  const env = obj(get(root, "ImagingEnvironment"));
  const objective = os ? clean<ObjectiveMeta>({ refractiveIndex: num(r, os, "objective settings", "ImmersionRefractiveIndex", "RefractiveIndex"), immersion: str(get(os, "ImmersionMedium", "Medium")) }) : undefined;
  const metadata: AcquisitionMetadata = {
    ...emptyModel([]),
    ...clean({
      imageDescription: str(get(root, "Description")),
      acquisitionDate: date !== undefined && Number.isFinite(Date.parse(date)) ? date : undefined,
      objective,
      environment: env ? environmentFrom(r, env) : undefined,
    }),
    channels: arr(get(root, "Channels")).map((c, i) => channelFrom(r, c, i)),
  };
  const instrument = str(get(root, "InstrumentName")) ?? str(get(root, "InstrumentID"));
  if (instrument) r.notes.push(`${r.file}: settings recorded on instrument "${instrument}"; give its hardware file too so the objective, light sources and detectors can be resolved.`);
  const id = os ? str(get(os, "ID")) : undefined;
  return id === undefined ? { metadata } : { metadata, selectedObjectiveId: id };
}

/**
 * Parses a Micro-Meta App JSON file (hardware "Instrument" file or image-acquisition "Settings" file) into a sidecar
 * model for {@link mergeSidecars}.
 * @param text - The JSON text.
 * @param fileName - File name, for notes and provenance. @default "Micro-Meta App file"
 * @returns The sidecar: microscope, light sources, detectors (camera pixel size, µm), filters and the list of all
 *   objectives (hardware file); channels, objective settings (refractive index, selected objective ID) and imaging
 *   environment (settings file). Numbers stored as text are parsed; units are converted (nm, µm, mW, °C, %).
 * @throws CorruptFileError when the text is not valid JSON.
 * @throws UnsupportedFormatError when it is JSON but not a Micro-Meta App hardware or settings file.
 * Notes: an unknown `ModelVersion` (major not in {@link MMA_SUPPORTED_MODEL_MAJORS}) or a missing one is read
 * best-effort with a note: field names may have changed. Components that have no OME counterpart (stages, lenses,
 * mirrors, ...) are counted in a note. A hardware file lists every objective of the microscope; which one was used
 * comes from a settings file (`ObjectiveSettings.ID`) or from the image — see `mergeSidecars`.
 * Field names follow the MMA JSON schemas (e.g. Objective: `NominalMagnification`, `LensNA`, `NominalImmersionMedium`,
 * `Correction`, `WorkingDistance` in mm by default; Laser: `Wavelength`, `NominalPower`; camera: `PixelWidth`).
 * @see Rigano A. et al., "Micro-Meta App: an interactive tool for collecting microscopy metadata based on community
 *   specifications", Nat Methods 18:1489 (2021), doi:10.1038/s41592-021-01315-z; github.com/WU-BIMAC/MicroMetaApp.js.
 * @example parseMicroMetaAppJson(readFileSync("scope.json", "utf8"), "scope.json").objectives.length; // 3
 */
export function parseMicroMetaAppJson(text: string, fileName = "Micro-Meta App file"): SidecarModel {
  let root: unknown;
  try {
    root = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new CorruptFileError(`${fileName} is not valid JSON (${(e as Error).message}).`, "Check that Micro-Meta App saved the file completely (open it in a JSON validator to find the error), then export it again.");
  }
  const r: Reader = { file: fileName, notes: [] };
  const rec = obj(root);
  const schema = rec && !Array.isArray(root) ? (str(get(rec, "Schema_ID")) ?? "") : "";
  const isHardware = !!rec && !Array.isArray(root) && (/^(Instrument|Microscope)\.json$/i.test(schema) || obj(get(rec, "MicroscopeStand")) !== undefined || Array.isArray(get(rec, "components")));
  const isSettings = !!rec && !Array.isArray(root) && (/^Image\.json$/i.test(schema) || Array.isArray(get(rec, "Channels")) || obj(get(rec, "ObjectiveSettings")) !== undefined);
  if (!rec || Array.isArray(root) || (!isHardware && !isSettings)) {
    throw new UnsupportedFormatError(
      `${fileName} is JSON but not a Micro-Meta App file: expected "Schema_ID" "Instrument.json" (hardware, with "MicroscopeStand" and "components") or "Image.json" (settings, with "Channels"/"ObjectiveSettings")${schema ? `; found "Schema_ID": "${schema}"` : ""}.`,
      "Export the microscope (Manage Instrument) or the image acquisition settings from Micro-Meta App, or give an OME-XML sidecar instead.",
    );
  }
  const version = str(get(rec, "ModelVersion", "version", "Version"));
  const major = version === undefined ? undefined : Number(/^v?(\d+)/i.exec(version)?.[1]);
  if (version === undefined) r.notes.push(`${fileName}: no ModelVersion recorded; read with the Micro-Meta App ${MMA_SUPPORTED_MODEL_MAJORS.join(".x/")}.x field names.`);
  else if (major === undefined || !Number.isFinite(major) || !MMA_SUPPORTED_MODEL_MAJORS.includes(major)) {
    r.notes.push(`${fileName}: Micro-Meta App ModelVersion "${version}" is not one limiqc knows (${MMA_SUPPORTED_MODEL_MAJORS.join(".x, ")}.x); read best-effort — field names may have changed, so check the values taken from it.`);
  }
  const kind = isHardware ? "hardware" : "settings";
  const description = `Micro-Meta App ${kind} file (${schema || (isHardware ? "Instrument.json" : "Image.json")}${version ? `, ModelVersion ${version}` : ""})`;
  if (isHardware) {
    const { metadata, objectives } = readHardware(r, rec);
    return { name: fileName, format: "micro-meta-app", description, metadata: { ...metadata, notes: [] }, objectives, notes: r.notes };
  }
  const { metadata, selectedObjectiveId } = readSettings(r, rec);
  return { name: fileName, format: "micro-meta-app", description, metadata: { ...metadata, notes: [] }, objectives: [], ...(selectedObjectiveId ? { selectedObjectiveId } : {}), notes: r.notes };
}
