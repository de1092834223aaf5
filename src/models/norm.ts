/**
 * Normalization layers as the reference (junyanz/pytorch-CycleGAN-and-pix2pix, models/networks.py,
 * get_norm_layer) picks them, and its rule for which convolutions carry a bias.
 */
import { BatchNorm, Identity, InstanceNorm2d, type Module } from '../nn/index.js';
import type { HostTensor } from '../io/host-tensor.js';

export const NORM_TYPES = ['batch', 'instance', 'none'] as const;
export type NormType = (typeof NORM_TYPES)[number];

/** Builds a normalization layer over `channels` feature maps. */
export type NormLayer = (channels: number) => Module;

/**
 * - 'batch':    BatchNorm2d(affine, running statistics): pix2pix.
 * - 'instance': InstanceNorm2d(affine=False, track_running_stats=False): CycleGAN. No parameters,
 *               no buffers, so nothing in the state_dict.
 * - 'none':     Identity. It still takes its place in a Sequential, so indices do not shift.
 */
export function getNormLayer(norm: NormType): NormLayer {
  switch (norm) {
    case 'batch':
      return (c) => new BatchNorm(c, { affine: true });
    case 'instance':
      return (c) => new InstanceNorm2d(c, { affine: false });
    case 'none':
      return () => Identity();
    default:
      throw new Error(`unknown norm '${String(norm)}'; valid: ${NORM_TYPES.join(', ')}`);
  }
}

/**
 * The reference's `use_bias`: a convolution that feeds a normalization layer gets a bias only with
 * InstanceNorm (which, without affine parameters, has no shift of its own; BatchNorm's affine bias
 * makes a conv bias redundant). The reference tests `norm_layer == nn.InstanceNorm2d`, so with
 * 'none' (a plain function returning Identity) it is false as well: those convs have no bias at all.
 * Kept as is, since checkpoints depend on it. Convs that feed no norm (a net's first and last
 * layers) always have a bias; the callers spell that out.
 */
export function useBias(norm: NormType): boolean {
  return norm === 'instance';
}

/** Every submodule with its dotted state_dict prefix ('' for the root). */
export function namedModules(net: Module, prefix = ''): [string, Module][] {
  return [[prefix, net], ...net.children().flatMap(([k, c]) => namedModules(c, prefix ? `${prefix}.${k}` : k))];
}

/**
 * The reference's `__patch_instance_norm_state_dict`: checkpoints written before PyTorch 0.4 hold
 * running_mean / running_var (and later num_batches_tracked) for InstanceNorm layers, which no
 * longer have them. Returns a copy of `state` without those entries, and the keys it dropped.
 */
export function dropInstanceNormStats(net: Module, state: ReadonlyMap<string, HostTensor>): { state: Map<string, HostTensor>; dropped: string[] } {
  const stale = new Set<string>();
  for (const [name, m] of namedModules(net)) {
    if (m instanceof InstanceNorm2d) for (const b of ['running_mean', 'running_var', 'num_batches_tracked']) stale.add(name ? `${name}.${b}` : b);
  }
  const out = new Map<string, HostTensor>();
  const dropped: string[] = [];
  for (const [k, t] of state) {
    if (stale.has(k)) dropped.push(k);
    else out.set(k, t);
  }
  return { state: out, dropped };
}
