import { existsSync, renameSync, writeFileSync } from "node:fs";
import { InvalidArgumentError, LimiqcError } from "../core/errors.js";
import { immersionRefractiveIndex } from "../optics/immersion.js";
import type { Modality, OpticalSetup } from "../optics/resolution.js";

/** One CLI command: `limiqc <name> ...`. `run` returns the process exit code. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

/**
 * The flags of the one CLI convention every analysis command follows (parseArgs option spec): `--json OUT` writes the
 * full result record, `--force` lets it replace an existing file.
 */
export const RECORD_OPTIONS = {
  json: { type: "string" },
  force: { type: "boolean", default: false },
} as const;

/**
 * Stops before any work when an output file exists and `--force` was not given: nothing a user saved is replaced.
 * @throws LimiqcError when the file exists and force is false
 */
export function refuseOverwrite(path: string, force: boolean): void {
  if (existsSync(path) && !force) {
    throw new LimiqcError(`${path} already exists; limiqc does not overwrite saved results.`, "Choose another path, or add --force to replace it.");
  }
}

/**
 * Writes a text file (report, export). Refuses to replace an existing file unless `force` is set, and writes
 * through a temporary file so an interrupted write never leaves half a file under the final name.
 * @throws LimiqcError when the file exists and force is false
 */
export function writeTextFile(path: string, text: string, force = false): void {
  refuseOverwrite(path, force);
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/**
 * Writes a JSON result record, like {@link writeTextFile} (never replaces an existing file without `force`).
 * @throws LimiqcError when the file exists and force is false
 */
export function writeJsonFile(path: string, record: unknown, force = false): void {
  writeTextFile(path, `${JSON.stringify(record, null, 2)}\n`, force);
}

/**
 * Parses a numeric option value; undefined when the option was not given.
 * @throws InvalidArgumentError naming the option, the value and an example, when it is not a (positive) number
 */
export function numberOption(name: string, value: string | undefined, options: { positive?: boolean; example?: string } = {}): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  const ok = Number.isFinite(x) && (!options.positive || x > 0);
  if (!ok) {
    throw new InvalidArgumentError(`--${name} is "${value}"; expected a${options.positive ? " positive" : ""} number.`, `Pass e.g. --${name} ${options.example ?? "1"}.`);
  }
  return x;
}

const MODALITIES: readonly Modality[] = ["widefield", "confocal", "spinningDisk", "multiphoton"];

/**
 * The optics flags every command that needs a theoretical resolution takes (parseArgs option spec). `--immersion`
 * takes a medium name or an index; the older spellings `--immersion-index`, `--wavelength` and `--emission-nm` are
 * accepted as aliases.
 */
export const OPTICS_OPTIONS = {
  modality: { type: "string" },
  na: { type: "string" },
  immersion: { type: "string" },
  "immersion-index": { type: "string" },
  emission: { type: "string" },
  wavelength: { type: "string" },
  "emission-nm": { type: "string" },
  excitation: { type: "string" },
} as const;

/** Usage text of {@link OPTICS_OPTIONS}. */
export const OPTICS_USAGE = "[--modality widefield|confocal|spinningDisk|multiphoton] [--na NA] [--immersion oil|water|glycerol|air|N] [--emission NM] [--excitation NM]";

/** Parsed values of {@link OPTICS_OPTIONS}. */
export type OpticsFlagValues = { [K in keyof typeof OPTICS_OPTIONS]?: string };

/**
 * The optical set-up given by the optics flags; only the flags given appear (the rest comes from the file's
 * metadata or the analysis defaults).
 * @param values - Parsed flags.
 * @returns Partial optical set-up.
 * @throws InvalidArgumentError for an unknown modality or immersion medium, or a value that is not a positive number.
 */
export function opticsFromFlags(values: OpticsFlagValues): Partial<OpticalSetup> {
  const positive = (name: string, v: string | undefined, example: string): number | undefined => numberOption(name, v, { positive: true, example });
  if (values.modality !== undefined && !(MODALITIES as readonly string[]).includes(values.modality)) {
    throw new InvalidArgumentError(`--modality "${values.modality}" is unknown.`, `Use one of ${MODALITIES.join(", ")}.`);
  }
  const immersionText = values.immersion ?? values["immersion-index"];
  const immersionIndex =
    immersionText === undefined ? undefined : Number.isFinite(Number(immersionText)) ? positive("immersion", immersionText, "1.518") : immersionRefractiveIndex(immersionText);
  const emissionFlag = values.emission !== undefined ? "emission" : values.wavelength !== undefined ? "wavelength" : "emission-nm";
  const emission = positive(emissionFlag, values.emission ?? values.wavelength ?? values["emission-nm"], "520");
  const na = positive("na", values.na, "1.4");
  const excitation = positive("excitation", values.excitation, "488");
  return {
    ...(values.modality !== undefined ? { modality: values.modality as Modality } : {}),
    ...(na !== undefined ? { na } : {}),
    ...(immersionIndex !== undefined ? { immersionIndex } : {}),
    ...(emission !== undefined ? { emissionWavelengthNm: emission } : {}),
    ...(excitation !== undefined ? { excitationWavelengthNm: excitation } : {}),
  };
}
