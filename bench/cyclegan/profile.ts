// Per-op-type ORT kernel time of one CycleGAN iteration (G graph + D graph).
// Usage: npx tsx bench/cyclegan/profile.ts [size] [threads]
import { rmSync, mkdirSync } from 'node:fs';
import { defineD, defineG } from '../../src/models/networks.js';
import { CycleGanModel } from '../../src/train/cycle-gan.js';
import { Rng } from '../../src/util/rng.js';
import { summarizeProfiles } from '../lib/profile.js';

const size = Number(process.argv[2] ?? 128);
const threads = Number(process.argv[3] ?? 2);
const prefix = '/tmp/img2img-prof-cg/p';
rmSync('/tmp/img2img-prof-cg', { recursive: true, force: true });
mkdirSync('/tmp/img2img-prof-cg');
const gen = () => defineG({ netG: 'resnet_9blocks', ngf: 64, norm: 'instance', useDropout: false });
const dis = () => defineD({ netD: 'basic', inputNc: 3, ndf: 64, norm: 'instance' });
const model = new CycleGanModel({ netG_A: gen(), netG_B: gen(), netD_A: dis(), netD_B: dis(), ganMode: 'lsgan', lambdaA: 10, lambdaB: 10, lambdaIdentity: 0.5, poolSize: 50, lr: 2e-4, beta1: 0.5, rng: new Rng(0), runtime: { threads, profilePrefix: prefix } });
const shape = [1, 3, size, size];
const rand = () => Float32Array.from({ length: 3 * size * size }, () => Math.random() * 2 - 1);
const batch = { A: { shape, data: rand() }, B: { shape, data: rand() } };
await model.optimize(batch);
const t0 = performance.now();
await model.optimize(batch);
console.log(`wall ${(performance.now() - t0).toFixed(0)} ms/iteration`);
for (const s of (model as any).steps.values()) for (const st of [s.g, s.d]) st.compiled.endProfiling();
const rows = summarizeProfiles(prefix, 2);
console.log(`kernels total ${rows.reduce((a, [, v]) => a + v, 0).toFixed(0)} ms/iteration`);
for (const [op, ms] of rows.slice(0, 14)) console.log(`${ms.toFixed(1).padStart(8)} ms  ${op}`);
