import { inspect } from "node:util";
import * as aq from "arquero";
import { describe, expect, test, vi } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors.js";
import {
  CHECKLIST_MIME,
  checklistBundle,
  display,
  formatNumber,
  formatWithUncertainty,
  isInKernel,
  markdownBundle,
  showChecklist,
  showMarkdown,
  showTable,
  showVerdict,
  tableBundle,
  toJsonSafe,
  VERDICT_MIME,
  verdictBundle,
} from "../../src/notebook/display.js";
import { css, escapeHtml, h, rawHtml } from "../../src/notebook/html.js";

const html = (b: Record<string, unknown>): string => b["text/html"] as string;
const text = (b: Record<string, unknown>): string => b["text/plain"] as string;

describe("html builder", () => {
  test("escapes text and attribute values, passes SafeHtml through", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    const el = h("td", { title: `"><script>`, hidden: true, skip: false }, "<b>", rawHtml("<i>ok</i>"), 3, null, ["x", ["y"]]);
    expect(el.html).toBe(`<td title="&quot;&gt;&lt;script&gt;" hidden>&lt;b&gt;<i>ok</i>3xy</td>`);
    expect(h("input", { type: "checkbox" }, "ignored").html).toBe(`<input type="checkbox">`);
    expect(css({ fontSize: "13px", color: "#222", gap: undefined })).toBe("font-size:13px;color:#222");
  });

  test("refuses event-handler attributes and odd tag names", () => {
    expect(() => h("div", { onclick: "alert(1)" })).toThrow(InvalidArgumentError);
    expect(() => h("div", { onclick: "alert(1)" })).toThrow(/event handlers/);
    expect(() => h("div><script", null)).toThrow(/not a plain element name/);
  });
});

describe("number formatting", () => {
  test.each([
    [0.2501234, 4, "0.2501"],
    [123.456, 4, "123.5"],
    [12345.678, 4, "12346"],
    [0.25, 4, "0.25"],
    [42, 4, "42"],
    [123456789012, 4, "123456789012"],
    [1.5e-5, 4, "1.5e-5"],
    [-0.000123456, 3, "-1.23e-4"],
    [2500000000.5, 4, "2.5e+9"],
    [Number.NaN, 4, "NaN"],
    [Number.POSITIVE_INFINITY, 4, "∞"],
  ])("formatNumber(%d, %d) = %s", (v, d, s) => {
    expect(formatNumber(v, d)).toBe(s);
  });

  test("value ± uncertainty is rounded at the uncertainty's second significant digit", () => {
    expect(formatWithUncertainty(0.251349, 0.004213)).toBe("0.2513 ± 0.0042");
    expect(formatWithUncertainty(251.349, 4.213)).toBe("251.3 ± 4.2");
    expect(formatWithUncertainty(2513.49, 42.13)).toBe("2513 ± 42");
    expect(formatWithUncertainty(1.23456, 0)).toBe("1.235");
  });

  test("bad digits are refused", () => {
    expect(() => formatNumber(1, 0)).toThrow(InvalidArgumentError);
    expect(() => formatNumber(1, 2.5)).toThrow(/integer from 1 to 15/);
  });

  test("toJsonSafe turns typed arrays into arrays and non-finite numbers into null", () => {
    const a: Record<string, unknown> = { f: new Float32Array([1.5, Number.NaN]), n: Number.POSITIVE_INFINITY, d: new Date(0), u: undefined };
    a.self = a;
    expect(toJsonSafe(a)).toEqual({ f: [1.5, null], n: null, d: "1970-01-01T00:00:00.000Z", self: "[circular]" });
  });
});

describe("display outside a kernel", () => {
  test("does nothing, prints nothing, does not throw, returns the bundle", () => {
    expect(isInKernel()).toBe(false);
    const out = vi.spyOn(process.stdout, "write");
    const err = vi.spyOn(process.stderr, "write");
    try {
      const b = { "text/plain": "x" };
      expect(display(b)).toBe(b);
      expect(showMarkdown("# Title")["text/markdown"]).toBe("# Title");
      expect(showTable([{ a: 1 }])["application/json"]).toEqual([{ a: 1 }]);
      expect(showVerdict({ level: "pass", title: "t", reason: "r" })[VERDICT_MIME]).toBeDefined();
      expect(showChecklist([{ id: "a", text: "A" }])[CHECKLIST_MIME]).toBeDefined();
      expect(out).not.toHaveBeenCalled();
      expect(err).not.toHaveBeenCalled();
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });

  test("a bundle prints as a one-line summary, not its contents", () => {
    const b = tableBundle([{ a: 1 }]);
    expect(inspect(b)).toBe("MimeBundle [text/html, text/plain, application/json]");
    expect(JSON.stringify(Object.keys(b))).toBe('["text/html","text/plain","application/json"]');
  });

  test("markdown bundle has text/markdown and text/plain", () => {
    expect(markdownBundle("**b**")).toEqual({ "text/markdown": "**b**", "text/plain": "**b**" });
  });
});

describe("tables", () => {
  const rows = [
    { bead: 1, "FWHM x": 251.27, snr: 31.2, verdict: "pass" },
    { bead: 2, "FWHM x": 249.9, snr: 5.03, verdict: "FAIL" },
    { bead: 3, "FWHM x": 1010.5, snr: Number.NaN, verdict: "warn" },
  ];

  test("has HTML, aligned text and the rows as JSON", () => {
    const b = tableBundle(rows, { title: "Beads", units: { "FWHM x": "nm" } });
    expect(Object.keys(b).sort()).toEqual(["application/json", "text/html", "text/plain"]);
    expect(b["application/json"]).toEqual([
      { bead: 1, "FWHM x": 251.27, snr: 31.2, verdict: "pass" },
      { bead: 2, "FWHM x": 249.9, snr: 5.03, verdict: "FAIL" },
      { bead: 3, "FWHM x": 1010.5, snr: null, verdict: "warn" },
    ]);
    expect(html(b)).toContain(">FWHM x (nm)</th>");
    const lines = text(b).split("\n");
    expect(lines[0]).toBe("Beads");
    expect(lines[1]).toMatch(/^bead\s+FWHM x \(nm\)\s+snr\s+verdict$/);
    // numbers share decimals per column (4 significant digits of the column's smallest value), right-aligned
    expect(lines[3]).toMatch(/^\s+1\s+251\.3\s+31\.200\s+PASS$/);
    expect(lines[4]).toMatch(/^\s+2\s+249\.9\s+5\.030\s+FAIL$/);
    expect(lines[5]).toMatch(/^\s+3\s+1010\.5\s+NaN\s+WARN$/);
    const col = lines[1].indexOf("(nm)") + 4;
    for (const l of lines.slice(3)) expect(l[col - 1]).toMatch(/\d/);
  });

  test("digits option controls significant digits", () => {
    const b = tableBundle([{ v: 0.123456 }, { v: 0.5 }], { digits: 2 });
    expect(text(b).split("\n").slice(2)).toEqual(["0.12", "0.50"]);
    // a column spanning many decades falls back to per-value formatting
    const c = tableBundle([{ v: 1234.5 }, { v: 0.000123 }], { digits: 3 });
    expect(text(c).split("\n").slice(2).map((s) => s.trim())).toEqual(["1235", "1.23e-4"]);
  });

  test("highlights verdict cells with colour and a symbol", () => {
    const t = html(tableBundle(rows));
    expect(t).toMatch(/class="limiqc-cell-pass"[^>]*>.*?✓ pass/);
    expect(t).toMatch(/class="limiqc-cell-fail"[^>]*>.*?✗ FAIL/);
    expect(t).toMatch(/class="limiqc-cell-warn"[^>]*>.*?! warn/);
    expect(t).toContain("#dafbe1"); // pass background
    expect(t).toContain("#ffebe9"); // fail background
  });

  test("escapes HTML in cells, headers and the title", () => {
    const b = tableBundle([{ "<b>h</b>": "<script>alert(1)</script>" }], { title: "<img src=x>" });
    const t = html(b);
    expect(t).not.toContain("<script>");
    expect(t).not.toContain("<img");
    expect(t).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(t).toContain("&lt;b&gt;h&lt;/b&gt;");
  });

  test("Quantity cells show value ± uncertainty and put their unit in the header", () => {
    const b = tableBundle([{ metric: "FWHM x", value: { value: 0.251349, uncertainty: 0.004213, unit: "um" } }]);
    expect(text(b)).toContain("value (µm)");
    expect(text(b)).toContain("0.2513 ± 0.0042");
  });

  test("maxRows limits HTML/text, JSON keeps all rows", () => {
    const many = Array.from({ length: 5 }, (_, i) => ({ i }));
    const b = tableBundle(many, { maxRows: 2 });
    expect(text(b)).toContain("… 3 more row(s) not shown");
    expect(html(b)).toContain("3 more row(s) not shown");
    expect((b["application/json"] as unknown[]).length).toBe(5);
  });

  test("accepts { columns, rows } and arquero tables", () => {
    const a = tableBundle({ columns: ["x", "y"], rows: [[1, "a"], [2, "b"]] });
    expect(a["application/json"]).toEqual([{ x: 1, y: "a" }, { x: 2, y: "b" }]);
    const dt = aq.table({ wavelengthNm: [488, 561], powerMw: [1.25, 2.5] });
    const b = tableBundle(dt as unknown as { objects(): object[] }, { units: { powerMw: "mW" } });
    expect(b["application/json"]).toEqual([{ wavelengthNm: 488, powerMw: 1.25 }, { wavelengthNm: 561, powerMw: 2.5 }]);
    expect(text(b)).toContain("powerMw (mW)");
  });

  test("rejects a row with the wrong number of values", () => {
    expect(() => tableBundle({ columns: ["x", "y"], rows: [[1]] })).toThrow(InvalidArgumentError);
    expect(() => tableBundle({ columns: ["x", "y"], rows: [[1]] })).toThrow(/row 0 has 1 values but there are 2 columns/);
  });
});

describe("verdict card", () => {
  test("carries the verdict under the exact MIME type the runner looks for", () => {
    expect(VERDICT_MIME).toBe("application/vnd.limiqc.verdict+json");
    const v = {
      level: "warn" as const,
      title: "Lateral resolution",
      reason: "FWHM x is 12% above the theoretical value (limit 10%).",
      details: [{ label: "FWHM x", value: { value: 0.281, uncertainty: 0.004, unit: "um" }, limit: "≤ 0.275 µm", level: "warn" as const }],
    };
    const b = verdictBundle(v);
    expect(Object.keys(b).sort()).toEqual(["application/vnd.limiqc.verdict+json", "text/html", "text/plain"]);
    expect(b[VERDICT_MIME]).toEqual(toJsonSafe(v));
    expect(text(b).split("\n")[0]).toBe("WARN — FWHM x is 12% above the theoretical value (limit 10%).");
    expect(text(b)).toContain("FWHM x: 0.2810 ± 0.0040 µm (limit ≤ 0.275 µm)");
    expect(html(b)).toContain("! WARN");
    expect(html(b)).toContain("#bf8700");
  });

  test("pass and fail read without colour (✓ / ✗) and escape text", () => {
    const p = verdictBundle({ level: "pass", title: "<x>", reason: "ok" });
    expect(text(p).startsWith("PASS — ok")).toBe(true);
    expect(html(p)).toContain("✓ PASS");
    expect(html(p)).toContain("&lt;x&gt;");
    const f = verdictBundle({ level: "fail", title: "t", reason: "bad" });
    expect(html(f)).toContain("✗ FAIL");
    expect(html(f)).toContain("limiqc-verdict-fail");
  });

  test("an unknown level is refused", () => {
    expect(() => verdictBundle({ level: "PASS" as "pass", title: "t", reason: "r" })).toThrow(InvalidArgumentError);
    expect(() => verdictBundle({ level: "ok" as "pass", title: "t", reason: "r" })).toThrow(/expected "pass", "warn" or "fail"/);
  });
});

describe("checklist", () => {
  const items = [
    { id: "objective-clean", text: "Objective front lens cleaned" },
    { id: "na", text: "Objective NA recorded", auto: { status: "pass" as const, evidence: "NA 1.4 in OME metadata" } },
    { id: "temp", text: "Room temperature stable", auto: { status: "warn" as const, evidence: "drift 1.5 °C/h" } },
    { id: "stage", text: "Stage settled", auto: { status: "unknown" as const, evidence: "no timestamps" } },
  ];

  test("text marks [x] [!] [?] [ ] and JSON of the items", () => {
    const b = checklistBundle(items, { title: "Before acquisition" });
    const lines = text(b).split("\n");
    expect(lines[0]).toBe("Before acquisition");
    expect(lines[1]).toBe("[ ] Objective front lens cleaned");
    expect(lines[2]).toBe("[x] Objective NA recorded — NA 1.4 in OME metadata");
    expect(lines[3]).toBe("[!] Room temperature stable — WARN: drift 1.5 °C/h");
    expect(lines[4]).toBe("[?] Stage settled — not determined automatically: no timestamps");
    expect(b[CHECKLIST_MIME]).toEqual({ title: "Before acquisition", items });
  });

  test("manual items get a checkbox, auto items their status and evidence; the card says ticks are not saved", () => {
    const t = html(checklistBundle(items));
    expect(t.match(/<input type="checkbox"/g)?.length).toBe(1);
    expect(t).toContain("Checked automatically: NA 1.4 in OME metadata");
    expect(t).toContain("✓ pass");
    expect(t).toContain("not saved");
  });

  test("duplicate ids are refused", () => {
    expect(() => checklistBundle([items[0], items[0]])).toThrow(InvalidArgumentError);
    expect(() => checklistBundle([items[0], items[0]])).toThrow(/used twice/);
  });
});
