/**
 * Stage repeatability of a file, whichever form the acquisition left: an image series of one bead (TIFF) or a table of
 * stage positions (CSV), with the file's SHA-256 in the provenance.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { InvalidArgumentError } from "../core/errors.js";
import { sha256File } from "../core/provenance.js";
import { readPlaneSeries } from "../io/series.js";
import { analyseStageSeries, parseStagePositions, type StageSeriesAnalysisOptions, type StageSeriesResult } from "./analyse.js";
import { measureStageRepeatability, type StageRepeatabilityResult } from "./repeatability.js";
import { isTiffPath } from "../io/tiff-path.js";

/**
 * Measures stage repeatability from a file: a TIFF is read as an image series (a time-lapse, or captures saved as Z)
 * and the bead localised in every capture ({@link analyseStageSeries}); any other file is read as a position table
 * ({@link parseStagePositions}, {@link measureStageRepeatability}).
 *
 * @param path - Image series (TIFF / OME-TIFF / ImageJ TIFF) or position table (CSV).
 * @param options - As {@link analyseStageSeries}; a position table uses only `detrend` and `limits` (its rows carry
 *   move size and direction).
 * @returns The series result (TIFF) or the repeatability result (table); `provenance.inputs` names the file and its
 *   SHA-256.
 * @throws InvalidArgumentError when the file does not exist; CorruptFileError, UnsupportedFormatError as the image reader; the analysis errors as
 *   {@link analyseStageSeries} / {@link measureStageRepeatability}.
 * @example
 * const r = await measureStageRepeatabilityFile("stage-series.ome.tif", { method: "gaussian" });
 * ("localisation" in r ? r.repeatability : r).checks;
 */
export async function measureStageRepeatabilityFile(path: string, options: StageSeriesAnalysisOptions = {}): Promise<StageSeriesResult | StageRepeatabilityResult> {
  if (!existsSync(path)) throw new InvalidArgumentError(`${path} does not exist.`, "Give the stage image series (TIFF) or position table (CSV).");
  const inputs = [{ file: path, sha256: await sha256File(path) }];
  if (isTiffPath(path)) {
    const r = analyseStageSeries(await readPlaneSeries(path), options);
    return { ...r, provenance: { ...r.provenance, inputs } };
  }
  const r = measureStageRepeatability(parseStagePositions(await readFile(path, "utf8")), {
    ...(options.detrend !== undefined ? { detrend: options.detrend } : {}),
    ...(options.limits !== undefined ? { limits: options.limits } : {}),
  });
  return { ...r, provenance: { ...r.provenance, inputs } };
}
