/**
 * img2img as a library. The jobs (what the CLI runs) take one options object each, validated by
 * its zod schema (defaults written once, errors naming the option):
 *
 *   import { train, restore } from 'img2img';
 *   await train({ model: 'pix2pix', dataroot: 'datasets/facades', name: 'facades', direction: 'BtoA' });
 *   await restore.apply({ inputs: ['photo.png'], output: 'restored.png', checkpoint: 'latest_net_G.safetensors', boxes: ['40,60,80,50'] });
 *
 * The building blocks are namespaces: graph, nn, models, optim, mosaic, restore, cam, ...
 */
export { train } from './train/job.js';
export { trainSchema, MODEL_DEFAULTS, MODELS, type TrainOptions, type TrainProgress } from './train/options.js';
export { test, testSchema, type TestOptions, type TestResult } from './train/test-job.js';
export { translate, translateSchema, type TranslateOptions, type TranslateResult } from './inference/job.js';
export { exportModel, exportSchema, type ExportOptions, type ExportResult } from './export/job.js';
export { serve, serveSchema, type ServeOptions, type RunningServer } from './server/job.js';
export { restoreJobHandler } from './server/restore-job.js';
export { InProcessJobRunner } from './jobs/in-process.js';
export { JobError, type JobRunner, type JobHandler, type JobStatus, type JobResult, type JobContext, type JobProgress, type JobOutput, type SubmitMeta } from './jobs/types.js';
export * as datasets from './data/job.js';
export * as demo from './demo/job.js';
export * as graph from './graph/index.js';
export * as nn from './nn/index.js';
export * as models from './models/index.js';
export * as optim from './optim/index.js';
export * as mosaic from './mosaic/index.js';
export * as plot from './plot/index.js';
export * as cam from './cam/index.js';
export * as classifier from './classifier/index.js';
export * as restore from './restore/index.js';
export * as video from './video/index.js';
export * as onnx from './export/index.js';
export * as jobs from './jobs/index.js';
export { OptionsError, type ProgressFn, type LogFn } from './util/options.js';
export { runtimeSchema, type RuntimeInput } from './runtime/options.js';
export { CompiledGraph, GraphDump, type RuntimeOptions } from './runtime/session.js';
export { nativeOrtUnavailable } from './runtime/ort-native.js';
export { Step, type StepSpec } from './runtime/step.js';
export { Adam } from './optim/adam.js';
export { Sgd } from './optim/sgd.js';
export { Pix2PixModel } from './train/pix2pix.js';
export { CycleGanModel } from './train/cycle-gan.js';
export { trainLoop } from './train/trainer.js';
export { buildModel } from './train/build.js';
export { loadGenerator } from './inference/load-generator.js';
export { Translator } from './inference/translator.js';
export { readImage, writeImage, imageToCHW, chwToImage, type Image } from './data/image.js';
export { listImages, expandInputs } from './data/file-list.js';
export { writeFileAtomic } from './io/atomic.js';
export { readSafetensors, writeSafetensors } from './io/safetensors.js';
export { loadPth } from './io/pth.js';
export { Rng } from './util/rng.js';
export { DEFAULT_MAX_IMAGE_PIXELS, DEFAULT_MAX_NETWORK_PIXELS, DEFAULT_MAX_MODEL_BYTES } from './util/limits.js';
export { LimitError, type ModelLimits } from './io/limits.js';
export { DEFAULT_EXTRACT_LIMITS, type ExtractLimits } from './data/extract.js';
