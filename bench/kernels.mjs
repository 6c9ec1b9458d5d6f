// Benchmark of the image kernels (src/image) on a synthetic 2048×2048×64 uint16 stack held in memory.
//
//   npm run build && node --expose-gc bench/kernels.mjs            # full size, writes bench/README.md
//   node bench/kernels.mjs --shape 16,512,512 --no-write             # quick look, README untouched
//
// Each kernel runs once on the big stack after a warm-up on a small one (so the JIT has compiled it).
// MB/s is input bytes (uint16 stack, or the 2048×2048 plane for the FFT) per second; "× sum loop" is the
// kernel's time divided by the time of a plain `for` loop summing the same input.
import { writeReadmeSection } from "./readme-section.mjs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  countAtOrAbove,
  extractPlane,
  fft2d,
  findLocalMaxima,
  gaussianBlur,
  histogram,
  imageStats,
  labelComponents,
  lineProfile,
  makeImage,
  percentiles,
  project,
} from "../dist/image/index.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const README = join(HERE, "README.md");
const SECTION = "## Image kernels";

const args = process.argv.slice(2);
const shapeArg = args.includes("--shape") ? args[args.indexOf("--shape") + 1] : "64,2048,2048";
const SHAPE = shapeArg.split(",").map(Number);
const WRITE = !args.includes("--no-write");

const BACKGROUND_ADU = 100;
const BEADS_PER_MVOXEL = 12;
const BEAD_SIGMA_PX = [1, 1.5, 1.5]; // z, y, x
const BLUR_SIGMA_PX = [1, 2, 2]; // z, y, x  (σ = 2, 2, 1 px in x, y, z)
const PEAK_THRESHOLD_ADU = BACKGROUND_ADU + 200;
const LABEL_THRESHOLD_ADU = BACKGROUND_ADU + 300;
const PROFILE_REPEATS = 200;

/** Synthetic stack: background + triangular noise (SD ≈ 26 ADU) + Gaussian beads, deterministic. */
function makeStack([nz, ny, nx]) {
  const n = nz * ny * nx;
  const data = new Uint16Array(n);
  let s = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    data[i] = BACKGROUND_ADU - 63 + (s & 63) + ((s >>> 8) & 63);
  }
  const beads = Math.max(4, Math.round((n / 1e6) * BEADS_PER_MVOXEL));
  const [sz, sy, sx] = BEAD_SIGMA_PX;
  const rz = Math.ceil(3 * sz);
  const ry = Math.ceil(3 * sy);
  const rx = Math.ceil(3 * sx);
  for (let b = 0; b < beads; b++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const cz = (s >>> 0) % nz;
    const cy = ((s >>> 0) * 7919) % ny;
    const cx = ((s >>> 0) * 104729) % nx;
    const amp = 1000 + ((s >>> 3) % 3000);
    for (let z = Math.max(0, cz - rz); z <= Math.min(nz - 1, cz + rz); z++)
      for (let y = Math.max(0, cy - ry); y <= Math.min(ny - 1, cy + ry); y++)
        for (let x = Math.max(0, cx - rx); x <= Math.min(nx - 1, cx + rx); x++) {
          const e = ((z - cz) / sz) ** 2 + ((y - cy) / sy) ** 2 + ((x - cx) / sx) ** 2;
          const i = (z * ny + y) * nx + x;
          data[i] = Math.min(65535, data[i] + Math.round(amp * Math.exp(-e / 2)));
        }
  }
  return { image: makeImage(data, [nz, ny, nx], { voxelSizeUm: [0.3, 0.1, 0.1], bitDepth: 16 }), beads };
}

function sumLoop(d) {
  let t = 0;
  for (let i = 0; i < d.length; i++) t += d[i];
  return t;
}

/** The kernels, as closures over a stack; `blurred` is filled by the blur step and used by peak finding. */
function kernels(image) {
  const [nz, ny, nx] = image.shape;
  const plane = extractPlane(image, nz >> 1);
  let blurred = null;
  let labelsOut = null;
  return [
    { name: "imageStats", run: () => imageStats(image), bytes: image.data.byteLength, note: "min/max/mean/SD, one pass" },
    { name: "percentiles (1, 50, 99, 99.9)", run: () => percentiles(image, [1, 50, 99, 99.9]), bytes: image.data.byteLength, note: "counting table (uint16)" },
    { name: "histogram (256 bins)", run: () => histogram(image, { bins: 256 }), bytes: image.data.byteLength, note: "range from the data, via the counting table" },
    { name: "countAtOrAbove (saturation)", run: () => countAtOrAbove(image, 65535), bytes: image.data.byteLength, note: "" },
    { name: "project z max", run: () => project(image, "z", "max"), bytes: image.data.byteLength, note: "Float32 result" },
    {
      name: "gaussianBlur 3D σ = 2, 2, 1 px",
      run: () => {
        blurred = gaussianBlur(image, BLUR_SIGMA_PX);
        return blurred;
      },
      bytes: image.data.byteLength,
      note: "17×17×9 taps, Float32 output, 1 thread",
    },
    {
      name: "gaussianBlur 3D, reusing the out buffer",
      run: () => gaussianBlur(image, BLUR_SIGMA_PX, { out: blurred.data }),
      bytes: image.data.byteLength,
      note: "same, output memory already mapped: the compute cost",
    },
    {
      name: "findLocalMaxima 3D (3×3×3, on blurred)",
      run: () => findLocalMaxima(blurred, PEAK_THRESHOLD_ADU, { minDistancePx: [2, 3, 3] }),
      bytes: image.data.byteLength,
      note: `threshold ${PEAK_THRESHOLD_ADU} ADU, min distance 3 px`,
      count: (r) => `${r.length} peaks`,
    },
    {
      name: "labelComponents (threshold, 26-conn.)",
      run: () => {
        const r = labelComponents(image, { threshold: LABEL_THRESHOLD_ADU });
        labelsOut = r.labels; // reused by the next entry
        return r;
      },
      bytes: image.data.byteLength,
      note: `threshold ${LABEL_THRESHOLD_ADU} ADU, Int32 labels + stats`,
      count: (r) => `${r.count} components`,
    },
    {
      name: "labelComponents, reusing the out buffer",
      // untimed: map every page of the buffer (the fresh run above touched only rows near foreground)
      setup: () => {
        labelsOut ??= new Int32Array(image.data.length);
        labelsOut.fill(1);
      },
      run: () => labelComponents(image, { threshold: LABEL_THRESHOLD_ADU, out: labelsOut }),
      bytes: image.data.byteLength,
      note: "label memory already mapped (fill(0) of 1 GiB included)",
      count: (r) => `${r.count} components`,
    },
    {
      name: `lineProfile 3D diagonal (per profile, ×${PROFILE_REPEATS})`,
      run: () => {
        let r;
        for (let k = 0; k < PROFILE_REPEATS; k++) r = lineProfile(image, { x: 0, y: 0, z: 0 }, { x: nx - 1, y: ny - 1, z: nz - 1 });
        return r;
      },
      repeats: PROFILE_REPEATS,
      bytes: 0,
      note: "trilinear, 1 px spacing",
      count: (r) => `${r.values.length} samples`,
    },
    { name: `fft2d ${ny}×${nx} (one plane)`, run: () => fft2d(plane), bytes: plane.data.byteLength, note: "fft.js, Float64, rows real + half the columns" },
  ];
}

function gc() {
  if (globalThis.gc) globalThis.gc();
}

// warm-up on a small stack so every kernel is compiled before it is timed
{
  const { image } = makeStack([8, 128, 128]);
  for (const k of kernels(image)) {
    k.setup?.();
    k.run();
  }
}

let t = performance.now();
const { image, beads } = makeStack(SHAPE);
const genMs = performance.now() - t;
const mb = image.data.byteLength / 2 ** 20;
console.log(`stack ${SHAPE.join("×")} uint16 (${mb.toFixed(0)} MiB, ${beads} beads) generated in ${genMs.toFixed(0)} ms`);

// this VM maps fresh memory slowly; measure it so big-output kernels can be read with and without it
gc();
t = performance.now();
new Float32Array(64 * 2 ** 20).fill(1);
const firstTouchMsPerGiB = ((performance.now() - t) / 256) * 1024;
console.log(`first touch of fresh memory: ${firstTouchMsPerGiB.toFixed(0)} ms per GiB`);

gc();
sumLoop(image.data);
t = performance.now();
const total = sumLoop(image.data);
const sumMs = performance.now() - t;
const sumMbPerS = (image.data.byteLength / 2 ** 20 / sumMs) * 1000;
console.log(`plain sum loop: ${sumMs.toFixed(1)} ms (${sumMbPerS.toFixed(0)} MiB/s, total ${total})`);

const rows = [];
for (const k of kernels(image)) {
  k.setup?.();
  gc();
  t = performance.now();
  const r = k.run();
  const ms = (performance.now() - t) / (k.repeats ?? 1);
  const mbps = k.bytes ? ((k.bytes / 2 ** 20) / ms) * 1000 : null;
  const ratio = k.bytes ? ms / (sumMs * (k.bytes / image.data.byteLength)) : null;
  const extra = k.count ? k.count(r) : "";
  rows.push({ name: k.name, ms, mbps, ratio, note: [k.note, extra].filter(Boolean).join("; ") });
  console.log(`${k.name.padEnd(44)} ${ms.toFixed(1).padStart(9)} ms ${mbps ? `${mbps.toFixed(0).padStart(7)} MiB/s` : "".padStart(13)} ${ratio ? `${ratio.toFixed(1).padStart(6)}× sum` : ""}  ${extra}`);
}

const load = loadavg()
  .map((v) => v.toFixed(1))
  .join(" / ");
const machine = `${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${process.platform}/${process.arch}`;
const fmt = (v, d) => (v === null ? "—" : v.toFixed(d));
const section = [
  SECTION,
  "",
  `\`node --expose-gc bench/kernels.mjs\` (after \`npm run build\`) on a synthetic ${SHAPE.join("×")} (z×y×x) uint16 stack in memory`,
  `(${mb.toFixed(0)} MiB, background ${BACKGROUND_ADU} ADU + noise + ${beads} Gaussian beads), run ${new Date().toISOString().slice(0, 10)}.`,
  `Machine: ${machine}; shared with other jobs (load average ${load} at the end of the run), so expect ±20 % or more.`,
  `Each kernel runs once after a warm-up on a small stack. MiB/s = input bytes per second; "× sum loop" = time / time of a plain`,
  `\`for\` loop summing the same input (${sumMs.toFixed(0)} ms for the stack, ${sumMbPerS.toFixed(0)} MiB/s).`,
  "",
  "| Kernel | ms | MiB/s | × sum loop | Notes |",
  "|---|---:|---:|---:|---|",
  ...rows.map((r) => `| ${r.name} | ${fmt(r.ms, r.ms < 10 ? 2 : 0)} | ${fmt(r.mbps, 0)} | ${fmt(r.ratio, 1)} | ${r.note} |`),
  "",
  `Fresh memory is slow on this VM: the first write to newly allocated memory costs ${firstTouchMsPerGiB.toFixed(0)} ms per GiB (page faults),`,
  "so kernels with big outputs are also timed with a reused, already mapped `out` buffer (blur: 1 GiB Float32; labels: 1 GiB Int32;",
  "the FFT's 64 MiB Float64 spectrum is always fresh). Fresh labels touch only the pages near foreground, but on this VM even those",
  "page faults (about one per row segment a bead covers, ×2 for read-then-write) dominate the labelling time.",
  "",
  "Reference for the blur: 1038 ms for 512×512×64 (single thread, row-accumulate) in shared/research/stack.md, i.e. ≈ 16.6 s scaled to",
  "2048×2048×64. The kernel filters x through a padded line buffer, y by accumulating rows, z through an nz×nx slab, with the",
  "symmetric kernel folded and taps unrolled by four.",
  "",
].join("\n");

if (WRITE) {
  writeReadmeSection(SECTION, section);
  console.log(`wrote section "${SECTION}" of ${README}`);
}
