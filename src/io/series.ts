/**
 * Plane series of QC acquisitions (power stability time-lapses, stage repeatability series) as one view.
 */
import type { ImageView } from "../image/types.js";
import { type ImageFile, openImageFile } from "./tiff-reader.js";

/**
 * Reads a time-lapse stored with T > 1 and Z = 1 as one [T, ny, nx] view of channel 0.
 * @param file - An open image file.
 * @returns The series; voxel size [1, dy, dx] µm when the lateral pixel size is known (the first entry is a frame
 *   index, not a length), the detector bit depth when the file states it.
 * @throws CorruptFileError / UnsupportedFormatError as {@link ImageFile.readPlane}.
 * @example const series = await readTimeSeries(await openImageFile("power-stability.ome.tif")); // shape [T, ny, nx]
 */
export async function readTimeSeries(file: ImageFile): Promise<ImageView> {
  const m = file.metadata;
  const plane = m.sizeX * m.sizeY;
  const first = await file.readPlane(0, 0, 0);
  const Ctor = first.constructor as new (n: number) => typeof first;
  const data = new Ctor(plane * m.sizeT);
  data.set(first as never, 0);
  for (let t = 1; t < m.sizeT; t++) data.set((await file.readPlane(0, 0, t)) as never, t * plane);
  const px = m.physicalSizeUm;
  return {
    data,
    shape: [m.sizeT, m.sizeY, m.sizeX],
    ...(m.significantBits ? { bitDepth: m.significantBits } : {}),
    ...(px?.x && px.y ? { voxelSizeUm: [1, px.y, px.x] as [number, number, number] } : {}),
  };
}

/**
 * A QC plane series from an open file, whichever way the acquisition software stored it: a time-lapse (T > 1, Z = 1)
 * as [T, ny, nx], otherwise the z-stack of channel 0 at time point 0 (series saved as Z).
 * @param file - An open image file.
 * @returns The series as one view.
 * @throws CorruptFileError / UnsupportedFormatError as {@link ImageFile.readStack}.
 * @example const series = await planeSeriesOf(await openImageFile("stage-repeatability.ome.tif"));
 */
export async function planeSeriesOf(file: ImageFile): Promise<ImageView> {
  const stack = await file.readStack(0, 0);
  return file.metadata.sizeT > 1 && stack.shape[0] === 1 ? readTimeSeries(file) : stack;
}

/**
 * {@link planeSeriesOf} of a file path (opened and closed here).
 * @param path - TIFF / OME-TIFF / ImageJ TIFF file.
 * @returns The series as one view.
 * @throws InvalidArgumentError, CorruptFileError, UnsupportedFormatError as {@link openImageFile}.
 * @example const series = await readPlaneSeries("stage-repeatability.ome.tif");
 */
export async function readPlaneSeries(path: string): Promise<ImageView> {
  const file = await openImageFile(path);
  try {
    return await planeSeriesOf(file);
  } finally {
    await file.close();
  }
}
