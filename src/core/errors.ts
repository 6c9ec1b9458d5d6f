/**
 * Typed, actionable errors. Every message says what was found and what was expected;
 * `hint` says what the user should do about it. Callers (CLI, notebooks) print both.
 */
export class LimiqcError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(hint ? `${message}\n  → ${hint}` : message);
    this.name = new.target.name;
  }
}

/** The file is not a readable TIFF (bad magic, truncated, offsets past the end). */
export class CorruptFileError extends LimiqcError {}
/** The file is a valid TIFF but uses a compression, sample format or layout limiqc cannot decode. */
export class UnsupportedFormatError extends LimiqcError {}
/** Image dimensions are impossible or do not match what the analysis needs (2D given where 3D is required, ...). */
export class DimensionError extends LimiqcError {}
/** The physical pixel/voxel size is missing but the measurement needs micrometres. */
export class MissingPixelSizeError extends LimiqcError {}
/** A required metadata item (wavelength, NA, ...) is missing. */
export class MissingMetadataError extends LimiqcError {}
/** Too much of the signal is clipped at the detector's maximum to measure honestly. */
export class SaturationError extends LimiqcError {}
/** Not enough usable data (no beads found, too few points for a fit, ...). */
export class InsufficientDataError extends LimiqcError {}
/** A fit did not converge or produced non-finite parameters. */
export class FitError extends LimiqcError {}
/** An argument is out of its valid range (negative sigma, NA above the immersion index, ...). */
export class InvalidArgumentError extends LimiqcError {}
