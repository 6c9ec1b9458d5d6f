/**
 * WG10 image quality: per-image metrics (clipping, dynamic range, noise, SNR, focus, sampling, decorrelation
 * resolution), a weighted pass/warn/fail rating, and batch assessment of a folder.
 * @module
 */
export * from "./metrics.js";
export * from "./batch.js";
export * from "./simulate-quality.js";
