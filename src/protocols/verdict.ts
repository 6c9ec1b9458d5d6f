import { VERDICT_RANK, type Verdict, type VerdictLevel } from "../core/quantity.js";

/** Source label of limits limiqc sets where the literature has none. */
export const NO_PUBLISHED_LIMIT = "limiqc default: no published limit";

/**
 * The overall verdict of a list of judged checks: the worst level, with the worst check's reason and a count of the
 * others at that level. With no checks, or all passing, "pass".
 */
export function verdictFromChecks(checks: readonly { readonly level: VerdictLevel; readonly reason: string }[]): Verdict {
  if (checks.length === 0) return { level: "pass", reason: "Nothing to judge." };
  let worst = checks[0];
  for (const c of checks) if (VERDICT_RANK[c.level] > VERDICT_RANK[worst.level]) worst = c;
  const same = checks.filter((c) => c.level === worst.level).length;
  if (worst.level === "pass") return { level: "pass", reason: `All ${checks.length} checks pass (${NO_PUBLISHED_LIMIT}s; compare with your instrument's baseline).` };
  const more = same > 1 ? ` (${same - 1} more ${worst.level === "fail" ? "failing" : "warning"} check${same > 2 ? "s" : ""})` : "";
  return { level: worst.level, reason: `${worst.reason}${more}` };
}
