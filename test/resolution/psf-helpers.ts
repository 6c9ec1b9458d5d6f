import { Random } from "../../src/core/random.js";
import { type ImageView, makeImage } from "../../src/image/types.js";

/** A Gaussian (or ring) bead for {@link beadStack}: position and σ in µm, amplitude in ADU above the background. */
export interface TestBead {
  x: number;
  y: number;
  z: number;
  amp: number;
  sxy?: number;
  sz?: number;
  /** Ring radius, µm (0 = a Gaussian spot). */
  ring?: number;
}

export const TEST_VOXEL = [0.15, 0.065, 0.065] as const;
/** σ of the default test PSF: FWHM 0.25 µm laterally, 0.7 µm axially. */
export const SXY = 0.25 / 2.3548200450309493;
export const SZ = 0.7 / 2.3548200450309493;

/**
 * A uint16 stack with point-sampled Gaussian beads on a flat background, Poisson noise, clipped at 2^bitDepth − 1.
 * `hot` adds single bright voxels [x, y, z (µm), ADU].
 */
export function beadStack(
  beads: readonly TestBead[],
  o: { shape: readonly [number, number, number]; background?: number; seed?: number; bitDepth?: number; hot?: readonly (readonly [number, number, number, number])[]; voxelSizeUm?: readonly [number, number, number] | null },
): ImageView<Uint16Array> {
  const [nz, ny, nx] = o.shape;
  const [dz, dy, dx] = TEST_VOXEL;
  const bg = o.background ?? 100;
  const expected = new Float64Array(nz * ny * nx).fill(bg);
  for (const b of beads) {
    const sxy = b.sxy ?? SXY;
    const sz = b.sz ?? SZ;
    const r = b.ring ?? 0;
    const reach = r + 5 * sxy;
    for (let z = Math.max(0, Math.floor((b.z - 5 * sz) / dz)); z <= Math.min(nz - 1, Math.ceil((b.z + 5 * sz) / dz)); z++) {
      const gz = Math.exp(-0.5 * ((z * dz - b.z) / sz) ** 2);
      for (let y = Math.max(0, Math.floor((b.y - reach) / dy)); y <= Math.min(ny - 1, Math.ceil((b.y + reach) / dy)); y++) {
        for (let x = Math.max(0, Math.floor((b.x - reach) / dx)); x <= Math.min(nx - 1, Math.ceil((b.x + reach) / dx)); x++) {
          const d = Math.hypot(x * dx - b.x, y * dy - b.y);
          expected[(z * ny + y) * nx + x] += b.amp * gz * Math.exp(-0.5 * ((d - r) / sxy) ** 2);
        }
      }
    }
  }
  for (const [x, y, z, v] of o.hot ?? []) expected[(Math.round(z / dz) * ny + Math.round(y / dy)) * nx + Math.round(x / dx)] += v;
  const rng = new Random(o.seed ?? 1);
  const max = 2 ** (o.bitDepth ?? 16) - 1;
  const data = new Uint16Array(expected.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.min(max, rng.poisson(expected[i]));
  const extra = o.voxelSizeUm === null ? { bitDepth: o.bitDepth ?? 16 } : { voxelSizeUm: o.voxelSizeUm ?? TEST_VOXEL, bitDepth: o.bitDepth ?? 16 };
  return makeImage(data, [nz, ny, nx], extra);
}

/** Good beads on a 3 µm grid inside [x0, x1] × [y0, y1] at height z, amplitude amp. */
export function gridBeads(n: number, z: number, amp: number, x0 = 3, y0 = 3, step = 3, perRow = 6): TestBead[] {
  return Array.from({ length: n }, (_, i) => ({ x: x0 + (i % perRow) * step + 0.013 * i, y: y0 + Math.floor(i / perRow) * step + 0.021 * i, z: z + 0.01 * i, amp }));
}

export const WIDEFIELD_520 = { modality: "widefield" as const, na: 1.4, immersionIndex: 1.518, emissionWavelengthNm: 520, excitationWavelengthNm: 488 };
