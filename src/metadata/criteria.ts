/**
 * Acceptance criteria of the metadata protocol. protocols/metadata/protocol.json holds the same numbers
 * (a test checks they match); `assessMetadataCompleteness` judges the report against them with `judge()`.
 * @module
 */
import type { AcceptanceCriterion } from "../protocols/types.js";

/** Percent of the target tier's items (that tier and below) present: fail below 50 %, warn below 100 %. */
export const METADATA_COMPLETENESS_CRITERION: AcceptanceCriterion = {
  id: "tier-completeness",
  description: "Metadata items of the target tier (default Tier 1) and below present",
  metric: "completeness.targetPercent",
  unit: "%",
  direction: "min",
  fail: 50,
  warn: 100,
  source: "limiqc default: no published limit (NBO-Q defines tiers, not scores; Hammer et al. 2021, Nat Methods 18:1427)",
};

/** Relative mismatch |pixel − camera pixel / (magnification × intermediate magnification)| / expected: fail above 10 %, warn above 5 %. */
export const PIXEL_SIZE_CONSISTENCY_CRITERION: AcceptanceCriterion = {
  id: "pixel-size-consistency",
  description: "Relative mismatch of pixel size vs camera pixel / magnification",
  metric: "completeness.pixelSizeMismatch",
  unit: "1",
  direction: "max",
  fail: 0.1,
  warn: 0.05,
  source: "limiqc default: no published limit (nominal magnifications differ from the real ones by a few %)",
};

/** Count of inconsistent items (NA ≥ n, wrong refractive index, wavelengths, non-square pixels, sidecar conflicts): any fails. */
export const METADATA_CONSISTENCY_CRITERION: AcceptanceCriterion = {
  id: "metadata-consistency",
  description: "Inconsistent metadata items (physics violated or image and sidecar disagree)",
  metric: "completeness.inconsistentCount",
  unit: "1",
  direction: "max",
  fail: 0,
  source: "limiqc default: physics (NA = n·sin α < n, Stokes shift) and agreement between the image and its sidecar (as MethodsJ2 checks the Micro-Meta App hardware file)",
};
