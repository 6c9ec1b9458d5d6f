/**
 * QUAREP-LiMi WG2: detector performance. Cameras by the EMVA 1288 photon-transfer method and MetroloJ_QC's
 * dark-noise test (with sCMOS pixel maps); point detectors by NoiSee SNR/SBR and gain series.
 * @module
 */
import "./samples.js";

export { type FrameSetMaps, type FrameSetStats, frameSetStats } from "./frames.js";
export {
  type CameraSpec,
  DEFAULT_DETECTOR_LIMITS,
  type DetectorCheck,
  type DetectorLimits,
  EMVA_MIN_DARK_VARIANCE_ADU2,
  type PhotonTransferLevel,
  type PhotonTransferLevelInput,
  type PhotonTransferOptions,
  type PhotonTransferResult,
  QUANTISATION_VARIANCE_ADU2,
  measurePhotonTransfer,
} from "./photon-transfer.js";
export {
  type CameraDarkNoiseOptions,
  type CameraDarkNoiseResult,
  type CameraPixelMaps,
  type DefectPixelCount,
  cameraPixelMaps,
  measureCameraDarkNoise,
} from "./dark.js";
export {
  type GainSeriesLevel,
  type GainSeriesLevelInput,
  type GainSeriesOptions,
  type GainSeriesResult,
  type PointDetectorSnrOptions,
  type PointDetectorSnrResult,
  measureDetectorGainSeries,
  measurePointDetectorSnr,
} from "./point.js";
export { type PointDetectorSim, type PointDetectorSimOptions, simulatePointDetectorImage } from "./simulate-point.js";
export {
  CAMERA_MANIFEST_FILE,
  type CameraFrameKind,
  type CameraSeriesData,
  type CameraSeriesEntry,
  cameraEntryFromName,
  parseCameraManifest,
  readCameraSeries,
  writeCameraSeries,
} from "./series-io.js";
export { cameraSnrPlot, gainSeriesPlot, noiseMapPlot, photonTransferPlot } from "./plots.js";
export { type CameraSeriesAnalysisOptions, type CameraSeriesResult, analyseCameraSeries } from "./camera.js";
export { CAMERA_SERIES_SAMPLE_SETTINGS } from "./samples.js";
