/**
 * Watching an acquisition folder for new files that have finished being written.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { InvalidArgumentError } from "../core/errors.js";

/** Options of {@link watchFolder}. */
export interface WatchFolderOptions {
  /** A file is "complete" when its size and modification time have not changed for this long, ms. @default 2000 */
  stableMs?: number;
  /** How often the folder is listed, ms. @default 500 */
  pollMs?: number;
  /** Only files whose name matches are considered. @default all files (names starting with "." are always skipped) */
  pattern?: RegExp;
  /** Also hand over files already in the folder when watching starts. @default false */
  includeExisting?: boolean;
  /** Stops watching when aborted. @default never */
  signal?: AbortSignal;
}

interface Seen {
  size: number;
  mtimeMs: number;
  since: number;
  done: boolean;
}

/** Waits `ms`, or less when `signal` aborts; the abort listener is removed either way (one per poll would pile up). */
function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Watches a folder (not recursive) and calls `onFile` once for every new file after it has stopped changing, so a
 * file still being written by the acquisition software is never read half-finished.
 *
 * @param folder - The folder to watch.
 * @param onFile - Called with the file's full path; awaited, one file at a time. An error thrown by it is passed to
 *   `onError` and the watch goes on.
 * @param options - Stability time, poll interval, name pattern, existing files, abort signal.
 * @param onError - Receives errors of `onFile` (and of listing the folder). @default rethrow (stops the watch)
 * @returns A promise that resolves when `signal` aborts.
 * @throws InvalidArgumentError when the folder does not exist or the times are not positive.
 *
 * Notes: polling (not fs.watch) so it behaves the same on network shares. "Complete" means size and mtime unchanged
 * for `stableMs`: an acquisition that pauses longer than that mid-file would be read early: raise `stableMs`
 * above the longest pause (or let the software write to a temporary name and rename, which this handles). A file
 * that changes after it was handed over is handed over again once it is stable; downstream imports are idempotent.
 * @example
 * const ac = new AbortController();
 * await watchFolder("/data/qc", async (f) => void (await store.insert(historyFromPowerLog(analysePowerLog(await readPowerLog(f)), ctx))), { signal: ac.signal });
 */
export async function watchFolder(
  folder: string,
  onFile: (path: string) => Promise<void> | void,
  options: WatchFolderOptions = {},
  onError: (error: unknown, path: string | null) => void = (e) => {
    throw e;
  },
): Promise<void> {
  const stableMs = options.stableMs ?? 2000;
  const pollMs = options.pollMs ?? 500;
  if (!(stableMs > 0) || !(pollMs > 0)) throw new InvalidArgumentError(`stableMs ${stableMs} and pollMs ${pollMs} must be > 0.`, "Use e.g. stableMs 2000, pollMs 500.");
  try {
    if (!statSync(folder).isDirectory()) throw new Error("not a folder");
  } catch {
    throw new InvalidArgumentError(`Cannot watch ${folder}: no such folder.`, "Give the folder the acquisition software writes to.");
  }
  const seen = new Map<string, Seen>();
  const list = (): string[] => readdirSync(folder).filter((n) => !n.startsWith(".") && (!options.pattern || options.pattern.test(n)));
  if (!options.includeExisting) {
    for (const name of list()) {
      const st = statSync(join(folder, name), { throwIfNoEntry: false });
      if (st?.isFile()) seen.set(name, { size: st.size, mtimeMs: st.mtimeMs, since: Date.now(), done: true });
    }
  }
  const signal = options.signal;
  while (!signal?.aborted) {
    let names: string[] = [];
    try {
      names = list();
    } catch (e) {
      onError(e, null);
    }
    const now = Date.now();
    for (const name of names) {
      const path = join(folder, name);
      const st = statSync(path, { throwIfNoEntry: false });
      if (!st?.isFile()) continue;
      const s = seen.get(name);
      if (!s || s.size !== st.size || s.mtimeMs !== st.mtimeMs) {
        seen.set(name, { size: st.size, mtimeMs: st.mtimeMs, since: now, done: false });
        continue;
      }
      if (s.done || now - s.since < stableMs) continue;
      s.done = true;
      try {
        await onFile(path);
      } catch (e) {
        onError(e, path);
      }
      if (signal?.aborted) break;
    }
    await sleepUnlessAborted(pollMs, signal);
  }
}
