/**
 * Image views and fast kernels over typed arrays.
 *
 * Conventions for the whole library: layout x fastest, then y, then z (index = (z·ny + y)·nx + x);
 * pixel (voxel) centres sit at integer coordinates, so pixel x covers [x − 0.5, x + 0.5) and the
 * position in µm is coordinate × voxel size. Kernels never modify their inputs unless an `out`
 * buffer is passed explicitly; float results are Float32Array (Float64Array for Fourier data).
 */
export * from "./blur.js";
export * from "./centroid.js";
export * from "./fft.js";
export * from "./label.js";
export * from "./peaks.js";
export * from "./profile.js";
export * from "./project.js";
export * from "./roi.js";
export * from "./stats.js";
export * from "./types.js";
