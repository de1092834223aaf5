// Peak memory and time of inference on a large image (issue 16): `translate` with a unet_256 and a
// resnet_9blocks generator (ngf 64, random weights: the cost does not depend on them) and
// `restore apply` with the shipped faithful model on one mosaic region (2048x2048 at 4096), each on a
// SIDE x SIDE photo-like image, each case in its own process (its own peak RSS).
//
// Usage: node --import tsx bench/inference/large.ts [SIDE=4096] [THREADS=2]
// Prints a markdown table: case, seconds, seconds per megapixel, peak RSS.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

const CASES = ['translate unet_256', 'translate resnet_9blocks', 'restore apply (one mosaic region, min(2048, side/2) square, blocks of 16)'] as const;

async function runCase(name: string, side: number, threads: number, dir: string): Promise<void> {
  const { buildGenerator } = await import('../../src/models/networks.js');
  const { encodeNetwork } = await import('../../src/models/checkpoint.js');
  const input = join(dir, 'big.png');
  if (name.startsWith('translate')) {
    const { translate } = await import('../../src/inference/job.js');
    const netG = name.split(' ')[1] as 'unet_256' | 'resnet_9blocks';
    const config = { netG, ngf: 64, inputNc: 3, outputNc: 3, norm: 'instance', useDropout: false, initType: 'normal', initGain: 0.02 } as const;
    const ckpt = join(dir, `${netG}.safetensors`);
    writeFileSync(ckpt, encodeNetwork(buildGenerator(config), { format: 'img2img-network', role: 'G', kind: 'generator', config, model: 'pix2pix', epoch: 1, step: 0 }));
    const t1 = performance.now();
    await translate({ inputs: [input], output: join(dir, `${netG}.png`), checkpoint: ckpt, eval: true, runtime: { threads } });
    report(name, (performance.now() - t1) / 1000, side);
  } else {
    const { add } = await import('../../src/mosaic/job.js');
    const { apply } = await import('../../src/restore/job.js');
    const r = Math.min(2048, side / 2), box = `${side / 2 - r / 2},${side / 2 - r / 2},${r},${r}`;
    await add({ inputs: [input], output: join(dir, 'mosaic.png'), boxes: [box], blockSize: 16 });
    const t1 = performance.now();
    await apply({ inputs: [join(dir, 'mosaic.png')], output: join(dir, 'restored.png'), boxes: [box], runtime: { threads } });
    report(name, (performance.now() - t1) / 1000, side);
  }
}

function report(name: string, seconds: number, side: number): void {
  const mp = (side * side) / 1e6;
  const rssMb = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ name, seconds, perMegapixel: seconds / mp, peakRssMb: rssMb }));
}

const [caseArg] = process.argv.slice(2).filter((a) => a.startsWith('--case='));
const [sideArg, threadsArg] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const side = Number(sideArg ?? 4096), threads = Number(threadsArg ?? 2);
if (caseArg) {
  const [name, dir] = caseArg.slice(7).split('|');
  await runCase(name, side, threads, dir);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'img2img-large-'));
  try {
    // A smooth photo-like test image: gradients plus noise (content does not change the cost).
    const raw = Buffer.alloc(side * side * 3);
    for (let y = 0, i = 0; y < side; y++) for (let x = 0; x < side; x++, i += 3) {
      raw[i] = (x * 255) / side; raw[i + 1] = (y * 255) / side; raw[i + 2] = 128 + 100 * Math.sin(x / 37) * Math.cos(y / 53);
    }
    await sharp(raw, { raw: { width: side, height: side, channels: 3 } }).png({ compressionLevel: 1 }).toFile(join(dir, 'big.png'));
    console.log(`| case (${side}x${side}, ${threads} threads) | seconds | s / megapixel | peak RSS |`);
    console.log('| --- | --- | --- | --- |');
    for (const name of CASES) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, `--case=${name}|${dir}`, String(side), String(threads)], { encoding: 'utf8', maxBuffer: 1 << 26 });
      const line = r.stdout.trim().split('\n').find((l) => l.startsWith('{'));
      if (r.status !== 0 || !line) { console.log(`| ${name} | failed: ${(r.stderr || '').trim().split('\n').slice(-3).join(' ')} | | |`); continue; }
      const j = JSON.parse(line);
      console.log(`| ${name} | ${j.seconds.toFixed(1)} | ${j.perMegapixel.toFixed(2)} | ${(j.peakRssMb / 1024).toFixed(2)} GB |`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
