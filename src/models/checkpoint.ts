// Network files of an experiment (CHECKPOINTS/NAME/{latest,EPOCH}_net_ROLE.safetensors, the
// reference's layout) with their architecture in the metadata, and the experiment's options file.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeSafetensors, readSafetensors, writeSafetensors } from '../io/safetensors.js';
import type { HostTensor } from '../io/host-tensor.js';
import type { ModelLimits } from '../io/limits.js';
import type { Module } from '../nn/module.js';

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

export async function saveNetwork(path: string, net: Module, meta: NetworkMeta): Promise<void> {
  await writeSafetensors(path, net.stateDict(), { ...meta });
}

/** The bytes saveNetwork writes (for a checkpoint saved as one set). */
export function encodeNetwork(net: Module, meta: NetworkMeta): Uint8Array {
  return encodeSafetensors(net.stateDict(), { ...meta });
}

export interface LoadedNetwork { tensors: Map<string, HostTensor>; meta: NetworkMeta }

/** Reads a network file; fails with the path when it is not one of ours. */
export async function readNetwork(path: string, limits: ModelLimits = {}): Promise<LoadedNetwork> {
  if (!existsSync(path)) throw new Error(`checkpoint ${path} does not exist`);
  const { tensors, metadata } = await readSafetensors(path, limits);
  if (metadata.format !== 'img2img-network') {
    throw new Error(`${path} is not an img2img network checkpoint (no img2img metadata); `
      + 'for a PyTorch .pth file give the architecture flags (--netG, --norm, --ngf)');
  }
  return { tensors, meta: metadata as unknown as NetworkMeta };
}

/** The options a run was started with, CHECKPOINTS/NAME/train_opt.json (the reference's train_opt.txt). */
export const TRAIN_OPTIONS_FILE = 'train_opt.json';

/** The options a run was started with (to test or resume with the same architecture and data settings), or null. */
export function readTrainOptions(checkpointsDir: string, name: string): Record<string, unknown> | null {
  const p = join(checkpointsDir, name, TRAIN_OPTIONS_FILE);
  if (!existsSync(p)) return null;
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(p, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read ${p}: ${(err as Error).message}; fix or delete it (then give the model, direction and crop size as options)`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`cannot read ${p}: not a JSON object of options; fix or delete it`);
  return v as Record<string, unknown>;
}
