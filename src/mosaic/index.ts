// Public API of the mosaic toolkit.
export * from './mask.js';
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
export { registerMosaicCommands } from './cli.js';
