/**
 * Bundled sample of the power protocol (registered in the SAMPLES registry on import).
 */
import { writeFile } from "node:fs/promises";
import { SAMPLES } from "../samples/index.js";
import { simulatePowerLog, toSmartLpmTsv } from "../simulate/power.js";

/** The planted truth of the "power-log" sample (what the notebook should find). */
export const POWER_LOG_SAMPLE_SETTINGS = {
  wavelengthsNm: [488, 561, 640],
  settingsPercent: [5, 20, 80],
  maxPowerMw: [10, 8, 12],
  blockDurationS: 120,
  pauseS: 2,
  noisePercent: 0.15,
  warmupPercent: 2,
  warmupTimeConstantS: 20,
  /** The fault: the 561 nm line drops by 6 % in the middle of its 80 % block (a mode hop). */
  modeHops: [{ timeS: 690, stepPercent: -6, wavelengthNm: 561 }],
  temperature: { startC: 22.5, driftCPerH: 0.4 },
  startTime: "2025-03-03 09:15:00.000",
  seed: 11,
} as const;

SAMPLES["power-log"] = {
  file: "power-log.tsv",
  description:
    "SmartLPM power log (TSV), 488/561/640 nm at 5, 20 and 80 %, 2 min per block, 1 reading/s, with a 2 % warm-up (τ 20 s) at each switch-on; planted fault: a −6 % mode hop of the 561 nm line in its 80 % block.",
  async generate(path: string): Promise<void> {
    const s = POWER_LOG_SAMPLE_SETTINGS;
    const log = simulatePowerLog({
      ...s,
      wavelengthsNm: [...s.wavelengthsNm],
      settingsPercent: [...s.settingsPercent],
      maxPowerMw: [...s.maxPowerMw],
      modeHops: [...s.modeHops],
    });
    await writeFile(path, toSmartLpmTsv(log.rows));
  },
};
