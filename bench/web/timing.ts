// In-browser restoration time beside the Node CLI's, on the same machine in the same run:
// a 1024x768 image with one 256x256 mosaicked region (10 px blocks), the shipped faithful model.
//   browser: img2img serve's page in headless Chromium (Debian's), onnxruntime-web WASM with
//            --threads (default 2) threads; the page's own timer around restoreRegions (model
//            load and session creation excluded and shown apart); first run and the median of the next
//   node:    `node bin/img2img.js restore apply ... --threads N` (the compiled package), wall time
//            of the whole process, and restoreRegions in-process (first run and median of the next)
// Usage: npx tsx bench/web/timing.ts [--threads 2] [--runs 3]   (needs npm run build and chromium)
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readImage, writeImage } from '../../src/data/image.js';
import { createMask } from '../../src/mosaic/mask.js';
import { applyMosaic } from '../../src/mosaic/mosaic.js';
import { fillRect } from '../../src/mosaic/shapes.js';
import { syntheticImage } from '../../src/mosaic/synthetic.js';
import { loadRestorer } from '../../src/restore/net/checkpoint.js';
import { RestorerRunner } from '../../src/restore/net/runner.js';
import { regionsFromBoxes } from '../../src/restore/regions.js';
import { restoreRegions } from '../../src/restore/restore-image.js';
import { SHIPPED_MODELS } from '../../src/restore/shipped.js';
import { serve } from '../../src/server/job.js';
import { launchChromium } from '../../test/helpers/browser.js';
import { tempDir } from '../../test/helpers/tiny-datasets.js';

const { values } = parseArgs({ options: { threads: { type: 'string', default: '2' }, runs: { type: 'string', default: '3' } } });
const threads = Number(values.threads), runs = Number(values.runs);
const dir = tempDir('web-timing');
const box = { x: 384, y: 256, w: 256, h: 256 };
const input = join(dir, 'in.png');
await writeImage(input, applyMosaic(syntheticImage(1024, 768, 21), fillRect(createMask(1024, 768), box), { blockSize: 10 }).image);
const boxText = `${box.x},${box.y},${box.w},${box.h}`;
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const s = (ms: number) => (ms / 1000).toFixed(2);
console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (2 cores)`);

// Node CLI, whole process.
const cli: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['bin/img2img.js', 'restore', 'apply', input, '-o', join(dir, 'cli.png'), '--box', boxText, '--threads', String(threads)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  cli.push(performance.now() - t0);
}
// Node, restoreRegions in-process (one runner, as a server or a folder run keeps it).
const img = await readImage(input);
const runner = new RestorerRunner((await loadRestorer(SHIPPED_MODELS.faithful)).net, { threads });
const inproc: number[] = [];
for (let i = 0; i < runs + 1; i++) {
  const t0 = performance.now();
  await restoreRegions(img, regionsFromBoxes([box], 1024, 768), { runner });
  inproc.push(performance.now() - t0);
}
await runner.release();

// Browser.
const server = await serve({ port: 0, runtime: { threads } });
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
await page.goto(`${server.url}?threads=${threads}&backend=wasm`);
await page.waitForSelector('[data-testid=env][data-ready]');
const env = await page.getByTestId('env').textContent();
await page.getByTestId('image-file').setInputFiles(input);
await page.waitForFunction(() => (document.querySelector('[data-testid=image-info]')?.textContent ?? '').includes('1024x768'));
await page.waitForFunction(() => (document.querySelector('[data-testid=model-info]')?.textContent ?? '').includes('restorer'), null, { timeout: 120_000 });
await page.getByTestId('box-text').fill(boxText);
await page.getByRole('button', { name: 'Add box' }).click();
const web: number[] = [];
let timing = '';
for (let i = 0; i < runs + 1; i++) {
  if (i > 0) await page.getByTestId('reset').click();
  await page.getByTestId('run').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid=download]')!.hasAttribute('hidden') || !document.querySelector('[data-testid=error]')!.hasAttribute('hidden'), null, { timeout: 600_000 });
  if (await page.getByTestId('error').isVisible()) throw new Error(String(await page.getByTestId('error').textContent()));
  web.push(Number(await page.getByTestId('timing').getAttribute('data-run-ms')));
  if (i === 0) timing = String(await page.getByTestId('timing').textContent());
}
await browser.close();
await server.close();

console.log(`browser: ${env}; first run: ${timing}`);
console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log('\n| 1024x768, one 256x256 region, faithful model | first run (s) | median of the next (s) |');
console.log('| --- | --- | --- |');
console.log(`| browser, onnxruntime-web WASM, ${threads} threads (restoreRegions) | ${s(web[0])} | ${s(median(web.slice(1)))} |`);
console.log(`| Node, restoreRegions in-process (onnxruntime-node, ${threads} threads) | ${s(inproc[0])} | ${s(median(inproc.slice(1)))} |`);
console.log(`| Node CLI \`restore apply --threads ${threads}\`, whole process | ${s(cli[0])} | ${s(median(cli.slice(1)))} |`);
