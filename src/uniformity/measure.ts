/**
 * WG3 field illumination uniformity: MetroloJ_QC metrics (U, field uniformity, centering accuracy, CV,
 * iso-intensity bands, profiles) on a robustly smoothed flat-field image, with microscope-metrics' region ratios
 * and relative centre distances for comparison.
 */
import { DimensionError, InsufficientDataError, InvalidArgumentError, LimiqcError, SaturationError } from "../core/errors.js";
import { makeProvenance, type Provenance, sha256 } from "../core/provenance.js";
import { type Quantity, quantity, type Verdict, type VerdictLevel } from "../core/quantity.js";
import { fitSurface } from "../fit/linear.js";
import { countAtOrAbove } from "../image/stats.js";
import { type ImageView, type MultiChannelImage, saturationValue } from "../image/types.js";
import { judge } from "../protocols/load.js";
import type { AcceptanceCriterion } from "../protocols/types.js";
import { CENTERING_CRITERION, UNIFORMITY_CRITERION } from "./criteria.js";
import { buildSmoothGrid, resmooth, type SmoothGrid, sampleGrid, smoothNoiseAt } from "./grid.js";
import { fitIlluminationModel, type IlluminationModelKind } from "./model.js";

/** Smallest image side accepted, px. */
const MIN_IMAGE_SIDE_PX = 32;
/** The default bin makes the grid about this many cells along the longer side. */
const TARGET_GRID_CELLS = 256;
/** Smallest default bin: a 3×3 block still has 5 pixels left after trimming 2 at each end. */
const MIN_DEFAULT_BIN_PX = 3;
/** Fewest reference-zone cells for the quadric fit of the maximum. */
const MIN_QUADRIC_CELLS = 12;
/** The quadric fit uses a regular subset of at most about this many reference-zone cells. */
const MAX_QUADRIC_CELLS = 3000;
/** microscope-metrics `corner_fraction` default: square side = fraction × mean image side. */
const REGION_FRACTION = 0.1;
/** Noise amplification of the bilinear extrapolation from the outermost cell centres to a corner pixel (≈ √Σw² of the weights). */
const BORDER_EXTRAPOLATION_NOISE = 1.5;
/** Defect regions grow into neighbours that deviate the same way by more than this many residual SDs. */
const DEFECT_GROW_SDS = 2;
/** Defect cells listed individually in the record (largest deviations first). */
const MAX_LISTED_DEFECTS = 20;

/** Options of {@link measureFieldUniformity}. */
export interface FieldUniformityOptions {
  /** Dark (offset) image of the same size, subtracted pixel by pixel. @default null */
  dark?: ImageView | null;
  /** Constant camera offset subtracted when no dark image is given, ADU. @default 0 */
  offsetAdu?: number;
  /** Block size of the robust grid of block trimmed means, px. @default max(3, round(max(nx, ny)/256)) */
  binPx?: number;
  /** Gaussian σ of the (local-linear) smoothing applied to the block means, px of the image. @default 2 × binPx */
  smoothingSigmaPx?: number;
  /** Iso-intensity band width, % of the maximum (MetroloJ_QC `stepWidth`); the reference zone is the top band. @default 10 */
  stepPercent?: number;
  /** Largest fraction of pixels at the detector maximum tolerated (isolated hot pixels), %. @default 0.01 */
  maxSaturatedPercent?: number;
  /** Smooth model used to find defects (dust, debris): exp of a "polynomial" or a "gaussian". @default "polynomial" */
  model?: IlluminationModelKind;
  /** Degree of the polynomial (of ln I). @default 8 */
  degree?: number;
  /** Cells deviating from the model by more than this many robust SDs are outliers. @default 4 */
  clipSigma?: number;
  /** An outlier cell counts as a defect (excluded from Imin/Imax and the reference zone) beyond this deviation, % of the model. @default 2 */
  defectThresholdPercent?: number;
  /** Pass limit for U, %. @default 50 (Faklaris et al. 2022) */
  uniformityLimitPercent?: number;
  /** Pass limit for C, %. @default 50 (MetroloJ_QC) */
  centeringLimitPercent?: number;
  /** Input file (for provenance; the digest is then of the pixels). @default none */
  file?: string;
  /** Provenance inputs to record instead (e.g. files with the SHA-256 of their bytes). @default the image's pixels */
  inputs?: readonly { file?: string; sha256: string }[];
  /** Channel index (for labelling). @default 0 */
  channelIndex?: number;
}

/** Options with defaults filled in (what provenance records). */
export interface ResolvedFieldUniformityOptions {
  readonly darkImage: boolean;
  readonly offsetAdu: number;
  readonly binPx: number;
  readonly smoothingSigmaPx: number;
  readonly stepPercent: number;
  readonly maxSaturatedPercent: number;
  readonly model: IlluminationModelKind;
  readonly degree: number;
  readonly clipSigma: number;
  readonly defectThresholdPercent: number;
  readonly uniformityLimitPercent: number;
  readonly centeringLimitPercent: number;
}

/** A named position in the field with its smoothed intensity. */
export interface FieldPoint {
  readonly name: string;
  readonly xPx: number;
  readonly yPx: number;
  /** Distance from the image centre, px. */
  readonly distanceFromCentrePx: number;
  /** Same in µm when the pixel size is known. */
  readonly distanceFromCentreUm?: number;
  /** Smoothed, dark-subtracted intensity, data units. */
  readonly intensity: number;
  /** intensity / Imax, %. */
  readonly relativeIntensityPercent: number;
}

/** An intensity profile through the image centre on the smoothed image. */
export interface FieldProfile {
  readonly name: "horizontal" | "vertical" | "diagonal TL-BR" | "diagonal TR-BL";
  /** Signed distance from the image centre along the line, px (negative: towards the start: left / top). */
  readonly distancePx: number[];
  /** Same in µm when the pixel size is known. */
  readonly distanceUm?: number[];
  /** Smoothed intensity / Imax, %. */
  readonly relativeIntensityPercent: number[];
}

/** Iso-intensity band map (MetroloJ_QC "normalized" image) on the analysis grid. */
export interface IsoIntensityMap {
  readonly stepPercent: number;
  /** Grid size [gy, gx], cells of binPx × binPx px. */
  readonly gridShape: readonly [number, number];
  readonly binPx: number;
  /** Lower edge of each cell's band, % of Imax (0, 10, …, 90), x fastest; defect cells included. */
  readonly bands: number[];
  /** Area of each band, % of the field, from the lowest band up. */
  readonly areaPercent: { readonly fromPercent: number; readonly toPercent: number; readonly percent: number }[];
}

/** Defects (dust, debris, bright specks) found as deviations from the smooth illumination model. */
export interface FieldDefects {
  readonly cellCount: number;
  /** Defect area, % of the field. */
  readonly areaPercent: number;
  /** Largest deviations first, at most 20. */
  readonly cells: { readonly xPx: number; readonly yPx: number; readonly deviationPercent: number }[];
}

/** Result of {@link measureFieldUniformity} for one image (channel). */
export interface FieldUniformityResult {
  readonly channel: { readonly index: number; readonly name?: string; readonly emissionWavelengthNm?: number };
  /** [ny, nx], px. */
  readonly imageShape: readonly [number, number];
  readonly pixelSizeUm?: number;
  /** U = 100·Imin/Imax on the smoothed image, % (uncertainty: propagated smoothed-image noise). */
  readonly uniformity: Quantity;
  /** FU = 100 − 100·SD(4 corners + 4 edge mid-points)/Imax (population SD), %. */
  readonly fieldUniformity: Quantity;
  /**
   * C = 100 − 200·d/√(w² + h²), d = distance of the reference-zone centroid from the image centre, % (uncertainty: zone
   * threshold moved by ±1 noise SD; the cell discretisation of the zone, < 0.2 points on simulated fields, is not included).
   */
  readonly centeringAccuracy: Quantity;
  /** C computed from the maximum location instead (MetroloJ_QC with thresholding off), %. */
  readonly centeringAccuracyMax: Quantity;
  /** CV = SD/mean of the smoothed image over defect-free cells, %. */
  readonly cv: Quantity;
  /** Location of the intensity maximum (quadric fit to the reference zone), px; uncertainty = fit standard error. */
  readonly maxLocationPx: { readonly x: Quantity; readonly y: Quantity };
  readonly maxLocationUm?: { readonly x: Quantity; readonly y: Quantity };
  /** How the maximum was located. */
  readonly maxLocationMethod: "quadric fit to the reference zone" | "brightest smoothed cell";
  /** Centroid of the reference zone (top iso-intensity band), px. */
  readonly referenceCentroidPx: { readonly x: number; readonly y: number };
  /** Imax and Imin of the smoothed, dark-subtracted image, data units. */
  readonly maxIntensity: Quantity;
  readonly minIntensity: Quantity;
  /** Maximum, reference-zone centre, minimum, 4 corners and 4 edge mid-points (MetroloJ_QC table). */
  readonly points: FieldPoint[];
  readonly profiles: FieldProfile[];
  readonly isoIntensity: IsoIntensityMap;
  readonly defects: FieldDefects;
  /** microscope-metrics field_illumination (F15) for comparison. */
  readonly microscopeMetrics: {
    /** mean(square)/Imax for 9 squares of side 0.1·(w + h)/2, %. */
    readonly regionRatiosPercent: Record<"topLeft" | "top" | "topRight" | "left" | "centre" | "right" | "bottomLeft" | "bottom" | "bottomRight", number>;
    /** hypot(x/(w/2) − 1, y/(h/2) − 1) (ImageJ pixel convention) for the reference-zone centroid and the maximum. */
    readonly relativeCentreDistance: { readonly referenceZone: number; readonly maxLocation: number };
  };
  /** Noise of the smoothed image (one SD), data units, and the smoothing that produced it. */
  readonly smoothing: { readonly binPx: number; readonly sigmaPx: number; readonly noiseSd: number; readonly modelRmsResidualPercent: number };
  readonly saturation: { readonly saturatedPercent: number; readonly saturationAdu: number | null };
  readonly darkSubtraction: { readonly kind: "image" | "offset" | "none"; readonly levelAdu: number };
  readonly verdict: Verdict & { readonly details: { readonly criterion: string; readonly level: VerdictLevel; readonly reason: string }[] };
  readonly options: ResolvedFieldUniformityOptions;
  readonly provenance: Provenance;
}

/** Result of {@link measureFieldUniformityChannels}. */
export interface FieldUniformityReport {
  readonly channels: FieldUniformityResult[];
  /** Worst channel verdict. */
  readonly verdict: Verdict;
  readonly provenance: Provenance;
}

/**
 * Resolves {@link FieldUniformityOptions} against an image size.
 * @throws InvalidArgumentError for out-of-range values.
 */
function resolveOptions(o: FieldUniformityOptions, ny: number, nx: number): ResolvedFieldUniformityOptions {
  const binPx = o.binPx ?? Math.max(MIN_DEFAULT_BIN_PX, Math.round(Math.max(nx, ny) / TARGET_GRID_CELLS));
  const r: ResolvedFieldUniformityOptions = {
    darkImage: !!o.dark,
    offsetAdu: o.offsetAdu ?? 0,
    binPx,
    smoothingSigmaPx: o.smoothingSigmaPx ?? 2 * binPx,
    stepPercent: o.stepPercent ?? 10,
    maxSaturatedPercent: o.maxSaturatedPercent ?? 0.01,
    model: o.model ?? "polynomial",
    degree: o.degree ?? 8,
    clipSigma: o.clipSigma ?? 4,
    defectThresholdPercent: o.defectThresholdPercent ?? 2,
    uniformityLimitPercent: o.uniformityLimitPercent ?? UNIFORMITY_CRITERION.fail,
    centeringLimitPercent: o.centeringLimitPercent ?? CENTERING_CRITERION.fail,
  };
  const bad = (what: string, v: number, want: string): never => {
    throw new InvalidArgumentError(`measureFieldUniformity: ${what} = ${v}; expected ${want}.`, "Leave the option at its default unless you have a reason to change it.");
  };
  if (!(Number.isInteger(r.binPx) && r.binPx >= 1)) bad("binPx", r.binPx, "an integer ≥ 1");
  if (r.binPx * 4 > Math.min(nx, ny)) bad("binPx", r.binPx, `at most a quarter of the smaller image side (${Math.floor(Math.min(nx, ny) / 4)} px)`);
  if (!(Number.isFinite(r.smoothingSigmaPx) && r.smoothingSigmaPx >= 0)) bad("smoothingSigmaPx", r.smoothingSigmaPx, "a finite number ≥ 0");
  if (!(r.stepPercent > 0 && r.stepPercent <= 50)) bad("stepPercent", r.stepPercent, "a number in (0, 50]");
  if (!(Number.isFinite(r.offsetAdu))) bad("offsetAdu", r.offsetAdu, "a finite number");
  if (!(r.maxSaturatedPercent >= 0 && r.maxSaturatedPercent <= 100)) bad("maxSaturatedPercent", r.maxSaturatedPercent, "a number in [0, 100]");
  if (r.model !== "polynomial" && r.model !== "gaussian") throw new InvalidArgumentError(`measureFieldUniformity: model "${String(r.model)}" is not supported.`, 'Use "polynomial" or "gaussian".');
  if (!(r.clipSigma > 0)) bad("clipSigma", r.clipSigma, "a number > 0");
  if (!(r.defectThresholdPercent >= 0)) bad("defectThresholdPercent", r.defectThresholdPercent, "a number ≥ 0");
  return r;
}

/**
 * Checks that an image is a single 2D plane of a usable size.
 * @throws DimensionError otherwise.
 */
export function requireFlatFieldPlane(image: ImageView, what: string): void {
  const [nz, ny, nx] = image.shape;
  if (nz !== 1) {
    throw new DimensionError(
      `${what} needs one 2D image of the flat-field slide, but got a stack of ${nz} planes (shape [${image.shape.join(", ")}]).`,
      "Pass a single plane (e.g. extractPlane(stack, z) at the focus inside the layer), or use --z with the CLI.",
    );
  }
  if (nx < MIN_IMAGE_SIDE_PX || ny < MIN_IMAGE_SIDE_PX) {
    throw new DimensionError(
      `${what} needs an image of at least ${MIN_IMAGE_SIDE_PX} × ${MIN_IMAGE_SIDE_PX} px, but got ${nx} × ${ny} px.`,
      "Acquire the flat field at the widest field of view (full camera chip, no crop).",
    );
  }
}

/**
 * Checks the fraction of pixels at the detector's maximum.
 * @returns The saturated percentage and the saturation level (null for floating-point data).
 * @throws SaturationError when more than `maxPercent` % of pixels are saturated.
 */
export function checkFlatFieldSaturation(image: ImageView, maxPercent: number, what: string): { saturatedPercent: number; saturationAdu: number | null } {
  const sat = saturationValue(image);
  if (!Number.isFinite(sat)) return { saturatedPercent: 0, saturationAdu: null };
  const count = countAtOrAbove(image.data, sat);
  const percent = (100 * count) / image.data.length;
  if (percent > maxPercent) {
    throw new SaturationError(
      `${what}: ${percent.toPrecision(3)} % of pixels (${count} of ${image.data.length}) are at the detector maximum ${sat} ADU; at most ${maxPercent} % is tolerated.`,
      "Lower the illumination power or the exposure time and acquire the flat field again (aim for a maximum near 50–70 % of the range).",
    );
  }
  return { saturatedPercent: percent, saturationAdu: sat };
}

/**
 * Field illumination uniformity of one flat-field image (MetroloJ_QC definitions) with a pass/fail verdict.
 *
 * @param image - One 2D image (nz = 1) of a homogeneous fluorescent slide, raw counts (ADU) or float.
 * @param options - Dark image or offset, smoothing, band width, defect detection, limits; see {@link FieldUniformityOptions}.
 * @returns U, field uniformity, centering accuracy, CV, maximum location (px and µm), points, the four profiles,
 *   the iso-intensity band map, defects, microscope-metrics comparison values, verdict and provenance.
 * @throws DimensionError when the image is a stack, smaller than 32 × 32 px, or the dark image has another size.
 * @throws SaturationError when more than `maxSaturatedPercent` % of the pixels sit at the detector maximum.
 * @throws InsufficientDataError when no signal remains above the dark level.
 * @throws InvalidArgumentError for out-of-range options.
 *
 * Notes — how the measurement is made robust:
 * 1. The dark image (or the constant offset) is subtracted; without either U is biased upwards by the camera offset.
 * 2. Hot pixels: the image is reduced to trimmed means of binPx × binPx blocks (≥ 3 × 3; the 2 lowest and 2 highest
 *    pixels of each block are dropped, so up to 2 hot and 2 dead pixels per block vanish); noise: the block means are
 *    smoothed by a local-linear Gaussian smoother of σ = 2·binPx (unbiased at the edges, unlike a replicate-edge blur).
 * 3. Dust and debris: a smooth model (exp of a degree-8 polynomial by default) is fitted to the block means with
 *    iterative 4-SD clipping; cells deviating by more than 4 SD and 2 % are defects, grown into neighbours that
 *    deviate the same way by > 2 SD, replaced by the model before smoothing (so they do not spread), excluded
 *    from Imin, Imax and the reference zone, and listed.
 * 4. Imin and Imax are the extreme smoothed values over defect-free cells and the 8 border points (4 corners and
 *    4 edge mid-points, bilinearly extrapolated to the exact pixel), so corners are evaluated at the corner pixel.
 * 5. The maximum location is the vertex of a quadric fitted to the block means of the reference zone (top band),
 *    with its standard error from the fit covariance; the raw argmax of a flat-topped field is noise-dominated.
 * Definitions (peers.md F14): U = 100·Imin/Imax; FU = 100 − 100·SD(8 border points)/Imax;
 * C = 100 − 200·√((x_ref − x_c)² + (y_ref − y_c)²)/√(w² + h²) with (x_ref, y_ref) the centroid of the cells with
 * I ≥ (100 − step) % of Imax and (x_c, y_c) = ((w − 1)/2, (h − 1)/2), ImageJ's (w/2, h/2) in its +½ pixel convention.
 * Uncertainties are one SD of the smoothed-image noise propagated (model mismatch not included).
 * Verdict: fail when U < 50 % (Faklaris et al. 2022) or C < 50 % (MetroloJ_QC default).
 * @see MetroloJ_QC `fieldIllumination/fieldIllumination.java`; microscope-metrics `analyses/field_illumination.py`;
 *   Faklaris et al. (2022) J Cell Biol 221:e202107093, doi:10.1083/jcb.202107093
 * @example
 * const { image, dark } = simulateFlatField({ shape: [256, 256], centrePx: [150, 120], darkImage: true, seed: 4 });
 * const r = measureFieldUniformity(image, { dark });
 * // r.maxLocationPx.x.value ≈ 150, r.uniformity.value ≈ truth.uniformityPercent
 */
export function measureFieldUniformity(image: ImageView, options: FieldUniformityOptions = {}): FieldUniformityResult {
  const what = "Field uniformity";
  requireFlatFieldPlane(image, what);
  const [, ny, nx] = image.shape;
  const o = resolveOptions(options, ny, nx);
  const notes: string[] = [];
  const saturation = checkFlatFieldSaturation(image, o.maxSaturatedPercent, what);
  if (saturation.saturatedPercent > 0) notes.push(`${saturation.saturatedPercent.toPrecision(2)} % of pixels at the detector maximum (tolerated as hot pixels; dropped by the block trimmed means).`);
  const dark = options.dark ?? null;
  const grid = buildSmoothGrid(image, { binPx: o.binPx, smoothingSigmaPx: o.smoothingSigmaPx, dark, offset: o.offsetAdu });
  const darkLevel = dark ? meanOf(dark.data) : o.offsetAdu;
  if (!dark && o.offsetAdu === 0) notes.push("No dark image or offset given: the camera offset is included in the intensities, which biases U upwards. Pass a dark image or offsetAdu.");
  const [gy, gx] = grid.shape;
  const n = gx * gy;

  let rawMax = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < n; c++) if (grid.raw[c] > rawMax) rawMax = grid.raw[c];
  if (!(rawMax > 0)) throw noSignal(rawMax, darkLevel);
  // defects from the smooth model, in-painted before smoothing so that they do not spread
  const fit = fitIlluminationModel(grid, o.model, o.degree, o.clipSigma);
  const defect = findDefects(grid, fit.predicted, fit.outlierCells, fit.relativeResidualSd, o.defectThresholdPercent);
  const defectList: { xPx: number; yPx: number; deviationPercent: number }[] = [];
  let defectPixels = 0;
  const inpainted = Float32Array.from(grid.raw);
  for (let c = 0; c < n; c++) {
    if (!defect[c]) continue;
    const p = fit.predicted[c];
    inpainted[c] = p;
    defectPixels += grid.cellPixels[c];
    defectList.push({ xPx: grid.xCentresPx[c % gx], yPx: grid.yCentresPx[Math.floor(c / gx)], deviationPercent: p > 0 ? (100 * (grid.raw[c] - p)) / p : 0 });
  }
  defectList.sort((a, b) => Math.abs(b.deviationPercent) - Math.abs(a.deviationPercent));
  const s = defectList.length ? resmooth(grid, inpainted) : grid.smooth;
  if (defectList.length) notes.push(`${defectList.length} grid cells (${((100 * defectPixels) / (nx * ny)).toPrecision(2)} % of the field) deviate from the smooth illumination by more than ${o.defectThresholdPercent} % (dust or debris?) and were excluded from Imin, Imax and the reference zone.`);

  // extremes
  let imax = Number.NEGATIVE_INFINITY;
  let imaxCell = -1;
  let imin = Number.POSITIVE_INFINITY;
  let iminAt: [number, number] = [0, 0];
  for (let c = 0; c < n; c++) {
    if (defect[c]) continue;
    if (s[c] > imax) {
      imax = s[c];
      imaxCell = c;
    }
    if (s[c] < imin) {
      imin = s[c];
      iminAt = [grid.xCentresPx[c % gx], grid.yCentresPx[Math.floor(c / gx)]];
    }
  }
  if (imaxCell < 0 || !(imax > 0)) throw noSignal(imax, darkLevel);
  const xm = Math.floor(nx / 2);
  const ymid = Math.floor(ny / 2);
  const border: [string, number, number][] = [
    ["top-left corner", 0, 0],
    ["top-right corner", nx - 1, 0],
    ["bottom-left corner", 0, ny - 1],
    ["bottom-right corner", nx - 1, ny - 1],
    ["top edge middle", xm, 0],
    ["bottom edge middle", xm, ny - 1],
    ["left edge middle", 0, ymid],
    ["right edge middle", nx - 1, ymid],
  ];
  const borderValues = border.map(([, x, y]) => sampleGrid(grid, s, x, y));
  let iminIsBorder = false;
  for (let k = 0; k < border.length; k++) {
    if (borderValues[k] < imin) {
      imin = borderValues[k];
      iminAt = [border[k][1], border[k][2]];
      iminIsBorder = true;
    }
  }
  if (imin < 0) notes.push(`The darkest smoothed intensity is below the dark level (${imin.toPrecision(3)}); U is reported as 0.`);
  const sd = grid.smoothNoiseSd;
  const sdMax = smoothNoiseAt(grid, grid.xCentresPx[imaxCell % gx], grid.yCentresPx[Math.floor(imaxCell / gx)]);
  const sdMin = smoothNoiseAt(grid, iminAt[0], iminAt[1]) * (iminIsBorder ? BORDER_EXTRAPOLATION_NOISE : 1);
  const U = Math.max(0, (100 * imin) / imax);
  const uSe = U > 0 ? U * Math.hypot(sdMin / imin, sdMax / imax) : (100 * sdMin) / imax;
  const bMean = borderValues.reduce((a, b) => a + b, 0) / border.length;
  const bSd = Math.sqrt(borderValues.reduce((a, b) => a + (b - bMean) ** 2, 0) / border.length);
  const FU = 100 - (100 * bSd) / imax;

  // reference zone (top band) and centering accuracy
  const cxImg = (nx - 1) / 2;
  const cyImg = (ny - 1) / 2;
  const diag = Math.hypot(nx, ny);
  const centering = (x: number, y: number): number => 100 - (200 * Math.hypot(x - cxImg, y - cyImg)) / diag;
  const thr = (1 - o.stepPercent / 100) * imax;
  const zone = zoneCentroid(grid, s, defect, thr);
  const zoneLo = zoneCentroid(grid, s, defect, thr - sdMax);
  const zoneHi = zoneCentroid(grid, s, defect, Math.min(thr + sdMax, imax));
  const C = centering(zone.x, zone.y);
  const cSe = Math.abs(centering(zoneLo.x, zoneLo.y) - centering(zoneHi.x, zoneHi.y)) / 2;

  // maximum location
  const maxLoc = locateMaximum(grid, s, defect, thr, imaxCell);
  if (maxLoc.method !== "quadric fit to the reference zone") notes.push(`Maximum located at the brightest smoothed cell: ${maxLoc.why}.`);
  const cMax = centering(maxLoc.x, maxLoc.y);
  const cMaxSe = (200 * Math.hypot(maxLoc.xSe, maxLoc.ySe)) / Math.SQRT2 / diag;

  // CV of the smoothed image
  let sum = 0;
  let sum2 = 0;
  let w = 0;
  for (let c = 0; c < n; c++) {
    if (defect[c]) continue;
    const cw = grid.cellPixels[c];
    sum += cw * s[c];
    sum2 += cw * s[c] * s[c];
    w += cw;
  }
  const mean = sum / w;
  const cv = (100 * Math.sqrt(Math.max(0, sum2 / w - mean * mean))) / mean;
  const cvSe = (100 * sd) / mean / Math.SQRT2;

  // bands
  const isoIntensity = bandMap(grid, s, imax, o.stepPercent);

  const px = pixelSizeOf(image);
  const toPoint = (name: string, x: number, y: number, intensity: number): FieldPoint => {
    const d = Math.hypot(x - cxImg, y - cyImg);
    return {
      name,
      xPx: x,
      yPx: y,
      distanceFromCentrePx: d,
      ...(px !== undefined ? { distanceFromCentreUm: d * px } : {}),
      intensity,
      relativeIntensityPercent: (100 * intensity) / imax,
    };
  };
  const points: FieldPoint[] = [
    toPoint("maximum", maxLoc.x, maxLoc.y, sampleGrid(grid, s, maxLoc.x, maxLoc.y)),
    toPoint("reference zone centre", zone.x, zone.y, sampleGrid(grid, s, zone.x, zone.y)),
    toPoint("minimum", iminAt[0], iminAt[1], imin),
    ...border.map(([name, x, y], k) => toPoint(name, x, y, borderValues[k])),
  ];

  const criteria: [AcceptanceCriterion, number, number][] = [
    [UNIFORMITY_CRITERION, U, o.uniformityLimitPercent],
    [CENTERING_CRITERION, C, o.centeringLimitPercent],
  ];
  const details = criteria.map(([cr, v, limit]) => ({ criterion: cr.id, ...judge(cr, v, { fail: limit }) }));
  const level: VerdictLevel = details.some((d) => d.level === "fail") ? "fail" : details.some((d) => d.level === "warn") ? "warn" : "pass";
  const reason = verdictReason(level, details, U, C, o);

  const mm = microscopeMetricsValues(grid, s, imax, zone, maxLoc);
  const inputs = options.inputs ?? (options.file ? [{ file: options.file, sha256: sha256(image.data) }] : [{ sha256: sha256(image.data) }]);
  const ch = image.channel;
  return {
    channel: { index: options.channelIndex ?? 0, ...(ch?.name !== undefined ? { name: ch.name } : {}), ...(ch?.emissionWavelengthNm !== undefined ? { emissionWavelengthNm: ch.emissionWavelengthNm } : {}) },
    imageShape: [ny, nx],
    ...(px !== undefined ? { pixelSizeUm: px } : {}),
    uniformity: quantity(U, uSe, "%"),
    fieldUniformity: quantity(FU, (100 * sd) / imax, "%"),
    centeringAccuracy: quantity(C, cSe, "%"),
    centeringAccuracyMax: quantity(cMax, cMaxSe, "%"),
    cv: quantity(cv, cvSe, "%"),
    maxLocationPx: { x: quantity(maxLoc.x, maxLoc.xSe, "px"), y: quantity(maxLoc.y, maxLoc.ySe, "px") },
    ...(px !== undefined ? { maxLocationUm: { x: quantity(maxLoc.x * px, maxLoc.xSe * px, "um"), y: quantity(maxLoc.y * px, maxLoc.ySe * px, "um") } } : {}),
    maxLocationMethod: maxLoc.method,
    referenceCentroidPx: { x: zone.x, y: zone.y },
    maxIntensity: quantity(imax, sd, "ADU"),
    minIntensity: quantity(imin, sd, "ADU"),
    points,
    profiles: centreProfiles(grid, s, imax, px),
    isoIntensity,
    defects: { cellCount: defectList.length, areaPercent: (100 * defectPixels) / (nx * ny), cells: defectList.slice(0, MAX_LISTED_DEFECTS) },
    microscopeMetrics: mm,
    smoothing: { binPx: o.binPx, sigmaPx: o.smoothingSigmaPx, noiseSd: sd, modelRmsResidualPercent: fit.model.rmsResidualPercent },
    saturation,
    darkSubtraction: { kind: dark ? "image" : o.offsetAdu !== 0 ? "offset" : "none", levelAdu: darkLevel },
    verdict: { level, reason, details },
    options: o,
    provenance: makeProvenance("measureFieldUniformity", o, inputs, notes),
  };
}

/**
 * Field uniformity of every channel of a multichannel flat field (one objective, several filter sets).
 *
 * @param image - Channels of the same field; each must be a single 2D plane.
 * @param options - As {@link measureFieldUniformity}; `dark` is used for every channel.
 * @returns One result per channel and the worst verdict.
 * @throws DimensionError, SaturationError, InsufficientDataError as {@link measureFieldUniformity}, naming the channel.
 * @throws InsufficientDataError when there are no channels.
 *
 * Notes: channels are analysed independently; each keeps its own verdict.
 * @see {@link measureFieldUniformity}
 * @example
 * const { image, dark } = simulateMultiChannelFlatField({ darkImage: true });
 * measureFieldUniformityChannels(image, { dark }).channels.length; // 2
 */
export function measureFieldUniformityChannels(image: MultiChannelImage, options: FieldUniformityOptions = {}): FieldUniformityReport {
  if (image.channels.length === 0) throw new InsufficientDataError("The image has no channels.", "Pass at least one flat-field image.");
  const channels = image.channels.map((ch, i) => {
    try {
      return measureFieldUniformity(ch, { ...options, channelIndex: i });
    } catch (e) {
      if (!(e instanceof LimiqcError) || image.channels.length === 1) throw e;
      const Ctor = e.constructor as new (message: string, hint?: string) => LimiqcError;
      throw new Ctor(`Channel ${i}: ${e.message.split("\n  → ")[0]}`, e.hint);
    }
  });
  const order: VerdictLevel[] = ["pass", "warn", "fail"];
  const worst = channels.reduce((a, b) => (order.indexOf(b.verdict.level) > order.indexOf(a.verdict.level) ? b : a));
  const reason =
    channels.length === 1
      ? worst.verdict.reason
      : worst.verdict.level === "pass"
        ? `All ${channels.length} channels pass: ${channels.map((c) => `U ${c.uniformity.value.toFixed(1)} %`).join(", ")}.`
        : `Channel ${worst.channel.index}${worst.channel.name ? ` (${worst.channel.name})` : ""}: ${worst.verdict.reason}`;
  return {
    channels,
    verdict: { level: worst.verdict.level, reason },
    provenance: makeProvenance("measureFieldUniformityChannels", channels[0].options, channels.flatMap((c) => c.provenance.inputs), channels.flatMap((c, i) => c.provenance.notes.map((nn) => `channel ${i}: ${nn}`))),
  };
}

function verdictReason(
  level: VerdictLevel,
  details: { criterion: string; level: VerdictLevel; reason: string }[],
  U: number,
  C: number,
  o: ResolvedFieldUniformityOptions,
): string {
  if (level === "pass") return `${details.map((d) => d.reason).join(" ")}`;
  const failing = details.filter((d) => d.level !== "pass").map((d) => d.reason);
  const hints: string[] = [];
  if (C < o.centeringLimitPercent) hints.push("the brightest region is far off-centre: centre the field diaphragm / condenser (widefield) or re-align the light source, fibre or scan (confocal)");
  if (U < o.uniformityLimitPercent && C >= o.centeringLimitPercent) hints.push("the field is centred but falls off strongly towards the edges: check the objective, the beam size at the back focal plane, or crop to the central field of a large camera chip");
  return `${failing.join(" ")} Likely cause: ${hints.join("; ")}.`;
}

function noSignal(max: number, darkLevel: number): InsufficientDataError {
  return new InsufficientDataError(
    `No signal above the dark level: the brightest (block-averaged) intensity is ${Number.isFinite(max) ? max.toPrecision(4) : "undefined"} above a dark level of ${darkLevel.toPrecision(4)}.`,
    "Check that the slide is in focus and illuminated, and that the dark image or offset belongs to this camera setting.",
  );
}

/**
 * Defect mask: outlier cells deviating from the model by more than `thresholdPercent`, grown (8-connected,
 * hysteresis) into neighbours that deviate the same way by more than DEFECT_GROW_SDS residual SDs, so the faint
 * rim of a dust speck is masked too.
 */
function findDefects(grid: SmoothGrid, predicted: Float64Array, outliers: Uint8Array, relativeSd: number, thresholdPercent: number): Uint8Array {
  const [gy, gx] = grid.shape;
  const n = gx * gy;
  const defect = new Uint8Array(n);
  const stack: number[] = [];
  let pmax = 0;
  for (let c = 0; c < n; c++) if (predicted[c] > pmax) pmax = predicted[c];
  for (let c = 0; c < n; c++) {
    const p = predicted[c];
    if (outliers[c] && p > 0 && (100 * Math.abs(grid.raw[c] - p)) / p > thresholdPercent) {
      defect[c] = 1;
      stack.push(c);
    }
  }
  const low = DEFECT_GROW_SDS * relativeSd;
  while (stack.length) {
    const c = stack.pop() as number;
    const sign = Math.sign(grid.raw[c] - predicted[c]);
    const i = c % gx;
    const j = (c - i) / gx;
    for (let dj = -1; dj <= 1; dj++) {
      const jj = j + dj;
      if (jj < 0 || jj >= gy) continue;
      for (let di = -1; di <= 1; di++) {
        const ii = i + di;
        if (ii < 0 || ii >= gx) continue;
        const q = jj * gx + ii;
        if (defect[q]) continue;
        const r = grid.raw[q] - predicted[q];
        // relative deviation scaled to the brightness of the maximum (shot noise ∝ √I)
        if (Math.sign(r) === sign && (Math.abs(r) / predicted[q]) * Math.sqrt(predicted[q] / pmax) > low) {
          defect[q] = 1;
          stack.push(q);
        }
      }
    }
  }
  return defect;
}

function meanOf(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}

function pixelSizeOf(image: ImageView): number | undefined {
  const v = image.voxelSizeUm;
  if (!v || !(v[2] > 0) || !(v[1] > 0)) return undefined;
  return Math.abs(v[2] - v[1]) / v[2] < 1e-6 ? v[2] : Math.sqrt(v[1] * v[2]);
}

/** Pixel-weighted centroid of defect-free cells at or above `thr`; falls back to the brightest cell. */
function zoneCentroid(grid: SmoothGrid, s: Float32Array, defect: Uint8Array, thr: number): { x: number; y: number; cells: number } {
  const [gy, gx] = grid.shape;
  let sx = 0;
  let sy = 0;
  let sw = 0;
  let cells = 0;
  let best = -1;
  for (let j = 0; j < gy; j++) {
    for (let i = 0; i < gx; i++) {
      const c = j * gx + i;
      if (defect[c]) continue;
      if (best < 0 || s[c] > s[best]) best = c;
      if (s[c] < thr) continue;
      const w = grid.cellPixels[c];
      sx += w * grid.xCentresPx[i];
      sy += w * grid.yCentresPx[j];
      sw += w;
      cells++;
    }
  }
  if (sw === 0) return { x: grid.xCentresPx[best % gx], y: grid.yCentresPx[Math.floor(best / gx)], cells: 0 };
  return { x: sx / sw, y: sy / sw, cells };
}

interface MaxLocation {
  x: number;
  y: number;
  xSe: number;
  ySe: number;
  method: FieldUniformityResult["maxLocationMethod"];
  why: string;
}

/**
 * Vertex of the quadric z = c0 + c1·x + c2·y + c3·x² + c4·x·y + c5·y² fitted to the block means of the
 * reference zone, with delta-method standard errors; the brightest smoothed cell when the fit is unusable.
 */
function locateMaximum(grid: SmoothGrid, s: Float32Array, defect: Uint8Array, thr: number, imaxCell: number): MaxLocation {
  const [gy, gx] = grid.shape;
  const [ny, nx] = grid.imageShape;
  const xs: number[] = [];
  const ys: number[] = [];
  const zs: number[] = [];
  let x0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  let zoneCells = 0;
  for (let c = 0; c < gx * gy; c++) if (!defect[c] && s[c] >= thr) zoneCells++;
  // a regular subset keeps the fit cheap on big zones (the vertex SE grows accordingly: it is still the fit's SE)
  const stride = Math.max(1, Math.floor(Math.sqrt(zoneCells / MAX_QUADRIC_CELLS)));
  for (let j = 0; j < gy; j += stride) {
    for (let i = 0; i < gx; i += stride) {
      const c = j * gx + i;
      if (defect[c] || s[c] < thr) continue;
      xs.push(grid.xCentresPx[i]);
      ys.push(grid.yCentresPx[j]);
      zs.push(grid.raw[c]);
      x0 = Math.min(x0, grid.xCentresPx[i]);
      x1 = Math.max(x1, grid.xCentresPx[i]);
      y0 = Math.min(y0, grid.yCentresPx[j]);
      y1 = Math.max(y1, grid.yCentresPx[j]);
    }
  }
  const fallback = (why: string): MaxLocation => ({
    x: grid.xCentresPx[imaxCell % gx],
    y: grid.yCentresPx[Math.floor(imaxCell / gx)],
    xSe: grid.binPx / Math.sqrt(12),
    ySe: grid.binPx / Math.sqrt(12),
    method: "brightest smoothed cell",
    why,
  });
  if (xs.length < MIN_QUADRIC_CELLS) return fallback(`only ${xs.length} cells in the reference zone (need ${MIN_QUADRIC_CELLS} for a quadric fit)`);
  let f: ReturnType<typeof fitSurface>;
  try {
    f = fitSurface(xs, ys, zs, 2);
  } catch {
    return fallback("the quadric fit to the reference zone failed");
  }
  const c = f.coefficients;
  const a = 2 * c[3];
  const b = c[4];
  const d = 2 * c[5];
  const det = a * d - b * b;
  if (!(a < 0 && det > 0)) return fallback("the reference zone is not peaked (no concave quadric)");
  // H⁻¹ for H = [[a, b], [b, d]]
  const i00 = d / det;
  const i01 = -b / det;
  const i11 = a / det;
  const vx = -(i00 * c[1] + i01 * c[2]);
  const vy = -(i01 * c[1] + i11 * c[2]);
  const margin = grid.binPx;
  if (vx < x0 - margin || vx > x1 + margin || vy < y0 - margin || vy > y1 + margin || vx < -0.5 || vx > nx - 0.5 || vy < -0.5 || vy > ny - 0.5) {
    return fallback("the fitted vertex lies outside the reference zone (maximum at the image border?)");
  }
  // dv = −H⁻¹(dg + dH·v): Jacobian columns for c0…c5
  const col = (gx_: number, gy_: number): [number, number] => [-(i00 * gx_ + i01 * gy_), -(i01 * gx_ + i11 * gy_)];
  const J: [number, number][] = [[0, 0], col(1, 0), col(0, 1), col(2 * vx, 0), col(vy, vx), col(0, 2 * vy)];
  const cov = f.covariance;
  let sxx = 0;
  let syy = 0;
  for (let p = 0; p < 6; p++) {
    for (let q = 0; q < 6; q++) {
      const s = cov[p * 6 + q];
      sxx += J[p][0] * s * J[q][0];
      syy += J[p][1] * s * J[q][1];
    }
  }
  return { x: vx, y: vy, xSe: Math.sqrt(Math.max(0, sxx)), ySe: Math.sqrt(Math.max(0, syy)), method: "quadric fit to the reference zone", why: "" };
}

function bandMap(grid: SmoothGrid, s: Float32Array, imax: number, step: number): IsoIntensityMap {
  const [gy, gx] = grid.shape;
  const n = gx * gy;
  const nBands = Math.ceil(100 / step);
  const bands = new Array<number>(n);
  const area = new Float64Array(nBands);
  let total = 0;
  for (let c = 0; c < n; c++) {
    const rel = (100 * s[c]) / imax;
    let k = Math.floor(rel / step);
    if (k < 0) k = 0;
    if (k > nBands - 1) k = nBands - 1;
    bands[c] = k * step;
    area[k] += grid.cellPixels[c];
    total += grid.cellPixels[c];
  }
  const areaPercent = Array.from(area, (a, k) => ({ fromPercent: k * step, toPercent: Math.min(100, (k + 1) * step), percent: (100 * a) / total }));
  return { stepPercent: step, gridShape: [gy, gx], binPx: grid.binPx, bands, areaPercent };
}

function centreProfiles(grid: SmoothGrid, s: Float32Array, imax: number, px: number | undefined): FieldProfile[] {
  const [ny, nx] = grid.imageShape;
  const cx = (nx - 1) / 2;
  const cy = (ny - 1) / 2;
  const lines: [FieldProfile["name"], number, number, number, number][] = [
    ["horizontal", 0, cy, nx - 1, cy],
    ["vertical", cx, 0, cx, ny - 1],
    ["diagonal TL-BR", 0, 0, nx - 1, ny - 1],
    ["diagonal TR-BL", nx - 1, 0, 0, ny - 1],
  ];
  return lines.map(([name, xa, ya, xb, yb]) => {
    const len = Math.hypot(xb - xa, yb - ya);
    const count = Math.max(2, Math.ceil(len / grid.binPx) + 1);
    const distancePx: number[] = [];
    const rel: number[] = [];
    for (let k = 0; k < count; k++) {
      const t = k / (count - 1);
      const x = xa + t * (xb - xa);
      const y = ya + t * (yb - ya);
      distancePx.push(t * len - len / 2);
      rel.push((100 * sampleGrid(grid, s, x, y)) / imax);
    }
    return { name, distancePx, ...(px !== undefined ? { distanceUm: distancePx.map((d) => d * px) } : {}), relativeIntensityPercent: rel };
  });
}

function microscopeMetricsValues(
  grid: SmoothGrid,
  s: Float32Array,
  imax: number,
  zone: { x: number; y: number },
  maxLoc: { x: number; y: number },
): FieldUniformityResult["microscopeMetrics"] {
  const [gy, gx] = grid.shape;
  const [ny, nx] = grid.imageShape;
  const side = (REGION_FRACTION * (nx + ny)) / 2;
  const region = (xa: number, ya: number): number => {
    let sum = 0;
    let w = 0;
    for (let j = 0; j < gy; j++) {
      const y = grid.yCentresPx[j];
      if (y < ya || y > ya + side) continue;
      for (let i = 0; i < gx; i++) {
        const x = grid.xCentresPx[i];
        if (x < xa || x > xa + side) continue;
        sum += s[j * gx + i] * grid.cellPixels[j * gx + i];
        w += grid.cellPixels[j * gx + i];
      }
    }
    return w > 0 ? (100 * sum) / w / imax : (100 * sampleGrid(grid, s, xa + side / 2, ya + side / 2)) / imax;
  };
  const L = -0.5;
  const Mx = (nx - side) / 2 - 0.5;
  const My = (ny - side) / 2 - 0.5;
  const Rx = nx - side - 0.5;
  const By = ny - side - 0.5;
  // microscope-metrics uses pixel-index coordinates with the centre at (w/2, h/2); in our convention that is (x + 0.5)
  const rel = (x: number, y: number): number => Math.hypot((y + 0.5) / (ny / 2) - 1, (x + 0.5) / (nx / 2) - 1);
  return {
    regionRatiosPercent: {
      topLeft: region(L, L),
      top: region(Mx, L),
      topRight: region(Rx, L),
      left: region(L, My),
      centre: region(Mx, My),
      right: region(Rx, My),
      bottomLeft: region(L, By),
      bottom: region(Mx, By),
      bottomRight: region(Rx, By),
    },
    relativeCentreDistance: { referenceZone: rel(zone.x, zone.y), maxLocation: rel(maxLoc.x, maxLoc.y) },
  };
}
