/**
 * Acceptance criterion of the co-registration protocol. protocols/co-registration/protocol.json holds the same numbers
 * (a test checks they match).
 */
import type { AcceptanceCriterion } from "../protocols/types.js";

/** Co-registration ratio d/r_ref ≤ 1 (MetroloJ_QC `coalRatioTolerance`), judged on the median over beads of a channel pair. */
export const COREGISTRATION_RATIO_CRITERION: AcceptanceCriterion = {
  id: "coregistration-ratio",
  description: "Co-registration ratio (distance / resolution-ellipsoid radius), median over beads",
  metric: "pairs[].ratio.median",
  unit: "1",
  direction: "max",
  fail: 1,
  source: "MetroloJ_QC coalRatioTolerance default (coAlignement); Faklaris et al. 2022, J Cell Biol 221:e202107093",
};
