import type { Command } from 'commander';
import { DEFAULT_MAX_IMAGE_PIXELS, DEFAULT_MAX_MODEL_BYTES, DEFAULT_MAX_NETWORK_PIXELS } from '../util/limits.js';
import { int } from './parse.js';

/** The size limits a command can raise (README "Limits"). */
export type LimitKey = 'maxImagePixels' | 'maxNetworkPixels' | 'maxModelBytes';

const FLAGS: Record<LimitKey, [string, string]> = {
  maxImagePixels: ['--max-image-pixels <n>', `refuse images of more pixels (default: ${DEFAULT_MAX_IMAGE_PIXELS})`],
  maxNetworkPixels: ['--max-network-pixels <n>', `refuse to run the generator on more pixels (default: ${DEFAULT_MAX_NETWORK_PIXELS})`],
  maxModelBytes: ['--max-model-bytes <n>', `refuse model files larger than this (default: ${DEFAULT_MAX_MODEL_BYTES})`],
};

/** Adds the flags of `keys` to `cmd`. */
export function addLimitOptions(cmd: Command, keys: readonly LimitKey[]): Command {
  for (const k of keys) cmd.option(FLAGS[k][0], FLAGS[k][1], int(1));
  return cmd;
}

/** The job options of those flags (absent ones left to the job's defaults). */
export function limitsFrom(o: Record<string, unknown>, keys: readonly LimitKey[]): Partial<Record<LimitKey, number>> {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k] as number]));
}

/** One limit's flag, description and parser, for a chained `.option(...limitFlag(key))`. */
export function limitFlag(key: LimitKey): [string, string, (v: string) => number] {
  return [FLAGS[key][0], FLAGS[key][1], int(1)];
}
