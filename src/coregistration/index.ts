/**
 * WG4 chromatic co-registration: per-bead shifts between channels with standard errors, ISO 21073 distances,
 * MetroloJ_QC's co-registration ratio, registration transforms across the field, figures and the bundled sample.
 * @module
 */
export { COREGISTRATION_RATIO_CRITERION } from "./criteria.js";
export {
  type CoregBead,
  type CoregBeadFit,
  type CoregPair,
  type CoregPairBead,
  type CoregRejection,
  type CoregistrationOptions,
  type CoregistrationResult,
  type ResolvedCoregistrationOptions,
  measureCoregistration,
  referenceDistance,
} from "./measure.js";
export {
  type BeadDisplacements,
  type RegistrationKind,
  type RegistrationTransform,
  applyRegistration,
  fitRegistrationTransform,
  registrationDisplacementUm,
} from "./transform.js";
export { type CoregistrationFileResult, measureCoregistrationFile } from "./file.js";
export { coregistrationRatioFigure, coregistrationShiftFigure } from "./plots.js";
export { COREGISTRATION_SAMPLE } from "./samples.js";
import "./samples.js";
