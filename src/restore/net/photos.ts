// The clean photos a restorer trains on: a corpus built by tools/corpus (manifest.json, one
// entry per file and scale, split by source photograph) or any folder of images.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isImagePath, readImage, type Image } from '../../data/image.js';

/** Photos grouped by source: every scale of one photograph is one group, so sources weigh the same. */
export interface PhotoSet { sources: string[]; images: Image[][] }

interface ManifestFile { path: string; source: string; split: string; width: number; height: number }

/**
 * Loads the photos of `dir`: with a manifest.json (tools/corpus), the files of `split`; else
 * every image under `dir` (each its own source). Images smaller than `minSide` are skipped.
 */
export async function loadPhotoSet(dir: string, o: { split?: string; minSide: number }): Promise<PhotoSet> {
  if (!existsSync(dir)) throw new Error(`photo folder ${dir} does not exist`);
  const manifest = join(dir, 'manifest.json');
  const groups = new Map<string, string[]>();
  if (existsSync(manifest)) {
    const files = (JSON.parse(readFileSync(manifest, 'utf8')) as { files: ManifestFile[] }).files;
    for (const f of files) {
      if (f.split !== (o.split ?? 'train') || Math.min(f.width, f.height) < o.minSide) continue;
      groups.set(f.source, [...(groups.get(f.source) ?? []), join(dir, f.path)]);
    }
  } else {
    for (const f of listImagesDeep(dir)) groups.set(f, [f]);
  }
  const sources: string[] = [], images: Image[][] = [];
  for (const [source, paths] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const imgs = (await Promise.all(paths.sort().map((p) => readImage(p, { channels: 3 })))).filter((im) => Math.min(im.width, im.height) >= o.minSide);
    if (imgs.length) {
      sources.push(source);
      images.push(imgs);
    }
  }
  if (!sources.length) throw new Error(`no photos of at least ${o.minSide}x${o.minSide} px in ${dir}${existsSync(manifest) ? ` (split '${o.split ?? 'train'}')` : ''}`);
  return { sources, images };
}

function listImagesDeep(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? listImagesDeep(p) : isImagePath(p) ? [p] : [];
  });
}
