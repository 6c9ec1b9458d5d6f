// Benchmark of the field-uniformity protocol (src/uniformity) on a realistic 2048×2048 flat field.
//
//   npm run build && node bench/uniformity.mjs              # writes the "## Field uniformity" section of bench/README.md
//   node bench/uniformity.mjs --size 512 --no-write          # quick look
//
// The flat field (with dark image) is simulated, written as OME-TIFF to a temporary folder and read back, so the
// analysis can be compared with the time to read the raw file. Each step runs 5 times after one warm-up; min / median.
import { writeReadmeSection } from "./readme-section.mjs";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { openImageFile, writeOmeTiff } from "../dist/io/index.js";
import { simulateFlatField } from "../dist/simulate/index.js";
import {
  applyFlatFieldCorrection,
  buildFlatFieldCorrection,
  correctFlatField,
  measureFieldUniformity,
  measureFieldUniformityFile,
} from "../dist/uniformity/index.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const README = join(HERE, "README.md");
const SECTION = "## Field uniformity";
const args = process.argv.slice(2);
const SIZE = args.includes("--size") ? Number(args[args.indexOf("--size") + 1]) : 2048;
const WRITE = !args.includes("--no-write");
const ROUNDS = 5;

function time(fn) {
  fn(); // warm-up
  const t = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return { min: t[0], median: t[Math.floor(t.length / 2)] };
}

async function timeAsync(fn) {
  await fn();
  const t = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return { min: t[0], median: t[Math.floor(t.length / 2)] };
}

const opts = { shape: [SIZE, SIZE], centrePx: [0.6 * SIZE, 0.42 * SIZE], scalePx: 0.6 * SIZE, gradientPercent: [0, 6], dustSpecks: 12, darkImage: true, seed: 7 };
const sim = simulateFlatField(opts);
const sim2 = simulateFlatField({ ...opts, dustSpecks: 0, seed: 8 }); // an independent flat without dust: the residual shows the correction
const dir = mkdtempSync(join(tmpdir(), "limiqc-bench-wg3-"));
const file = join(dir, "flat.ome.tif");
const darkFile = join(dir, "dark.ome.tif");
await writeOmeTiff(file, sim.image);
await writeOmeTiff(darkFile, sim.dark);

const rows = [];
const read = await timeAsync(async () => {
  const f = await openImageFile(file);
  await f.readStack(0);
  await f.close();
});
rows.push(["read the flat-field OME-TIFF (openImageFile + readStack)", read, ""]);
const measure = time(() => measureFieldUniformity(sim.image, { dark: sim.dark }));
const r = measureFieldUniformity(sim.image, { dark: sim.dark });
rows.push(["measureFieldUniformity (in memory, with dark)", measure, `U ${r.uniformity.value.toFixed(2)} % (truth ${sim.truth.uniformityPercent.toFixed(2)} %), ${r.defects.cellCount} defect cells, bin ${r.smoothing.binPx} px`]);
const fileRun = await timeAsync(() => measureFieldUniformityFile(file, { darkPath: darkFile }));
rows.push(["measureFieldUniformityFile (read flat + dark, hash, measure)", fileRun, ""]);
const build = time(() => buildFlatFieldCorrection(sim.image, { dark: sim.dark }));
const corr = buildFlatFieldCorrection(sim.image, { dark: sim.dark });
rows.push(["buildFlatFieldCorrection (degree-8 log-polynomial)", build, `${corr.rejectedCells} cells clipped`]);
const apply = time(() => applyFlatFieldCorrection(sim2.image, corr, { dark: sim2.dark }));
rows.push(["applyFlatFieldCorrection (one image)", apply, "model at knots every 8 px, interpolated; Float32 output"]);
const check = time(() => correctFlatField(sim2.image, corr, { dark: sim2.dark }));
const c = correctFlatField(sim2.image, corr, { dark: sim2.dark });
rows.push(["correctFlatField (apply + residual before/after)", check, `CV ${c.before.cv.value.toFixed(2)} % → ${c.after.cv.value.toFixed(3)} %, ratio to noise ${c.after.ratioToNoise.toFixed(2)}`]);
rmSync(dir, { recursive: true, force: true });

for (const [name, t, note] of rows) console.log(`${name.padEnd(62)} ${t.min.toFixed(0).padStart(6)} / ${t.median.toFixed(0).padStart(6)} ms  ${note}`);
const ratio = measure.median / read.median;
console.log(`analysis / raw read = ${ratio.toFixed(2)}`);

const load = loadavg()
  .map((v) => v.toFixed(1))
  .join(" / ");
const machine = `${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}`;
const section = [
  SECTION,
  "",
  `\`node bench/uniformity.mjs\` (after \`npm run build\`) on a simulated ${SIZE}×${SIZE} uint16 flat field with dark image (Gaussian vignetting,`,
  `off-centre maximum, 12 dust specks), run ${new Date().toISOString().slice(0, 10)}. Machine: ${machine}; shared with other jobs`,
  `(load average ${load} at the end), so expect ±30 %. ${ROUNDS} timed rounds after one warm-up, min / median.`,
  "",
  "| Step | min / median (ms) | Notes |",
  "|---|---:|---|",
  ...rows.map(([name, t, note]) => `| ${name} | ${t.min.toFixed(0)} / ${t.median.toFixed(0)} | ${note} |`),
  "",
  `Analysis time / raw read time = **${ratio.toFixed(2)}** (measureFieldUniformity median over the OME-TIFF read median).`,
  "The measurement touches every pixel once (block trimmed means of (image − dark)); everything after works on the ≈256×256 grid.",
  "",
].join("\n");

if (WRITE) {
  writeReadmeSection(SECTION, section);
  console.log(`wrote section "${SECTION}" of ${README}`);
}
