// Loading a restoration generator and finding the size it was trained at.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadGenerator } from '../inference/load-generator.js';
import { Translator } from '../inference/translator.js';
import type { RuntimeOptions } from '../runtime/session.js';
import { windowModel, type WindowModel } from './apply.js';
import { RESTORE_INFO_FILE } from './settings.js';

export interface RestoreModel {
  model: WindowModel;
  /** Side of the square the model works on. */
  size: number;
  channels: 1 | 3;
  release(): Promise<void>;
}

/** The training size: CHECKPOINT_DIR/restore.json (written by `restore train`), else unet_128 -> 128, others 256. */
export function modelSize(checkpoint: string, netG: string): number {
  const info = join(dirname(checkpoint), RESTORE_INFO_FILE);
  if (existsSync(info)) {
    const size = Number(JSON.parse(readFileSync(info, 'utf8')).size);
    if (Number.isInteger(size) && size > 0) return size;
  }
  return netG === 'unet_128' ? 128 : 256;
}

/**
 * Loads a generator checkpoint (*_net_G.safetensors) for restoration. Anything else (a
 * discriminator, a file that is not a checkpoint, a generator whose input and output channels
 * differ) fails with a message naming the file.
 */
export async function loadRestoreModel(checkpoint: string, o: { size?: number; eval?: boolean; seed?: number; runtime?: RuntimeOptions } = {}): Promise<RestoreModel> {
  let gen;
  try {
    gen = await loadGenerator(checkpoint);
  } catch (err) {
    let msg = err instanceof Error ? err.message : String(err);
    // The inner messages name the file too; say it once.
    if (msg.startsWith(`${checkpoint} `)) msg = msg.slice(checkpoint.length + 1);
    msg = msg.replace(`safetensors ${checkpoint}: `, 'not a readable .safetensors checkpoint: ');
    throw new Error(`cannot use ${checkpoint} as a restoration model: ${msg}`);
  }
  const { inputNc, outputNc } = gen.config;
  if (inputNc !== outputNc || (inputNc !== 1 && inputNc !== 3)) {
    throw new Error(`cannot use ${checkpoint} as a restoration model: it maps ${inputNc} to ${outputNc} channels; restoration needs 1 -> 1 or 3 -> 3`);
  }
  const size = o.size ?? modelSize(checkpoint, gen.config.netG);
  const translator = new Translator(gen.net, gen.config, !!o.eval, o.runtime ?? {}, o.seed ?? 0);
  return {
    model: windowModel((x, shape) => translator.run(x, shape), outputNc as 1 | 3),
    size,
    channels: inputNc as 1 | 3,
    release: () => translator.release(),
  };
}
