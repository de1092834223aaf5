import { readFileSync, readdirSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

/** Sums ORT profile kernel times (ms per run) by op type, from files named PREFIX*.json. */
export function summarizeProfiles(prefix: string, runs: number): [string, number][] {
  const dir = dirname(prefix);
  const agg = new Map<string, number>();
  for (const f of readdirSync(dir).filter((n) => n.startsWith(basename(prefix)) && n.endsWith('.json'))) {
    for (const e of JSON.parse(readFileSync(join(dir, f), 'utf8')) as { cat: string; name: string; dur: number; args?: { op_name?: string } }[]) {
      if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
      const op = e.args?.op_name ?? '?';
      agg.set(op, (agg.get(op) ?? 0) + e.dur / 1000 / runs);
    }
  }
  return [...agg].sort((a, b) => b[1] - a[1]);
}
