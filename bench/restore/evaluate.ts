// Evaluates a restoration model on held-out photos with synthetic mosaics: PSNR and SSIM INSIDE
// the mosaic mask (src/restore/metrics.ts) of the mosaicked input, the smooth baseline (one sample
// per block, bicubic-upsampled: src/restore/baseline.ts) and the restored output, against the
// original. Prints markdown tables and writes a side-by-side PNG
// (mosaicked | baseline | restored | original, one row per held-out image).
//
// A fourth row runs the same pipeline (smoothing, consistency, paste) with the model replaced by
// "change nothing", to show what the trained model itself adds.
//
// Usage: npx tsx bench/restore/evaluate.ts --checkpoint checkpoints/restore/latest_net_G.safetensors
//          [--images checkpoints/restore-data/heldout] [--out results/restore-eval] [--cases 4]
//          [--block-sizes 6,8,10,12] [--styles average] [--seed 0] [--threads 2] [--eval|--no-eval] [--margin 16] [--feather 8] [--size N (window size; default the model's)] [--consistency|--no-consistency] [--ensemble]
//
// Each held-out image gets `--cases` mosaics; case k uses block size blockSizes[k % n] (so every
// size is measured on every image), one or two rectangles/ellipses each 20-45% of the side, the
// image-aligned grid, hard edge. Every style of --styles (default average: the block mean, as
// image editors pixelate) gets its own mosaics and table. All seeded: the same flags give the
// same numbers for the same checkpoint.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createImage, pasteImage, readImage, writeImage, type Image } from '../../src/data/image.js';
import { listImages } from '../../src/data/file-list.js';
import { createMask, type Mask } from '../../src/mosaic/mask.js';
import { applyMosaic } from '../../src/mosaic/mosaic.js';
import { parseStyleList } from '../../src/mosaic/pair-sampling.js';
import type { MosaicStyle } from '../../src/mosaic/pixelate.js';
import { fillEllipse, fillRect } from '../../src/mosaic/shapes.js';
import { restoreImage } from '../../src/restore/apply.js';
import { blockGridBaseline } from '../../src/restore/baseline.js';
import { psnr, ssim } from '../../src/restore/metrics.js';
import { loadRestoreModel } from '../../src/restore/model.js';
import { regionsFromMask } from '../../src/restore/regions.js';
import { createRng, type Rng } from '../../src/util/rng.js';

const arg = (name: string, d?: string): string | undefined => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : d);
const checkpoint = arg('--checkpoint');
if (!checkpoint) {
  console.error('usage: npx tsx bench/restore/evaluate.ts --checkpoint CHECKPOINTS/NAME/latest_net_G.safetensors [--images DIR] [--out DIR]');
  process.exit(2);
}
const imagesDir = arg('--images', 'checkpoints/restore-data/heldout')!;
const outDir = arg('--out', 'results/restore-eval')!;
const cases = Number(arg('--cases', '4'));
const blockSizes = arg('--block-sizes', '6,8,10,12')!.split(',').map(Number);
const styles = parseStyleList(arg('--styles', 'average')!);
const seed = Number(arg('--seed', '0'));
const threads = arg('--threads') ? Number(arg('--threads')) : undefined;
const margin = Number(arg('--margin', '16'));
const feather = Number(arg('--feather', '8'));
const consistencyFlag = process.argv.includes('--no-consistency') ? false : process.argv.includes('--consistency') ? true : undefined;

/** One or two rectangles / ellipses, each 20-45% of the side. */
function sampleMask(rng: Rng, w: number, h: number): Mask {
  const m = createMask(w, h);
  const n = 1 + rng.int(2);
  for (let i = 0; i < n; i++) {
    const rw = Math.round(w * (0.2 + 0.25 * rng.random())), rh = Math.round(h * (0.2 + 0.25 * rng.random()));
    const x = rng.int(w - rw + 1), y = rng.int(h - rh + 1);
    if (rng.random() < 0.5) fillRect(m, { x, y, w: rw, h: rh });
    else fillEllipse(m, x + rw / 2, y + rh / 2, rw / 2, rh / 2);
  }
  return m;
}

function vconcat(rows: Image[], gap: number): Image {
  const width = Math.max(...rows.map((r) => r.width));
  const height = rows.reduce((s, r) => s + r.height, 0) + gap * (rows.length - 1);
  const out = createImage(width, height, 3, 255);
  let y = 0;
  for (const r of rows) {
    pasteImage(out, r, 0, y);
    y += r.height + gap;
  }
  return out;
}

function hconcatGap(images: Image[], gap: number): Image {
  const height = images[0].height;
  const width = images.reduce((s, im) => s + im.width, 0) + gap * (images.length - 1);
  const out = createImage(width, height, 3, 255);
  let x = 0;
  for (const im of images) {
    pasteImage(out, im, x, 0);
    x += im.width + gap;
  }
  return out;
}

type Method = 'mosaicked' | 'baseline' | 'nomodel' | 'restored';
const METHODS: Method[] = ['mosaicked', 'baseline', 'nomodel', 'restored'];
const LABEL: Record<Method, string> = {
  mosaicked: 'mosaicked input', baseline: 'smooth baseline (bicubic from the block grid)',
  nomodel: 'restore pipeline without the model (diagnostic)', restored: 'restored (model)',
};
interface Row { image: string; style: MosaicStyle; block: number; area: number; psnr: Record<Method, number>; ssim: Record<Method, number> }

const files = await listImages(imagesDir);
if (files.length === 0) throw new Error(`no images in ${imagesDir}`);
const evalFlag = process.argv.includes('--eval') ? true : process.argv.includes('--no-eval') ? false : undefined;
const ensemble = process.argv.includes('--ensemble');
const m = await loadRestoreModel(checkpoint, { eval: evalFlag, ensemble, size: arg('--size') ? Number(arg('--size')) : undefined, runtime: { threads } });
// As restore apply: the model's own setting (restore.json) unless a flag says otherwise.
const consistency = consistencyFlag ?? m.consistency;
const rows: Row[] = [];
const strips: Image[] = [];
const t0 = performance.now();
try {
  for (const style of styles) for (const f of files) {
    const original = await readImage(f.path, { channels: 3 });
    // Same masks for every style (the rng is per image), so styles compare on the same regions.
    const rng = createRng(seed * 1000 + files.indexOf(f));
    const styleRng = createRng(seed * 1000 + files.indexOf(f) + 1e6);
    for (let k = 0; k < cases; k++) {
      const block = blockSizes[k % blockSizes.length];
      const mask = sampleMask(rng, original.width, original.height);
      const { image: mosaicked } = applyMosaic(original, mask, { blockSize: block, style, grid: 'image', feather: 0, rng: styleRng });
      const baseline = await blockGridBaseline(mosaicked, mask, { bw: block, bh: block, ox: 0, oy: 0 });
      const opts = { size: m.size, modelChannels: m.channels, margin, feather, smoothInput: m.input === 'smooth', consistency };
      const regions = regionsFromMask(mask);
      const restored = await restoreImage(mosaicked, regions, m.model, opts);
      // The same pipeline with the model replaced by "change nothing": what the model itself adds.
      const nomodel = await restoreImage(mosaicked, regions, async (w) => w, opts);
      const out = { mosaicked, baseline, nomodel, restored };
      rows.push({
        image: f.rel, style, block, area: mask.data.reduce((s, v) => s + v, 0),
        psnr: Object.fromEntries(METHODS.map((me) => [me, psnr(out[me], original, mask)])) as Record<Method, number>,
        ssim: Object.fromEntries(METHODS.map((me) => [me, ssim(out[me], original, mask)])) as Record<Method, number>,
      });
      if (k === 1 && style === styles[0]) strips.push(hconcatGap([mosaicked, baseline, restored, original], 4));
    }
  }
} finally {
  await m.release();
}
const seconds = (performance.now() - t0) / 1000;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const table = (sel: Row[]) => METHODS.map((me) => `| ${LABEL[me]} | ${mean(sel.map((r) => r.psnr[me])).toFixed(2)} | ${mean(sel.map((r) => r.ssim[me])).toFixed(4)} |`).join('\n');
let md = `Held-out images: ${files.length} (${imagesDir}); per style ${files.length * cases} mosaics (block sizes ${blockSizes.join(', ')} px, image grid, hard edge)\n`;
md += `Checkpoint: ${checkpoint} (model size ${m.size}, input ${m.input}, target ${m.target}, ${m.evalMode ? 'eval mode' : 'per-window BatchNorm statistics'}); margin ${margin}, feather ${feather}; ensemble ${ensemble ? 'on' : 'off'}; consistency ${consistency ? 'on' : 'off'}; metrics inside the mask, mean over mosaics\n`;
for (const style of styles) {
  const sr = rows.filter((r) => r.style === style);
  const wins = sr.filter((r) => r.psnr.restored > r.psnr.baseline && r.ssim.restored > r.ssim.baseline).length;
  const modelWins = sr.filter((r) => r.psnr.restored > r.psnr.nomodel && r.ssim.restored > r.ssim.nomodel).length;
  md += `\n### ${style} mosaics\n\n| method | PSNR (dB) | SSIM |\n|---|---|---|\n` + table(sr) + '\n\n';
  md += 'Per block size (PSNR dB / SSIM):\n\n| block | mosaicked | baseline | no model | restored |\n|---|---|---|---|---|\n';
  for (const b of blockSizes) {
    const sel = sr.filter((r) => r.block === b);
    if (!sel.length) continue;
    md += `| ${b} | ${METHODS.map((me) => `${mean(sel.map((r) => r.psnr[me])).toFixed(2)} / ${mean(sel.map((r) => r.ssim[me])).toFixed(4)}`).join(' | ')} |\n`;
  }
  md += `\n${style}: restored beats the baseline on both metrics in ${wins} of ${sr.length} mosaics, and the pipeline without the model in ${modelWins}\n`;
}
md += `\nevaluation took ${seconds.toFixed(1)} s\n`;
await mkdir(outDir, { recursive: true });
const png = join(outDir, 'side_by_side.png');
await writeImage(png, vconcat(strips, 4));
await writeFile(join(outDir, 'results.md'), md);
await writeFile(join(outDir, 'results.json'), JSON.stringify({ checkpoint, blockSizes, styles, seed, margin, feather, consistency, rows }, null, 1) + '\n');
console.log(md);
console.log(`side by side (mosaicked | baseline | restored | original): ${png}`);
