/**
 * Light-source power logs in the SmartLPM layout (QUAREP-LiMi WG1), with planted stability, drift, warm-up,
 * mode hops and non-linearity.
 *
 * Noise-free power of wavelength λ at setting s and time t:
 *   P(t) = P_max,λ·(s/100)^γ · (1 − a·e^{−(t − t_on)/τ}) · (1 + d·(t − t_on)/(100·3600 s)) · Π_hops(1 + h/100),
 * with t_on the start of that wavelength's first block (the source is switched on then), a the warm-up deficit,
 * d the drift in %/h and h the mode-hop steps active at t. A reading is P(t)·(1 + N(0, noise/100)).
 */
import { InvalidArgumentError } from "../core/errors.js";
import { Random } from "../core/random.js";
import { requireFinite, requireInteger, requireNonNegative, requirePositive } from "./validate.js";

const SECONDS_PER_HOUR = 3600;
const MS_PER_S = 1000;
/** SmartLPM header, column for column. */
export const SMARTLPM_COLUMNS: readonly string[] = ["timestamp", "wavelength[nm]", "setting[%]", "power[mW]", "temperature[C]"];
/** SmartLPM files end lines with CR LF. */
const SMARTLPM_EOL = "\r\n";

/** A step change of output power at a planted time. */
export interface ModeHop {
  /** Time from the start of the log, s. */
  readonly timeS: number;
  /** Relative step, % (persists for the rest of the log). */
  readonly stepPercent: number;
  /** Wavelength affected, nm. @default every wavelength */
  readonly wavelengthNm?: number;
}

/** Optional temperature column. */
export interface TemperatureOptions {
  /** Temperature at the start, °C. @default 22 */
  readonly startC?: number;
  /** Linear drift, °C/h. @default 0.5 */
  readonly driftCPerH?: number;
  /** Reading noise SD, °C. @default 0.02 */
  readonly noiseC?: number;
}

/** Options of {@link simulatePowerLog}. */
export interface PowerLogOptions {
  /** Wavelengths measured, nm. @default [405, 488, 561, 640] */
  readonly wavelengthsNm?: readonly number[];
  /** Set points, %. @default [80] (short-term stability) */
  readonly settingsPercent?: readonly number[];
  /** Power at 100 % per wavelength, mW (one value for all, or one per wavelength). @default [5, 10, 8, 12] cycled */
  readonly maxPowerMw?: number | readonly number[];
  /** Non-linearity exponent γ in P ∝ (s/100)^γ (1 = linear). @default 1 */
  readonly nonlinearityExponent?: number;
  /** Steady measurement time per block, s. @default 300 */
  readonly blockDurationS?: number;
  /** Sampling interval, s (SmartLPM readoutInterval). @default 1 */
  readonly intervalS?: number;
  /** Extra time per reading (meter read-out), ms; real logs step by ~1.002 s. @default 2 */
  readonly readoutOverheadMs?: number;
  /** Light-off pause before each block, s (SmartLPM signaturePause). @default 2 */
  readonly pauseS?: number;
  /** Loop order: "LP" = each wavelength through all set points; "PL" = each set point through all wavelengths. @default "LP" */
  readonly order?: "LP" | "PL";
  /** Repeats of the whole sequence (long-term interleaved logs). @default 1 */
  readonly cycles?: number;
  /** Reading-to-reading noise, % of the power (SD). @default 0.2 */
  readonly noisePercent?: number;
  /** Linear drift, % of nominal power per hour. @default 0 */
  readonly driftPercentPerH?: number;
  /** Warm-up deficit at switch-on, % (power rises from (1 − a)·P). @default 0 */
  readonly warmupPercent?: number;
  /** Warm-up time constant τ, s. @default 120 */
  readonly warmupTimeConstantS?: number;
  /** Mode hops. @default [] */
  readonly modeHops?: readonly ModeHop[];
  /** Mean dark reading of the meter (light off), mW. @default 2e-7 */
  readonly darkReadingMw?: number;
  /** Emit one partial-power reading at each block's start and end (shutter/AOTF switching during integration). @default true */
  readonly transitions?: boolean;
  /** Temperature column; false for none. @default false */
  readonly temperature?: TemperatureOptions | false;
  /** Wall-clock time of the first reading, "YYYY-MM-DD HH:MM:SS(.mmm)". @default "2025-01-06 09:00:00.000" */
  readonly startTime?: string;
  /** Random seed. @default 1 */
  readonly seed?: number;
}

/** One reading, as SmartLPM logs it. */
export interface PowerLogRow {
  /** Local wall-clock time "YYYY-MM-DD HH:MM:SS.mmm". */
  readonly timestamp: string;
  /** Time from the first reading, s. */
  readonly timeS: number;
  readonly wavelengthNm: number;
  readonly settingPercent: number;
  readonly powerMw: number;
  /** Temperature, °C; null when the log has no temperature. */
  readonly temperatureC: number | null;
}

/** Summary statistics of a set of readings (population SD, as the QUAREP Tool-Kit computes them). */
export interface PowerStats {
  readonly n: number;
  readonly meanMw: number;
  readonly sdMw: number;
  readonly minMw: number;
  readonly maxMw: number;
  /** S = 100·(1 − (P_max − P_min)/(P_max + P_min)), %. */
  readonly stabilityPercent: number;
  /** CV = 100·SD/mean (population SD), %. */
  readonly cvPercent: number;
  /** OLS slope of power against time, mW/h. */
  readonly slopeMwPerH: number;
  /** The slope relative to the mean, %/h. */
  readonly slopePercentPerH: number;
}

/** Truth of one steady block (one wavelength × set point, transitions excluded). */
export interface PowerBlockTruth {
  readonly index: number;
  readonly cycle: number;
  readonly wavelengthNm: number;
  readonly settingPercent: number;
  /** First steady row (index into rows). */
  readonly startRow: number;
  /** One past the last steady row. */
  readonly endRow: number;
  readonly startTimeS: number;
  readonly endTimeS: number;
  /** P_max·(s/100)^γ: the set point's power without warm-up, drift or hops, mW. */
  readonly nominalPowerMw: number;
  /** Generating parameters. */
  readonly driftPercentPerH: number;
  readonly warmupPercent: number;
  readonly warmupTimeConstantS: number;
  readonly noisePercent: number;
  /** Mode hops that occur inside the block. */
  readonly modeHops: readonly ModeHop[];
  /** Statistics of the noise-free power at the sample times. */
  readonly noiseFree: PowerStats;
  /** Statistics of the generated readings (what a measurement of this block must reproduce exactly). */
  readonly sampled: PowerStats;
}

/** Result of {@link simulatePowerLog}. */
export interface PowerLog {
  readonly rows: readonly PowerLogRow[];
  readonly truth: {
    readonly blocks: readonly PowerBlockTruth[];
    /** Per wavelength: P = maxPowerMw·(s/100)^exponent. */
    readonly sources: readonly { readonly wavelengthNm: number; readonly maxPowerMw: number; readonly exponent: number; readonly switchOnTimeS: number }[];
    readonly modeHops: readonly ModeHop[];
    readonly intervalS: number;
    readonly seed: number;
  };
}

/**
 * Computes power statistics as the QUAREP Tool-Kit does (population SD) plus an OLS time slope.
 *
 * @param timesS - Sample times, s.
 * @param powersMw - Readings, mW (same length ≥ 1).
 * @returns n, mean, SD, min, max, S, CV and slope.
 * @throws InvalidArgumentError when the lengths differ, the input is empty, or the mean power is not positive.
 *
 * Notes: population SD (numpy default, as the Tool-Kit); microscope-metrics uses the sample SD.
 * @example
 * powerStats([0, 1, 2], [1, 2, 3]).stabilityPercent; // → 100·(1 − 2/4) = 50
 * @see QUAREP-LiMi-Tool-Kit pageLightSourceResults (S, CV); microscope-metrics light_source_power.
 */
export function powerStats(timesS: readonly number[], powersMw: readonly number[]): PowerStats {
  const n = powersMw.length;
  if (n === 0 || timesS.length !== n) {
    throw new InvalidArgumentError(`powerStats got ${timesS.length} times and ${n} readings; expected the same non-zero count.`, "Pass one time per reading.");
  }
  let s = 0;
  let mn = Number.POSITIVE_INFINITY;
  let mx = Number.NEGATIVE_INFINITY;
  let st = 0;
  for (let i = 0; i < n; i++) {
    s += powersMw[i];
    st += timesS[i];
    if (powersMw[i] < mn) mn = powersMw[i];
    if (powersMw[i] > mx) mx = powersMw[i];
  }
  const mean = s / n;
  if (!(mean > 0)) {
    throw new InvalidArgumentError(`Mean power is ${mean} mW; stability needs a positive power.`, "Check that the block contains light-on readings.");
  }
  const tMean = st / n;
  let v = 0;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    const d = powersMw[i] - mean;
    const dt = timesS[i] - tMean;
    v += d * d;
    sxy += dt * d;
    sxx += dt * dt;
  }
  const sd = Math.sqrt(v / n);
  const slopePerS = sxx > 0 ? sxy / sxx : 0;
  return {
    n,
    meanMw: mean,
    sdMw: sd,
    minMw: mn,
    maxMw: mx,
    stabilityPercent: 100 * (1 - (mx - mn) / (mx + mn)),
    cvPercent: (100 * sd) / mean,
    slopeMwPerH: slopePerS * SECONDS_PER_HOUR,
    slopePercentPerH: (100 * slopePerS * SECONDS_PER_HOUR) / mean,
  };
}

function parseStartTime(s: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/.exec(s);
  if (!m) {
    throw new InvalidArgumentError(`startTime "${s}" is not "YYYY-MM-DD HH:MM:SS(.mmm)".`, "Write the start time like SmartLPM does, e.g. \"2024-11-08 17:27:32.678\".");
  }
  const ms = m[7] ? Number(m[7].padEnd(3, "0")) : 0;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms);
}

function formatTimestamp(epochMs: number): string {
  const d = new Date(Math.round(epochMs));
  const p2 = (v: number): string => String(v).padStart(2, "0");
  return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, "0")}`;
}

/**
 * Simulates a SmartLPM power log: per cycle, blocks of (wavelength × set point) in the chosen order, each preceded
 * by a light-off pause, with optional partial-power transition readings at both ends.
 *
 * @param options - Sequence (wavelengths, set points, order, cycles, durations), source model (power, γ, noise,
 *   drift, warm-up, mode hops), meter dark reading, temperature, start time, seed.
 * @returns `{ rows, truth }`: the readings and, per steady block, its rows, generating parameters, and the exact
 *   statistics (S, CV, slope) of both the noise-free power and the generated readings.
 * @throws InvalidArgumentError for empty sequences, non-positive durations or powers, or a malformed start time.
 *
 * Notes: pause readings carry the upcoming block's wavelength and set point (as in SmartLPM logs, where only the
 * power column shows the light is off). Transition readings are a random fraction (5–95 %) of the power.
 * `truth.blocks[i].sampled` is computed from exactly the steady rows, so an analysis that finds the same block must
 * reproduce it to rounding; `noiseFree` and the generating parameters say what the source really did.
 * @example
 * const { rows, truth } = simulatePowerLog({ wavelengthsNm: [488], blockDurationS: 60, seed: 1 });
 * // truth.blocks[0].endRow - truth.blocks[0].startRow → 60
 * @see QUAREP-LiMi WG1 protocol (protocols.io b68prhvn); QUAREP-LiMi/SmartLPM; peers.md F22.
 */
export function simulatePowerLog(options: PowerLogOptions = {}): PowerLog {
  const wavelengths = options.wavelengthsNm ?? [405, 488, 561, 640];
  const settings = options.settingsPercent ?? [80];
  if (wavelengths.length === 0 || settings.length === 0) {
    throw new InvalidArgumentError(
      `The log needs at least one wavelength and one set point (got ${wavelengths.length} and ${settings.length}).`,
      "Pass wavelengthsNm and settingsPercent, e.g. [488] and [5, 20, 80].",
    );
  }
  wavelengths.forEach((w, i) => {
    requirePositive(`wavelengthsNm[${i}]`, w);
  });
  settings.forEach((s, i) => {
    requireNonNegative(`settingsPercent[${i}]`, s);
    if (s > 100) throw new InvalidArgumentError(`settingsPercent[${i}] is ${s}; expected 0–100 %.`, "Set points are percentages of the maximum.");
  });
  const maxOpt = options.maxPowerMw ?? [5, 10, 8, 12];
  const maxPower = wavelengths.map((_, i) => (typeof maxOpt === "number" ? maxOpt : maxOpt[i % maxOpt.length]));
  maxPower.forEach((p, i) => {
    requirePositive(`maxPowerMw[${i}]`, p);
  });
  const gamma = options.nonlinearityExponent ?? 1;
  requirePositive("nonlinearityExponent", gamma);
  const blockS = options.blockDurationS ?? 300;
  requirePositive("blockDurationS", blockS);
  const interval = options.intervalS ?? 1;
  requirePositive("intervalS", interval);
  const overheadMs = options.readoutOverheadMs ?? 2;
  requireNonNegative("readoutOverheadMs", overheadMs);
  const pauseS = options.pauseS ?? 2;
  requireNonNegative("pauseS", pauseS);
  const order = options.order ?? "LP";
  const cycles = options.cycles ?? 1;
  requireInteger("cycles", cycles, 1);
  const noise = options.noisePercent ?? 0.2;
  requireNonNegative("noisePercent", noise);
  const drift = options.driftPercentPerH ?? 0;
  requireFinite("driftPercentPerH", drift);
  const warm = options.warmupPercent ?? 0;
  requireFinite("warmupPercent", warm);
  if (warm >= 100) throw new InvalidArgumentError(`warmupPercent is ${warm}; expected < 100 (the deficit at switch-on).`, "Use e.g. 5 for a source starting at 95 % of its power.");
  const tau = options.warmupTimeConstantS ?? 120;
  requirePositive("warmupTimeConstantS", tau);
  const hops = options.modeHops ?? [];
  hops.forEach((h, i) => {
    requireFinite(`modeHops[${i}].timeS`, h.timeS);
    requireFinite(`modeHops[${i}].stepPercent`, h.stepPercent);
    if (h.stepPercent <= -100) throw new InvalidArgumentError(`modeHops[${i}].stepPercent is ${h.stepPercent}; expected > −100.`, "A hop cannot remove all the power.");
  });
  const dark = options.darkReadingMw ?? 2e-7;
  requireNonNegative("darkReadingMw", dark);
  const transitions = options.transitions ?? true;
  const temp = options.temperature === undefined || options.temperature === false ? null : options.temperature;
  const t0 = temp?.startC ?? 22;
  const tDrift = temp?.driftCPerH ?? 0.5;
  const tNoise = temp?.noiseC ?? 0.02;
  if (temp) {
    requireFinite("temperature.startC", t0);
    requireFinite("temperature.driftCPerH", tDrift);
    requireNonNegative("temperature.noiseC", tNoise);
  }
  const startMs = parseStartTime(options.startTime ?? "2025-01-06 09:00:00.000");
  const seed = options.seed ?? 1;
  const rng = new Random(seed);

  const sequence: [number, number][] = [];
  if (order === "LP") for (let w = 0; w < wavelengths.length; w++) for (const s of settings) sequence.push([w, s]);
  else for (const s of settings) for (let w = 0; w < wavelengths.length; w++) sequence.push([w, s]);

  const step = interval + overheadMs / MS_PER_S;
  const nPause = Math.round(pauseS / interval);
  const nSteady = Math.max(1, Math.round(blockS / interval));
  const switchOn = new Array<number>(wavelengths.length).fill(Number.NaN);
  const rows: PowerLogRow[] = [];
  const blocks: PowerBlockTruth[] = [];
  let t = 0;
  const power = (w: number, s: number, time: number): number => {
    const on = switchOn[w];
    const since = Math.max(0, time - on);
    let p = maxPower[w] * (s / 100) ** gamma;
    p *= 1 - (warm / 100) * Math.exp(-since / tau);
    p *= 1 + (drift * since) / (100 * SECONDS_PER_HOUR);
    for (const h of hops) if (time >= h.timeS && (h.wavelengthNm === undefined || h.wavelengthNm === wavelengths[w])) p *= 1 + h.stepPercent / 100;
    return p;
  };
  const push = (w: number, s: number, p: number): void => {
    const temperatureC = temp ? t0 + (tDrift * t) / SECONDS_PER_HOUR + (tNoise > 0 ? rng.normal(0, tNoise) : 0) : null;
    rows.push({ timestamp: formatTimestamp(startMs + t * MS_PER_S), timeS: t, wavelengthNm: wavelengths[w], settingPercent: s, powerMw: p, temperatureC });
    t += step;
  };
  const darkReading = (): number => Math.abs(dark + rng.normal(0, dark / 2));
  for (let c = 0; c < cycles; c++) {
    for (const [w, s] of sequence) {
      for (let i = 0; i < nPause; i++) push(w, s, darkReading());
      if (Number.isNaN(switchOn[w])) switchOn[w] = t;
      if (transitions) push(w, s, rng.range(0.05, 0.95) * power(w, s, t) + darkReading());
      const startRow = rows.length;
      const times: number[] = [];
      const clean: number[] = [];
      const noisy: number[] = [];
      for (let i = 0; i < nSteady; i++) {
        const p = power(w, s, t);
        const r = p * (1 + (noise > 0 ? rng.normal(0, noise / 100) : 0));
        times.push(t);
        clean.push(p);
        noisy.push(r);
        push(w, s, r);
      }
      const endRow = rows.length;
      if (transitions) push(w, s, rng.range(0.05, 0.95) * power(w, s, t) + darkReading());
      const startTimeS = times[0];
      const endTimeS = times[times.length - 1];
      blocks.push({
        index: blocks.length,
        cycle: c,
        wavelengthNm: wavelengths[w],
        settingPercent: s,
        startRow,
        endRow,
        startTimeS,
        endTimeS,
        nominalPowerMw: maxPower[w] * (s / 100) ** gamma,
        driftPercentPerH: drift,
        warmupPercent: warm,
        warmupTimeConstantS: tau,
        noisePercent: noise,
        modeHops: hops.filter((h) => h.timeS > startTimeS && h.timeS <= endTimeS && (h.wavelengthNm === undefined || h.wavelengthNm === wavelengths[w])),
        noiseFree: powerStats(times, clean),
        sampled: powerStats(times, noisy),
      });
    }
  }
  return {
    rows,
    truth: {
      blocks,
      sources: wavelengths.map((w, i) => ({ wavelengthNm: w, maxPowerMw: maxPower[i], exponent: gamma, switchOnTimeS: switchOn[i] })),
      modeHops: hops,
      intervalS: interval,
      seed,
    },
  };
}

/**
 * Formats a number as Python's repr() does (SmartLPM is written in Python): shortest round-trip digits,
 * exponent form below 1e-4 or from 1e16 with a two-digit exponent ("2.5e-05"), and ".0" on whole numbers.
 *
 * @param x - A finite number.
 * @returns The text.
 * @throws InvalidArgumentError for NaN or ±Infinity.
 *
 * Notes: JavaScript's shortest round-trip digits equal Python's repr digits; only the notation differs.
 * @example
 * formatPythonFloat(2.397548635236012e-5); // → "2.397548635236012e-05"
 * @see Python float.__repr__ (shortest repr, PEP 3101 "r" format rules).
 */
export function formatPythonFloat(x: number): string {
  if (!Number.isFinite(x)) throw new InvalidArgumentError(`Cannot write ${x} to a SmartLPM log.`, "Every reading must be a finite number.");
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const ax = Math.abs(x);
  if (ax < 1e-4 || ax >= 1e16) {
    const [mant, exp] = x.toExponential().split("e");
    const e = Number(exp);
    return `${mant}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  const s = String(x);
  return s.includes(".") ? s : `${s}.0`;
}

/**
 * Writes rows as a SmartLPM log: tab-separated, CR LF line ends, header
 * `timestamp	wavelength[nm]	setting[%]	power[mW]	temperature[C]`; rows without temperature have four fields
 * (as in real SmartLPM logs), numbers in Python repr form.
 *
 * @param rows - Readings (e.g. `simulatePowerLog().rows`).
 * @returns The TSV text.
 * @throws InvalidArgumentError for a non-finite power or temperature.
 *
 * Notes: integer wavelengths and set points are written without ".0", as SmartLPM does.
 * @example
 * toSmartLpmTsv([{ timestamp: "2024-11-08 17:27:32.678", timeS: 0, wavelengthNm: 488, settingPercent: 30, powerMw: 2.5e-5, temperatureC: null }]);
 * // → "timestamp\twavelength[nm]\tsetting[%]\tpower[mW]\ttemperature[C]\r\n2024-11-08 17:27:32.678\t488\t30\t2.5e-05\r\n"
 * @see QUAREP-LiMi/SmartLPM (data format); /work/shared/data/smartlpm/blindData.csv.
 */
export function toSmartLpmTsv(rows: readonly PowerLogRow[]): string {
  const parts: string[] = [SMARTLPM_COLUMNS.join("\t")];
  const num = (v: number): string => (Number.isInteger(v) ? String(v) : formatPythonFloat(v));
  for (const r of rows) {
    const fields = [r.timestamp, num(r.wavelengthNm), num(r.settingPercent), formatPythonFloat(r.powerMw)];
    if (r.temperatureC !== null) fields.push(formatPythonFloat(r.temperatureC));
    parts.push(fields.join("\t"));
  }
  return parts.join(SMARTLPM_EOL) + SMARTLPM_EOL;
}
