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
