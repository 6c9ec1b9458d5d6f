/**
 * OME-XML (the ImageDescription of an OME-TIFF): parse the first Image/Pixels into limiqc's
 * metadata model, and build OME-XML for the OME-TIFF writer.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { LIMIQC_VERSION } from "../core/provenance.js";
import type { ChannelInfo } from "../image/types.js";
import {
  DIMENSION_ORDERS,
  type DimensionOrder,
  type ImageMetadata,
  type MicroscopeInfo,
  type ObjectiveInfo,
  type PhysicalSizeUm,
  type PixelType,
  lengthToUm,
  sPerTimeUnit,
} from "./metadata.js";

/** One OME TiffData element: which planes sit in which IFDs. */
export interface OmeTiffData {
  /** First IFD (page) holding these planes. @default 0 */
  readonly ifd: number;
  readonly firstZ: number;
  readonly firstC: number;
  readonly firstT: number;
  /** Number of consecutive planes; undefined when the attribute was absent. */
  readonly planeCount?: number;
  /** UUID@FileName when the planes live in another file of a multi-file dataset. */
  readonly fileName?: string;
}

/** What the first Image of an OME-XML document says. Lengths in µm, wavelengths in nm, times in s. */
export interface OmeXmlInfo {
  readonly sizeX: number;
  readonly sizeY: number;
  readonly sizeZ: number;
  readonly sizeC: number;
  readonly sizeT: number;
  readonly dimensionOrder: DimensionOrder;
  /** Pixels@Type, when it is one limiqc knows. */
  readonly pixelType?: PixelType;
  readonly significantBits?: number;
  readonly physicalSizeUm: PhysicalSizeUm;
  readonly timeIncrementS?: number;
  readonly channels: readonly ChannelInfo[];
  readonly objective?: ObjectiveInfo;
  readonly microscope?: MicroscopeInfo;
  readonly acquisitionDate?: string;
  readonly imageName?: string;
  readonly tiffData: readonly OmeTiffData[];
  /** Number of Image elements (series) in the document. */
  readonly imageCount: number;
  readonly notes: string[];
}

/** Elements that may repeat and must always parse as arrays. */
const ARRAY_ELEMENTS = new Set(["Image", "Channel", "TiffData", "Instrument", "Objective", "Plane", "Microscope"]);

const PIXEL_TYPES: readonly PixelType[] = ["uint8", "uint16", "uint32", "int8", "int16", "int32", "float32", "float64"];
const DEFAULT_LENGTH_UNIT = "\u00B5m";
const DEFAULT_WAVELENGTH_UNIT = "nm";
const NM_PER_UM = 1000;
const OME_NAMESPACE = "http://www.openmicroscopy.org/Schemas/OME/2016-06";
const OME_IMMERSIONS = ["Oil", "Water", "WaterDipping", "Air", "Multi", "Glycerol", "Other"];
const OME_MICROSCOPE_TYPES = ["Upright", "Inverted", "Dissection", "Electrophysiology", "Other"];

type XmlNode = Record<string, unknown>;

/**
 * Whether an ImageDescription holds OME-XML.
 * @param description - ImageDescription text.
 * @returns true when it contains an `<OME` root element (with or without a namespace prefix).
 */
export function isOmeXml(description: string): boolean {
  return /<([A-Za-z_][\w.-]*:)?OME[\s>/]/.test(description);
}

/**
 * Parses OME-XML and returns what its first Image says.
 * @param xml - The OME-XML document (UTF-8 text).
 * @returns Sizes, dimension order, calibration in µm, channels (wavelengths in nm), objective, instrument and TiffData.
 * @throws Error (plain) when the XML is malformed or has no Image/Pixels; callers turn this into a note or a typed error.
 * Notes: namespace prefixes (`ome:Pixels`) are ignored; lengths are converted from any OME length unit
 * (default µm); a length in an unknown unit is left undefined with a note. Only the first Image is read.
 * @see https://www.openmicroscopy.org/Schemas/Documentation/Generated/OME-2016-06/ome.html
 */
export function parseOmeXml(xml: string): OmeXmlInfo {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`malformed XML at line ${valid.err.line}: ${valid.err.msg}`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@_",
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    isArray: (name) => ARRAY_ELEMENTS.has(name),
  });
  const doc = parser.parse(xml) as XmlNode;
  const ome = doc.OME as XmlNode | undefined;
  if (!ome) throw new Error("no OME root element");
  const images = (ome.Image as XmlNode[] | undefined) ?? [];
  if (images.length === 0) throw new Error("no Image element");
  const image = images[0];
  const pixels = image.Pixels as XmlNode | undefined;
  if (!pixels) throw new Error("the first Image has no Pixels element");
  const notes: string[] = [];
  if (images.length > 1) notes.push(`OME-XML describes ${images.length} images (series); limiqc reads the first.`);

  const size = (axis: string): number => {
    const v = Number(attr(pixels, `Size${axis}`));
    if (!Number.isInteger(v) || v < 1) throw new Error(`Pixels@Size${axis} is "${attr(pixels, `Size${axis}`)}", not a positive integer`);
    return v;
  };
  let dimensionOrder = (attr(pixels, "DimensionOrder") ?? "XYZCT") as DimensionOrder;
  if (!DIMENSION_ORDERS.includes(dimensionOrder)) {
    notes.push(`Pixels@DimensionOrder "${dimensionOrder}" is not valid; assuming XYZCT.`);
    dimensionOrder = "XYZCT";
  }
  const typeName = attr(pixels, "Type");
  const pixelType = PIXEL_TYPES.includes(typeName as PixelType) ? (typeName as PixelType) : undefined;

  const physical = (axis: "X" | "Y" | "Z"): number | undefined => {
    const raw = attr(pixels, `PhysicalSize${axis}`);
    if (raw === undefined) return undefined;
    return lengthToUm(Number(raw), attr(pixels, `PhysicalSize${axis}Unit`) ?? DEFAULT_LENGTH_UNIT, `PhysicalSize${axis}`, notes);
  };
  const physicalSizeUm: PhysicalSizeUm = { x: physical("X"), y: physical("Y"), z: physical("Z") };

  let timeIncrementS: number | undefined;
  const ti = attr(pixels, "TimeIncrement");
  if (ti !== undefined) {
    const unit = attr(pixels, "TimeIncrementUnit") ?? "s";
    const factor = sPerTimeUnit(unit);
    const v = Number(ti);
    if (factor === undefined) notes.push(`TimeIncrement unit "${unit}" is unknown; time increment left undefined.`);
    else if (!Number.isFinite(v) || v < 0) notes.push(`TimeIncrement is "${ti}", not a non-negative number; left undefined.`);
    else timeIncrementS = v * factor;
  }

  const sizeC = size("C");
  const channelNodes = (pixels.Channel as XmlNode[] | undefined) ?? [];
  const channels: ChannelInfo[] = [];
  // A Channel with SamplesPerPixel > 1 stands for several C indices (RGB); limiqc reads one sample per pixel.
  for (let c = 0; c < sizeC; c++) channels.push(c < channelNodes.length ? parseChannel(channelNodes[c], c, notes) : {});
  if (channelNodes.length !== 0 && channelNodes.length !== sizeC) {
    notes.push(`OME-XML lists ${channelNodes.length} Channel elements for SizeC = ${sizeC}.`);
  }

  const { objective, microscope } = parseInstrument(ome, image, notes);
  const significant = attr(pixels, "SignificantBits");
  const significantBits = significant !== undefined && Number.isInteger(Number(significant)) && Number(significant) > 0 ? Number(significant) : undefined;

  const tiffData = ((pixels.TiffData as XmlNode[] | undefined) ?? []).map((td): OmeTiffData => {
    const uuid = td.UUID as XmlNode | string | undefined;
    const fileName = typeof uuid === "object" ? attr(uuid, "FileName") : undefined;
    const pc = attr(td, "PlaneCount");
    return {
      ifd: intAttr(td, "IFD"),
      firstZ: intAttr(td, "FirstZ"),
      firstC: intAttr(td, "FirstC"),
      firstT: intAttr(td, "FirstT"),
      planeCount: pc === undefined ? undefined : Number(pc),
      fileName,
    };
  });
  const acquisition = image.AcquisitionDate;
  return {
    sizeX: size("X"),
    sizeY: size("Y"),
    sizeZ: size("Z"),
    sizeC,
    sizeT: size("T"),
    dimensionOrder,
    pixelType,
    significantBits,
    physicalSizeUm,
    timeIncrementS,
    channels,
    objective,
    microscope,
    acquisitionDate: typeof acquisition === "string" ? acquisition.trim() : undefined,
    imageName: attr(image, "Name"),
    tiffData,
    imageCount: images.length,
    notes,
  };
}

function attr(node: XmlNode, name: string): string | undefined {
  const v = node[`@_${name}`];
  return v === undefined || v === null ? undefined : String(v);
}

function intAttr(node: XmlNode, name: string): number {
  const v = attr(node, name);
  return v === undefined ? 0 : Number(v);
}

function numberAttr(node: XmlNode, name: string, notes: string[]): number | undefined {
  const raw = attr(node, name);
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (!Number.isFinite(v)) {
    notes.push(`${name} is "${raw}", not a number; ignored.`);
    return undefined;
  }
  return v;
}

function parseChannel(node: XmlNode, c: number, notes: string[]): ChannelInfo {
  const wavelength = (kind: "Excitation" | "Emission"): number | undefined => {
    const raw = attr(node, `${kind}Wavelength`);
    if (raw === undefined) return undefined;
    const um = lengthToUm(Number(raw), attr(node, `${kind}WavelengthUnit`) ?? DEFAULT_WAVELENGTH_UNIT, `Channel ${c} ${kind}Wavelength`, notes);
    return um === undefined ? undefined : roundNm(um * NM_PER_UM);
  };
  const colorRaw = attr(node, "Color");
  return dropUndefined({
    name: attr(node, "Name"),
    excitationWavelengthNm: wavelength("Excitation"),
    emissionWavelengthNm: wavelength("Emission"),
    color: colorRaw === undefined ? undefined : omeColorToCss(Number(colorRaw)),
  });
}

/** Rounds away binary noise from unit conversion (0.561 µm → 561 nm, not 561.0000000000001). */
function roundNm(nm: number): number {
  return Math.round(nm * 1e9) / 1e9;
}

function parseInstrument(ome: XmlNode, image: XmlNode, notes: string[]): { objective?: ObjectiveInfo; microscope?: MicroscopeInfo } {
  const instruments = (ome.Instrument as XmlNode[] | undefined) ?? [];
  const ref = image.InstrumentRef as XmlNode | undefined;
  const refId = ref ? attr(ref, "ID") : undefined;
  const instrument = (refId && instruments.find((i) => attr(i, "ID") === refId)) || instruments[0];
  const settings = image.ObjectiveSettings as XmlNode | undefined;
  const settingsId = settings ? attr(settings, "ID") : undefined;
  const allObjectives = instruments.flatMap((i) => (i.Objective as XmlNode[] | undefined) ?? []);
  let objectiveNode: XmlNode | undefined;
  if (settingsId) {
    objectiveNode = allObjectives.find((o) => attr(o, "ID") === settingsId);
    if (!objectiveNode) notes.push(`ObjectiveSettings refers to "${settingsId}", which is not in the Instrument.`);
  } else if (allObjectives.length === 1) {
    objectiveNode = allObjectives[0];
  } else if (allObjectives.length > 1) {
    notes.push(`The Instrument lists ${allObjectives.length} objectives and the Image does not say which was used.`);
  }
  let objective: ObjectiveInfo | undefined;
  if (objectiveNode || settings) {
    const o = objectiveNode ?? {};
    const wd = numberAttr(o, "WorkingDistance", notes);
    objective = dropUndefined({
      model: attr(o, "Model"),
      manufacturer: attr(o, "Manufacturer"),
      nominalMagnification: numberAttr(o, "NominalMagnification", notes),
      lensNA: numberAttr(o, "LensNA", notes),
      immersion: attr(o, "Immersion"),
      refractiveIndex: settings ? numberAttr(settings, "RefractiveIndex", notes) : undefined,
      workingDistanceUm:
        wd === undefined ? undefined : lengthToUm(wd, attr(o, "WorkingDistanceUnit") ?? DEFAULT_LENGTH_UNIT, "Objective WorkingDistance", notes),
    });
    if (Object.keys(objective).length === 0) objective = undefined;
  }
  const m = instrument ? ((instrument.Microscope as XmlNode[] | undefined) ?? [])[0] : undefined;
  const microscope = m ? dropUndefined({ type: attr(m, "Type"), manufacturer: attr(m, "Manufacturer"), model: attr(m, "Model") }) : undefined;
  return { objective, microscope: microscope && Object.keys(microscope).length > 0 ? microscope : undefined };
}

/**
 * Converts an OME colour (signed 32-bit RGBA integer) to CSS hex.
 * @param rgba - OME Channel@Color, e.g. -1 (white) or 16711935 (green).
 * @returns "#rrggbb", or undefined when the value is not an integer.
 */
export function omeColorToCss(rgba: number): string | undefined {
  if (!Number.isInteger(rgba)) return undefined;
  const v = rgba >>> 0;
  const hex = (n: number): string => n.toString(16).padStart(2, "0");
  return `#${hex((v >>> 24) & 0xff)}${hex((v >>> 16) & 0xff)}${hex((v >>> 8) & 0xff)}`;
}

/**
 * Converts a CSS hex colour to an OME colour (signed 32-bit RGBA, alpha 255).
 * @param css - "#rrggbb" or "#rgb".
 * @returns The OME integer, or undefined when `css` is not a hex colour.
 */
export function cssColorToOme(css: string): number | undefined {
  let m = /^#([0-9a-f]{6})$/i.exec(css);
  if (!m) {
    const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(css);
    if (!short) return undefined;
    m = [css, `${short[1]}${short[1]}${short[2]}${short[2]}${short[3]}${short[3]}`] as unknown as RegExpExecArray;
  }
  return ((Number.parseInt(m[1], 16) << 8) | 0xff) | 0;
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/**
 * Escapes text for an XML attribute or element.
 * @param s - Raw text.
 * @returns Text with & < > " ' replaced by entities.
 */
export function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

function attrs(pairs: Record<string, string | number | undefined>): string {
  let out = "";
  for (const [k, v] of Object.entries(pairs)) {
    if (v === undefined) continue;
    out += ` ${k}="${escapeXml(String(v))}"`;
  }
  return out;
}

function normaliseEnum(value: string | undefined, allowed: readonly string[]): string | undefined {
  if (value === undefined) return undefined;
  return allowed.find((a) => a.toLowerCase() === value.toLowerCase()) ?? "Other";
}

/**
 * Builds an OME-XML document (2016-06 schema) for a single-file OME-TIFF whose pages follow `meta.dimensionOrder`.
 * @param meta - Image metadata; lengths are written in µm, wavelengths in nm, time increment in s.
 * @returns The OME-XML text (UTF-8, with XML declaration).
 * Notes: writes one Image with its Pixels, one Channel per C (name, wavelengths, colour), a TiffData covering
 * all planes from IFD 0, and an Instrument (Microscope, Objective) plus ObjectiveSettings (refractive index) when given.
 * Immersion and microscope type are mapped case-insensitively to the OME enumerations ("Other" when unknown).
 * `meta.planeToPage` is ignored: the writer always stores planes in dimension order.
 * @see https://www.openmicroscopy.org/Schemas/Documentation/Generated/OME-2016-06/ome.html
 */
export function buildOmeXml(meta: ImageMetadata): string {
  const lines: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  lines.push(
    `<OME${attrs({
      xmlns: OME_NAMESPACE,
      "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
      "xsi:schemaLocation": `${OME_NAMESPACE} ${OME_NAMESPACE}/ome.xsd`,
      Creator: `limiqc ${LIMIQC_VERSION}`,
    })}>`,
  );
  const o = meta.objective;
  const m = meta.microscope;
  // Any objective fact (even only the refractive index) gets an Objective element for ObjectiveSettings to refer to.
  const hasObjective = o !== undefined && Object.values(o).some((v) => v !== undefined);
  const hasInstrument = hasObjective || (m !== undefined && (m.type ?? m.manufacturer ?? m.model) !== undefined);
  if (hasInstrument) {
    lines.push('  <Instrument ID="Instrument:0">');
    if (m && (m.type ?? m.manufacturer ?? m.model) !== undefined) {
      lines.push(`    <Microscope${attrs({ Type: normaliseEnum(m.type, OME_MICROSCOPE_TYPES), Manufacturer: m.manufacturer, Model: m.model })}/>`);
    }
    if (hasObjective && o) {
      lines.push(
        `    <Objective${attrs({
          ID: "Objective:0:0",
          Manufacturer: o.manufacturer,
          Model: o.model,
          NominalMagnification: o.nominalMagnification,
          LensNA: o.lensNA,
          Immersion: normaliseEnum(o.immersion, OME_IMMERSIONS),
          WorkingDistance: o.workingDistanceUm,
          WorkingDistanceUnit: o.workingDistanceUm === undefined ? undefined : DEFAULT_LENGTH_UNIT,
        })}/>`,
      );
    }
    lines.push("  </Instrument>");
  }
  lines.push(`  <Image${attrs({ ID: "Image:0", Name: meta.imageName })}>`);
  if (meta.acquisitionDate) lines.push(`    <AcquisitionDate>${escapeXml(meta.acquisitionDate)}</AcquisitionDate>`);
  if (hasInstrument) lines.push('    <InstrumentRef ID="Instrument:0"/>');
  if (hasObjective) {
    lines.push(`    <ObjectiveSettings${attrs({ ID: "Objective:0:0", RefractiveIndex: o?.refractiveIndex })}/>`);
  }
  const p = meta.physicalSizeUm;
  lines.push(
    `    <Pixels${attrs({
      ID: "Pixels:0",
      DimensionOrder: meta.dimensionOrder,
      Type: meta.pixelType,
      SignificantBits: meta.significantBits,
      SizeX: meta.sizeX,
      SizeY: meta.sizeY,
      SizeZ: meta.sizeZ,
      SizeC: meta.sizeC,
      SizeT: meta.sizeT,
      PhysicalSizeX: p.x,
      PhysicalSizeXUnit: p.x === undefined ? undefined : DEFAULT_LENGTH_UNIT,
      PhysicalSizeY: p.y,
      PhysicalSizeYUnit: p.y === undefined ? undefined : DEFAULT_LENGTH_UNIT,
      PhysicalSizeZ: p.z,
      PhysicalSizeZUnit: p.z === undefined ? undefined : DEFAULT_LENGTH_UNIT,
      TimeIncrement: meta.timeIncrementS,
      TimeIncrementUnit: meta.timeIncrementS === undefined ? undefined : "s",
      BigEndian: "false",
      Interleaved: "false",
    })}>`,
  );
  for (let c = 0; c < meta.sizeC; c++) {
    const ch = meta.channels[c] ?? {};
    lines.push(
      `      <Channel${attrs({
        ID: `Channel:0:${c}`,
        Name: ch.name,
        SamplesPerPixel: 1,
        ExcitationWavelength: ch.excitationWavelengthNm,
        ExcitationWavelengthUnit: ch.excitationWavelengthNm === undefined ? undefined : "nm",
        EmissionWavelength: ch.emissionWavelengthNm,
        EmissionWavelengthUnit: ch.emissionWavelengthNm === undefined ? undefined : "nm",
        Color: ch.color === undefined ? undefined : cssColorToOme(ch.color),
      })}/>`,
    );
  }
  lines.push(`      <TiffData IFD="0" PlaneCount="${meta.sizeZ * meta.sizeC * meta.sizeT}"/>`);
  lines.push("    </Pixels>", "  </Image>", "</OME>");
  return `${lines.join("\n")}\n`;
}
