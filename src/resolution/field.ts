/**
 * Field dependence of the focus: tilt of the focal plane and field curvature from per-bead focus positions.
 * @module
 */
import { InsufficientDataError, InvalidArgumentError } from "../core/errors.js";
import { type Quantity, quantity } from "../core/quantity.js";
import { fitSurface, type SurfaceFit } from "../fit/linear.js";

/** A bead's lateral position and focus position, µm. */
export interface FocusPoint {
  readonly xUm: number;
  readonly yUm: number;
  /** Focus (PSF centre) z, µm. */
  readonly zUm: number;
}

/** Field geometry: the optical axis and the centre-to-corner distance, µm. */
export interface FieldGeometry {
  /** Field centre [x, y], µm (the image centre unless the optical axis is known to be elsewhere). */
  readonly fieldCentreUm: readonly [number, number];
  /** Distance from the field centre to the image corner, µm: the radius at which the curvature sag is quoted. */
  readonly cornerRadiusUm: number;
}

/** Options of {@link fitFocusField}. */
export interface FocusFieldOptions {
  /** Fewest beads for the plane (tilt) fit; below it the result is null. @default 4 */
  minBeadsForTilt?: number;
  /** Fewest beads for the quadric (curvature) fit; below it only the plane is fitted. @default 10 */
  minBeadsForCurvature?: number;
}

/** A fitted focus surface in field-centred coordinates (u = x − x_c, v = y − y_c, µm). */
export interface FocusSurface {
  readonly degree: 1 | 2;
  /** Coefficients of z = c₀ + c₁u + c₂v (+ c₃u² + c₄uv + c₅v²), µm and µm⁻¹…; ± standard errors. */
  readonly coefficients: readonly number[];
  readonly standardErrors: readonly number[];
  readonly terms: readonly string[];
  /** Focus z at the field centre, µm ± SE. */
  readonly centreZUm: Quantity;
  /** Tilt of the surface at the field centre along x: atan(∂z/∂x), mrad ± SE. */
  readonly tiltXMrad: Quantity;
  /** Along y: atan(∂z/∂y), mrad ± SE. */
  readonly tiltYMrad: Quantity;
  /** Total tilt atan(|∇z|) at the field centre, mrad ± SE (delta method). */
  readonly tiltMrad: Quantity;
  /** RMS of the residuals (bead heights, noise), µm. */
  readonly residualRmsUm: number;
}

/** Tilt and curvature of the focal surface. */
export interface PsfFieldResult {
  readonly n: number;
  readonly fieldCentreUm: readonly [number, number];
  readonly cornerRadiusUm: number;
  /** Planarity (PSFj): SD of the bead focus positions, µm (value) with n − 1 in the denominator. */
  readonly planarityUm: number;
  /** Highest minus lowest bead focus, µm. */
  readonly focusRangeUm: number;
  readonly plane: FocusSurface;
  /** Null when fewer than minBeadsForCurvature beads. */
  readonly quadric: FocusSurface | null;
  /** Reported tilt: from the quadric's gradient at the field centre when the quadric was fitted, else from the plane. */
  readonly tiltMrad: Quantity;
  readonly tiltXMrad: Quantity;
  readonly tiltYMrad: Quantity;
  readonly tiltSource: "quadric" | "plane";
  /**
   * Field curvature: sag of the rotationally symmetric part of the quadric at the field corner relative to the
   * centre, (c₃ + c₅)/2·R², µm ± SE (positive: the corners focus at larger z). Null without the quadric.
   */
  readonly fieldCurvatureUm: Quantity | null;
  /** Astigmatic part of the quadric at the corner: √(((c₃ − c₅)/2)² + (c₄/2)²)·R², µm (0 for a paraboloid of revolution). */
  readonly fieldAstigmatismUm: number | null;
  readonly notes: string[];
}

const MRAD_PER_RAD = 1000;

/**
 * Fits the focal surface through bead focus positions: a plane (tilt) and, with enough beads, a quadric (curvature).
 *
 * @param points - Bead lateral positions and focus z, µm (e.g. the 3D-fit centres of the accepted beads).
 * @param geometry - Field centre and centre-to-corner radius, µm.
 * @param options - Minimum bead numbers (see {@link FocusFieldOptions}).
 * @returns Plane and quadric fits in field-centred coordinates, tilt (mrad), curvature sag at the corner (µm), planarity.
 * @throws InsufficientDataError when fewer than minBeadsForTilt points are given.
 * @throws FitError when the points are degenerate (all on a line).
 * @throws InvalidArgumentError for a non-positive corner radius or non-finite positions.
 *
 * Notes: the tilt is atan of the gradient at the field centre: for a plane z = c₀ + c₁u + c₂v, θx = atan(c₁),
 * θy = atan(c₂), θ = atan(√(c₁² + c₂²)). The curvature is quoted as the sag of the rotationally symmetric part at the
 * field corner: with z = … + c₃u² + c₄uv + c₅v², sag = (c₃ + c₅)/2·R² (the simulator's `fieldCurvatureUm` is the same
 * quantity). Fits are unweighted: the scatter of beads about the surface (beads at different heights, mounting) is
 * usually much larger than the fit errors of their z. Standard errors come from the least-squares covariance.
 * @see PSFj planarity and focus maps (F13 in peers.md); NBO-Q Planarity; Theer et al. (2014) doi:10.1038/nmeth.3102
 * @example
 * const f = fitFocusField(points, { fieldCentreUm: [16, 16], cornerRadiusUm: 22.6 });
 * f.tiltMrad.value; // total tilt, mrad
 */
export function fitFocusField(points: readonly FocusPoint[], geometry: FieldGeometry, options: FocusFieldOptions = {}): PsfFieldResult {
  const minTilt = options.minBeadsForTilt ?? 4;
  const minCurv = options.minBeadsForCurvature ?? 10;
  if (!(geometry.cornerRadiusUm > 0)) {
    throw new InvalidArgumentError(`cornerRadiusUm is ${geometry.cornerRadiusUm}; expected a positive distance in µm.`, "Use the half-diagonal of the field.");
  }
  const n = points.length;
  if (n < minTilt) {
    throw new InsufficientDataError(`The focal-plane fit needs at least ${minTilt} beads, but ${n} were given.`, "Use a bead slide with beads spread over the whole field.");
  }
  const [xc, yc] = geometry.fieldCentreUm;
  const u = new Float64Array(n);
  const v = new Float64Array(n);
  const z = new Float64Array(n);
  let zMin = Number.POSITIVE_INFINITY;
  let zMax = Number.NEGATIVE_INFINITY;
  let mean = 0;
  for (let i = 0; i < n; i++) {
    u[i] = points[i].xUm - xc;
    v[i] = points[i].yUm - yc;
    z[i] = points[i].zUm;
    mean += z[i];
    zMin = Math.min(zMin, z[i]);
    zMax = Math.max(zMax, z[i]);
  }
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (z[i] - mean) ** 2;
  const notes: string[] = [];
  const plane = surface(fitSurface(u, v, z, 1));
  let quadric: FocusSurface | null = null;
  let curvature: Quantity | null = null;
  let astig: number | null = null;
  if (n >= minCurv) {
    const q = fitSurface(u, v, z, 2);
    quadric = surface(q);
    const r2 = geometry.cornerRadiusUm * geometry.cornerRadiusUm;
    const c = q.coefficients;
    const cv = q.covariance;
    const p = 6;
    const varSag = (r2 * r2 * (cv[3 * p + 3] + cv[5 * p + 5] + 2 * cv[3 * p + 5])) / 4;
    curvature = quantity(((c[3] + c[5]) / 2) * r2, Math.sqrt(Math.max(varSag, 0)), "um");
    astig = Math.hypot((c[3] - c[5]) / 2, c[4] / 2) * r2;
  } else {
    notes.push(`Field curvature not fitted: ${n} beads, at least ${minCurv} are needed for the quadric.`);
  }
  const src = quadric ?? plane;
  return {
    n,
    fieldCentreUm: [xc, yc],
    cornerRadiusUm: geometry.cornerRadiusUm,
    planarityUm: n > 1 ? Math.sqrt(ss / (n - 1)) : 0,
    focusRangeUm: zMax - zMin,
    plane,
    quadric,
    tiltMrad: src.tiltMrad,
    tiltXMrad: src.tiltXMrad,
    tiltYMrad: src.tiltYMrad,
    tiltSource: quadric ? "quadric" : "plane",
    fieldCurvatureUm: curvature,
    fieldAstigmatismUm: astig,
    notes,
  };
}

function surface(f: SurfaceFit): FocusSurface {
  const c = f.coefficients;
  const p = c.length;
  const cv = f.covariance;
  const b = c[1];
  const cc = c[2];
  const vb = cv[1 * p + 1];
  const vc = cv[2 * p + 2];
  const cbc = cv[1 * p + 2];
  const g = Math.hypot(b, cc);
  const dAtan = 1 / (1 + g * g);
  const varG = g > 0 ? (b * b * vb + cc * cc * vc + 2 * b * cc * cbc) / (g * g) : (vb + vc) / 2;
  return {
    degree: f.degree,
    coefficients: Array.from(c),
    standardErrors: Array.from(f.standardErrors),
    terms: f.terms,
    centreZUm: quantity(c[0], f.standardErrors[0], "um"),
    tiltXMrad: quantity(Math.atan(b) * MRAD_PER_RAD, (Math.sqrt(vb) / (1 + b * b)) * MRAD_PER_RAD, "mrad"),
    tiltYMrad: quantity(Math.atan(cc) * MRAD_PER_RAD, (Math.sqrt(vc) / (1 + cc * cc)) * MRAD_PER_RAD, "mrad"),
    tiltMrad: quantity(Math.atan(g) * MRAD_PER_RAD, Math.sqrt(Math.max(varG, 0)) * dAtan * MRAD_PER_RAD, "mrad"),
    residualRmsUm: Math.sqrt(f.ssr / f.residuals.length),
  };
}
