import { parseArgs } from "node:util";
import { InvalidArgumentError } from "../core/errors.js";
import { measureCoregistrationFile } from "../coregistration/file.js";
import type { CoregistrationOptions } from "../coregistration/measure.js";
import type { Modality, OpticalSetup } from "../optics/resolution.js";
import { type Command, numberOption, OPTICS_OPTIONS, opticsFromFlags, RECORD_OPTIONS, writeJsonFile } from "./common.js";

const num = (name: string, v: string | undefined): number | undefined => numberOption(name, v, { example: "1.4" });

function list(name: string, v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const xs = v.split(",").map(Number);
  if (xs.some((x) => !Number.isFinite(x) || x <= 0)) throw new InvalidArgumentError(`--${name} is "${v}"; expected comma-separated wavelengths in nm.`, `E.g. --${name} 520,600,680.`);
  return xs;
}

/**
 * The optics co-registration is judged with, from the optics flags: modality, NA and immersion (the rest from the
 * file; each channel's wavelengths from the file or --wavelengths); widefield, with a note, when no modality is given.
 * @param flags - Optics from {@link opticsFromFlags}.
 * @returns The optics for measureCoregistrationFile (modality always set).
 */
export function coregOptics(flags: Partial<OpticalSetup>): Partial<OpticalSetup> & { modality: Modality } {
  if (flags.modality === undefined) console.log("note: --modality not given; assuming widefield for the theoretical resolution (the ratio depends on it).");
  return {
    modality: flags.modality ?? "widefield",
    ...(flags.na !== undefined ? { na: flags.na } : {}),
    ...(flags.immersionIndex !== undefined ? { immersionIndex: flags.immersionIndex } : {}),
  };
}

/** `limiqc coreg FILE`: WG4 chromatic co-registration from a multichannel bead stack. */
export const coregCommand: Command = {
  name: "coreg",
  summary: "chromatic co-registration of a multi-colour bead stack (WG4): shifts between channels, ISO 21073 distances, ratio, registration transforms",
  usage:
    "limiqc coreg FILE [--json OUT] [--force] [--modality widefield|confocal|spinningDisk|multiphoton] [--na NA] [--immersion oil|water|glycerol|air|N] [--wavelengths NM,NM,...] [--excitations NM,NM,...] [--reference C] [--ratio-limit R]",
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...RECORD_OPTIONS,
        modality: OPTICS_OPTIONS.modality,
        na: OPTICS_OPTIONS.na,
        immersion: OPTICS_OPTIONS.immersion,
        wavelengths: { type: "string" },
        excitations: { type: "string" },
        reference: { type: "string" },
        "ratio-limit": { type: "string" },
      },
    });
    if (positionals.length !== 1) throw new InvalidArgumentError(`coreg takes one FILE; got ${positionals.length}.`, `Usage: ${coregCommand.usage}`);
    const file = positionals[0];
    const optics = coregOptics(opticsFromFlags({ modality: values.modality, na: values.na, immersion: values.immersion }));
    const modality = optics.modality;
    const emission = list("wavelengths", values.wavelengths);
    const excitation = list("excitations", values.excitations);
    const options: CoregistrationOptions = {
      optics,
      ...(emission ? { emissionWavelengthsNm: emission } : {}),
      ...(excitation ? { excitationWavelengthsNm: excitation } : {}),
      ...(values.reference !== undefined ? { referenceChannel: num("reference", values.reference) } : {}),
      ...(values["ratio-limit"] !== undefined ? { ratioLimit: num("ratio-limit", values["ratio-limit"]) } : {}),
    };
    const r = await measureCoregistrationFile(file, options);
    const [nz, ny, nx] = r.shape;
    console.log(`${file}: ${nx} × ${ny} × ${nz} (x × y × z), ${r.channels.length} channels (${r.channels.map((c) => `${c.index}: ${c.emissionWavelengthNm ?? "?"} nm`).join(", ")}); ${modality}`);
    console.log(`beads: ${r.counts.detected} detected on channel ${r.options.referenceChannel}, ${r.counts.usedInAllChannels} fitted in every channel`);
    for (const p of r.pairs) {
      const s = p.summary;
      const q = (v: { value: number; uncertainty: number }): string => `${v.value.toFixed(1)} ± ${v.uncertainty.toFixed(1)}`;
      console.log(`\nchannel ${p.reference} → ${p.target} (${s.n} beads; resolution at ${p.resolution.wavelengthNm} nm: ${p.resolution.lateralNm.toFixed(0)} nm lateral, ${p.resolution.axialNm.toFixed(0)} nm axial)`);
      console.log(`  mean shift x ${q(s.meanDxNm)}  y ${q(s.meanDyNm)}  z ${q(s.meanDzNm)} nm  (bead-to-bead SD ${s.sdNm.x.toFixed(1)}, ${s.sdNm.y.toFixed(1)}, ${s.sdNm.z.toFixed(1)} nm)`);
      console.log(`  ISO 21073 median lateral ${s.medianLateralNm.toFixed(1)} nm, axial ${s.medianAxialNm.toFixed(1)} nm; ratio median ${s.medianRatio.toFixed(2)}, max ${s.maxRatio.toFixed(2)}`);
      const a = p.transforms.affine;
      if (a) {
        console.log(
          `  affine: centre shift (${a.centreShiftNm.x.toFixed(1)}, ${a.centreShiftNm.y.toFixed(1)}, ${a.centreShiftNm.z.toFixed(1)}) nm, magnification ${a.magnificationPpm?.x.toFixed(0)} / ${a.magnificationPpm?.y.toFixed(0)} ppm, rotation ${a.rotationMrad?.toFixed(3)} mrad; residual ${a.residualRmsNm.lateral.toFixed(1)} nm lateral (noise floor ${a.noiseFloorNm.lateral.toFixed(1)} nm)`,
        );
      }
      console.log(`  ${p.verdict.level.toUpperCase()} — ${p.verdict.reason}`);
    }
    console.log(`\n${r.verdict.level.toUpperCase()} — ${r.verdict.reason}`);
    if (values.json) {
      writeJsonFile(values.json, r, values.force);
      console.log(`\nresult record written to ${values.json}`);
    }
    return 0;
  },
};
