/**
 * WG3 field illumination uniformity: MetroloJ_QC metrics on a robustly smoothed flat-field image, flat-field
 * correction with a smooth illumination model, figures, and the bundled flat-field samples.
 * @module
 */
export { CENTERING_CRITERION, FLAT_FIELD_RESIDUAL_CRITERION, UNIFORMITY_CRITERION } from "./criteria.js";
export {
  type ApplyFlatFieldOptions,
  type FlatFieldCorrection,
  type FlatFieldCorrectionOptions,
  type FlatFieldCorrectionResult,
  type FlatFieldResidual,
  applyFlatFieldCorrection,
  buildFlatFieldCorrection,
  correctFlatField,
  measureFlatFieldResidual,
} from "./correction.js";
export {
  type FieldDefects,
  type FieldPoint,
  type FieldProfile,
  type FieldUniformityOptions,
  type FieldUniformityReport,
  type FieldUniformityResult,
  type IsoIntensityMap,
  type ResolvedFieldUniformityOptions,
  measureFieldUniformity,
  measureFieldUniformityChannels,
} from "./measure.js";
export {
  type IlluminationModel,
  type IlluminationModelKind,
  evaluateIlluminationModel,
  renderIlluminationModel,
} from "./model.js";
export { fieldUniformityMapFigure, fieldUniformityProfilesFigure, flatFieldComparisonFigure } from "./plots.js";
export { type FieldUniformityFileOptions, type FieldUniformityFileResult, measureFieldUniformityFile } from "./file.js";
export { FIELD_UNIFORMITY_SAMPLE } from "./samples.js";
import "./samples.js";
