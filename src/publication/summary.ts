/**
 * Counts and verdict shared by the image-publishing and image-analysis checklists (internal; not re-exported).
 * @module
 */
import type { Verdict } from "../core/quantity.js";
import type { PublicationAnswer, PublicationItem } from "./checklist.js";

/**
 * Counts per answer, the number of minimal items not met, and the verdict of a list of answered items.
 * @param items - Answered checklist items.
 * @returns counts, minimalNotMet and the verdict (fail: a minimal item "fail"/"no"; warn: anything open, a warning
 *   or a non-minimal "no"; pass: every item answered and met).
 */
export function summarisePublicationItems(items: readonly PublicationItem[]): {
  counts: Record<PublicationAnswer, number>;
  minimalNotMet: number;
  verdict: Verdict;
} {
  const counts: Record<PublicationAnswer, number> = { pass: 0, warn: 0, fail: 0, yes: 0, no: 0, open: 0 };
  for (const i of items) counts[i.answer]++;
  const badMinimal = items.filter((i) => i.tier === "minimal" && (i.answer === "fail" || i.answer === "no"));
  const verdict: Verdict = badMinimal.length
    ? { level: "fail", reason: `${badMinimal.length} minimal item(s) not met: ${badMinimal.map((i) => i.id).join(", ")}.` }
    : counts.open + counts.warn + counts.no > 0
      ? { level: "warn", reason: `No minimal item fails; ${counts.open} item(s) still open, ${counts.warn} warning(s), ${counts.no} non-minimal item(s) answered no.` }
      : { level: "pass", reason: "Every item is answered and met." };
  return { counts, minimalNotMet: badMinimal.length, verdict };
}
