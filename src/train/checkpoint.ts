import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors, writeSafetensors } from '../io/safetensors.js';
import type { HostTensor } from '../io/host-tensor.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';

/** Metadata every network file carries, so it loads with no architecture flags. */
export interface NetworkMeta {
  format: 'img2img-network';
  /** G, D, G_A, G_B, D_A, D_B. */
  role: string;
  /** 'generator' or 'discriminator'. */
  kind: 'generator' | 'discriminator';
  /** The architecture config (models/networks.ts schemas). */
  config: Record<string, unknown>;
  model: string;
  epoch: number;
  step: number;
}

/** File of one network: CHECKPOINTS/NAME/{latest,EPOCH}_net_ROLE.safetensors (the reference's layout). */
export const networkPath = (dir: string, label: string | number, role: string) => join(dir, `${label}_net_${role}.safetensors`);
export const trainStatePath = (dir: string, label: string | number) => join(dir, `${label}_train_state.safetensors`);

export async function saveNetwork(path: string, net: Module, meta: NetworkMeta): Promise<void> {
  await writeSafetensors(path, net.stateDict(), { ...meta });
}

export interface LoadedNetwork { tensors: Map<string, HostTensor>; meta: NetworkMeta }

/** Reads a network file; fails with the path when it is not one of ours. */
export async function readNetwork(path: string): Promise<LoadedNetwork> {
  if (!existsSync(path)) throw new Error(`checkpoint ${path} does not exist`);
  const { tensors, metadata } = await readSafetensors(path);
  if (metadata.format !== 'img2img-network') {
    throw new Error(`${path} is not an img2img network checkpoint (no img2img metadata); for a PyTorch .pth file give the architecture flags (--netG, --norm, --ngf)`);
  }
  return { tensors, meta: metadata as unknown as NetworkMeta };
}

/**
 * Everything besides the weights that an exact resume needs: optimizer moments (tensors),
 * and JSON for epoch, step, scheduler, RNG and data-loader states and anything model-specific.
 */
export interface TrainState { json: Record<string, unknown>; optimizers: Record<string, Optimizer>; extraTensors?: Map<string, HostTensor> }

export async function saveTrainState(path: string, s: TrainState): Promise<void> {
  const tensors = new Map<string, HostTensor>(s.extraTensors ?? []);
  const scalars: Record<string, Record<string, number>> = {};
  for (const [name, opt] of Object.entries(s.optimizers)) {
    const st = opt.stateDict();
    scalars[name] = st.scalars;
    for (const [k, t] of st.tensors) tensors.set(`optimizer_${name}.${k}`, t);
  }
  await writeSafetensors(path, tensors, { format: 'img2img-train-state', state: s.json, optimizerScalars: scalars });
}

export async function loadTrainState(path: string, optimizers: Record<string, Optimizer>): Promise<{ json: Record<string, unknown>; tensors: Map<string, HostTensor> }> {
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
