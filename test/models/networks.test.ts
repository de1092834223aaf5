// The networks against the reference's (tools/fixtures/networks.py): small-width nets load the
// PyTorch state_dicts strictly and give PyTorch's eval-mode outputs; full-width nets have the
// reference's state_dict names, shapes, parameter order and parameter counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as g from '../../src/graph/index.js';
import { Step } from '../../src/runtime/step.js';
import { loadPth } from '../../src/io/pth.js';
import { readSafetensors } from '../../src/io/safetensors.js';
import type { HostTensor } from '../../src/io/host-tensor.js';
import { manualSeed, type Module } from '../../src/nn/index.js';
import {
  buildDiscriminator,
  buildGenerator,
  defineD,
  defineG,
  dropInstanceNormStats,
  parseDiscriminatorConfig,
  parseGeneratorConfig,
  ResnetGenerator,
  UnetGenerator,
  UnetSkipConnectionBlock,
} from '../../src/models/index.js';
import { Rng } from '../../src/util/rng.js';
import { hashUniform } from './fixture-input.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/models/${name}`, import.meta.url));
const readJson = (name: string) => JSON.parse(readFileSync(fixture(name), 'utf8'));

interface SmallFixture {
  config: Record<string, unknown>;
  input: { shape: number[]; seed: number };
  outputShape: number[];
  stride: number;
  sum: number;
  absSum: number;
  maxAbs: number;
}
interface FullFixture { config: Record<string, unknown>; stateDict: [string, number[]][]; parameters: string[]; parameterCount: number }

const small: Record<string, SmallFixture> = readJson('networks.json');
const full: Record<string, FullFixture> = readJson('full_size.json');
const isG = (cfg: Record<string, unknown>) => 'netG' in cfg;
const build = (cfg: Record<string, unknown>): Module => (isG(cfg) ? buildGenerator(parseGeneratorConfig(cfg)) : buildDiscriminator(parseDiscriminatorConfig(cfg)));

async function evalForward(net: Module, shape: number[], x: Float32Array): Promise<{ y: Float32Array; shape: readonly number[] }> {
  net.eval();
  let outShape: readonly number[] = [];
  const step = await Step.compile({
    build: () => {
      const y = net.forward(g.input('x', shape));
      outShape = y.shape;
      return { y };
    },
    modules: [net],
  }, { threads: 1 });
  try {
    return { y: (await step.run({ x })).y, shape: outShape };
  } finally {
    await step.release();
  }
}

test('fixture nets: strict load of the PyTorch state_dict, eval-mode output within 1e-4 of PyTorch', async (t) => {
  const outputs = (await readSafetensors(fixture('outputs.safetensors'))).tensors;
  for (const [name, f] of Object.entries(small)) {
    await t.test(name, async () => {
      const net = build(f.config);
      net.loadStateDict(await loadPth(fixture(`${name}.pth`)), { source: `${name}.pth` });
      const n = f.input.shape.reduce((a, b) => a * b, 1);
      const { y, shape } = await evalForward(net, f.input.shape, hashUniform(n, f.input.seed));
      assert.deepEqual(shape, f.outputShape);
      const expected = outputs.get(name)!.data as Float32Array;
      let maxErr = 0;
      for (let i = 0; i < expected.length; i++) maxErr = Math.max(maxErr, Math.abs(y[i * f.stride] - expected[i]));
      let sum = 0;
      let absSum = 0;
      for (const v of y) {
        sum += v;
        absSum += Math.abs(v);
      }
      t.diagnostic(`${name}: max abs error ${maxErr.toExponential(2)} over ${expected.length} values (max |y| ${f.maxAbs.toFixed(3)})`);
      assert.ok(maxErr < 1e-4, `${name}: max abs error ${maxErr}`);
      // The stored values are strided for big outputs; the sums cover all of them.
      assert.ok(Math.abs(sum - f.sum) / y.length < 1e-5, `${name}: mean ${sum / y.length} vs ${f.sum / y.length}`);
      assert.ok(Math.abs(absSum - f.absSum) / y.length < 1e-5, `${name}: mean |y| ${absSum / y.length} vs ${f.absSum / y.length}`);
    });
  }
});

test('full-size nets: state_dict names and shapes, parameter order and count equal the reference', () => {
  for (const [name, f] of Object.entries(full)) {
    const net = build(f.config);
    const ours = [...net.stateDict()].map(([k, v]) => `${k} [${v.shape.join(', ')}]`).sort();
    const theirs = f.stateDict.map(([k, s]) => `${k} [${s.join(', ')}]`).sort();
    assert.deepEqual(ours, theirs, `${name}: state_dict`);
    // Parameter order matters beyond loading: optimizer state_dicts refer to parameters by index.
    assert.deepEqual(net.namedParameters().map(([k]) => k), f.parameters, `${name}: parameter order`);
    assert.equal(net.parameterCount(), f.parameterCount, `${name}: parameter count`);
  }
});

test("defineG({netG: 'unet_256', ngf: 64}) has the reference's 54,413,955 parameters and key list", () => {
  manualSeed(0);
  const net = defineG({ netG: 'unet_256', ngf: 64 });
  const ref = full.unet_256;
  assert.equal(ref.parameterCount, 54_413_955);
  assert.equal(net.parameterCount(), ref.parameterCount);
  assert.deepEqual([...net.stateDict().keys()].sort(), ref.stateDict.map(([k]) => k).sort());
  // init_weights: conv weights N(0, 0.02), biases 0, BatchNorm weights N(1, 0.02).
  const sd = net.stateDict();
  const w = sd.get('model.model.1.model.1.weight')!.data as Float32Array;
  const mean = w.reduce((a, b) => a + b, 0) / w.length;
  const std = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
  assert.ok(Math.abs(mean) < 2e-3 && Math.abs(std - 0.02) < 2e-3, `conv init mean ${mean} std ${std}`);
  assert.ok((sd.get('model.model.3.bias')!.data as Float32Array).every((v) => v === 0), 'outermost upconv bias 0');
  const bn = sd.get('model.model.1.model.2.weight')!.data as Float32Array;
  assert.ok(bn.every((v) => Math.abs(v - 1) < 0.15) && bn.some((v) => v !== 1), 'BatchNorm weight ~ N(1, 0.02)');
});

test('defineD: the full-size basic PatchGAN and the pixel discriminator match the reference counts', () => {
  assert.equal(defineD({ netD: 'basic', inputNc: 6 }).parameterCount(), full.basic.parameterCount);
  assert.equal(defineD({ netD: 'pixel', inputNc: 6 }).parameterCount(), full.pixel.parameterCount);
  assert.equal(defineG({ netG: 'resnet_9blocks', norm: 'instance', useDropout: false }).parameterCount(), full.resnet_9blocks.parameterCount);
});

test('a state_dict with wrong shapes, missing and unexpected keys fails with one error naming them all', async () => {
  const net = build(small.unet_128.config);
  const state = await loadPth(fixture('unet_128.pth'));
  const bad = new Map<string, HostTensor>(state);
  bad.set('model.model.0.weight', { dtype: 'float32', shape: [4, 3, 3, 3], data: new Float32Array(108) });
  bad.delete('model.model.1.model.2.running_var');
  bad.set('model.model.9.weight', { dtype: 'float32', shape: [1], data: new Float32Array(1) });
  assert.throws(() => net.loadStateDict(bad, { source: 'bad.pth' }), (e: Error) => {
    assert.match(e.message, /bad\.pth/);
    assert.match(e.message, /model\.model\.0\.weight: expected \[4, 3, 4, 4\], got \[4, 3, 3, 3\]/);
    assert.match(e.message, /missing keys: model\.model\.1\.model\.2\.running_var/);
    assert.match(e.message, /unexpected keys: model\.model\.9\.weight/);
    return true;
  });
  // A resnet checkpoint into a U-Net: every key is named.
  assert.throws(() => net.loadStateDict(new Map([['model.1.weight', state.get('model.model.0.weight')!]])), /missing keys: model\.model\.0\.weight.*\n.*unexpected keys: model\.1\.weight/);
});

test('dropInstanceNormStats removes the InstanceNorm running stats of pre-0.4 checkpoints', async () => {
  const net = build(small.resnet_9blocks.config);
  const state = await loadPth(fixture('resnet_9blocks.pth'));
  const stale = new Map<string, HostTensor>(state);
  for (const k of ['model.2', 'model.10.conv_block.2']) {
    stale.set(`${k}.running_mean`, { dtype: 'float32', shape: [4], data: new Float32Array(4) });
    stale.set(`${k}.running_var`, { dtype: 'float32', shape: [4], data: new Float32Array(4) });
  }
  assert.throws(() => net.loadStateDict(stale), /unexpected keys: model\.2\.running_mean/);
  const { state: fixed, dropped } = dropInstanceNormStats(net, stale);
  assert.deepEqual(dropped.sort(), ['model.10.conv_block.2.running_mean', 'model.10.conv_block.2.running_var', 'model.2.running_mean', 'model.2.running_var']);
  net.loadStateDict(fixed);
});

test('configs: defaults, validation, and errors that list the valid names', () => {
  const c = parseGeneratorConfig({ netG: 'unet_256' });
  assert.deepEqual(c, { netG: 'unet_256', inputNc: 3, outputNc: 3, ngf: 64, norm: 'batch', useDropout: true, initType: 'normal', initGain: 0.02 });
  assert.deepEqual(parseDiscriminatorConfig({ netD: 'basic', inputNc: 6 }), { netD: 'basic', inputNc: 6, ndf: 64, nLayersD: 3, norm: 'batch', initType: 'normal', initGain: 0.02 });
  // A parsed config round-trips through JSON (as a checkpoint stores it).
  assert.deepEqual(parseGeneratorConfig(JSON.parse(JSON.stringify(c))), c);
  assert.throws(() => defineG({ netG: 'unet_512' as never }), /unknown netG 'unet_512'; valid: unet_128, unet_256, resnet_6blocks, resnet_9blocks/);
  assert.throws(() => defineD({ netD: 'patch' as never, inputNc: 3 }), /unknown netD 'patch'; valid: basic, n_layers, pixel/);
  assert.throws(() => defineG({ netG: 'resnet_6blocks', norm: 'group' as never }), /unknown norm 'group'; valid: batch, instance, none/);
  assert.throws(() => defineG({ netG: 'resnet_6blocks', initType: 'he' as never }), /unknown initType 'he'; valid: normal, xavier, kaiming, orthogonal/);
  assert.throws(() => defineG({ netG: 'resnet_6blocks', numDowns: 5 }), /numDowns applies to U-Nets only/);
  assert.throws(() => parseGeneratorConfig({ netG: 'unet_128', ngf: 0 }), /ngf/);
  assert.throws(() => parseGeneratorConfig({ netG: 'unet_128', ngfx: 8 }), /ngfx/);
  assert.throws(() => parseDiscriminatorConfig({ netD: 'basic' }), /inputNc/);
  assert.throws(() => parseGeneratorConfig({}), /netG is required; valid: unet_128/);
  // numDowns overrides a U-Net's depth.
  const shallow = buildGenerator({ netG: 'unet_256', ngf: 2, numDowns: 3 });
  assert.ok(shallow instanceof UnetGenerator && shallow.numDowns === 3 && shallow.multiple === 8);
});

test('structure: U-Net dropout sits last in the 8*ngf middle blocks (names unchanged); ResnetBlock dropout shifts indices; blocks check their inputs', () => {
  const keys = (net: Module) => [...net.stateDict().keys()];
  const withDropout = keys(new UnetGenerator(3, 3, 8, 4, 'batch', true));
  const without = keys(new UnetGenerator(3, 3, 8, 4, 'batch', false));
  assert.equal(withDropout.length, without.length);
  // Dropout comes last in a block's Sequential, so names do not change; the reference agrees (full_size.json).
  assert.deepEqual(withDropout, without);
  const net = new UnetGenerator(3, 3, 8, 4, 'batch', true);
  const dropoutBlocks = [...net.modules()].filter((m) => m instanceof UnetSkipConnectionBlock && m.model.layers.length === 8).length;
  assert.equal(dropoutBlocks, 3, 'unet_256 has 8 - 5 = 3 dropout blocks');
  assert.throws(() => new UnetSkipConnectionBlock({ outerNc: 4, innerNc: 8, position: 'middle' }), /needs a submodule/);
  assert.throws(() => net.forward(g.input('x', [1, 3, 100, 256])), /multiples of 2\^8 = 256.*forwardAnySize/);
  // Zero padding: no pad layers, [conv, norm, relu, dropout, conv, norm].
  assert.ok(new ResnetGenerator(3, 3, 4, 'instance', true, 2, 'zero').stateDict().has('model.10.conv_block.4.weight'));
  assert.ok(new ResnetGenerator(3, 3, 4, 'instance', true, 2, 'replicate').stateDict().has('model.10.conv_block.6.weight'));
});

test('train-mode U-Net with dropout needs an rng; masks differ between runs; BatchNorm stats update', async () => {
  // numDowns 5 has no 8*ngf middle block, hence no dropout: no rng needed.
  const shallow = new UnetGenerator(3, 3, 5, 2, 'batch', true).train();
  await (await Step.compile({ build: () => ({ y: shallow.forward(g.input('x', [2, 3, 32, 32])) }), modules: [shallow] }, { threads: 1 })).release();
  const net = new UnetGenerator(3, 3, 6, 2, 'batch', true).train();
  const shape = [2, 3, 64, 64];
  const build = () => ({ y: net.forward(g.input('x', shape)) });
  await assert.rejects(Step.compile({ build, modules: [net] }, { threads: 1 }), /dropout; pass an rng/);
  const step = await Step.compile({ build, rng: new Rng(1), modules: [net] }, { threads: 1 });
  try {
    const x = hashUniform(2 * 3 * 64 * 64, 5);
    const rm = net.stateDict().get('model.model.1.model.2.running_mean')!.data as Float32Array;
    const before = Float32Array.from(rm);
    const a = Float32Array.from((await step.run({ x })).y);
    const b = (await step.run({ x })).y;
    assert.ok(a.some((v, i) => v !== b[i]), 'different dropout masks give different outputs');
    assert.ok(rm.some((v, i) => v !== before[i]), 'running mean updated');
    assert.equal(net.stateDict().get('model.model.1.model.2.num_batches_tracked')!.data[0], 2n);
  } finally {
    await step.release();
  }
});
