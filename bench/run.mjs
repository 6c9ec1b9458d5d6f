// `npm run bench`: runs every bench/*.mjs in turn (each one prints its table and updates its section of bench/README.md).
// Pass names to run a subset: npm run bench -- io kernels
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const scripts = readdirSync(here)
  .filter((f) => f.endsWith(".mjs") && f !== "run.mjs" && f !== "readme-section.mjs")
  .filter((f) => !wanted.length || wanted.includes(f.replace(/\.mjs$/, "")))
  .sort();
let failed = 0;
for (const s of scripts) {
  console.log(`\n=== bench/${s}`);
  const r = spawnSync(process.execPath, ["--expose-gc", join(here, s)], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
