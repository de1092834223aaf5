// The README's before/after picture: for each bundled example mosaic, the mosaicked crop, the
// classical restoration, the shipped faithful and sharp models' restorations, and the original,
// each cut to the mosaic's box (plus a margin) and labelled. Writes docs/images/restore-examples.jpg.
//   npx tsx tools/examples/before-after.ts [--threads 2]
import { mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { cropImage, readImage, resizeImage, type Image } from '../../src/data/image.js';
import { loadRestorer } from '../../src/restore/net/checkpoint.js';
import { RestorerRunner } from '../../src/restore/net/runner.js';
import { regionsFromLocate } from '../../src/restore/regions.js';
import { restoreRegions } from '../../src/restore/restore-image.js';
import { SHIPPED_MODELS } from '../../src/restore/shipped.js';

const { values } = parseArgs({ options: { threads: { type: 'string', default: '2' }, out: { type: 'string', default: 'docs/images/restore-examples.jpg' } } });
const runtime = { threads: Number(values.threads) };
const NAMES = ['koala', 'carcassonne', 'chicken', 'stream'];
const runners: [string, RestorerRunner | null][] = [['classical', null], ['faithful', new RestorerRunner((await loadRestorer(SHIPPED_MODELS.faithful)).net, runtime)]];
if (existsSync(SHIPPED_MODELS.sharp)) runners.push(['sharp', new RestorerRunner((await loadRestorer(SHIPPED_MODELS.sharp)).net, runtime)]);
const TILE = 256;
const rows: Buffer[] = [];
for (const name of NAMES) {
  const mosaicked = await readImage(`examples/mosaic/${name}.png`, { channels: 3 });
  const original = await readImage(`examples/mosaic-original/${name}.jpg`, { channels: 3 });
  const regions = regionsFromLocate(mosaicked);
  const box = regions[0].box;
  const m = 12, x = Math.max(0, box.x - m), y = Math.max(0, box.y - m);
  const w = Math.min(mosaicked.width - x, box.w + 2 * m), h = Math.min(mosaicked.height - y, box.h + 2 * m);
  const panels: Image[] = [cropImage(mosaicked, x, y, w, h)];
  for (const [, runner] of runners) panels.push(cropImage((await restoreRegions(mosaicked, regions, { runner })).image, x, y, w, h));
  panels.push(cropImage(original, x, y, w, h));
  const scaled = await Promise.all(panels.map((p) => resizeImage(p, TILE, Math.round((TILE * h) / w))));
  const composite = scaled.map((p, i) => ({ input: Buffer.from(p.data), raw: { width: p.width, height: p.height, channels: 3 as const }, left: i * (TILE + 4), top: 0 }));
  rows.push(await sharp({ create: { width: scaled.length * (TILE + 4) - 4, height: scaled[0].height, channels: 3, background: '#fff' } }).composite(composite).png().toBuffer());
}
const labels = ['mosaicked', ...runners.map(([n]) => n), 'original'];
const header = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${labels.length * (TILE + 4) - 4}" height="28">${labels
  .map((l, i) => `<text x="${i * (TILE + 4) + TILE / 2}" y="20" font-family="DejaVu Sans, sans-serif" font-size="16" text-anchor="middle">${l}</text>`).join('')}</svg>`);
const parts = [await sharp(header).png().toBuffer(), ...rows];
const metas = await Promise.all(parts.map((p) => sharp(p).metadata()));
const width = Math.max(...metas.map((mt) => mt.width!)), height = metas.reduce((s, mt) => s + mt.height! + 4, 0);
let top = 0;
const layers = parts.map((p, i) => {
  const l = { input: p, left: 0, top };
  top += metas[i].height! + 4;
  return l;
});
await mkdir('docs/images', { recursive: true });
await sharp({ create: { width, height, channels: 3, background: '#fff' } }).composite(layers).jpeg({ quality: 85 }).toFile(values.out!);
for (const [, r] of runners) await r?.release();
console.log(`wrote ${values.out} (${labels.join(' | ')})`);
