/**
 * Fitting: Levenberg–Marquardt, Gaussian peaks (1D/2D/3D), linear/polynomial/surface least
 * squares and robust statistics.
 * @module
 */
export * from "./gaussian.js";
export * from "./linear.js";
export * from "./lm.js";
export * from "./robust.js";
