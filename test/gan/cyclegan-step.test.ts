// One full CycleGAN iteration (G step, D_A and D_B steps) from identical weights, data and pool
// contents matches the reference PyTorch implementation (tools/fixtures/train_cyclegan_step.py);
// with --lambda-identity 0 the compiled generator graph has no identity branch. The weights are
// compared as Adam updates, to 0.1 % of the learning rate (see assertAdamStep): a step of the
// wrong size (learning rate, bias correction) fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as g from '../../src/graph/index.js';
import { buildGenerator, buildDiscriminator } from '../../src/models/networks.js';
import { CycleGanModel } from '../../src/train/cycle-gan.js';
import { Rng } from '../../src/util/rng.js';
import { assertClose } from '../helpers/numeric.js';
import { assertAdamStep, decode, loadGanFixture, toState } from '../helpers/gan-fixtures.js';

function setup(file: string) {
  const f = loadGanFixture(file);
  const c = f.config;
  const gen = () => buildGenerator({ netG: c.netG, ngf: c.ngf, norm: c.norm, useDropout: c.use_dropout });
  const dis = () => buildDiscriminator({ netD: c.netD, inputNc: 3, ndf: c.ndf, norm: c.norm });
  const nets = { G_A: gen(), G_B: gen(), D_A: dis(), D_B: dis() };
  for (const [role, net] of Object.entries(nets)) net.loadStateDict(toState(f[`initial_${role}`]));
  const model = new CycleGanModel({
    netG_A: nets.G_A, netG_B: nets.G_B, netD_A: nets.D_A, netD_B: nets.D_B, ganMode: c.gan_mode, lambdaA: c.lambda_A, lambdaB: c.lambda_B,
    lambdaIdentity: c.lambda_identity, poolSize: c.pool_size, lr: c.lr, beta1: c.betas[0], rng: new Rng(0), runtime: { threads: 1 },
  });
  return { f, nets, model };
}

for (const [file, idt] of [['cyclegan_step.json', 0.5], ['cyclegan_step_noidt.json', 0]] as const) {
  test(`CycleGAN iteration (lambda_identity ${idt}) matches PyTorch`, async () => {
    const { f, nets, model } = setup(file);
    const batch = { A: { shape: f.real_A.shape, data: decode(f.real_A) }, B: { shape: f.real_B.shape, data: decode(f.real_B) } };
    const losses = await model.optimize(batch);
    for (const k of model.lossNames) assertClose([losses[k]], [f.losses[k]], 1e-5, `loss ${k}`);
    for (const k of ['fake_B', 'rec_A', 'fake_A', 'rec_B']) assertClose(model.visuals()[k].data, decode(f.images[k]), 1e-5, k);
    let exempt = 0;
    let total = 0;
    for (const [role, net] of Object.entries(nets)) {
      const r = assertAdamStep(net, f[`initial_${role}`], f[`final_${role}`], role, {
        lr: f.config.lr, grads: f[`grads_${role}`], noiseOnly: f.noise_grad_params[role], relTol: 1e-3, signFloor: 1e-4,
      });
      assert.ok(r.refStep > 0.99, `${role}: the reference step is about lr`);
      exempt += r.exempt;
      total += net.parameterCount();
    }
    // Only a sliver of weights (the noise-only biases, gradients within rounding of zero) is exempt.
    assert.ok(exempt / total < 0.01, `${exempt} of ${total} weights exempt`);
  });
}

test('lambda_identity 0: the generator graph has no identity branch', () => {
  const convCount = (outs: g.Tensor[]) => g.topoSort(outs).filter((n) => n.op === 'Conv' || n.op === 'ConvTranspose').length;
  const count = (idt: number) => {
    const { model } = setup(idt ? 'cyclegan_step.json' : 'cyclegan_step_noidt.json');
    const outs = model.generatorGraph(g.input('real_A', [1, 3, 64, 64]), g.input('real_B', [1, 3, 64, 64]));
    return { names: Object.keys(outs), convs: convCount(Object.values(outs)) };
  };
  const perGenerator = convCount([setup('cyclegan_step.json').nets.G_A.forward(g.input('x', [1, 3, 64, 64]))]);
  const withIdt = count(0.5);
  const without = count(0);
  assert.ok(withIdt.names.includes('idt_A') && withIdt.names.includes('loss_idt_B'));
  assert.ok(!without.names.some((n) => n.includes('idt')), `unexpected identity outputs: ${without.names}`);
  // Six generator passes (G_A and G_B twice each, plus the two identity passes) against four.
  assert.equal(withIdt.convs - without.convs, 2 * perGenerator);
});
