/**
 * The WG5 bead PSF measurement: find beads, fit each one, summarise over beads, compare with theory, judge,
 * and map the focus over the field. One channel ({@link measureBeadPsf}) or all channels of a file
 * ({@link measureBeadPsfChannels}), each with its own wavelength.
 * @module
 */
import { FitError, InvalidArgumentError, LimiqcError } from "../core/errors.js";
import { makeProvenance, type Provenance } from "../core/provenance.js";
import { type Quantity, quantity, type Verdict, type VerdictLevel, VERDICT_RANK } from "../core/quantity.js";
import { type ImageView, type MultiChannelImage, require3D, requireVoxelSizeUm } from "../image/types.js";
import { samplingReport, type SamplingReport } from "../optics/nyquist.js";
import { type OpticalSetup, type TheoreticalResolution, theoreticalResolution } from "../optics/resolution.js";
import {
  BEAD_REJECTION_RULES,
  type BeadDetectionInfo,
  type BeadFindingOptions,
  type BeadRejection,
  type BeadRejectionRule,
  type BeadRoi,
  findBeads,
  type ResolvedBeadFindingOptions,
} from "./bead-detection.js";
import { upperOutliers } from "./bead-internal.js";
import { BEAD_SIZE_K, type BeadPsfFit, correctForBeadSize, fitBeadPsf } from "./bead-fit.js";
import { fitFocusField, type PsfFieldResult } from "./field.js";
import { resolvePsfOpticalSetup } from "./optics-setup.js";

/** Which fit the summary and verdict use. */
export type PsfFitMethod = "3d" | "1d";

/** Options of {@link measureBeadPsf}: bead finding (see {@link BeadFindingOptions}) plus fitting, tolerances and field analysis. */
export interface BeadPsfOptions extends BeadFindingOptions {
  /**
   * Which fit gives the summary, the ratios and the verdict (both are always computed and reported per bead):
   * "1d": 1D Gaussian fits through the brightest voxel, the MetroloJ_QC definition with which the literature limits
   * (Faklaris et al. 2022) were set; "3d": the 3D Gaussian fit (sub-voxel, PSFj / napari-psf-analysis), unbiased for
   * off-grid beads but pulled wider along z by asymmetric (aberrated) widefield PSFs. @default "1d"
   */
  method?: PsfFitMethod;
  /** Bead diameter, µm; > 0 removes the bead size by quadrature subtraction (see correctForBeadSize). @default 0 (no correction) */
  beadDiameterUm?: number;
  /**
   * A bead whose 1D x, y or z profile fit has R² below this is rejected ("poor-fit"). The 3D fit's R² is reported but
   * not judged: a 3D Gaussian cannot follow a widefield PSF's out-of-focus cone (R² ≈ 0.93 on a perfect widefield PSF,
   * ≈ 0.8 with 0.1 wave of spherical aberration), so it measures the model, not the bead. @default 0.8 (PSFj: 0.8 for z, 0.9 for xy)
   */
  minRSquared?: number;
  /** Fail when FWHM_measured/FWHM_theory exceeds this laterally (x or y). @default 1.5 (Faklaris et al. 2022, Table 1) */
  lateralRatioMax?: number;
  /** Fail when FWHM_measured/FWHM_theory exceeds this axially. @default 1.5 (Faklaris et al. 2022; MetroloJ_QC's own default is 2.0) */
  axialRatioMax?: number;
  /** Warn when the lateral ratio exceeds this (but not the fail limit). @default none */
  lateralRatioWarn?: number;
  /** Warn when the axial ratio exceeds this (but not the fail limit). @default none */
  axialRatioWarn?: number;
  /** With fewer accepted beads the verdict is at best "warn". @default 3 */
  minBeadsForVerdict?: number;
  /** Fewest accepted beads for the focal-plane (tilt) fit. @default 4 */
  minBeadsForTilt?: number;
  /** Fewest accepted beads for the curvature (quadric) fit. @default 10 */
  minBeadsForCurvature?: number;
  /** Input files for the provenance (set by measureBeadPsfFile). @default [] */
  inputs?: readonly { readonly file?: string; readonly sha256: string }[];
  /** Channel index recorded in the result. @default 0 */
  channelIndex?: number;
}

/** Every option of {@link measureBeadPsf} after defaults, as recorded in the result. */
export interface ResolvedBeadPsfOptions extends ResolvedBeadFindingOptions {
  readonly method: PsfFitMethod;
  readonly beadDiameterUm: number;
  readonly minRSquared: number;
  readonly lateralRatioMax: number;
  readonly axialRatioMax: number;
  readonly lateralRatioWarn: number | null;
  readonly axialRatioWarn: number | null;
  readonly minBeadsForVerdict: number;
  readonly minBeadsForTilt: number;
  readonly minBeadsForCurvature: number;
}

/** One bead: where it is, why it was rejected (if it was), and its fits. */
export interface PsfBeadRecord {
  readonly id: number;
  readonly accepted: boolean;
  readonly rejections: readonly BeadRejection[];
  /** Detected voxel, µm from the centre of voxel (0, 0, 0) (integer voxel × voxel size). */
  readonly detectedUm: { readonly x: number; readonly y: number; readonly z: number };
  /** Bead centre from the chosen method's fits, µm ± SE; null when not fitted. */
  readonly centreUm: { readonly x: Quantity; readonly y: Quantity; readonly z: Quantity } | null;
  /** FWHM of the chosen method, bead-size corrected when beadDiameterUm > 0, µm ± fit SE; null when not fitted. */
  readonly fwhmUm: { readonly x: Quantity; readonly y: Quantity; readonly z: Quantity } | null;
  /** Lateral asymmetry ratio LAR = min(FWHMx, FWHMy)/max(FWHMx, FWHMy) ≤ 1 (MetroloJ_QC convention, F5). */
  readonly lateralAsymmetry: Quantity | null;
  /** SBR = mean(bead mask)/mean(annulus) on the focal plane (MetroloJ_QC F8, raw values). */
  readonly sbr: number | null;
  readonly peakAdu: number;
  readonly backgroundAdu: number;
  readonly integratedIntensityAdu: number;
  readonly saturatedVoxels: number;
  readonly nearestNeighbourUm: number | null;
  readonly roi: BeadRoi;
  /** Both fits in full (3D and 1D, R², noise model); null when the bead was rejected before fitting or the fit failed. */
  readonly fit: BeadPsfFit | null;
}

/** Statistics of one axis over the accepted beads. */
export interface PsfAxisSummary {
  /** Mean FWHM, µm ± standard error of the mean (SD/√n). */
  readonly mean: Quantity;
  /** Bead-to-bead SD, µm (n − 1). */
  readonly sdUm: number;
  readonly medianUm: number;
  readonly minUm: number;
  readonly maxUm: number;
  readonly n: number;
  /** Theoretical FWHM (optics module, MetroloJ_QC formulas), µm. */
  readonly theoreticalUm: number;
  /** mean/theory ± SEM/theory. */
  readonly ratio: Quantity;
  /** Mean and SD over beads of FWHM(1D) − FWHM(3D), µm (uncorrected fits). */
  readonly difference1dMinus3dUm: { readonly mean: number; readonly sd: number };
}

/** Summary over the accepted beads. */
export interface PsfSummary {
  readonly method: PsfFitMethod;
  readonly n: number;
  readonly x: PsfAxisSummary;
  readonly y: PsfAxisSummary;
  readonly z: PsfAxisSummary;
  /** Lateral asymmetry ratio (min/max ≤ 1): mean ± SEM, median. */
  readonly lateralAsymmetry: { readonly mean: Quantity; readonly median: number };
  readonly sbr: { readonly mean: number; readonly median: number; readonly min: number } | null;
  /** Mean unweighted R² of the 3D fits and of the 1D x, y, z fits. */
  readonly meanRSquared: { readonly fit3d: number; readonly x: number; readonly y: number; readonly z: number };
  /** Bead-size correction applied (null when beadDiameterUm = 0). */
  readonly beadSizeCorrection: { readonly beadDiameterUm: number; readonly k: number } | null;
}

/** One acceptance check of the verdict. */
export interface PsfCheck {
  readonly id: "lateral-ratio" | "axial-ratio" | "bead-count" | "sampling";
  readonly label: string;
  /** The measured value (ratio, bead count, worst sampling ratio), null when not measurable. */
  readonly value: number | null;
  /** The limit as text, e.g. "≤ 1.5". */
  readonly limit: string;
  readonly level: VerdictLevel;
  readonly reason: string;
}

/** Result record of {@link measureBeadPsf}: JSON-serialisable, no NaN. */
export interface BeadPsfResult {
  readonly kind: "bead-psf";
  readonly channel: { readonly index: number; readonly name?: string; readonly emissionWavelengthNm?: number; readonly excitationWavelengthNm?: number };
  readonly optics: OpticalSetup;
  readonly theory: TheoreticalResolution;
  readonly sampling: SamplingReport;
  readonly voxelSizeUm: readonly [number, number, number];
  readonly shape: readonly [number, number, number];
  readonly detection: BeadDetectionInfo;
  /** Every candidate bead, accepted and rejected, brightest first. */
  readonly beads: PsfBeadRecord[];
  readonly counts: { readonly candidates: number; readonly accepted: number; readonly rejected: number; readonly byRule: Readonly<Record<BeadRejectionRule, number>> };
  /** Null when no bead was accepted (the verdict says why). */
  readonly summary: PsfSummary | null;
  /** Worst lateral ratio max(x, y) of the chosen method: the "lateralRatio" metric of protocols/resolution. Null without beads. */
  readonly lateralRatio: number | null;
  /** Axial ratio: the "axialRatio" metric. Null without beads. */
  readonly axialRatio: number | null;
  /** Focal-plane tilt and curvature; null with too few beads. */
  readonly field: PsfFieldResult | null;
  readonly verdict: Verdict;
  readonly checks: PsfCheck[];
  readonly options: ResolvedBeadPsfOptions;
  readonly provenance: Provenance;
}

/** Result of {@link measureBeadPsfChannels}. */
export interface BeadPsfChannelsResult {
  readonly kind: "bead-psf-channels";
  readonly channels: BeadPsfResult[];
  /** Worst channel verdict; the reason names the channels that fail. */
  readonly verdict: Verdict;
  readonly provenance: Provenance;
}

/** Default acceptance limits (Faklaris et al. 2022, J Cell Biol 221:e202107093, Table 1); protocols/resolution/protocol.json holds the same numbers. */
export const PSF_TOLERANCES: Readonly<{ lateralRatioMax: number; axialRatioMax: number; metroloJAxialRatioMax: number }> = {
  lateralRatioMax: 1.5,
  axialRatioMax: 1.5,
  metroloJAxialRatioMax: 2,
};

const DEFAULT_MIN_R2 = 0.8;
const DEFAULT_MIN_BEADS_FOR_VERDICT = 3;
/** The z-stack needs at least this many planes (the 1D z fit has 4 parameters). */
const MIN_Z_PLANES = 5;
const SOURCE = "Faklaris et al. 2022, J Cell Biol, Table 1";

/**
 * Measures the PSF from a z-stack of sub-resolution beads (QUAREP-LiMi WG5): finds beads, rejects unusable ones
 * with a reason, fits each bead (3D Gaussian and MetroloJ_QC 1D profiles), summarises FWHM over beads, compares with
 * the theoretical FWHM, judges the ratios against configurable tolerances and fits the focal surface (tilt, curvature).
 *
 * @param stack - One channel's z-stack [nz, ny, nx] with voxel size (µm); wavelengths may come from `stack.channel`.
 * @param options - Optical setup (required: modality, NA, immersion index, wavelength), bead finding, fitting and tolerances; see {@link BeadPsfOptions}.
 * @returns The result record: every bead (accepted or rejected with reasons), summary, ratios, field fit, verdict, options, provenance.
 *   When beads were found but none could be used, `summary` is null and the verdict ("fail") explains why (e.g. all saturated).
 * @throws DimensionError for a 2D image or fewer than 5 planes (a 3D stack is required).
 * @throws MissingPixelSizeError when the stack has no voxel size.
 * @throws MissingMetadataError when the modality, NA, immersion index or the needed wavelength is missing.
 * @throws InsufficientDataError when no bead is found at all.
 * @throws InvalidArgumentError for out-of-range options or a bead diameter too large to correct.
 *
 * Notes: rejection rules and their order: edge (x, y, z separately), neighbour, saturated, dim (SBR), aggregate
 * (integrated intensity), then after fitting: fit-failed, poor-fit (a 1D profile fit with R² < minRSquared, or a fitted FWHM wider than the fit box), fit-off-centre (3D-fit centre
 * more than one theoretical FWHM from the detected voxel, PSFj's "likely a different bead"), aggregate-width (lateral
 * FWHM an upper outlier). The lateral ratio is the worse of x and y (each axis judged, as MetroloJ_QC does); the
 * verdict is the worst of the lateral and axial checks, lowered to "warn" when fewer than minBeadsForVerdict beads
 * were accepted or the voxel size is coarser than Nyquist (the FWHM is then biased upwards). Field curvature and
 * tilt, fitted to the 3D-fit centres of the accepted beads whatever the method (sub-voxel; half the scatter of the 1D
 * centres on aberrated PSFs), are reported, not judged (no published limit). Uncertainties: per bead, fit standard errors (noise-model
 * weighted, see fitBeadPsf); summaries, the standard error of the mean over beads.
 * @see Faklaris et al. (2022) J Cell Biol 221:e202107093, doi:10.1083/jcb.202107093; MetroloJ_QC PSF profiler;
 *   Theer et al. (2014) Nat Methods 11:981 (PSFj), doi:10.1038/nmeth.3102; QUAREP-LiMi WG5
 * @example
 * const r = measureBeadPsf(stack, { optics: { modality: "widefield", na: 1.4, immersionIndex: 1.518, emissionWavelengthNm: 520 } });
 * r.summary?.x.mean.value; // mean lateral FWHM along x, µm
 * r.verdict.level;         // "pass" | "warn" | "fail"
 */
export function measureBeadPsf(stack: ImageView, options: BeadPsfOptions = {}): BeadPsfResult {
  require3D(stack, MIN_Z_PLANES, "The bead PSF measurement");
  const voxel = requireVoxelSizeUm(stack, "The bead PSF measurement");
  const optics = resolvePsfOpticalSetup(stack, options.optics);
  const theory = theoreticalResolution(optics);
  const sampling = samplingReport(voxel, optics);
  const found = findBeads(stack, { ...options, optics, expectedFwhmUm: options.expectedFwhmUm ?? { lateral: theory.lateralFwhmUm, axial: theory.axialFwhmUm } });
  const o = resolvePsfOptions(found.options, options);
  const notes = [...found.notes];

  const records: {
    c: (typeof found.candidates)[number];
    fit: BeadPsfFit | null;
    fwhm: { x: Quantity; y: Quantity; z: Quantity } | null;
    centre: { x: Quantity; y: Quantity; z: Quantity } | null;
  }[] = [];
  for (const c of found.candidates) {
    let fit: BeadPsfFit | null = null;
    if (c.rejections.length === 0) {
      try {
        fit = fitBeadPsf(stack, c.roi);
      } catch (e) {
        if (!(e instanceof FitError)) throw e;
        c.rejections.push({ rule: "fit-failed", reason: `Gaussian fit failed: ${e.message.split("\n")[0]}` });
      }
    }
    if (fit) {
      const r2 = [fit.fit1d.x.rSquared, fit.fit1d.y.rSquared, fit.fit1d.z.rSquared];
      const worst = Math.min(...r2);
      if (worst < o.minRSquared) {
        const names = ["x", "y", "z"];
        const bad = r2.map((v, i) => (v < o.minRSquared ? `${names[i]} ${v.toFixed(4)}` : "")).filter(Boolean);
        c.rejections.push({ rule: "poor-fit", reason: `1D profile fit R² below ${o.minRSquared}: ${bad.join(", ")}` });
      }
      const boxUm = { x: c.roi.width * stack.voxelSizeUm![2], y: c.roi.height * stack.voxelSizeUm![1], z: c.roi.depth * stack.voxelSizeUm![0] };
      const tooWide = (["x", "y", "z"] as const).filter((a) => fit!.fit1d[a].fwhm.value > boxUm[a] || fit!.fit3d[a].fwhm.value > boxUm[a]);
      if (tooWide.length > 0) {
        c.rejections.push({
          rule: "poor-fit",
          reason: `the fitted FWHM along ${tooWide.join(", ")} exceeds the fit box (${tooWide.map((a) => `${boxUm[a].toFixed(2)} µm`).join(", ")}): the profile does not fall to half maximum inside the box`,
        });
      }
      const f3 = fit.fit3d;
      const offXy = Math.hypot(f3.x.centre.value - c.xUm, f3.y.centre.value - c.yUm);
      const offZ = Math.abs(f3.z.centre.value - c.zUm);
      if (offXy > o.expectedFwhmUm.lateral || offZ > o.expectedFwhmUm.axial) {
        c.rejections.push({
          rule: "fit-off-centre",
          reason: `the 3D fit centre lies ${offXy.toFixed(3)} µm laterally and ${offZ.toFixed(3)} µm axially from the detected voxel (more than one theoretical FWHM): probably a different bead or noise`,
        });
      }
    }
    let fwhm: { x: Quantity; y: Quantity; z: Quantity } | null = null;
    let centre: { x: Quantity; y: Quantity; z: Quantity } | null = null;
    if (fit) {
      const src = o.method === "3d" ? fit.fit3d : fit.fit1d;
      fwhm = {
        x: correctForBeadSize(src.x.fwhm, o.beadDiameterUm),
        y: correctForBeadSize(src.y.fwhm, o.beadDiameterUm),
        z: correctForBeadSize(src.z.fwhm, o.beadDiameterUm),
      };
      centre = { x: src.x.centre, y: src.y.centre, z: src.z.centre };
    }
    records.push({ c, fit, fwhm, centre });
  }

  // aggregate by width: lateral FWHM an upper outlier among the beads that passed every other rule
  const clean = records.filter((r) => r.c.rejections.length === 0 && r.fwhm);
  const widths = clean.map((r) => 0.5 * ((r.fwhm as { x: Quantity }).x.value + (r.fwhm as { y: Quantity }).y.value));
  const out = upperOutliers(widths, o.aggregateTest, o.aggregateRobustZ);
  if (out) {
    const med = [...widths].sort((a, b) => a - b)[widths.length >> 1];
    for (const i of out.indices) {
      clean[i].c.rejections.push({
        rule: "aggregate-width",
        reason: `lateral FWHM ${widths[i].toFixed(3)} µm is ${(widths[i] / med).toFixed(2)}× the median bead (${out.describe(i)}): probably an aggregate or a large bead`,
      });
    }
  } else if (o.aggregateTest !== "none") {
    notes.push(`Aggregate test on the lateral FWHM skipped: ${clean.length} fitted bead(s), at least 5 are needed.`);
  }

  const beads: PsfBeadRecord[] = records.map(({ c, fit, fwhm, centre }) => ({
    id: c.id,
    accepted: c.rejections.length === 0,
    rejections: c.rejections,
    detectedUm: { x: c.xUm, y: c.yUm, z: c.zUm },
    centreUm: centre,
    fwhmUm: fwhm,
    lateralAsymmetry: fwhm ? asymmetry(fwhm.x, fwhm.y) : null,
    sbr: c.sbr,
    peakAdu: c.peakAdu,
    backgroundAdu: c.backgroundAdu,
    integratedIntensityAdu: c.integratedIntensityAdu,
    saturatedVoxels: c.saturatedVoxels,
    nearestNeighbourUm: c.nearestNeighbourUm,
    roi: c.roi,
    fit,
  }));
  const accepted = beads.filter((b) => b.accepted);
  const byRule = Object.fromEntries(BEAD_REJECTION_RULES.map((r) => [r, 0])) as Record<BeadRejectionRule, number>;
  for (const b of beads) for (const r of new Set(b.rejections.map((x) => x.rule))) byRule[r]++;

  const summary = accepted.length > 0 ? summarise(accepted, theory, o) : null;
  const lateralRatio = summary ? Math.max(summary.x.ratio.value, summary.y.ratio.value) : null;
  const axialRatio = summary ? summary.z.ratio.value : null;

  const [nz, ny, nx] = stack.shape;
  const [dz, dy, dx] = voxel;
  let field: PsfFieldResult | null = null;
  if (accepted.length >= o.minBeadsForTilt) {
    const widthUm = (nx - 1) * dx;
    const heightUm = (ny - 1) * dy;
    try {
      field = fitFocusField(
        // focus positions from the 3D fits whatever the method: sub-voxel, and half the scatter of the 1D centres on aberrated PSFs
        accepted.map((b) => {
          const f3 = (b.fit as BeadPsfFit).fit3d;
          return { xUm: f3.x.centre.value, yUm: f3.y.centre.value, zUm: f3.z.centre.value };
        }),
        { fieldCentreUm: [widthUm / 2, heightUm / 2], cornerRadiusUm: Math.max(Math.hypot(widthUm / 2, heightUm / 2), Math.min(dx, dy)) },
        { minBeadsForTilt: o.minBeadsForTilt, minBeadsForCurvature: o.minBeadsForCurvature },
      );
      notes.push(...field.notes);
    } catch (e) {
      if (!(e instanceof LimiqcError)) throw e;
      notes.push(`Focal-plane fit skipped: ${e.message.split("\n")[0]}`);
    }
  } else {
    notes.push(`Focal-plane tilt and curvature not fitted: ${accepted.length} accepted bead(s), at least ${o.minBeadsForTilt} are needed.`);
  }

  const { verdict, checks } = judgePsf(beads, summary, lateralRatio, axialRatio, theory, sampling, o);
  const channel = {
    index: options.channelIndex ?? 0,
    ...(stack.channel?.name !== undefined ? { name: stack.channel.name } : {}),
    ...(optics.emissionWavelengthNm !== undefined ? { emissionWavelengthNm: optics.emissionWavelengthNm } : {}),
    ...(optics.excitationWavelengthNm !== undefined ? { excitationWavelengthNm: optics.excitationWavelengthNm } : {}),
  };
  return {
    kind: "bead-psf",
    channel,
    optics,
    theory,
    sampling,
    voxelSizeUm: [dz, dy, dx],
    shape: [nz, ny, nx],
    detection: found.detection,
    beads,
    counts: { candidates: beads.length, accepted: accepted.length, rejected: beads.length - accepted.length, byRule },
    summary,
    lateralRatio,
    axialRatio,
    field,
    verdict,
    checks,
    options: o,
    provenance: makeProvenance("measureBeadPsf", { ...o, optics }, options.inputs ?? [], notes),
  };
}

function resolvePsfOptions(found: ResolvedBeadFindingOptions, options: BeadPsfOptions): ResolvedBeadPsfOptions {
  const method = options.method ?? "1d";
  if (method !== "3d" && method !== "1d") throw new InvalidArgumentError(`method is "${method}"; expected "3d" or "1d".`, '"1d" (default) uses MetroloJ_QC profiles through the maximum; "3d" fits a 3D Gaussian.');
  const num = (name: string, v: number | undefined, d: number, min = 0): number => {
    if (v === undefined) return d;
    if (!(Number.isFinite(v) && v >= min)) throw new InvalidArgumentError(`${name} is ${v}; expected a finite number ≥ ${min}.`, "Omit it to use the default.");
    return v;
  };
  const count = (name: string, v: number | undefined, d: number, min: number): number => {
    const r = num(name, v, d, min);
    if (!Number.isInteger(r)) throw new InvalidArgumentError(`${name} is ${r}; expected a whole number.`, "Omit it to use the default.");
    return r;
  };
  return {
    ...found,
    method,
    beadDiameterUm: num("beadDiameterUm", options.beadDiameterUm, 0),
    minRSquared: num("minRSquared", options.minRSquared, DEFAULT_MIN_R2, Number.NEGATIVE_INFINITY),
    lateralRatioMax: num("lateralRatioMax", options.lateralRatioMax, PSF_TOLERANCES.lateralRatioMax),
    axialRatioMax: num("axialRatioMax", options.axialRatioMax, PSF_TOLERANCES.axialRatioMax),
    lateralRatioWarn: options.lateralRatioWarn === undefined ? null : num("lateralRatioWarn", options.lateralRatioWarn, 0),
    axialRatioWarn: options.axialRatioWarn === undefined ? null : num("axialRatioWarn", options.axialRatioWarn, 0),
    minBeadsForVerdict: count("minBeadsForVerdict", options.minBeadsForVerdict, DEFAULT_MIN_BEADS_FOR_VERDICT, 1),
    minBeadsForTilt: count("minBeadsForTilt", options.minBeadsForTilt, 4, 4),
    minBeadsForCurvature: count("minBeadsForCurvature", options.minBeadsForCurvature, 10, 7),
  };
}

function asymmetry(x: Quantity, y: Quantity): Quantity {
  const lo = Math.min(x.value, y.value);
  const hi = Math.max(x.value, y.value);
  const r = lo / hi;
  const rel = Math.hypot(x.uncertainty / x.value, y.uncertainty / y.value);
  return quantity(r, r * rel, "1");
}

function stats(values: readonly number[]): { mean: number; sd: number; median: number; min: number; max: number } {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  const s = [...values].sort((a, b) => a - b);
  const median = n % 2 ? s[n >> 1] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  return { mean, sd, median, min: s[0], max: s[n - 1] };
}

function summarise(accepted: readonly PsfBeadRecord[], theory: TheoreticalResolution, o: ResolvedBeadPsfOptions): PsfSummary {
  const n = accepted.length;
  const axis = (a: "x" | "y" | "z"): PsfAxisSummary => {
    const v = accepted.map((b) => (b.fwhmUm as { x: Quantity; y: Quantity; z: Quantity })[a].value);
    const s = stats(v);
    const sem = n > 1 ? s.sd / Math.sqrt(n) : (accepted[0].fwhmUm as { x: Quantity; y: Quantity; z: Quantity })[a].uncertainty;
    const th = a === "z" ? theory.axialFwhmUm : theory.lateralFwhmUm;
    const diff = stats(accepted.map((b) => (b.fit as BeadPsfFit).difference1dMinus3dUm[a]));
    return {
      mean: quantity(s.mean, sem, "um"),
      sdUm: s.sd,
      medianUm: s.median,
      minUm: s.min,
      maxUm: s.max,
      n,
      theoreticalUm: th,
      ratio: quantity(s.mean / th, sem / th, "1"),
      difference1dMinus3dUm: { mean: diff.mean, sd: diff.sd },
    };
  };
  const lar = stats(accepted.map((b) => (b.lateralAsymmetry as Quantity).value));
  const sbrs = accepted.map((b) => b.sbr).filter((s): s is number => s !== null);
  const sbr = sbrs.length ? stats(sbrs) : null;
  const fits = accepted.map((b) => b.fit as BeadPsfFit);
  const meanOf = (f: (x: BeadPsfFit) => number): number => fits.reduce((s, x) => s + f(x), 0) / n;
  return {
    method: o.method,
    n,
    x: axis("x"),
    y: axis("y"),
    z: axis("z"),
    lateralAsymmetry: { mean: quantity(lar.mean, n > 1 ? lar.sd / Math.sqrt(n) : 0, "1"), median: lar.median },
    sbr: sbr ? { mean: sbr.mean, median: sbr.median, min: sbr.min } : null,
    meanRSquared: { fit3d: meanOf((f) => f.fit3d.rSquared), x: meanOf((f) => f.fit1d.x.rSquared), y: meanOf((f) => f.fit1d.y.rSquared), z: meanOf((f) => f.fit1d.z.rSquared) },
    beadSizeCorrection: o.beadDiameterUm > 0 ? { beadDiameterUm: o.beadDiameterUm, k: BEAD_SIZE_K } : null,
  };
}

function ratioCheck(
  id: "lateral-ratio" | "axial-ratio",
  label: string,
  ratio: number,
  measuredUm: number,
  theoryUm: number,
  fail: number,
  warn: number | null,
  failHint: string,
  defaultFail: number,
): PsfCheck {
  const src = fail === defaultFail ? SOURCE : "user tolerance";
  const what = `${label} FWHM ${measuredUm.toFixed(3)} µm is ${ratio.toFixed(2)}× the theoretical ${theoryUm.toFixed(3)} µm`;
  if (ratio > fail) return { id, label: `${label} ratio`, value: ratio, limit: `≤ ${fail}`, level: "fail", reason: `${what}; the limit is ≤ ${fail} (${src}). ${failHint}` };
  if (warn !== null && ratio > warn) return { id, label: `${label} ratio`, value: ratio, limit: `≤ ${fail}`, level: "warn", reason: `${what}: within the limit ≤ ${fail} but past the warning level ${warn}.` };
  return { id, label: `${label} ratio`, value: ratio, limit: `≤ ${fail}`, level: "pass", reason: `${what}, within the limit ≤ ${fail} (${src}).` };
}

function judgePsf(
  beads: readonly PsfBeadRecord[],
  summary: PsfSummary | null,
  lateralRatio: number | null,
  axialRatio: number | null,
  theory: TheoreticalResolution,
  sampling: SamplingReport,
  o: ResolvedBeadPsfOptions,
): { verdict: Verdict; checks: PsfCheck[] } {
  const checks: PsfCheck[] = [];
  const nAcc = summary?.n ?? 0;
  if (!summary || lateralRatio === null || axialRatio === null) {
    const counts = new Map<BeadRejectionRule, number>();
    for (const b of beads) for (const r of new Set(b.rejections.map((x) => x.rule))) counts.set(r, (counts.get(r) ?? 0) + 1);
    const list = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([r, k]) => `${k} ${r}`).join(", ");
    const top = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    const reason = `No bead could be measured: all ${beads.length} candidate(s) were rejected (${list}). ${REJECTION_HINTS[top ?? "fit-failed"]}`;
    checks.push({ id: "bead-count", label: "Accepted beads", value: 0, limit: `≥ ${o.minBeadsForVerdict}`, level: "fail", reason });
    return { verdict: { level: "fail", reason }, checks };
  }
  const worstLat = summary.x.ratio.value >= summary.y.ratio.value ? summary.x : summary.y;
  const latAxis = summary.x.ratio.value >= summary.y.ratio.value ? "x" : "y";
  checks.push(
    ratioCheck(
      "lateral-ratio",
      `Lateral (${latAxis})`,
      lateralRatio,
      worstLat.mean.value,
      theory.lateralFwhmUm,
      o.lateralRatioMax,
      o.lateralRatioWarn,
      "Check the objective (clean front lens, right immersion oil), the coverslip (#1.5H), the alignment and the lateral sampling.",
      PSF_TOLERANCES.lateralRatioMax,
    ),
  );
  checks.push(
    ratioCheck(
      "axial-ratio",
      "Axial",
      axialRatio,
      summary.z.mean.value,
      theory.axialFwhmUm,
      o.axialRatioMax,
      o.axialRatioWarn,
      "Axial broadening usually means spherical aberration: check the immersion medium, the coverslip thickness (#1.5H, 170 µm) and the correction collar, and mount the beads in a medium matched to the objective.",
      PSF_TOLERANCES.axialRatioMax,
    ),
  );
  const enough = nAcc >= o.minBeadsForVerdict;
  checks.push({
    id: "bead-count",
    label: "Accepted beads",
    value: nAcc,
    limit: `≥ ${o.minBeadsForVerdict}`,
    level: enough ? "pass" : "warn",
    reason: enough
      ? `${nAcc} of ${beads.length} beads accepted.`
      : `Only ${nAcc} of ${beads.length} beads accepted (at least ${o.minBeadsForVerdict} wanted): the mean FWHM rests on too few beads; image a denser field.`,
  });
  const worstSampling = sampling.axes.reduce((a, b) => (b.samplingRatio > a.samplingRatio ? b : a));
  checks.push({
    id: "sampling",
    label: "Nyquist sampling",
    value: worstSampling.samplingRatio,
    limit: "≤ 1 (pixel ÷ Nyquist)",
    level: sampling.level === "pass" ? "pass" : "warn",
    reason: sampling.level === "pass" ? sampling.verdict.reason : `${sampling.verdict.reason} Undersampling widens the measured FWHM, so the ratios are pessimistic.`,
  });
  let level: VerdictLevel = "pass";
  for (const c of checks) if (VERDICT_RANK[c.level] > VERDICT_RANK[level]) level = c.level;
  const failing = checks.filter((c) => c.level === level && level !== "pass");
  const reason =
    level === "pass"
      ? `Lateral FWHM ${lateralRatio.toFixed(2)}× and axial FWHM ${axialRatio.toFixed(2)}× the theoretical values (limits ≤ ${o.lateralRatioMax} and ≤ ${o.axialRatioMax}), from ${nAcc} bead(s).`
      : failing.map((c) => c.reason).join(" ");
  return { verdict: { level, reason }, checks };
}

const REJECTION_HINTS: Record<BeadRejectionRule, string> = {
  "edge-x": "Centre the bead field or acquire a larger field of view.",
  "edge-y": "Centre the bead field or acquire a larger field of view.",
  "edge-z": "Acquire more planes above and below the beads (at least ±2 axial FWHM around focus).",
  neighbour: "Dilute the beads so that they lie several µm apart.",
  saturated: "Lower the laser power, gain or exposure so that no bead voxel reaches the detector maximum, and re-acquire.",
  dim: "Increase the laser power or exposure (without saturating), or use brighter beads.",
  "aggregate-intensity": "Sonicate/vortex the bead suspension before mounting to break up aggregates.",
  "aggregate-width": "Sonicate/vortex the bead suspension before mounting to break up aggregates.",
  "fit-failed": "Check the z-range and sampling of the stack and that the beads are sub-resolution.",
  "poor-fit": "Check for noise, drift during the stack or strong aberrations; consider lowering minRSquared.",
  "fit-off-centre": "Check for drift during the stack, or noise peaks detected as beads.",
};

/**
 * Measures the PSF in every channel of a multi-channel bead stack, each channel with its own wavelength.
 *
 * @param image - Channels of the same field (shape and voxel size shared).
 * @param options - As {@link measureBeadPsf}; `optics` holds the shared objective facts, and `channelOptics[c]` overrides
 *   them for channel c (typically the wavelengths). A channel's wavelengths come from `channelOptics[c]`, else the
 *   channel's own info, else `optics`.
 * @returns One result per channel and the worst verdict, whose reason names the failing channels.
 * @throws As {@link measureBeadPsf}; the message names the channel.
 * @throws InvalidArgumentError when the image has no channel.
 *
 * Notes: the theoretical FWHM scales with the wavelength, so each channel is compared with its own theory
 * (MetroloJ_QC does the same per channel).
 * @see measureBeadPsf
 * @example
 * const r = measureBeadPsfChannels({ channels: [green, red] }, { optics: { modality: "widefield", na: 1.4, immersionIndex: 1.518 } });
 * r.channels.map((c) => c.summary?.x.mean.value);
 */
export function measureBeadPsfChannels(
  image: MultiChannelImage,
  options: BeadPsfOptions & { channelOptics?: readonly (Partial<OpticalSetup> | undefined)[]; channelIndices?: readonly number[] } = {},
): BeadPsfChannelsResult {
  const n = image.channels.length;
  if (n === 0) throw new InvalidArgumentError("The image has no channel.", "Pass { channels: [stack, ...] }.");
  const indices = options.channelIndices ?? image.channels.map((_, i) => i);
  const results: BeadPsfResult[] = [];
  for (const c of indices) {
    if (!(Number.isInteger(c) && c >= 0 && c < n)) throw new InvalidArgumentError(`Channel ${c} does not exist; the image has ${n} channel(s).`, `Use channel indices 0…${n - 1}.`);
    const stack = image.channels[c];
    const own = stack.channel ?? {};
    const base = { ...(options.optics ?? {}) };
    if (own.emissionWavelengthNm !== undefined) delete base.emissionWavelengthNm;
    if (own.excitationWavelengthNm !== undefined) delete base.excitationWavelengthNm;
    const optics = { ...base, ...options.channelOptics?.[c] };
    try {
      results.push(measureBeadPsf(stack, { ...options, optics, channelIndex: c }));
    } catch (e) {
      if (e instanceof LimiqcError && n > 1) {
        const Ctor = e.constructor as new (m: string, h?: string) => LimiqcError;
        throw new Ctor(`Channel ${c}${own.name ? ` ("${own.name}")` : ""}: ${e.message.split("\n")[0]}`, e.hint);
      }
      throw e;
    }
  }
  let level: VerdictLevel = "pass";
  for (const r of results) if (VERDICT_RANK[r.verdict.level] > VERDICT_RANK[level]) level = r.verdict.level;
  const name = (r: BeadPsfResult): string => `channel ${r.channel.index}${r.channel.name ? ` "${r.channel.name}"` : ""}${r.channel.emissionWavelengthNm ? ` (${r.channel.emissionWavelengthNm} nm)` : ""}`;
  const reason =
    results.length === 1
      ? results[0].verdict.reason
      : level === "pass"
        ? `All ${results.length} channels pass: ${results.map((r) => `${name(r)} lateral ${r.lateralRatio?.toFixed(2)}×, axial ${r.axialRatio?.toFixed(2)}×`).join("; ")}.`
        : results
            .filter((r) => r.verdict.level === level)
            .map((r) => `${name(r)}: ${r.verdict.reason}`)
            .join(" ");
  return {
    kind: "bead-psf-channels",
    channels: results,
    verdict: { level, reason },
    provenance: makeProvenance("measureBeadPsfChannels", { channels: indices }, options.inputs ?? [], []),
  };
}
