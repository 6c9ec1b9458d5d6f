import { createRequire, Module } from "node:module";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { display, isInKernel, showTable, showVerdict, VERDICT_MIME } from "../../src/notebook/display.js";
import { linePlot, resetPlotlyInit, showPlot } from "../../src/notebook/plotly.js";
import { showImage } from "../../src/notebook/png.js";

// Simulates the tslab kernel: a loaded module at .../tslab/dist/jupyter.js whose
// lastWriteDisplayData receives each display_data message (as tslab 1.0.22 does per execution).
const require = createRequire(import.meta.url);
const fakePath = join("/", "fake-kernel", "node_modules", "tslab", "dist", "jupyter.js");
type Msg = { data: Record<string, unknown>; metadata: Record<string, unknown>; transient: Record<string, unknown> };
let sent: { msg: Msg; update: boolean }[] = [];

beforeEach(() => {
  sent = [];
  const mod = new Module(fakePath);
  mod.filename = fakePath;
  mod.loaded = true;
  mod.exports = { lastWriteDisplayData: (msg: Msg, update: boolean) => sent.push({ msg, update }) };
  require.cache[fakePath] = mod;
  resetPlotlyInit();
});

afterEach(() => {
  delete require.cache[fakePath];
  resetPlotlyInit();
});

describe("display through tslab's writer", () => {
  test("finds the writer and sends one display_data with the whole bundle", () => {
    expect(isInKernel()).toBe(true);
    const b = { "text/plain": "hi", "text/html": "<b>hi</b>", "application/x-test+json": { v: new Float32Array([1, Number.NaN]) }, "image/x-bin": new Uint8Array([1, 2, 3]) };
    expect(display(b, { "image/x-bin": { width: 1 } })).toBe(b);
    expect(sent.length).toBe(1);
    expect(sent[0].update).toBe(false);
    expect(sent[0].msg.data).toEqual({ "text/plain": "hi", "text/html": "<b>hi</b>", "application/x-test+json": { v: [1, null] }, "image/x-bin": "AQID" });
    expect(sent[0].msg.metadata).toEqual({ "image/x-bin": { width: 1 } });
  });

  test("a returned bundle prints as nothing under the rich output (tslab console.logs a cell's last value)", () => {
    const b = showTable([{ a: 1 }]);
    expect(inspect(b)).toBe("");
  });

  test("stops sending when the kernel module goes away", () => {
    display({ "text/plain": "a" });
    delete require.cache[fakePath];
    expect(isInKernel()).toBe(false);
    display({ "text/plain": "b" });
    expect(sent.length).toBe(1);
  });

  test("show* functions send what they return", () => {
    const v = showVerdict({ level: "fail", title: "Uniformity", reason: "corner at 61% of centre (limit 70%)" });
    const t = showTable([{ a: 1 }]);
    expect(sent.map((s) => s.msg.data)).toEqual([v, t]);
    expect(sent[0].msg.data[VERDICT_MIME]).toMatchObject({ level: "fail" });
    const img = showImage({ data: new Float32Array([0, 1, 2, 3]), width: 2, height: 2 });
    expect(typeof sent[2].msg.data["image/png"]).toBe("string");
    expect(sent[2].msg.data["image/png"]).toBe(img["image/png"]);
  });
});

describe("plotly.js is inlined once per process", () => {
  test("the first showPlot sends the init before the figure, later ones do not", () => {
    const fig = linePlot({ x: [0, 1], y: [0, 1] }, { xLabel: "t", xUnit: "s", yLabel: "P", yUnit: "mW" });
    const b1 = showPlot(fig);
    showPlot(fig);
    showPlot(fig);
    expect(sent.length).toBe(4);
    const init = sent[0].msg.data;
    expect(Object.keys(init).sort()).toEqual(["text/html", "text/plain"]);
    expect(init["text/html"] as string).toContain("if(!window.Plotly)");
    expect((init["text/html"] as string).length).toBeGreaterThan(1_000_000);
    for (const s of sent.slice(1)) expect(s.msg.data["application/vnd.plotly.v1+json"]).toBeDefined();
    expect(sent[1].msg.data).toEqual(b1);
    expect(sent.filter((s) => (s.msg.data["text/html"] as string).includes("if(!window.Plotly)")).length).toBe(1);
  });

  test("resetPlotlyInit makes the next figure resend it; the flag is shared through globalThis", () => {
    const fig = { data: [{ type: "bar", x: [1], y: [1] }] };
    showPlot(fig);
    expect((globalThis as unknown as Record<symbol, unknown>)[Symbol.for("limiqc.notebook.plotlyInitSent")]).toBe(true);
    resetPlotlyInit();
    showPlot(fig);
    expect(sent.length).toBe(4);
    expect(sent[2].msg.data["text/plain"]).toMatch(/^plotly\.js/);
  });
});
