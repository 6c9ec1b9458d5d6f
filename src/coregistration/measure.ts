/**
 * WG4 chromatic co-registration from multi-colour beads: per bead and channel a sub-voxel 3D Gaussian centre,
 * shifts between every channel pair with propagated standard errors, ISO 21073 lateral and axial distances,
 * MetroloJ_QC's co-registration ratio, and registration transforms across the field.
 * @module
 */
import { DimensionError, FitError, InsufficientDataError, InvalidArgumentError, LimiqcError } from "../core/errors.js";
import { makeProvenance, type Provenance, sha256 } from "../core/provenance.js";
import { type Quantity, quantity, type Verdict, type VerdictLevel } from "../core/quantity.js";
import { fitGaussian2D } from "../fit/gaussian.js";
import { type ImageView, type MultiChannelImage, requireVoxelSizeUm, saturationValue } from "../image/types.js";
import { FWHM_PER_SIGMA } from "../optics/constants.js";
import { type OpticalSetup, type TheoreticalResolution, theoreticalResolution } from "../optics/resolution.js";
import { judge } from "../protocols/load.js";
import { type BeadCandidate, type BeadFindingOptions, type BeadRoi, findBeads } from "../resolution/bead-detection.js";
import { fitBeadPsf } from "../resolution/bead-fit.js";
import { resolvePsfOpticalSetup } from "../resolution/optics-setup.js";
import { COREGISTRATION_RATIO_CRITERION } from "./criteria.js";
import { type BeadDisplacements, fitRegistrationTransform, type RegistrationKind, type RegistrationTransform } from "./transform.js";

const NM_PER_UM = 1000;
/** A bead's fitted centre in another channel may be at most this many expected lateral FWHMs from the reference detection. */
const DEFAULT_MAX_SHIFT_FWHM = 2;
/** Fits with R² below this are rejected ("poor-fit"). */
const DEFAULT_MIN_R_SQUARED = 0.8;
/** Fraction of beads above the ratio limit that turns a passing median into a warning. */
const WARN_PERCENTILE = 0.9;

/** Options of {@link measureCoregistration}. */
export interface CoregistrationOptions {
  /**
   * Optical setup shared by the channels: modality, NA, immersion index (needed for the theoretical resolution and
   * the co-registration ratio). Per-channel wavelengths come from the image's channel info or `emissionWavelengthsNm`.
   */
  optics?: Partial<OpticalSetup>;
  /** Emission wavelength of each channel, nm (overrides the channel info). @default from the image */
  emissionWavelengthsNm?: readonly number[];
  /** Excitation wavelength of each channel, nm (confocal / multiphoton resolution). @default from the image */
  excitationWavelengthsNm?: readonly number[];
  /** Channel whose beads are detected (and the reference of the transforms). @default 0 */
  referenceChannel?: number;
  /** Options passed to the bead finder of the resolution module (detection threshold, edge margins, ...). @default its defaults */
  beadFinding?: Omit<BeadFindingOptions, "optics">;
  /** A counterpart farther than this from the reference detection is not the same bead, µm. @default 2 × the expected lateral FWHM */
  maxShiftUm?: number;
  /** Fits with R² below this are rejected. @default 0.8 */
  minRSquared?: number;
  /** Degree of the polynomial registration. @default 2 */
  polynomialDegree?: number;
  /** Pass limit of the median co-registration ratio. @default 1 (MetroloJ_QC) */
  ratioLimit?: number;
  /** Provenance inputs (files with their SHA-256). @default the channels' pixels */
  inputs?: readonly { file?: string; sha256: string }[];
}

/** Options with defaults filled in. */
export interface ResolvedCoregistrationOptions {
  readonly referenceChannel: number;
  readonly maxShiftUm: number;
  readonly minRSquared: number;
  readonly polynomialDegree: number;
  readonly ratioLimit: number;
  readonly optics: Partial<OpticalSetup>;
  readonly emissionWavelengthsNm: (number | null)[];
  readonly excitationWavelengthsNm: (number | null)[];
}

/** One channel's fit of one bead. Positions in µm from the centre of voxel (0, 0, 0), ± fit standard error. */
export interface CoregBeadFit {
  readonly channel: number;
  readonly xUm: Quantity;
  readonly yUm: Quantity;
  /** 0 ± 0 for a 2D image. */
  readonly zUm: Quantity;
  readonly rSquared: number;
  readonly amplitudeAdu: number;
  readonly backgroundAdu: number;
}

/** Why a bead (or one channel of it) was not used. */
export interface CoregRejection {
  /** Channel concerned, or null for the whole bead (reference-channel detection rules). */
  readonly channel: number | null;
  readonly rule: string;
  readonly reason: string;
}

/** A bead seen by the detector on the reference channel. */
export interface CoregBead {
  readonly id: number;
  /** Detected voxel on the reference channel, px. */
  readonly xPx: number;
  readonly yPx: number;
  readonly zPx: number;
  /** Signal-to-background ratio on the reference channel (MetroloJ_QC F8), null when not computable. */
  readonly sbr: number | null;
  /** Per channel: the fit, or null when that channel was rejected. */
  readonly fits: (CoregBeadFit | null)[];
  readonly rejections: CoregRejection[];
}

/** The shift of one bead between two channels (target − reference). */
export interface CoregPairBead {
  readonly beadId: number;
  /** Reference-channel position, µm. */
  readonly xUm: number;
  readonly yUm: number;
  readonly dxNm: Quantity;
  readonly dyNm: Quantity;
  /** 0 ± 0 for 2D images. */
  readonly dzNm: Quantity;
  /** ISO 21073 lateral distance √(Δx² + Δy²), nm. */
  readonly lateralNm: Quantity;
  /** ISO 21073 axial distance |Δz|, nm. */
  readonly axialNm: Quantity;
  /** 3D distance d, nm. */
  readonly distanceNm: Quantity;
  /** Radius of the resolution ellipsoid in the shift direction, r_ref, nm. */
  readonly referenceDistanceNm: number;
  /** d / r_ref ± SE(d)/r_ref. */
  readonly ratio: Quantity;
}

/** One channel pair. */
export interface CoregPair {
  readonly reference: number;
  readonly target: number;
  /** The channel whose (longer) emission wavelength sets the resolution ellipsoid, and that resolution. */
  readonly resolutionChannel: number;
  readonly resolution: { readonly wavelengthNm: number; readonly lateralNm: number; readonly axialNm: number; readonly formulas: string };
  readonly beads: CoregPairBead[];
  readonly summary: {
    readonly n: number;
    /** Inverse-variance weighted mean shift ± its standard error, nm. */
    readonly meanDxNm: Quantity;
    readonly meanDyNm: Quantity;
    readonly meanDzNm: Quantity;
    /** Bead-to-bead SD of the shifts, nm (includes field dependence). */
    readonly sdNm: { readonly x: number; readonly y: number; readonly z: number };
    /** Median over beads of the ISO 21073 distances and the ratio. */
    readonly medianLateralNm: number;
    readonly medianAxialNm: number;
    readonly medianRatio: number;
    readonly maxRatio: number;
    /** Beads with ratio > the limit, %. */
    readonly beadsAboveLimitPercent: number;
  };
  /** Transforms from the reference to the target channel, or null when too few beads (with a note). */
  readonly transforms: { readonly translation: RegistrationTransform | null; readonly affine: RegistrationTransform | null; readonly polynomial: RegistrationTransform | null };
  readonly verdict: Verdict;
}

/** Result of {@link measureCoregistration}. */
export interface CoregistrationResult {
  readonly channels: { readonly index: number; readonly name?: string; readonly emissionWavelengthNm: number | null; readonly excitationWavelengthNm: number | null }[];
  /** [nz, ny, nx] and voxel size [dz, dy, dx] µm. */
  readonly shape: readonly [number, number, number];
  readonly voxelSizeUm: readonly [number, number, number];
  /** False for a single plane: axial shifts are not measured (reported as 0 ± 0). */
  readonly axialMeasured: boolean;
  readonly beads: CoregBead[];
  readonly counts: { readonly detected: number; readonly usedInAllChannels: number };
  readonly pairs: CoregPair[];
  /** Worst pair. */
  readonly verdict: Verdict & { readonly details: { readonly pair: string; readonly level: VerdictLevel; readonly reason: string }[] };
  readonly options: ResolvedCoregistrationOptions;
  readonly provenance: Provenance;
}

/**
 * Radius of the resolution ellipsoid (semi-axes rx, ry, rz) in the direction of a shift (Δx, Δy, Δz) — MetroloJ_QC's
 * corrected (2024) reference distance:
 * r_ref = rx·ry·rz / √((ry·rz·cos φ·sin θ)² + (rx·rz·sin φ·sin θ)² + (rx·ry·cos θ)²),
 * θ = arccos(Δz/d), φ = arccos(Δx/d_xy), d = |Δ|, d_xy = √(Δx² + Δy²) (θ = 0 when d = 0; φ = π/2 when d_xy = 0).
 *
 * @param shift - [Δx, Δy, Δz], any length unit.
 * @param radii - [rx, ry, rz], the same unit (theoretical lateral, lateral and axial resolution).
 * @returns r_ref in that unit.
 * @throws InvalidArgumentError when a radius is not positive.
 *
 * Notes: this is the distance from the centre to the ellipsoid surface along the shift; the pre-2024 MetroloJ_QC form
 * (√((rx sinθ cosφ)² + (ry sinθ sinφ)² + (rz cosθ)²)) was wrong and was replaced after a QUAREP-LiMi report.
 * @see MetroloJ_QC `resolution/theoreticalResolutionCalculator.getReferenceDistance`
 * @example
 * referenceDistance([0.1, 0, 0], [0.2, 0.2, 0.6]); // 0.2 (lateral shift: the lateral radius)
 */
export function referenceDistance(shift: readonly [number, number, number], radii: readonly [number, number, number]): number {
  const [rx, ry, rz] = radii;
  if (!(rx > 0 && ry > 0 && rz > 0)) throw new InvalidArgumentError(`Resolution radii [${radii.join(", ")}] must all be > 0.`, "Pass the theoretical resolution (lateral, lateral, axial).");
  const [dx, dy, dz] = shift;
  const dxy = Math.hypot(dx, dy);
  const d = Math.hypot(dxy, dz);
  const theta = d > 0 ? Math.acos(Math.max(-1, Math.min(1, dz / d))) : 0;
  const phi = dxy > 0 ? Math.acos(Math.max(-1, Math.min(1, dx / dxy))) : Math.PI / 2;
  const a = ry * rz * Math.cos(phi) * Math.sin(theta);
  const b = rx * rz * Math.sin(phi) * Math.sin(theta);
  const c = rx * ry * Math.cos(theta);
  return (rx * ry * rz) / Math.sqrt(a * a + b * b + c * c);
}

function channelList(image: MultiChannelImage): readonly ImageView[] {
  const ch = image.channels;
  if (ch.length < 2) {
    throw new DimensionError(
      `Co-registration compares channels, but the image has ${ch.length} channel${ch.length === 1 ? "" : "s"}.`,
      "Acquire the multi-colour beads in every channel you use (one file with all channels, e.g. OME-TIFF), then analyse that file.",
    );
  }
  const [nz, ny, nx] = ch[0].shape;
  for (const [i, c] of ch.entries()) {
    if (c.shape[0] !== nz || c.shape[1] !== ny || c.shape[2] !== nx) {
      throw new DimensionError(`Channel ${i} has shape [${c.shape.join(", ")}] but channel 0 has [${ch[0].shape.join(", ")}].`, "All channels must cover the same field and stack.");
    }
  }
  if (nz === 2) {
    throw new DimensionError(
      "The stack has 2 planes: too few for an axial fit and not a single plane.",
      "Acquire a z-stack through the beads (Nyquist z-step, ≥ 3 FWHM_z deep), or pass one plane for a lateral-only check.",
    );
  }
  return ch;
}

/**
 * Chromatic co-registration of a multichannel bead image (3D stack or 2D), with verdict.
 *
 * @param image - Channels of multi-colour (e.g. TetraSpeck) beads: same shape and voxel size (µm); 3D stacks with
 *   ≥ 3 planes, or single planes (lateral only).
 * @param options - Optics (modality, NA, immersion), wavelengths, reference channel, bead finding, limits.
 * @returns Per-bead fits, per-pair shifts with standard errors, ISO 21073 distances, co-registration ratios,
 *   translation / affine / polynomial transforms with residuals, verdicts and provenance.
 * @throws DimensionError for fewer than 2 channels, channels of different shapes, or a 2-plane stack.
 * @throws MissingPixelSizeError when the voxel size is unknown.
 * @throws MissingMetadataError when modality, NA, immersion index or a channel's wavelength is missing.
 * @throws InsufficientDataError when no beads are found, or none is usable in every channel.
 * @throws InvalidArgumentError for out-of-range options.
 *
 * Notes — method: beads are detected on the reference channel with the resolution module's `findBeads` (smoothed max
 * projection, local maxima, edge / neighbour / saturation / SBR / aggregate rules, each with a reason). In every
 * channel the fit box is re-centred on that channel's brightest voxel and a 3D Gaussian is fitted (`fitBeadPsf`: two
 * passes, the second weighted by a noise model estimated on the bead, so standard errors are honest under shot noise);
 * single planes use a 2D Gaussian. A channel's fit is rejected when it fails, has R² < 0.8, has saturated voxels, or
 * lies farther than 2 expected FWHM from the reference detection (not the same bead). For each pair (i < j):
 * Δ = c_j − c_i with SE(Δ_a) = √(SE_i,a² + SE_j,a²) (independent fits); ISO 21073 lateral √(Δx² + Δy²) and axial |Δz|;
 * d = |Δ|, SE(d) by the delta method; ratio = d/r_ref with r_ref the radius of the resolution ellipsoid
 * (MetroloJ_QC theoretical resolution of the channel with the longer emission wavelength) in the direction of Δ,
 * see {@link referenceDistance}. Verdict per pair: fail when the median ratio over beads exceeds 1 (MetroloJ_QC
 * `coalRatioTolerance`); warn when it passes but more than 10 % of the beads exceed 1 (field-dependent shifts such as
 * lateral chromatic magnification). Transforms are fitted with inverse-variance weights ({@link fitRegistrationTransform}).
 * @see ISO 21073:2019 (co-registration accuracy); MetroloJ_QC `coalignement/coAlignement.java`; Faklaris et al. (2022)
 *   J Cell Biol 221:e202107093, doi:10.1083/jcb.202107093
 * @example
 * const { image } = simulateMultiChannelBeadStack({ beads: 20, channels: [{}, { emissionWavelengthNm: 600, shiftUm: [0.05, 0, 0.2] }] });
 * const r = measureCoregistration(image, { optics: { modality: "widefield", na: 1.4, immersionIndex: 1.518 } });
 * r.pairs[0].summary.meanDxNm.value; // ≈ 50
 */
export function measureCoregistration(image: MultiChannelImage, options: CoregistrationOptions = {}): CoregistrationResult {
  const channels = channelList(image);
  const nCh = channels.length;
  const ref = options.referenceChannel ?? 0;
  if (!(Number.isInteger(ref) && ref >= 0 && ref < nCh)) {
    throw new InvalidArgumentError(`referenceChannel ${ref} does not exist; the image has channels 0…${nCh - 1}.`, "Channels are numbered from 0.");
  }
  const refImage = channels[ref];
  const voxel = requireVoxelSizeUm(refImage, "Co-registration");
  const [nz, ny, nx] = refImage.shape;
  const is3D = nz >= 3;
  // per-channel optics and theoretical resolution
  const emission = channels.map((c, i) => options.emissionWavelengthsNm?.[i] ?? c.channel?.emissionWavelengthNm ?? null);
  const excitation = channels.map((c, i) => options.excitationWavelengthsNm?.[i] ?? c.channel?.excitationWavelengthNm ?? null);
  const setups: OpticalSetup[] = channels.map((c, i) =>
    resolvePsfOpticalSetup(c, {
      ...options.optics,
      ...(emission[i] !== null ? { emissionWavelengthNm: emission[i] as number } : {}),
      ...(excitation[i] !== null ? { excitationWavelengthNm: excitation[i] as number } : {}),
    }),
  );
  const theory: TheoreticalResolution[] = setups.map((s, i) => {
    try {
      return theoreticalResolution(s);
    } catch (e) {
      if (e instanceof LimiqcError) {
        const Ctor = e.constructor as new (message: string, hint?: string) => LimiqcError;
        throw new Ctor(`Channel ${i}: ${e.message.split("\n  → ")[0]}`, "Give each channel's wavelengths (emissionWavelengthsNm / excitationWavelengthsNm, CLI --wavelengths 520,600) or save them in the OME-TIFF.");
      }
      throw e;
    }
  });
  const o: ResolvedCoregistrationOptions = {
    referenceChannel: ref,
    maxShiftUm: options.maxShiftUm ?? DEFAULT_MAX_SHIFT_FWHM * theory[ref].lateralFwhmUm,
    minRSquared: options.minRSquared ?? DEFAULT_MIN_R_SQUARED,
    polynomialDegree: options.polynomialDegree ?? 2,
    ratioLimit: options.ratioLimit ?? COREGISTRATION_RATIO_CRITERION.fail,
    optics: { ...options.optics },
    emissionWavelengthsNm: emission,
    excitationWavelengthsNm: excitation,
  };
  if (!(o.maxShiftUm > 0)) throw new InvalidArgumentError(`maxShiftUm = ${o.maxShiftUm}; expected > 0.`, "Leave it at the default (2 expected FWHM).");
  if (!(o.ratioLimit > 0)) throw new InvalidArgumentError(`ratioLimit = ${o.ratioLimit}; expected > 0.`, "The MetroloJ_QC default is 1.");

  // detection on the reference channel
  const found = findBeads(refImage, { ...options.beadFinding, optics: setups[ref] });
  const notes = [...found.notes];
  const beads: CoregBead[] = [];
  const sat = channels.map((c) => saturationValue(c));
  for (const cand of found.candidates) {
    const rejections: CoregRejection[] = cand.rejections.map((r) => ({ channel: null, rule: r.rule, reason: r.reason }));
    const fits: (CoregBeadFit | null)[] = channels.map(() => null);
    if (rejections.length === 0) {
      for (let c = 0; c < nCh; c++) {
        const res = fitChannel(channels[c], cand, is3D, voxel, theory[c], sat[c], o);
        if ("rule" in res) rejections.push({ channel: c, rule: res.rule, reason: res.reason });
        else fits[c] = { ...res, channel: c };
      }
    }
    beads.push({ id: cand.id, xPx: cand.xPx, yPx: cand.yPx, zPx: cand.zPx, sbr: cand.sbr, fits, rejections });
  }
  const usedInAll = beads.filter((b) => b.fits.every((f) => f !== null)).length;
  if (beads.every((b) => b.fits.filter((f) => f !== null).length < 2)) {
    const reasons = summariseRejections(beads);
    throw new InsufficientDataError(
      `${beads.length} bead${beads.length === 1 ? "" : "s"} detected on channel ${ref}, but none could be fitted in two channels (${reasons}).`,
      "Use brighter, sparser multi-colour beads away from the image edges, avoid saturation, and check that every channel shows the beads.",
    );
  }

  // pairs
  const fieldUm: [number, number] = [(nx - 1) * voxel[2], (ny - 1) * voxel[1]];
  const pairs: CoregPair[] = [];
  for (let i = 0; i < nCh; i++) {
    for (let j = i + 1; j < nCh; j++) pairs.push(analysePair(beads, i, j, theory, emission, fieldUm, o, notes));
  }
  const order: VerdictLevel[] = ["pass", "warn", "fail"];
  const details = pairs.map((p) => ({ pair: `${p.reference}→${p.target}`, level: p.verdict.level, reason: p.verdict.reason }));
  const worst = pairs.reduce((a, b) => (order.indexOf(b.verdict.level) > order.indexOf(a.verdict.level) ? b : a));
  const level = worst.verdict.level;
  const reason =
    pairs.length === 1
      ? worst.verdict.reason
      : level === "pass"
        ? `All ${pairs.length} channel pairs pass: median ratios ${pairs.map((p) => `${p.reference}→${p.target} ${p.summary.medianRatio.toFixed(2)}`).join(", ")} (limit ${o.ratioLimit}).`
        : worst.verdict.reason;
  const inputs = options.inputs ?? channels.map((c) => ({ sha256: sha256(c.data) }));
  return {
    channels: channels.map((c, i) => ({ index: i, ...(c.channel?.name !== undefined ? { name: c.channel.name } : {}), emissionWavelengthNm: emission[i], excitationWavelengthNm: excitation[i] })),
    shape: [nz, ny, nx],
    voxelSizeUm: [voxel[0], voxel[1], voxel[2]],
    axialMeasured: is3D,
    beads,
    counts: { detected: beads.length, usedInAllChannels: usedInAll },
    pairs,
    verdict: { level, reason, details },
    options: o,
    provenance: makeProvenance("measureCoregistration", o, inputs, notes),
  };
}

function summariseRejections(beads: readonly CoregBead[]): string {
  const counts = new Map<string, number>();
  for (const b of beads) for (const r of b.rejections) counts.set(r.rule, (counts.get(r.rule) ?? 0) + 1);
  return [...counts.entries()].map(([rule, n]) => `${n} ${rule}`).join(", ") || "no fits";
}

type FitOutcome = Omit<CoregBeadFit, "channel"> | { rule: string; reason: string };

/** Re-centres the fit box on this channel's brightest voxel (3 × 3 × 3 mean) inside the reference box, then fits. */
function fitChannel(
  image: ImageView,
  cand: BeadCandidate,
  is3D: boolean,
  voxel: readonly [number, number, number],
  theory: TheoreticalResolution,
  satAdu: number,
  o: ResolvedCoregistrationOptions,
): FitOutcome {
  const [nz, ny, nx] = image.shape;
  const r = cand.roi;
  const data = image.data;
  const plane = ny * nx;
  let best = Number.NEGATIVE_INFINITY;
  let bx = cand.xPx;
  let by = cand.yPx;
  let bz = cand.zPx;
  for (let z = r.z0; z < r.z0 + r.depth; z++) {
    for (let y = r.y0; y < r.y0 + r.height; y++) {
      for (let x = r.x0; x < r.x0 + r.width; x++) {
        let s = 0;
        for (let dz = -1; dz <= 1; dz++) {
          const zz = Math.min(nz - 1, Math.max(0, z + dz));
          for (let dy = -1; dy <= 1; dy++) {
            const yy = Math.min(ny - 1, Math.max(0, y + dy));
            const off = zz * plane + yy * nx;
            for (let dx = -1; dx <= 1; dx++) s += data[off + Math.min(nx - 1, Math.max(0, x + dx))];
          }
        }
        if (s > best) {
          best = s;
          bx = x;
          by = y;
          bz = z;
        }
      }
    }
  }
  const hx = Math.floor((r.width - 1) / 2);
  const hy = Math.floor((r.height - 1) / 2);
  const hz = Math.floor((r.depth - 1) / 2);
  const roi: BeadRoi = {
    x0: Math.max(0, bx - hx),
    y0: Math.max(0, by - hy),
    z0: is3D ? Math.max(0, bz - hz) : 0,
    width: Math.min(nx - 1, bx + hx) - Math.max(0, bx - hx) + 1,
    height: Math.min(ny - 1, by + hy) - Math.max(0, by - hy) + 1,
    depth: is3D ? Math.min(nz - 1, bz + hz) - Math.max(0, bz - hz) + 1 : 1,
  };
  let saturated = 0;
  for (let z = roi.z0; z < roi.z0 + roi.depth; z++) {
    for (let y = roi.y0; y < roi.y0 + roi.height; y++) {
      const off = z * plane + y * nx;
      for (let x = roi.x0; x < roi.x0 + roi.width; x++) if (data[off + x] >= satAdu) saturated++;
    }
  }
  if (saturated > 0) return { rule: "saturated", reason: `${saturated} voxel(s) at the detector maximum ${satAdu} ADU in the fit box` };
  const sigmaLat = theory.lateralFwhmUm / FWHM_PER_SIGMA;
  const sigmaAx = theory.axialFwhmUm / FWHM_PER_SIGMA;
  let fit: Omit<CoregBeadFit, "channel">;
  try {
    if (is3D) {
      const f = fitBeadPsf(image, roi, [sigmaLat, sigmaAx]).fit3d;
      fit = { xUm: f.x.centre, yUm: f.y.centre, zUm: f.z.centre, rSquared: f.rSquared, amplitudeAdu: f.amplitudeAdu, backgroundAdu: f.offsetAdu };
    } else {
      const sub = new Float64Array(roi.width * roi.height);
      for (let y = 0; y < roi.height; y++) for (let x = 0; x < roi.width; x++) sub[y * roi.width + x] = data[(roi.y0 + y) * nx + roi.x0 + x];
      const f = fitGaussian2D(sub, [roi.height, roi.width], { init: { sigmaX: sigmaLat / voxel[2], sigmaY: sigmaLat / voxel[1] } });
      fit = {
        xUm: quantity((roi.x0 + f.centreX.value) * voxel[2], f.centreX.standardError * voxel[2], "um"),
        yUm: quantity((roi.y0 + f.centreY.value) * voxel[1], f.centreY.standardError * voxel[1], "um"),
        zUm: quantity(0, 0, "um"),
        rSquared: f.rSquared,
        amplitudeAdu: f.amplitude.value,
        backgroundAdu: f.offset.value,
      };
    }
  } catch (e) {
    if (e instanceof FitError || e instanceof InvalidArgumentError) return { rule: "fit-failed", reason: e.message.split("\n")[0] };
    throw e;
  }
  if (!(fit.rSquared >= o.minRSquared)) return { rule: "poor-fit", reason: `R² = ${fit.rSquared.toFixed(3)} < ${o.minRSquared}` };
  const off = Math.hypot(fit.xUm.value - cand.xUm, fit.yUm.value - cand.yUm);
  if (off > o.maxShiftUm) {
    return { rule: "no-counterpart", reason: `fitted centre ${off.toFixed(3)} µm from the reference detection (limit ${o.maxShiftUm.toFixed(3)} µm): not the same bead` };
  }
  if (![fit.xUm, fit.yUm, fit.zUm].every((q) => Number.isFinite(q.value) && Number.isFinite(q.uncertainty))) {
    return { rule: "fit-failed", reason: "non-finite centre or standard error" };
  }
  return fit;
}

function analysePair(
  beads: readonly CoregBead[],
  i: number,
  j: number,
  theory: readonly TheoreticalResolution[],
  emission: readonly (number | null)[],
  fieldUm: readonly [number, number],
  o: ResolvedCoregistrationOptions,
  notes: string[],
): CoregPair {
  const resCh = (emission[j] ?? 0) > (emission[i] ?? 0) ? j : i;
  const th = theory[resCh];
  const radii: [number, number, number] = [th.lateralFwhmUm, th.lateralFwhmUm, th.axialFwhmUm];
  const rows: CoregPairBead[] = [];
  for (const b of beads) {
    const a = b.fits[i];
    const c = b.fits[j];
    if (!a || !c) continue;
    const d = [c.xUm.value - a.xUm.value, c.yUm.value - a.yUm.value, c.zUm.value - a.zUm.value] as const;
    const se = [Math.hypot(a.xUm.uncertainty, c.xUm.uncertainty), Math.hypot(a.yUm.uncertainty, c.yUm.uncertainty), Math.hypot(a.zUm.uncertainty, c.zUm.uncertainty)] as const;
    const lat = Math.hypot(d[0], d[1]);
    const dist = Math.hypot(lat, d[2]);
    const latSe = lat > 0 ? Math.sqrt((d[0] * se[0]) ** 2 + (d[1] * se[1]) ** 2) / lat : Math.hypot(se[0], se[1]) / Math.SQRT2;
    const distSe = dist > 0 ? Math.sqrt((d[0] * se[0]) ** 2 + (d[1] * se[1]) ** 2 + (d[2] * se[2]) ** 2) / dist : Math.hypot(...se) / Math.sqrt(3);
    const rref = referenceDistance(d, radii);
    rows.push({
      beadId: b.id,
      xUm: a.xUm.value,
      yUm: a.yUm.value,
      dxNm: quantity(NM_PER_UM * d[0], NM_PER_UM * se[0], "nm"),
      dyNm: quantity(NM_PER_UM * d[1], NM_PER_UM * se[1], "nm"),
      dzNm: quantity(NM_PER_UM * d[2], NM_PER_UM * se[2], "nm"),
      lateralNm: quantity(NM_PER_UM * lat, NM_PER_UM * latSe, "nm"),
      axialNm: quantity(NM_PER_UM * Math.abs(d[2]), NM_PER_UM * se[2], "nm"),
      distanceNm: quantity(NM_PER_UM * dist, NM_PER_UM * distSe, "nm"),
      referenceDistanceNm: NM_PER_UM * rref,
      ratio: quantity(dist / rref, distSe / rref, "1"),
    });
  }
  const label = `channels ${i}→${j}`;
  if (rows.length === 0) {
    const reason = `No bead was fitted in both channel ${i} and channel ${j}.`;
    notes.push(`${label}: ${reason}`);
    const z = quantity(0, 0, "nm");
    return {
      reference: i,
      target: j,
      resolutionChannel: resCh,
      resolution: { wavelengthNm: th.wavelengthNm, lateralNm: th.lateralFwhmNm, axialNm: th.axialFwhmNm, formulas: `${th.lateralFormula}; ${th.axialFormula}` },
      beads: [],
      summary: { n: 0, meanDxNm: z, meanDyNm: z, meanDzNm: z, sdNm: { x: 0, y: 0, z: 0 }, medianLateralNm: 0, medianAxialNm: 0, medianRatio: 0, maxRatio: 0, beadsAboveLimitPercent: 0 },
      transforms: { translation: null, affine: null, polynomial: null },
      verdict: { level: "fail", reason: `${reason} Check that both channels show the beads.` },
    };
  }
  const wmean = (vals: readonly Quantity[]): Quantity => {
    let sw = 0;
    let swx = 0;
    for (const q of vals) {
      const w = 1 / Math.max(q.uncertainty, 1e-6) ** 2;
      sw += w;
      swx += w * q.value;
    }
    return quantity(swx / sw, 1 / Math.sqrt(sw), "nm");
  };
  const sdOf = (vals: readonly number[]): number => {
    if (vals.length < 2) return 0;
    const m = vals.reduce((a, b) => a + b, 0) / vals.length;
    return Math.sqrt(vals.reduce((a, b) => a + (b - m) ** 2, 0) / (vals.length - 1));
  };
  const med = (vals: readonly number[]): number => {
    const s = [...vals].sort((a, b) => a - b);
    const h = s.length >> 1;
    return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
  };
  const ratios = rows.map((r) => r.ratio.value);
  const medianRatio = med(ratios);
  const above = ratios.filter((r) => r > o.ratioLimit).length;
  const summary = {
    n: rows.length,
    meanDxNm: wmean(rows.map((r) => r.dxNm)),
    meanDyNm: wmean(rows.map((r) => r.dyNm)),
    meanDzNm: wmean(rows.map((r) => r.dzNm)),
    sdNm: { x: sdOf(rows.map((r) => r.dxNm.value)), y: sdOf(rows.map((r) => r.dyNm.value)), z: sdOf(rows.map((r) => r.dzNm.value)) },
    medianLateralNm: med(rows.map((r) => r.lateralNm.value)),
    medianAxialNm: med(rows.map((r) => r.axialNm.value)),
    medianRatio,
    maxRatio: Math.max(...ratios),
    beadsAboveLimitPercent: (100 * above) / rows.length,
  };
  // transforms
  const disp: BeadDisplacements = {
    xUm: rows.map((r) => r.xUm),
    yUm: rows.map((r) => r.yUm),
    dxUm: rows.map((r) => r.dxNm.value / NM_PER_UM),
    dyUm: rows.map((r) => r.dyNm.value / NM_PER_UM),
    dzUm: rows.map((r) => r.dzNm.value / NM_PER_UM),
    dxSeUm: rows.map((r) => r.dxNm.uncertainty / NM_PER_UM),
    dySeUm: rows.map((r) => r.dyNm.uncertainty / NM_PER_UM),
    dzSeUm: rows.map((r) => r.dzNm.uncertainty / NM_PER_UM),
  };
  const tryFit = (kind: RegistrationKind): RegistrationTransform | null => {
    try {
      return fitRegistrationTransform(disp, kind, fieldUm, o.polynomialDegree);
    } catch (e) {
      if (e instanceof InsufficientDataError || e instanceof FitError) {
        notes.push(`${label}: no ${kind} transform — ${e.message.split("\n")[0]}`);
        return null;
      }
      throw e;
    }
  };
  const transforms = { translation: tryFit("translation"), affine: tryFit("affine"), polynomial: tryFit("polynomial") };
  // verdict
  const j1 = judge(COREGISTRATION_RATIO_CRITERION, medianRatio, { fail: o.ratioLimit });
  let level: VerdictLevel = j1.level;
  const shift = `mean shift (x, y, z) = (${summary.meanDxNm.value.toFixed(0)}, ${summary.meanDyNm.value.toFixed(0)}, ${summary.meanDzNm.value.toFixed(0)}) nm over ${rows.length} bead${rows.length === 1 ? "" : "s"}`;
  let reason = `${j1.reason} Channels ${i}→${j}: ${shift}; resolution at ${th.wavelengthNm} nm: ${th.lateralFwhmNm.toFixed(0)} nm lateral, ${th.axialFwhmNm.toFixed(0)} nm axial.`;
  if (level === "pass" && summary.beadsAboveLimitPercent > 100 * (1 - WARN_PERCENTILE)) {
    level = "warn";
    reason += ` ${summary.beadsAboveLimitPercent.toFixed(0)} % of the beads exceed ratio ${o.ratioLimit} (max ${summary.maxRatio.toFixed(2)}): the shift varies across the field (lateral chromatic magnification?); see the affine transform.`;
  }
  if (level === "fail") reason += " Correct the registration (camera / dichroic alignment, or apply the fitted transform) and re-check.";
  return {
    reference: i,
    target: j,
    resolutionChannel: resCh,
    resolution: { wavelengthNm: th.wavelengthNm, lateralNm: th.lateralFwhmNm, axialNm: th.axialFwhmNm, formulas: `${th.lateralFormula}; ${th.axialFormula}` },
    beads: rows,
    summary,
    transforms,
    verdict: { level, reason },
  };
}
