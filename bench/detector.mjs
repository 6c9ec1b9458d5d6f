// Times the WG2 camera analysis (read folder vs. EMVA 1288 photon transfer + dark test) and writes a
// "## Detector (WG2)" section into bench/README.md.   Usage: npm run build && node bench/detector.mjs
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { analyseCameraSeries, measurePhotonTransfer, readCameraSeries, writeCameraSeries } from "../dist/detector/index.js";
import { simulateCameraSeries } from "../dist/simulate/index.js";
import { writeReadmeSection } from "./readme-section.mjs";

const ROUNDS = 3;
async function time(fn) {
  await fn();
  const t = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

const rows = [];
for (const [ny, nx] of [
  [96, 128],
  [512, 512],
]) {
  const levels = 24;
  const s = simulateCameraSeries({ shape: [ny, nx], levels, darkSeriesFrames: 40, seed: 3, camera: { readNoiseSpread: 0.25, hotPixelFraction: 0.001 } });
  const dir = mkdtempSync(join(tmpdir(), "limiqc-bench-ptc-"));
  await writeCameraSeries(dir, s);
  let data;
  const tRead = await time(async () => {
    data = await readCameraSeries(dir);
  });
  const tPtc = await time(() => measurePhotonTransfer(data.levels));
  const tAll = await time(() => analyseCameraSeries(data));
  const frames = levels * 4 + 40;
  const mpix = (frames * ny * nx) / 1e6;
  rows.push(`| ${nx} × ${ny} px, ${levels} levels + 40 dark frames (${frames} frames, ${mpix.toFixed(1)} Mpx) | ${tRead.toFixed(0)} | ${tPtc.toFixed(0)} | ${tAll.toFixed(0)} | ${(tAll / tRead).toFixed(2)} | ${(mpix / (tAll / 1000)).toFixed(0)} |`);
  rmSync(dir, { recursive: true, force: true });
}
const section = [
  "## Detector (WG2)",
  "",
  `\`node bench/detector.mjs\` (after \`npm run build\`), Node ${process.version}, load average ${loadavg().map((x) => x.toFixed(1)).join(" / ")} at the end (shared 2-core machine: expect ±30 %); ${ROUNDS} rounds after a warm-up, median. Simulated sCMOS series written as OME-TIFFs with a manifest (the \`camera-series\` sample layout), read from a warm page cache.`,
  "",
  "| Series | Read ms (`readCameraSeries`) | PTC ms (`measurePhotonTransfer`) | PTC + dark test ms (`analyseCameraSeries`) | Analysis / read | Mpx/s analysed |",
  "|---|---:|---:|---:|---:|---:|",
  ...rows,
  "",
  "The analysis is one Welford pass per frame set (mean and frame-mean-corrected variance per pixel) plus small fits; the dark test adds the warm/cold pass and a median over the noise map.",
  "",
].join("\n");
writeReadmeSection("## Detector (WG2)", section);
console.log(section);
