/**
 * QUAREP-LiMi WG6: stage and focus. XY repeatability (QUAREP protocol, ISO 230-2 style repeatability, reversal
 * and accuracy), drift and stabilisation (MetroloJ_QC driftProfiler), sub-pixel bead localisation and phase
 * correlation.
 * @module
 */
import "./samples.js";

export { type PhaseCorrelationOptions, type PhaseCorrelationResult, phaseCorrelate } from "./phase-correlation.js";
export { type BeadLocalisationMethod, type BeadLocalisationOptions, type BeadPosition, type BeadSeriesLocalisation, localiseBeadSeries } from "./localise.js";
export {
  DEFAULT_STAGE_LIMITS,
  STAGE_ROUND_ORDER,
  type StageCaptureInput,
  type StageCheck,
  type StageDirectionStats,
  type StageIsoAxis,
  type StageLimits,
  type StageMoveDirection,
  type StageMoveSizeResult,
  type StageRepeatabilityOptions,
  type StageRepeatabilityResult,
  measureStageRepeatability,
  stageProtocolOrder,
} from "./repeatability.js";
export { DEFAULT_DRIFT_THRESHOLD_UM, type DriftPositionInput, type DriftVelocity, type StageDriftOptions, type StageDriftResult, localiseDriftSeries, measureStageDrift } from "./drift.js";
export { type StageSeriesAnalysisOptions, type StageSeriesResult, analyseStageSeries, parseDriftPositions, parseStagePositions } from "./analyse.js";
export { measureStageRepeatabilityFile } from "./file.js";
export { confidenceEllipse, driftPlot, stageScatterPlot } from "./plots.js";
export { DRIFT_SERIES_SAMPLE_SETTINGS, STAGE_SERIES_SAMPLE_SETTINGS } from "./samples.js";
