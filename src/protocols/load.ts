import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { InvalidArgumentError, LimiqcError } from "../core/errors.js";
import type { AcceptanceCriterion, ChecklistItem, ProtocolDefinition } from "./types.js";

/** The protocols/ folder shipped with the package. */
export const PROTOCOLS_DIR: string = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "protocols");

/** Ids of all protocols shipped with limiqc (folder names under protocols/). */
export function listProtocols(dir: string = PROTOCOLS_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, "protocol.json")))
    .map((e) => e.name)
    .sort();
}

function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch (e) {
    throw new LimiqcError(`Cannot read ${path}: ${(e as Error).message}`, "Check that the file exists and is valid JSON.");
  }
}

/**
 * Loads a protocol: protocol.json (title, acceptance criteria), checklist.json and sop.md from protocols/<id>/.
 * @throws InvalidArgumentError for an unknown id (the message lists the known ones)
 * @throws LimiqcError when a file is malformed (names the file and the field)
 */
export function loadProtocol(id: string, dir: string = PROTOCOLS_DIR): ProtocolDefinition {
  const folder = join(dir, id);
  if (!existsSync(join(folder, "protocol.json"))) {
    throw new InvalidArgumentError(`Unknown protocol "${id}".`, `Known protocols: ${listProtocols(dir).join(", ")}.`);
  }
  const meta = readJson<Omit<ProtocolDefinition, "checklist" | "sop">>(join(folder, "protocol.json"));
  const checklist = readJson<{ items: ChecklistItem[] }>(join(folder, "checklist.json")).items;
  const sop = readFileSync(join(folder, "sop.md"), "utf8");
  validateProtocol({ ...meta, checklist, sop }, folder);
  return { ...meta, checklist, sop };
}

function validateProtocol(p: ProtocolDefinition, folder: string): void {
  const problems: string[] = [];
  for (const key of ["id", "title", "workingGroup", "notebook", "frequency"] as const) {
    if (typeof p[key] !== "string" || !p[key]) problems.push(`protocol.json: "${key}" must be a non-empty string`);
  }
  p.acceptance?.forEach((a: AcceptanceCriterion, i) => {
    if (!Number.isFinite(a.fail)) problems.push(`protocol.json: acceptance[${i}].fail must be a number`);
    if (a.direction !== "max" && a.direction !== "min") problems.push(`protocol.json: acceptance[${i}].direction must be "max" or "min"`);
    if (!a.source) problems.push(`protocol.json: acceptance[${i}].source must say where the limit comes from`);
  });
  const ids = new Set<string>();
  p.checklist.forEach((item, i) => {
    if (!item.id || !item.text) problems.push(`checklist.json: items[${i}] needs "id" and "text"`);
    if (ids.has(item.id)) problems.push(`checklist.json: duplicate item id "${item.id}"`);
    ids.add(item.id);
  });
  if (problems.length) throw new LimiqcError(`Protocol in ${folder} is malformed:\n  ${problems.join("\n  ")}`, "Fix the listed fields (see notebooks/README.md for the format).");
}

/**
 * Verdict of one value against a criterion: fail beyond `fail`, warn beyond `warn`, else pass;
 * with a sentence giving the value and the limit.
 */
export function judge(
  criterion: AcceptanceCriterion,
  value: number,
  override?: { fail?: number; warn?: number },
): { level: "pass" | "warn" | "fail"; reason: string } {
  const fail = override?.fail ?? criterion.fail;
  const warn = override?.warn ?? criterion.warn;
  const worse = (a: number, b: number): boolean => (criterion.direction === "max" ? a > b : a < b);
  const cmp = criterion.direction === "max" ? "≤" : "≥";
  const v = `${formatNumber(value)}${criterion.unit && criterion.unit !== "1" ? ` ${criterion.unit}` : ""}`;
  if (!Number.isFinite(value)) return { level: "fail", reason: `${criterion.description}: no valid value was measured.` };
  if (worse(value, fail)) return { level: "fail", reason: `${criterion.description} is ${v}; the limit is ${cmp} ${formatNumber(fail)} (${criterion.source}).` };
  if (warn !== undefined && worse(value, warn)) return { level: "warn", reason: `${criterion.description} is ${v}, within the limit ${cmp} ${formatNumber(fail)} but past the early-warning level ${formatNumber(warn)}.` };
  return { level: "pass", reason: `${criterion.description} is ${v}, within the limit ${cmp} ${formatNumber(fail)} (${criterion.source}).` };
}

function formatNumber(x: number): string {
  return Math.abs(x) >= 100 || Number.isInteger(x) ? x.toFixed(Number.isInteger(x) ? 0 : 1) : x.toPrecision(3);
}
