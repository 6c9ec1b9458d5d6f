import { parseArgs } from "node:util";
import { InvalidArgumentError } from "../core/errors.js";
import type { BeadPsfResult } from "../resolution/bead-psf.js";
import { type BeadPsfFileOptions, measureBeadPsfFile } from "../resolution/file.js";
import { type Command, numberOption, OPTICS_OPTIONS, OPTICS_USAGE, opticsFromFlags, RECORD_OPTIONS, writeJsonFile } from "./common.js";

const num = (name: string, v: string | undefined): number | undefined => numberOption(name, v, { example: "1.4" });

function printChannel(r: BeadPsfResult): void {
  const name = `channel ${r.channel.index}${r.channel.name ? ` "${r.channel.name}"` : ""}${r.theory.wavelengthNm ? ` (${r.theory.wavelengthKind} ${r.theory.wavelengthNm} nm)` : ""}`;
  console.log(`\n${name}: ${r.counts.candidates} beads found, ${r.counts.accepted} accepted`);
  const rules = Object.entries(r.counts.byRule).filter(([, k]) => k > 0);
  if (rules.length) console.log(`  rejected: ${rules.map(([rule, k]) => `${k} ${rule}`).join(", ")}`);
  const s = r.summary;
  if (s) {
    console.log(`  FWHM (${s.method === "1d" ? "1D profiles, MetroloJ_QC" : "3D Gaussian"}), mean ± SEM over ${s.n} beads:`);
    for (const a of ["x", "y", "z"] as const) {
      const v = s[a];
      console.log(
        `    ${a}: ${v.mean.value.toFixed(3)} ± ${v.mean.uncertainty.toFixed(3)} µm (SD ${v.sdUm.toFixed(3)}, median ${v.medianUm.toFixed(3)}); theory ${v.theoreticalUm.toFixed(3)} µm; ratio ${v.ratio.value.toFixed(2)}; 1D − 3D ${v.difference1dMinus3dUm.mean >= 0 ? "+" : ""}${v.difference1dMinus3dUm.mean.toFixed(3)} µm`,
      );
    }
    console.log(`  lateral asymmetry (min/max) ${s.lateralAsymmetry.mean.value.toFixed(3)}${s.sbr ? `, SBR median ${s.sbr.median.toFixed(2)}` : ""}`);
  }
  const f = r.field;
  if (f) {
    const curv = f.fieldCurvatureUm ? `, field curvature ${f.fieldCurvatureUm.value.toFixed(3)} ± ${f.fieldCurvatureUm.uncertainty.toFixed(3)} µm at the corner` : "";
    console.log(`  focal plane: tilt ${f.tiltMrad.value.toFixed(2)} ± ${f.tiltMrad.uncertainty.toFixed(2)} mrad (x ${f.tiltXMrad.value.toFixed(2)}, y ${f.tiltYMrad.value.toFixed(2)})${curv}`);
  }
  console.log(`  ${r.verdict.level.toUpperCase()} — ${r.verdict.reason}`);
}

/** `limiqc psf FILE`: WG5 bead PSF → FWHM per axis vs theory, field tilt/curvature, verdict. */
export const psfCommand: Command = {
  name: "psf",
  summary: "lateral and axial resolution from a bead z-stack (WG5): FWHM vs theory, rejected beads, focal-plane tilt and curvature",
  usage:
    `limiqc psf FILE [--json OUT] [--force] ${OPTICS_USAGE} [--channel C ...] [--method 1d|3d] [--bead-diameter UM] [--lateral-limit R] [--axial-limit R]`,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...RECORD_OPTIONS,
        ...OPTICS_OPTIONS,
        channel: { type: "string", multiple: true },
        method: { type: "string" },
        "bead-diameter": { type: "string" },
        "lateral-limit": { type: "string" },
        "axial-limit": { type: "string" },
      },
    });
    if (positionals.length !== 1) throw new InvalidArgumentError(`psf takes one FILE; got ${positionals.length}.`, `Usage: ${psfCommand.usage}`);
    const file = positionals[0];
    if (values.method !== undefined && values.method !== "1d" && values.method !== "3d") {
      throw new InvalidArgumentError(`--method "${values.method}" is unknown.`, "Use 1d (MetroloJ_QC profiles, default) or 3d (3D Gaussian fit).");
    }
    const optics = opticsFromFlags(values);
    const channels = values.channel?.map((c) => {
      const k = Number(c);
      if (!Number.isInteger(k) || k < 0) throw new InvalidArgumentError(`--channel "${c}" is not a channel index.`, "Channels are numbered from 0.");
      return k;
    });
    const options: BeadPsfFileOptions = {
      optics,
      ...(channels ? { channels } : {}),
      ...(values.method ? { method: values.method as "1d" | "3d" } : {}),
      ...(values["bead-diameter"] !== undefined ? { beadDiameterUm: num("bead-diameter", values["bead-diameter"]) } : {}),
      ...(values["lateral-limit"] !== undefined ? { lateralRatioMax: num("lateral-limit", values["lateral-limit"]) } : {}),
      ...(values["axial-limit"] !== undefined ? { axialRatioMax: num("axial-limit", values["axial-limit"]) } : {}),
    };
    const r = await measureBeadPsfFile(file, options);
    const o = r.optics;
    console.log(`${file}: ${r.fileFacts.shape.join(" × ")} (z × y × x), ${r.fileFacts.channels} channel(s); ${o.modality}, NA ${o.na}, n = ${o.immersionIndex}`);
    for (const c of r.channels) printChannel(c);
    if (r.channels.length > 1) console.log(`\n${r.verdict.level.toUpperCase()} — ${r.verdict.reason}`);
    if (values.json) {
      writeJsonFile(values.json, r, values.force);
      console.log(`\nresult record written to ${values.json}`);
    }
    return 0;
  },
};
