// bench/pix2pix: seconds per pix2pix training iteration (D step + G step, batch 1) and per
// inference, img2img beside PyTorch (reference architectures) in the same run, as ratios.
// Usage: npx tsx bench/pix2pix/bench.ts [--threads 2] [--only 128]
import { defineD, defineG } from '../../src/models/networks.js';
import { Pix2PixModel } from '../../src/train/pix2pix.js';
import { Translator } from '../../src/inference/translator.js';
import { Rng } from '../../src/util/rng.js';
import { runTorch, timeIt } from '../lib/pytorch.js';

const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const threads = Number(arg('--threads') ?? 2);
const cases = [
  { name: 'unet_128 @128', netG: 'unet_128' as const, size: 128 },
  { name: 'unet_256 @256', netG: 'unet_256' as const, size: 256 },
].filter((c) => !arg('--only') || c.name.includes(arg('--only')!));

const torch = runTorch<{ torch: string; threads: number; peakRssMB: number; results: { name: string; train: number; infer: number }[] }>(
  new URL('./torch_pix2pix.py', import.meta.url).pathname, cases, [String(threads)]);

console.log(`pix2pix, batch 1, ngf=ndf=64, BatchNorm, vanilla GAN, ${threads} threads; PyTorch ${torch?.torch ?? 'n/a'} (peak RSS ${torch?.peakRssMB.toFixed(0) ?? '-'} MB)`);
console.log(['case'.padEnd(16), 'train s/it', 'torch', 'ratio', 'infer s', 'torch', 'ratio'].join('\t'));
for (const c of cases) {
  const netG = defineG({ netG: c.netG, ngf: 64, norm: 'batch', useDropout: true });
  const netD = defineD({ netD: 'basic', inputNc: 6, ndf: 64, norm: 'batch' });
  const model = new Pix2PixModel({ netG, netD, ganMode: 'vanilla', lambdaL1: 100, lr: 2e-4, beta1: 0.5, rng: new Rng(0), runtime: { threads } });
  const shape = [1, 3, c.size, c.size];
  const rand = () => Float32Array.from({ length: 3 * c.size * c.size }, () => Math.random() * 2 - 1);
  const batch = { A: { shape, data: rand() }, B: { shape, data: rand() } };
  const train = await timeIt(() => model.optimize(batch), 3, 1);
  const translator = new Translator(netG, { netG: c.netG, inputNc: 3, outputNc: 3, ngf: 64, norm: 'batch', useDropout: true, initType: 'normal', initGain: 0.02 }, true, { threads });
  const infer = await timeIt(() => translator.run(batch.A.data, shape), 2, 1);
  const ref = torch?.results.find((r) => r.name === c.name);
  const ratio = (a: number, b?: number) => (b ? (a / b).toFixed(2) + 'x' : '-');
  console.log([c.name.padEnd(16), train.toFixed(3), ref?.train.toFixed(3) ?? '-', ratio(train, ref?.train), infer.toFixed(3), ref?.infer.toFixed(3) ?? '-', ratio(infer, ref?.infer)].join('\t'));
}
console.log(`img2img peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (ratio = img2img time / PyTorch time; below 1 is faster)`);
