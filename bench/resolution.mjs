// Benchmark of the WG5 bead PSF analysis (src/resolution) on a 2048×2048×64 uint16 stack with ~100 beads.
//
//   npm run build && node --expose-gc bench/resolution.mjs            # full size, writes bench/README.md
//   node bench/resolution.mjs --shape 16,512,512 --no-write            # quick look, README untouched
//
// The stack (background + noise + Gaussian beads on a jittered grid, deterministic) is written once as a plain
// uncompressed TIFF with ImageJ calibration into bench/data/ (git-ignored) and reused. Each measurement runs in a fresh
// child process (page cache warmed first): "read" = openImageFile + readStack (the raw read of the stack), "analysis" =
// measureBeadPsf on the stack already in memory, "file" = measureBeadPsfFile (SHA-256 of the file + read + analysis).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeReadmeSection } from "./readme-section.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const README = join(HERE, "README.md");
const SECTION = "## Resolution (bead PSF, WG5)";
const args = process.argv.slice(2);
const childMode = args.indexOf("--child");
const shapeArg = args.includes("--shape") ? args[args.indexOf("--shape") + 1] : "64,2048,2048";
const SHAPE = shapeArg.split(",").map(Number);
const WRITE = !args.includes("--no-write") && childMode < 0;
const ROUNDS = 3;
const VOXEL_UM = [0.15, 0.065, 0.065];
const FWHM_UM = [0.25, 0.25, 0.7]; // x, y, z
const BEAD_GRID = 10; // 10 × 10 beads
const BACKGROUND_ADU = 100;
const OPTICS = { modality: "widefield", na: 1.4, immersionIndex: 1.518, emissionWavelengthNm: 520 };
const stackPath = join(HERE, "data", `resolution-${SHAPE.join("x")}-uint16.tif`);

/** Background + triangular noise (SD ≈ 13 ADU) + point-sampled Gaussian beads on a jittered grid at mid-stack. */
function makeStack([nz, ny, nx]) {
  const n = nz * ny * nx;
  const data = new Uint16Array(n);
  let s = 0x2545f491;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
  for (let i = 0; i < n; i++) {
    const r = next();
    data[i] = BACKGROUND_ADU - 31 + (r & 31) + ((r >>> 8) & 31);
  }
  const sigma = [FWHM_UM[2] / 2.3548 / VOXEL_UM[0], FWHM_UM[1] / 2.3548 / VOXEL_UM[1], FWHM_UM[0] / 2.3548 / VOXEL_UM[2]];
  const reach = sigma.map((v) => Math.ceil(4 * v));
  const margin = 40;
  const stepX = (nx - 2 * margin) / (BEAD_GRID - 1);
  const stepY = (ny - 2 * margin) / (BEAD_GRID - 1);
  let beads = 0;
  for (let j = 0; j < BEAD_GRID; j++) {
    for (let i = 0; i < BEAD_GRID; i++) {
      const cx = margin + i * stepX + ((next() % 1000) / 1000 - 0.5) * 0.3 * stepX;
      const cy = margin + j * stepY + ((next() % 1000) / 1000 - 0.5) * 0.3 * stepY;
      const cz = (nz - 1) / 2 + ((next() % 1000) / 1000 - 0.5) * 2;
      const amp = 1500 + (next() % 1000);
      for (let z = Math.max(0, Math.floor(cz - reach[0])); z <= Math.min(nz - 1, Math.ceil(cz + reach[0])); z++) {
        const gz = Math.exp(-0.5 * ((z - cz) / sigma[0]) ** 2);
        for (let y = Math.max(0, Math.floor(cy - reach[1])); y <= Math.min(ny - 1, Math.ceil(cy + reach[1])); y++) {
          const gy = gz * Math.exp(-0.5 * ((y - cy) / sigma[1]) ** 2);
          for (let x = Math.max(0, Math.floor(cx - reach[2])); x <= Math.min(nx - 1, Math.ceil(cx + reach[2])); x++) {
            const k = (z * ny + y) * nx + x;
            data[k] = Math.min(65535, data[k] + Math.round(amp * gy * Math.exp(-0.5 * ((x - cx) / sigma[2]) ** 2)));
          }
        }
      }
      beads++;
    }
  }
  return { data, beads };
}

async function child(mode) {
  const io = await import("../dist/io/index.js");
  const res = await import("../dist/resolution/index.js");
  // warm-up: compile the analysis on a small stack
  {
    const img = await import("../dist/image/index.js");
    const { data } = makeStack([16, 256, 256]);
    res.measureBeadPsf(img.makeImage(data, [16, 256, 256], { voxelSizeUm: VOXEL_UM, bitDepth: 16 }), { optics: OPTICS });
  }
  let out = {};
  const t0 = performance.now();
  if (mode === "read") {
    const f = await io.openImageFile(stackPath);
    const st = await f.readStack(0);
    await f.close();
    out = { check: st.data[st.data.length - 1] };
  } else if (mode === "analysis") {
    const f = await io.openImageFile(stackPath);
    const st = await f.readStack(0);
    await f.close();
    if (globalThis.gc) globalThis.gc();
    const t1 = performance.now();
    const r = res.measureBeadPsf(st, { optics: OPTICS });
    const ms = performance.now() - t1;
    if (!r.summary) throw new Error(`no bead accepted: ${r.verdict.reason}`);
    process.stdout.write(
      JSON.stringify({
        ms,
        candidates: r.counts.candidates,
        accepted: r.counts.accepted,
        fwhm: [r.summary.x.mean.value, r.summary.y.mean.value, r.summary.z.mean.value],
        verdict: r.verdict.level,
      }),
    );
    return;
  } else {
    const r = await res.measureBeadPsfFile(stackPath, { optics: OPTICS });
    out = { accepted: r.channels[0].counts.accepted };
  }
  process.stdout.write(JSON.stringify({ ms: performance.now() - t0, ...out }));
}

function run(mode) {
  const r = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), "--child", mode, "--shape", SHAPE.join(",")], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${mode} child failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (childMode >= 0) {
  await child(args[childMode + 1]);
} else {
  if (!existsSync(stackPath)) {
    const io = await import("../dist/io/index.js");
    const img = await import("../dist/image/index.js");
    mkdirSync(dirname(stackPath), { recursive: true });
    const t = performance.now();
    const { data, beads } = makeStack(SHAPE);
    await io.writeImageJTiff(stackPath, img.makeImage(data, SHAPE, { voxelSizeUm: VOXEL_UM, bitDepth: 16 }));
    console.log(`wrote ${stackPath} (${beads} beads) in ${(performance.now() - t).toFixed(0)} ms`);
  }
  const sizeMiB = statSync(stackPath).size / 2 ** 20;
  readFileSync(stackPath); // warm the page cache
  const reads = [];
  const analyses = [];
  const files = [];
  let info;
  for (let k = 0; k < ROUNDS; k++) {
    reads.push(run("read").ms);
    info = run("analysis");
    analyses.push(info.ms);
    files.push(run("file").ms);
  }
  const read = median(reads);
  const analysis = median(analyses);
  const file = median(files);
  console.log(`read (openImageFile + readStack): ${reads.map((x) => x.toFixed(0)).join(", ")} ms → median ${read.toFixed(0)} ms`);
  console.log(`analysis (measureBeadPsf, in memory): ${analyses.map((x) => x.toFixed(0)).join(", ")} ms → median ${analysis.toFixed(0)} ms, ${(analysis / read).toFixed(2)}× the read`);
  console.log(`file (measureBeadPsfFile: SHA-256 + read + analysis): ${files.map((x) => x.toFixed(0)).join(", ")} ms → median ${file.toFixed(0)} ms`);
  console.log(`beads: ${info.candidates} found, ${info.accepted} accepted; mean FWHM ${info.fwhm.map((v) => v.toFixed(4)).join(" / ")} µm (planted ${FWHM_UM.join(" / ")}); verdict ${info.verdict}`);
  if (WRITE) {
    const load = loadavg()
      .map((v) => v.toFixed(1))
      .join(" / ");
    const machine = `${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}`;
    const section = [
      SECTION,
      "",
      `\`node --expose-gc bench/resolution.mjs\` (after \`npm run build\`), run ${new Date().toISOString().slice(0, 10)} on ${machine}; load average ${load} at the end`,
      `(shared machine: expect ±30 %). Stack: ${SHAPE.join("×")} (z×y×x) uint16, ${sizeMiB.toFixed(0)} MiB uncompressed TIFF, voxel ${VOXEL_UM.join(" × ")} µm,`,
      `${BEAD_GRID * BEAD_GRID} Gaussian beads (FWHM ${FWHM_UM.join(" / ")} µm) on a jittered grid, background ${BACKGROUND_ADU} ADU + noise (SD ≈ 13 ADU).`,
      `Median of ${ROUNDS} runs, each in a fresh process after a warm-up on a small stack, page cache warm.`,
      "",
      "| Step | ms | × read |",
      "|---|---:|---:|",
      `| read: \`openImageFile\` + \`readStack\` (raw read of the stack) | ${read.toFixed(0)} | 1.00 |`,
      `| analysis: \`measureBeadPsf\` on the stack in memory (detection, rules, 1D + 3D fits, summary, field fit) | ${analysis.toFixed(0)} | ${(analysis / read).toFixed(2)} |`,
      `| whole file: \`measureBeadPsfFile\` (SHA-256 of the file + read + analysis) | ${file.toFixed(0)} | ${(file / read).toFixed(2)} |`,
      "",
      `Result: ${info.candidates} beads found, ${info.accepted} accepted, mean FWHM ${info.fwhm.map((v) => v.toFixed(4)).join(" / ")} µm (planted ${FWHM_UM.join(" / ")}).`,
      "Target: analysis under 10× the read. The analysis reads the stack once for the maximum projection, smooths only the 2D",
      "projection, and then touches only the fit boxes (±2 FWHM) of the candidates; each bead costs two 3D and three 1D fits.",
      "",
    ].join("\n");
    writeReadmeSection(SECTION, section);
    console.log(`wrote section "${SECTION}" of ${README}`);
  }
}
