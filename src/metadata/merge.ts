/**
 * Merging sidecar metadata (OME-XML or Micro-Meta App) into the image's own: fill gaps only, keep the image's
 * values, record which fields each sidecar supplied, report disagreements as conflicts, and never guess which of
 * several objectives of an instrument description was used.
 * @module
 */
import { parseImmersion } from "../optics/immersion.js";
import type {
  AcquisitionMetadata,
  ChannelMeta,
  MetadataConflict,
  ObjectiveMeta,
  SidecarFieldSource,
  SidecarModel,
  UnresolvedChoice,
} from "./model.js";

/** Relative difference below which two numbers are the same value (NA "1.4" vs 1.40, 63 vs 63.0). */
const SAME_NUMBER_REL = 1e-3;
/** Absolute difference below which two numbers are the same value (both near zero). */
const SAME_NUMBER_ABS = 1e-9;
/** NA difference within which the image's objective matches an objective of a hardware file. */
const MATCH_NA_ABS = 0.005;
/** Shortest normalised text for which containment counts as agreement ("Zeiss" in "Carl Zeiss Microscopy"). */
const MIN_CONTAINED_CHARS = 3;
/** Keys never compared: IDs differ between formats by design, colours and names are encoded or chosen freely. */
const NOT_COMPARED = new Set(["id", "detectorId", "lightSourceId", "color", "name"]);
/** Top-level scalar fields a sidecar may fill (never compared: formats of dates and names vary between tools). */
const TOP_LEVEL_FILL = ["imageName", "imageDescription", "acquisitionDate", "dimensionOrder", "pixelType", "significantBits", "timeIncrementS"] as const;

type Rec = Record<string, unknown>;

interface MergeContext {
  readonly source: string;
  readonly filled: SidecarFieldSource[];
  readonly conflicts: MetadataConflict[];
}

const normText = (s: string): string =>
  s
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]/g, "");

/** Whether two values of the same field agree (numbers within 0.1 %, texts equal or one contained in the other). */
function sameValue(key: string, a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number") {
    return Math.abs(a - b) <= Math.max(SAME_NUMBER_ABS, SAME_NUMBER_REL * Math.max(Math.abs(a), Math.abs(b)));
  }
  if (typeof a === "string" && typeof b === "string") {
    if (key === "immersion") {
      try {
        return parseImmersion(a).medium === parseImmersion(b).medium;
      } catch {
        // "Multi", "Other" or an unknown name: compare the text
      }
    }
    const x = normText(a);
    const y = normText(b);
    if (x === y) return true;
    const [short, long] = x.length <= y.length ? [x, y] : [y, x];
    return short.length >= MIN_CONTAINED_CHARS && long.includes(short);
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

const show = (v: unknown): string => (typeof v === "string" ? `"${v}"` : String(v));

/** Merges record `b` (sidecar) into `a` (image): fills missing keys, records conflicts on keys both hold. */
function mergeRecord<T extends object>(prefix: string, a: T | undefined, b: T | undefined, ctx: MergeContext): T | undefined {
  if (!b) return a;
  const out: Rec = { ...((a ?? {}) as Rec) };
  for (const [k, v] of Object.entries(b as Rec)) {
    if (v === undefined || v === null) continue;
    const cur = out[k];
    if (cur === undefined || cur === null) {
      out[k] = v;
      ctx.filled.push({ field: `${prefix}.${k}`, source: ctx.source });
    } else if (!NOT_COMPARED.has(k) && !sameValue(k, cur, v)) {
      ctx.conflicts.push({ field: `${prefix}.${k}`, image: show(cur), sidecar: show(v), source: ctx.source });
    }
  }
  return Object.keys(out).length > 0 ? (out as T) : a;
}

/**
 * Merges a sidecar list (light sources, detectors, filters) into the image's: an item is paired with the sidecar item
 * of the same model, or with the sidecar's only item when both lists hold one; paired items are merged field by field.
 * Unpaired sidecar items are not added (IDs of different files cannot be matched).
 */
function mergeList<T extends { readonly model?: string; readonly id?: string }>(prefix: string, a: readonly T[], b: readonly T[], ctx: MergeContext): T[] {
  return a.map((item, i) => {
    const twin = (item.model !== undefined ? b.find((x) => x.model !== undefined && sameValue("model", item.model, x.model)) : undefined) ?? (a.length === 1 && b.length === 1 ? b[0] : undefined);
    if (!twin) return item;
    const { id: _id, ...fields } = twin;
    return mergeRecord(`${prefix}[${i}]`, item, fields as T, ctx) ?? item;
  });
}

/** Human description of an objective, e.g. "ACME PA63 63×/1.4 Oil". */
function describeObjective(o: ObjectiveMeta): string {
  const optics = [o.nominalMagnification !== undefined ? `${o.nominalMagnification}×` : "", o.lensNA !== undefined ? `/${o.lensNA}` : ""].join("");
  return [o.manufacturer, o.model, optics, o.immersion].filter((x) => x !== undefined && x !== "").join(" ") || (o.id ?? "unnamed objective");
}

interface ObjectiveChoice {
  readonly objective?: ObjectiveMeta;
  readonly source?: string;
  readonly notes: string[];
  readonly conflict?: MetadataConflict;
  readonly unresolved?: UnresolvedChoice;
}

/**
 * Picks the objective used from the objectives that instrument descriptions list: the one a settings file names,
 * the only one, or the only one matching what the image (or another sidecar) says; otherwise none, with the reason.
 */
function chooseObjective(image: ObjectiveMeta | undefined, sidecars: readonly SidecarModel[]): ObjectiveChoice {
  const candidates = sidecars.flatMap((s) => s.objectives.map((o) => ({ o, source: s.name })));
  if (candidates.length === 0) return { notes: [] };
  const notes: string[] = [];
  const sourceNames = [...new Set(candidates.map((c) => c.source))].join(", ");
  for (const s of sidecars) {
    if (s.selectedObjectiveId === undefined) continue;
    const hit = candidates.find((c) => c.o.id === s.selectedObjectiveId);
    if (hit) return { objective: hit.o, source: hit.source, notes: [`Objective ${describeObjective(hit.o)} taken from ${hit.source}: ${s.name} says it was used (ObjectiveSettings ID ${s.selectedObjectiveId}).`] };
    notes.push(`${s.name} names objective ID ${s.selectedObjectiveId}, which no instrument file given (${sourceNames}) lists; pass the matching hardware file.`);
  }
  if (candidates.length === 1) return { objective: candidates[0].o, source: candidates[0].source, notes };
  const list = candidates.map((c) => describeObjective(c.o));
  // What is known about the objective used, from the image first, then from sidecars' own statements.
  const known: ObjectiveMeta = { ...Object.assign({}, ...sidecars.map((s) => s.metadata?.objective ?? {}).reverse()), ...(image ?? {}) };
  if (known.nominalMagnification === undefined && known.lensNA === undefined && known.model === undefined) {
    return {
      notes,
      unresolved: {
        field: "objective",
        candidates: list,
        source: sourceNames,
        reason: `${sourceNames} lists ${candidates.length} objectives and neither the image nor a settings file says which one was used; limiqc does not guess.`,
      },
    };
  }
  const matches = candidates.filter(({ o }) => {
    if (known.nominalMagnification !== undefined && o.nominalMagnification !== undefined && !sameValue("nominalMagnification", known.nominalMagnification, o.nominalMagnification)) return false;
    if (known.lensNA !== undefined && o.lensNA !== undefined && Math.abs(known.lensNA - o.lensNA) > MATCH_NA_ABS) return false;
    if (known.model !== undefined && o.model !== undefined && !sameValue("model", known.model, o.model)) return false;
    return true;
  });
  if (matches.length === 1) {
    return { objective: matches[0].o, source: matches[0].source, notes: [...notes, `Objective ${describeObjective(matches[0].o)} taken from ${matches[0].source}: the only one of its ${candidates.length} objectives matching the image's ${describeObjective(known)}.`] };
  }
  if (matches.length === 0) {
    return { notes, conflict: { field: "objective", image: describeObjective(known), sidecar: `none of ${list.join("; ")}`, source: sourceNames } };
  }
  return {
    notes,
    unresolved: {
      field: "objective",
      candidates: matches.map((m) => describeObjective(m.o)),
      source: sourceNames,
      reason: `${matches.length} objectives of ${sourceNames} match the image's ${describeObjective(known)}; limiqc does not guess which one was used.`,
    },
  };
}

/** Pairs sidecar channels with the image's: by name when every channel has one, else by index when the counts agree. */
function pairChannels(image: readonly ChannelMeta[], side: readonly ChannelMeta[]): (number | undefined)[] | undefined {
  if (image.every((c) => c.name) && side.every((c) => c.name)) {
    const byName = image.map((c) => side.findIndex((s) => normText(s.name ?? "") === normText(c.name ?? "")));
    if (byName.some((i) => i >= 0)) return byName.map((i) => (i >= 0 ? i : undefined));
  }
  return image.length === side.length ? image.map((_, i) => i) : undefined;
}

/**
 * Merges sidecars into the image's acquisition metadata: the image's values win; a sidecar fills what the image
 * lacks; each filled field is listed in `fromSidecar`, each disagreement in `conflicts`; the objective used is
 * chosen from instrument descriptions only when the data decide it (else `unresolved`).
 * @param image - The model built from the image file (or an empty model, `source: "none"`).
 * @param sidecars - Parsed sidecars, merged in order (an earlier sidecar wins over a later one).
 * @returns A new model; the inputs are not changed.
 * Notes: numbers agree within 0.1 %; texts agree when equal after lower-casing and dropping punctuation, or when one
 * contains the other ("Zeiss" / "Carl Zeiss Microscopy"); immersions agree when they name the same medium. IDs,
 * channel names and colours are never compared. Light sources, detectors and filters are taken whole from a sidecar
 * when the image lists none; otherwise an item is completed from the sidecar item of the same model (or the only one
 * when both lists hold one), and unpaired sidecar items are left out (IDs of different files cannot be matched).
 * Channels are paired by name, else by index when the counts agree; otherwise sidecar channels are not used (a note
 * says so). A conflict between two sidecars is reported the same way: the value already recorded (the image's, else
 * the earlier sidecar's) is kept.
 * @see Ryan J. et al., "MethodsJ2", Nat Methods 18:1414 (2021), doi:10.1038/s41592-021-01290-5 (metadata vs Micro-Meta App hardware file cross-check).
 * @example mergeSidecars(imageModel, [parseMicroMetaAppJson(text, "scope.json")]).fromSidecar; // [{ field: "filters", source: "scope.json" }, ...]
 */
export function mergeSidecars(image: AcquisitionMetadata, sidecars: readonly SidecarModel[]): AcquisitionMetadata {
  const notes = [...image.notes];
  const filled: SidecarFieldSource[] = [...(image.fromSidecar ?? [])];
  const conflicts: MetadataConflict[] = [...(image.conflicts ?? [])];
  const unresolved: UnresolvedChoice[] = [...(image.unresolved ?? [])];
  let m: AcquisitionMetadata = { ...image };
  const used: string[] = [];

  for (const s of sidecars) notes.push(...s.notes);
  const choice = chooseObjective(image.objective, sidecars);
  notes.push(...choice.notes);
  if (choice.conflict) conflicts.push(choice.conflict);
  if (choice.unresolved) unresolved.push(choice.unresolved);
  if (choice.objective && choice.source) {
    const ctx: MergeContext = { source: choice.source, filled, conflicts };
    m = { ...m, objective: mergeRecord("objective", m.objective, choice.objective, ctx) };
    used.push(choice.source);
  }

  for (const s of sidecars) {
    const b = s.metadata;
    if (!b) continue;
    used.push(s.name);
    const ctx: MergeContext = { source: s.name, filled, conflicts };
    const top: Rec = {};
    for (const k of TOP_LEVEL_FILL) {
      if (m[k] === undefined && b[k] !== undefined) {
        top[k] = b[k];
        filled.push({ field: k, source: s.name });
      }
    }
    if (m.sizes && b.sizes && (m.sizes.c !== b.sizes.c || m.sizes.x !== b.sizes.x || m.sizes.y !== b.sizes.y)) {
      notes.push(`Sidecar ${s.name} describes a ${b.sizes.x}×${b.sizes.y} image with ${b.sizes.c} channel(s), the file a ${m.sizes.x}×${m.sizes.y} image with ${m.sizes.c}: check that the sidecar belongs to this file.`);
    }
    const lists: Rec = {};
    const takeList = <T extends { readonly model?: string; readonly id?: string }>(k: "lightSources" | "detectors" | "filters", a: readonly T[], bl: readonly T[]): void => {
      if (bl.length === 0) return;
      if (a.length === 0) {
        lists[k] = bl;
        filled.push({ field: k, source: s.name });
      } else lists[k] = mergeList(k, a, bl, ctx);
    };
    takeList("lightSources", m.lightSources, b.lightSources);
    takeList("detectors", m.detectors, b.detectors);
    takeList("filters", m.filters, b.filters);
    let channels = m.channels;
    if (b.channels.length > 0) {
      if (channels.length === 0) {
        channels = b.channels;
        filled.push({ field: "channels", source: s.name });
      } else {
        const pairs = pairChannels(channels, b.channels);
        if (pairs) channels = channels.map((c, i) => (pairs[i] === undefined ? c : (mergeRecord(`channels[${i}]`, c, b.channels[pairs[i] as number], ctx) ?? c)));
        else notes.push(`Sidecar ${s.name} describes ${b.channels.length} channel(s) that cannot be paired with the image's ${channels.length} (no common channel names, different counts); its channel settings were not used.`);
      }
    }
    m = {
      ...m,
      ...top,
      ...lists,
      source: m.source === "none" ? s.format : m.source,
      sizes: m.sizes ?? b.sizes,
      physicalSizeUm: mergeRecord("physicalSizeUm", m.physicalSizeUm, b.physicalSizeUm, ctx) ?? {},
      experimenter: mergeRecord("experimenter", m.experimenter, b.experimenter, ctx),
      microscope: mergeRecord("microscope", m.microscope, b.microscope, ctx),
      objective: mergeRecord("objective", m.objective, b.objective, ctx),
      environment: mergeRecord("environment", m.environment, b.environment, ctx),
      channels,
    };
  }
  // A channel's light-source / detector ID taken from a sidecar must name an item of the merged lists, else drop it.
  const known = { lightSourceId: new Set(m.lightSources.map((l) => l.id)), detectorId: new Set(m.detectors.map((d) => d.id)) };
  m = {
    ...m,
    channels: m.channels.map((c, i) => {
      let out = c;
      for (const key of ["lightSourceId", "detectorId"] as const) {
        const at = filled.findIndex((f) => f.field === `channels[${i}].${key}`);
        if (at >= 0 && !known[key].has(c[key])) {
          filled.splice(at, 1);
          const { [key]: _dropped, ...rest } = out;
          out = rest;
        }
      }
      return out;
    }),
  };
  for (let i = filled.length - 1; i >= 0; i--) if (/(^|\.)id$/.test(filled[i].field)) filled.splice(i, 1);
  const names = [...new Set(used)];
  for (const name of names) {
    const fields = filled.filter((f) => f.source === name).map((f) => f.field);
    if (fields.length > 0) notes.push(`Filled from sidecar ${name} (the image lacked them): ${fields.join(", ")}.`);
  }
  for (const c of conflicts.slice(image.conflicts?.length ?? 0)) notes.push(`Sidecar ${c.source} disagrees on ${c.field}: recorded ${c.image}, sidecar ${c.sidecar}; the recorded value (the image's, else an earlier sidecar's) is kept.`);
  for (const u of unresolved.slice(image.unresolved?.length ?? 0)) notes.push(`${u.reason} Candidates: ${u.candidates.join("; ")}.`);
  const out: AcquisitionMetadata = {
    ...m,
    ...(names.length > 0 ? { sidecar: names.join(", ") } : {}),
    ...(filled.length > 0 ? { fromSidecar: filled } : {}),
    ...(conflicts.length > 0 ? { conflicts } : {}),
    ...(unresolved.length > 0 ? { unresolved } : {}),
    notes,
  };
  for (const k of Object.keys(out) as (keyof AcquisitionMetadata)[]) if (out[k] === undefined) delete (out as unknown as Rec)[k];
  return out;
}
