// A small MLP and a small conv net, from the same weights and data as tools/fixtures/train_steps.py,
// give the same losses and final weights as PyTorch over 20 optimizer steps: once with the
// optimizers' JavaScript loops and once with the native addon (skipped, with the reason, when the
// addon is not built), so neither path can drift unseen while the other one is in use.
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import * as g from '../../src/graph/index.js';
import { Sequential, Linear, Tanh, LeakyReLU, Conv2d, BatchNorm, ConvTranspose2d, type Module } from '../../src/nn/index.js';
import { Step } from '../../src/runtime/step.js';
import { Adam } from '../../src/optim/adam.js';
import { Sgd } from '../../src/optim/sgd.js';
import { nativeKernelsUnavailable, type KernelChoice } from '../../src/optim/native-kernels.js';
import type { Optimizer } from '../../src/optim/optimizer.js';
import type { HostTensor } from '../../src/io/host-tensor.js';
import { assertClose } from '../helpers/numeric.js';

interface Arr { shape: number[]; data: number[] }
interface Fixture { losses: number[]; initial: Record<string, Arr>; final: Record<string, Arr>; data: { x: Arr; target: Arr }; optimizer: { lr: number; betas?: [number, number]; eps?: number; momentum?: number } }

const load = (name: string): Fixture => JSON.parse(readFileSync(new URL(`../fixtures/train/${name}`, import.meta.url), 'utf8'));
const toState = (d: Record<string, Arr>) => new Map<string, HostTensor>(Object.entries(d).map(([k, v]) => [k, { dtype: 'float32', shape: v.shape, data: Float32Array.from(v.data) }]));

async function train(net: Module, f: Fixture, lossFn: (y: g.Tensor, t: g.Tensor) => g.Tensor, makeOpt: (m: Module) => Optimizer) {
  net.loadStateDict(toState(f.initial));
  const x = g.input('x', f.data.x.shape);
  const t = g.input('target', f.data.target.shape);
  const step = await Step.compile({ build: () => ({ loss: lossFn(net.forward(x), t) }), loss: 'loss', wrt: net.parameters(), modules: [net] }, { threads: 1 });
  const opt = makeOpt(net);
  const feeds = { x: Float32Array.from(f.data.x.data), target: Float32Array.from(f.data.target.data) };
  const losses: number[] = [];
  for (let i = 0; i < f.losses.length; i++) {
    losses.push((await step.run(feeds)).loss[0]);
    opt.step();
  }
  assertClose(losses, f.losses, 1e-4, 'losses');
  const state = net.stateDict();
  for (const [k, v] of Object.entries(f.final)) assertClose(state.get(k)!.data as Float32Array, v.data, 1e-4, `final ${k}`);
}

const adam = (f: Fixture, kernels: KernelChoice) => (m: Module) => new Adam(m.parameters(), { lr: f.optimizer.lr, betas: f.optimizer.betas, eps: f.optimizer.eps, kernels });
// No conv bias before BatchNorm, as pix2pix builds it (BN cancels it; its gradient is pure rounding noise).
const convNet = () => new Sequential(new Conv2d(3, 8, 4, { stride: 2, padding: 1, bias: false }), new BatchNorm(8), LeakyReLU(0.2), new ConvTranspose2d(8, 3, 4, { stride: 2, padding: 1 }), Tanh());

for (const kernels of ['js', 'native'] as const) {
  const skip = kernels === 'native' && nativeKernelsUnavailable ? `native optimizer kernels not built: ${nativeKernelsUnavailable}` : false;

  test(`MLP: 20 Adam steps match PyTorch (${kernels} kernels)`, { skip }, async () => {
    const f = load('mlp_adam.json');
    const net = new Sequential(new Linear(8, 32), Tanh(), new Linear(32, 32), LeakyReLU(0.2), new Linear(32, 4));
    await train(net, f, g.mseLoss, adam(f, kernels));
  });

  test(`conv net with BatchNorm: 20 Adam steps match PyTorch, weights and running stats (${kernels} kernels)`, { skip }, async () => {
    const f = load('conv_adam.json');
    await train(convNet(), f, g.l1Loss, adam(f, kernels));
  });

  test(`conv net: 20 SGD-momentum steps match PyTorch (${kernels} kernels)`, { skip }, async () => {
    const f = load('conv_sgd.json');
    await train(convNet(), f, g.l1Loss, (m) => new Sgd(m.parameters(), { lr: f.optimizer.lr, momentum: f.optimizer.momentum, kernels }));
  });
}
