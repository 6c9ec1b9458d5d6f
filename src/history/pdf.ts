/**
 * PDF of an HTML report through headless Chromium's print-to-PDF (offline: the report inlines plotly.js).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { HistoryReportError } from "./errors.js";

/** Where Chromium is looked for, in order (Debian's package first). */
export const CHROMIUM_CANDIDATES: readonly string[] = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];

/** Time Chromium gives the page's scripts (plots) before printing, ms of virtual time. */
const VIRTUAL_TIME_BUDGET_MS = 15000;
/** Wall-clock limit of one print, ms. */
const PRINT_TIMEOUT_MS = 120000;

/**
 * The Chromium executable: $LIMIQC_CHROMIUM, else the first of {@link CHROMIUM_CANDIDATES} that exists.
 * @returns The path, or null when none is found.
 * @throws Never.
 */
export function findChromium(): string | null {
  const env = process.env.LIMIQC_CHROMIUM;
  if (env && existsSync(env)) return env;
  return CHROMIUM_CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/**
 * Prints an HTML file to PDF with headless Chromium (no network; scripts run first so plots are drawn).
 *
 * @param htmlPath - The HTML file (e.g. from {@link historyPeriodReportHtml}).
 * @param pdfPath - The PDF to write.
 * @returns The PDF's size, bytes.
 * @throws HistoryReportError when Chromium is not installed, fails, or writes no PDF.
 *
 * Notes: a fresh temporary profile per call; A4/Letter and margins are Chromium's defaults (the page's own CSS
 * can set `@page`). Set $LIMIQC_CHROMIUM to use another Chromium/Chrome binary.
 * @see https://developer.chrome.com/docs/chromium/headless
 * @example
 * printHtmlToPdf("report.html", "report.pdf"); // 412345
 */
export function printHtmlToPdf(htmlPath: string, pdfPath: string): number {
  const chromium = findChromium();
  if (!chromium) throw new HistoryReportError("No Chromium found for the PDF.", "Install it (Debian: apt-get install chromium) or set LIMIQC_CHROMIUM; the HTML report works without it.");
  const profile = mkdtempSync(join(tmpdir(), "limiqc-pdf-"));
  const out = resolve(pdfPath);
  try {
    execFileSync(
      chromium,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${profile}`,
        `--virtual-time-budget=${VIRTUAL_TIME_BUDGET_MS}`,
        "--no-pdf-header-footer",
        `--print-to-pdf=${out}`,
        pathToFileURL(resolve(htmlPath)).href,
      ],
      { stdio: "ignore", timeout: PRINT_TIMEOUT_MS },
    );
  } catch (e) {
    throw new HistoryReportError(`Chromium failed to print ${htmlPath} to PDF (${(e as Error).message}).`, "The HTML report is complete; open it in a browser and print to PDF by hand.");
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
  if (!existsSync(out) || statSync(out).size === 0) throw new HistoryReportError(`Chromium wrote no PDF at ${out}.`, "Open the HTML report in a browser and print it to PDF by hand.");
  return statSync(out).size;
}
