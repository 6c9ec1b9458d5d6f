import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { inputAcquisitionTime } from "../../src/history/acquisition-time.js";
import { writeOmeTiff } from "../../src/io/tiff-writer.js";
import { simulateFlatField } from "../../src/simulate/flatfield.js";

const dir = mkdtempSync(join(tmpdir(), "limiqc-acq-time-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (iso: string) => new Date(iso);

test("the image's own acquisition date wins; without one, the file's modification time; the same file always gives the same time", async () => {
  const image = simulateFlatField({ shape: [32, 32], seed: 1 }).image;
  const dated = join(dir, "dated.ome.tif");
  await writeOmeTiff(dated, image, { acquisitionDate: "2025-04-02T08:30:00Z" });
  expect(await inputAcquisitionTime(dated)).toEqual({ iso: "2025-04-02T08:30:00.000Z", from: "metadata" });
  const undated = join(dir, "undated.ome.tif");
  await writeOmeTiff(undated, image);
  utimesSync(undated, at("2025-05-06T07:08:09Z"), at("2025-05-06T07:08:09Z"));
  expect(await inputAcquisitionTime(undated)).toEqual({ iso: "2025-05-06T07:08:09.000Z", from: "file-modified" });
  expect(await inputAcquisitionTime(undated)).toEqual(await inputAcquisitionTime(undated));
  const notTiff = join(dir, "broken.tif");
  writeFileSync(notTiff, "not a tiff");
  utimesSync(notTiff, at("2025-01-01T00:00:00Z"), at("2025-01-01T00:00:00Z"));
  expect((await inputAcquisitionTime(notTiff)).iso).toBe("2025-01-01T00:00:00.000Z");
});

test("a folder is dated by its newest file; a missing path is a clear error", async () => {
  const folder = join(dir, "ptc");
  mkdirSync(folder);
  for (const [name, iso] of [
    ["a.tif", "2025-02-01T10:00:00Z"],
    ["b.tif", "2025-02-03T10:00:00Z"],
    ["c.tif", "2025-02-02T10:00:00Z"],
  ] as const) {
    writeFileSync(join(folder, name), "x");
    utimesSync(join(folder, name), at(iso), at(iso));
  }
  expect(await inputAcquisitionTime(folder)).toEqual({ iso: "2025-02-03T10:00:00.000Z", from: "file-modified" });
  await expect(inputAcquisitionTime(join(dir, "missing.tif"))).rejects.toThrow(InvalidArgumentError);
});
