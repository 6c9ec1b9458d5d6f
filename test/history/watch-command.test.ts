import { spawn } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openHistoryStore } from "../../src/history/store.js";
import { writeOmeTiff } from "../../src/io/tiff-writer.js";
import { simulateFlatField } from "../../src/simulate/flatfield.js";
import { dropPgDatabases, newPgDatabase, PG_AVAILABLE } from "./pg.js";

/** `limiqc watch` and `limiqc run` as a user runs them: the built CLI in a child process (npm test builds it first). */
const CLI = resolve("dist/cli/main.js");
const root = mkdtempSync(join(tmpdir(), "limiqc-watch-cmd-"));
let flatBytes = Buffer.alloc(0);
beforeAll(async () => {
  const flat = join(root, "flat.ome.tif");
  await writeOmeTiff(flat, simulateFlatField({ shape: [96, 96], seed: 5 }).image);
  flatBytes = readFileSync(flat);
});
afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  if (PG_AVAILABLE) await dropPgDatabases();
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the CLI; `until(text)` resolves once stdout contains text; `done` resolves with the exit code. */
function startCli(args: string[]) {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.filter((w) => out.includes(w.text))) w.resolve();
  });
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const done = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
  const until = (text: string, timeoutMs = 20_000): Promise<void> =>
    out.includes(text)
      ? Promise.resolve()
      : new Promise((res, rej) => {
          const t = setTimeout(() => rej(new Error(`no "${text}" within ${timeoutMs} ms; stdout:\n${out}\nstderr:\n${err}`)), timeoutMs);
          waiters.push({
            text,
            resolve: () => {
              clearTimeout(t);
              res();
            },
          });
        });
  return { child, done, until, output: () => ({ out, err }) };
}

const backends = [
  { name: "sqlite", available: true, newStore: async (label: string) => join(root, `${label}.sqlite`) },
  { name: "postgres", available: PG_AVAILABLE, newStore: (label: string) => newPgDatabase(label) },
];

describe.each(backends)("limiqc watch / run into $name", (b) => {
  test.runIf(b.available)("a file written slowly is analysed once complete; a broken file is reported and the watch goes on; Ctrl-C exits 0", async () => {
    const folder = join(root, `acq-${b.name}`);
    mkdirSync(folder);
    const store = await b.newStore("watch");
    const cli = startCli(["watch", folder, "flatness", "--instrument", "scope-w", "--store", store, "--stable-s", "1", "--pattern", "\\.tif$"]);
    await cli.until("watching");
    // the acquisition software writes the file in pieces, pausing less than the stability time
    const file = join(folder, "flat-001.ome.tif");
    const pieces = 4;
    const step = Math.ceil(flatBytes.length / pieces);
    for (let i = 0; i < pieces; i++) {
      appendFileSync(file, flatBytes.subarray(i * step, (i + 1) * step));
      await sleep(300);
    }
    writeFileSync(join(folder, "notes.txt"), "not an image, and not matching the pattern");
    await cli.until("record(s) stored");
    writeFileSync(join(folder, "broken.tif"), "II*\0 not really a TIFF");
    await cli.until("broken.tif");
    cli.child.kill("SIGINT");
    expect(await cli.done).toBe(0);
    const { out, err } = cli.output();
    expect(err).toBe("");
    expect(out).toMatch(/flat-001\.ome\.tif: field uniformity, (PASS|WARN|FAIL)/);
    expect(out.match(/record\(s\) stored/g)).toHaveLength(1); // analysed once, not per piece
    expect(out).toMatch(/broken\.tif: not stored — [\s\S]*still watching; once fixed: limiqc run flatness \S*broken\.tif --instrument scope-w/);
    expect(out).toContain(`stopped watching ${folder}`);
    expect(out).not.toContain("notes.txt");
    const s = await openHistoryStore(store);
    const rows = await s.query({ instrument: "scope-w" });
    await s.close();
    expect(rows.length).toBe(4);
    expect(new Set(rows.map((r) => r.protocol))).toEqual(new Set(["field-uniformity"]));
  });

  test.runIf(b.available)("limiqc run stores all files or none, and the store can come from LIMIQC_STORE", async () => {
    const store = await b.newStore("run");
    const good = join(root, `good-${b.name}.ome.tif`);
    writeFileSync(good, flatBytes);
    const bad = join(root, `bad-${b.name}.tif`);
    writeFileSync(bad, "not a tiff");
    const failing = startCli(["run", "field-uniformity", good, bad, "--instrument", "scope-r", "--store", store]);
    expect(await failing.done).toBe(1);
    expect(failing.output().err).toMatch(/limiqc: .*bad-/);
    const child = spawn(process.execPath, [CLI, "run", "flatness", good, "--instrument", "scope-r"], { env: { ...process.env, LIMIQC_STORE: store } });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    expect(await new Promise((res) => child.on("exit", res))).toBe(0);
    expect(out).toMatch(/4 record\(s\) stored, 0 already there \(4 in total\)/);
    // the same file stored again later, still without --acquired-at: same acquisition time, so nothing new
    const again = startCli(["run", "flatness", good, "--instrument", "scope-r", "--store", store]);
    expect(await again.done).toBe(0);
    expect(again.output().out).toMatch(/acquired .*file's modification time[\s\S]*0 record\(s\) stored, 4 already there \(4 in total\)/);
  });
});

test("limiqc watch with a store it cannot open fails at once (exit 1), before watching", async () => {
  const folder = join(root, "acq-bad-store");
  mkdirSync(folder);
  const cli = startCli(["watch", folder, "flatness", "--instrument", "x", "--store", "postgres://qc:pw@127.0.0.1:1/qc"]);
  expect(await cli.done).toBe(1);
  expect(cli.output().err).toMatch(/Cannot open the PostgreSQL history store postgres:\/\/qc:\*\*\*@127\.0\.0\.1:1\/qc \(ECONNREFUSED/);
  expect(cli.output().out).not.toContain("watching");
});
