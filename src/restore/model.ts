// Loading a restoration generator and finding the size it was trained at.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadGenerator } from '../inference/load-generator.js';
import { Translator } from '../inference/translator.js';
import type { RuntimeOptions } from '../runtime/session.js';
import { windowModel, type WindowModel } from './apply.js';
import { selfEnsemble, type TensorModel } from './ensemble.js';
import { RESTORE_INFO_FILE } from './settings.js';
import { applyResidual, RESTORE_TARGETS, type RestoreTarget } from './residual.js';
import { RESTORE_INPUTS, type RestoreInput } from './smooth.js';

export interface RestoreModel {
  model: WindowModel;
  /** Side of the square the model works on. */
  size: number;
  channels: 1 | 3;
  /** What the generator expects in the region: the mosaic, or its block-grid smoothing (smooth.ts). */
  input: RestoreInput;
  /** What the generator outputs: the restored window, or the residual to add to it. */
  target: RestoreTarget;
  /** Whether the model was trained on block-mean-consistent inputs (restore.json; default true). */
  consistency: boolean;
  /** Whether BatchNorm uses running statistics. */
  evalMode: boolean;
  release(): Promise<void>;
}

/** What `restore train` records about a model (restore.json); every field may be missing. */
export interface RestoreInfo { size?: number; batchSize?: number; target?: RestoreTarget; input?: RestoreInput; consistency?: boolean }

/** CHECKPOINT_DIR/restore.json as written by `restore train`, or {} when there is none. */
export function readRestoreInfo(checkpoint: string): RestoreInfo {
  const info = join(dirname(checkpoint), RESTORE_INFO_FILE);
  try {
    return existsSync(info) ? JSON.parse(readFileSync(info, 'utf8')) : {};
  } catch {
    return {};
  }
}

/** The training size: from restore.json, else unet_128 -> 128, others 256. */
export function modelSize(info: RestoreInfo, netG: string): number {
  const size = Number(info.size);
  if (Number.isInteger(size) && size > 0) return size;
  return netG === 'unet_128' ? 128 : 256;
}

/**
 * Eval mode (BatchNorm running statistics) unless told: on when the model was trained with
 * batches of several pairs (its BatchNorm learned batch statistics, which one window alone does
 * not have), off for batch size 1 (each window's own statistics, as in training and test.py).
 */
export function defaultEvalMode(info: RestoreInfo): boolean {
  return (info.batchSize ?? 1) > 1;
}

/**
 * Loads a generator checkpoint (*_net_G.safetensors) for restoration. Anything else (a
 * discriminator, a file that is not a checkpoint, a generator whose input and output channels
 * differ) fails with a message naming the file.
 */
export async function loadRestoreModel(
  checkpoint: string,
  o: { size?: number; eval?: boolean; target?: RestoreTarget; input?: RestoreInput; ensemble?: boolean; seed?: number; runtime?: RuntimeOptions } = {},
): Promise<RestoreModel> {
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
  const info = readRestoreInfo(checkpoint);
  const size = o.size ?? modelSize(info, gen.config.netG);
  const evalMode = o.eval ?? defaultEvalMode(info);
  // A checkpoint without restore.json is an ordinary image-to-image generator.
  const target = o.target ?? info.target ?? 'image';
  if (!RESTORE_TARGETS.includes(target)) throw new Error(`${checkpoint}: unknown restoration target "${target}" in restore.json`);
  const input = o.input ?? info.input ?? 'mosaic';
  if (!RESTORE_INPUTS.includes(input)) throw new Error(`${checkpoint}: unknown restoration input "${input}" in restore.json`);
  const translator = new Translator(gen.net, gen.config, evalMode, o.runtime ?? {}, o.seed ?? 0);
  const base: TensorModel = (x, shape) => translator.run(x, shape);
  const run = windowModel(o.ensemble ? selfEnsemble(base) : base, outputNc as 1 | 3);
  return {
    model: target === 'residual' ? async (w) => applyResidual(w, await run(w)) : run,
    target,
    input,
    consistency: info.consistency ?? true,
    size,
    channels: inputNc as 1 | 3,
    evalMode,
    release: () => translator.release(),
  };
}
