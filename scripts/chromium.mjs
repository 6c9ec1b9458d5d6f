// Headless Chromium helpers (Debian's /usr/bin/chromium, no network): load an HTML file, let its scripts run,
// then dump the DOM or take a screenshot. Used by the tests (plots must render offline) and by people:
//   node scripts/chromium.mjs screenshot out/report.html out/report.png [width] [height]
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

export const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find((p) => existsSync(p));

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--virtual-time-budget=15000",
];

function withProfile(fn) {
  const profile = mkdtempSync(join(tmpdir(), "limiqc-chromium-"));
  try {
    return fn(`--user-data-dir=${profile}`);
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** The DOM of an HTML file after its scripts ran (offline). */
export function dumpDom(htmlPath) {
  if (!CHROMIUM) throw new Error("Chromium not found: apt-get install chromium");
  return withProfile((profile) =>
    execFileSync(CHROMIUM, [...FLAGS, profile, "--dump-dom", pathToFileURL(resolve(htmlPath)).href], {
      encoding: "utf8",
      maxBuffer: 512 * 1024 * 1024,
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 120_000,
    }),
  );
}

/** Number of plotly plots that actually rendered (each rendered plot gets the class js-plotly-plot). */
export function renderedPlotCount(htmlPath) {
  return (dumpDom(htmlPath).match(/class="[^"]*\bjs-plotly-plot\b/g) ?? []).length;
}

export function screenshot(htmlPath, pngPath, width = 1200, height = 4000) {
  if (!CHROMIUM) throw new Error("Chromium not found: apt-get install chromium");
  withProfile((profile) =>
    execFileSync(CHROMIUM, [...FLAGS, profile, `--window-size=${width},${height}`, `--screenshot=${resolve(pngPath)}`, pathToFileURL(resolve(htmlPath)).href], {
      stdio: "ignore",
      timeout: 120_000,
    }),
  );
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const [cmd, html, png, w, h] = process.argv.slice(2);
  if (cmd === "screenshot" && html && png) {
    screenshot(html, png, Number(w) || undefined, Number(h) || undefined);
    console.log(`wrote ${png}`);
  } else if (cmd === "plots" && html) {
    console.log(`${renderedPlotCount(html)} plot(s) rendered in ${html}`);
  } else {
    console.log("usage: node scripts/chromium.mjs screenshot FILE.html OUT.png [width] [height] | plots FILE.html");
    process.exit(2);
  }
}
