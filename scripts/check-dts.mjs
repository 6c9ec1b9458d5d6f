// The notebook kernel (tslab) type-checks cells against dist/*.d.ts with its own TypeScript 5.0.4, which rejects
// typed-array generics such as `Uint8Array<ArrayBuffer>` that newer compilers may print into declarations.
// Fail the build if any appear, naming the file and line, so a notebook never meets them first.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const GENERIC_TYPED_ARRAY = /\b(?:Int8|Uint8|Uint8Clamped|Int16|Uint16|Int32|Uint32|Float32|Float64|BigInt64|BigUint64)Array</;
const bad = [];
function walk(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (p.endsWith(".d.ts")) {
      readFileSync(p, "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (GENERIC_TYPED_ARRAY.test(line)) bad.push(`${p}:${i + 1}: ${line.trim()}`);
        });
    }
  }
}
walk("dist");
if (bad.length) {
  console.error(
    `check-dts: ${bad.length} declaration(s) use typed-array generics that the notebook kernel's TypeScript 5.0 cannot read.\n` +
      "Give the exported function an explicit return/parameter type such as `Float32Array`:\n" +
      bad.join("\n"),
  );
  process.exit(1);
}
