// Public API of mosaic restoration (docs/restoration.md).
export * from './metrics.js';
export * from './settings.js';
export * from './regions.js';
export * from './apply.js';
export * from './model.js';
export * from './files.js';
export * from './train.js';
export * from './baseline.js';
export * from './residual.js';
export * from './smooth.js';
export * from './ensemble.js';
export { train, trainSchema, apply, applySchema, type TrainOptions, type ApplyOptions } from './job.js';
