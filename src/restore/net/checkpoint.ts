// Restorer files: one .safetensors holding the weights and, for a training checkpoint, the
// optimizer moments and the training state too. One file is one atomic rename, so a checkpoint
// can never mix steps (weights from one save, moments from another).
import { existsSync } from 'node:fs';
import { readSafetensors, writeSafetensors } from '../../io/safetensors.js';
import type { HostTensor } from '../../io/host-tensor.js';
import { toFloat32 } from '../../io/dtype.js';
import type { Adam } from '../../train/optim/adam.js';
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

const OPT_PREFIX = 'optimizer.';

export async function saveRestorer(path: string, net: MosaicRestorer, meta: Omit<RestorerMeta, 'format' | 'config'>, optimizer?: Adam): Promise<void> {
  const tensors = new Map<string, HostTensor>(net.stateDict());
  let optimizerScalars: Record<string, number> | undefined;
  if (optimizer) {
    const st = optimizer.stateDict();
    for (const [k, t] of st.tensors) tensors.set(OPT_PREFIX + k, t);
    optimizerScalars = st.scalars;
  }
  await writeSafetensors(path, tensors, { format: RESTORER_FORMAT, config: net.config, ...meta, ...(optimizerScalars ? { optimizerScalars } : {}) });
}

export interface LoadedRestorer { net: MosaicRestorer; meta: RestorerMeta; optimizerState?: { scalars: Record<string, number>; tensors: Map<string, HostTensor> } }

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
  const weights = new Map([...tensors].filter(([k]) => !k.startsWith(OPT_PREFIX)).map(([k, t]) => [k, toFloat32(t)]));
  net.loadStateDict(weights, { source: path });
  const opt = new Map([...tensors].filter(([k]) => k.startsWith(OPT_PREFIX)).map(([k, t]) => [k.slice(OPT_PREFIX.length), t]));
  const scalars = metadata.optimizerScalars as Record<string, number> | undefined;
  return {
    net,
    meta: { format: RESTORER_FORMAT, config: parsed.data, step: Number(metadata.step ?? 0), info: metadata.info as Record<string, unknown> | undefined, trainState: metadata.trainState as Record<string, unknown> | undefined },
    optimizerState: scalars && opt.size ? { scalars, tensors: opt } : undefined,
  };
}
