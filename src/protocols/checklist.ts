import type { VerdictLevel } from "../core/quantity.js";
import type { ImageMetadata } from "../io/metadata.js";
import { countAtOrAbove } from "../image/stats.js";
import { type ChannelInfo, type ImageView, saturationValue } from "../image/types.js";
import { samplingReport } from "../optics/nyquist.js";
import { immersionRefractiveIndex } from "../optics/immersion.js";
import type { OpticalSetup } from "../optics/resolution.js";
import type { ChecklistItem, EvaluatedChecklistItem, ProtocolDefinition } from "./types.js";
import { judgeOriginalBitDepth } from "./bit-depth.js";

/**
 * What limiqc knows about an acquisition, from the file and from the user: the input of the automatic
 * checklist items. Every field is optional; a check whose facts are missing reports "unknown" and says
 * what to supply.
 */
export interface AcquisitionFacts {
  /** [dz, dy, dx] µm */
  readonly voxelSizeUm?: readonly [number, number, number];
  readonly sizeZ?: number;
  /** Bits per sample of the storage type. */
  readonly bitsPerSample?: number;
  /** Bits the detector actually uses, when the file says (OME SignificantBits). */
  readonly significantBits?: number;
  readonly channels?: readonly ChannelInfo[];
  /** Objective and wavelengths; `modality` is rarely in the file and usually comes from the user. */
  readonly optics?: Partial<OpticalSetup>;
  /** Fraction (0–1) of pixels at the detector's maximum, computed from the pixels. */
  readonly saturatedFraction?: number;
  /** The value counted as saturated, ADU. */
  readonly saturationAdu?: number;
}

/**
 * Gathers acquisition facts from a file's metadata (and its pixels, for saturation); `optics` given by the user
 * (modality, NA, wavelengths) win over what the file says.
 */
export function factsFromImage(
  metadata: ImageMetadata | undefined,
  options: { image?: ImageView; optics?: Partial<OpticalSetup>; channel?: number } = {},
): AcquisitionFacts {
  const c = options.channel ?? 0;
  const px = metadata?.physicalSizeUm;
  const channel = metadata?.channels[c] ?? options.image?.channel;
  const objective = metadata?.objective;
  const immersionIndex = objective?.refractiveIndex ?? indexOfImmersion(objective?.immersion);
  const optics: Partial<OpticalSetup> = {
    ...(objective?.lensNA !== undefined ? { na: objective.lensNA } : {}),
    ...(immersionIndex !== undefined ? { immersionIndex } : {}),
    ...(channel?.emissionWavelengthNm !== undefined ? { emissionWavelengthNm: channel.emissionWavelengthNm } : {}),
    ...(channel?.excitationWavelengthNm !== undefined ? { excitationWavelengthNm: channel.excitationWavelengthNm } : {}),
    ...options.optics,
  };
  const voxel =
    options.image?.voxelSizeUm ?? (px?.x && px.y ? ([px.z ?? Number.NaN, px.y, px.x] as const) : undefined);
  let saturatedFraction: number | undefined;
  let saturationAdu: number | undefined;
  if (options.image) {
    saturationAdu = saturationValue(options.image);
    if (Number.isFinite(saturationAdu)) saturatedFraction = countAtOrAbove(options.image.data, saturationAdu) / options.image.data.length;
  }
  return {
    voxelSizeUm: voxel,
    sizeZ: metadata?.sizeZ ?? options.image?.shape[0],
    bitsPerSample: metadata?.bitsPerSample,
    significantBits: metadata?.significantBits ?? options.image?.bitDepth,
    channels: metadata?.channels ?? (options.image?.channel ? [options.image.channel] : undefined),
    optics,
    saturatedFraction,
    saturationAdu,
  };
}

/** Refractive index of a named immersion medium; undefined for "Other", "Multi" or unknown names. */
function indexOfImmersion(name: string | undefined): number | undefined {
  if (!name) return undefined;
  try {
    return immersionRefractiveIndex(name);
  } catch {
    return undefined;
  }
}

type Outcome = { status: VerdictLevel | "unknown"; evidence: string };

function fullSetup(o: Partial<OpticalSetup> | undefined): OpticalSetup | string {
  const missing = (["modality", "na", "immersionIndex"] as const).filter((k) => o?.[k] === undefined);
  if (missing.length) return `needs ${missing.join(", ")} (give them in the notebook's optics settings)`;
  return o as OpticalSetup;
}

function checkItem(item: ChecklistItem, f: AcquisitionFacts): Outcome {
  const p = item.auto?.params ?? {};
  const v = f.voxelSizeUm;
  switch (item.auto?.check) {
    case "pixel-size-present":
      return v && v[1] > 0 && v[2] > 0
        ? { status: "pass", evidence: `pixel size ${v[2].toPrecision(3)} × ${v[1].toPrecision(3)} µm${Number.isFinite(v[0]) ? `, z-step ${v[0].toPrecision(3)} µm` : ""}` }
        : { status: "fail", evidence: "the file carries no pixel size: save as OME-TIFF or calibrated ImageJ TIFF, or enter it" };
    case "nyquist-xy":
    case "nyquist-z": {
      const setup = fullSetup(f.optics);
      if (typeof setup === "string") return { status: "unknown", evidence: setup };
      if (!v) return { status: "unknown", evidence: "pixel size unknown" };
      const wantZ = item.auto.check === "nyquist-z";
      if (wantZ && !Number.isFinite(v[0])) return { status: "unknown", evidence: "z-step unknown" };
      try {
        const r = samplingReport(wantZ ? [v[0], v[1], v[2]] : [v[1], v[2]], setup);
        const axes = r.axes.filter((a) => (wantZ ? a.axis === "z" : a.axis !== "z"));
        const worst = axes.reduce((a, b) => (b.samplingRatio > a.samplingRatio ? b : a));
        return { status: worst.level, evidence: worst.reason };
      } catch (e) {
        return { status: "unknown", evidence: (e as Error).message.split("\n")[0] };
      }
    }
    case "z-stack": {
      const min = p.minSlices ?? 3;
      if (f.sizeZ === undefined) return { status: "unknown", evidence: "number of slices unknown" };
      return f.sizeZ >= min
        ? { status: "pass", evidence: `${f.sizeZ} slices (≥ ${min})` }
        : { status: "fail", evidence: `${f.sizeZ} slice(s); at least ${min} needed: acquire a z-stack` };
    }
    case "bit-depth": {
      const min = p.minBits ?? 12;
      const bits = f.significantBits ?? f.bitsPerSample;
      if (bits === undefined) return { status: "unknown", evidence: "bit depth unknown" };
      return bits >= min ? { status: "pass", evidence: `${bits}-bit data (≥ ${min})` } : { status: "warn", evidence: `${bits}-bit data; ≥ ${min} bits recommended for quantification` };
    }
    case "original-bit-depth": {
      const j = judgeOriginalBitDepth({ bitsPerSample: f.bitsPerSample, significantBits: f.significantBits });
      return { status: j.answer === "open" ? "unknown" : j.answer, evidence: j.evidence };
    }
    case "not-saturated": {
      const max = p.maxFraction ?? 0;
      if (f.saturatedFraction === undefined) return { status: "unknown", evidence: "pixels not inspected (floating-point data or no image given)" };
      const pct = (100 * f.saturatedFraction).toPrecision(2);
      return f.saturatedFraction <= max
        ? { status: "pass", evidence: `${pct} % of pixels at ${f.saturationAdu} ADU (limit ${100 * max} %)` }
        : { status: "fail", evidence: `${pct} % of pixels at ${f.saturationAdu} ADU (limit ${100 * max} %): lower the power, gain or exposure` };
    }
    case "wavelength-present": {
      const o = f.optics;
      const have = [o?.emissionWavelengthNm && `emission ${o.emissionWavelengthNm} nm`, o?.excitationWavelengthNm && `excitation ${o.excitationWavelengthNm} nm`].filter(Boolean);
      return have.length ? { status: "pass", evidence: have.join(", ") } : { status: "fail", evidence: "no wavelength in the file or settings: enter the emission (and excitation) wavelength" };
    }
    case "objective-present": {
      const o = f.optics;
      return o?.na !== undefined && o.immersionIndex !== undefined
        ? { status: "pass", evidence: `NA ${o.na}, immersion n = ${o.immersionIndex}` }
        : { status: "fail", evidence: "objective NA or immersion medium unknown: enter them" };
    }
    default:
      return { status: "unknown", evidence: `unknown automatic check "${item.auto?.check}"` };
  }
}

/**
 * Answers a protocol's automatic checklist items from the acquisition facts; manual items are returned as they
 * are, for the person to tick. Never throws for missing facts: such items are "unknown" with what to supply.
 */
export function evaluateChecklist(protocol: ProtocolDefinition | readonly ChecklistItem[], facts: AcquisitionFacts): EvaluatedChecklistItem[] {
  const items = Array.isArray(protocol) ? (protocol as readonly ChecklistItem[]) : (protocol as ProtocolDefinition).checklist;
  return items.map((item) => (item.auto ? { id: item.id, text: item.text, auto: checkItem(item, facts) } : { id: item.id, text: item.text }));
}
