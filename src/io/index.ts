/**
 * Image I/O: TIFF / OME-TIFF / ImageJ TIFF reading (plane by plane, lazily) and writing (streamed, atomic).
 */
export {
  type ImageFile,
  type PlaneRecord,
  type PlaneStreamOptions,
  type ReadImageOptions,
  type TiffPageInfo,
  COMPRESSION_NAMES,
  SUPPORTED_COMPRESSIONS,
  TIFF_TAG,
  TiffFile,
  checkPageSupported,
  compressionLabel,
  openImageFile,
  readImage,
  voxelSizeFromMetadata,
} from "./tiff-reader.js";
export {
  type DimensionOrder,
  type ImageMetadata,
  type MetadataSource,
  type MicroscopeInfo,
  type ObjectiveInfo,
  type PhysicalSizeUm,
  type PixelType,
  DIMENSION_ORDERS,
  allocatePixels,
  bytesPerPixel,
  decodeUnicodeEscapes,
  lengthToUm,
  pixelTypeOf,
  planeIndex,
  sPerTimeUnit,
  umPerLengthUnit,
} from "./metadata.js";
export { type OmeTiffData, type OmeXmlInfo, buildOmeXml, cssColorToOme, isOmeXml, omeColorToCss, parseOmeXml } from "./ome-xml.js";
export {
  type ImageJDescriptionFields,
  type ImageJInfo,
  IMAGEJ_WRITER_VERSION,
  buildImageJDescription,
  isImageJDescription,
  parseImageJDescription,
} from "./imagej.js";
export {
  type ImageJTiffWriteOptions,
  type OmeTiffWriteOptions,
  type TiffResolution,
  type TiffStreamWriterOptions,
  type TiffWriteResult,
  type WriteTiffOptions,
  CLASSIC_TIFF_MAX_BYTES,
  TiffStreamWriter,
  needsBigTiff,
  rational,
  writeImageJTiff,
  writeOmeTiff,
  writeTiff,
} from "./tiff-writer.js";
export { type FileDescription, describeImageFile, formatFileDescription } from "./describe.js";
export { planeSeriesOf, readPlaneSeries, readTimeSeries } from "./series.js";
export { isTiffPath } from "./tiff-path.js";
