import { createHash } from "node:crypto";
import { createReadStream, readFileSync } from "node:fs";

/** limiqc's version, read once from package.json so results record what produced them. */
export const LIMIQC_VERSION: string = (() => {
  try {
    const url = new URL("../../package.json", import.meta.url);
    return (JSON.parse(readFileSync(url, "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
})();

/** Where a result came from: enough to trust (or reproduce) a QC record later. */
export interface Provenance {
  /** Name of the library function that produced the result. */
  readonly fn: string;
  readonly version: string;
  /** The resolved options the analysis actually used (defaults filled in). */
  readonly options: object;
  /** Input files with their SHA-256, when the input came from files. */
  readonly inputs: readonly { readonly file?: string; readonly sha256: string }[];
  /** ISO 8601 time the analysis ran. */
  readonly analysedAt: string;
  /** Recoverable oddities noticed during the analysis. */
  readonly notes: string[];
  /** Runtime the analysis ran on (Node.js version, OS, architecture), for citing the platform; absent in records made before limiqc recorded it. */
  readonly platform?: string;
}

/**
 * The runtime platform of this process, as recorded in every provenance: Node.js version, OS and architecture.
 * @returns E.g. "Node.js v20.20.2, linux x64".
 * @throws Never.
 */
export function runtimePlatform(): string {
  return `Node.js ${process.version}, ${process.platform} ${process.arch}`;
}

/** SHA-256 of bytes or of a typed array's contents, hex. */
export function sha256(data: ArrayBufferView | string): string {
  const h = createHash("sha256");
  if (typeof data === "string") h.update(data);
  else h.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return h.digest("hex");
}

/** SHA-256 of a file's bytes, hex; streamed, so any file size takes constant memory. */
export async function sha256File(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest("hex");
}

export function makeProvenance(
  fn: string,
  options: object,
  inputs: readonly { file?: string; sha256: string }[] = [],
  notes: string[] = [],
): Provenance {
  return { fn, version: LIMIQC_VERSION, options, inputs, analysedAt: new Date().toISOString(), notes, platform: runtimePlatform() };
}
