/** Units used across limiqc outputs. "1" means dimensionless; "%" is percent. */
export type Unit =
  | "um"
  | "nm"
  | "mm"
  | "s"
  | "ms"
  | "mW"
  | "e-"
  | "ADU"
  | "e-/ADU"
  | "e-/s"
  | "px"
  | "mrad"
  | "%"
  | "1";

/**
 * A measured number with its uncertainty and unit. `uncertainty` is one standard error
 * unless the producing function's TSDoc says otherwise (e.g. bead-to-bead SD).
 */
export interface Quantity {
  readonly value: number;
  readonly uncertainty: number;
  readonly unit: Unit;
}

export function quantity(value: number, uncertainty: number, unit: Unit): Quantity {
  return { value, uncertainty, unit };
}

/** Pass/warn/fail outcome of an acceptance check. */
export type VerdictLevel = "pass" | "warn" | "fail";

export interface Verdict {
  readonly level: VerdictLevel;
  /** One sentence a person can act on: what was measured against which limit. */
  readonly reason: string;
}

/** Severity order of verdict levels: pass < warn < fail. */
export const VERDICT_RANK: Readonly<Record<VerdictLevel, number>> = { pass: 0, warn: 1, fail: 2 };

/** The most severe of some verdict levels ("pass" for none). */
export function worstLevel(levels: Iterable<VerdictLevel>): VerdictLevel {
  let worst: VerdictLevel = "pass";
  for (const l of levels) if (VERDICT_RANK[l] > VERDICT_RANK[worst]) worst = l;
  return worst;
}
