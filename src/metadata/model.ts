/**
 * One typed model of the acquisition metadata limiqc can reach: the image reader's ImageMetadata (OME-XML, ImageJ,
 * bare TIFF) plus the OME-XML elements the reader does not keep (experimenter, light sources, detectors, filters,
 * channel acquisition settings, exposure times, imaging environment), optionally completed by a sidecar OME-XML file.
 * @module
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { ImageMetadata, MetadataSource, MicroscopeInfo, ObjectiveInfo, PhysicalSizeUm, PixelType } from "../io/metadata.js";
import { lengthToUm, sPerTimeUnit } from "../io/metadata.js";
import { isOmeXml, parseOmeXml } from "../io/ome-xml.js";
import { mergeSidecars } from "./merge.js";

/** Largest OME-XML text limiqc parses for the extended model, characters (a larger one is reported, not parsed). */
export const MAX_METADATA_XML_CHARS = 16 * 1024 * 1024;

const NM_PER_UM = 1000;

/** A light source of the instrument (OME LightSource subtypes). Wavelength in nm, power in mW. */
export interface LightSourceMeta {
  readonly id?: string;
  /** OME element: "Laser", "LightEmittingDiode", "Arc", "Filament", "GenericExcitationSource". */
  readonly kind: string;
  readonly manufacturer?: string;
  readonly model?: string;
  /** Laser wavelength, nm (lasers only in OME 2016-06). */
  readonly wavelengthNm?: number;
  /** Nominal power, mW. */
  readonly powerMw?: number;
}

/** A detector of the instrument (OME Detector). */
export interface DetectorMeta {
  readonly id?: string;
  readonly manufacturer?: string;
  readonly model?: string;
  /** OME detector type: "CCD", "EMCCD", "CMOS", "PMT", "APD", "HybridPhotoDetector", ... */
  readonly type?: string;
  /** Physical pixel width of a camera chip, µm (Micro-Meta App camera `PixelWidth`; OME has no such field). */
  readonly pixelSizeUm?: number;
}

/** A filter of the instrument (OME Filter + TransmittanceRange), wavelengths in nm. */
export interface FilterMeta {
  readonly id?: string;
  readonly manufacturer?: string;
  readonly model?: string;
  readonly type?: string;
  readonly cutInNm?: number;
  readonly cutOutNm?: number;
}

/** Per-channel acquisition metadata. Wavelengths in nm, exposure in s, pinhole in µm. */
export interface ChannelMeta {
  readonly name?: string;
  readonly excitationWavelengthNm?: number;
  readonly emissionWavelengthNm?: number;
  /** Display colour, CSS hex. */
  readonly color?: string;
  /** Fluorophore (OME Channel@Fluor). */
  readonly fluor?: string;
  /** OME AcquisitionMode: "WideField", "LaserScanningConfocalMicroscopy", "SpinningDiskConfocal", ... */
  readonly acquisitionMode?: string;
  /** OME IlluminationType: "Transmitted", "Epifluorescence", "Oblique", "NonLinear", "Other". */
  readonly illuminationType?: string;
  /** OME ContrastMethod: "Fluorescence", "Brightfield", "Phase", "DIC", ... */
  readonly contrastMethod?: string;
  /** Exposure time of the channel's first plane, s (OME Plane@ExposureTime). */
  readonly exposureTimeS?: number;
  readonly pinholeSizeUm?: number;
  /** Detector used (DetectorSettings@ID) and its gain (detector units). */
  readonly detectorId?: string;
  readonly detectorGain?: number;
  /** Light source used (LightSourceSettings@ID) and its attenuation (0–1, OME PercentFraction). */
  readonly lightSourceId?: string;
  readonly lightAttenuation?: number;
}

/** OME ImagingEnvironment. */
export interface EnvironmentMeta {
  readonly temperatureC?: number;
  readonly co2Percent?: number;
  readonly humidityPercent?: number;
}

/** Who acquired the image (OME Experimenter). */
export interface ExperimenterMeta {
  readonly name?: string;
  readonly email?: string;
  readonly institution?: string;
}

/** Objective facts, with the OME correction (e.g. "PlanApo") that ImageMetadata does not keep. */
export interface ObjectiveMeta extends ObjectiveInfo {
  /** Identifier inside its source file (OME `Objective@ID`, Micro-Meta App component `ID`). */
  readonly id?: string;
  readonly correction?: string;
}

/** Where the acquisition metadata came from ("ome-xml" / "micro-meta-app": a sidecar file only, no image metadata). */
export type AcquisitionMetadataSource = MetadataSource | "ome-xml" | "micro-meta-app" | "none";

/** A field the image lacked and a sidecar supplied (provenance of the value). */
export interface SidecarFieldSource {
  /** Dotted path in the model, e.g. "objective.lensNA", "channels[1].fluor", "lightSources". */
  readonly field: string;
  /** File name of the sidecar. */
  readonly source: string;
}

/** A field both the image and a sidecar hold, with different values. The image's value is kept. */
export interface MetadataConflict {
  /** Dotted path in the model, e.g. "objective.lensNA", "microscope.manufacturer", "objective". */
  readonly field: string;
  /** Value kept: the image metadata's (or, when the image lacks it, an earlier sidecar's), as text. */
  readonly image: string;
  /** Value in the sidecar (text). */
  readonly sidecar: string;
  /** File name of the sidecar. */
  readonly source: string;
}

/** A choice limiqc refuses to guess, e.g. which of several objectives of a hardware file was used. */
export interface UnresolvedChoice {
  readonly field: string;
  /** The candidates, described for a person (e.g. "ACME PA63 63×/1.4 Oil"). */
  readonly candidates: readonly string[];
  readonly source: string;
  /** Why it could not be decided. */
  readonly reason: string;
}

/**
 * A sidecar file as a model: what it says about the acquisition, plus (for instrument descriptions) the list of
 * all objectives it names. Built by {@link omeXmlSidecar} or `parseMicroMetaAppJson`; merged by `mergeSidecars`.
 */
export interface SidecarModel {
  /** File name, for the record. */
  readonly name: string;
  readonly format: "ome-xml" | "micro-meta-app";
  /** One line: what the file is, e.g. "Micro-Meta App hardware file (Instrument.json, ModelVersion 2.01.0)". */
  readonly description: string;
  /** What the file says about this acquisition; undefined when it was unusable (the notes say why). */
  readonly metadata?: AcquisitionMetadata;
  /** Every objective an instrument description lists (a microscope has several; which was used is a separate fact). */
  readonly objectives: readonly ObjectiveMeta[];
  /** ID of the objective the file says was used (Micro-Meta App Settings `ObjectiveSettings.ID`). */
  readonly selectedObjectiveId?: string;
  /** Oddities met while reading, as complete sentences naming the file. */
  readonly notes: readonly string[];
}

/**
 * Everything limiqc knows about how an image was acquired. Plain data (JSON-serialisable).
 * Lengths µm, wavelengths nm, times s, temperature °C.
 */
export interface AcquisitionMetadata {
  readonly source: AcquisitionMetadataSource;
  /** Name(s) of the sidecar file(s) that completed the file's own metadata, comma-separated. */
  readonly sidecar?: string;
  /** Fields a sidecar supplied (the image lacked them). */
  readonly fromSidecar?: readonly SidecarFieldSource[];
  /** Fields where a sidecar disagrees with the image (the image's value is kept). */
  readonly conflicts?: readonly MetadataConflict[];
  /** Choices limiqc did not make because the data do not decide them. */
  readonly unresolved?: readonly UnresolvedChoice[];
  readonly imageName?: string;
  readonly imageDescription?: string;
  readonly acquisitionDate?: string;
  readonly sizes?: { readonly x: number; readonly y: number; readonly z: number; readonly c: number; readonly t: number };
  readonly dimensionOrder?: string;
  readonly pixelType?: PixelType;
  readonly bitsPerSample?: number;
  readonly significantBits?: number;
  readonly physicalSizeUm: PhysicalSizeUm;
  readonly timeIncrementS?: number;
  readonly experimenter?: ExperimenterMeta;
  readonly microscope?: MicroscopeInfo;
  readonly objective?: ObjectiveMeta;
  readonly lightSources: readonly LightSourceMeta[];
  readonly detectors: readonly DetectorMeta[];
  readonly filters: readonly FilterMeta[];
  readonly environment?: EnvironmentMeta;
  readonly channels: readonly ChannelMeta[];
  /** Oddities met while reading (unparseable XML, oversized description, ...). */
  readonly notes: readonly string[];
}

type XmlNode = Record<string, unknown>;
const ARRAY_ELEMENTS = new Set(["Image", "Channel", "Instrument", "Objective", "Plane", "Microscope", "Detector", "Filter", "Laser", "LightEmittingDiode", "Arc", "Filament", "GenericExcitationSource", "Experimenter"]);
const LIGHT_SOURCE_KINDS = ["Laser", "LightEmittingDiode", "Arc", "Filament", "GenericExcitationSource"] as const;

/** The OME-XML extras (everything the io reader drops), read from the first Image. */
interface OmeExtras {
  experimenter?: ExperimenterMeta;
  objectiveCorrection?: string;
  lightSources: LightSourceMeta[];
  detectors: DetectorMeta[];
  filters: FilterMeta[];
  environment?: EnvironmentMeta;
  channels: Partial<ChannelMeta>[];
  imageDescription?: string;
}

function attr(node: XmlNode | undefined, name: string): string | undefined {
  const v = node?.[`@_${name}`];
  return v === undefined || v === null || v === "" ? undefined : String(v);
}

function num(node: XmlNode | undefined, name: string): number | undefined {
  const raw = attr(node, name);
  if (raw === undefined) return undefined;
  const v = Number(raw);
  return Number.isFinite(v) ? v : undefined;
}

function wavelengthNm(node: XmlNode | undefined, name: string, notes: string[]): number | undefined {
  const v = num(node, name);
  if (v === undefined) return undefined;
  const um = lengthToUm(v, attr(node, `${name}Unit`) ?? "nm", name, notes);
  return um === undefined ? undefined : Math.round(um * NM_PER_UM * 1e6) / 1e6;
}

function clean<T extends object>(o: T): T | undefined {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return Object.keys(o).length > 0 ? o : undefined;
}

function textOf(v: unknown): string | undefined {
  if (typeof v === "string") return v.trim() || undefined;
  if (v && typeof v === "object" && "#text" in (v as XmlNode)) return String((v as XmlNode)["#text"]).trim() || undefined;
  return undefined;
}

/** Reads the OME-XML elements ImageMetadata does not keep. Throws plain Error on malformed XML (caller notes it). */
function parseOmeExtras(xml: string, notes: string[]): OmeExtras {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@_",
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    isArray: (name) => ARRAY_ELEMENTS.has(name),
  });
  const ome = (parser.parse(xml) as XmlNode).OME as XmlNode | undefined;
  if (!ome) throw new Error("no OME root element");
  const image = ((ome.Image as XmlNode[] | undefined) ?? [])[0];
  const instruments = (ome.Instrument as XmlNode[] | undefined) ?? [];
  const instRef = attr(image?.InstrumentRef as XmlNode | undefined, "ID");
  const inst = instruments.find((i) => attr(i, "ID") === instRef) ?? instruments[0];

  const exps = (ome.Experimenter as XmlNode[] | undefined) ?? [];
  const expRef = attr(image?.ExperimenterRef as XmlNode | undefined, "ID");
  const e = exps.find((x) => attr(x, "ID") === expRef) ?? exps[0];
  const fullName = [attr(e, "FirstName"), attr(e, "MiddleName"), attr(e, "LastName")].filter(Boolean).join(" ") || attr(e, "UserName");
  const experimenter = e ? clean<ExperimenterMeta>({ name: fullName, email: attr(e, "Email"), institution: attr(e, "Institution") }) : undefined;

  const objSettings = attr(image?.ObjectiveSettings as XmlNode | undefined, "ID");
  const objectives = (inst?.Objective as XmlNode[] | undefined) ?? [];
  const obj = objectives.find((o) => attr(o, "ID") === objSettings) ?? (objectives.length === 1 ? objectives[0] : undefined);

  const lightSources: LightSourceMeta[] = [];
  for (const kind of LIGHT_SOURCE_KINDS) {
    for (const ls of (inst?.[kind] as XmlNode[] | undefined) ?? []) {
      const power = num(ls, "Power");
      const powerUnit = attr(ls, "PowerUnit") ?? "mW";
      const mwPer: Record<string, number> = { W: 1000, mW: 1, "µW": 1e-3, uW: 1e-3, nW: 1e-6 };
      lightSources.push({
        kind,
        ...clean({
          id: attr(ls, "ID"),
          manufacturer: attr(ls, "Manufacturer"),
          model: attr(ls, "Model"),
          wavelengthNm: wavelengthNm(ls, "Wavelength", notes),
          powerMw: power !== undefined && mwPer[powerUnit] !== undefined ? power * mwPer[powerUnit] : undefined,
        }),
      });
    }
  }
  const detectors: DetectorMeta[] = ((inst?.Detector as XmlNode[] | undefined) ?? []).map(
    (d) => clean<DetectorMeta>({ id: attr(d, "ID"), manufacturer: attr(d, "Manufacturer"), model: attr(d, "Model"), type: attr(d, "Type") }) ?? {},
  );
  const filters: FilterMeta[] = ((inst?.Filter as XmlNode[] | undefined) ?? []).map((f) => {
    const tr = f.TransmittanceRange as XmlNode | undefined;
    return (
      clean<FilterMeta>({
        id: attr(f, "ID"),
        manufacturer: attr(f, "Manufacturer"),
        model: attr(f, "Model"),
        type: attr(f, "Type"),
        cutInNm: wavelengthNm(tr, "CutIn", notes),
        cutOutNm: wavelengthNm(tr, "CutOut", notes),
      }) ?? {}
    );
  });
  const env = image?.ImagingEnvironment as XmlNode | undefined;
  let environment: EnvironmentMeta | undefined;
  if (env) {
    const tUnit = attr(env, "TemperatureUnit") ?? "°C";
    let temperatureC = num(env, "Temperature");
    if (temperatureC !== undefined && tUnit === "K") temperatureC -= 273.15;
    const co2 = num(env, "CO2Percent");
    const hum = num(env, "Humidity");
    environment = clean<EnvironmentMeta>({
      temperatureC,
      co2Percent: co2 === undefined ? undefined : co2 * 100,
      humidityPercent: hum === undefined ? undefined : hum * 100,
    });
  }
  const pixels = image?.Pixels as XmlNode | undefined;
  const planes = (pixels?.Plane as XmlNode[] | undefined) ?? [];
  const channels = ((pixels?.Channel as XmlNode[] | undefined) ?? []).map((ch, c): Partial<ChannelMeta> => {
    const plane = planes.find((p) => Number(attr(p, "TheC") ?? 0) === c && attr(p, "ExposureTime") !== undefined);
    let exposureTimeS: number | undefined;
    if (plane) {
      const f = sPerTimeUnit(attr(plane, "ExposureTimeUnit") ?? "s");
      const v = num(plane, "ExposureTime");
      if (f !== undefined && v !== undefined) exposureTimeS = v * f;
    }
    const ds = ch.DetectorSettings as XmlNode | undefined;
    const lss = ch.LightSourceSettings as XmlNode | undefined;
    const pin = num(ch, "PinholeSize");
    return (
      clean<Partial<ChannelMeta>>({
        fluor: attr(ch, "Fluor"),
        acquisitionMode: attr(ch, "AcquisitionMode"),
        illuminationType: attr(ch, "IlluminationType"),
        contrastMethod: attr(ch, "ContrastMethod"),
        exposureTimeS,
        pinholeSizeUm: pin === undefined ? undefined : lengthToUm(pin, attr(ch, "PinholeSizeUnit") ?? "µm", `Channel ${c} PinholeSize`, notes),
        detectorId: attr(ds, "ID"),
        detectorGain: num(ds, "Gain"),
        lightSourceId: attr(lss, "ID"),
        lightAttenuation: num(lss, "Attenuation"),
      }) ?? {}
    );
  });
  return {
    experimenter,
    objectiveCorrection: attr(obj, "Correction"),
    lightSources,
    detectors,
    filters,
    environment,
    channels,
    imageDescription: textOf(image?.Description),
  };
}

/** Options of {@link acquisitionMetadataFrom}. */
export interface AcquisitionMetadataOptions {
  /** OME-XML text of a sidecar file (e.g. `image.companion.ome` or an exported `.ome.xml`); fills what the file lacks. @default none */
  readonly sidecarXml?: string;
  /** Name of the sidecar, for the record. @default "sidecar" */
  readonly sidecarName?: string;
  /** Sidecars already parsed (OME-XML via {@link omeXmlSidecar}, Micro-Meta App via `parseMicroMetaAppJson`), merged in order after `sidecarXml`. @default none */
  readonly sidecars?: readonly SidecarModel[];
}

/**
 * Builds the acquisition-metadata model from the image reader's metadata (and its raw OME-XML description).
 * @param metadata - ImageMetadata from `openImageFile(...).metadata`; undefined when there is no image (sidecar only).
 * @param options - Optional sidecar OME-XML text and/or parsed sidecars.
 * @returns The model; never throws on bad metadata: malformed, oversized or non-OME XML becomes a note.
 * Notes: the image's own values win over the sidecar's; sidecar fields fill gaps only (listed in `fromSidecar`), and
 * a field both hold with different values is listed in `conflicts` (see `mergeSidecars`). OME-XML longer than
 * {@link MAX_METADATA_XML_CHARS} is not parsed for the extended fields (a note says so); the io reader's core
 * fields (sizes, calibration, channels, objective) are still used.
 * @see OME Data Model 2016-06, https://www.openmicroscopy.org/Schemas/Documentation/Generated/OME-2016-06/ome.html
 * @example
 * acquisitionMetadataFrom(undefined, { sidecarXml: "<OME/>" }).notes[0]; // "Sidecar: … no Image element …"
 */
export function acquisitionMetadataFrom(metadata: ImageMetadata | undefined, options: AcquisitionMetadataOptions = {}): AcquisitionMetadata {
  const notes: string[] = metadata ? metadata.notes.map((n) => `Reader: ${n}`) : [];
  let extras: OmeExtras | undefined;
  if (metadata?.source === "ome" && metadata.description) extras = safeExtras(metadata.description, "File", notes);
  else if (metadata?.description && isOmeXml(metadata.description) && metadata.source !== "ome") {
    notes.push("The file's ImageDescription looks like OME-XML but the reader could not use it; only TIFF/ImageJ metadata are available.");
  }
  if (metadata?.description && metadata.description.length > MAX_METADATA_XML_CHARS && metadata.source !== "ome") {
    notes.push(`The ImageDescription is ${metadata.description.length} characters long (limit ${MAX_METADATA_XML_CHARS}); it was not searched for metadata.`);
  }
  let base: AcquisitionMetadata = metadata
    ? {
        source: metadata.source,
        imageName: metadata.imageName,
        imageDescription: extras?.imageDescription,
        acquisitionDate: metadata.acquisitionDate,
        sizes: { x: metadata.sizeX, y: metadata.sizeY, z: metadata.sizeZ, c: metadata.sizeC, t: metadata.sizeT },
        dimensionOrder: metadata.dimensionOrder,
        pixelType: metadata.pixelType,
        bitsPerSample: metadata.bitsPerSample,
        significantBits: metadata.significantBits,
        physicalSizeUm: { ...metadata.physicalSizeUm },
        timeIncrementS: metadata.timeIncrementS,
        experimenter: extras?.experimenter,
        microscope: metadata.microscope,
        objective: metadata.objective || extras?.objectiveCorrection ? clean({ ...metadata.objective, correction: extras?.objectiveCorrection }) : undefined,
        lightSources: extras?.lightSources ?? [],
        detectors: extras?.detectors ?? [],
        filters: extras?.filters ?? [],
        environment: extras?.environment,
        channels: metadata.channels.map((ch, c) => ({ ...ch, ...(extras?.channels[c] ?? {}) })),
        notes,
      }
    : { source: "none", physicalSizeUm: {}, lightSources: [], detectors: [], filters: [], channels: [], notes };
  const sidecars: SidecarModel[] = [];
  if (options.sidecarXml !== undefined) sidecars.push(omeXmlSidecar(options.sidecarXml, options.sidecarName ?? "sidecar"));
  sidecars.push(...(options.sidecars ?? []));
  if (sidecars.length > 0) base = mergeSidecars(base, sidecars);
  return dropUndefinedTop(base);
}

/**
 * A stand-alone OME-XML document (e.g. `image.companion.ome`) as a sidecar model, ready for `mergeSidecars`.
 * @param xml - OME-XML text.
 * @param name - File name, for the record.
 * @returns The sidecar; malformed, empty or oversized XML gives `metadata: undefined` with a note saying why.
 * @see OME Data Model 2016-06, https://www.openmicroscopy.org/Schemas/Documentation/Generated/OME-2016-06/ome.html
 * @example omeXmlSidecar("<not xml", "x.ome.xml").metadata; // undefined
 */
export function omeXmlSidecar(xml: string, name: string): SidecarModel {
  const notes: string[] = [];
  const metadata = omeXmlToModel(xml, name, notes);
  return { name, format: "ome-xml", description: "OME-XML sidecar", ...(metadata ? { metadata } : {}), objectives: [], notes };
}

function safeExtras(xml: string, who: string, notes: string[]): OmeExtras | undefined {
  if (xml.length > MAX_METADATA_XML_CHARS) {
    notes.push(`${who}: the OME-XML is ${xml.length} characters long (limit ${MAX_METADATA_XML_CHARS}); experimenter, light sources, detectors, filters and exposure times were not read.`);
    return undefined;
  }
  try {
    const v = XMLValidator.validate(xml);
    if (v !== true) throw new Error(`malformed XML at line ${v.err.line}: ${v.err.msg}`);
    return parseOmeExtras(xml, notes);
  } catch (e) {
    notes.push(`${who}: the OME-XML could not be read (${(e as Error).message}).`);
    return undefined;
  }
}

/** A stand-alone OME-XML document (sidecar) as a model, or undefined (with a note) when it is unusable. */
function omeXmlToModel(xml: string, who: string, notes: string[]): AcquisitionMetadata | undefined {
  if (xml.length > MAX_METADATA_XML_CHARS) {
    notes.push(`Sidecar ${who}: ${xml.length} characters (limit ${MAX_METADATA_XML_CHARS}); not read.`);
    return undefined;
  }
  let core: ReturnType<typeof parseOmeXml>;
  try {
    core = parseOmeXml(xml);
  } catch (e) {
    notes.push(`Sidecar ${who}: not usable OME-XML (${(e as Error).message}).`);
    return undefined;
  }
  const extras = safeExtras(xml, `Sidecar ${who}`, notes);
  for (const n of core.notes) notes.push(`Sidecar ${who}: ${n}`);
  return {
    source: "ome-xml",
    imageName: core.imageName,
    imageDescription: extras?.imageDescription,
    acquisitionDate: core.acquisitionDate,
    sizes: { x: core.sizeX, y: core.sizeY, z: core.sizeZ, c: core.sizeC, t: core.sizeT },
    dimensionOrder: core.dimensionOrder,
    pixelType: core.pixelType,
    significantBits: core.significantBits,
    physicalSizeUm: core.physicalSizeUm,
    timeIncrementS: core.timeIncrementS,
    experimenter: extras?.experimenter,
    microscope: core.microscope,
    objective: core.objective || extras?.objectiveCorrection ? clean({ ...core.objective, correction: extras?.objectiveCorrection }) : undefined,
    lightSources: extras?.lightSources ?? [],
    detectors: extras?.detectors ?? [],
    filters: extras?.filters ?? [],
    environment: extras?.environment,
    channels: core.channels.map((ch, c) => ({ ...ch, ...(extras?.channels[c] ?? {}) })),
    notes: [],
  };
}

/**
 * Parses a stand-alone OME-XML document (a sidecar, or a string in a test) into the model.
 * @param xml - OME-XML text.
 * @returns The model; malformed, empty or oversized XML gives `source: "none"` with a note saying why.
 * @example metadataFromOmeXml("<not xml").source; // "none"
 */
export function metadataFromOmeXml(xml: string): AcquisitionMetadata {
  const notes: string[] = [];
  const m = omeXmlToModel(xml, "OME-XML", notes);
  if (!m) return { source: "none", physicalSizeUm: {}, lightSources: [], detectors: [], filters: [], channels: [], notes };
  return dropUndefinedTop({ ...m, notes: [...notes, ...m.notes] });
}

function dropUndefinedTop<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
