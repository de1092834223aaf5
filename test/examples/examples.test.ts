// The example data shipped in examples/ (made by tools/examples/make-examples.ts): layout, counts,
// image sizes, attribution of every file, and the size budget.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { SOURCES } from '../../tools/examples/sources.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
// 3 MB of training examples plus 2 MB of restoration examples (examples/mosaic*, lossless PNG mosaics).
const BUDGET_BYTES = 5 * 1024 * 1024;

/** Folder (relative to examples/) -> expected image count and size. */
const LAYOUT: Record<string, { count: number; width: number; height: number }> = {
  photos: { count: 30, width: 256, height: 256 },
  'edges2photos/train': { count: 20, width: 512, height: 256 },
  'edges2photos/val': { count: 4, width: 512, height: 256 },
  'edges2photos/test': { count: 6, width: 512, height: 256 },
  'unpaired/trainA': { count: 16, width: 128, height: 128 },
  'unpaired/trainB': { count: 16, width: 128, height: 128 },
  'unpaired/testA': { count: 4, width: 128, height: 128 },
  'unpaired/testB': { count: 4, width: 128, height: 128 },
};

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]);
}

const images = (folder: string) => readdirSync(join(EXAMPLES, folder)).filter((f) => f.endsWith('.jpg')).sort();
const attribution = () => readFileSync(join(EXAMPLES, 'ATTRIBUTION.md'), 'utf8');

/** The `### id: title` section of ATTRIBUTION.md that lists `file`, as the source id. */
function sourceOf(text: string, file: string): string | undefined {
  let current: string | undefined;
  for (const line of text.split('\n')) {
    const head = /^### ([^:]+):/.exec(line);
    if (head) current = head[1];
    else if (line.includes(`\`${file}\``)) return current;
  }
  return undefined;
}

describe('examples/', () => {
  it('has the expected folders, each with the expected JPEG count and nothing else', () => {
    for (const [folder, { count }] of Object.entries(LAYOUT)) {
      const all = readdirSync(join(EXAMPLES, folder));
      assert.equal(images(folder).length, count, `${folder}: ${count} images`);
      assert.deepEqual(all.sort(), images(folder), `${folder} holds only .jpg files`);
    }
    const top = readdirSync(EXAMPLES);
    for (const name of ['ATTRIBUTION.md', 'README.md', 'edges2photos', 'photos', 'unpaired']) assert.ok(top.includes(name), name);
  });

  it('names files as documented', () => {
    assert.deepEqual(images('photos'), Array.from({ length: 30 }, (_, i) => `photo_${String(i + 1).padStart(2, '0')}.jpg`));
    for (const folder of Object.keys(LAYOUT).filter((f) => f !== 'photos')) {
      const n = LAYOUT[folder].count;
      assert.deepEqual(images(folder), Array.from({ length: n }, (_, i) => `${String(i + 1).padStart(2, '0')}.jpg`), folder);
    }
  });

  it('has images of the right size and format (sharp metadata)', async () => {
    for (const [folder, { width, height }] of Object.entries(LAYOUT)) {
      for (const f of images(folder)) {
        const m = await sharp(join(EXAMPLES, folder, f)).metadata();
        assert.equal(m.format, 'jpeg', `${folder}/${f}`);
        assert.equal(m.width, width, `${folder}/${f} width`);
        assert.equal(m.height, height, `${folder}/${f} height`);
        assert.equal(m.channels, 3, `${folder}/${f} channels`);
      }
    }
  });

  it('has edge drawings on the left of each pair: light, mostly white, and greyscale', async () => {
    for (const split of ['train', 'val', 'test']) {
      for (const f of images(`edges2photos/${split}`)) {
        const path = join(EXAMPLES, 'edges2photos', split, f);
        // stats() would describe the whole input, not the extracted half: decode and measure here
        const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
        const sum = [0, 0, 0];
        let min = 255;
        for (let y = 0; y < info.height; y++) {
          for (let x = 0; x < info.width / 2; x++) {
            for (let c = 0; c < 3; c++) {
              const v = data[(y * info.width + x) * info.channels + c];
              sum[c] += v;
              min = Math.min(min, v);
            }
          }
        }
        const [r, g, b] = sum.map((v) => v / ((info.width / 2) * info.height));
        assert.ok(r > 170 && g > 170 && b > 170, `${split}/${f}: A half mostly white (mean ${r.toFixed(0)})`);
        assert.ok(Math.abs(r - g) < 3 && Math.abs(g - b) < 3, `${split}/${f}: A half greyscale`);
        assert.ok(min < 60, `${split}/${f}: A half has dark lines`);
      }
    }
  });

  it('lists every derived file in ATTRIBUTION.md under a known source, with each source\'s author and license', () => {
    const text = attribution();
    const ids = new Set(SOURCES.map((s) => s.id));
    // The restoration examples (examples/mosaic*) have their own ATTRIBUTION.md (tested below).
    for (const path of walk(EXAMPLES).filter((p) => p.endsWith('.jpg') && !relative(EXAMPLES, p).startsWith('mosaic'))) {
      const rel = relative(EXAMPLES, path).split('\\').join('/');
      const id = sourceOf(text, rel);
      assert.ok(id, `${rel} is listed in ATTRIBUTION.md`);
      assert.ok(ids.has(id), `${rel} is attributed to a known source (${id})`);
    }
    for (const s of SOURCES) {
      assert.ok(text.includes(`### ${s.id}: `), `section for ${s.id}`);
      assert.ok(text.includes(`Author: ${s.author}`), `author of ${s.id}`);
      assert.ok(text.includes(`License: ${s.license} (<${s.licenseUrl}>)`), `license of ${s.id}`);
    }
    assert.match(text, /cropped, resized, edge-rendered \/ toned by `tools\/examples\/make-examples\.ts`/);
  });

  it('uses only sources whose license allows redistributing attributed crops', () => {
    for (const s of SOURCES) assert.ok(['CC BY 4.0', 'CC0 1.0', 'Public domain'].includes(s.license), `${s.id}: ${s.license}`);
  });

  it('keeps the unpaired domains apart: no source photograph feeds both A and B', () => {
    const text = attribution();
    const from = (folder: string) => new Set(images(folder).map((f) => sourceOf(text, `${folder}/${f}`)));
    const a = new Set([...from('unpaired/trainA'), ...from('unpaired/testA')]);
    const b = new Set([...from('unpaired/trainB'), ...from('unpaired/testB')]);
    for (const id of a) assert.ok(!b.has(id), `${id} is in both domains`);
  });

  it('keeps the pix2pix splits apart: no source photograph feeds two splits', () => {
    const text = attribution();
    const seen = new Map<string, string>();
    for (const split of ['train', 'val', 'test']) {
      for (const f of images(`edges2photos/${split}`)) {
        const id = sourceOf(text, `edges2photos/${split}/${f}`)!;
        assert.ok(!seen.has(id) || seen.get(id) === split, `${id} is in ${seen.get(id)} and ${split}`);
        seen.set(id, split);
      }
    }
  });

  it(`stays under the ${BUDGET_BYTES / 1024 / 1024} MB budget`, () => {
    const total = walk(EXAMPLES).reduce((n, p) => n + statSync(p).size, 0);
    assert.ok(total < BUDGET_BYTES, `examples/ is ${total} bytes`);
  });

  it('has restoration examples: held-out corpus photos under permissive licenses, one lossless mosaic each that --auto finds', async () => {
    const { SOURCES: CORPUS } = await import('../../tools/corpus/sources.js');
    const { regionsFromLocate } = await import('../../src/restore/regions.js');
    const { readImage } = await import('../../src/data/image.js');
    const text = readFileSync(join(EXAMPLES, 'mosaic', 'ATTRIBUTION.md'), 'utf8');
    const mosaics = readdirSync(join(EXAMPLES, 'mosaic')).filter((f) => f.endsWith('.png')).sort();
    assert.ok(mosaics.length >= 3, 'a few example mosaics');
    assert.deepEqual(readdirSync(join(EXAMPLES, 'mosaic-original')).sort(), mosaics.map((f) => f.replace(/\.png$/, '.jpg')));
    for (const f of mosaics) {
      const row = text.split('\n').find((l) => l.startsWith(`| \`${f}\``));
      assert.ok(row, `${f} is listed in examples/mosaic/ATTRIBUTION.md`);
      const source = CORPUS.find((s) => row.includes(s.author) && row.includes(s.path));
      assert.ok(source, `${f}: its source is a corpus photograph`);
      assert.equal(source.split, 'heldout', `${f}: from a held-out photograph (never trained on)`);
      assert.ok(['CC BY 4.0', 'CC0 1.0', 'Public domain'].includes(source.license), `${f}: ${source.license}`);
      assert.equal(regionsFromLocate(await readImage(join(EXAMPLES, 'mosaic', f))).length, 1, `${f}: --auto finds its one mosaic`);
    }
  });
});

