/**
 * When was a QC input acquired? The time axis of the history, and part of a record's natural key: it must be the same
 * every time the same input is stored, so that storing it twice does not add a second point.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { InvalidArgumentError } from "../core/errors.js";
import { openImageFile } from "../io/tiff-reader.js";
import { isTiffPath } from "../io/tiff-path.js";

/** An acquisition time and where it came from. */
export interface InputAcquisitionTime {
  /** ISO 8601 UTC. */
  readonly iso: string;
  /** "metadata": the image's own acquisition date; "file-modified": the file's (or the folder's newest file's) modification time. */
  readonly from: "metadata" | "file-modified";
}

/**
 * The acquisition time of a QC input: the acquisition date written in an image's metadata (OME AcquisitionDate,
 * ImageJ/TIFF date) when there is a valid one, else the file's modification time (for a folder, that of its newest
 * file), which the acquisition software set when it wrote the data.
 *
 * @param path - An image file, another data file (CSV, power log) or a folder of images.
 * @returns The time and its source.
 * @throws InvalidArgumentError when the path does not exist.
 *
 * Notes: the modification time survives moves and `cp -p` but not a plain copy: a copied file stored again would
 * count as a new acquisition; give `--acquired-at` (or keep the metadata date) when that matters. Unreadable or
 * non-TIFF files fall back to the modification time silently.
 * @example
 * (await inputAcquisitionTime("beads.ome.tif")).from; // "metadata" when the OME-XML has an AcquisitionDate
 */
export async function inputAcquisitionTime(path: string): Promise<InputAcquisitionTime> {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) throw new InvalidArgumentError(`${path} does not exist.`, "Check the path of the QC input.");
  if (st.isDirectory()) {
    let newest = 0;
    for (const name of readdirSync(path)) {
      const s = statSync(join(path, name), { throwIfNoEntry: false });
      if (s?.isFile() && s.mtimeMs > newest) newest = s.mtimeMs;
    }
    return { iso: new Date(newest || st.mtimeMs).toISOString(), from: "file-modified" };
  }
  if (isTiffPath(path)) {
    try {
      const f = await openImageFile(path);
      const date = f.metadata.acquisitionDate;
      await f.close();
      const t = date === undefined ? Number.NaN : Date.parse(date);
      if (Number.isFinite(t)) return { iso: new Date(t).toISOString(), from: "metadata" };
    } catch {
      // not readable as an image here: the analysis reports that; the modification time still dates the file
    }
  }
  return { iso: new Date(st.mtimeMs).toISOString(), from: "file-modified" };
}
