import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test, vi } from "vitest";
import { powerCommand } from "../../src/cli/power.js";
import { LimiqcError } from "../../src/core/errors.js";
import { makeImage } from "../../src/image/types.js";
import { writeOmeTiff } from "../../src/io/tiff-writer.js";

function capture(): { out: () => string } {
  const lines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => {
    lines.push(a.join(" "));
  });
  return { out: () => lines.join("\n") };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("limiqc power", () => {
  test("prints the series table and verdict, writes --json, refuses to overwrite", async () => {
    const dir = mkdtempSync(join(tmpdir(), "limiqc-power-cli-"));
    const json = join(dir, "r.json");
    const c = capture();
    const code = await powerCommand.run(["data/fixtures/smartlpm/garbled.tsv", "--json", json, "--expected", "561:80:1"]);
    expect(code).toBe(0);
    expect(c.out()).toMatch(/smartlpm log, 6 readings/);
    expect(c.out()).toMatch(/5 unreadable line\(s\): 5 \(/);
    expect(c.out()).toMatch(/561 nm @ 80 %/);
    expect(c.out()).toMatch(/Verdict: (PASS|WARN|FAIL) — /);
    const rec = JSON.parse(readFileSync(json, "utf8"));
    expect(rec.provenance.fn).toBe("analysePowerLog");
    expect(rec.expected[0].expectedMw).toBe(1);
    await expect(powerCommand.run(["data/fixtures/smartlpm/garbled.tsv", "--json", json])).rejects.toThrow(LimiqcError);
    await expect(powerCommand.run(["data/fixtures/smartlpm/garbled.tsv", "--json", json])).rejects.toThrow(/already exists/);
    expect(await powerCommand.run(["data/fixtures/smartlpm/garbled.tsv", "--json", json, "--force"])).toBe(0);
  });

  test("a time-lapse TIFF gives intensity stability; bad arguments are clear errors", async () => {
    const dir = mkdtempSync(join(tmpdir(), "limiqc-power-cli-"));
    const tif = join(dir, "slide.ome.tif");
    const d = new Uint16Array(5 * 4 * 4);
    for (let f = 0; f < 5; f++) d.fill(1100 + 10 * (f % 2), f * 16, (f + 1) * 16);
    await writeOmeTiff(tif, makeImage(d, [5, 4, 4]));
    const c = capture();
    expect(await powerCommand.run([tif, "--interval", "2", "--offset", "100", "--json", join(dir, "i.json")])).toBe(0);
    expect(c.out()).toMatch(/time-lapse of 5 frames over 8 s/);
    expect(c.out()).toMatch(/S 99\.50 %/);
    expect(existsSync(join(dir, "i.json"))).toBe(true);
    await expect(powerCommand.run([])).rejects.toThrow(/power takes one FILE; got 0/);
    await expect(powerCommand.run(["data/fixtures/smartlpm/pulses.tsv", "--expected", "488/10"])).rejects.toThrow(/--expected "488\/10"/);
    writeFileSync(join(dir, "empty.csv"), "nothing here\n");
    await expect(powerCommand.run([join(dir, "empty.csv")])).rejects.toThrow(/No header row/);
  });
});
