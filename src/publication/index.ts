/**
 * WG11/12 publication standards: the image-publishing checklist with automatic answers and a Markdown report.
 * @module
 */
export * from "./checklist.js";
