/**
 * Reading and writing a camera photon-transfer acquisition: a folder of TIFF files described by a `manifest.csv`
 * or by their names.
 *
 * Manifest (`manifest.csv` in the folder; `#` starts a comment line):
 * ```
 * file,kind,exposure_ms,illumination,photons_per_pixel
 * flat_L01_010ms.ome.tif,flat,10,1,
 * dark_010ms.ome.tif,dark,10,,
 * dark_series.ome.tif,dark-series,10,,
 * ```
 * `kind` is flat, dark or dark-series; `exposure_ms` is required; `illumination` (relative) and
 * `photons_per_pixel` (calibrated) are optional. Each file holds one or more frames (pages). Rows with the same
 * kind, exposure and illumination are pooled into one level.
 *
 * Without a manifest the names are read: kind from "dark-series"/"darkseries", "dark"/"bias", "flat"/"bright"/
 * "light"; exposure from a number with a unit ("10ms", "0.5s", "250us", "2p5ms"); illumination from "L3",
 * "level3", "illum0.5" or "irr2". Example: `flat_L03_10ms_a.tif`, `dark_10ms.tif`.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { DimensionError, InsufficientDataError, InvalidArgumentError, LimiqcError } from "../core/errors.js";
import type { ImageView, PixelArray } from "../image/types.js";
import { makeImage } from "../image/types.js";
import { openImageFile } from "../io/tiff-reader.js";
import { writeOmeTiff } from "../io/tiff-writer.js";
import type { CameraSeries } from "../simulate/camera.js";
import type { PhotonTransferLevelInput } from "./photon-transfer.js";

/** Name of the manifest file in a series folder. */
export const CAMERA_MANIFEST_FILE = "manifest.csv";
const TIFF_RE = /\.tiff?$/i;
const MS_PER_S = 1000;
/** Exposures within this relative difference are the same exposure. */
const SAME_EXPOSURE = 1e-6;

/** Kind of frames in a file. */
export type CameraFrameKind = "flat" | "dark" | "dark-series";

/** One file of a series, as described by the manifest or its name. */
export interface CameraSeriesEntry {
  readonly file: string;
  readonly kind: CameraFrameKind;
  readonly exposureS: number;
  readonly illumination: number | null;
  readonly photonsPerPixel: number | null;
}

/** A camera acquisition read from disk. */
export interface CameraSeriesData {
  readonly folder: string;
  /** Manifest path, or null when the file names were read. */
  readonly manifest: string | null;
  readonly entries: readonly CameraSeriesEntry[];
  /** Levels for {@link measurePhotonTransfer}, each with its matching dark frames. */
  readonly levels: readonly PhotonTransferLevelInput[];
  /** Dark time series for {@link measureCameraDarkNoise}, or null. */
  readonly darkSeries: ImageView | null;
  /** Bit depth found in the files (significant bits), when they say. */
  readonly bitDepth: number | null;
  readonly inputs: readonly { readonly file: string; readonly sha256: string }[];
  readonly notes: readonly string[];
}

function parseExposureFromName(name: string): number | null {
  const m = /(\d+(?:[.p]\d+)?)\s*(ms|us|µs|s)(?![a-z])/i.exec(name);
  if (!m) return null;
  const v = Number(m[1].replace("p", "."));
  const unit = m[2].toLowerCase();
  return unit === "ms" ? v / MS_PER_S : unit === "s" ? v : v / 1e6;
}

/**
 * Describes a file from its name (see the module notes).
 * @param name - File name (no folder).
 * @returns The entry, or null when the name says neither dark nor flat.
 * @throws InvalidArgumentError when the kind is found but no exposure.
 */
export function cameraEntryFromName(name: string): CameraSeriesEntry | null {
  const lower = name.toLowerCase();
  let kind: CameraFrameKind | null = null;
  if (/dark[-_ ]?series|darkseries|noise[-_ ]?series/.test(lower)) kind = "dark-series";
  else if (/(^|[^a-z])(dark|bias|offset)([^a-z]|$)/.test(lower)) kind = "dark";
  else if (/(^|[^a-z])(flat|bright|light)([^a-z]|$)/.test(lower)) kind = "flat";
  if (!kind) return null;
  const exposureS = parseExposureFromName(lower.replace(TIFF_RE, ""));
  if (exposureS === null) {
    throw new InvalidArgumentError(`The file name "${name}" says "${kind}" but no exposure time (e.g. "10ms", "0.5s").`, `Put the exposure in the name or describe the files in a ${CAMERA_MANIFEST_FILE}.`);
  }
  const il = /(?:^|[^a-z])(?:l|level|lvl|illum|irr)[-_]?(\d+(?:\.\d+)?)(?![a-z\d])/.exec(lower.replace(TIFF_RE, ""));
  return { file: name, kind, exposureS, illumination: il ? Number(il[1]) : null, photonsPerPixel: null };
}

/**
 * Parses a camera-series manifest (CSV: file, kind, exposure_ms[, illumination][, photons_per_pixel]).
 * @param text - The manifest text.
 * @param where - Its path, for messages.
 * @returns One entry per row.
 * @throws InvalidArgumentError for a missing column, an unknown kind or a bad number (the message gives the line).
 */
export function parseCameraManifest(text: string, where = CAMERA_MANIFEST_FILE): CameraSeriesEntry[] {
  const lines = text.split(/\r\n|\n|\r/);
  let header: string[] | null = null;
  const out: CameraSeriesEntry[] = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    const f = line.split(/[,\t;]/).map((x) => x.trim());
    if (!header) {
      header = f.map((x) => x.toLowerCase());
      for (const need of ["file", "kind", "exposure_ms"]) {
        if (!header.includes(need)) {
          throw new InvalidArgumentError(`${where} line ${i + 1}: the header has no "${need}" column (found ${header.join(", ")}).`, "The header must be: file,kind,exposure_ms[,illumination][,photons_per_pixel].");
        }
      }
      return;
    }
    const h = header;
    const get = (k: string): string => (h.indexOf(k) >= 0 ? (f[h.indexOf(k)] ?? "") : "");
    const kind = get("kind").toLowerCase();
    if (kind !== "flat" && kind !== "dark" && kind !== "dark-series") {
      throw new InvalidArgumentError(`${where} line ${i + 1}: kind "${get("kind")}" is not flat, dark or dark-series.`, "Fix the kind column.");
    }
    const num = (k: string, required: boolean): number | null => {
      const s = get(k);
      if (s === "") {
        if (required) throw new InvalidArgumentError(`${where} line ${i + 1}: "${k}" is empty.`, `Give ${k} for every file.`);
        return null;
      }
      const v = Number(s);
      if (!Number.isFinite(v) || v < 0) throw new InvalidArgumentError(`${where} line ${i + 1}: ${k} "${s}" is not a number ≥ 0.`, `Fix the ${k} column.`);
      return v;
    };
    const file = get("file");
    if (!file) throw new InvalidArgumentError(`${where} line ${i + 1}: the file name is empty.`, "Give the TIFF file name (relative to the folder).");
    out.push({ file, kind, exposureS: (num("exposure_ms", true) as number) / MS_PER_S, illumination: num("illumination", false), photonsPerPixel: num("photons_per_pixel", false) });
  });
  if (!header) throw new InvalidArgumentError(`${where} is empty.`, "Write a header line and one line per file.");
  return out;
}

async function readFrames(path: string): Promise<{ frames: ImageView[]; bitDepth: number | null; sha: string }> {
  const bytes = readFileSync(path);
  const sha = createHash("sha256").update(bytes).digest("hex");
  const img = await openImageFile(path);
  try {
    const m = img.metadata;
    const bitDepth = m.significantBits !== undefined && m.significantBits < m.bitsPerSample ? m.significantBits : null;
    const frames: ImageView[] = [];
    for (let p = 0; p < img.pageCount; p++) {
      const data: PixelArray = await img.readPage(p);
      frames.push(makeImage(data, [1, m.sizeY, m.sizeX], bitDepth !== null ? { bitDepth } : {}));
    }
    return { frames, bitDepth, sha };
  } finally {
    await img.close();
  }
}

function sameExposure(a: number, b: number): boolean {
  return Math.abs(a - b) <= SAME_EXPOSURE * Math.max(Math.abs(a), Math.abs(b), 1e-12);
}

/**
 * Reads a camera photon-transfer acquisition from a folder (or its manifest): every TIFF's pages become frames,
 * grouped into levels with matching dark frames.
 *
 * @param path - The folder, or the path of its manifest.csv.
 * @returns Levels for {@link measurePhotonTransfer}, the dark series, the files with SHA-256, and notes.
 * @throws LimiqcError when the folder or a listed file does not exist.
 * @throws InvalidArgumentError for a bad manifest, or a TIFF whose name says nothing and no manifest.
 * @throws DimensionError when files differ in frame size (the message names both files and sizes).
 * @throws InsufficientDataError when there are no flat files, or a flat exposure has no dark frames.
 *
 * Notes: darks are matched to flats by exposure; with a single dark exposure and flats at that exposure
 * (irradiance series) it serves every level. Files that are not TIFFs are ignored. Frames are all pages of a
 * file (one channel, z or t, in page order).
 * @see {@link parseCameraManifest}, {@link cameraEntryFromName}; EMVA 1288 Release 4.0 §6 (acquisition).
 */
export async function readCameraSeries(path: string): Promise<CameraSeriesData> {
  if (!existsSync(path)) throw new LimiqcError(`${path} does not exist.`, "Pass the folder of the camera series (or its manifest.csv).");
  const isDir = statSync(path).isDirectory();
  const folder = isDir ? path : dirname(path);
  const manifestPath = isDir ? (existsSync(join(folder, CAMERA_MANIFEST_FILE)) ? join(folder, CAMERA_MANIFEST_FILE) : null) : path;
  const notes: string[] = [];
  let entries: CameraSeriesEntry[];
  if (manifestPath) entries = parseCameraManifest(readFileSync(manifestPath, "utf8"), manifestPath);
  else {
    const files = readdirSync(folder)
      .filter((f) => TIFF_RE.test(f))
      .sort();
    entries = [];
    const unknown: string[] = [];
    for (const f of files) {
      const e = cameraEntryFromName(f);
      if (e) entries.push(e);
      else unknown.push(f);
    }
    if (unknown.length) {
      throw new InvalidArgumentError(
        `${unknown.length} TIFF file(s) in ${folder} have names that say neither dark nor flat: ${unknown.slice(0, 5).join(", ")}${unknown.length > 5 ? ", …" : ""}.`,
        `Rename them (e.g. flat_L01_10ms.tif, dark_10ms.tif) or describe them in ${join(folder, CAMERA_MANIFEST_FILE)} (file,kind,exposure_ms).`,
      );
    }
    notes.push(`No ${CAMERA_MANIFEST_FILE}: kinds and exposures were read from the file names.`);
  }
  if (!entries.some((e) => e.kind === "flat")) {
    throw new InsufficientDataError(`No flat (illuminated) files in ${folder}.`, "Add flat-frame files, or check the kind column of the manifest.");
  }
  // read every file
  const frames = new Map<string, ImageView[]>();
  const inputs: { file: string; sha256: string }[] = [];
  let bitDepth: number | null = null;
  let size: { file: string; ny: number; nx: number } | null = null;
  for (const e of entries) {
    const p = join(folder, e.file);
    if (!existsSync(p)) throw new LimiqcError(`${p} (listed in ${manifestPath ?? "the folder"}) does not exist.`, "Fix the file name in the manifest.");
    const r = await readFrames(p);
    const [, ny, nx] = r.frames[0].shape;
    if (size && (size.ny !== ny || size.nx !== nx)) {
      throw new DimensionError(`${e.file} has ${ny} × ${nx} px frames but ${size.file} has ${size.ny} × ${size.nx} px.`, "Acquire every file with the same ROI and binning.");
    }
    size ??= { file: e.file, ny, nx };
    if (r.bitDepth !== null) bitDepth = r.bitDepth;
    frames.set(e.file, r.frames);
    inputs.push({ file: p, sha256: r.sha });
  }
  // group: darks by exposure, flats by (exposure, illumination, photons)
  const darkGroups: { exposureS: number; frames: ImageView[] }[] = [];
  const flatGroups: { exposureS: number; illumination: number | null; photons: number | null; frames: ImageView[]; files: string[] }[] = [];
  const series: ImageView[] = [];
  for (const e of entries) {
    const fr = frames.get(e.file) as ImageView[];
    if (e.kind === "dark-series") series.push(...fr);
    else if (e.kind === "dark") {
      const g = darkGroups.find((d) => sameExposure(d.exposureS, e.exposureS));
      if (g) g.frames.push(...fr);
      else darkGroups.push({ exposureS: e.exposureS, frames: [...fr] });
    } else {
      const g = flatGroups.find((d) => sameExposure(d.exposureS, e.exposureS) && d.illumination === e.illumination && d.photons === e.photonsPerPixel);
      if (g) {
        g.frames.push(...fr);
        g.files.push(e.file);
      } else flatGroups.push({ exposureS: e.exposureS, illumination: e.illumination, photons: e.photonsPerPixel, frames: [...fr], files: [e.file] });
    }
  }
  if (darkGroups.length === 0 && series.length >= 2) {
    darkGroups.push({ exposureS: entries.find((e) => e.kind === "dark-series")!.exposureS, frames: series });
    notes.push("No dark files: the dark series serves as the dark frames.");
  }
  const levels: PhotonTransferLevelInput[] = flatGroups.map((g) => {
    const d = darkGroups.find((x) => sameExposure(x.exposureS, g.exposureS));
    if (!d) {
      throw new InsufficientDataError(
        `No dark frames at ${g.exposureS * MS_PER_S} ms for ${g.files.join(", ")} (dark exposures: ${darkGroups.map((x) => `${x.exposureS * MS_PER_S} ms`).join(", ") || "none"}).`,
        "Acquire a pair of dark frames at every exposure of the flats (lens cap on).",
      );
    }
    return {
      exposureS: g.exposureS,
      ...(g.photons !== null ? { photonsPerPixel: g.photons } : {}),
      ...(g.illumination !== null ? { relativeIllumination: g.illumination } : {}),
      flat: g.frames,
      dark: d.frames,
      label: g.files.length === 1 ? g.files[0] : `${g.files[0]} (+${g.files.length - 1})`,
    };
  });
  let darkSeries: ImageView | null = null;
  if (series.length >= 2) {
    const [, ny, nx] = series[0].shape;
    const n = ny * nx;
    const Ctor = series[0].data.constructor as new (len: number) => PixelArray;
    const data = new Ctor(n * series.length);
    series.forEach((f, k) => {
      data.set(f.data as never, k * n);
    });
    darkSeries = makeImage(data, [series.length, ny, nx], bitDepth !== null ? { bitDepth } : {});
  }
  return { folder, manifest: manifestPath, entries, levels, darkSeries, bitDepth, inputs, notes };
}

/**
 * Writes a simulated camera series as a folder of OME-TIFFs with a manifest.csv (the bundled sample's layout):
 * `flat_L<i>_<t>ms.ome.tif` (the level's flat pair), `dark_<t>ms.ome.tif` (its dark pair) and
 * `dark_series.ome.tif`.
 *
 * @param folder - Target folder (created; existing files are not overwritten).
 * @param series - From {@link simulateCameraSeries}.
 * @param manifestPath - Where to write the manifest. @default folder/manifest.csv
 * @param overwrite - Replace existing TIFFs of the same names. @default false
 * @returns The manifest path.
 * @throws InvalidArgumentError when a target file exists and overwrite is false.
 */
export async function writeCameraSeries(folder: string, series: CameraSeries, manifestPath: string = join(folder, CAMERA_MANIFEST_FILE), overwrite = false): Promise<string> {
  await mkdir(folder, { recursive: true });
  const rows = ["# limiqc camera photon-transfer series (EMVA 1288): one line per file; kinds flat, dark, dark-series", "file,kind,exposure_ms,illumination,photons_per_pixel"];
  const stack = (fr: readonly ImageView[]): ImageView => {
    const [, ny, nx] = fr[0].shape;
    const n = ny * nx;
    const data = new Uint16Array(n * fr.length);
    fr.forEach((f, k) => {
      data.set(f.data as ArrayLike<number>, k * n);
    });
    return makeImage(data, [fr.length, ny, nx], fr[0].bitDepth !== undefined ? { bitDepth: fr[0].bitDepth } : {});
  };
  const ms = (t: number): string => {
    const v = Math.round(t * MS_PER_S * 1000) / 1000;
    return String(v).replace(".", "p");
  };
  const writtenDarks = new Set<string>();
  for (let i = 0; i < series.levels.length; i++) {
    const lv = series.levels[i];
    const flatName = `flat_L${String(i + 1).padStart(2, "0")}_${ms(lv.exposureS)}ms.ome.tif`;
    await writeOmeTiff(join(folder, flatName), stack(lv.flat), { overwrite });
    rows.push(`${flatName},flat,${lv.exposureS * MS_PER_S},,${lv.photonsPerPixel}`);
    const darkName = `dark_${ms(lv.exposureS)}ms.ome.tif`;
    if (!writtenDarks.has(darkName)) {
      await writeOmeTiff(join(folder, darkName), stack(lv.dark), { overwrite });
      rows.push(`${darkName},dark,${lv.exposureS * MS_PER_S},,`);
      writtenDarks.add(darkName);
    }
  }
  if (series.darkSeries) {
    await writeOmeTiff(join(folder, "dark_series.ome.tif"), series.darkSeries, { overwrite });
    rows.push(`dark_series.ome.tif,dark-series,${series.truth.exposureS * MS_PER_S},,`);
  }
  await writeFile(manifestPath, `${rows.join("\n")}\n`);
  return manifestPath;
}

