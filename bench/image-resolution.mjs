// Times image-based resolution (FRC, single-image FRC, decorrelation) and writes a "## Image-based resolution"
// section into bench/README.md.
// Usage: npm run build && node bench/image-resolution.mjs
import { cpus, loadavg } from "node:os";
import { fft2d } from "../dist/image/fft.js";
import { measureDecorrelation } from "../dist/resolution/decorrelation.js";
import { measureFrc, measureSingleImageFrc } from "../dist/resolution/frc.js";
import { simulateResolutionImages } from "../dist/resolution/image-resolution-sim.js";
import { writeReadmeSection } from "./readme-section.mjs";

const ROUNDS = 3;
const SIZES = [512, 2048];

function time(fn) {
  const t = [];
  let out;
  fn(); // warm-up (JIT)
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    out = fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return { min: t[0], median: t[t.length >> 1], out };
}

const rows = [];
const accuracy = [];
for (const n of SIZES) {
  // periodic field (no margin) so the simulation canvas is n × n; Airy PSF, λ 520 nm, NA 1.3, 40 nm pixels
  const t0 = performance.now();
  const { images, truth } = simulateResolutionImages({ widthPx: n, marginPx: 0, seed: 7 });
  const simMs = performance.now() - t0;
  const [a, b] = images;
  const fft = time(() => fft2d(a));
  const frc = time(() => measureFrc(a, b));
  const single = time(() => measureSingleImageFrc(a));
  const dec = time(() => measureDecorrelation(a));
  const ratio = (t) => (t.median / fft.median).toFixed(1);
  rows.push(`| ${n} × ${n} | fft2d (one plane, reference) | ${fft.min.toFixed(0)} / ${fft.median.toFixed(0)} | 1.0 |`);
  rows.push(`| ${n} × ${n} | measureFrc (two images) | ${frc.min.toFixed(0)} / ${frc.median.toFixed(0)} | ${ratio(frc)} |`);
  rows.push(`| ${n} × ${n} | measureSingleImageFrc (checkerboard) | ${single.min.toFixed(0)} / ${single.median.toFixed(0)} | ${ratio(single)} |`);
  rows.push(`| ${n} × ${n} | measureDecorrelation | ${dec.min.toFixed(0)} / ${dec.median.toFixed(0)} | ${ratio(dec)} |`);
  const abbe = truth.abbeResolutionUm;
  accuracy.push(
    `${n} px (simulated in ${(simMs / 1000).toFixed(1)} s): FRC 1/7 ${frc.out.resolution.value.toFixed(4)} µm, half-bit ${frc.out.crossings.halfBit.resolution.value.toFixed(4)} µm, ` +
      `single-image ${single.out.resolution.value.toFixed(4)} µm, decorrelation ${dec.out.resolution.value.toFixed(4)} µm (λ/2NA = ${abbe.toFixed(4)} µm; decorrelation reference λ/2NA/0.880 = ${(abbe / 0.88).toFixed(4)} µm).`,
  );
}

const section = [
  "## Image-based resolution",
  "",
  `\`node bench/image-resolution.mjs\` (after \`npm run build\`), Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, load average ${loadavg()
    .map((v) => v.toFixed(1))
    .join(" / ")} at the end of the run (shared machine: expect ±30 % or more); ${ROUNDS} timed rounds after one warm-up, min / median.`,
  "Input: `simulateResolutionImages` (random points, Airy PSF λ 520 nm / NA 1.3, 40 nm pixels, Poisson + read noise), Float32 images; every analysis",
  "includes its input checks, apodisation and FFT(s). \"× FFT\" = median time / median time of one `fft2d` of the same plane.",
  "",
  "| Image | Analysis | ms (min / median) | × FFT |",
  "|---|---|---:|---:|",
  ...rows,
  "",
  "Results on the same images:",
  "",
  ...accuracy.map((l) => `- ${l}`),
  "",
  "measureFrc runs two FFTs; the checkerboard split two FFTs of the rotated half-lattices (same size as the image);",
  "decorrelation one FFT, then all 22 curves from radial sums of |FFT| (a few ms).",
  "",
].join("\n");

writeReadmeSection("## Image-based resolution", section);
console.log(section);
