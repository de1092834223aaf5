import { extname } from 'node:path';
import type { Module } from '../nn/module.js';
import { buildGenerator, parseGeneratorConfig, type GeneratorConfig, type GeneratorConfigInput } from '../models/networks.js';
import { dropInstanceNormStats } from '../models/norm.js';
import { loadPth } from '../io/pth.js';
import { readNetwork } from '../models/checkpoint.js';

export interface LoadedGenerator { net: Module; config: GeneratorConfig; source: string }

/**
 * Loads a generator from our .safetensors checkpoint (its config travels with it) or from a
 * reference PyTorch .pth state_dict (the architecture must then be given: netG, norm, ngf, ...).
 * A mismatch names the missing and unexpected keys.
 */
export async function loadGenerator(path: string, flags: Partial<GeneratorConfigInput> = {}): Promise<LoadedGenerator> {
  if (extname(path) === '.pth' || extname(path) === '.pt') {
    if (!flags.netG) {
      throw new Error(`${path}: a PyTorch checkpoint has no architecture; pass --netG (e.g. unet_256, resnet_9blocks) `
        + 'and --norm/--ngf/--no-dropout as it was trained');
    }
    const config = parseGeneratorConfig(flags);
    const net = buildGenerator(config);
    const raw = await loadPth(path, { stripModulePrefix: true });
    // Old reference checkpoints carry InstanceNorm running stats that its own loader deletes too.
    const { state } = dropInstanceNormStats(net, raw);
    net.loadStateDict(state, { source: path });
    return { net, config, source: path };
  }
  const { tensors, meta } = await readNetwork(path);
  if (meta.kind !== 'generator') throw new Error(`${path} holds a ${meta.kind} (${meta.role}), not a generator; pass a *_net_G*.safetensors file`);
  const config = parseGeneratorConfig(meta.config);
  const net = buildGenerator(config);
  net.loadStateDict(tensors, { source: path });
  return { net, config, source: path };
}
