import type { VerdictLevel } from "../core/quantity.js";

/**
 * An acceptance criterion of a protocol: a metric compared with limits. Limits are the documented defaults;
 * users override them per instrument. `source` says where the number comes from (paper, peer tool default,
 * or "limiqc default: no published limit").
 */
export interface AcceptanceCriterion {
  readonly id: string;
  readonly description: string;
  /** Name of the field in the protocol's result record this criterion reads. */
  readonly metric: string;
  readonly unit: string;
  /** Value beyond which (strictly: above for "max", below for "min") the verdict is "fail"; the limit itself passes. */
  readonly fail: number;
  /** Value beyond which (strictly) the verdict is "warn" (optional early warning). */
  readonly warn?: number;
  /** "max": larger is worse (ratio ≤ 1.5). "min": smaller is worse (uniformity ≥ 50 %). */
  readonly direction: "max" | "min";
  readonly source: string;
}

/** The kinds of checklist item limiqc can verify itself from an image and its metadata. */
export type AutoCheckKind =
  | "pixel-size-present"
  | "nyquist-xy"
  | "nyquist-z"
  | "z-stack"
  | "bit-depth"
  | "original-bit-depth"
  | "not-saturated"
  | "wavelength-present"
  | "objective-present";

export interface ChecklistItem {
  readonly id: string;
  /** What the person must do or confirm, in the imperative. */
  readonly text: string;
  /** Present when limiqc can check the item from the data; parameters depend on the kind. */
  readonly auto?: { readonly check: AutoCheckKind; readonly params?: Readonly<Record<string, number>> };
}

export interface ProtocolDefinition {
  readonly id: string;
  readonly title: string;
  /** QUAREP-LiMi working group, e.g. "WG5". */
  readonly workingGroup: string;
  /** File name of the protocol's notebook in notebooks/. */
  readonly notebook: string;
  /** How often the protocol should be run, e.g. "monthly". */
  readonly frequency: string;
  readonly acceptance: readonly AcceptanceCriterion[];
  readonly checklist: readonly ChecklistItem[];
  /** The SOP text (Markdown). */
  readonly sop: string;
}

/** A checklist item after limiqc looked at the data: auto items carry a status and the evidence. */
export interface EvaluatedChecklistItem {
  readonly id: string;
  readonly text: string;
  readonly auto?: { readonly status: VerdictLevel | "unknown"; readonly evidence: string };
}
