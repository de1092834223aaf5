// `img2img mosaic ...` subcommands. Parsing only; the work is in add.ts, pairs.ts, locate.ts.
import { batchProgress } from '../util/batch.js';
import { wrapParse } from '../cli/parse.js';
import type { Command } from 'commander';
import { readImage, writeImage } from '../data/image.js';
import { mosaicFiles } from './add.js';
import { parseBlockSize } from './block-size.js';
import { expandInputs } from '../data/file-list.js';
import { locateMosaic } from './locate.js';
import { maskToImage } from './mask.js';
import { makePairs, parseSplit } from './pairs.js';
import { parseStyleList } from './pair-sampling.js';
import { MOSAIC_STYLES, parseMosaicStyle } from './pixelate.js';
import { join } from 'node:path';
import { registerMosaicAuto } from './auto-cli.js';

const collect = (v: string, prev: string[]): string[] => [...prev, v];


const num = (what: string, min: number, integer = false) => wrapParse((s: string): number => {
  const n = Number(s);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) throw new Error(`bad ${what} "${s}": need ${integer ? 'an integer' : 'a number'} >= ${min}`);
  return n;
});

const style = wrapParse(parseMosaicStyle);

const grid = wrapParse((s: string): 'image' | 'region' => {
  if (s !== 'image' && s !== 'region') throw new Error(`bad grid "${s}": use image or region`);
  return s;
});


/** Adds `add`, `pairs` and `locate` to the `mosaic` command. */
export function registerMosaicCommands(mosaic: Command): Command {
  if (!mosaic.description()) mosaic.description('pixelate regions, find existing mosaics, build mosaic-removal training pairs');

  mosaic.command('add')
    .description('pixelate regions of images (files or folders); writes are atomic')
    .argument('<inputs...>', 'image files or folders')
    .requiredOption('-o, --output <path>', 'output file (one input) or folder')
    .option('--box <x,y,w,h>', 'rectangle to pixelate (repeatable)', collect, [])
    .option('--polygon <"x1,y1 x2,y2 ...">', 'polygon to pixelate, even-odd fill (repeatable)', collect, [])
    .option('--ellipse <cx,cy,rx,ry>', 'ellipse to pixelate (repeatable)', collect, [])
    .option('--mask <file>', 'mask image, same size as the input; > 127 = pixelate')
    .option('--style <style>', `block colour: ${MOSAIC_STYLES.join(', ')}`, style, 'average')
    .option('--block-size <n|auto|area>', 'block side in px; auto = ceil(long side/100) >= 4; area = grows with region area', wrapParse(parseBlockSize), 'auto')
    .option('--block-aspect <ratio>', 'block width / height (2 = twice as wide as tall)', num('block aspect', 0.05), 1)
    .option('--feather <radius>', 'feather the edge: Gaussian-blurred mask of this radius in px', num('feather radius', 0), 0)
    .option('--grid <image|region>', 'align blocks to the image origin or to the region box', grid, 'image')
    .option('--seed <n>', 'seed for --style random', num('seed', 0, true), 0)
    .action(async (inputs: string[], o) => {
      const bar = batchProgress();
      try {
        await mosaicFiles(inputs, o.output, {
          boxes: o.box, polygons: o.polygon, ellipses: o.ellipse, maskFile: o.mask,
          style: o.style, blockSize: o.blockSize, blockAspect: o.blockAspect, feather: o.feather, grid: o.grid, seed: o.seed,
          onProgress: bar.update, onError: (input, err) => console.error(`error: ${err.message.includes(input) ? err.message : `${input}: ${err.message}`}`),
        });
      } finally {
        bar.stop();
      }
    });

  mosaic.command('pairs')
    .description('build an aligned pix2pix dataset: mosaicked|clean pairs in DATASET/{train,val,test}')
    .requiredOption('--input <dir>', 'folder of clean source images')
    .requiredOption('--output <dataset>', 'dataset folder to create')
    .option('--size <n>', 'side of each half in px', num('size', 8, true), 256)
    .option('--count-per-image <k>', 'pairs per source image', num('count per image', 1, true), 1)
    .option('--seed <n>', 'random seed (same seed = byte-identical dataset)', num('seed', 0, true), 0)
    .option('--split <train,val,test>', 'fractions of SOURCE images per split', wrapParse(parseSplit), [0.8, 0.1, 0.1])
    .option('--styles <list>', `block styles to draw from, comma-separated (default all: ${MOSAIC_STYLES.join(',')})`, wrapParse(parseStyleList))
    .option('--overwrite', 'replace an existing dataset in the output folder')
    .action(async (o) => {
      const bar = batchProgress();
      try {
        const m = await makePairs({ input: o.input, output: o.output, size: o.size, countPerImage: o.countPerImage, seed: o.seed, split: o.split, styles: o.styles, overwrite: !!o.overwrite, onProgress: bar.update });
        bar.stop();
        console.log(`${m.pairs.length} pairs (${m.sources.train.length}/${m.sources.val.length}/${m.sources.test.length} train/val/test sources) in ${o.output}`);
      } finally {
        bar.stop();
      }
    });

  mosaic.command('locate')
    .description('find existing mosaics; prints one JSON line per image')
    .argument('<inputs...>', 'image files or folders')
    .option('--masks <dir>', 'also write each found mask as <dir>/<name>.png')
    .option('--tolerance <n>', 'largest per-channel difference counted as equal (for lossy files)', num('tolerance', 0, true), 0)
    .action(async (inputs: string[], o) => {
      const { files } = await expandInputs(inputs);
      for (const f of files) {
        const res = locateMosaic(await readImage(f.path), { tolerance: o.tolerance });
        if (o.masks) await writeImage(join(o.masks, f.rel.replace(/\.[^./\\]+$/, '') + '.png'), maskToImage(res.mask));
        console.log(JSON.stringify({ file: f.path, blockSize: res.blockSize, regions: res.regions }));
      }
    });
  registerMosaicAuto(mosaic);
  return mosaic;
}
