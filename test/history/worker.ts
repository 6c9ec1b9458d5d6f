/**
 * Child-process worker of the history store tests (bundled to .mjs by the test, run with node); STORE is a file path
 * or a postgres:// connection string.
 *   write STORE ID N BATCH  — inserts N records of instrument "w<ID>", BATCH records per transaction
 *   hang STORE N            — one atomic import; after N records prints "MID" and blocks (to be killed)
 *   race STORE N            — one atomic import of N records; prints "MID" after N/10 (killed at an arbitrary point)
 */
import { openHistoryStore } from "../../src/history/store.js";
import { makeRecord } from "./fixtures.js";

const [mode, location, a, b, c] = process.argv.slice(2);
const store = await openHistoryStore(location as string);
if (mode === "write") {
  const id = Number(a);
  const n = Number(b);
  const batch = Number(c);
  for (let i = 0; i < n; i += batch) {
    const recs = [];
    for (let k = i; k < Math.min(n, i + batch); k++) recs.push(makeRecord(k, `w${id}`));
    await store.insert(recs);
  }
  await store.close();
  process.stdout.write("DONE\n");
} else if (mode === "hang" || mode === "race") {
  const n = Number(a);
  const signalAt = mode === "hang" ? n : Math.floor(n / 10);
  function* records() {
    for (let i = 0; ; i++) {
      if (i === signalAt) {
        process.stdout.write("MID\n");
        if (mode === "hang") Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
      }
      if (i >= (mode === "race" ? n : 2 * n)) return;
      yield makeRecord(100_000 + i, "killed");
    }
  }
  await store.insert(records());
  await store.close();
  process.stdout.write("DONE\n");
}
