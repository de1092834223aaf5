// Small generated image datasets for training tests (no files shipped).
import sharp from 'sharp';
import { mkdirSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `img2img-${prefix}-`));
}

/** A smooth colour pattern that differs per index (so images are distinguishable). */
function pattern(w: number, h: number, i: number, shift = 0): Buffer {
  const d = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const k = (y * w + x) * 3;
      d[k] = (128 + 100 * Math.sin((x + 7 * i) / 9 + shift)) | 0;
      d[k + 1] = (128 + 100 * Math.cos((y - 5 * i) / 7)) | 0;
      d[k + 2] = ((x * y + 40 * i) % 256) | 0;
    }
  }
  return d;
}

/** An aligned pix2pix dataset: ROOT/PHASE/i.png, each A|B of size (2*size) x size; B is A shifted in hue. */
export async function makeAlignedDataset(root: string, count: number, size: number, phase = 'train'): Promise<string> {
  mkdirSync(join(root, phase), { recursive: true });
  for (let i = 0; i < count; i++) {
    const a = pattern(size, size, i);
    const b = pattern(size, size, i, 1.5);
    const ab = Buffer.alloc(2 * size * size * 3);
    for (let y = 0; y < size; y++) {
      a.copy(ab, y * 2 * size * 3, y * size * 3, (y + 1) * size * 3);
      b.copy(ab, (y * 2 * size + size) * 3, y * size * 3, (y + 1) * size * 3);
    }
    await sharp(ab, { raw: { width: 2 * size, height: size, channels: 3 } }).png().toFile(join(root, phase, `${String(i).padStart(3, '0')}.png`));
  }
  return root;
}

/** An unaligned CycleGAN dataset: ROOT/{trainA,trainB}/i.png of size x size. */
export async function makeUnalignedDataset(root: string, countA: number, countB: number, size: number, phase = 'train'): Promise<string> {
  for (const [dom, n, shift] of [['A', countA, 0], ['B', countB, 2]] as const) {
    mkdirSync(join(root, `${phase}${dom}`), { recursive: true });
    for (let i = 0; i < n; i++) {
      await sharp(pattern(size, size, i + (dom === 'B' ? 50 : 0), shift), { raw: { width: size, height: size, channels: 3 } }).png().toFile(join(root, `${phase}${dom}`, `${i}.png`));
    }
  }
  return root;
}
