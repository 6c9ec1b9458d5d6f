/**
 * Acceptance criteria of the field-uniformity protocol. protocols/field-uniformity/protocol.json holds the same
 * numbers (a test checks they match).
 */
import type { AcceptanceCriterion } from "../protocols/types.js";

/** U ≥ 50 %: Faklaris et al. 2022, Table 1; MetroloJ_QC `uniformityTolerance`. */
export const UNIFORMITY_CRITERION: AcceptanceCriterion = {
  id: "uniformity",
  description: "Uniformity U = 100·Imin/Imax",
  metric: "uniformity",
  unit: "%",
  direction: "min",
  fail: 50,
  source: "Faklaris et al. 2022, J Cell Biol 221:e202107093, Table 1; MetroloJ_QC uniformityTolerance",
};

/** C ≥ 50 %: MetroloJ_QC `centAccTolerance`. */
export const CENTERING_CRITERION: AcceptanceCriterion = {
  id: "centering",
  description: "Centering accuracy C of the brightest region",
  metric: "centeringAccuracy",
  unit: "%",
  direction: "min",
  fail: 50,
  source: "MetroloJ_QC centAccTolerance default (fieldIllumination)",
};

/** Residual non-uniformity after flat-field correction, in units of the noise-only expectation. */
export const FLAT_FIELD_RESIDUAL_CRITERION: AcceptanceCriterion = {
  id: "flat-field-residual",
  description: "Residual non-uniformity after flat-field correction / noise-only level",
  metric: "after.ratioToNoise",
  unit: "1",
  direction: "max",
  fail: 2,
  warn: 1.5,
  source: "limiqc default: no published limit (1 = all remaining variation is noise)",
};
