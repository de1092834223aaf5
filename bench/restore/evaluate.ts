// Measures mosaic restoration on held-out photos: synthetic mosaics of every block size and
// style, PSNR / SSIM inside the mosaic, and a detail number (high-frequency energy inside the
// mosaic relative to the original's: 1 = as much fine detail as the original, 0 = flat), for
//   mosaicked  the input itself
//   bicubic    PIL-style bicubic: block colours placed at block centres, Catmull-Rom, no consistency
//   classical  `restore apply --method classical` (true sample positions, block-mean consistency)
//   faithful   `restore apply` with the shipped faithful model (or --model FILE)
//   faithful x8  the same with --ensemble (8 mirrorings/rotations averaged), with --ensemble
//   sharp      `restore apply --model sharp` (or --sharp FILE), when it exists
// Prints markdown tables (per style and block size, and the mean over block sizes) and writes a
// side-by-side PNG per style (mosaicked | bicubic | classical | faithful | [sharp] | original).
//
// Usage: npx tsx bench/restore/evaluate.ts [--images data/photo-corpus] [--model FILE] [--sharp FILE]
//          [--block-sizes 4,6,8,12,16] [--styles average,center,random] [--cases 2] [--max-side 768]
//          [--out results/restore-eval] [--seed 0] [--threads 2]
// A corpus folder (tools/corpus, manifest.json) is read through its held-out split, one file per
// source (the scale whose long side is nearest --max-side); any other folder: every image in it.
// Everything is seeded: the same flags give the same numbers for the same models.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { hconcat, readImage, resizeImage, writeImage, type Image } from '../../src/data/image.js';
import { listImages } from '../../src/data/file-list.js';
import { createMask, type Mask } from '../../src/mosaic/mask.js';
import { pixelate, parseMosaicStyle, type MosaicStyle } from '../../src/mosaic/pixelate.js';
import { fillEllipse, fillRect } from '../../src/mosaic/shapes.js';
import { classicalEstimate, planarToBytes } from '../../src/restore/classical.js';
import { psnr, ssim } from '../../src/restore/metrics.js';
import { loadRestorer } from '../../src/restore/net/checkpoint.js';
import { RestorerRunner } from '../../src/restore/net/runner.js';
import { selfEnsemble } from '../../src/restore/net/ensemble.js';
import { regionsFromMask } from '../../src/restore/regions.js';
import { restoreRegions } from '../../src/restore/restore-image.js';
import { SHIPPED_MODELS } from '../../src/restore/shipped.js';
import { createRng, type Rng } from '../../src/util/rng.js';

const { values: a } = parseArgs({
  options: {
    images: { type: 'string', default: 'data/photo-corpus' },
    model: { type: 'string' },
    sharp: { type: 'string' },
    'block-sizes': { type: 'string', default: '4,6,8,12,16' },
    styles: { type: 'string', default: 'average,center,random' },
    cases: { type: 'string', default: '2' },
    'max-side': { type: 'string', default: '768' },
    out: { type: 'string', default: 'results/restore-eval' },
    seed: { type: 'string', default: '0' },
    threads: { type: 'string' },
    ensemble: { type: 'boolean', default: false },
  },
});
const blockSizes = a['block-sizes']!.split(',').map(Number);
const styles = a.styles!.split(',').map(parseMosaicStyle);
const cases = Number(a.cases), maxSide = Number(a['max-side']), seed = Number(a.seed);
const runtime = { threads: a.threads ? Number(a.threads) : undefined };

/** Held-out photos: one file per corpus source, or every image of a folder. */
async function heldOut(dir: string): Promise<{ name: string; image: Image }[]> {
  const manifest = join(dir, 'manifest.json');
  let paths: { name: string; path: string }[];
  if (existsSync(manifest)) {
    const files = (JSON.parse(readFileSync(manifest, 'utf8')) as { files: { path: string; source: string; split: string; width: number; height: number }[] }).files.filter((f) => f.split === 'heldout');
    const bySource = new Map<string, (typeof files)[number]>();
    for (const f of files) {
      const best = bySource.get(f.source);
      if (!best || Math.abs(Math.max(f.width, f.height) - maxSide) < Math.abs(Math.max(best.width, best.height) - maxSide)) bySource.set(f.source, f);
    }
    paths = [...bySource].sort(([x], [y]) => x.localeCompare(y)).map(([source, f]) => ({ name: source, path: join(dir, f.path) }));
  } else {
    paths = (await listImages(dir)).map((f) => ({ name: f.rel, path: f.path }));
  }
  if (!paths.length) throw new Error(`no held-out photos in ${dir}`);
  return Promise.all(paths.map(async ({ name, path }) => {
    let image = await readImage(path, { channels: 3 });
    const s = maxSide / Math.max(image.width, image.height);
    if (s < 1) image = await resizeImage(image, Math.round(image.width * s), Math.round(image.height * s), 'bicubic');
    return { name, image };
  }));
}

/** One rectangle or ellipse, 25-45% of each side. */
function sampleMask(rng: Rng, w: number, h: number): Mask {
  const m = createMask(w, h);
  const rw = Math.round(w * (0.25 + 0.2 * rng.random())), rh = Math.round(h * (0.25 + 0.2 * rng.random()));
  const x = rng.int(w - rw + 1), y = rng.int(h - rh + 1);
  return rng.random() < 0.5 ? fillRect(m, { x, y, w: rw, h: rh }) : fillEllipse(m, x + rw / 2, y + rh / 2, rw / 2, rh / 2);
}

/** Mean squared Laplacian inside the mask (per channel): how much fine detail there is. */
function detail(img: Image, mask: Mask): number {
  const { width: w, height: h, channels: c, data } = img;
  let s = 0, n = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      if (!mask.data[y * w + x]) continue;
      for (let k = 0; k < c; k++) {
        const p = (y * w + x) * c + k;
        const lap = 4 * data[p] - data[p - c] - data[p + c] - data[p - w * c] - data[p + w * c];
        s += lap * lap;
        n++;
      }
    }
  }
  return s / Math.max(1, n);
}

/** PIL-style bicubic of the known grid: block colours at block centres, no consistency. */
function bicubic(mos: Image, mask: Mask, k: number, ox: number, oy: number): Image {
  const est = classicalEstimate(mos, mask.data, { bw: k, bh: k, ox, oy }, { style: 'average', consistency: false });
  return { ...mos, data: planarToBytes(est) };
}

const photos = await heldOut(a.images!);
const faithfulPath = a.model ?? SHIPPED_MODELS.faithful;
const sharpPath = a.sharp ?? (existsSync(SHIPPED_MODELS.sharp) ? SHIPPED_MODELS.sharp : undefined);
const faithful = new RestorerRunner((await loadRestorer(faithfulPath)).net, runtime);
const sharp = sharpPath ? new RestorerRunner((await loadRestorer(sharpPath)).net, runtime) : null;
const methods = ['mosaicked', 'bicubic', 'classical', 'faithful', ...(a.ensemble ? ['faithful x8'] : []), ...(sharp ? ['sharp'] : [])] as const;
type Method = (typeof methods)[number];
type Scores = Record<Method, { psnr: number[]; ssim: number[]; detail: number[] }>;
const empty = (): Scores => Object.fromEntries(methods.map((m) => [m, { psnr: [], ssim: [], detail: [] }])) as unknown as Scores;
const mean = (v: number[]) => v.reduce((x, y) => x + y, 0) / Math.max(1, v.length);
await mkdir(a.out!, { recursive: true });
console.log(`${photos.length} held-out photos (${photos.map((p) => p.name).join(', ')}), ${cases} mosaics per photo, block size and style; faithful: ${faithfulPath}${sharpPath ? `; sharp: ${sharpPath}` : ''}\n`);

let modelSeconds = 0, modelRegions = 0;
for (const style of styles) {
  const byK = new Map<number, Scores>();
  const strips: Image[] = [];
  for (const k of blockSizes) {
    const scores = empty();
    byK.set(k, scores);
    const rng = createRng(seed * 1000 + k);
    for (const [pi, { image }] of photos.entries()) {
      for (let c = 0; c < cases; c++) {
        const mask = sampleMask(rng, image.width, image.height);
        const aligned = rng.random() < 0.5;
        const mos = pixelate(image, mask, { blockSize: k, style, grid: aligned ? 'region' : 'image', seed: rng.int(1e9) });
        const box = regionsFromMask(mask)[0].box;
        const ox = aligned ? box.x : 0, oy = aligned ? box.y : 0;
        const regions = regionsFromMask(mask);
        const outs: Record<string, Image> = { mosaicked: mos, bicubic: bicubic(mos, mask, k, ox, oy) };
        outs.classical = (await restoreRegions(mos, regions, { runner: null, style, feather: 0 })).image;
        const t0 = performance.now();
        outs.faithful = (await restoreRegions(mos, regions, { runner: faithful, style, feather: 0 })).image;
        modelSeconds += (performance.now() - t0) / 1000;
        modelRegions++;
        if (a.ensemble) outs['faithful x8'] = (await restoreRegions(mos, regions, { runner: selfEnsemble(faithful), style, feather: 0 })).image;
        if (sharp) outs.sharp = (await restoreRegions(mos, regions, { runner: sharp, style, feather: 0 })).image;
        const ref = detail(image, mask);
        for (const m of methods) {
          scores[m].psnr.push(psnr(outs[m], image, mask));
          scores[m].ssim.push(ssim(outs[m], image, mask));
          scores[m].detail.push(detail(outs[m], mask) / ref);
        }
        if (c === 0 && pi < 4 && k === blockSizes[Math.floor(blockSizes.length / 2)]) strips.push(await hconcat([...methods.map((m) => outs[m]), image]));
      }
    }
  }
  console.log(`### ${style} mosaics: PSNR dB / SSIM inside the mosaic\n`);
  console.log(`| block | ${methods.join(' | ')} | faithful - classical |`);
  console.log(`|---|${methods.map(() => '---').join('|')}|---|`);
  for (const [k, s] of byK) console.log(`| ${k} | ${methods.map((m) => `${mean(s[m].psnr).toFixed(2)} / ${mean(s[m].ssim).toFixed(3)}`).join(' | ')} | ${(mean(s.faithful.psnr) - mean(s.classical.psnr)).toFixed(2)} dB |`);
  const over = (m: Method, f: 'psnr' | 'ssim' | 'detail') => mean([...byK.values()].map((s) => mean(s[m][f])));
  console.log(`| **mean ${blockSizes.join('-')}** | ${methods.map((m) => `**${over(m, 'psnr').toFixed(2)} / ${over(m, 'ssim').toFixed(3)}**`).join(' | ')} | **${(over('faithful', 'psnr') - over('classical', 'psnr')).toFixed(2)} dB** |`);
  const wins = [...byK.values()].reduce((n, s) => n + s.faithful.psnr.filter((p, i) => p > s.classical.psnr[i]).length, 0);
  const total = [...byK.values()].reduce((n, s) => n + s.faithful.psnr.length, 0);
  console.log(`\nfaithful beats classical on ${wins} of ${total} mosaics; detail (high-frequency energy / original's): ${methods.map((m) => `${m} ${over(m, 'detail').toFixed(2)}`).join(', ')}\n`);
  if (strips.length) {
    const rows = strips;
    const sheet = await stackRows(rows);
    await writeImage(join(a.out!, `side_by_side_${style}.png`), sheet);
  }
}
console.log(`faithful model: ${(modelSeconds / modelRegions).toFixed(2)} s per region on average (${modelRegions} regions)`);
await faithful.release();
await sharp?.release();

async function stackRows(rows: Image[]): Promise<Image> {
  const w = Math.max(...rows.map((r) => r.width)), h = rows.reduce((s, r) => s + r.height, 0);
  const data = new Uint8Array(w * h * 3);
  let y0 = 0;
  for (const r of rows) {
    for (let y = 0; y < r.height; y++) data.set(r.data.subarray(y * r.width * 3, (y + 1) * r.width * 3), ((y0 + y) * w) * 3);
    y0 += r.height;
  }
  return { width: w, height: h, channels: 3, data };
}
