#!/usr/bin/env node
/*
 * Jupyter kernel "limiqc (TypeScript)": tslab, with `import ... from "limiqc"` working from any notebook folder.
 *
 * Why a launcher rather than plain `tslab kernel`:
 *  - tslab resolves imports from the notebook's folder (node10 resolution, TypeScript 5.0.4). A notebook outside
 *    this repository could not find "limiqc". We point both the type checker and Node's resolver at this package.
 *  - In a source checkout, the built library (dist/) is rebuilt first when src/ is newer, so editing the library
 *    and restarting the kernel is all a developer does.
 * Usage (what kernel.json runs): node limiqc-kernel.cjs --config-path {connection_file}
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const Module = require("node:module");
const { spawnSync } = require("node:child_process");

const ROOT = path.resolve(__dirname, "..");
const DIST_ENTRY = path.join(ROOT, "dist", "index.js");
const DIST_TYPES = path.join(ROOT, "dist", "index.d.ts");

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    const t = entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}

/** Rebuilds dist/ when this is a source checkout and src/ changed since the last build. */
function ensureBuilt() {
  const src = path.join(ROOT, "src");
  const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
  if (!fs.existsSync(src) || !fs.existsSync(tsc)) return;
  const built = fs.existsSync(DIST_ENTRY) ? fs.statSync(DIST_ENTRY).mtimeMs : 0;
  if (built >= newestMtime(src)) return;
  process.stderr.write("limiqc: library sources changed, rebuilding dist/ ...\n");
  const r = spawnSync(process.execPath, [tsc, "-p", path.join(ROOT, "tsconfig.build.json")], { stdio: "inherit" });
  if (r.status !== 0) process.stderr.write("limiqc: build failed; the kernel uses the previous dist/.\n");
  else fs.utimesSync(DIST_ENTRY, new Date(), new Date());
}

/**
 * Makes `require("limiqc")` resolve to this package from anywhere, and hands tslab the patched TypeScript.
 */
function patchNodeResolution(tsPath, patchedTs) {
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request, parent, isMain, options) {
    if (request === "limiqc") return DIST_ENTRY;
    return resolve.call(this, request, parent, isMain, options);
  };
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    if (request === "@tslab/typescript-for-tslab" && parent && /[\\/]tslab[\\/]dist[\\/]/.test(parent.filename)) return patchedTs;
    return load.call(this, request, parent, isMain);
  };
}

/**
 * Makes tslab's type checker resolve "limiqc" to our declarations, whatever the notebook's folder.
 * TypeScript's exports are non-configurable getters, so tslab is handed a copy of the module whose
 * createWatchCompilerHost adds a resolveModuleNames hook to the host tslab builds.
 */
function typescriptWithLimiqc(ts) {
  const copy = {};
  for (const key of Object.keys(ts)) {
    if (key !== "createWatchCompilerHost") Object.defineProperty(copy, key, { enumerable: true, get: () => ts[key] });
  }
  Object.defineProperty(copy, "createWatchCompilerHost", {
    enumerable: true,
    value(...args) {
      const host = ts.createWatchCompilerHost(...args);
      const cache = ts.createModuleResolutionCache(host.getCurrentDirectory(), (f) => f, undefined);
      host.resolveModuleNames = (names, containingFile, _reused, redirected, options) =>
        names.map((name) =>
          name === "limiqc"
            ? { resolvedFileName: DIST_TYPES, extension: ".d.ts", isExternalLibraryImport: true }
            : ts.resolveModuleName(name, containingFile, options, host, cache, redirected).resolvedModule,
        );
      return host;
    },
  });
  return copy;
}

/**
 * tslab prints errors that escape a cell (a throwing timer, an unawaited rejected promise) through the console of
 * whatever cell runs next, or nowhere when none does. Also write them to the process's stderr with a fixed marker,
 * so a notebook runner watching the kernel process can fail the run.
 */
function reportEscapedErrors() {
  const report = (kind) => (err) => {
    const text = err instanceof Error ? err.stack || err.message : String(err);
    fs.writeSync(2, `\n[limiqc-kernel] ${kind}: ${text}\n`);
  };
  process.on("uncaughtException", report("UncaughtException"));
  process.on("unhandledRejection", report("UnhandledPromiseRejection"));
}

function main() {
  const args = process.argv.slice(2);
  const i = args.indexOf("--config-path");
  const configPath = i >= 0 ? args[i + 1] : "";
  ensureBuilt();
  const req = Module.createRequire(path.join(ROOT, "package.json"));
  const tslabMain = req.resolve("tslab/dist/main.js");
  const tsPath = Module.createRequire(tslabMain).resolve("@tslab/typescript-for-tslab");
  const patchedTs = typescriptWithLimiqc(require(tsPath));
  patchNodeResolution(tsPath, patchedTs);
  reportEscapedErrors();
  req(tslabMain).startKernel({ configPath, enableFindLocal: false });
}

main();
