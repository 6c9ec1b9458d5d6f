// Image I/O benchmark: stream a ~1 GB uncompressed uint16 stack plane by plane through
// openImageFile(...).planes() and compare with one fs.readFileSync of the same file.
//
//   npm run build && node bench/io.mjs
//
// The stack (2048 × 2048 × 128 uint16, 1 GiB of pixels) is written once with limiqc's own writer
// into bench/data/ (git-ignored) and reused. Each measurement runs in a fresh child process so its
// peak RSS (process.resourceUsage().maxRSS) belongs to that workload alone; the page cache is warmed
// first, so every variant reads from memory. Median of ROUNDS runs each. "floor" streams the raw
// file through one plane-sized buffer with no TIFF parsing: the copy cost no reader can beat.
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";

const NX = 2048;
const NY = 2048;
const NZ = 128;
const ROUNDS = 3;
const KIB = 1024;
const MIB = 1024 * 1024;
const here = fileURLToPath(new URL(".", import.meta.url));
const dataDir = `${here}data`;
const stackPath = `${dataDir}/io-stack-${NX}x${NY}x${NZ}-uint16.tif`;
const io = await import(new URL("../dist/io/index.js", import.meta.url).href);

async function generate() {
  mkdirSync(dataDir, { recursive: true });
  const t0 = performance.now();
  const w = io.TiffStreamWriter.create(stackPath, { width: NX, height: NY, pageCount: NZ, pixelType: "uint16", description: "limiqc I/O benchmark stack" });
  const plane = new Uint16Array(NX * NY);
  for (let z = 0; z < NZ; z++) {
    for (let i = 0; i < plane.length; i++) plane[i] = (i * 7 + z * 101) & 0xffff;
    w.writePage(plane);
  }
  const r = w.finish();
  return { ms: performance.now() - t0, bytes: r.bytesWritten };
}

async function child(mode) {
  const t0 = performance.now();
  let check = 0;
  if (mode === "floor") {
    // Raw streaming floor: the whole file through one plane-sized buffer, no TIFF parsing.
    const size = statSync(stackPath).size;
    const chunk = Buffer.allocUnsafeSlow(NX * NY * 2);
    const fd = openSync(stackPath, "r");
    for (let o = 0; o < size; ) o += readSync(fd, chunk, 0, Math.min(chunk.length, size - o), o);
    closeSync(fd);
    check = chunk[0];
  } else if (mode === "readfile") {
    const buf = readFileSync(stackPath);
    check = buf[buf.length - 1];
  } else {
    const f = await io.openImageFile(stackPath);
    for await (const p of f.planes({ reuseBuffer: mode === "stream-reuse" })) check = (check + p.data[p.data.length - 1]) & 0xffff;
    await f.close();
  }
  const ms = performance.now() - t0;
  process.stdout.write(JSON.stringify({ ms, maxRssMiB: (process.resourceUsage().maxRSS * KIB) / MIB, check }));
}

function run(mode) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--child", mode], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${mode} child failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const childMode = process.argv.indexOf("--child");
if (childMode >= 0) {
  await child(process.argv[childMode + 1]);
} else {
  let gen;
  if (!existsSync(stackPath)) gen = await generate();
  const sizeBytes = statSync(stackPath).size;
  run("readfile"); // warm the page cache
  const modes = ["readfile", "stream", "stream-reuse", "floor"];
  const results = Object.fromEntries(modes.map((m) => [m, []]));
  for (let i = 0; i < ROUNDS; i++) for (const m of modes) results[m].push(run(m));
  const stat = (m) => ({ ms: median(results[m].map((r) => r.ms)), rss: Math.max(...results[m].map((r) => r.maxRssMiB)), all: results[m].map((r) => r.ms.toFixed(0)).join(", ") });
  const rf = stat("readfile");
  const machine = `${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.version}`;
  console.log(`Stack: ${NX}×${NY}×${NZ} uint16, ${(sizeBytes / MIB).toFixed(0)} MiB, uncompressed strips${gen ? ` (generated in ${gen.ms.toFixed(0)} ms)` : " (cached)"}`);
  console.log(`Machine: ${machine}; ${ROUNDS} rounds, warm page cache, median time (all runs), max peak RSS`);
  const labels = {
    readfile: "fs.readFileSync (whole file)",
    stream: "planes() (new array per plane)",
    "stream-reuse": "planes({ reuseBuffer: true })",
    floor: "raw readSync, one 8 MiB buffer (floor)",
  };
  for (const m of modes) {
    const s = stat(m);
    const ratio = m === "readfile" ? "" : `   ${(s.ms / rf.ms).toFixed(2)} × readFile`;
    console.log(`${labels[m].padEnd(42)} ${s.ms.toFixed(0).padStart(6)} ms   peak RSS ${s.rss.toFixed(0).padStart(5)} MiB${ratio}   (${s.all})`);
  }
}
