import { extname } from 'node:path';
import type { Module } from '../nn/module.js';
import { buildGenerator, generatorStateElements, parseGeneratorConfig, type GeneratorConfig, type GeneratorConfigInput } from '../models/networks.js';
import type { HostTensor } from '../io/host-tensor.js';
import { dropInstanceNormStats } from '../models/norm.js';
import { loadPth } from '../io/pth.js';
import { readNetwork } from '../models/checkpoint.js';
import type { ModelLimits } from '../io/limits.js';

export interface LoadedGenerator { net: Module; config: GeneratorConfig; source: string }

/**
 * Loads a generator from our .safetensors checkpoint (its config travels with it) or from a
 * reference PyTorch .pth state_dict (the architecture must then be given: netG, norm, ngf, ...).
 * A mismatch names the missing and unexpected keys. Building the network allocates nothing until
 * the file's tensors are copied in, so a config asking for an absurd network fails the key and
 * shape check instead; files over `limits.maxBytes` (default 2 GiB) are refused.
 */
export async function loadGenerator(path: string, flags: Partial<GeneratorConfigInput> = {}, limits: ModelLimits = {}): Promise<LoadedGenerator> {
  if (extname(path) === '.pth' || extname(path) === '.pt') {
    if (!flags.netG) {
      throw new Error(`${path}: a PyTorch checkpoint has no architecture; pass --netG (e.g. unet_256, resnet_9blocks) `
        + 'and --norm/--ngf/--no-dropout as it was trained');
    }
    const config = parseGeneratorConfig(flags);
    const raw = await loadPth(path, { stripModulePrefix: true, ...limits });
    checkFileHoldsNetwork(path, config, raw);
    const net = buildGenerator(config);
    // Old reference checkpoints carry InstanceNorm running stats that its own loader deletes too.
    const { state } = dropInstanceNormStats(net, raw);
    net.loadStateDict(state, { source: path });
    return { net, config, source: path };
  }
  const { tensors, meta } = await readNetwork(path, limits);
  if (meta.kind !== 'generator') throw new Error(`${path} holds a ${meta.kind} (${meta.role}), not a generator; pass a *_net_G*.safetensors file`);
  let config: GeneratorConfig;
  try {
    config = parseGeneratorConfig(meta.config);
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
  checkFileHoldsNetwork(path, config, tensors);
  const net = buildGenerator(config);
  net.loadStateDict(tensors, { source: path });
  return { net, config, source: path };
}

/**
 * Refuses, before building it, a network far larger than the file's tensors: building initializes
 * every weight, so a 228-byte file whose config asks for ngf 4096 would allocate many gigabytes
 * only to fail the key check afterwards.
 */
function checkFileHoldsNetwork(path: string, config: GeneratorConfig, tensors: ReadonlyMap<string, HostTensor>): void {
  const need = generatorStateElements(config);
  let have = 0;
  for (const t of tensors.values()) have += t.data.length;
  // A near miss (wrong ngf, wrong netG) is left to loadStateDict, whose error lists the keys.
  if (need > 16 * have + 4_000_000) {
    throw new Error(`${path}: the ${config.netG} generator (ngf ${config.ngf}) has ${need} weights but the file holds only ${have} values; `
      + 'the architecture does not match the file');
  }
}
