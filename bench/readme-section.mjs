// Shared by the bench scripts: replace (or append) one "## ..." section of bench/README.md, leaving the others alone.
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const README = new URL("./README.md", import.meta.url);
const INTRO = "# Benchmarks\n\nTimings of limiqc's kernels and readers; each script under `bench/` writes its own section.\n";

/** @param heading the section's "## ..." line; @param section its full text, starting with that heading. */
export function writeReadmeSection(heading, section) {
  const current = existsSync(README) ? readFileSync(README, "utf8") : INTRO;
  const start = current.indexOf(`${heading}\n`);
  let next;
  if (start >= 0) {
    const after = current.indexOf("\n## ", start + heading.length);
    next = current.slice(0, start).replace(/\n*$/, "\n\n") + section + (after >= 0 ? current.slice(after) : "");
  } else next = `${current.replace(/\n*$/, "\n\n")}${section}`;
  writeFileSync(README, next);
}
