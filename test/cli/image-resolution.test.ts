import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, test } from "vitest";
import { writeOmeTiff } from "../../src/io/tiff-writer.js";
import { simulateResolutionImages } from "../../src/resolution/image-resolution-sim.js";

const CLI = resolve("dist/cli/main.js");
const limiqc = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });

describe("limiqc frc / decorr", () => {
  test("measure the known resolution of a simulated image pair from files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "limiqc-frc-"));
    const sim = simulateResolutionImages({ widthPx: 512, pixelSizeUm: 0.04, na: 1.3, wavelengthNm: 520, seed: 5 });
    const [a, b] = [join(dir, "a.ome.tif"), join(dir, "b.ome.tif")];
    await writeOmeTiff(a, sim.images[0]);
    await writeOmeTiff(b, sim.images[1]);
    const json = join(dir, "frc.json");
    const r = limiqc("frc", a, b, "--json", json);
    expect(r.status, r.stderr).toBe(0);
    const record = JSON.parse(readFileSync(json, "utf8"));
    // FRC's 1/7 crossing recovers λ/(2·NA) = 0.2 µm within 5 % (test/resolution/frc.test.ts proves the method itself).
    expect(Math.abs(record.resolution.value - sim.truth.abbeResolutionUm!) / sim.truth.abbeResolutionUm!).toBeLessThan(0.05);
    expect(record.inputs).toHaveLength(2);
    const d = limiqc("decorr", a);
    expect(d.status, d.stderr).toBe(0);
    expect(d.stdout).toMatch(/Decorrelation resolution 0\.2\d\d/);
    const stackErr = limiqc("frc", a);
    expect(stackErr.status).toBe(1);
    expect(stackErr.stderr).toMatch(/exactly two images/);
  });
});
