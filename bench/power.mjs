// Times the WG1 power-log analysis and writes a "## Illumination power (WG1)" section into bench/README.md.
// Usage: npm run build && node bench/power.mjs
import { loadavg } from "node:os";
import { analysePowerLog, parsePowerLog } from "../dist/power/index.js";
import { simulatePowerLog, toSmartLpmTsv } from "../dist/simulate/index.js";
import { writeReadmeSection } from "./readme-section.mjs";

const ROUNDS = 5;
function time(fn) {
  fn();
  const t = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return { min: t[0], median: t[Math.floor(t.length / 2)] };
}

const cases = [
  { name: "short-term: 4 lines × 3 set points × 5 min", o: { settingsPercent: [5, 20, 80], blockDurationS: 300, seed: 1 } },
  { name: "long-term: 4 lines interleaved, 2 h (28 s per line and cycle)", o: { settingsPercent: [80], blockDurationS: 25, cycles: 65, driftPercentPerH: 1, seed: 2 } },
  { name: "linearity: 4 lines × 8 set points × 25 s", o: { settingsPercent: [1, 2, 4, 8, 16, 32, 64, 100], blockDurationS: 25, seed: 3 } },
];
const rows = [];
for (const c of cases) {
  const sim = simulatePowerLog(c.o);
  const text = toSmartLpmTsv(sim.rows);
  let log;
  const tRead = time(() => {
    log = parsePowerLog(text);
  });
  let result;
  const tAna = time(() => {
    result = analysePowerLog(log);
  });
  rows.push(`| ${c.name} | ${sim.rows.length} | ${result.blocks.length} | ${tRead.median.toFixed(1)} | ${tAna.median.toFixed(1)} | ${(tAna.median / tRead.median).toFixed(2)} |`);
}
const section = [
  "## Illumination power (WG1)",
  "",
  `\`node bench/power.mjs\` (after \`npm run build\`), Node ${process.version}, load average ${loadavg().map((x) => x.toFixed(1)).join(" / ")} at the end (shared 2-core machine: expect ±30 %); ${ROUNDS} rounds after a warm-up, median. Simulated SmartLPM logs (1 reading/s).`,
  "",
  "| Log | Readings | Blocks | Parse ms (`parsePowerLog`) | Analysis ms (`analysePowerLog`) | Analysis / parse |",
  "|---|---:|---:|---:|---:|---:|",
  ...rows,
  "",
  "Analysis = segmentation, S, CV, drift, warm-up (30 s moving average), series, linearity and verdicts. Both scale linearly with the readings.",
  "",
].join("\n");
writeReadmeSection("## Illumination power (WG1)", section);
console.log(section);
