/**
 * WG10 image quality over a folder: one record per image, a summary table, relative focus rating and plots.
 * @module
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { InvalidArgumentError, LimiqcError } from "../core/errors.js";
import { makeProvenance, type Provenance } from "../core/provenance.js";
import type { Verdict, VerdictLevel } from "../core/quantity.js";
import { median, mad } from "../fit/robust.js";
import { openImageFile } from "../io/tiff-reader.js";
import { type PlotlyFigure, scatterPlot } from "../notebook/plotly.js";
import { sha256File } from "../core/provenance.js";
import { type ImageQualityOptions, type ImageQualityResult, assessImageQuality, finishChannel } from "./metrics.js";
import { isTiffPath } from "../io/tiff-path.js";

/** Robust z of the log focus score below which an image is "warn" / "fail" in a batch. */
const FOCUS_WARN_Z = -2;
const FOCUS_FAIL_Z = -3.5;

/** One image of a batch. */
export interface BatchImageQuality {
  readonly file: string;
  readonly sha256: string;
  readonly result: ImageQualityResult;
}

/** One row of the batch summary table (worst channel per image). */
export interface QualitySummaryRow {
  readonly file: string;
  readonly channels: number;
  readonly saturatedPercent: number;
  readonly effectiveBits: number;
  readonly snr: number;
  readonly focusScore: number;
  /** Decorrelation resolution (µm, px when uncalibrated) of channel 0, or null. */
  readonly resolution: number | null;
  readonly score: number;
  readonly level: VerdictLevel;
  readonly reason: string;
}

/** Result of {@link assessImageQualityFolder}. */
export interface QualityBatchResult {
  readonly folder: string;
  readonly images: readonly BatchImageQuality[];
  readonly table: readonly QualitySummaryRow[];
  /** Files that could not be read, with the reason. */
  readonly rejected: readonly { readonly file: string; readonly reason: string }[];
  readonly counts: Readonly<Record<VerdictLevel, number>>;
  readonly verdict: Verdict;
  readonly provenance: Provenance;
}

/**
 * Image quality of one image file: every channel at time point 0, with the file's SHA-256 in the provenance.
 * @param path - TIFF / OME-TIFF / ImageJ TIFF file.
 * @param options - As {@link assessImageQuality}.
 * @returns The ImageQualityResult, provenance fn "assessImageQualityFile" with the input file and its SHA-256.
 * @throws CorruptFileError / UnsupportedFormatError from the reader; errors of {@link assessImageQuality}.
 * Notes: the record is what the WG12 analysis checklist reads (`analysisChecklist(record)`): settings, version and
 * the input hash are answered from its provenance.
 * @see Schmied C. et al., Nat Methods 21:170 (2024) (analysis reproducibility); Immerkær J. (1996).
 * @example (await assessImageQualityFile(file)).provenance.inputs[0].sha256.length; // 64
 */
export async function assessImageQualityFile(path: string, options: ImageQualityOptions = {}): Promise<ImageQualityResult> {
  const f = await openImageFile(path);
  let r: ImageQualityResult;
  try {
    const mc = await f.readChannels(0);
    r = assessImageQuality(mc.channels, options);
  } finally {
    await f.close();
  }
  const digest = await sha256File(path);
  return { ...r, provenance: makeProvenance("assessImageQualityFile", r.options, [{ file: path, sha256: digest }], r.provenance.notes) };
}

/**
 * Image quality of every TIFF in a folder (not recursive), each channel at time point 0.
 * @param folder - Folder with .tif/.tiff files.
 * @param options - As {@link assessImageQuality}; `optics` applies to all images.
 * @returns Per-image records, a summary table (sorted worst first), rejected files and counts.
 * @throws InvalidArgumentError when the folder does not exist or holds no TIFF.
 * Notes: the focus score is rated relative to the batch: robust z of log(focus) vs the batch median (MAD scale);
 * z < −2 "warn", z < −3.5 "fail" (needs ≥ 4 images). Unreadable files go to `rejected`, they do not stop the batch.
 */
export async function assessImageQualityFolder(folder: string, options: ImageQualityOptions = {}): Promise<QualityBatchResult> {
  let names: string[];
  try {
    if (!statSync(folder).isDirectory()) throw new Error("not a folder");
    names = readdirSync(folder).filter((n) => isTiffPath(n)).sort();
  } catch {
    throw new InvalidArgumentError(`${folder} is not a readable folder.`, "Give the folder that holds the TIFF/OME-TIFF images.");
  }
  if (names.length === 0) throw new InvalidArgumentError(`${folder} holds no .tif/.tiff file.`, "Export the images as TIFF/OME-TIFF first (Fiji or bfconvert).");
  const images: BatchImageQuality[] = [];
  const rejected: { file: string; reason: string }[] = [];
  for (const name of names) {
    const file = join(folder, name);
    try {
      const result = await assessImageQualityFile(file, options);
      images.push({ file, sha256: result.provenance.inputs[0].sha256, result });
    } catch (e) {
      if (!(e instanceof LimiqcError)) throw e;
      rejected.push({ file, reason: e.message.split("\n")[0] });
    }
  }
  rateFocusInBatch(images);
  const table = images
    .map((im): QualitySummaryRow => {
      const ch = im.result.channels;
      return {
        file: im.file,
        channels: ch.length,
        saturatedPercent: Math.max(...ch.map((c) => c.saturatedPercent.value)),
        effectiveBits: Math.min(...ch.map((c) => c.effectiveBits.value)),
        snr: Math.min(...ch.map((c) => c.snr.value)),
        focusScore: Math.min(...ch.map((c) => c.focusScore.value)),
        resolution: ch[0].resolution?.value ?? null,
        score: im.result.score,
        level: im.result.verdict.level,
        reason: im.result.verdict.reason,
      };
    })
    .sort((a, b) => a.score - b.score);
  const counts = { pass: 0, warn: 0, fail: 0 };
  for (const r of table) counts[r.level]++;
  const level: VerdictLevel = counts.fail > 0 ? "fail" : counts.warn > 0 ? "warn" : "pass";
  return {
    folder,
    images,
    table,
    rejected,
    counts,
    verdict: { level, reason: `${images.length} image(s): ${counts.pass} pass, ${counts.warn} warn, ${counts.fail} fail${rejected.length ? `; ${rejected.length} unreadable` : ""}.${table[0] && table[0].level !== "pass" ? ` Worst: ${table[0].file} — ${table[0].reason}` : ""}` },
    provenance: makeProvenance("assessImageQualityFolder", { folder, ...options }, images.map((i) => ({ file: i.file, sha256: i.sha256 }))),
  };
}

function rateFocusInBatch(images: BatchImageQuality[]): void {
  const logs: number[] = [];
  for (const im of images) for (const c of im.result.channels) logs.push(Math.log(c.focusScore.value + 1e-12));
  if (logs.length < 4) return;
  const m = median(logs);
  const s = mad(logs, { scaled: true });
  if (!(s > 0)) return;
  for (let i = 0; i < images.length; i++) {
    const im = images[i];
    const channels = im.result.channels.map((c) => {
      const z = (Math.log(c.focusScore.value + 1e-12) - m) / s;
      const level: VerdictLevel = z < FOCUS_FAIL_Z ? "fail" : z < FOCUS_WARN_Z ? "warn" : "pass";
      const checks = c.checks.map((k) =>
        k.criterion === "focus" ? { ...k, level, reason: `Focus score ${c.focusScore.value.toPrecision(3)} is ${z.toFixed(1)} robust SD from the batch median${level !== "pass" ? ": out of focus compared with the other images" : ""}.` } : k,
      );
      return finishChannel({ ...c, checks });
    });
    let worst = channels[0];
    const rank = { pass: 0, warn: 1, fail: 2 };
    for (const c of channels) if (rank[c.verdict.level] > rank[worst.verdict.level]) worst = c;
    images[i] = { ...im, result: { ...im.result, channels, score: channels.reduce((a, c) => a + c.score, 0) / channels.length, verdict: worst.verdict } };
  }
}

/**
 * Plots of a batch: SNR vs saturation per image, and the focus score per image.
 * @param batch - Result of assessImageQualityFolder.
 * @returns Two plotly figures.
 */
export function imageQualityPlots(batch: QualityBatchResult): PlotlyFigure[] {
  const rows = [...batch.table].sort((a, b) => a.file.localeCompare(b.file));
  const idx = rows.map((_, i) => i);
  return [
    scatterPlot({ x: rows.map((r) => r.saturatedPercent), y: rows.map((r) => r.snr), name: "images" }, { title: "SNR vs saturated pixels (one point per image)", xLabel: "saturated pixels", xUnit: "%", yLabel: "SNR" }),
    scatterPlot({ x: idx, y: rows.map((r) => r.focusScore), name: "focus" }, { title: "Focus score per image (file order)", xLabel: "image index", yLabel: "focus score" }),
  ];
}
