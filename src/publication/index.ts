/**
 * WG11/12 publication standards (Schmied et al. 2024): the image-publishing and image-analysis checklists with
 * automatic answers (from the image metadata, or from a limiqc result record's provenance) and Markdown/JSON reports.
 * @module
 */
export * from "./checklist.js";
export * from "./analysis.js";
export * from "./file.js";
