// The one loop over a batch of files: progress after each, failures collected, errors naming the file.
export interface BatchHooks {
  onProgress?: (done: number, total: number) => void;
  onError?: (path: string, err: Error) => void;
}

/**
 * Runs `work` on each file. Errors name the file; a single file's error is thrown as is, while a
 * batch goes on past failures (reported through onError) and fails at the end listing them.
 */
export async function forEachFile<F extends { path: string }, R>(
  files: readonly F[], work: (f: F, i: number) => Promise<R>, hooks: BatchHooks = {},
): Promise<R[]> {
  const results: R[] = [];
  const failed: string[] = [];
  for (const [i, f] of files.entries()) {
    try {
      results.push(await work(f, i));
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      const named = e.message.includes(f.path) ? e : new Error(`${f.path}: ${e.message}`);
      if (files.length === 1) throw named;
      failed.push(f.path);
      hooks.onError?.(f.path, named);
    }
    hooks.onProgress?.(i + 1, files.length);
  }
  if (failed.length) throw new Error(`${failed.length} of ${files.length} images failed: ${failed.join(', ')}`);
  return results;
}
