/**
 * img2img as a library. Each area is a namespace:
 *
 *   import { graph, nn, models, mosaic, restore } from 'img2img';
 *   const G = models.defineG({ netG: 'unet_256' });
 */
export * as graph from './graph/index.js';
export * as nn from './nn/index.js';
export * as models from './models/index.js';
export * as mosaic from './mosaic/index.js';
export * as plot from './plot/index.js';
export * as cam from './cam/index.js';
export * as classifier from './classifier/index.js';
export * as restore from './restore/index.js';
export { CompiledGraph, runtimeDefaults, type RuntimeOptions } from './runtime/session.js';
export { Step, type StepSpec } from './runtime/step.js';
export { Adam } from './optim/adam.js';
export { Sgd } from './optim/sgd.js';
export { Pix2PixModel } from './train/pix2pix.js';
export { CycleGanModel } from './train/cycle-gan.js';
export { trainLoop } from './train/trainer.js';
export { buildModel } from './train/build.js';
export { runTraining } from './cli/train-command.js';
export { loadGenerator } from './inference/load-generator.js';
export { Translator } from './inference/translator.js';
export { readImage, writeImage, imageToCHW, chwToImage, type Image } from './data/image.js';
export { readSafetensors, writeSafetensors } from './io/safetensors.js';
export { loadPth } from './io/pth.js';
export { Rng } from './util/rng.js';
