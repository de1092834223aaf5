// Splits examples/photos BY SOURCE PHOTOGRAPH (two crops come from each one, see
// examples/ATTRIBUTION.md) into a training folder and a held-out folder, so no held-out crop
// shares a photograph with a training crop. The held-out sources are a seeded shuffle's first
// `--heldout` sources (not hand-picked).
// Usage: npx tsx bench/restore/split.ts [--out checkpoints/restore-data] [--heldout 3] [--seed 1]
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createRng } from '../../src/util/rng.js';

export interface PhotoSplit { train: string[]; heldout: string[]; heldoutSources: string[] }

/** Source id -> its photos/ files, from examples/ATTRIBUTION.md. */
export async function photosBySource(attribution = 'examples/ATTRIBUTION.md'): Promise<Map<string, string[]>> {
  const text = await readFile(attribution, 'utf8');
  const out = new Map<string, string[]>();
  let source = '';
  for (const line of text.split('\n')) {
    const head = /^### ([^:]+):/.exec(line);
    if (head) source = head[1];
    const file = /`(photos\/[^`]+)`/.exec(line);
    if (file && source) out.set(source, [...(out.get(source) ?? []), join('examples', file[1])]);
  }
  if (out.size === 0) throw new Error(`no photos/ entries found in ${attribution}`);
  return out;
}

export async function splitPhotos(heldout: number, seed: number): Promise<PhotoSplit> {
  const bySource = await photosBySource();
  const sources = [...bySource.keys()].sort();
  const rng = createRng(seed);
  for (let i = sources.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [sources[i], sources[j]] = [sources[j], sources[i]];
  }
  const held = sources.slice(0, heldout).sort();
  return {
    heldoutSources: held,
    heldout: held.flatMap((s) => bySource.get(s)!).sort(),
    train: sources.slice(heldout).flatMap((s) => bySource.get(s)!).sort(),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, d: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : d);
  const out = arg('--out', 'checkpoints/restore-data');
  const s = await splitPhotos(Number(arg('--heldout', '3')), Number(arg('--seed', '1')));
  for (const part of ['train', 'heldout'] as const) {
    await rm(join(out, part), { recursive: true, force: true });
    await mkdir(join(out, part), { recursive: true });
    for (const f of s[part]) await copyFile(f, join(out, part, basename(f)));
  }
  await writeFile(join(out, 'split.json'), JSON.stringify(s, null, 2) + '\n');
  console.log(`${s.train.length} training photos in ${join(out, 'train')}, ${s.heldout.length} held-out photos (sources ${s.heldoutSources.join(', ')}) in ${join(out, 'heldout')}`);
}
