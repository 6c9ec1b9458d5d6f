import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, test } from "vitest";

// Runs the built CLI (npm test builds first) as a user would.
const CLI = resolve("dist/cli/main.js");
const limiqc = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
const tmp = () => mkdtempSync(join(tmpdir(), "limiqc-cli-"));

describe("limiqc CLI", () => {
  test("--help lists the commands; an unknown command is an error", () => {
    const help = limiqc("--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/info/);
    expect(help.stdout).toMatch(/simulate/);
    const bad = limiqc("frobnicate");
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/unknown command "frobnicate"/);
  });

  test("info prints dimensions, voxel size and channels, and writes --json", () => {
    const dir = tmp();
    const json = join(dir, "info.json");
    const r = limiqc("info", "data/fixtures/ome_uint16_c2z5.ome.tif", "--json", json);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/OME-TIFF/);
    expect(r.stdout).toMatch(/Z 5 × C 2/);
    expect(r.stdout).toMatch(/µm/);
    const record = JSON.parse(readFileSync(json, "utf8"));
    expect(record.format).toBe("OME-TIFF");
  });

  test("--json never overwrites an existing file without --force", () => {
    const dir = tmp();
    const json = join(dir, "keep.json");
    writeFileSync(json, "precious");
    const r = limiqc("info", "data/fixtures/uint8_z3.tif", "--json", json);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/already exists/);
    expect(readFileSync(json, "utf8")).toBe("precious");
    expect(limiqc("info", "data/fixtures/uint8_z3.tif", "--json", json, "--force").status).toBe(0);
    expect(readFileSync(json, "utf8")).not.toBe("precious");
  });

  test("a corrupt file gives a clear error and exit code 1, not a stack trace", () => {
    const r = limiqc("info", "data/fixtures/truncated.ome.tif");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^limiqc: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const missing = limiqc("info", "no/such/file.tif");
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/no\/such\/file\.tif/);
  });

  test("simulate writes a readable phantom and its ground truth, and refuses to overwrite", () => {
    const dir = tmp();
    const out = join(dir, "beads.ome.tif");
    const r = limiqc("simulate", "beads", "--out", out, "--seed", "4");
    expect(r.status).toBe(0);
    expect(existsSync(join(dir, "beads.truth.json"))).toBe(true);
    const truth = JSON.parse(readFileSync(join(dir, "beads.truth.json"), "utf8"));
    expect(truth.truth.beads.length).toBeGreaterThan(5);
    const info = limiqc("info", out);
    expect(info.stdout).toMatch(/Z 48/);
    expect(info.stdout).toMatch(/NA 1\.4/);
    const again = limiqc("simulate", "beads", "--out", out);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
    const unknown = limiqc("simulate", "unicorns", "--out", join(dir, "u.tif"));
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/Use one of/);
  });
});
