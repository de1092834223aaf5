// A generated two-class image set: textured backgrounds with ('object') and without
// ('background') a bright disc or square at a random position.
import { join } from 'node:path';
import { writeImage, type Image } from '../../src/data/image.js';
import { createRng, type Rng } from '../../src/util/rng.js';
import type { Box } from '../../src/mosaic/mask.js';

function background(rng: Rng, size: number): Image {
  const data = new Uint8Array(size * size * 3);
  const base = [0, 1, 2].map(() => 40 + rng.random() * 80);
  const waves = Array.from({ length: 3 }, () => ({
    fx: (rng.random() * 2 - 1) * 0.4, fy: (rng.random() * 2 - 1) * 0.4, ph: rng.random() * 6.28, amp: 5 + rng.random() * 10,
    col: [0, 1, 2].map(() => 0.5 + rng.random()),
  }));
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      for (let c = 0; c < 3; c++) {
        let v = base[c] + (rng.random() * 2 - 1) * 14;
        for (const w of waves) v += w.amp * w.col[c] * Math.sin(w.fx * x + w.fy * y + w.ph);
        data[(y * size + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return { width: size, height: size, channels: 3, data };
}

/** Draws a bright disc or square; returns its bounding box. */
function drawObject(img: Image, rng: Rng): Box {
  const s = img.width;
  const r = 5 + rng.int(5);
  const cx = r + 1 + rng.int(s - 2 * r - 2), cy = r + 1 + rng.int(s - 2 * r - 2);
  const disc = rng.random() < 0.5;
  const col = [0, 1, 2].map(() => 205 + rng.int(50));
  for (let y = cy - r; y <= cy + r; y++) {
    for (let x = cx - r; x <= cx + r; x++) {
      if (disc && (x - cx) ** 2 + (y - cy) ** 2 > r * r) continue;
      for (let c = 0; c < 3; c++) img.data[(y * s + x) * 3 + c] = Math.min(255, col[c] + rng.int(8));
    }
  }
  return { x: cx - r, y: cy - r, w: 2 * r + 1, h: 2 * r + 1 };
}

/** Writes DIR/background/NNN.png and DIR/object/NNN.png; returns the object boxes by path. */
export async function writeObjectDataset(dir: string, perClass: number, size = 64, seed = 1): Promise<Map<string, Box>> {
  const rng = createRng(seed);
  const boxes = new Map<string, Box>();
  for (let i = 0; i < perClass; i++) {
    const name = `${String(i).padStart(3, '0')}.png`;
    await writeImage(join(dir, 'background', name), background(rng, size));
    const img = background(rng, size);
    const box = drawObject(img, rng);
    const path = join(dir, 'object', name);
    await writeImage(path, img);
    boxes.set(path, box);
  }
  return boxes;
}
