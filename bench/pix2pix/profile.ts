// Per-op-type ORT kernel time of one pix2pix iteration (D graph + G graph).
// Usage: npx tsx bench/pix2pix/profile.ts [unet_128|unet_256] [threads]
import { rmSync, mkdirSync } from 'node:fs';
import { defineD, defineG } from '../../src/models/networks.js';
import { Pix2PixModel } from '../../src/train/pix2pix.js';
import { Rng } from '../../src/util/rng.js';
import { summarizeProfiles } from '../lib/profile.js';

const netGName = (process.argv[2] ?? 'unet_128') as 'unet_128' | 'unet_256';
const threads = Number(process.argv[3] ?? 2);
const size = netGName === 'unet_128' ? 128 : 256;
const prefix = '/tmp/img2img-prof/p';
rmSync('/tmp/img2img-prof', { recursive: true, force: true });
mkdirSync('/tmp/img2img-prof');
const netG = defineG({ netG: netGName, ngf: 64, norm: 'batch', useDropout: true });
const netD = defineD({ netD: 'basic', inputNc: 6, ndf: 64, norm: 'batch' });
const model = new Pix2PixModel({ netG, netD, ganMode: 'vanilla', lambdaL1: 100, lr: 2e-4, beta1: 0.5, rng: new Rng(0), runtime: { threads, profilePrefix: prefix } });
const shape = [1, 3, size, size];
const rand = () => Float32Array.from({ length: 3 * size * size }, () => Math.random() * 2 - 1);
const batch = { A: { shape, data: rand() }, B: { shape, data: rand() } };
const runs = 3;
await model.optimize(batch);
const t0 = performance.now();
let opt = 0;
for (let i = 0; i < runs; i++) {
  const o0 = performance.now();
  await model.optimize(batch);
  opt += performance.now() - o0;
}
console.log(`wall ${((performance.now() - t0) / runs).toFixed(0)} ms/iteration`);
const t1 = performance.now();
model.optG.step();
model.optD.step();
console.log(`optimizer (G+D Adam, ${((netG.parameterCount() + netD.parameterCount()) / 1e6).toFixed(1)}M params): ${(performance.now() - t1).toFixed(0)} ms`);
for (const st of (model as any).steps.values()) st.compiled.endProfiling();
const rows = summarizeProfiles(prefix, runs + 1);
console.log(`kernels total ${rows.reduce((a, [, v]) => a + v, 0).toFixed(0)} ms/iteration`);
for (const [op, ms] of rows.slice(0, 14)) console.log(`${ms.toFixed(1).padStart(8)} ms  ${op}`);
