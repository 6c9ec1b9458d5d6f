/**
 * "Original bit depth kept" (WG11/12 publication; checklist check `original-bit-depth`): judged against the
 * detector's bit depth from the metadata, not against a fixed minimum (an honest 8-bit camera image keeps its
 * original depth). The acquisition check `bit-depth` ("acquire at ≥ minBits") is a different question.
 * @module
 */
import type { PixelType } from "../io/metadata.js";

/** Bits per stored sample of each pixel type (used when the metadata gives the type but not bitsPerSample). */
const BITS_OF_TYPE: Readonly<Record<PixelType, number>> = { uint8: 8, int8: 8, uint16: 16, int16: 16, uint32: 32, int32: 32, float32: 32, float64: 64 };
/** Storage depth at or below which the file may be a reduced copy (8-bit export of camera data). */
const LOW_STORAGE_BITS = 8;

/** What the metadata says of the storage and the detector depth (a subset of AcquisitionMetadata / AcquisitionFacts). */
export interface BitDepthFacts {
  /** Bits per stored sample (8, 16, 32, 64). */
  readonly bitsPerSample?: number;
  /** Storage type, used when bitsPerSample is absent (sidecar OME-XML). */
  readonly pixelType?: PixelType;
  /** Detector bit depth (OME Pixels@SignificantBits), e.g. 12 for a 12-bit camera stored in uint16. */
  readonly significantBits?: number;
}

/** Answer of the bit-depth item with the evidence shown to the user. */
export interface BitDepthJudgement {
  /** pass: kept; warn: 8-bit file, detector depth unknown; fail: stored below the detector depth; open: storage depth unknown. */
  readonly answer: "pass" | "warn" | "fail" | "open";
  readonly evidence: string;
}

/**
 * Whether a file keeps the original bit depth of its detector.
 * @param facts - Storage bits (bitsPerSample, or the pixel type) and the detector bit depth (significantBits) if known.
 * @returns fail when the stored depth is below the detector's (a reduced copy); pass when it holds the detector depth,
 *   or the file is 16/32/64-bit; warn for an 8-bit (or smaller) file whose detector depth is unknown, asking the user
 *   to confirm 8 bits is the detector's native depth; open when the storage depth is unknown.
 * Notes: the detector depth is OME SignificantBits. Some writers set it to the storage depth by default, so an 8-bit
 * file stating 8 significant bits passes with a reminder in the evidence. Never throws.
 * @see Schmied C. et al., Nat Methods 21:170 (2024), doi:10.1038/s41592-023-01987-9 (image availability: share the
 *   original data losslessly); OME Data Model 2016-06, Pixels@SignificantBits.
 * @example judgeOriginalBitDepth({ bitsPerSample: 8, significantBits: 12 }).answer; // "fail"
 */
export function judgeOriginalBitDepth(facts: BitDepthFacts): BitDepthJudgement {
  const stored = facts.bitsPerSample ?? (facts.pixelType ? BITS_OF_TYPE[facts.pixelType] : undefined);
  const detector = facts.significantBits;
  if (stored === undefined) return { answer: "open", evidence: "The storage bit depth is unknown (no pixel type in the metadata): check that the shared file has the detector's bit depth." };
  if (detector !== undefined) {
    if (stored < detector) {
      return { answer: "fail", evidence: `Stored as ${stored}-bit but the detector recorded ${detector} bits: this is a reduced copy. Share the original ${detector}-bit data.` };
    }
    const reminder = stored === detector && stored <= LOW_STORAGE_BITS ? " (some software writes the storage depth here by default: if the camera recorded more bits, share the original)" : "";
    return { answer: "pass", evidence: `${stored}-bit storage holds the ${detector}-bit detector data stated in the metadata${reminder}.` };
  }
  if (stored <= LOW_STORAGE_BITS) {
    return {
      answer: "warn",
      evidence: `${stored}-bit file and the metadata do not give the detector's bit depth: confirm that ${stored} bits is the detector's native depth (most scientific cameras and PMT systems record 12–16 bits); otherwise share the original data.`,
    };
  }
  return { answer: "pass", evidence: `${stored}-bit storage (detector depth not stated; ${stored} bits hold any common detector's range).` };
}
