/** Modules and layers with PyTorch-compatible state_dict names. */
export * from './parameter.js';
export * from './module.js';
export * from './layers.js';
export * from './init.js';
export { bakeParameters } from './bake.js';
