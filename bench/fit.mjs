// Times limiqc's Gaussian fits and writes a "## Fitting" section into bench/README.md.
// Usage: npm run build && node bench/fit.mjs
import { cpus, loadavg } from "node:os";
import { Random } from "../dist/core/random.js";
import { fitGaussian1D, fitGaussian3D } from "../dist/fit/index.js";
import { writeReadmeSection } from "./readme-section.mjs";

const N1D = 1000;
const N3D = 100;
const ROUNDS = 7;
const DIMS = [9, 11, 11]; // [nz, ny, nx]
const rng = new Random(12345);

/** 21-sample profiles: offset 100, amplitude 1000, σ 2 px, random sub-pixel centre, noise SD 10. */
function makeProfiles() {
  const x = Float64Array.from({ length: 21 }, (_, i) => i);
  const out = [];
  for (let k = 0; k < N1D; k++) {
    const c = 10 + rng.range(-0.5, 0.5);
    out.push({ c, y: x.map((v) => 100 + 1000 * Math.exp(-((v - c) ** 2) / 8) + rng.normal(0, 10)) });
  }
  return { x, profiles: out };
}

/** 11×11×9 ROIs: σxy 1.5 px, σz 1.2 px, random sub-pixel centre, amplitude 1000, offset 100, noise SD 10. */
function makeRois() {
  const [nz, ny, nx] = DIMS;
  const out = [];
  for (let k = 0; k < N3D; k++) {
    const c = [5 + rng.range(-0.5, 0.5), 5 + rng.range(-0.5, 0.5), 4 + rng.range(-0.5, 0.5)];
    const data = new Float32Array(nz * ny * nx);
    let i = 0;
    for (let z = 0; z < nz; z++)
      for (let y = 0; y < ny; y++)
        for (let x = 0; x < nx; x++, i++) {
          const e = Math.exp(-((x - c[0]) ** 2 + (y - c[1]) ** 2) / (2 * 1.5 ** 2) - (z - c[2]) ** 2 / (2 * 1.2 ** 2));
          data[i] = 100 + 1000 * e + rng.normal(0, 10);
        }
    out.push({ c, data });
  }
  return out;
}

function time(fn) {
  const t = [];
  fn(); // warm-up (JIT)
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return { min: t[0], median: t[t.length >> 1] };
}

const { x, profiles } = makeProfiles();
const rois = makeRois();
let it1 = 0;
let err1 = 0;
const t1 = time(() => {
  it1 = 0;
  err1 = 0;
  for (const p of profiles) {
    const f = fitGaussian1D(x, p.y);
    it1 += f.iterations;
    err1 = Math.max(err1, Math.abs(f.centre.value - p.c));
  }
});
let it3 = 0;
const errs3 = [];
const t3 = time(() => {
  it3 = 0;
  errs3.length = 0;
  for (const r of rois) {
    const f = fitGaussian3D(r.data, DIMS);
    it3 += f.iterations;
    errs3.push(Math.abs(f.sigmaX.value / 1.5 - 1));
  }
});
errs3.sort((a, b) => a - b);

const fmt = (v) => v.toFixed(1);
const section = [
  "## Fitting",
  "",
  `\`node bench/fit.mjs\` (after \`npm run build\`), Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, load average ${loadavg()
    .map((v) => v.toFixed(1))
    .join(" / ")} at the end of the run (shared machine: expect ±30 % or more); ${ROUNDS} timed rounds after one warm-up, min / median.`,
  "",
  "| Workload | Total time (min / median) | Per fit | Mean iterations |",
  "|---|---|---|---|",
  `| ${N1D} × \`fitGaussian1D\` (21 samples, 4 params) | ${fmt(t1.min)} / ${fmt(t1.median)} ms | ${((1000 * t1.median) / N1D).toFixed(1)} µs | ${(it1 / N1D).toFixed(1)} |`,
  `| ${N3D} × \`fitGaussian3D\` (11×11×9 ROI, 8 params) | ${fmt(t3.min)} / ${fmt(t3.median)} ms | ${((1000 * t3.median) / N3D).toFixed(0)} µs | ${(it3 / N3D).toFixed(1)} |`,
  "",
  `Accuracy on the same data (peak SNR 100): 1D max |centre error| ${err1.toFixed(3)} px; 3D median |σx error| ${(100 * errs3[errs3.length >> 1]).toFixed(2)} %.`,
  "Reference: the appendix-C prototype in the stack research timed 100 × 3D (7 params) at 70 ms and 100 × 1D at 2.3 ms.",
  "",
].join("\n");

writeReadmeSection("## Fitting", section);
console.log(section);
