// bench/engine: forward+backward throughput of conv and conv-transpose at unet_256's shapes,
// img2img (ORT) beside PyTorch in the same run. Usage: npx tsx bench/engine/conv.ts [--threads 2]
import * as g from '../../src/graph/index.js';
import { CompiledGraph } from '../../src/runtime/session.js';
import { UNET256_SHAPES, forwardFlops, type ConvShape } from './shapes.js';
import { runTorch, timeIt } from '../lib/pytorch.js';

const threads = Number(process.argv[process.argv.indexOf('--threads') + 1]) || 2;
const only = process.env.BENCH_ONLY;
const shapes = UNET256_SHAPES.filter((s) => !only || s.name.includes(only));

async function oursSeconds(s: ConvShape): Promise<number> {
  const x = g.input('x', [1, s.cin, s.h, s.h]);
  const w = g.input('w', s.kind === 'conv' ? [s.cout, s.cin, 4, 4] : [s.cin, s.cout, 4, 4]);
  const y = s.kind === 'conv' ? g.conv2d(x, w, null, { stride: 2, padding: 1 }) : g.convTranspose2d(x, w, null, { stride: 2, padding: 1 });
  const gy = g.input('gy', y.shape);
  const [gx, gwShaped] = g.grad(g.sum(g.mul(y, gy)), [x, w]);
  // As in a training Step: the weight gradient lands in a flat buffer, so a final Reshape is dropped.
  const gw = gwShaped.op === 'Reshape' ? gwShaped.inputs[0] : gwShaped;
  const graph = await CompiledGraph.compile({ y, gx, gw }, { threads });
  const rand = (n: number) => Float32Array.from({ length: n }, () => Math.random() - 0.5);
  const feeds = { x: rand(x.shape.reduce((a, b) => a * b)), w: rand(w.shape.reduce((a, b) => a * b)), gy: rand(y.shape.reduce((a, b) => a * b)) };
  const into = { y: new Float32Array(y.shape.reduce((a, b) => a * b)), gx: new Float32Array(feeds.x.length), gw: new Float32Array(feeds.w.length) };
  const t = await timeIt(() => graph.run(feeds, into));
  await graph.release();
  return t;
}

const torch = runTorch<{ torch: string; threads: number; results: { name: string; seconds: number }[] }>(new URL('./torch_conv.py', import.meta.url).pathname, shapes, [String(threads)]);
console.log(`forward+backward (dx, dW), batch 1, 4x4 stride 2, ${threads} threads; PyTorch ${torch?.torch ?? 'n/a'}`);
console.log(['layer'.padEnd(24), 'ours ms', 'GFLOP/s', 'torch ms', 'GFLOP/s', 'speedup'].join('\t'));
let oursTotal = 0;
let torchTotal = 0;
for (const s of shapes) {
  const ours = await oursSeconds(s);
  const ref = torch?.results.find((r) => r.name === s.name)?.seconds;
  const flops = 3 * forwardFlops(s);
  oursTotal += ours;
  torchTotal += ref ?? 0;
  console.log([s.name.padEnd(24), (ours * 1e3).toFixed(2), (flops / ours / 1e9).toFixed(1), ref ? (ref * 1e3).toFixed(2) : '-', ref ? (flops / ref / 1e9).toFixed(1) : '-', ref ? (ref / ours).toFixed(2) + 'x' : '-'].join('\t'));
}
console.log(`total\t${(oursTotal * 1e3).toFixed(1)} ms\ttorch ${(torchTotal * 1e3).toFixed(1)} ms\tspeedup ${(torchTotal / oursTotal).toFixed(2)}x`);
