// Removes outputs and execution counts from notebooks (what we commit). Usage: node scripts/strip-notebooks.mjs [FILES...]
// Without arguments: every notebooks/*.ipynb. With --check: changes nothing, exits 1 if any notebook has outputs.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const args = process.argv.slice(2);
const check = args.includes("--check");
const files = args.filter((a) => !a.startsWith("--"));
const targets = files.length ? files : readdirSync("notebooks").filter((f) => f.endsWith(".ipynb")).map((f) => join("notebooks", f));
let dirty = 0;
for (const f of targets) {
  const text = readFileSync(f, "utf8");
  const nb = JSON.parse(text);
  for (const c of nb.cells) {
    if (c.cell_type === "code") {
      c.outputs = [];
      c.execution_count = null;
    }
  }
  const clean = `${JSON.stringify(nb, null, 1)}\n`;
  if (clean !== text) {
    dirty++;
    if (check) console.log(`${f} has outputs or is not in canonical form`);
    else writeFileSync(f, clean);
  }
}
if (check && dirty) process.exit(1);
