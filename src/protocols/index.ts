export * from "./types.js";
export * from "./load.js";
export * from "./checklist.js";
export * from "./verdict.js";
export * from "./bit-depth.js";
