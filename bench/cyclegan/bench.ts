// bench/cyclegan: seconds per CycleGAN iteration (resnet_9blocks, basic D, instance norm, lsgan,
// identity loss on, batch 1) and each side's peak RSS, beside PyTorch (reference architectures)
// in the same run. Each case runs in its own process on each side; PyTorch at 1 thread and at
// all cores, the faster kept. Run on a quiet machine (check `uptime`).
// Usage: npx tsx bench/cyclegan/bench.ts [--threads N] [--only 128]
import { defineD, defineG } from '../../src/models/networks.js';
import { CycleGanModel } from '../../src/train/cycle-gan.js';
import { Rng } from '../../src/util/rng.js';
import { timeIt } from '../lib/pytorch.js';
import { benchCases, benchThreads, childResult, ratio, table, torchBest } from '../lib/compare.js';

const threads = benchThreads();
const cases = [{ name: '128x128', size: 128 }, { name: '256x256', size: 256 }];

async function child(c: (typeof cases)[number]) {
  const gen = () => defineG({ netG: 'resnet_9blocks', ngf: 64, norm: 'instance', useDropout: false });
  const dis = () => defineD({ netD: 'basic', inputNc: 3, ndf: 64, norm: 'instance' });
  const model = new CycleGanModel({ netG_A: gen(), netG_B: gen(), netD_A: dis(), netD_B: dis(), ganMode: 'lsgan', lambdaA: 10, lambdaB: 10, lambdaIdentity: 0.5, poolSize: 50, lr: 2e-4, beta1: 0.5, rng: new Rng(0), runtime: { threads } });
  const shape = [1, 3, c.size, c.size];
  const rand = () => Float32Array.from({ length: 3 * c.size * c.size }, () => Math.random() * 2 - 1);
  const batch = { A: { shape, data: rand() }, B: { shape, data: rand() } };
  childResult({ train: await timeIt(() => model.optimize(batch), 3, 1) });
}

let version = 'n/a';
const rows = await benchCases<(typeof cases)[number], { train: number }>(new URL(import.meta.url).pathname, cases, child, (c, ours) => {
  const torch = torchBest(new URL('./torch_cyclegan.py', import.meta.url).pathname, c, 'train');
  version = torch.version;
  const t = torch.best;
  return [c.name, ours.train.toFixed(3), t ? `${t.values.train.toFixed(3)} (${t.threads}t)` : '-', ratio(ours.train, t?.values.train),
    ours.peakRssMB.toFixed(0), t ? t.peakRssMB.toFixed(0) : '-', ratio(ours.peakRssMB, t?.peakRssMB)];
});
if (rows) {
  console.log(`CycleGAN, resnet_9blocks + basic D, ngf=ndf=64, instance norm, identity loss; img2img ${threads} threads; PyTorch ${version} at 1 and all threads, the faster shown`);
  table(['size', 'img2img s/it', 'PyTorch s/it', 'ratio', 'peak RSS MB', 'PyTorch', 'ratio'], rows);
  console.log('ratio = img2img / PyTorch (time: below 1 is faster; memory: below 1 is less)');
}
