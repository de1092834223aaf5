// bench/pix2pix: seconds per pix2pix training iteration (D step + G step, batch 1) and per
// inference, and each side's peak RSS, img2img beside PyTorch (reference architectures) in the
// same run. Each case runs in its own process on each side; PyTorch at 1 thread and at all
// cores, the faster kept. Run on a quiet machine (check `uptime`): with any other load, PyTorch's
// OpenMP threads collapse and the ratios mean nothing.
// Usage: npx tsx bench/pix2pix/bench.ts [--threads N] [--only 256]
import { defineD, defineG } from '../../src/models/networks.js';
import { Pix2PixModel } from '../../src/train/pix2pix.js';
import { Translator } from '../../src/inference/translator.js';
import { Rng } from '../../src/util/rng.js';
import { timeIt } from '../lib/pytorch.js';
import { benchCases, benchThreads, childResult, ratio, table, torchBest } from '../lib/compare.js';

const threads = benchThreads();
const cases = [
  { name: 'unet_128 @128', netG: 'unet_128' as const, size: 128 },
  { name: 'unet_256 @256', netG: 'unet_256' as const, size: 256 },
];

async function child(c: (typeof cases)[number]) {
  const netG = defineG({ netG: c.netG, ngf: 64, norm: 'batch', useDropout: true });
  const netD = defineD({ netD: 'basic', inputNc: 6, ndf: 64, norm: 'batch' });
  const model = new Pix2PixModel({ netG, netD, ganMode: 'vanilla', lambdaL1: 100, lr: 2e-4, beta1: 0.5, rng: new Rng(0), runtime: { threads } });
  const shape = [1, 3, c.size, c.size];
  const rand = () => Float32Array.from({ length: 3 * c.size * c.size }, () => Math.random() * 2 - 1);
  const batch = { A: { shape, data: rand() }, B: { shape, data: rand() } };
  const train = await timeIt(() => model.optimize(batch), 3, 1);
  const trainRss = process.resourceUsage().maxRSS / 1024;
  const translator = new Translator(netG, { netG: c.netG, inputNc: 3, outputNc: 3, ngf: 64, norm: 'batch', useDropout: true, initType: 'normal', initGain: 0.02 }, true, { threads });
  const infer = await timeIt(() => translator.run(batch.A.data, shape), 2, 1);
  childResult({ train, infer, trainRssMB: trainRss });
}

let version = 'n/a';
const rows = await benchCases<(typeof cases)[number], { train: number; infer: number; trainRssMB: number }>(new URL(import.meta.url).pathname, cases, child, (c, ours) => {
  const torch = torchBest(new URL('./torch_pix2pix.py', import.meta.url).pathname, c, 'train');
  version = torch.version;
  const t = torch.best;
  const inferBest = Math.min(...torch.all.map((r) => r.values.infer));
  return [
    c.name, ours.train.toFixed(3), t ? `${t.values.train.toFixed(3)} (${t.threads}t)` : '-', ratio(ours.train, t?.values.train),
    ours.infer.toFixed(3), Number.isFinite(inferBest) ? inferBest.toFixed(3) : '-', ratio(ours.infer, Number.isFinite(inferBest) ? inferBest : undefined),
    ours.trainRssMB.toFixed(0), t ? t.values.trainRssMB.toFixed(0) : '-', ratio(ours.trainRssMB, t?.values.trainRssMB),
  ];
});
if (rows) {
  console.log(`pix2pix, batch 1, ngf=ndf=64, BatchNorm, vanilla GAN; img2img ${threads} threads; PyTorch ${version} at 1 and all threads, the faster shown`);
  table(['case', 'train s/it', 'PyTorch', 'ratio', 'infer s', 'PyTorch', 'ratio', 'peak RSS MB (train)', 'PyTorch', 'ratio'], rows);
  console.log('ratio = img2img / PyTorch (time: below 1 is faster; memory: below 1 is less)');
}
