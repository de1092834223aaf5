/** Saving charts as PNG files. */
import { writeFileAtomic } from '../io/atomic.js';
import { renderChart } from './render.js';
import type { Figure } from './types.js';

/**
 * Renders `spec` and writes it to `path` as PNG, atomically (temp file + rename in the same
 * directory), creating parent directories. An existing file is left untouched if rendering fails.
 */
export async function writeChartPng(path: string, spec: Figure): Promise<void> {
  const png = await renderChart(spec);
  await writeFileAtomic(path, png);
}
