// limiqc public API. Each module's index re-exports its public names; names must be unique across modules.
export * from "./core/index.js";
export * from "./image/index.js";
export * from "./fit/index.js";
export * from "./optics/index.js";
export * from "./io/index.js";
export * from "./simulate/index.js";
export * from "./notebook/index.js";
export * from "./protocols/index.js";
export * from "./samples/index.js";
export * from "./resolution/index.js";
export * from "./uniformity/index.js";
export * from "./coregistration/index.js";
export * from "./metadata/index.js";
export * from "./quality/index.js";
export * from "./publication/index.js";
