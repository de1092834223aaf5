// bench/cyclegan: seconds per CycleGAN iteration (resnet_9blocks, basic D, instance norm, lsgan,
// identity loss on, batch 1) beside PyTorch (reference architectures) in the same run, as ratios.
// Usage: npx tsx bench/cyclegan/bench.ts [--threads 2] [--only 128]
import { defineD, defineG } from '../../src/models/networks.js';
import { CycleGanModel } from '../../src/train/cycle-gan.js';
import { Rng } from '../../src/util/rng.js';
import { runTorch, timeIt } from '../lib/pytorch.js';

const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const threads = Number(arg('--threads') ?? 2);
const cases = [{ name: '128x128', size: 128 }, { name: '256x256', size: 256 }].filter((c) => !arg('--only') || c.name.includes(arg('--only')!));
const torch = runTorch<{ torch: string; peakRssMB: number; results: { name: string; train: number }[] }>(new URL('./torch_cyclegan.py', import.meta.url).pathname, cases, [String(threads)]);

console.log(`CycleGAN, resnet_9blocks + basic D, ngf=ndf=64, instance norm, ${threads} threads; PyTorch ${torch?.torch ?? 'n/a'} (peak RSS ${torch?.peakRssMB.toFixed(0) ?? '-'} MB)`);
console.log(['size'.padEnd(10), 'img2img s/it', 'torch s/it', 'ratio'].join('\t'));
for (const c of cases) {
  const gen = () => defineG({ netG: 'resnet_9blocks', ngf: 64, norm: 'instance', useDropout: false });
  const dis = () => defineD({ netD: 'basic', inputNc: 3, ndf: 64, norm: 'instance' });
  const model = new CycleGanModel({ netG_A: gen(), netG_B: gen(), netD_A: dis(), netD_B: dis(), ganMode: 'lsgan', lambdaA: 10, lambdaB: 10, lambdaIdentity: 0.5, poolSize: 50, lr: 2e-4, beta1: 0.5, rng: new Rng(0), runtime: { threads } });
  const shape = [1, 3, c.size, c.size];
  const rand = () => Float32Array.from({ length: 3 * c.size * c.size }, () => Math.random() * 2 - 1);
  const batch = { A: { shape, data: rand() }, B: { shape, data: rand() } };
  const t = await timeIt(() => model.optimize(batch), 3, 1);
  const ref = torch?.results.find((r) => r.name === c.name)?.train;
  console.log([c.name.padEnd(10), t.toFixed(3), ref?.toFixed(3) ?? '-', ref ? (t / ref).toFixed(2) + 'x' : '-'].join('\t'));
}
console.log(`img2img peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (ratio = img2img time / PyTorch time; below 1 is faster)`);
