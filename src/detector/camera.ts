/**
 * One call for a camera acquisition read from disk: EMVA 1288 photon transfer plus, when the folder has a dark
 * series, MetroloJ_QC's dark-noise test with the measured conversion gain.
 */
import { type Provenance, makeProvenance } from "../core/provenance.js";
import type { Verdict } from "../core/quantity.js";
import { verdictFromChecks } from "../protocols/verdict.js";
import { type CameraDarkNoiseResult, measureCameraDarkNoise } from "./dark.js";
import { type CameraSpec, type DetectorCheck, type DetectorLimits, type PhotonTransferOptions, type PhotonTransferResult, measurePhotonTransfer } from "./photon-transfer.js";
import type { CameraSeriesData } from "./series-io.js";

/** Options of {@link analyseCameraSeries}. */
export interface CameraSeriesAnalysisOptions extends PhotonTransferOptions {
  /** Warm/cold threshold of the dark test, %. @default 20 */
  readonly thresholdPercent?: number;
}

/** Result record of {@link analyseCameraSeries}. */
export interface CameraSeriesResult {
  readonly photonTransfer: PhotonTransferResult;
  /** Null when the acquisition has no dark series. */
  readonly darkNoise: CameraDarkNoiseResult | null;
  readonly checks: readonly DetectorCheck[];
  readonly verdict: Verdict;
  readonly spec: CameraSpec;
  readonly provenance: Provenance;
}

/**
 * Analyses a camera acquisition: photon transfer (gain, offset, read noise, dark current, saturation, DR, LE,
 * DSNU, PRNU, SNR) and, with a dark series, the dark-noise test (median/RMS read noise, warm/cold/hot pixels)
 * using the measured conversion gain; all checks combined into one verdict.
 *
 * @param data - From {@link readCameraSeries}.
 * @param options - Photon-transfer options (saturation, spec, limits) and the warm/cold threshold.
 * @returns Both results, the combined checks and verdict, and provenance with every input file's SHA-256.
 * @throws As {@link measurePhotonTransfer} and {@link measureCameraDarkNoise}.
 * @see measurePhotonTransfer; measureCameraDarkNoise; EMVA 1288 R4.0; MetroloJ_QC camera noise.
 */
export function analyseCameraSeries(data: CameraSeriesData, options: CameraSeriesAnalysisOptions = {}): CameraSeriesResult {
  const photonTransfer = measurePhotonTransfer(data.levels, options);
  const spec = options.spec ?? {};
  const darkNoise = data.darkSeries
    ? measureCameraDarkNoise(data.darkSeries, {
        conversionGainEPerAdu: photonTransfer.conversionGainEPerAdu.value,
        ...(options.thresholdPercent !== undefined ? { thresholdPercent: options.thresholdPercent } : {}),
        ...(options.saturationAdu !== undefined ? { saturationAdu: options.saturationAdu } : {}),
        ...(options.limits ? { limits: options.limits as Partial<DetectorLimits> } : {}),
      })
    : null;
  const checks = [...photonTransfer.checks, ...(darkNoise ? darkNoise.checks : [])];
  const verdict = checks.length ? verdictFromChecks(checks) : photonTransfer.verdict;
  return {
    photonTransfer,
    darkNoise,
    checks,
    verdict,
    spec,
    provenance: makeProvenance("analyseCameraSeries", { ...photonTransfer.options, spec, thresholdPercent: options.thresholdPercent ?? 20 }, data.inputs, [...data.notes, ...photonTransfer.provenance.notes, ...(darkNoise ? darkNoise.provenance.notes : [])]),
  };
}
