// Size limits of the model loaders: a small hostile file must not make them allocate gigabytes.
// Every loader checks the file size first and counts what decoding it allocates; an error names
// the file, the limit and the option that raises it.

import { readFile, stat } from 'node:fs/promises';
import { DEFAULT_MAX_MODEL_BYTES } from '../util/limits.js';

export { DEFAULT_MAX_MODEL_BYTES };

/**
 * What decoding may allocate per byte of file, beyond a floor of 64 MiB: torch writes storages
 * uncompressed and views rarely repeat elements (tied weights double them), so 8x is generous;
 * a compressed or stride-0 bomb passes it at once.
 */
export const DEFAULT_MAX_EXPANSION = 8;
const EXPANSION_FLOOR = 64 * 2 ** 20;

export interface ModelLimits {
  /** Largest model file, and most bytes decoding it may allocate (default DEFAULT_MAX_MODEL_BYTES). */
  maxBytes?: number;
  /** Most bytes decoding may allocate per byte of file beyond 64 MiB (default DEFAULT_MAX_EXPANSION). */
  maxExpansion?: number;
}

/** A limit was exceeded (the message says which and how to raise it). */
export class LimitError extends Error {
  override name = 'LimitError';
}

/** Throws when a model file is larger than the limit, before it is read. */
export function checkModelFileSize(source: string, size: number, limits: ModelLimits = {}): void {
  const max = limits.maxBytes ?? DEFAULT_MAX_MODEL_BYTES;
  if (size > max) {
    throw new LimitError(`${source}: the file has ${size} bytes, over the model size limit of ${max} (raise it with maxModelBytes / --max-model-bytes)`);
  }
}

/** Reads a model file after checking its size against the limit (`source` names it in that error). */
export async function readModelFile(path: string, limits: ModelLimits = {}, source = path): Promise<Uint8Array> {
  checkModelFileSize(source, (await stat(path)).size, limits);
  return readFile(path);
}

/** Counts what decoding a file allocates and stops at the first limit passed. */
export class DecodeBudget {
  private used = 0;
  readonly max: number;
  private readonly byExpansion: boolean;

  constructor(readonly source: string, fileBytes: number, limits: ModelLimits = {}) {
    const maxBytes = limits.maxBytes ?? DEFAULT_MAX_MODEL_BYTES;
    const expansion = EXPANSION_FLOOR + (limits.maxExpansion ?? DEFAULT_MAX_EXPANSION) * fileBytes;
    this.byExpansion = expansion < maxBytes;
    this.max = Math.min(maxBytes, expansion);
  }

  /** Reserves `bytes` for `what` (e.g. "tensor 'w' [3, 4]"), throwing before anything is allocated. */
  take(bytes: number, what: string): void {
    if (!Number.isFinite(bytes) || bytes < 0) throw new LimitError(`${this.source}: ${what} has an impossible size`);
    this.used += bytes;
    if (this.used <= this.max) return;
    throw new LimitError(
      this.byExpansion
        ? `${this.source}: ${what} takes decoding past ${this.max} bytes, more than the file's size allows `
          + '(compressed entries or views that repeat elements, e.g. stride 0); raise maxExpansion if the file is genuine'
        : `${this.source}: ${what} takes decoding past the model size limit of ${this.max} bytes (raise it with maxModelBytes / --max-model-bytes)`,
    );
  }
}
