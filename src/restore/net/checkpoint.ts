// Restorer files: one .safetensors holding the weights and, for a training checkpoint, the
// optimizer moments and the training state too. One file is one atomic rename, so a checkpoint
// can never mix steps (weights from one save, moments from another).
import { existsSync } from 'node:fs';
import { readSafetensors, writeSafetensors } from '../../io/safetensors.js';
import type { HostTensor } from '../../io/host-tensor.js';
import { toFloat32 } from '../../io/dtype.js';
import type { Adam } from '../../optim/adam.js';
import type { Module } from '../../nn/module.js';
import { MosaicRestorer, RestorerConfigSchema, type RestorerConfig } from './restorer.js';

export const RESTORER_FORMAT = 'img2img-restorer';

/** What a restorer file says about itself. */
export interface RestorerMeta {
  format: typeof RESTORER_FORMAT;
  config: RestorerConfig;
  /** Training steps behind these weights. */
  step: number;
  /** Free-form provenance: recipe, data, loss. */
  info?: Record<string, unknown>;
  /** Present in training checkpoints: what an exact resume needs besides the moments. */
  trainState?: Record<string, unknown>;
}

/** Training-only parts of a checkpoint, each under its own tensor-name prefix. */
export interface TrainingParts {
  /** The restorer's optimizer. */
  optimizer?: Adam;
  /** The adversarial fine-tune's discriminator and its optimizer. */
  discriminator?: Module;
  discriminatorOptimizer?: Adam;
}

const PREFIX = { optimizer: 'optimizer.', discriminator: 'discriminator.', discriminatorOptimizer: 'optimizer_D.' } as const;
const isTrainingTensor = (k: string) => Object.values(PREFIX).some((p) => k.startsWith(p));

export async function saveRestorer(path: string, net: MosaicRestorer, meta: Omit<RestorerMeta, 'format' | 'config'>, parts: TrainingParts = {}): Promise<void> {
  const tensors = new Map<string, HostTensor>(net.stateDict());
  const optimizerScalars: Record<string, Record<string, number>> = {};
  for (const key of ['optimizer', 'discriminatorOptimizer'] as const) {
    const opt = parts[key];
    if (!opt) continue;
    const st = opt.stateDict();
    for (const [k, t] of st.tensors) tensors.set(PREFIX[key] + k, t);
    optimizerScalars[key] = st.scalars;
  }
  if (parts.discriminator) for (const [k, t] of parts.discriminator.stateDict()) tensors.set(PREFIX.discriminator + k, t);
  const scalars = Object.keys(optimizerScalars).length ? { optimizerScalars } : {};
  await writeSafetensors(path, tensors, { format: RESTORER_FORMAT, config: net.config, ...meta, ...scalars });
}

type OptimizerState = { scalars: Record<string, number>; tensors: Map<string, HostTensor> };

export interface LoadedRestorer {
  net: MosaicRestorer;
  meta: RestorerMeta;
  /** Optimizer states by part ('optimizer', 'discriminatorOptimizer'), in training checkpoints. */
  optimizers: Partial<Record<'optimizer' | 'discriminatorOptimizer', OptimizerState>>;
  /** The discriminator's weights, in adversarial training checkpoints. */
  discriminator?: Map<string, HostTensor>;
}

/** Reads a restorer file; a file that is not one fails naming the path and what it holds. */
export async function loadRestorer(path: string): Promise<LoadedRestorer> {
  if (!existsSync(path)) throw new Error(`restoration model ${path} does not exist`);
  const { tensors, metadata } = await readSafetensors(path);
  if (metadata.format !== RESTORER_FORMAT) {
    const what = metadata.format === 'img2img-network' ? `a ${String((metadata as { kind?: string }).kind ?? 'network')} checkpoint of a GAN` : 'no restorer metadata';
    throw new Error(`${path} is not an img2img restoration model (${what})`);
  }
  const parsed = RestorerConfigSchema.safeParse(metadata.config);
  if (!parsed.success) throw new Error(`${path}: bad restorer config: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const net = new MosaicRestorer(parsed.data);
  net.loadStateDict(new Map([...tensors].filter(([k]) => !isTrainingTensor(k)).map(([k, t]) => [k, toFloat32(t)])), { source: path });
  const part = (prefix: string) => new Map([...tensors].filter(([k]) => k.startsWith(prefix)).map(([k, t]) => [k.slice(prefix.length), t]));
  let allScalars = (metadata.optimizerScalars ?? {}) as Record<string, Record<string, number>>;
  // Checkpoints of the first training runs kept the one optimizer's scalars at the top level.
  if (typeof (allScalars as Record<string, unknown>).t === 'number') allScalars = { optimizer: allScalars as unknown as Record<string, number> };
  const optimizers: LoadedRestorer['optimizers'] = {};
  for (const key of ['optimizer', 'discriminatorOptimizer'] as const) if (allScalars[key]) optimizers[key] = { scalars: allScalars[key], tensors: part(PREFIX[key]) };
  const d = part(PREFIX.discriminator);
  return {
    net,
    meta: { format: RESTORER_FORMAT, config: parsed.data, step: Number(metadata.step ?? 0), info: metadata.info as Record<string, unknown> | undefined, trainState: metadata.trainState as Record<string, unknown> | undefined },
    optimizers,
    ...(d.size ? { discriminator: d } : {}),
  };
}
