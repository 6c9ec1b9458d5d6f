/**
 * Optics: theoretical resolution, Nyquist sampling, immersion media and PSF width constants.
 * @module
 */
export * from "./constants.js";
export * from "./immersion.js";
export * from "./nyquist.js";
export * from "./resolution.js";
