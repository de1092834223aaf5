import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { HostTensor } from '../io/host-tensor.js';

/** An image batch: A and B are [N, C, H, W] in [-1, 1]. */
export interface ImageBatch { A: { shape: number[]; data: Float32Array }; B: { shape: number[]; data: Float32Array } }

/** What the shared training loop needs from pix2pix and CycleGAN. */
export interface GanModel {
  readonly modelName: 'pix2pix' | 'cycle_gan';
  /** Loss names in the order the progress bar and log show them (the reference's names). */
  readonly lossNames: readonly string[];
  /** Networks by role (G, D, G_A, ...): what checkpoints hold. */
  networks(): Record<string, Module>;
  /** Which roles are generators (the rest are discriminators). */
  generatorRoles(): readonly string[];
  optimizers(): Record<string, Optimizer>;
  setLearningRate(lr: number): void;
  /** One optimization iteration on a batch; returns the losses. */
  optimize(batch: ImageBatch): Promise<Record<string, number>>;
  /** Images of the last iteration by name (real_A, fake_B, ...), [N, C, H, W]. */
  visuals(): Record<string, HostTensor & { data: Float32Array }>;
  /** Model-specific state for exact resume (e.g. CycleGAN's image pools). */
  extraState?(): { json: Record<string, unknown>; tensors: Map<string, HostTensor> };
  loadExtraState?(json: Record<string, unknown>, tensors: Map<string, HostTensor>): void;
}
