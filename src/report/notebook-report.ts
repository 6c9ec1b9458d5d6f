import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { marked } from "marked";
import { LIMIQC_VERSION } from "../core/provenance.js";
import { type Notebook, type Output, joinSource } from "../notebook/nbformat.js";
import { VERDICT_MIME } from "../notebook/display.js";
import type { NotebookRun } from "../notebook/runner.js";

/** A display output whose only job is to load plotly.js into the page (the report loads it once itself). */
function isPlotlyInit(o: Output): boolean {
  if (o.output_type !== "display_data") return false;
  const role = (o.metadata?.limiqc as { role?: string } | undefined)?.role;
  if (role === "plotly-init") return true;
  // Notebooks executed before outputs carried the role: the init is the big plotly.js script that is not a figure.
  const html = o.data["text/html"];
  return !o.data["application/vnd.plotly.v1+json"] && typeof html === "string" && html.length > 200_000 && html.includes("window.Plotly");
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Strips terminal colour codes that tslab and Node put in error text. */
const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");
const stripAnsi = (s: string): string => s.replace(ANSI_COLOUR, "");

function renderOutput(o: Output): string {
  if (o.output_type === "stream") {
    const cls = o.name === "stderr" ? "lq-stderr" : "lq-stdout";
    return `<pre class="${cls}">${escapeHtml(stripAnsi(joinSource(o.text)))}</pre>`;
  }
  if (o.output_type === "error") {
    return `<pre class="lq-stderr">${escapeHtml(stripAnsi(`${o.ename}: ${o.evalue}\n${o.traceback.join("\n")}`))}</pre>`;
  }
  if (isPlotlyInit(o)) return "";
  const d = o.data;
  if (typeof d["text/html"] === "string") return `<div class="lq-html">${d["text/html"]}</div>`;
  if (typeof d["image/png"] === "string") return `<img alt="figure" src="data:image/png;base64,${d["image/png"]}">`;
  if (typeof d["image/svg+xml"] === "string") return `<div>${d["image/svg+xml"]}</div>`;
  if (typeof d["text/markdown"] === "string") return `<div class="lq-md">${marked.parse(d["text/markdown"], { async: false })}</div>`;
  if (typeof d["text/plain"] === "string") return `<pre class="lq-stdout">${escapeHtml(d["text/plain"])}</pre>`;
  return "";
}

/** HTML of one executed notebook: markdown rendered, code folded, outputs shown. */
export function renderNotebookHtml(nb: Notebook, anchor: string): string {
  const parts: string[] = [];
  for (const cell of nb.cells) {
    const src = joinSource(cell.source);
    if (cell.cell_type === "markdown") parts.push(`<div class="lq-md">${marked.parse(src, { async: false })}</div>`);
    else if (cell.cell_type === "code") {
      if (src.trim()) parts.push(`<details class="lq-code"><summary>code</summary><pre>${escapeHtml(src)}</pre></details>`);
      parts.push(...cell.outputs.map(renderOutput));
    }
  }
  return `<section class="lq-notebook" id="${anchor}">${parts.join("\n")}</section>`;
}

/** One line per notebook for the console: name, verdict(s), time. */
export function summaryLine(run: NotebookRun): string {
  const name = run.path.split(/[\\/]/).pop() ?? run.path;
  if (!run.ok) return `ERROR ${name}: cell ${run.failure?.cellIndex} failed (${run.durationMs} ms)`;
  const levels = run.verdicts.map((v) => v.level.toUpperCase());
  const verdict = levels.length ? levels.join(", ") : "NO VERDICT";
  const reason = run.verdicts.map((v) => v.reason).filter(Boolean)[0];
  return `${verdict.padEnd(5)} ${name}${reason ? ` — ${reason}` : ""} (${(run.durationMs / 1000).toFixed(1)} s)`;
}

function overallLevel(run: NotebookRun): string {
  if (!run.ok) return "error";
  if (!run.verdicts.length) return "none";
  const order = ["pass", "warn", "fail"];
  return run.verdicts.map((v) => v.level).reduce((a, b) => (order.indexOf(b) > order.indexOf(a) ? b : a), "pass");
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1100px;margin:0 auto;padding:24px;color:#1b1f24;background:#fff}
h1{margin-bottom:4px} .lq-sub{color:#57606a;margin-top:0}
table.lq-index{border-collapse:collapse;margin:16px 0} .lq-index td,.lq-index th{border:1px solid #d0d7de;padding:6px 10px;text-align:left}
.lq-level{font-weight:600;padding:2px 8px;border-radius:10px;color:#fff}
.lq-pass{background:#1a7f37}.lq-warn{background:#9a6700}.lq-fail{background:#cf222e}.lq-error{background:#6e7781}.lq-none{background:#8c959f}
.lq-notebook{border-top:3px solid #d0d7de;margin-top:32px;padding-top:8px}
pre{background:#f6f8fa;padding:8px;overflow-x:auto;font-size:13px} .lq-stderr{background:#fff0f0;color:#82071e}
details.lq-code summary{cursor:pointer;color:#57606a;font-size:12px}
img{max-width:100%}`;

/**
 * A self-contained offline HTML report of executed notebooks: an index of protocols with their verdicts,
 * then each notebook with its narrative, outputs and interactive plots (plotly.js inlined once).
 */
export function renderReport(runs: NotebookRun[], options: { title?: string } = {}): string {
  const require = createRequire(import.meta.url);
  const plotly = readFileSync(require.resolve("plotly.js-cartesian-dist-min"), "utf8").replace(/<\/script/gi, "<\\/script");
  const rows = runs.map((r, i) => {
    const name = r.path.split(/[\\/]/).pop() ?? r.path;
    const level = overallLevel(r);
    const reason = r.ok ? r.verdicts.map((v) => `${v.title ? `${v.title}: ` : ""}${v.reason ?? ""}`).join("<br>") : `cell ${r.failure?.cellIndex} failed: ${escapeHtml(r.failure?.errorText.split("\n")[0] ?? "")}`;
    return `<tr><td><a href="#nb-${i}">${escapeHtml(name)}</a></td><td><span class="lq-level lq-${level}">${level.toUpperCase()}</span></td><td>${r.ok ? reason : reason}</td><td>${(r.durationMs / 1000).toFixed(1)} s</td></tr>`;
  });
  const sections = runs.map((r, i) => renderNotebookHtml(r.notebook, `nb-${i}`));
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(options.title ?? "limiqc QC report")}</title>
<style>${STYLE}</style><script>(function(define,module,exports){${plotly}\n}).call(window);</script></head><body>
<h1>${escapeHtml(options.title ?? "limiqc QC report")}</h1>
<p class="lq-sub">Generated ${new Date().toISOString()} by limiqc ${LIMIQC_VERSION}. Verdicts are those each protocol notebook displayed (${VERDICT_MIME}).</p>
<table class="lq-index"><tr><th>Notebook</th><th>Verdict</th><th>Reason</th><th>Time</th></tr>${rows.join("")}</table>
${sections.join("\n")}
</body></html>`;
}
