/**
 * WG7 metadata and provenance: the acquisition-metadata model, NBO-Q tiered completeness and plausibility,
 * QC export as OME-XML MapAnnotations / NBO-Q JSON, and a generated Materials & Methods paragraph.
 * @module
 */
export * from "./model.js";
export * from "./completeness.js";
export * from "./file.js";
export * from "./provenance.js";
export { METADATA_SAMPLE_OME_XML, METADATA_SAMPLE_TRUTH, writeMetadataSample } from "./samples.js";
