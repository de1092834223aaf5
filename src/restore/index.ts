// Public API of mosaic restoration (docs/restoration.md).
export * from './metrics.js';
export * from './regions.js';
export * from './grid.js';
export * from './classical.js';
export * from './paste.js';
export * from './restore-image.js';
export * from './files.js';
export * from './shipped.js';
export * from './net/restorer.js';
export * from './net/checkpoint.js';
export { RestorerRunner } from './net/runner.js';
export * from './net/tiles.js';
export * from './net/features.js';
export * from './net/ensemble.js';
export { trainRestorer, RestorerTrainSchema, learningRate, type RestorerTrainOptions, type RestorerProgress, type RestorerTrainResult } from './net/train.js';
export { apply, applySchema, modelPath, RESTORE_METHODS, type ApplyOptions } from './job.js';
