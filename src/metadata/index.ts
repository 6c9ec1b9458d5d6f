/**
 * WG7 metadata and provenance: the acquisition-metadata model (image metadata completed by OME-XML or Micro-Meta App
 * sidecars), NBO-Q tiered completeness and plausibility judged against the protocol's acceptance criteria, QC export as
 * OME-XML MapAnnotations (stand-alone or embedded in the image's OME-XML) / NBO-Q JSON, and a generated Materials &
 * Methods paragraph.
 * @module
 */
export * from "./model.js";
export * from "./completeness.js";
export * from "./file.js";
export * from "./provenance.js";
export * from "./mma.js";
export * from "./merge.js";
export * from "./criteria.js";
export { METADATA_SAMPLE_MMA_HARDWARE, METADATA_SAMPLE_MMA_SETTINGS, METADATA_SAMPLE_OME_XML, METADATA_SAMPLE_TRUTH, writeMetadataSample } from "./samples.js";
