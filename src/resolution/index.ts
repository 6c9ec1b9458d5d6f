/**
 * WG5 resolution: bead PSF measurement (detection, rejection with reasons, 1D and 3D Gaussian FWHM,
 * field dependence), figures, the bundled bead sample, and image-based resolution (FRC, decorrelation).
 * @module
 */
export * from "./bead-detection.js";
export * from "./bead-fit.js";
export * from "./bead-psf.js";
export * from "./field.js";
export * from "./figures.js";
export * from "./file.js";
export * from "./optics-setup.js";
export * from "./samples.js";
export {
  type DecorrelationCurve,
  type DecorrelationOptions,
  type DecorrelationResult,
  decorrelationPlot,
  measureDecorrelation,
  type ResolvedDecorrelationOptions,
} from "./decorrelation.js";
export {
  FRC_FIXED_THRESHOLD,
  type FrcCrossing,
  type FrcCurve,
  type FrcMethod,
  type FrcOptions,
  type FrcResult,
  type FrcThreshold,
  frcCurvePlot,
  halfBitThreshold,
  measureFrc,
  measureSingleImageFrc,
  type ResolvedFrcOptions,
  type SpatialFrequency,
} from "./frc.js";
export {
  AIRY_FWHM_PER_LAMBDA_OVER_NA,
  circularPupilOtf,
  type ResolutionImageOptions,
  type ResolutionImageSet,
  type ResolutionImageTruth,
  type ResolutionTestPsf,
  type ResolutionTestStructure,
  simulateResolutionImages,
} from "./image-resolution-sim.js";
