/**
 * Synthetic bead z-stacks (PSF, co-registration and field-flatness slides) with known ground truth.
 *
 * Rendering is plane by plane: each plane starts at the background, every bead adds its PSF in a window around
 * its centre (±4σ Gaussian, table radius scalar), and the camera model turns the plane into counts, so memory
 * stays at one Float32 plane plus the Uint16 output.
 */
import { InvalidArgumentError } from "../core/errors.js";
import { Random } from "../core/random.js";
import { makeImage, type ImageView, type MultiChannelImage } from "../image/types.js";
import { type CameraModelOptions, type CameraTruth, applyCameraInto, createCameraSensor } from "./camera.js";
import {
  type FieldFocusOptions,
  type PsfKernel,
  type PsfSpec,
  type ResolvedScalarPsfSpec,
  type Xyz,
  type Zyx,
  DEFAULT_GAUSSIAN_FWHM_UM,
  chromaticPositionUm,
  createPsfKernel,
  focusShiftUm,
  resolveScalarPsfSpec,
} from "./psf.js";
import {
  requireFinite,
  requireFiniteTuple,
  requireInteger,
  requireNonNegative,
  requirePositive,
  requireShape,
  requireVoxelSize,
} from "./validate.js";

/** Kinds of deliberately bad beads, for testing rejection rules. */
export type BeadFaultKind = "edge" | "close" | "aggregate" | "saturated" | "dim";

/** All fault kinds. */
export const BEAD_FAULT_KINDS: readonly BeadFaultKind[] = ["edge", "close", "aggregate", "saturated", "dim"];

/** Saturated fault: photons = this × the photons that just saturate the brightest voxel. */
const SATURATED_FAULT_FACTOR = 3;
/** Dim fault: photons = this × the nominal bead photons. */
const DIM_FAULT_FACTOR = 0.1;
/** Close fault: the pair is this fraction of minSeparationUm apart. */
const CLOSE_FAULT_SEPARATION = 0.5;
/** Aggregate fault: members lie within this fraction of the lateral FWHM of the cluster centre. */
const AGGREGATE_RADIUS_FWHM = 0.25;
/** Individual bead photons are clipped below at this fraction of the nominal value. */
const MIN_PHOTON_FRACTION = 0.2;
/** Placement gives up after this many random draws per site (plus a floor). */
const PLACEMENT_ATTEMPTS_PER_SITE = 500;
/** Densest packing of discs with centre distance s: one per (√3/2)·s² of area. */
const HEX_AREA_PER_SITE = Math.sqrt(3) / 2;

/** Per-channel settings of a multi-channel bead stack. */
export interface BeadChannelOptions {
  /** Channel name. @default "ch<i>" */
  readonly name?: string;
  /** Emission wavelength, nm (scalar PSF; also scales a Gaussian FWHM relative to channel 0). @default 520 */
  readonly emissionWavelengthNm?: number;
  /** Excitation wavelength, nm (confocal scalar PSF). @default 488 */
  readonly excitationWavelengthNm?: number;
  /** Constant registration shift [x, y, z], µm. @default [0, 0, 0] */
  readonly shiftUm?: Xyz;
  /** Relative lateral magnification about the field centre (lateral chromatic aberration). @default 1 */
  readonly magnification?: number;
  /** Bead brightness relative to the `photons` option. @default 1 */
  readonly photonScale?: number;
  /** Gaussian PSF only: FWHM [x, y, z] µm for this channel. @default channel-0 FWHM × λ/λ₀ */
  readonly fwhmUm?: Xyz;
  /** Background for this channel, photons/voxel. @default the `backgroundPhotons` option */
  readonly backgroundPhotons?: number;
}

/** Options of {@link simulateBeadStack}. */
export interface BeadStackOptions extends FieldFocusOptions {
  /** Stack shape [nz, ny, nx]. @default [32, 256, 256] */
  readonly shape?: Zyx;
  /** Voxel size [dz, dy, dx], µm. @default [0.2, 0.065, 0.065] */
  readonly voxelSizeUm?: Zyx;
  /** Number of well-behaved beads (faults come on top). @default 10 */
  readonly beads?: number;
  /** Minimum lateral (xy) distance between bead centres, µm (faulty "close" pairs excepted). @default 3 */
  readonly minSeparationUm?: number;
  /** Minimum lateral distance of good beads from the x/y image edges, µm. @default 2 */
  readonly marginUm?: number;
  /** Range of nominal bead focus z, µm from the centre of plane 0, [lo, hi]. @default centre plane ± 1 plane */
  readonly zRangeUm?: readonly [lo: number, hi: number];
  /** Mean bead brightness: expected photons in the in-focus plane (before QE). @default 5000 */
  readonly photons?: number;
  /** Bead-to-bead brightness SD, % of `photons` (Gaussian, clipped at 20 %). @default 10 */
  readonly photonsSpreadPercent?: number;
  /** Uniform background, expected photons per voxel. @default 10 */
  readonly backgroundPhotons?: number;
  /** PSF model. @default { kind: "gaussian", fwhmUm: [0.25, 0.25, 0.7] } */
  readonly psf?: PsfSpec;
  /** Bead diameter, µm (see PsfKernelOptions.beadDiameterUm for how it is applied). @default 0 */
  readonly beadDiameterUm?: number;
  /** Integrate the Gaussian PSF over each voxel instead of point sampling. @default false */
  readonly pixelIntegration?: boolean;
  /** Faulty beads to plant, one per entry (repeat a kind for more). @default [] */
  readonly faults?: readonly BeadFaultKind[];
  /** Camera model. @default CameraModelOptions defaults (16-bit sCMOS-like) */
  readonly camera?: CameraModelOptions;
  /** Random seed. @default 1 */
  readonly seed?: number;
}

/** Options of {@link simulateMultiChannelBeadStack}. */
export interface MultiChannelBeadStackOptions extends BeadStackOptions {
  /** One entry per channel; channel 0 is the reference. @default 488/520 nm and 561/600 nm, no shifts */
  readonly channels?: readonly BeadChannelOptions[];
}

/** Where a bead was rendered in one channel. */
export interface BeadChannelTruth {
  /** Nominal focus (PSF origin) position, µm from the centre of voxel (0, 0, 0). */
  readonly xUm: number;
  readonly yUm: number;
  readonly zUm: number;
  /** The same in pixels (pixel centres at integers). */
  readonly xPx: number;
  readonly yPx: number;
  readonly zPx: number;
  /** z of the intensity maximum (zUm + the PSF's peak offset), µm. */
  readonly peakZUm: number;
  /** In-focus plane integral, photons (before QE). */
  readonly photons: number;
  /** Effective FWHM [x, y, z], µm, an ideal fit would see. */
  readonly fwhmUm: Xyz;
}

/** One planted bead; top-level position fields are those of channel 0. */
export interface BeadTruth extends BeadChannelTruth {
  readonly index: number;
  /** Position before field focus shift and chromatic effects [x, y, z], µm. */
  readonly objectUm: Xyz;
  /** Focus shift from field tilt and curvature, µm (included in zUm). */
  readonly focusShiftUm: number;
  /** Fault this bead belongs to, or null for a good bead. */
  readonly fault: BeadFaultKind | null;
  /** Per-channel rendering (one entry for a single-channel stack). */
  readonly channels: readonly BeadChannelTruth[];
}

/** A planted fault and the beads it involves. */
export interface BeadFaultTruth {
  readonly kind: BeadFaultKind;
  readonly beadIndices: readonly number[];
  /** Why a QC rule should reject these beads, with numbers. */
  readonly reason: string;
}

/** Per-channel settings as rendered. */
export interface BeadChannelSettings {
  readonly name: string;
  readonly emissionWavelengthNm: number;
  readonly excitationWavelengthNm: number;
  readonly shiftUm: Xyz;
  readonly magnification: number;
  readonly photonScale: number;
  readonly backgroundPhotons: number;
  /** Effective FWHM [x, y, z], µm. */
  readonly fwhmUm: Xyz;
  /** Intensity maximum relative to the nominal bead centre [x, y, z], µm. */
  readonly peakOffsetUm: Xyz;
}

/** Everything planted in a bead stack. */
export interface BeadStackTruth {
  readonly beads: readonly BeadTruth[];
  readonly faults: readonly BeadFaultTruth[];
  readonly psf: {
    readonly model: "gaussian" | "scalar";
    /** Gaussian: the planted FWHM [x, y, z] µm before bead size and pixel integration; scalar: null. */
    readonly plantedFwhmUm: Xyz | null;
    /** Scalar: the resolved model; Gaussian: null. */
    readonly scalar: ResolvedScalarPsfSpec | null;
    /** Effective FWHM of channel 0 [x, y, z], µm. */
    readonly fwhmUm: Xyz;
    readonly peakOffsetUm: Xyz;
    readonly pixelIntegration: boolean;
    readonly beadDiameterUm: number;
  };
  readonly channels: readonly BeadChannelSettings[];
  readonly camera: CameraTruth;
  readonly backgroundPhotons: number;
  readonly fieldTiltMrad: readonly [x: number, y: number];
  readonly fieldCurvatureUm: number;
  /** Optical axis [x, y], µm (image centre). */
  readonly fieldCentreUm: readonly [x: number, y: number];
  /** Field centre to corner, µm (the curvature reference radius). */
  readonly cornerRadiusUm: number;
  readonly shape: Zyx;
  readonly voxelSizeUm: Zyx;
  readonly seed: number;
}

/** A single-channel bead stack. */
export interface BeadStack {
  readonly image: ImageView<Uint16Array>;
  readonly truth: BeadStackTruth;
}

/** A multi-channel bead stack. */
export interface MultiChannelBeadStack {
  readonly image: MultiChannelImage<Uint16Array>;
  readonly truth: BeadStackTruth;
}

/**
 * Simulates a single-channel bead z-stack with known positions, brightness and PSF.
 *
 * @param options - Geometry, bead population, PSF, field effects, faults, camera and seed.
 * @returns `{ image, truth }`: a Uint16 stack (bitDepth from the camera) and every planted value.
 * @throws InvalidArgumentError for non-positive sizes, NA ≥ n, negative counts, a margin that leaves no room,
 *   or beads that cannot fit with the requested separation.
 *
 * Notes: positions are uniform (sub-pixel) inside the margins with a minimum lateral separation; nominal z is
 * uniform in `zRangeUm`, then shifted by the focal-plane tilt and curvature (`focusShiftUm`). `photons` is the
 * expected number of photons in the bead's in-focus plane (see psf.ts). Light of beads near the edges that falls
 * outside the image is lost, as on a camera.
 * @example
 * const { image, truth } = simulateBeadStack({ beads: 5, seed: 3 });
 * // truth.beads.length → 5; image.shape → [32, 256, 256]
 * @see QUAREP-LiMi WG5 PSF protocol; Faklaris et al. J Cell Biol 221:e202107093 (2022), doi:10.1083/jcb.202107093.
 */
export function simulateBeadStack(options: BeadStackOptions = {}): BeadStack {
  const r = simulateBeads(options, [{}]);
  return { image: r.images[0], truth: r.truth };
}

/**
 * Simulates a multi-channel bead stack (co-registration / chromatic aberration slides).
 *
 * @param options - As {@link simulateBeadStack}, plus per-channel wavelength, shift and magnification.
 * @returns `{ image: { channels }, truth }`; truth.beads[i].channels[c] gives each bead's position in channel c.
 * @throws InvalidArgumentError as {@link simulateBeadStack}, or for an empty channel list or a non-positive magnification.
 *
 * Notes: a channel's bead position is x' = x_c + M·(x − x_c) + s_x (and z' = z + s_z), with (x_c, y_c) the image
 * centre; the focus shift from tilt/curvature is the same in all channels. A Gaussian PSF without per-channel
 * `fwhmUm` scales with λ_emission/λ_emission,0.
 * @example
 * const { image, truth } = simulateMultiChannelBeadStack({ channels: [{}, { emissionWavelengthNm: 600, shiftUm: [0.1, 0, 0.2] }] });
 * // image.channels.length → 2
 * @see ISO 21073:2019; MetroloJ_QC co-alignment (peers.md F18).
 */
export function simulateMultiChannelBeadStack(options: MultiChannelBeadStackOptions = {}): MultiChannelBeadStack {
  const channels = options.channels ?? [
    { name: "green", excitationWavelengthNm: 488, emissionWavelengthNm: 520 },
    { name: "red", excitationWavelengthNm: 561, emissionWavelengthNm: 600 },
  ];
  if (channels.length === 0) {
    throw new InvalidArgumentError("channels is empty; a multi-channel stack needs at least one channel.", "Pass one entry per channel, e.g. [{ emissionWavelengthNm: 520 }, { emissionWavelengthNm: 600 }].");
  }
  const r = simulateBeads(options, channels);
  return { image: { channels: r.images }, truth: r.truth };
}

interface Site {
  x: number;
  y: number;
  radius: number;
  kind: BeadFaultKind | null;
}

/** Uniform-grid spatial hash for the separation test. */
class SiteGrid {
  private readonly cells = new Map<number, Site[]>();
  constructor(private readonly cell: number) {}
  private key(ix: number, iy: number): number {
    return ix * 1_000_003 + iy;
  }
  fits(x: number, y: number, radius: number, minSep: number, maxRadius: number): boolean {
    const reach = minSep + radius + maxRadius;
    if (reach <= 0) return true;
    const ix = Math.floor(x / this.cell);
    const iy = Math.floor(y / this.cell);
    const span = Math.ceil(reach / this.cell);
    for (let a = -span; a <= span; a++) {
      for (let b = -span; b <= span; b++) {
        const list = this.cells.get(this.key(ix + a, iy + b));
        if (!list) continue;
        for (const s of list) {
          const need = minSep + radius + s.radius;
          if ((s.x - x) ** 2 + (s.y - y) ** 2 < need * need) return false;
        }
      }
    }
    return true;
  }
  add(s: Site): void {
    const k = this.key(Math.floor(s.x / this.cell), Math.floor(s.y / this.cell));
    const list = this.cells.get(k);
    if (list) list.push(s);
    else this.cells.set(k, [s]);
  }
}

interface RenderBead {
  index: number;
  object: [number, number, number];
  focusShift: number;
  photons: number;
  fault: BeadFaultKind | null;
}

function simulateBeads(options: BeadStackOptions, channelOptions: readonly BeadChannelOptions[]): { images: ImageView<Uint16Array>[]; truth: BeadStackTruth } {
  // ---- resolve and validate ----
  const shape = options.shape ?? [32, 256, 256];
  const voxelSizeUm = options.voxelSizeUm ?? [0.2, 0.065, 0.065];
  requireShape("shape", shape, 3);
  requireVoxelSize("voxelSizeUm", voxelSizeUm, 3);
  const [nz, ny, nx] = shape;
  const [dz, dy, dx] = voxelSizeUm;
  const nBeads = options.beads ?? 10;
  requireInteger("beads", nBeads, 0);
  const minSep = options.minSeparationUm ?? 3;
  requireNonNegative("minSeparationUm", minSep);
  const margin = options.marginUm ?? 2;
  requireNonNegative("marginUm", margin);
  const photons = options.photons ?? 5000;
  requireNonNegative("photons", photons);
  const spread = options.photonsSpreadPercent ?? 10;
  requireNonNegative("photonsSpreadPercent", spread);
  const background = options.backgroundPhotons ?? 10;
  requireNonNegative("backgroundPhotons", background);
  const beadDiameterUm = options.beadDiameterUm ?? 0;
  requireNonNegative("beadDiameterUm", beadDiameterUm);
  const pixelIntegration = options.pixelIntegration ?? false;
  const faults = options.faults ?? [];
  for (const f of faults) {
    if (!BEAD_FAULT_KINDS.includes(f)) {
      throw new InvalidArgumentError(`Unknown bead fault "${String(f)}".`, `Use one of ${BEAD_FAULT_KINDS.join(", ")}.`);
    }
  }
  if (faults.includes("close") && minSep <= 0) {
    throw new InvalidArgumentError("A \"close\" fault needs minSeparationUm > 0 (the pair is planted at half of it).", "Set minSeparationUm, e.g. 3 µm.");
  }
  const tilt = options.fieldTiltMrad ?? [0, 0];
  requireFiniteTuple("fieldTiltMrad", tilt, 2, "[x, y] in mrad");
  const curvature = options.fieldCurvatureUm ?? 0;
  requireFinite("fieldCurvatureUm", curvature);
  const psf: PsfSpec = options.psf ?? { kind: "gaussian", fwhmUm: DEFAULT_GAUSSIAN_FWHM_UM };
  const seed = options.seed ?? 1;
  const rng = new Random(seed);
  const widthUm = (nx - 1) * dx;
  const heightUm = (ny - 1) * dy;
  const depthUm = (nz - 1) * dz;
  const zRange = options.zRangeUm ?? [depthUm / 2 - dz, depthUm / 2 + dz];
  requireFiniteTuple("zRangeUm", zRange, 2, "[lo, hi] in µm");
  if (zRange[1] < zRange[0]) {
    throw new InvalidArgumentError(`zRangeUm is [${zRange.join(", ")}]; expected lo ≤ hi.`, "Give the bead z range as [lo, hi] in µm from the centre of plane 0.");
  }
  const fieldCentreUm: [number, number] = [widthUm / 2, heightUm / 2];
  const cornerRadiusUm = Math.max(Math.hypot(widthUm / 2, heightUm / 2), Math.min(dx, dy));

  // ---- channels and kernels ----
  const scalar0 = psf.kind === "scalar" ? resolveScalarPsfSpec(psf) : null;
  const ch0Lambda = channelOptions[0].emissionWavelengthNm ?? scalar0?.emissionWavelengthNm ?? 520;
  const baseFwhm = psf.kind === "gaussian" ? (psf.fwhmUm ?? DEFAULT_GAUSSIAN_FWHM_UM) : null;
  const settingsPre = channelOptions.map((c, i) => {
    const emissionWavelengthNm = c.emissionWavelengthNm ?? scalar0?.emissionWavelengthNm ?? 520;
    const excitationWavelengthNm = c.excitationWavelengthNm ?? scalar0?.excitationWavelengthNm ?? 488;
    requirePositive(`channels[${i}].emissionWavelengthNm`, emissionWavelengthNm);
    requirePositive(`channels[${i}].excitationWavelengthNm`, excitationWavelengthNm);
    const shiftUm = c.shiftUm ?? [0, 0, 0];
    requireFiniteTuple(`channels[${i}].shiftUm`, shiftUm, 3, "[x, y, z] in µm");
    const magnification = c.magnification ?? 1;
    requirePositive(`channels[${i}].magnification`, magnification, "Magnification is relative: 1 = none, 1.002 = +0.2 %.");
    const photonScale = c.photonScale ?? 1;
    requireNonNegative(`channels[${i}].photonScale`, photonScale);
    const bg = c.backgroundPhotons ?? background;
    requireNonNegative(`channels[${i}].backgroundPhotons`, bg);
    let spec: PsfSpec;
    if (psf.kind === "gaussian") {
      const scale = emissionWavelengthNm / ch0Lambda;
      const f = c.fwhmUm ?? [baseFwhm![0] * scale, baseFwhm![1] * scale, baseFwhm![2] * scale];
      spec = { kind: "gaussian", fwhmUm: f };
    } else {
      spec = { ...psf, emissionWavelengthNm, excitationWavelengthNm };
    }
    return { name: c.name ?? `ch${i}`, emissionWavelengthNm, excitationWavelengthNm, shiftUm, magnification, photonScale, backgroundPhotons: bg, spec };
  });
  // channel-0 kernel first (its FWHM and peak drive the fault geometry); scalar kernels get their z range later
  const kernelFor = (spec: PsfSpec, dzRange?: readonly [number, number]): PsfKernel =>
    createPsfKernel(spec, voxelSizeUm, { pixelIntegration, beadDiameterUm, dzRangeUm: dzRange });
  const camera = options.camera ?? {};
  const sensor = createCameraSensor(ny, nx, camera, rng);
  // The channel-0 kernel is built once, with a z range covering every bead it can render (nominal z range,
  // worst-case focus shift and channel-0 z shift), because its FWHM and peak drive the fault geometry.
  const shiftBound =
    Math.abs(Math.tan(tilt[0] / 1000)) * (widthUm / 2) + Math.abs(Math.tan(tilt[1] / 1000)) * (heightUm / 2) + Math.abs(curvature) + Math.abs(settingsPre[0].shiftUm[2]);
  const probeRange: [number, number] = [-(zRange[1] + shiftBound) - dz, depthUm - (zRange[0] - shiftBound) + dz];
  const probe = kernelFor(settingsPre[0].spec, psf.kind === "scalar" ? probeRange : undefined);
  const fwhmXy = Math.max(probe.fwhmUm[0], probe.fwhmUm[1]);

  // ---- sites ----
  const xLo = margin;
  const xHi = widthUm - margin;
  const yLo = margin;
  const yHi = heightUm - margin;
  if (nBeads > 0 && (xHi < xLo || yHi < yLo)) {
    throw new InvalidArgumentError(
      `marginUm ${margin} leaves no room: the field is ${widthUm.toFixed(2)} × ${heightUm.toFixed(2)} µm (pixel centres).`,
      "Reduce marginUm or enlarge the image.",
    );
  }
  const closeSep = CLOSE_FAULT_SEPARATION * minSep;
  const aggRadius = AGGREGATE_RADIUS_FWHM * fwhmXy;
  const siteRadius = (k: BeadFaultKind | null): number => (k === "close" ? closeSep / 2 : k === "aggregate" ? aggRadius : 0);
  const maxRadius = Math.max(0, ...faults.map(siteRadius));
  const interiorFaults = faults.filter((f) => f !== "edge").length;
  const area = Math.max(0, xHi - xLo) * Math.max(0, yHi - yLo);
  const nInterior = nBeads + interiorFaults;
  // densest packing of centres in the rectangle: area/(√3/2·s²) plus one row along the perimeter
  const maxSites = minSep > 0 ? area / (HEX_AREA_PER_SITE * minSep * minSep) + (2 * (xHi - xLo + yHi - yLo)) / minSep + 1 : Number.POSITIVE_INFINITY;
  if (nInterior > maxSites) {
    throw new InvalidArgumentError(
      `${nInterior} beads cannot fit ${minSep} µm apart in the ${(xHi - xLo).toFixed(1)} × ${(yHi - yLo).toFixed(1)} µm area inside the margins (even hexagonal packing holds fewer).`,
      "Reduce beads or minSeparationUm, shrink marginUm, or enlarge the image.",
    );
  }
  const grid = new SiteGrid(Math.max(minSep + 2 * maxRadius, Math.min(dx, dy), 1e-3));
  const sites: Site[] = [];
  const place = (kind: BeadFaultKind | null): void => {
    const radius = siteRadius(kind);
    const attempts = PLACEMENT_ATTEMPTS_PER_SITE * (nInterior + faults.length) + 10_000;
    for (let a = 0; a < attempts; a++) {
      let x: number;
      let y: number;
      if (kind === "edge") {
        // centre inside the image but closer to an edge than the margin (part of the PSF is cut off)
        const band = Math.max(0.5 * margin, fwhmXy);
        const d = rng.range(0.2, 0.5) * band;
        const side = Math.floor(rng.uniform() * 4);
        const along = rng.uniform();
        if (side === 0) [x, y] = [d, along * heightUm];
        else if (side === 1) [x, y] = [widthUm - d, along * heightUm];
        else if (side === 2) [x, y] = [along * widthUm, d];
        else [x, y] = [along * widthUm, heightUm - d];
      } else {
        x = rng.range(xLo + radius, Math.max(xLo + radius, xHi - radius));
        y = rng.range(yLo + radius, Math.max(yLo + radius, yHi - radius));
      }
      if (grid.fits(x, y, radius, minSep, maxRadius)) {
        const s = { x, y, radius, kind };
        grid.add(s);
        sites.push(s);
        return;
      }
    }
    throw new InvalidArgumentError(
      `Could not place ${nInterior + faults.length - interiorFaults} beads ${minSep} µm apart in the ${(xHi - xLo).toFixed(1)} × ${(yHi - yLo).toFixed(1)} µm area inside the margins (placed ${sites.length}).`,
      "Random placement fills about half of the densest packing: reduce beads or minSeparationUm, or enlarge the image.",
    );
  };
  for (const f of faults) place(f);
  for (let i = 0; i < nBeads; i++) place(null);

  // ---- beads: brightness and z; faults expand into their members ----
  const nominalPhotons = (): number => photons * Math.max(MIN_PHOTON_FRACTION, 1 + rng.normal(0, spread / 100));
  const drawZ = (): number => (zRange[1] > zRange[0] ? rng.range(zRange[0], zRange[1]) : zRange[0]);
  const beads: RenderBead[] = [];
  const faultTruth: BeadFaultTruth[] = [];
  const saturationPhotons = sensor.truth.saturationE / Math.max(sensor.model.quantumEfficiency * probe.peakPerPhoton, 1e-30);
  const addBead = (x: number, y: number, z: number, ph: number, fault: BeadFaultKind | null): number => {
    const shift = focusShiftUm(x, y, fieldCentreUm, cornerRadiusUm, { fieldTiltMrad: tilt, fieldCurvatureUm: curvature });
    beads.push({ index: beads.length, object: [x, y, z], focusShift: shift, photons: ph, fault });
    return beads.length - 1;
  };
  // good beads first so that indices 0…beads−1 are the good ones
  for (const s of sites) if (s.kind === null) addBead(s.x, s.y, drawZ(), nominalPhotons(), null);
  for (const s of sites) {
    if (s.kind === null) continue;
    const z = drawZ();
    if (s.kind === "edge") {
      const i = addBead(s.x, s.y, z, nominalPhotons(), "edge");
      const d = Math.min(s.x, widthUm - s.x, s.y, heightUm - s.y);
      faultTruth.push({ kind: "edge", beadIndices: [i], reason: `centre ${d.toFixed(2)} µm from the nearest image edge (margin ${margin} µm)` });
    } else if (s.kind === "close") {
      const a = rng.range(0, Math.PI);
      const hx = (closeSep / 2) * Math.cos(a);
      const hy = (closeSep / 2) * Math.sin(a);
      const i = addBead(s.x - hx, s.y - hy, z, nominalPhotons(), "close");
      const j = addBead(s.x + hx, s.y + hy, z, nominalPhotons(), "close");
      faultTruth.push({ kind: "close", beadIndices: [i, j], reason: `pair ${closeSep.toFixed(2)} µm apart (minimum separation ${minSep} µm)` });
    } else if (s.kind === "aggregate") {
      const members = 2 + Math.floor(rng.uniform() * 3);
      const idx: number[] = [];
      for (let m = 0; m < members; m++) {
        const rr = aggRadius * Math.sqrt(rng.uniform());
        const aa = rng.range(0, 2 * Math.PI);
        idx.push(addBead(s.x + rr * Math.cos(aa), s.y + rr * Math.sin(aa), z, nominalPhotons(), "aggregate"));
      }
      faultTruth.push({ kind: "aggregate", beadIndices: idx, reason: `${members} beads within ${aggRadius.toFixed(3)} µm (unresolved cluster, ~${members}× brighter)` });
    } else if (s.kind === "saturated") {
      const ph = SATURATED_FAULT_FACTOR * saturationPhotons;
      const i = addBead(s.x, s.y, z, ph, "saturated");
      faultTruth.push({ kind: "saturated", beadIndices: [i], reason: `${ph.toFixed(0)} photons, ${SATURATED_FAULT_FACTOR}× what saturates the peak voxel (${sensor.truth.saturationE.toFixed(0)} e⁻)` });
    } else {
      const ph = DIM_FAULT_FACTOR * photons;
      const i = addBead(s.x, s.y, z, ph, "dim");
      faultTruth.push({ kind: "dim", beadIndices: [i], reason: `${ph.toFixed(0)} photons, ${DIM_FAULT_FACTOR}× the nominal ${photons}` });
    }
  }

  // ---- render each channel ----
  const images: ImageView<Uint16Array>[] = [];
  const channelSettings: BeadChannelSettings[] = [];
  const perBeadChannels: BeadChannelTruth[][] = beads.map(() => []);
  const planeSize = ny * nx;
  const plane = new Float32Array(planeSize);
  for (let c = 0; c < settingsPre.length; c++) {
    const st = settingsPre[c];
    const pos = beads.map((b) => {
      const p = chromaticPositionUm([b.object[0], b.object[1], b.object[2] + b.focusShift], fieldCentreUm, st.magnification, st.shiftUm);
      return p;
    });
    let kernel: PsfKernel;
    if (c === 0) {
      kernel = probe;
    } else if (psf.kind === "scalar") {
      let lo = -dz;
      let hi = dz;
      for (const p of pos) {
        lo = Math.min(lo, -p[2] - dz);
        hi = Math.max(hi, depthUm - p[2] + dz);
      }
      kernel = kernelFor(st.spec, [lo, hi]);
    } else {
      kernel = kernelFor(st.spec);
    }
    const out = new Uint16Array(nz * planeSize);
    for (let k = 0; k < nz; k++) {
      plane.fill(st.backgroundPhotons);
      const zPlane = k * dz;
      for (let b = 0; b < beads.length; b++) {
        const p = pos[b];
        const dzUm = zPlane - p[2];
        if (dzUm < kernel.dzRangeUm[0] || dzUm > kernel.dzRangeUm[1]) continue;
        kernel.addToPlane(plane, ny, nx, p[0] / dx, p[1] / dy, dzUm, beads[b].photons * st.photonScale);
      }
      applyCameraInto(plane, sensor, rng, out.subarray(k * planeSize, (k + 1) * planeSize));
    }
    images.push(
      makeImage(out, [nz, ny, nx], {
        voxelSizeUm: [dz, dy, dx],
        bitDepth: sensor.model.bitDepth,
        channel: { name: st.name, emissionWavelengthNm: st.emissionWavelengthNm, excitationWavelengthNm: st.excitationWavelengthNm },
      }),
    );
    channelSettings.push({
      name: st.name,
      emissionWavelengthNm: st.emissionWavelengthNm,
      excitationWavelengthNm: st.excitationWavelengthNm,
      shiftUm: st.shiftUm,
      magnification: st.magnification,
      photonScale: st.photonScale,
      backgroundPhotons: st.backgroundPhotons,
      fwhmUm: kernel.fwhmUm,
      peakOffsetUm: kernel.peakOffsetUm,
    });
    for (let b = 0; b < beads.length; b++) {
      const p = pos[b];
      perBeadChannels[b].push({
        xUm: p[0],
        yUm: p[1],
        zUm: p[2],
        xPx: p[0] / dx,
        yPx: p[1] / dy,
        zPx: p[2] / dz,
        peakZUm: p[2] + kernel.peakOffsetUm[2],
        photons: beads[b].photons * st.photonScale,
        fwhmUm: kernel.fwhmUm,
      });
    }
  }

  const beadTruth: BeadTruth[] = beads.map((b, i) => ({
    ...perBeadChannels[i][0],
    index: b.index,
    objectUm: b.object,
    focusShiftUm: b.focusShift,
    fault: b.fault,
    channels: perBeadChannels[i],
  }));
  return {
    images,
    truth: {
      beads: beadTruth,
      faults: faultTruth,
      psf: {
        model: psf.kind,
        plantedFwhmUm: baseFwhm,
        scalar: scalar0,
        fwhmUm: channelSettings[0].fwhmUm,
        peakOffsetUm: channelSettings[0].peakOffsetUm,
        pixelIntegration,
        beadDiameterUm,
      },
      channels: channelSettings,
      camera: sensor.truth,
      backgroundPhotons: background,
      fieldTiltMrad: [tilt[0], tilt[1]],
      fieldCurvatureUm: curvature,
      fieldCentreUm,
      cornerRadiusUm,
      shape: [nz, ny, nx],
      voxelSizeUm: [dz, dy, dx],
      seed,
    },
  };
}
