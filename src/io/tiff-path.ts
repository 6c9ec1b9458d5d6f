/** Whether a file name is a TIFF by its extension (.tif, .tiff, including .ome.tif), case-insensitive. */
export function isTiffPath(name: string): boolean {
  return TIFF_NAME.test(name);
}

const TIFF_NAME = /\.tiff?$/i;
