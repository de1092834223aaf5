// Training state beside the networks: optimizer moments and everything an exact resume needs.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { encodeSafetensors, readSafetensors } from '../io/safetensors.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { HostTensor } from '../io/host-tensor.js';
import type { Optimizer } from '../optim/optimizer.js';

export const trainStatePath = (dir: string, label: string | number) => join(dir, `${label}_train_state.safetensors`);

/**
 * Everything besides the weights that an exact resume needs: optimizer moments (tensors),
 * and JSON for epoch, step, scheduler, RNG and data-loader states and anything model-specific.
 */
export interface TrainState { json: Record<string, unknown>; optimizers: Record<string, Optimizer>; extraTensors?: Map<string, HostTensor> }

export async function saveTrainState(path: string, s: TrainState): Promise<void> {
  await writeFileAtomic(path, encodeTrainState(s));
}

/** The bytes saveTrainState writes (for a checkpoint saved as one set). */
export function encodeTrainState(s: TrainState): Uint8Array {
  const tensors = new Map<string, HostTensor>(s.extraTensors ?? []);
  const scalars: Record<string, Record<string, number>> = {};
  for (const [name, opt] of Object.entries(s.optimizers)) {
    const st = opt.stateDict();
    scalars[name] = st.scalars;
    for (const [k, t] of st.tensors) tensors.set(`optimizer_${name}.${k}`, t);
  }
  return encodeSafetensors(tensors, { format: 'img2img-train-state', state: s.json, optimizerScalars: scalars });
}

export async function loadTrainState(
  path: string, optimizers: Record<string, Optimizer>,
): Promise<{ json: Record<string, unknown>; tensors: Map<string, HostTensor> }> {
  if (!existsSync(path)) throw new Error(`cannot resume: ${path} does not exist (was the run saved?)`);
  const { tensors, metadata } = await readSafetensors(path);
  if (metadata.format !== 'img2img-train-state') throw new Error(`${path} is not an img2img training state`);
  const scalars = metadata.optimizerScalars as Record<string, Record<string, number>>;
  for (const [name, opt] of Object.entries(optimizers)) {
    const prefix = `optimizer_${name}.`;
    const own = new Map([...tensors].filter(([k]) => k.startsWith(prefix)).map(([k, t]) => [k.slice(prefix.length), t]));
    if (!scalars?.[name]) throw new Error(`${path}: no optimizer state for ${name}`);
    opt.loadStateDict({ scalars: scalars[name], tensors: own });
  }
  return { json: metadata.state as Record<string, unknown>, tensors };
}
