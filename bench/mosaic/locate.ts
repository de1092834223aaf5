// Precision/recall of locateMosaic on synthetic mosaics, per style and block size.
// Run: node --import tsx bench/mosaic/locate.ts [imagesPerCell=6]
import { locateMosaic } from '../../src/mosaic/locate.js';
import { addScores, rates, scoreLocate, syntheticMosaicCase, type LocateScore } from '../../src/mosaic/locate-eval.js';
import { MOSAIC_STYLES } from '../../src/mosaic/pixelate.js';
import { syntheticImage } from '../../src/mosaic/synthetic.js';
import { createMask } from '../../src/mosaic/mask.js';

const perCell = Number(process.argv[2] ?? 6);
const sizes = [4, 6, 8, 12, 16, 24];
const zero: LocateScore = { tp: 0, fp: 0, fn: 0, regionsHit: 0, regionsTrue: 0, boxesRight: 0, boxesFound: 0 };
const pct = (v: number): string => (100 * v).toFixed(1).padStart(6);

console.log(`${perCell} synthetic 256x256 images per row; region match = box IoU >= 0.5`);
console.log('pixelR(vis): recall of the visible mosaic (blocks where the mosaic changed any pixel)');
console.log('style    block  pixelP  pixelR  pixelR(vis)  regionP regionR  ms/img');
let total = zero;
let visHit = 0, visAll = 0;
for (const style of MOSAIC_STYLES) {
  for (const b of sizes) {
    let s = zero;
    let vh = 0, va = 0;
    const t0 = performance.now();
    for (let i = 0; i < perCell; i++) {
      const { image, truth, visible } = syntheticMosaicCase(1000 + i, style, b);
      const res = locateMosaic(image);
      s = addScores(s, scoreLocate(truth, res.mask, res.boxes));
      for (let p = 0; p < visible.data.length; p++) if (visible.data[p]) { va++; vh += res.mask.data[p]; }
    }
    visHit += vh;
    visAll += va;
    const ms = (performance.now() - t0) / perCell;
    total = addScores(total, s);
    const r = rates(s);
    console.log(`${style.padEnd(8)} ${String(b).padStart(5)} ${pct(r.pixelP)}  ${pct(r.pixelR)}  ${pct(vh / va)}       ${pct(r.regionP)}  ${pct(r.regionR)}  ${ms.toFixed(0).padStart(6)}`);
  }
}
const r = rates(total);
console.log(`${'all'.padEnd(8)} ${''.padStart(5)} ${pct(r.pixelP)}  ${pct(r.pixelR)}  ${pct(visHit / visAll)}       ${pct(r.regionP)}  ${pct(r.regionR)}`);

// Clean images: every found pixel is a false positive.
let fpPixels = 0, fpImages = 0;
const clean = 30;
for (let i = 0; i < clean; i++) {
  const img = syntheticImage(256, 256, 5000 + i);
  const res = locateMosaic(img);
  const s = scoreLocate(createMask(256, 256), res.mask, res.boxes);
  fpPixels += s.fp;
  if (s.fp) fpImages++;
}
console.log(`clean images: ${fpImages}/${clean} with any detection, ${fpPixels} false-positive pixels in total`);
