import { appendFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { watchFolder } from "../../src/history/watch.js";

const root = mkdtempSync(join(tmpdir(), "limiqc-watch-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("a file still being written is handed over once, after it stopped changing; existing and hidden files are skipped", async () => {
  const dir = join(root, "a");
  mkdirSync(dir);
  writeFileSync(join(dir, "old.tsv"), "already here\n");
  const got: { path: string; size: number }[] = [];
  const ac = new AbortController();
  const { statSync } = await import("node:fs");
  const done = watchFolder(
    dir,
    (p) => {
      got.push({ path: p, size: statSync(p).size });
    },
    { stableMs: 1000, pollMs: 50, signal: ac.signal, pattern: /\.tsv$/ },
  );
  const growing = join(dir, "new.tsv");
  for (let i = 0; i < 6; i++) {
    appendFileSync(growing, `line ${i}\n`.repeat(100));
    await sleep(100); // pauses much shorter than stableMs: must not be read yet
  }
  expect(got).toEqual([]);
  writeFileSync(join(dir, ".partial.tsv"), "hidden\n");
  writeFileSync(join(dir, "other.txt"), "not matching\n");
  writeFileSync(join(dir, "tmp-name"), "renamed when complete\n");
  renameSync(join(dir, "tmp-name"), join(dir, "renamed.tsv"));
  await sleep(2000);
  ac.abort();
  await done;
  expect(got.map((g) => g.path).sort()).toEqual([growing, join(dir, "renamed.tsv")]);
  expect(got.find((g) => g.path === growing)?.size).toBe(6 * 100 * "line 0\n".length);
});

test("an error in the handler is reported and the watch goes on; bad folder → InvalidArgumentError", async () => {
  const dir = join(root, "b");
  mkdirSync(dir);
  const errors: string[] = [];
  const ok: string[] = [];
  const ac = new AbortController();
  const done = watchFolder(
    dir,
    (p) => {
      if (p.endsWith("bad.tsv")) throw new Error("cannot parse");
      ok.push(p);
    },
    { stableMs: 100, pollMs: 30, signal: ac.signal },
    (e, p) => errors.push(`${p}: ${(e as Error).message}`),
  );
  writeFileSync(join(dir, "bad.tsv"), "x");
  writeFileSync(join(dir, "good.tsv"), "y");
  await sleep(400);
  ac.abort();
  await done;
  expect(errors).toEqual([`${join(dir, "bad.tsv")}: cannot parse`]);
  expect(ok).toEqual([join(dir, "good.tsv")]);
  await expect(watchFolder(join(root, "missing"), () => {})).rejects.toThrow(InvalidArgumentError);
});
