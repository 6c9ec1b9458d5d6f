/**
 * One call for a stage repeatability image series (bead localisation + repeatability), and a reader for position
 * tables written by stage macros.
 */
import { InvalidArgumentError } from "../core/errors.js";
import { type Provenance, makeProvenance } from "../core/provenance.js";
import type { Verdict } from "../core/quantity.js";
import type { ImageView } from "../image/types.js";
import type { DriftPositionInput } from "./drift.js";
import { type BeadLocalisationOptions, type BeadSeriesLocalisation, localiseBeadSeries } from "./localise.js";
import {
  STAGE_ROUND_ORDER,
  type StageCaptureInput,
  type StageMoveDirection,
  type StageRepeatabilityOptions,
  type StageRepeatabilityResult,
  measureStageRepeatability,
  stageProtocolOrder,
} from "./repeatability.js";

/** Options of {@link analyseStageSeries}. */
export interface StageSeriesAnalysisOptions extends BeadLocalisationOptions, StageRepeatabilityOptions {
  /** Move sizes in acquisition order (QUAREP: 300 and 3000 µm). @default [300, 3000] */
  readonly moveSizesUm?: readonly number[];
  /** Move size and direction of every frame, when the series does not follow the QUAREP order. @default the QUAREP order */
  readonly order?: readonly { readonly moveSizeUm: number; readonly direction: StageMoveDirection }[];
  /** Capture times, s (for detrend "linear"). @default none */
  readonly timesS?: readonly number[];
}

/** Result record of {@link analyseStageSeries}. */
export interface StageSeriesResult {
  readonly localisation: BeadSeriesLocalisation;
  readonly repeatability: StageRepeatabilityResult;
  readonly verdict: Verdict;
  readonly provenance: Provenance;
}

/**
 * Stage repeatability from an image series of one bead (QUAREP-LiMi WG6): localises the bead in every frame
 * (excluding frames where it is lost, with the reason) and computes the repeatability statistics.
 *
 * @param stack - Captures as the first axis, shape [captures, ny, nx], with the pixel size (or pass pixelSizeUm).
 * @param options - Localisation, move sizes / order, times, detrending, limits; see {@link StageSeriesAnalysisOptions}.
 * @returns Positions per frame, the repeatability result, its verdict and provenance.
 * @throws InvalidArgumentError when the pixel size is missing or the order/times do not match the frames.
 * @throws DimensionError when the frame count does not fit the QUAREP order.
 * @throws InsufficientDataError when a move size keeps fewer than 3 usable captures.
 * @see localiseBeadSeries; measureStageRepeatability; stageProtocolOrder.
 */
export function analyseStageSeries(stack: ImageView, options: StageSeriesAnalysisOptions = {}): StageSeriesResult {
  const n = stack.shape[0];
  const order = options.order ?? stageProtocolOrder(n, options.moveSizesUm ?? [300, 3000]);
  if (order.length !== n) throw new InvalidArgumentError(`The order lists ${order.length} captures but the series has ${n} frames.`, "Give one entry (move size, direction) per frame.");
  if (options.timesS && options.timesS.length !== n) throw new InvalidArgumentError(`${options.timesS.length} times for ${n} frames.`, "Give one time per frame.");
  const loc = localiseBeadSeries(stack, options);
  if (loc.pixelSizeUm === null) {
    throw new InvalidArgumentError("The series carries no pixel size, so positions cannot be converted to µm.", "Pass pixelSizeUm (the camera pixel size at the sample), or save the series as OME-TIFF with calibration.");
  }
  const captures: StageCaptureInput[] = loc.positions.map((p, i) => ({
    index: i,
    moveSizeUm: order[i].moveSizeUm,
    direction: order[i].direction,
    ...(options.timesS ? { timeS: options.timesS[i] } : {}),
    xUm: p.xUm,
    yUm: p.yUm,
    excludedReason: p.reason,
  }));
  const repeatability = measureStageRepeatability(captures, options);
  return {
    localisation: loc,
    repeatability,
    verdict: repeatability.verdict,
    provenance: makeProvenance("analyseStageSeries", { method: loc.method, ...loc.options, pixelSizeUm: loc.pixelSizeUm, moveSizesUm: options.moveSizesUm ?? [300, 3000], detrend: options.detrend ?? "none" }, [], [
      ...loc.excluded.map((e) => `Frame ${e.frame} excluded: ${e.reason}.`),
      ...repeatability.provenance.notes,
    ]),
  };
}

const DIRECTION_CODES: Readonly<Record<string, StageMoveDirection>> = { "0": "centre", "1": "N", "2": "E", "3": "S", "4": "W", c: "centre", centre: "centre", center: "centre", n: "N", e: "E", s: "S", w: "W" };

/**
 * Parses a table of measured positions (e.g. exported from a stage macro or another localisation tool):
 * CSV/TSV with columns `size_um` (move size), `direction` (0–4 or centre/N/E/S/W), `x_um`, `y_um`, optional
 * `time_s` and `index`. Empty x/y mark an excluded capture.
 *
 * @param text - The table.
 * @returns Captures for {@link measureStageRepeatability}.
 * @throws InvalidArgumentError for a missing column or an unreadable value (the message names the line).
 * @see QUAREP-LiMi WG6 macro (direction codes 0 centre, 1 N, 2 E, 3 S, 4 W).
 */
export function parseStagePositions(text: string): StageCaptureInput[] {
  const lines = text.split(/\r\n|\n|\r/);
  let header: string[] | null = null;
  const out: StageCaptureInput[] = [];
  lines.forEach((raw, li) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    const f = line.split(/[\t,;]/).map((x) => x.trim());
    if (!header) {
      header = f.map((x) => x.toLowerCase());
      for (const need of ["size_um", "direction", "x_um", "y_um"]) {
        if (!header.includes(need)) throw new InvalidArgumentError(`Position table line ${li + 1}: no "${need}" column (found ${header.join(", ")}).`, "Columns: size_um, direction, x_um, y_um[, time_s][, index].");
      }
      return;
    }
    const h = header;
    const get = (k: string): string => (h.indexOf(k) >= 0 ? (f[h.indexOf(k)] ?? "") : "");
    const num = (k: string, allowEmpty: boolean): number | null => {
      const s = get(k);
      if (s === "" && allowEmpty) return null;
      const v = Number(s);
      if (s === "" || !Number.isFinite(v)) throw new InvalidArgumentError(`Position table line ${li + 1}: ${k} "${s}" is not a number.`, `Fix the ${k} column.`);
      return v;
    };
    const dir = DIRECTION_CODES[get("direction").toLowerCase()];
    if (!dir) throw new InvalidArgumentError(`Position table line ${li + 1}: direction "${get("direction")}" is not 0–4 or ${STAGE_ROUND_ORDER.join("/")}.`, "Use the QUAREP codes: 0 centre, 1 N, 2 E, 3 S, 4 W.");
    const x = num("x_um", true);
    const y = num("y_um", true);
    const t = h.includes("time_s") ? num("time_s", true) : null;
    out.push({
      index: h.includes("index") ? (num("index", false) as number) : out.length,
      moveSizeUm: num("size_um", false) as number,
      direction: dir,
      ...(t !== null ? { timeS: t } : {}),
      xUm: x,
      yUm: y,
      ...(x === null || y === null ? { excludedReason: "no position in the table" } : {}),
    });
  });
  return out;
}

/**
 * Parses a drift table: CSV/TSV with columns `time_s`, `x_um`, `y_um` and optional `z_um`; empty positions mark an
 * excluded time point.
 *
 * @param text - The table.
 * @returns Inputs for {@link measureStageDrift}.
 * @throws InvalidArgumentError for a missing column or an unreadable value (the message names the line).
 */
export function parseDriftPositions(text: string): DriftPositionInput[] {
  let header: string[] | null = null;
  const out: DriftPositionInput[] = [];
  text.split(/\r\n|\n|\r/).forEach((raw, li) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    const f = line.split(/[\t,;]/).map((x) => x.trim());
    if (!header) {
      header = f.map((x) => x.toLowerCase());
      for (const need of ["time_s", "x_um", "y_um"]) {
        if (!header.includes(need)) throw new InvalidArgumentError(`Drift table line ${li + 1}: no "${need}" column (found ${header.join(", ")}).`, "Columns: time_s, x_um, y_um[, z_um].");
      }
      return;
    }
    const h = header;
    const num = (k: string): number | null => {
      const s = h.indexOf(k) >= 0 ? (f[h.indexOf(k)] ?? "") : "";
      if (s === "") return null;
      const v = Number(s);
      if (!Number.isFinite(v)) throw new InvalidArgumentError(`Drift table line ${li + 1}: ${k} "${s}" is not a number.`, `Fix the ${k} column.`);
      return v;
    };
    const t = num("time_s");
    if (t === null) throw new InvalidArgumentError(`Drift table line ${li + 1}: time_s is empty.`, "Give the time of every row.");
    const x = num("x_um");
    const y = num("y_um");
    out.push({ timeS: t, xUm: x, yUm: y, ...(h.includes("z_um") ? { zUm: num("z_um") } : {}), ...(x === null || y === null ? { excludedReason: "no position in the table" } : {}) });
  });
  return out;
}
