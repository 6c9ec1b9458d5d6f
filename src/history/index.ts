/**
 * QC history: an embedded store of every QC result per instrument (SQLite file), import/export, trends with
 * control limits and alerts.
 */
export * from "./errors.js";
export * from "./exchange.js";
export * from "./from-results.js";
export * from "./record.js";
export * from "./store.js";
export * from "./types.js";
export * from "./trends.js";
export * from "./simulate-history.js";
export * from "./samples.js";
export * from "./report.js";
export * from "./watch.js";
export * from "./pdf.js";
export * from "./acquisition-time.js";
