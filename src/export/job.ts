// The `export` job: a generator (our .safetensors, or a reference .pth with its architecture) or
// a restorer (a shipped one by name, or a restorer file) as a self-contained ONNX inference model
// (onnx-export.ts), written atomically, and checked: onnxruntime-node on the written bytes against
// the engine at two sizes.
import { readFileSync, existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { z } from 'zod';
import type { Image } from '../data/image-core.js';
import { writeFileAtomic } from '../io/atomic.js';
import { readSafetensors } from '../io/safetensors.js';
import { loadGenerator } from '../inference/load-generator.js';
import { Translator } from '../inference/translator.js';
import { imageToCHW } from '../data/image-tensor.js';
import { TRAIN_OPTIONS_FILE } from '../models/checkpoint.js';
import { GeneratorConfig, GENERATOR_NAMES } from '../models/networks.js';
import { createMask } from '../mosaic/mask.js';
import { applyMosaic } from '../mosaic/mosaic.js';
import { fillRect } from '../mosaic/shapes.js';
import { syntheticImage } from '../mosaic/synthetic.js';
import { loadRestorer, RESTORER_FORMAT } from '../restore/net/checkpoint.js';
import { RestorerRunner } from '../restore/net/runner.js';
import { regionsFromBoxes } from '../restore/regions.js';
import { restoreRegions } from '../restore/restore-image.js';
import { resolveModel, SHIPPED_MODEL_NAMES } from '../restore/shipped.js';
import { runtimeOptions, runtimeSchema } from '../runtime/options.js';
import type { RuntimeOptions } from '../runtime/session.js';
import { parseOptions } from '../util/options.js';
import { exportGenerator, exportRestorer, type ExportedModel } from './onnx-export.js';
import { describeSizeRule, paddedSide, type ModelInfo } from './model-info.js';
import { openOnnx } from './ort-node.js';
import { onnxAreaRestorer, toChannels, translateCHW } from './run-onnx.js';

const gc = GeneratorConfig.shape;

export const exportSchema = z.object({
  /** Generator (*_net_G*.safetensors, or a reference .pth with netG/norm/ngf), a restorer file, or a shipped restorer's name. */
  checkpoint: z.string().min(1),
  /** The .onnx file to write. */
  output: z.string().min(1).refine((p) => extname(p).toLowerCase() === '.onnx', { message: 'expected a file name ending in .onnx' }),
  /** .pth only: the architecture, as translate takes it. */
  netG: z.enum(GENERATOR_NAMES).optional(),
  norm: gc.norm,
  ngf: gc.ngf,
  inputNc: gc.inputNc,
  outputNc: gc.outputNc,
  dropout: gc.useDropout,
  /** What the generator maps (written into the metadata); default: from train_opt.json beside the checkpoint, else AtoB. */
  direction: z.enum(['AtoB', 'BtoA']).optional(),
  /** Generators: export at this fixed size "HxW" instead of symbolic height and width. */
  size: z.string().regex(/^\d+x\d+$/, { message: "expected 'HEIGHTxWIDTH', e.g. 256x256" }).optional(),
  /** Run the written file on onnxruntime-node beside the engine at two sizes and report the largest difference. */
  verify: z.boolean().default(true),
  runtime: runtimeSchema,
}).strict();
export type ExportOptions = z.input<typeof exportSchema>;

export interface ExportResult {
  output: string;
  info: ModelInfo;
  /** The size rule in words. */
  sizeRule: string;
  nodeCount: number;
  bytes: number;
  fixedBecause?: string;
  /** With verify: the sizes checked (W x H) and the largest difference to the engine, in grey levels (before rounding for generators, of the 8-bit result for restorers). */
  verified?: { sizes: string[]; maxDifference: number };
}

const maxDiff = (a: Image, b: Image): number => {
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
};

/** The training options beside a checkpoint (CHECKPOINTS/NAME/train_opt.json), or null. */
function trainOptionsBeside(path: string): Record<string, unknown> | null {
  const p = join(dirname(path), TRAIN_OPTIONS_FILE);
  try {
    return existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')) : null;
  } catch {
    return null;
  }
}

async function verifyGenerator(model: ExportedModel, net: import('../nn/module.js').Module, config: GeneratorConfig, runtime: RuntimeOptions): Promise<ExportResult['verified']> {
  const rule = model.info.size;
  const sizes: [number, number][] = rule.dynamic
    ? [[rule.min, rule.min + rule.multiple], [paddedSide(rule.min + 3, rule.multiple, rule.min) - 5, rule.min + 1]]
    : [[rule.width, rule.height]];
  const session = await openOnnx(model.bytes, runtime);
  const translator = new Translator(net, config, true, runtime);
  let worst = 0;
  try {
    for (const [w, h] of sizes) {
      const src = toChannels(syntheticImage(w, h, w * 31 + h), config.inputNc);
      const x = imageToCHW(src);
      const engine = await translator.run(x.data, [1, ...x.shape]);
      const onnx = await translateCHW(session.run, model.info, x.data, h, w);
      // In grey levels of the 8-bit output: (y + 1) * 127.5.
      for (let i = 0; i < engine.length; i++) worst = Math.max(worst, Math.abs(engine[i] - onnx[i]) * 127.5);
    }
  } finally {
    await translator.release();
    await session.release();
  }
  return { sizes: sizes.map(([w, h]) => `${w}x${h}`), maxDifference: worst };
}

async function verifyRestorer(model: ExportedModel, runner: RestorerRunner, runtime: RuntimeOptions): Promise<ExportResult['verified']> {
  const session = await openOnnx(model.bytes, runtime);
  let worst = 0;
  const sizes: string[] = [];
  try {
    for (const [w, h, box, block] of [[160, 120, { x: 30, y: 20, w: 64, h: 48 }, 8], [230, 170, { x: 50, y: 40, w: 120, h: 90 }, 6]] as const) {
      const img = applyMosaic(syntheticImage(w, h, w + h), fillRect(createMask(w, h), box), { blockSize: block }).image;
      const regions = regionsFromBoxes([box], w, h);
      const engine = await restoreRegions(img, regions, { runner });
      const onnx = await restoreRegions(img, regions, { runner: onnxAreaRestorer(session.run) });
      worst = Math.max(worst, maxDiff(engine.image, onnx.image));
      sizes.push(`${w}x${h} (region ${box.w}x${box.h})`);
    }
  } finally {
    await session.release();
  }
  return { sizes, maxDifference: worst };
}

/**
 * Exports a generator or restorer as ONNX (opset 17, eval mode, weights inside, metadata saying
 * what it is and which sizes it takes). Generators: input 'input' [1, C, H, W] in [-1, 1], output
 * 'output'; restorers: the window graph (onnx-export.ts exportRestorer).
 */
export async function exportModel(options: ExportOptions): Promise<ExportResult> {
  const o = parseOptions(exportSchema, 'export', options);
  const runtime = runtimeOptions(o.runtime);
  const path = resolveModel(o.checkpoint);
  if (!existsSync(path)) throw new Error(`checkpoint ${o.checkpoint} does not exist${(SHIPPED_MODEL_NAMES as readonly string[]).includes(o.checkpoint) ? ' (the shipped model is missing: an incomplete install?)' : ''}`);
  const fixedSize = o.size ? (o.size.split('x').map(Number) as [number, number]) : undefined;
  const isRestorer = extname(path) === '.safetensors' && (await readSafetensors(path)).metadata.format === RESTORER_FORMAT;
  let model: ExportedModel;
  let verified: ExportResult['verified'];
  if (isRestorer) {
    if (fixedSize) throw new Error('size applies to generators; a restorer is exported with symbolic window sizes');
    const { net, meta } = await loadRestorer(path);
    model = exportRestorer(net, { source: basename(path), training: { step: meta.step, ...(meta.info ?? {}) } });
    if (o.verify) {
      const runner = new RestorerRunner(net, runtime);
      try {
        verified = await verifyRestorer(model, runner, runtime);
      } finally {
        await runner.release();
      }
    }
  } else {
    const gen = await loadGenerator(path, { netG: o.netG, norm: o.norm, ngf: o.ngf, inputNc: o.inputNc, outputNc: o.outputNc, useDropout: o.dropout });
    const training = trainOptionsBeside(path);
    const trained = typeof training?.direction === 'string' ? training.direction : undefined;
    // A CycleGAN's G_B maps the other way.
    const flipped = trained && /_net_G_B\b/.test(basename(path)) ? (trained === 'AtoB' ? 'BtoA' : 'AtoB') : trained;
    model = exportGenerator(gen.net, gen.config, { source: basename(path), training, direction: o.direction ?? flipped ?? 'AtoB', fixedSize });
    if (o.verify) verified = await verifyGenerator(model, gen.net, gen.config, runtime);
  }
  await writeFileAtomic(o.output, model.bytes);
  return {
    output: o.output, info: model.info, sizeRule: describeSizeRule(model.info.size, model.info.kind), nodeCount: model.nodeCount, bytes: model.bytes.length,
    ...(model.fixedBecause ? { fixedBecause: model.fixedBecause } : {}), ...(verified ? { verified } : {}),
  };
}
