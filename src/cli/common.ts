import { existsSync, renameSync, writeFileSync } from "node:fs";
import { InvalidArgumentError, LimiqcError } from "../core/errors.js";

/** One CLI command: `limiqc <name> ...`. `run` returns the process exit code. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

/**
 * Writes a JSON result record. Refuses to replace an existing file unless `force` is set, and writes
 * through a temporary file so an interrupted write never leaves half a record under the final name.
 * @throws LimiqcError when the file exists and force is false
 */
export function writeJsonFile(path: string, record: unknown, force = false): void {
  if (existsSync(path) && !force) {
    throw new LimiqcError(`${path} already exists; limiqc does not overwrite saved results.`, "Choose another --json path, or add --force to replace it.");
  }
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(tmp, path);
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
