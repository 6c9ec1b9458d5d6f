/**
 * Bead finding for PSF measurements: detection on a smoothed maximum projection, then rejection rules with a
 * stated reason per rejected bead (edge, neighbour, saturation, dim, aggregate).
 * @module
 */
import { InsufficientDataError, InvalidArgumentError } from "../core/errors.js";
import { gaussianBlur } from "../image/blur.js";
import { type Peak, findLocalMaxima } from "../image/peaks.js";
import { project } from "../image/project.js";
import { type ImageView, requireVoxelSizeUm, saturationValue } from "../image/types.js";
import { MAD_TO_SD, METROLOJ_MIN_OUTLIER_SAMPLES } from "../fit/robust.js";
import { FWHM_PER_SIGMA } from "../optics/constants.js";
import { type OpticalSetup, theoreticalResolution } from "../optics/resolution.js";
import { upperOutliers } from "./bead-internal.js";
import { resolvePsfOpticalSetup } from "./optics-setup.js";

/** Why a bead was not used. Every rejected bead carries one or more of these with a sentence. */
export type BeadRejectionRule =
  | "edge-x"
  | "edge-y"
  | "edge-z"
  | "neighbour"
  | "saturated"
  | "dim"
  | "aggregate-intensity"
  | "aggregate-width"
  | "fit-failed"
  | "poor-fit"
  | "fit-off-centre";

/** All rejection rules, in the order they are applied. */
export const BEAD_REJECTION_RULES: readonly BeadRejectionRule[] = [
  "edge-x",
  "edge-y",
  "edge-z",
  "neighbour",
  "saturated",
  "dim",
  "aggregate-intensity",
  "fit-failed",
  "poor-fit",
  "fit-off-centre",
  "aggregate-width",
];

/** One reason for rejecting a bead. */
export interface BeadRejection {
  readonly rule: BeadRejectionRule;
  /** One sentence with the numbers, e.g. "centre 0.31 µm from the left x edge; the fit box needs 0.38 µm". */
  readonly reason: string;
}

/** An axis-aligned box in voxel indices (clipped to the image). */
export interface BeadRoi {
  readonly x0: number;
  readonly y0: number;
  readonly z0: number;
  readonly width: number;
  readonly height: number;
  readonly depth: number;
}

/** A detected bead candidate with its pre-fit measurements and, if rejected, the reasons. */
export interface BeadCandidate {
  /** Detection index: 0 is the brightest peak of the smoothed projection. */
  readonly id: number;
  /** Detected voxel (integer px; z is the brightest plane of the bead's 3 × 3 column, 0 for a 2D image). */
  readonly xPx: number;
  readonly yPx: number;
  readonly zPx: number;
  /** The same in µm from the centre of voxel (0, 0, 0). */
  readonly xUm: number;
  readonly yUm: number;
  readonly zUm: number;
  /** Brightest raw voxel inside the bead disc of the focal plane, ADU. */
  readonly peakAdu: number;
  /** Mean of the SBR annulus in the focal plane, ADU (the local background; F8). */
  readonly backgroundAdu: number;
  /**
   * Signal-to-background ratio (MetroloJ_QC F8): mean of the bead mask ÷ mean of the annulus, both raw
   * (the detector offset is not subtracted). Null when the annulus mean is ≤ 0 (background-subtracted data).
   */
  readonly sbr: number | null;
  /** Σ (voxel − background) over the fit box, ADU·voxels (the aggregate test's "integrated intensity"). */
  readonly integratedIntensityAdu: number;
  /** Voxels at or above the saturation value inside the fit box. */
  readonly saturatedVoxels: number;
  /** Lateral distance to the nearest other candidate that counts as a neighbour, µm; null when there is none. */
  readonly nearestNeighbourUm: number | null;
  /** Height of the detection peak above the projection's background, ADU (smoothed). */
  readonly detectionPeakAdu: number;
  /** Fit box, clipped to the image. */
  readonly roi: BeadRoi;
  /** Empty when the bead passed every rule so far. */
  readonly rejections: BeadRejection[];
}

/**
 * Options of {@link findBeads}. Every default derives from the voxel size and the theoretical PSF
 * (lateral FWHM F_xy and axial FWHM F_z of the optical setup, MetroloJ_QC formulas).
 */
export interface BeadFindingOptions {
  /** Optical setup (modality, NA, immersion index, wavelengths in nm); wavelengths default to the image's channel info. @default required unless expectedFwhmUm is given */
  optics?: Partial<OpticalSetup>;
  /** Expected PSF FWHM in µm, overriding the theory from `optics` (for the defaults only). @default theoreticalResolution(optics) */
  expectedFwhmUm?: { readonly lateral: number; readonly axial: number };
  /** σ of the lateral Gaussian smoothing of the max projection before peak finding, µm. @default F_xy/2.355 (matched filter), ≥ 0.5 px */
  detectionSigmaUm?: number;
  /** Peaks must exceed the projection's median by this many robust SDs (1.4826·MAD) of the smoothed projection. @default 8 */
  detectionThresholdSd?: number;
  /** Half-width of the fit box in x and y, µm. @default 2·F_xy, at least 3 px */
  roiHalfWidthUm?: number;
  /** Half-depth of the fit box in z, µm. @default 2·F_z, at least 3 planes */
  roiHalfDepthUm?: number;
  /** A bead closer than this to an x or y edge is rejected ("edge-x"/"edge-y"), µm. @default roiHalfWidthUm */
  minEdgeDistanceUm?: number;
  /** A bead closer than this to the first or last plane is rejected ("edge-z"), µm. @default roiHalfDepthUm */
  minEdgeDistanceZUm?: number;
  /**
   * A bead with another bead closer than this (lateral distance, µm) is rejected ("neighbour").
   * @default max(roiHalfWidthUm, SBR annulus outer radius) + 2·F_xy
   */
  minNeighbourDistanceUm?: number;
  /**
   * Another peak only counts as a neighbour when its detection peak is at least this fraction of the bead's own
   * (so a bright bead is not rejected because of its own diffraction rings or a much dimmer speck; the dimmer
   * one is rejected instead). @default 0.1
   */
  neighbourMinRelativePeak?: number;
  /** Voxel value counted as saturated, ADU. @default 2^bitDepth − 1 (saturationValue of the image) */
  saturationAdu?: number;
  /** A bead with more saturated voxels than this inside its fit box is rejected ("saturated"). @default 0 */
  maxSaturatedVoxels?: number;
  /** A bead whose SBR (F8, raw values) is below this is rejected ("dim"). @default 1.5 */
  minSbr?: number;
  /** Gap between the bead disc and the SBR annulus, µm (MetroloJ_QC innerAnnulusEdgeDistanceToBead). @default 0.5 */
  sbrAnnulusGapUm?: number;
  /** Thickness of the SBR annulus, µm (MetroloJ_QC annulusThickness). @default 1 */
  sbrAnnulusThicknessUm?: number;
  /**
   * Aggregate test on the integrated intensity (and, in measureBeadPsf, the lateral FWHM): "robust-z" flags values
   * with (x − median)/(1.4826·MAD) above `aggregateRobustZ`; "metroloj-iqr" flags values above MetroloJ_QC's upper
   * fence Q3 + 1.5·IQR (F11); "none" disables it. Needs ≥ 5 beads. @default "robust-z"
   */
  aggregateTest?: "robust-z" | "metroloj-iqr" | "none";
  /** Robust z above which a bead is an aggregate (one-sided: only too bright / too wide). @default 3.5 */
  aggregateRobustZ?: number;
  /** At most this many candidates (brightest first) are examined. @default 5000 */
  maxCandidates?: number;
}

/** {@link BeadFindingOptions} with every default filled in (µm) and the pixel equivalents used. */
export interface ResolvedBeadFindingOptions {
  readonly expectedFwhmUm: { readonly lateral: number; readonly axial: number };
  readonly detectionSigmaUm: number;
  readonly detectionThresholdSd: number;
  readonly roiHalfWidthUm: number;
  readonly roiHalfDepthUm: number;
  readonly minEdgeDistanceUm: number;
  readonly minEdgeDistanceZUm: number;
  readonly minNeighbourDistanceUm: number;
  readonly neighbourMinRelativePeak: number;
  readonly saturationAdu: number;
  readonly maxSaturatedVoxels: number;
  readonly minSbr: number;
  readonly sbrAnnulusGapUm: number;
  readonly sbrAnnulusThicknessUm: number;
  /** Radius of the bead disc of the SBR (one expected lateral FWHM), µm. */
  readonly sbrBeadRadiusUm: number;
  readonly aggregateTest: "robust-z" | "metroloj-iqr" | "none";
  readonly aggregateRobustZ: number;
  readonly maxCandidates: number;
  /** Fit box half-sizes in voxels [z, y, x]. */
  readonly roiHalfSizePx: readonly [number, number, number];
}

/** What the detection step saw. */
export interface BeadDetectionInfo {
  /** Median of the smoothed max projection, ADU. */
  readonly backgroundAdu: number;
  /** Robust SD (1.4826·MAD) of the smoothed projection, ADU. */
  readonly noiseSdAdu: number;
  /** Detection threshold on the smoothed projection, ADU. */
  readonly thresholdAdu: number;
  /** Smoothing σ [y, x], px. */
  readonly sigmaPx: readonly [number, number];
  /** Local maxima above the threshold (before the maxCandidates cap). */
  readonly peaksFound: number;
  /** Maxima in the halo of a brighter bead (no dip below half their height towards it): rejected as "neighbour", and not counted as neighbours of other beads. */
  satellites: number;
}

/** Result of {@link findBeads}. */
export interface BeadFindingResult {
  /** All candidates, brightest first; `rejections` empty = accepted by the pre-fit rules. */
  readonly candidates: BeadCandidate[];
  readonly detection: BeadDetectionInfo;
  readonly options: ResolvedBeadFindingOptions;
  /** Recoverable oddities (capped candidates, SBR not computable, aggregate test skipped, ...). */
  readonly notes: string[];
}

const DEFAULTS = {
  detectionThresholdSd: 8,
  roiFwhmFactor: 2,
  minRoiHalfPx: 3,
  neighbourFwhmFactor: 2,
  neighbourMinRelativePeak: 0.1,
  maxSaturatedVoxels: 0,
  minSbr: 1.5,
  sbrAnnulusGapUm: 0.5,
  sbrAnnulusThicknessUm: 1,
  aggregateRobustZ: 3.5,
  maxCandidates: 5000,
  minDetectionSigmaPx: 0.5,
} as const;

/** Pixels sampled (at most) for the projection's median and MAD. */
const STATS_SAMPLE_MAX = 1 << 20;
/** When the projection has no noise (MAD = 0), the threshold uses this fraction of (max − median) as the SD. */
const NOISE_FLOOR_FRACTION = 1e-3;

/**
 * Resolves the bead-finding options for an image: fills every default from the voxel size and the expected PSF.
 *
 * @param image - The stack or 2D image (its voxel size is needed).
 * @param options - See {@link BeadFindingOptions}.
 * @returns Every parameter in µm, plus the fit box half-sizes in voxels.
 * @throws MissingPixelSizeError when the image has no voxel size.
 * @throws MissingMetadataError when neither `expectedFwhmUm` nor a complete `optics` is given.
 * @throws InvalidArgumentError when a given option is not a positive (or non-negative) finite number.
 *
 * Notes: the fit box spans ±2 FWHM on each axis (at least ±3 voxels): wide enough for the Gaussian tails and
 * the background, small enough that neighbours rarely intrude. The neighbour distance keeps another bead out of
 * the fit box and the SBR annulus with one FWHM to spare on each side.
 * @see MetroloJ_QC batch PSF (bead box, min distance to edges and neighbours), peers.md §1.1
 * @example
 * resolveBeadFindingOptions(stack, { expectedFwhmUm: { lateral: 0.25, axial: 0.7 } }).roiHalfSizePx; // [9, 8, 8] at 0.15/0.065 µm voxels
 */
export function resolveBeadFindingOptions(image: ImageView, options: BeadFindingOptions = {}): ResolvedBeadFindingOptions {
  const [dz, dy, dx] = requireVoxelSizeUm(image, "Bead finding");
  let expected = options.expectedFwhmUm;
  if (expected === undefined) {
    const setup = resolvePsfOpticalSetup(image, options.optics);
    const t = theoreticalResolution(setup);
    expected = { lateral: t.lateralFwhmUm, axial: t.axialFwhmUm };
  }
  positive("expectedFwhmUm.lateral", expected.lateral);
  positive("expectedFwhmUm.axial", expected.axial);
  const fxy = expected.lateral;
  const fz = expected.axial;
  const is3d = image.shape[0] > 1;
  const dxy = Math.max(dx, dy);
  const roiHalfWidthUm = opt("roiHalfWidthUm", options.roiHalfWidthUm, Math.max(DEFAULTS.roiFwhmFactor * fxy, DEFAULTS.minRoiHalfPx * dxy));
  const roiHalfDepthUm = opt("roiHalfDepthUm", options.roiHalfDepthUm, Math.max(DEFAULTS.roiFwhmFactor * fz, DEFAULTS.minRoiHalfPx * dz));
  const gap = nonNegative("sbrAnnulusGapUm", options.sbrAnnulusGapUm, DEFAULTS.sbrAnnulusGapUm);
  const thickness = opt("sbrAnnulusThicknessUm", options.sbrAnnulusThicknessUm, DEFAULTS.sbrAnnulusThicknessUm);
  const sbrBeadRadiusUm = fxy;
  const annulusOuter = sbrBeadRadiusUm + gap + thickness;
  const aggregateTest = options.aggregateTest ?? "robust-z";
  if (!["robust-z", "metroloj-iqr", "none"].includes(aggregateTest)) {
    throw new InvalidArgumentError(`aggregateTest is "${aggregateTest}"; expected "robust-z", "metroloj-iqr" or "none".`, 'Use "robust-z" (default) or "metroloj-iqr" for MetroloJ_QC\'s IQR fences.');
  }
  const maxCandidates = options.maxCandidates ?? DEFAULTS.maxCandidates;
  if (!(Number.isInteger(maxCandidates) && maxCandidates >= 1)) {
    throw new InvalidArgumentError(`maxCandidates is ${maxCandidates}; expected a positive integer.`, "Leave it at 5000 unless the field holds more beads.");
  }
  const halfPx: [number, number, number] = [
    is3d ? Math.max(DEFAULTS.minRoiHalfPx, Math.round(roiHalfDepthUm / dz)) : 0,
    Math.max(DEFAULTS.minRoiHalfPx, Math.round(roiHalfWidthUm / dy)),
    Math.max(DEFAULTS.minRoiHalfPx, Math.round(roiHalfWidthUm / dx)),
  ];
  const relPeak = options.neighbourMinRelativePeak ?? DEFAULTS.neighbourMinRelativePeak;
  if (!(relPeak >= 0 && relPeak <= 1)) {
    throw new InvalidArgumentError(`neighbourMinRelativePeak is ${relPeak}; expected a fraction in [0, 1].`, "0.1 counts peaks at least 10 % as bright as the bead.");
  }
  const maxSat = options.maxSaturatedVoxels ?? DEFAULTS.maxSaturatedVoxels;
  if (!(Number.isInteger(maxSat) && maxSat >= 0)) {
    throw new InvalidArgumentError(`maxSaturatedVoxels is ${maxSat}; expected a whole number ≥ 0.`, "0 rejects any bead with a saturated voxel.");
  }
  const saturationAdu = options.saturationAdu ?? saturationValue(image);
  if (Number.isNaN(saturationAdu)) throw new InvalidArgumentError("saturationAdu is NaN.", "Give the detector's maximum value in ADU, or omit it.");
  return {
    expectedFwhmUm: { lateral: fxy, axial: fz },
    detectionSigmaUm: opt("detectionSigmaUm", options.detectionSigmaUm, Math.max(fxy / FWHM_PER_SIGMA, DEFAULTS.minDetectionSigmaPx * dxy)),
    detectionThresholdSd: opt("detectionThresholdSd", options.detectionThresholdSd, DEFAULTS.detectionThresholdSd),
    roiHalfWidthUm,
    roiHalfDepthUm,
    minEdgeDistanceUm: nonNegative("minEdgeDistanceUm", options.minEdgeDistanceUm, roiHalfWidthUm),
    minEdgeDistanceZUm: nonNegative("minEdgeDistanceZUm", options.minEdgeDistanceZUm, roiHalfDepthUm),
    minNeighbourDistanceUm: nonNegative("minNeighbourDistanceUm", options.minNeighbourDistanceUm, Math.max(roiHalfWidthUm, annulusOuter) + DEFAULTS.neighbourFwhmFactor * fxy),
    neighbourMinRelativePeak: relPeak,
    saturationAdu,
    maxSaturatedVoxels: maxSat,
    minSbr: nonNegative("minSbr", options.minSbr, DEFAULTS.minSbr),
    sbrAnnulusGapUm: gap,
    sbrAnnulusThicknessUm: thickness,
    sbrBeadRadiusUm,
    aggregateTest,
    aggregateRobustZ: opt("aggregateRobustZ", options.aggregateRobustZ, DEFAULTS.aggregateRobustZ),
    maxCandidates,
    roiHalfSizePx: halfPx,
  };
}

function positive(name: string, v: number): void {
  if (!(Number.isFinite(v) && v > 0)) throw new InvalidArgumentError(`${name} is ${v}; expected a positive number.`, "Give lengths in µm.");
}

function opt(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  positive(name, v);
  return v;
}

function nonNegative(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!(Number.isFinite(v) && v >= 0)) throw new InvalidArgumentError(`${name} is ${v}; expected a finite number ≥ 0.`, "Omit it to use the default.");
  return v;
}

/**
 * Finds beads in a 3D stack (or a 2D image) and applies the pre-fit rejection rules, each with a stated reason.
 *
 * Steps: (1) maximum-intensity projection along z (a 2D image is used as is); (2) Gaussian smoothing with σ = the
 * expected PSF σ (matched filter); (3) local maxima above median + k·robust SD of the smoothed projection
 * (peaks closer than one expected FWHM are merged; a maximum that does not dip to below half its height on the
 * straight path to a brighter peak within the neighbour distance lies in that bead's halo (a diffraction ring, side
 * lobe or a bead too close to measure): it is rejected as "neighbour" and does not count as a neighbour of the
 * brighter bead); (4) z of each bead = brightest plane of its 3 × 3 column;
 * (5) per bead, in its fit box and focal plane: saturated voxels, the SBR (F8) and the integrated intensity;
 * (6) rules, in this order: "edge-x", "edge-y", "edge-z" (closer to an edge than the margin), "neighbour" (another
 * bead at least `neighbourMinRelativePeak` as bright within `minNeighbourDistanceUm`), "saturated", "dim"
 * (SBR < minSbr), "aggregate-intensity" (integrated intensity an upper outlier among beads that passed the other rules).
 *
 * @param image - A z-stack [nz, ny, nx] or a 2D image (nz = 1), any pixel type, with a voxel size.
 * @param options - See {@link BeadFindingOptions}; defaults follow from the voxel size and the expected PSF.
 * @returns Every candidate (accepted and rejected, with reasons), detection facts, resolved options and notes.
 * @throws MissingPixelSizeError when the image has no voxel size.
 * @throws MissingMetadataError when the optical setup (or expectedFwhmUm) is missing.
 * @throws InsufficientDataError when no peak rises above the detection threshold ("no beads found").
 * @throws InvalidArgumentError for out-of-range options.
 *
 * Notes: SBR follows MetroloJ_QC (F8 in peers.md) on the bead's focal plane: mask = pixels within one expected
 * lateral FWHM of the peak that are at or above half way between the peak and the background; annulus = pixels at
 * distance r_b + gap … r_b + gap + thickness from the peak (r_b = one expected FWHM, a disc instead of MetroloJ's
 * dilated threshold mask); SBR = mean(mask)/mean(annulus) on raw values, so a detector offset lowers it (MetroloJ_QC
 * never subtracts background either). Beads overlapping in the projection (same x, y, different z) merge into one
 * candidate; the neighbour rule uses lateral distance only. Detection reads the stack once (the projection), then
 * only the fit boxes. The aggregate test needs at least 5 beads (MetroloJ_QC's minimum); with fewer it is skipped
 * with a note.
 * @see Faklaris et al. (2022) J Cell Biol 221:e202107093, doi:10.1083/jcb.202107093; MetroloJ_QC batch PSF profiler;
 *   PSFj (Theer et al. 2014, doi:10.1038/nmeth.3102) bead validity rules
 * @example
 * const found = findBeads(stack, { optics: { modality: "widefield", na: 1.4, immersionIndex: 1.518, emissionWavelengthNm: 520 } });
 * found.candidates.filter((c) => c.rejections.length === 0).length; // beads that passed the pre-fit rules
 */
export function findBeads(image: ImageView, options: BeadFindingOptions = {}): BeadFindingResult {
  const o = resolveBeadFindingOptions(image, options);
  const [nz, ny, nx] = image.shape;
  const [dz, dy, dx] = image.voxelSizeUm as readonly [number, number, number];
  const notes: string[] = [];
  const mip = nz > 1 ? project(image, "z", "max") : image;
  const sigmaPx: [number, number] = [o.detectionSigmaUm / dy, o.detectionSigmaUm / dx];
  const blurred = gaussianBlur(mip, [0, sigmaPx[0], sigmaPx[1]]);
  const { median: bg, sd, max } = sampledMedianSd(blurred.data);
  const noise = sd > 0 ? sd : NOISE_FLOOR_FRACTION * (max - bg);
  const threshold = bg + o.detectionThresholdSd * noise;
  const mergePx = Math.max(1, o.expectedFwhmUm.lateral / Math.max(dx, dy));
  const radius = Math.max(1, Math.round(Math.min(sigmaPx[0], sigmaPx[1])));
  let peaks: Peak[] = noise > 0 ? findLocalMaxima(blurred, threshold, { neighbourhoodRadiusPx: [0, radius, radius], minDistancePx: [0, mergePx, mergePx] }) : [];
  const detection: BeadDetectionInfo = { backgroundAdu: bg, noiseSdAdu: sd, thresholdAdu: threshold, sigmaPx, peaksFound: peaks.length, satellites: 0 };
  if (peaks.length === 0) {
    throw new InsufficientDataError(
      `No beads found: no local maximum of the smoothed max projection rises above the detection threshold ${fmt(threshold)} ADU (background ${fmt(bg)} ADU, robust SD ${fmt(sd)} ADU, ${o.detectionThresholdSd} SD).`,
      "Check that the file holds the bead channel and that beads are in the stack; for very dim beads lower detectionThresholdSd, and re-acquire with more signal if they barely show.",
    );
  }
  if (peaks.length > o.maxCandidates) {
    notes.push(`${peaks.length} peaks found; only the ${o.maxCandidates} brightest were examined (maxCandidates).`);
    peaks = peaks.slice(0, o.maxCandidates);
  }

  const satelliteOf = findSatellites(peaks, blurred.data, ny, nx, bg, Math.max(o.minNeighbourDistanceUm / Math.min(dx, dy), mergePx));
  detection.satellites = satelliteOf.filter((j) => j >= 0).length;
  const [hz, hy, hx] = o.roiHalfSizePx;
  const plane = ny * nx;
  const data = image.data;
  const candidates: BeadCandidate[] = [];
  let sbrMissing = 0;
  for (let k = 0; k < peaks.length; k++) {
    const p = peaks[k];
    const x = p.x;
    const y = p.y;
    const z = nz > 1 ? brightestPlane(data, nz, ny, nx, x, y) : 0;
    const roi: BeadRoi = {
      x0: Math.max(0, x - hx),
      y0: Math.max(0, y - hy),
      z0: Math.max(0, z - hz),
      width: Math.min(nx - 1, x + hx) - Math.max(0, x - hx) + 1,
      height: Math.min(ny - 1, y + hy) - Math.max(0, y - hy) + 1,
      depth: Math.min(nz - 1, z + hz) - Math.max(0, z - hz) + 1,
    };
    const sbr = sbrOnPlane(data, ny, nx, z * plane, x, y, dx, dy, o);
    if (sbr.sbr === null) sbrMissing++;
    let saturated = 0;
    let sum = 0;
    for (let zz = roi.z0; zz < roi.z0 + roi.depth; zz++) {
      for (let yy = roi.y0; yy < roi.y0 + roi.height; yy++) {
        const off = zz * plane + yy * nx;
        for (let xx = roi.x0; xx < roi.x0 + roi.width; xx++) {
          const v = data[off + xx];
          if (v >= o.saturationAdu) saturated++;
          sum += v;
        }
      }
    }
    const nVox = roi.width * roi.height * roi.depth;
    candidates.push({
      id: k,
      xPx: x,
      yPx: y,
      zPx: z,
      xUm: x * dx,
      yUm: y * dy,
      zUm: z * dz,
      peakAdu: sbr.peak,
      backgroundAdu: sbr.background,
      sbr: sbr.sbr,
      integratedIntensityAdu: sum - nVox * sbr.background,
      saturatedVoxels: saturated,
      nearestNeighbourUm: null,
      detectionPeakAdu: p.value - bg,
      roi,
      rejections: [],
    });
  }
  for (let k = 0; k < candidates.length; k++) {
    const j = satelliteOf[k];
    if (j < 0) continue;
    const c = candidates[k];
    const d = Math.hypot(candidates[j].xUm - c.xUm, candidates[j].yUm - c.yUm);
    c.rejections.push({
      rule: "neighbour",
      reason: `lies in the halo of bead ${j}, ${fmt(d)} µm away (the projection does not dip below half this peak's height on the way): a diffraction ring or side lobe, or a bead too close to measure`,
    });
  }
  if (sbrMissing > 0) notes.push(`SBR not computable for ${sbrMissing} bead(s): the annulus mean is ≤ 0 (background-subtracted data?); the "dim" rule was not applied to them.`);

  applyPreFitRules(candidates, satelliteOf, image, o);
  applyAggregateIntensityRule(candidates, o, notes);
  return { candidates, detection, options: o, notes };
}

/** Fraction of its own height a peak must drop on the straight path to a brighter peak to count as a separate bead. */
const SATELLITE_MIN_DIP = 0.5;

/**
 * For each peak, the index of a brighter peak whose halo it sits in (−1 if none): on the straight path to a brighter
 * peak within `reachPx`, the smoothed projection never falls below half the peak's height above the background.
 */
function findSatellites(peaks: readonly Peak[], img: Float32Array, ny: number, nx: number, bg: number, reachPx: number): number[] {
  const out = new Array<number>(peaks.length).fill(-1);
  const reach2 = reachPx * reachPx;
  for (let i = 0; i < peaks.length; i++) {
    const s = peaks[i];
    const height = s.value - bg;
    for (let j = 0; j < i; j++) {
      const b = peaks[j];
      if (!(b.value > s.value) || out[j] >= 0) continue;
      const ex = b.x - s.x;
      const ey = b.y - s.y;
      const d2 = ex * ex + ey * ey;
      if (d2 > reach2) continue;
      const steps = Math.max(2, Math.ceil(2 * Math.sqrt(d2)));
      let lowest = s.value;
      for (let k = 1; k < steps; k++) {
        const t = k / steps;
        const x = Math.min(nx - 1, Math.max(0, Math.round(s.x + t * ex)));
        const y = Math.min(ny - 1, Math.max(0, Math.round(s.y + t * ey)));
        const v = img[y * nx + x];
        if (v < lowest) lowest = v;
      }
      if (s.value - lowest < SATELLITE_MIN_DIP * height) {
        out[i] = j;
        break;
      }
    }
  }
  return out;
}

/** Edge, neighbour, saturation and SBR rules (mutates the candidates' rejection lists and neighbour distances). */
function applyPreFitRules(candidates: BeadCandidate[], satelliteOf: readonly number[], image: ImageView, o: ResolvedBeadFindingOptions): void {
  const [nz, ny, nx] = image.shape;
  const [dz, dy, dx] = image.voxelSizeUm as readonly [number, number, number];
  const n = candidates.length;
  const dmin2 = o.minNeighbourDistanceUm * o.minNeighbourDistanceUm;
  for (let i = 0; i < n; i++) {
    const c = candidates[i];
    const rej = c.rejections;
    edgeRule(rej, "edge-x", "x", c.xPx * dx, (nx - 1 - c.xPx) * dx, "left", "right", o.minEdgeDistanceUm);
    edgeRule(rej, "edge-y", "y", c.yPx * dy, (ny - 1 - c.yPx) * dy, "top", "bottom", o.minEdgeDistanceUm);
    if (nz > 1) edgeRule(rej, "edge-z", "z", c.zPx * dz, (nz - 1 - c.zPx) * dz, "first", "last", o.minEdgeDistanceZUm);
    let best = Number.POSITIVE_INFINITY;
    let bestJ = -1;
    for (let j = 0; j < n; j++) {
      if (j === i || satelliteOf[j] >= 0) continue;
      const other = candidates[j];
      if (other.detectionPeakAdu < o.neighbourMinRelativePeak * c.detectionPeakAdu) continue;
      const ex = other.xUm - c.xUm;
      const ey = other.yUm - c.yUm;
      const d2 = ex * ex + ey * ey;
      if (d2 < best) {
        best = d2;
        bestJ = j;
      }
    }
    if (bestJ >= 0) {
      const d = Math.sqrt(best);
      (c as { nearestNeighbourUm: number | null }).nearestNeighbourUm = d;
      if (best < dmin2 && satelliteOf[i] < 0) {
        const ratio = candidates[bestJ].detectionPeakAdu / Math.max(c.detectionPeakAdu, Number.MIN_VALUE);
        const brightness = ratio >= 2 ? `, ${ratio.toFixed(0)}× brighter (perhaps its diffraction ring)` : "";
        rej.push({ rule: "neighbour", reason: `bead ${candidates[bestJ].id} is ${fmt(d)} µm away${brightness}; the minimum distance is ${fmt(o.minNeighbourDistanceUm)} µm` });
      }
    }
    if (c.saturatedVoxels > o.maxSaturatedVoxels) {
      rej.push({ rule: "saturated", reason: `${c.saturatedVoxels} voxel(s) at or above ${fmt(o.saturationAdu)} ADU in the fit box (allowed ${o.maxSaturatedVoxels})` });
    }
    if (c.sbr !== null && c.sbr < o.minSbr) {
      rej.push({ rule: "dim", reason: `signal-to-background ratio ${c.sbr.toFixed(2)} is below ${o.minSbr} (peak ${fmt(c.peakAdu)} ADU over a background of ${fmt(c.backgroundAdu)} ADU)` });
    }
  }
}

function edgeRule(rej: BeadRejection[], rule: BeadRejectionRule, axis: string, lo: number, hi: number, loName: string, hiName: string, margin: number): void {
  const d = Math.min(lo, hi);
  if (d < margin) {
    const side = lo <= hi ? loName : hiName;
    const what = axis === "z" ? `${side} plane of the stack` : `${side} ${axis} edge`;
    rej.push({ rule, reason: `centre ${fmt(d)} µm from the ${what}; at least ${fmt(margin)} µm needed so the fit box fits` });
  }
}

function applyAggregateIntensityRule(candidates: BeadCandidate[], o: ResolvedBeadFindingOptions, notes: string[]): void {
  const clean = candidates.filter((c) => c.rejections.length === 0);
  const values = clean.map((c) => c.integratedIntensityAdu);
  const out = upperOutliers(values, o.aggregateTest, o.aggregateRobustZ);
  if (out === null) {
    if (o.aggregateTest !== "none") notes.push(`Aggregate test on integrated intensity skipped: ${clean.length} bead(s) passed the other rules, at least ${METROLOJ_MIN_OUTLIER_SAMPLES} are needed.`);
    return;
  }
  const med = median(values);
  for (const i of out.indices) {
    const c = clean[i];
    c.rejections.push({
      rule: "aggregate-intensity",
      reason: `integrated intensity ${(c.integratedIntensityAdu / med).toFixed(1)}× the median bead (${out.describe(i)}): probably two or more beads together`,
    });
  }
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

/** z of the brightest plane of the 3 × 3 column around (x, y). */
function brightestPlane(data: ImageView["data"], nz: number, ny: number, nx: number, x: number, y: number): number {
  const x0 = Math.max(0, x - 1);
  const x1 = Math.min(nx - 1, x + 1);
  const y0 = Math.max(0, y - 1);
  const y1 = Math.min(ny - 1, y + 1);
  const plane = ny * nx;
  let best = Number.NEGATIVE_INFINITY;
  let bz = 0;
  for (let z = 0; z < nz; z++) {
    let s = 0;
    for (let yy = y0; yy <= y1; yy++) {
      const off = z * plane + yy * nx;
      for (let xx = x0; xx <= x1; xx++) s += data[off + xx];
    }
    if (s > best) {
      best = s;
      bz = z;
    }
  }
  return bz;
}

/** SBR (F8) on one plane around (x, y): bead disc, half-max mask, annulus. */
function sbrOnPlane(
  data: ImageView["data"],
  ny: number,
  nx: number,
  planeOff: number,
  x: number,
  y: number,
  dx: number,
  dy: number,
  o: ResolvedBeadFindingOptions,
): { peak: number; background: number; sbr: number | null } {
  const rb = o.sbrBeadRadiusUm;
  const rIn = rb + o.sbrAnnulusGapUm;
  const rOut = rIn + o.sbrAnnulusThicknessUm;
  const rxOut = Math.ceil(rOut / dx);
  const ryOut = Math.ceil(rOut / dy);
  const y0 = Math.max(0, y - ryOut);
  const y1 = Math.min(ny - 1, y + ryOut);
  const x0 = Math.max(0, x - rxOut);
  const x1 = Math.min(nx - 1, x + rxOut);
  let annSum = 0;
  let annN = 0;
  let peak = Number.NEGATIVE_INFINITY;
  const rb2 = rb * rb;
  const rIn2 = rIn * rIn;
  const rOut2 = rOut * rOut;
  for (let yy = y0; yy <= y1; yy++) {
    const ey = (yy - y) * dy;
    const off = planeOff + yy * nx;
    for (let xx = x0; xx <= x1; xx++) {
      const ex = (xx - x) * dx;
      const r2 = ex * ex + ey * ey;
      const v = data[off + xx];
      if (r2 <= rb2) {
        if (v > peak) peak = v;
      } else if (r2 >= rIn2 && r2 < rOut2) {
        annSum += v;
        annN++;
      }
    }
  }
  const background = annN > 0 ? annSum / annN : 0;
  if (!(annN > 0 && background > 0)) return { peak, background, sbr: null };
  const half = 0.5 * (peak + background);
  let mSum = 0;
  let mN = 0;
  for (let yy = y0; yy <= y1; yy++) {
    const ey = (yy - y) * dy;
    const off = planeOff + yy * nx;
    for (let xx = x0; xx <= x1; xx++) {
      const ex = (xx - x) * dx;
      if (ex * ex + ey * ey > rb2) continue;
      const v = data[off + xx];
      if (v >= half) {
        mSum += v;
        mN++;
      }
    }
  }
  // peak below the annulus (a ridge on a brighter bead's halo): the mask is the peak alone
  return { peak, background, sbr: mN > 0 ? mSum / mN / background : peak / background };
}

/** Median, robust SD (1.4826·MAD) and maximum of a (strided) sample of the values. */
function sampledMedianSd(values: Float32Array): { median: number; sd: number; max: number } {
  const n = values.length;
  const stride = Math.max(1, Math.floor(n / STATS_SAMPLE_MAX));
  const m = Math.ceil(n / stride);
  const s = new Float64Array(m);
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0, k = 0; i < n; i += stride, k++) s[k] = values[i];
  for (let i = 0; i < n; i++) if (values[i] > max) max = values[i];
  s.sort();
  const med = s[m >> 1];
  for (let k = 0; k < m; k++) s[k] = Math.abs(s[k] - med);
  s.sort();
  return { median: med, sd: MAD_TO_SD * s[m >> 1], max };
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2);
}
