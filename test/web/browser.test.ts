// The web page in a real browser (Debian's Chromium, headless, through playwright-core): open an
// image, draw a box, restore it with the shipped model on onnxruntime-web (WASM, 2 threads),
// download the PNG, which must equal `restore apply` on the same file (<= 2 grey levels); a
// screenshot is kept in test-artifacts/. Then an exported generator loaded from disk translates
// an image as `translate --eval` does, and a bad file shows an error message, not a blank page.
// Last, the video mode: a tiny clip uploaded, a box on its first frame, restored on the server with
// frames/fps progress on the page, the downloaded video has the clip's frame count.
// Without Chromium this fails in CI (CI set) with how to install it, and is skipped elsewhere.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { decodeImage, readImage, writeImage, type Image } from '../../src/data/image.js';
import { exportModel } from '../../src/export/job.js';
import { translate } from '../../src/inference/job.js';
import { saveNetwork } from '../../src/models/checkpoint.js';
import { defineG, parseGeneratorConfig } from '../../src/models/networks.js';
import { createMask } from '../../src/mosaic/mask.js';
import { applyMosaic } from '../../src/mosaic/mosaic.js';
import { fillRect } from '../../src/mosaic/shapes.js';
import { syntheticImage } from '../../src/mosaic/synthetic.js';
import { manualSeed } from '../../src/nn/index.js';
import { apply } from '../../src/restore/job.js';
import { serve, type RunningServer } from '../../src/server/job.js';
import { artifactPath, buildPage, chromiumPath, launchChromium, NO_CHROMIUM } from '../helpers/browser.js';
import { tempDir } from '../helpers/tiny-datasets.js';
import { makeClip, streams } from '../video/clips.js';

const available = chromiumPath() !== null;
if (!available && process.env.CI) throw new Error(NO_CHROMIUM);
const skip = available ? false : `${NO_CHROMIUM} (skipped outside CI)`;

const root = tempDir('browser');
let browser: Browser | null = null;
let server: RunningServer | null = null;
after(async () => {
  await browser?.close();
  await server?.close();
});

function compare(a: Image, b: Image): { max: number; changed: number } {
  assert.deepEqual([a.width, a.height, a.channels], [b.width, b.height, b.channels]);
  let max = 0, changed = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i] - b.data[i]);
    max = Math.max(max, d);
    if (d) changed++;
  }
  return { max, changed };
}

/** Waits for the run to end: the download link shows, or an error does. */
async function waitForResult(page: Page): Promise<void> {
  await page.waitForFunction(() => !document.querySelector('[data-testid=download]')!.hasAttribute('hidden') || !document.querySelector('[data-testid=error]')!.hasAttribute('hidden'), null, { timeout: 240_000 });
  const error = page.getByTestId('error');
  if (await error.isVisible()) assert.fail(`the page shows an error: ${await error.textContent()}`);
}

async function downloadPng(page: Page, name: string): Promise<Image> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
  const path = join(root, name);
  await download.saveAs(path);
  return decodeImage(readFileSync(path), name);
}

test('open image -> draw box -> restore (WASM, 2 threads) -> download equals restore apply', { skip, timeout: 600_000 }, async (t) => {
  const page0 = buildPage(join(root, 'web'));
  server = await serve({ port: 0, webRoot: page0, runtime: { threads: 2 } });
  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const logs: string[] = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  await page.goto(`${server.url}?threads=2&backend=wasm`);
  await page.waitForSelector('[data-testid=env][data-ready]', { timeout: 60_000 });
  const env = await page.getByTestId('env').textContent();
  t.diagnostic(`page: ${env}`);
  assert.match(env ?? '', /WASM, 2 threads/, 'cross-origin isolated, so WASM threads are on');
  assert.equal(await page.evaluate(() => crossOriginIsolated), true);

  // A 320x240 photo-like image with a mosaicked rectangle (8 px blocks).
  const box = { x: 96, y: 64, w: 128, h: 96 };
  const input = join(root, 'mosaic.png');
  await writeImage(input, applyMosaic(syntheticImage(320, 240, 11), fillRect(createMask(320, 240), box), { blockSize: 8 }).image);
  await page.getByTestId('image-file').setInputFiles(input);
  await page.waitForFunction(() => (document.querySelector('[data-testid=image-info]')?.textContent ?? '').includes('320x240'));
  await page.waitForFunction(() => (document.querySelector('[data-testid=model-info]')?.textContent ?? '').includes('restorer'), null, { timeout: 60_000 });

  // Drag the box with the mouse, in image pixels mapped through the canvas's on-screen size.
  const rect = (await page.getByTestId('canvas').boundingBox())!;
  const at = (x: number, y: number): [number, number] => [rect.x + (x * rect.width) / 320, rect.y + (y * rect.height) / 240];
  await page.mouse.move(...at(box.x, box.y));
  await page.mouse.down();
  await page.mouse.move(...at(box.x + box.w / 2, box.y + box.h / 2), { steps: 4 });
  await page.mouse.move(...at(box.x + box.w, box.y + box.h), { steps: 4 });
  await page.mouse.up();
  const drawn = await page.locator('[data-testid=boxes] [data-box]').first().getAttribute('data-box');
  assert.equal(drawn, `${box.x},${box.y},${box.w},${box.h}`, 'the drawn box, in image pixels');

  await page.getByTestId('run').click();
  await waitForResult(page);
  const timing = await page.getByTestId('timing').textContent();
  t.diagnostic(`page: ${await page.getByTestId('status').textContent()}; ${timing}`);
  const shot = artifactPath('browser-restore.png');
  await page.screenshot({ path: shot, fullPage: true });
  t.diagnostic(`screenshot: ${shot}`);
  console.log(`# browser test screenshot: ${shot}`);

  const got = await downloadPng(page, 'downloaded.png');
  await apply({ inputs: [input], output: join(root, 'apply.png'), boxes: [drawn!], runtime: { threads: 2 } });
  const want = await readImage(join(root, 'apply.png'));
  const d = compare(got, want);
  t.diagnostic(`downloaded PNG vs restore apply: max difference ${d.max} grey levels, ${d.changed} of ${want.data.length} values differ`);
  assert.ok(d.max <= 2, `max difference ${d.max}`);
  assert.ok(compare(got, await readImage(input)).changed > 1000, 'the region was restored');
  assert.deepEqual(logs.filter((l) => l.startsWith('pageerror') || l.startsWith('error')), []);

  // "Find mosaic" (the locator, in the worker) finds the rectangle (to within a block).
  await page.getByTestId('reset').click();
  await page.getByRole('button', { name: /^remove region/ }).click();
  await page.getByTestId('auto').click();
  await page.waitForSelector('[data-testid=boxes] [data-box]');
  const [fx, fy, fw, fh] = (await page.locator('[data-testid=boxes] [data-box]').first().getAttribute('data-box'))!.split(',').map(Number);
  assert.ok(Math.abs(fx - box.x) < 8 && Math.abs(fy - box.y) < 8 && Math.abs(fx + fw - box.x - box.w) < 8 && Math.abs(fy + fh - box.y - box.h) < 8, `found ${fx},${fy},${fw},${fh}`);

  // An exported generator loaded from this computer translates a whole image as translate --eval.
  manualSeed(3);
  const cfg = parseGeneratorConfig({ netG: 'unet_128', ngf: 4, norm: 'batch', useDropout: false });
  const gen = join(root, 'g', 'latest_net_G.safetensors');
  await saveNetwork(gen, defineG(cfg), { format: 'img2img-network', model: 'pix2pix', epoch: 1, step: 0, role: 'G', kind: 'generator', config: cfg as unknown as Record<string, unknown> });
  const onnx = join(root, 'g.onnx');
  await exportModel({ checkpoint: gen, output: onnx, verify: false });
  const small = join(root, 'small.png');
  await writeImage(small, syntheticImage(150, 100, 4));
  await page.getByTestId('image-file').setInputFiles(small);
  await page.waitForFunction(() => (document.querySelector('[data-testid=image-info]')?.textContent ?? '').includes('150x100'));
  await page.getByTestId('model-file').setInputFiles(onnx);
  await page.waitForFunction(() => (document.querySelector('[data-testid=run]')?.textContent ?? '').includes('Translate'), null, { timeout: 60_000 });
  await page.getByTestId('run').click();
  await waitForResult(page);
  const translated = await downloadPng(page, 'translated.png');
  await translate({ inputs: [small], output: join(root, 'translate.png'), checkpoint: gen, eval: true, runtime: { threads: 1 } });
  const td = compare(translated, await readImage(join(root, 'translate.png')));
  t.diagnostic(`browser translation vs translate --eval: max difference ${td.max} grey levels`);
  assert.ok(td.max <= 2, `translation max difference ${td.max}`);

  // A file that is not an image: a message, not a blank page.
  const bad = join(root, 'notes.png');
  writeFileSync(bad, 'not an image at all');
  await page.getByTestId('image-file').setInputFiles(bad);
  await page.waitForSelector('[data-testid=error]:not([hidden])');
  assert.match((await page.getByTestId('error').textContent()) ?? '', /not an image/);

  // The video mode: upload, a box on the first frame, restored on the server, downloaded.
  const clip = join(root, 'clip.mkv');
  makeClip(clip, { width: 96, height: 72, frames: 12 });
  await page.getByTestId('mode-video').check();
  await page.getByTestId('video-file').setInputFiles(clip);
  await page.waitForFunction(() => (document.querySelector('[data-testid=video-info]')?.textContent ?? '').includes('12 frames'), null, { timeout: 60_000 });
  assert.equal(await page.getByTestId('error').isVisible(), false);
  await page.getByTestId('model').selectOption('server:faithful');
  await page.getByTestId('box-text').fill('16,12,40,32');
  await page.getByTestId('box-text').press('Enter');
  await page.evaluate(() => {
    const w = window as unknown as { statuses: string[] };
    w.statuses = [];
    const el = document.querySelector('[data-testid=status]')!;
    new MutationObserver(() => w.statuses.push(el.textContent ?? '')).observe(el, { childList: true, characterData: true, subtree: true });
  });
  await page.getByTestId('run').click();
  await waitForResult(page);
  const statuses = await page.evaluate(() => (window as unknown as { statuses: string[] }).statuses);
  t.diagnostic(`video statuses: ${statuses.slice(-3).join(' | ')}`);
  assert.ok(statuses.some((s) => /frame \d+ of 12 · [\d.]+ fps/.test(s)), `frames and fps shown: ${statuses.join(' | ')}`);
  await page.screenshot({ path: artifactPath('browser-video.png'), fullPage: true });
  const [video] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
  const restored = join(root, 'restored.mp4');
  await video.saveAs(restored);
  assert.equal(streams(restored).find((x) => x.type === 'video')!.frames, 12, 'the downloaded video has the clip\'s frames');
  assert.deepEqual(logs.filter((l) => l.startsWith('pageerror')), []);
});
