import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { InvalidArgumentError } from "../core/errors.js";

/**
 * A bundled sample data set. Samples are simulated with fixed seeds (so they are identical on every machine and
 * their ground truth is known) and written on first use, rather than committed as large binaries.
 */
export interface SampleSpec {
  /** File name inside the sample folder, e.g. "beads-widefield.ome.tif". */
  readonly file: string;
  /** One sentence: what the sample shows, including the planted fault and its size. */
  readonly description: string;
  /** Writes the sample to `path` (a temporary name; ensureSample renames it into place). */
  generate(path: string): Promise<void>;
}

/** Registry of samples by name. Protocol modules add their entries here. */
export const SAMPLES: Record<string, SampleSpec> = {};

/** Folder samples are written to: $LIMIQC_SAMPLE_DIR, else data/samples in the package. */
export function sampleDir(): string {
  return process.env.LIMIQC_SAMPLE_DIR ?? resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "data", "samples");
}

/**
 * Path of a bundled sample, generating it first if needed (deterministic; a few seconds at most).
 * @throws InvalidArgumentError for an unknown name (the message lists the known ones)
 */
export async function ensureSample(name: string): Promise<string> {
  const spec = SAMPLES[name];
  if (!spec) throw new InvalidArgumentError(`Unknown sample "${name}".`, `Known samples: ${Object.keys(SAMPLES).sort().join(", ")}.`);
  const path = join(sampleDir(), spec.file);
  if (existsSync(path)) return path;
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.partial-${process.pid}${spec.file.slice(spec.file.indexOf("."))}`;
  try {
    await spec.generate(tmp);
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
  return path;
}

/** Names and descriptions of all samples, for listings. */
export function listSamples(): { name: string; file: string; description: string }[] {
  return Object.entries(SAMPLES)
    .map(([name, s]) => ({ name, file: s.file, description: s.description }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
