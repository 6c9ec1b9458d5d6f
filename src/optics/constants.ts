/** FWHM of a Gaussian in units of its standard deviation: 2·√(2·ln 2) ≈ 2.35482. */
export const FWHM_PER_SIGMA: number = 2 * Math.sqrt(2 * Math.LN2);

export function fwhmToSigma(fwhm: number): number {
  return fwhm / FWHM_PER_SIGMA;
}

export function sigmaToFwhm(sigma: number): number {
  return sigma * FWHM_PER_SIGMA;
}
