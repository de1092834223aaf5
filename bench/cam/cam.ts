// Speed of CAM (ORT with the feature map as an extra output) vs Grad-CAM (engine import + autodiff)
// on the default `classifier train` network (widths 16,32,64; GAP + linear), random weights.
// Run: node --import tsx bench/cam/cam.ts [size=64] [images=40]
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manualSeed } from '../../src/nn/init.js';
import { GapCnn } from '../../src/classifier/net.js';
import { exportClassifierOnnx } from '../../src/classifier/export.js';
import { loadClassifier, type CamMethod } from '../../src/cam/classifier.js';
import { syntheticImage } from '../../src/mosaic/synthetic.js';

const size = Number(process.argv[2] ?? 64);
const n = Number(process.argv[3] ?? 40);
const dir = await mkdtemp(join(tmpdir(), 'bench-cam-'));
try {
  manualSeed(0);
  const path = join(dir, 'net.onnx');
  await writeFile(path, exportClassifierOnnx(new GapCnn(10), size));
  const clf = await loadClassifier(path);
  const images = Array.from({ length: n }, (_, i) => syntheticImage(256, 192, i));
  console.log(`GapCnn(10 classes) at ${size}x${size}, ${n} images of 256x192 (resize + map + upsample + normalize)`);
  for (const method of ['cam', 'gradcam'] as CamMethod[]) {
    const t0 = performance.now();
    await clf.prepare({ method });
    const tPrep = performance.now() - t0;
    await clf.explain(images[0], { method }); // warm-up
    const t1 = performance.now();
    for (const img of images) await clf.explain(img, { method, classIndex: 3 });
    const ms = (performance.now() - t1) / n;
    console.log(`${method.padEnd(8)} setup ${tPrep.toFixed(0).padStart(5)} ms   ${ms.toFixed(2).padStart(7)} ms/image`);
  }
  await clf.release();
} finally {
  await rm(dir, { recursive: true, force: true });
}
