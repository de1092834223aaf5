// How long restoring one region takes: a 1920x1080 photo with one 300x300 average mosaic (12 px
// blocks), restored by the shipped faithful model through the library (`restore.apply`, which
// reads and writes the files) and through the CLI as a whole process. Run it on a quiet machine.
//   npx tsx bench/restore/speed.ts [--runs 5] [--threads 2] [--photo FILE]
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readImage, resizeImage, writeImage } from '../../src/data/image.js';
import { pixelate } from '../../src/mosaic/pixelate.js';
import { rectMask } from '../../src/mosaic/shapes.js';
import { apply } from '../../src/restore/job.js';

const { values: a } = parseArgs({ options: { runs: { type: 'string', default: '5' }, threads: { type: 'string', default: '2' }, photo: { type: 'string', default: 'examples/mosaic-original/carcassonne.jpg' } } });
const runs = Number(a.runs), threads = Number(a.threads);
const dir = mkdtempSync(join(tmpdir(), 'img2img-restore-speed-'));
const photo = await resizeImage(await readImage(a.photo!, { channels: 3 }), 1920, 1080);
const box = { x: 800, y: 390, w: 300, h: 300 };
await writeImage(join(dir, 'in.png'), pixelate(photo, rectMask(1920, 1080, box), { blockSize: 12 }));
const boxes = [`${box.x},${box.y},${box.w},${box.h}`];
const median = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)];

const lib: number[] = [];
for (let i = 0; i <= runs; i++) {
  const t0 = performance.now();
  await apply({ inputs: [join(dir, 'in.png')], output: join(dir, 'out.png'), boxes, runtime: { threads } });
  if (i > 0) lib.push((performance.now() - t0) / 1000);
}
const cli: number[] = [];
for (let i = 0; i < Math.max(1, Math.floor(runs / 2)); i++) {
  const t0 = performance.now();
  execFileSync(process.execPath, ['bin/img2img.js', 'restore', 'apply', join(dir, 'in.png'), '-o', join(dir, 'cli.png'), '--box', boxes[0], '--threads', String(threads)]);
  cli.push((performance.now() - t0) / 1000);
}
console.log(`1920x1080, one 300x300 region, faithful model, ${threads} threads:`);
console.log(`  restore.apply (library, read + restore + write, after the first call): median ${median(lib).toFixed(2)} s (${lib.map((v) => v.toFixed(2)).join(' ')})`);
console.log(`  img2img restore apply (whole process, dist/): median ${median(cli).toFixed(2)} s (${cli.map((v) => v.toFixed(2)).join(' ')})`);
