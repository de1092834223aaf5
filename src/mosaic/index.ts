// Public API of the mosaic toolkit.
export * from './mask.js';
export * from './mask-file.js';
export * from './shapes.js';
export * from './blocks.js';
export * from './block-size.js';
export * from './feather.js';
export * from './pixelate.js';
export * from './mosaic.js';
export * from './components.js';
export * from './locate.js';
export * from './pairs.js';
export { mosaicFiles, type AddOptions } from './add.js';
export {
  camRegionSource, heatmapToMask, dilateMask, type CamRegionSource, type CamRegionOptions, type HeatmapMaskOptions, type RegionChoice,
} from './cam-regions.js';
export { autoMosaicFiles, type AutoMosaicOptions, type AutoMosaicResult } from './auto.js';
export {
  add, addSchema, auto, autoSchema, locate, locateSchema, pairs, pairsSchema,
  type AddJobOptions, type AutoJobOptions, type LocateJobOptions, type LocateFileResult,
} from './job.js';
