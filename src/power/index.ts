/**
 * QUAREP-LiMi WG1: illumination power, stability and linearity from power-meter logs (SmartLPM, Thorlabs, any
 * CSV/TSV with time and power columns), and intensity stability from a time-lapse of a fluorescent slide.
 * @module
 */
import "./samples.js";

export {
  type DateOrder,
  type ParsePowerLogOptions,
  type PowerLogData,
  type PowerLogFormat,
  type PowerLogTimeKind,
  type RejectedRow,
  parsePowerLog,
  readPowerLog,
} from "./parse.js";
export {
  type PowerBlock,
  type PowerSegmentation,
  type ResolvedSegmentOptions,
  type SegmentPowerLogOptions,
  type SkippedRun,
  segmentPowerLog,
} from "./segment.js";
export {
  type ResolvedSeriesStabilityOptions,
  type SeriesStability,
  type SeriesStabilityOptions,
  type WarmupEstimate,
  measureSeriesStability,
  movingAverageByTime,
  resolveSeriesStabilityOptions,
} from "./metrics.js";
export {
  DEFAULT_POWER_LIMITS,
  type ExpectedPower,
  type ExpectedPowerComparison,
  type WarnFailPair,
  type PowerBlockResult,
  type PowerCheck,
  type PowerLimits,
  type PowerLinearityResult,
  type PowerLogAnalysisOptions,
  type PowerLogResult,
  type PowerSeriesResult,
  analysePowerLog,
  powerSeriesLabel,
} from "./analyse.js";
export { type IntensityStabilityOptions, type IntensityStabilityResult, measureIntensityStability } from "./intensity.js";
export { powerLinearityPlot, powerTimePlot } from "./plots.js";
export { POWER_LOG_SAMPLE_SETTINGS } from "./samples.js";
