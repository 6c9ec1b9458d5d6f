export * from "./core/index.js";
export * from "./image/types.js";
export * from "./optics/constants.js";
