// Writes examples/mosaic/: a few mosaicked crops of HELD-OUT corpus photographs (never seen in
// training) under public-domain / CC0 / CC BY terms, their clean originals in
// examples/mosaic-original (for comparison
// only: restoration cannot know them), and ATTRIBUTION.md. Run after building the corpus:
//   npx tsx tools/examples/make-mosaic-examples.ts [--corpus data/photo-corpus]
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { SOURCES } from '../corpus/sources.js';
import { writeImage, type Image } from '../../src/data/image.js';
import { pixelate, type MosaicStyle } from '../../src/mosaic/pixelate.js';
import { rectMask } from '../../src/mosaic/shapes.js';

const { values } = parseArgs({ options: { corpus: { type: 'string', default: 'data/photo-corpus' } } });
const OUT = 'examples/mosaic';
const ORIGINALS = 'examples/mosaic-original';

interface Example {
  /** Output name. */
  name: string;
  /** Corpus source id (held-out split). */
  source: string;
  /** Scale file of the corpus to crop from, and the crop (left, top) at that scale. */
  scale: string;
  left: number;
  top: number;
  /** The mosaic: box inside the 512x384 crop, block size, style. */
  box: { x: number; y: number; w: number; h: number };
  block: number;
  style: MosaicStyle;
}

const W = 512, H = 384;
const EXAMPLES: Example[] = [
  { name: 'koala', source: 'gc-wildlife-koala', scale: '0.7', left: 20, top: 150, box: { x: 150, y: 60, w: 220, h: 200 }, block: 10, style: 'average' },
  { name: 'carcassonne', source: 'gc-monument-cite-de-carcassonne', scale: '0.7', left: 100, top: 80, box: { x: 60, y: 90, w: 300, h: 180 }, block: 12, style: 'average' },
  { name: 'chicken', source: 'gc-farm-chicken', scale: '0.7', left: 100, top: 60, box: { x: 140, y: 70, w: 200, h: 200 }, block: 8, style: 'average' },
  { name: 'stream', source: 'life', scale: '0.25', left: 120, top: 60, box: { x: 100, y: 80, w: 260, h: 220 }, block: 6, style: 'average' },
];

await mkdir(OUT, { recursive: true });
await mkdir(ORIGINALS, { recursive: true });
const lines: string[] = [];
for (const ex of EXAMPLES) {
  const src = SOURCES.find((s) => s.id === ex.source);
  if (!src || src.split !== 'heldout') throw new Error(`${ex.source}: not a held-out corpus source`);
  if (!['Public domain', 'CC0 1.0', 'CC BY 4.0'].includes(src.license)) throw new Error(`${ex.source}: license ${src.license} not allowed for examples`);
  const path = join(values.corpus!, 'heldout', `${ex.source}@${ex.scale}.png`);
  const { data, info } = await sharp(path).extract({ left: ex.left, top: ex.top, width: W, height: H }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const clean: Image = { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data) };
  const mosaicked = pixelate(clean, rectMask(W, H, ex.box), { blockSize: ex.block, style: ex.style, grid: 'image' });
  await writeImage(join(OUT, `${ex.name}.png`), mosaicked);
  await writeImage(join(ORIGINALS, `${ex.name}.jpg`), clean, { quality: 90 });
  const b = ex.box;
  lines.push(`| \`${ex.name}.png\` | ${src.title} | ${src.author} | ${src.license} (${src.licenseUrl}) | ${src.pkg} ${src.pkgVersion}: \`${src.path}${src.member ? `#${src.member}` : ''}\`${src.url ? `, ${src.url}` : ''} | ` +
    `crop ${W}x${H} at (${ex.left},${ex.top}) of the ${ex.scale}x scale; ${ex.style} mosaic, ${ex.block} px blocks, box ${b.x},${b.y},${b.w},${b.h} |`);
}
await writeFile(join(OUT, 'ATTRIBUTION.md'), `# Example mosaics

Written by \`tools/examples/make-mosaic-examples.ts\` from HELD-OUT photographs of the training corpus
(\`tools/corpus\`; the restoration models never saw them). Each \`NAME.png\` is a crop with one rectangle
pixelated; \`examples/mosaic-original/NAME.jpg\` is the same crop before pixelation, for comparison only. Restoration
cannot know the original: it invents plausible detail.

Modifications: cropped, resized by the corpus build (lanczos3), one rectangle pixelated.

| file | shows | author | license | source | how it was made |
|---|---|---|---|---|---|
${lines.join('\n')}
`);
console.log(`wrote ${EXAMPLES.length} examples to ${OUT}`);
