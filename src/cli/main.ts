#!/usr/bin/env node
import { LimiqcError } from "../core/errors.js";
import { LIMIQC_VERSION } from "../core/provenance.js";
import type { Command } from "./common.js";
import { coregCommand } from "./coreg.js";
import { flatnessCommand } from "./flatness.js";
import { historyCommand, reportCommand, runCommand, watchCommand } from "./history.js";
import { decorrelationCommand, frcCommand } from "./image-resolution.js";
import { infoCommand } from "./info.js";
import { iqCommand } from "./iq.js";
import { metadataCommand } from "./metadata.js";
import { powerCommand } from "./power.js";
import { ptcCommand } from "./ptc.js";
import { publicationCommand } from "./publication.js";
import { psfCommand } from "./psf.js";
import { runNotebooksCommand } from "./run-notebooks.js";
import { simulateCommand } from "./simulate.js";
import { stageCommand } from "./stage.js";

/** In protocol order (WG1 → WG11), utilities first, the notebook runner last. */
const COMMANDS: Command[] = [
  infoCommand,
  simulateCommand,
  powerCommand,
  ptcCommand,
  flatnessCommand,
  coregCommand,
  psfCommand,
  frcCommand,
  decorrelationCommand,
  stageCommand,
  metadataCommand,
  iqCommand,
  publicationCommand,
  runCommand,
  watchCommand,
  reportCommand,
  historyCommand,
  runNotebooksCommand,
];

function help(): string {
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(14)} ${c.summary}\n  ${"".padEnd(14)} ${c.usage}`);
  return `limiqc ${LIMIQC_VERSION} — quality control of light microscopes (QUAREP-LiMi protocols)\n\nUsage: limiqc <command> [options]\n\n${lines.join("\n")}\n\nAnalysis commands print a summary with the verdict and write the full result record with --json OUT.\nExit code: 0 on success whatever the verdict, 1 on error.`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    console.log(help());
    return 0;
  }
  if (name === "--version" || name === "-v") {
    console.log(LIMIQC_VERSION);
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    console.error(`limiqc: unknown command "${name}".\n\n${help()}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(`${cmd.summary}\n\nUsage: ${cmd.usage}`);
    return 0;
  }
  return cmd.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof LimiqcError) console.error(`limiqc: ${err.message}`);
    else if (err instanceof Error && (err as NodeJS.ErrnoException).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") console.error(`limiqc: ${err.message}`);
    else console.error(`limiqc: unexpected error — please report it:\n${err instanceof Error ? err.stack : String(err)}`);
    process.exitCode = 1;
  },
);
