// The `translate` job: a generator on any image files and folders, at their own sizes.
import { basename, extname, join } from 'node:path';
import { z } from 'zod';
import { expandInputs } from '../data/file-list.js';
import { readImage, writeImage, imageToCHW, chwToImage, type Channels } from '../data/image.js';
import { GeneratorConfig, GENERATOR_NAMES } from '../models/networks.js';
import { runtimeOptions, runtimeSchema } from '../runtime/options.js';
import { forEachFile } from '../util/batch.js';
import { outputIsFolder } from '../data/output-path.js';
import { batchHooks, inputList, int, parseOptions } from '../util/options.js';
import { maxImagePixelsField, maxModelBytesField, maxNetworkPixelsField } from '../util/limits.js';
import { loadGenerator } from './load-generator.js';
import { Translator } from './translator.js';
import { NORM_STATS } from './tiled.js';
import { translateVideos, videoInputs } from '../video/jobs.js';
import { videoFields } from '../video/options.js';
import type { VideoResult } from '../video/pipeline.js';

const g = GeneratorConfig.shape;

export const translateSchema = z.object({
  /** Image files or folders. */
  inputs: inputList,
  /** Output folder (or an image file for a single input). */
  output: z.string().min(1),
  /** Generator: *_net_G*.safetensors (self-describing) or a reference .pth with netG/norm/ngf. */
  checkpoint: z.string().min(1),
  /** Eval mode: BatchNorm running statistics, no dropout. */
  eval: z.boolean().default(false),
  /** .pth only: the architecture. */
  netG: z.enum(GENERATOR_NAMES).optional(),
  norm: g.norm,
  ngf: g.ngf,
  inputNc: g.inputNc,
  outputNc: g.outputNc,
  /** .pth only: whether the generator was built with dropout. */
  dropout: g.useDropout,
  /** Seed of dropout when not in eval mode. */
  seed: int(0).default(0),
  /**
   * Largest image, in pixels (after padding to the generator's multiple), that runs whole; larger
   * ones run in overlapping tiles so memory stays bounded (default: about 1 GB of activations:
   * 655360 for ResNet generators, 2097152 for U-Nets).
   */
  maxPixels: int(0).optional(),
  /** Tile side, px (default 512; 768 for unet_256); rounded up to the generator's multiple. */
  tile: int(8).optional(),
  /** Least overlap of neighbouring tiles, px, blended linearly (default 64; 256 for unet_256). */
  tileOverlap: int(0).optional(),
  /** Tiled runs: InstanceNorm (and BatchNorm without eval) statistics of the whole image (one extra pass) or of each tile. */
  normStats: z.enum(NORM_STATS).default('image'),
  ...videoFields,
  /** Limits: images decoded, images the generator runs on (H x W), the checkpoint file. */
  maxImagePixels: maxImagePixelsField,
  maxNetworkPixels: maxNetworkPixelsField,
  maxModelBytes: maxModelBytesField,
  runtime: runtimeSchema,
  ...batchHooks,
}).strict();
export type TranslateOptions = z.input<typeof translateSchema>;

export interface TranslateResult { outputs: string[]; videos?: VideoResult[] }

/**
 * Runs a generator on images of any size (padded to what the architecture needs, cropped back).
 * Outputs are PNG files named after the inputs (or `output` itself for one input file).
 */
export async function translate(options: TranslateOptions): Promise<TranslateResult> {
  const o = parseOptions(translateSchema, 'translate', options);
  const flags = { netG: o.netG, norm: o.norm, ngf: o.ngf, inputNc: o.inputNc, outputNc: o.outputNc, useDropout: o.dropout };
  const gen = await loadGenerator(o.checkpoint, flags, { maxBytes: o.maxModelBytes });
  const videos = await videoInputs(o.inputs, o.output);
  const { files, hadFolder } = await expandInputs(o.inputs);
  if (files.length === 0) throw new Error(`no images found in ${o.inputs.join(', ')}`);
  const singleFile = !outputIsFolder(o.output, files.length, hadFolder);
  const translator = new Translator(gen.net, gen.config, o.eval, runtimeOptions(o.runtime), o.seed,
    { maxPixels: o.maxPixels, tile: o.tile, overlap: o.tileOverlap, normStats: o.normStats }, o.maxNetworkPixels);
  try {
    if (videos.length) {
      const done = await translateVideos(videos, o.output, translator, { job: 'translate', checkpoint: o.checkpoint, eval: o.eval, seed: o.seed }, o);
      return { outputs: done.map((v) => v.output), videos: done };
    }
    const outputs = await forEachFile(files, async ({ path }) => {
      const img = await readImage(path, { channels: gen.config.inputNc as Channels, maxPixels: o.maxImagePixels });
      const x = imageToCHW(img);
      const y = await translator.run(x.data, [1, ...x.shape], path);
      const out = chwToImage({ shape: [gen.config.outputNc, img.height, img.width], data: y });
      const target = singleFile ? o.output : join(o.output, `${basename(path, extname(path))}.png`);
      await writeImage(target, out);
      return target;
    }, o);
    return { outputs };
  } finally {
    await translator.release();
  }
}
