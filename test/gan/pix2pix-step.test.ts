// One full pix2pix iteration (D update, then G update) from identical weights and data matches
// the reference PyTorch implementation (tools/fixtures/train_pix2pix_step.py): losses, fake_B,
// updated weights and BatchNorm running statistics; also with the U-Net's dropout on, given the
// same masks as PyTorch. The weights are compared as Adam updates, to
// 0.1 % of the learning rate (see assertAdamStep): a step of the wrong size fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGenerator, buildDiscriminator } from '../../src/models/networks.js';
import { Pix2PixModel } from '../../src/train/pix2pix.js';
import { Rng } from '../../src/util/rng.js';
import { assertClose } from '../helpers/numeric.js';
import { assertAdamStep, decode, loadGanFixture, toState, type B64 } from '../helpers/gan-fixtures.js';

const CASES = [
  { mode: 'vanilla', recon: 'l1', file: 'pix2pix_step_vanilla.json' },
  { mode: 'lsgan', recon: 'l1', file: 'pix2pix_step_lsgan.json' },
  // reconstructionLoss 'l2' (MSE), as mosaic restoration trains.
  { mode: 'vanilla', recon: 'l2', file: 'pix2pix_step_vanilla_l2.json' },
  // The U-Net's dropout on (pix2pix's default), with the fixture's masks: see ReplayRng.
  { mode: 'vanilla', recon: 'l1', file: 'pix2pix_step_dropout.json' },
] as const;

/**
 * Replays the fixture's uniforms as the dropout stream: the runtime keeps a unit when
 * random() < 1 - p, the rule the fixture's masks were made with (mask = u < 1 - p), so a correct
 * implementation reproduces PyTorch's masks exactly and a wrong keep rate does not.
 */
class ReplayRng extends Rng {
  used = 0;
  constructor(readonly u: Float32Array) {
    super(0);
  }

  override random(): number {
    if (this.used >= this.u.length) throw new Error(`dropout drew more than the fixture's ${this.u.length} uniforms`);
    return this.u[this.used++];
  }
}

function dropoutStream(f: { dropout?: { p: number; uniforms: B64[]; masks: B64[] } }) {
  if (!f.dropout) return null;
  assert.equal(f.dropout.p, 0.5);
  const parts = f.dropout.uniforms.map(decode);
  const u = new Float32Array(parts.reduce((n, a) => n + a.length, 0));
  parts.reduce((at, a) => (u.set(a, at), at + a.length), 0);
  // The masks are the uniforms' verdicts (a self-check of the fixture).
  const masks = f.dropout.masks.map(decode);
  masks.forEach((m, k) => m.forEach((v, i) => assert.equal(v, parts[k][i] < 0.5 ? 1 : 0)));
  return new ReplayRng(u);
}

for (const { mode, recon, file } of CASES) {
  test(`pix2pix iteration (${mode}, ${recon}${file.includes('dropout') ? ', dropout' : ''}) matches PyTorch`, async () => {
    const f = loadGanFixture(file);
    const c = f.config;
    const netG = buildGenerator({ netG: c.netG, ngf: c.ngf, norm: c.norm, useDropout: c.use_dropout });
    const netD = buildDiscriminator({ netD: c.netD, inputNc: 6, ndf: c.ndf, norm: c.norm });
    netG.loadStateDict(toState(f.initial_G));
    netD.loadStateDict(toState(f.initial_D));
    const replay = dropoutStream(f);
    assert.equal(c.use_dropout, replay !== null);
    const model = new Pix2PixModel({ netG, netD, ganMode: c.gan_mode, lambdaL1: c.lambda_L1, reconstructionLoss: recon, lr: c.lr, beta1: c.betas[0], rng: replay ?? new Rng(0), runtime: { threads: 1 } });
    const batch = { A: { shape: f.real_A.shape, data: decode(f.real_A) }, B: { shape: f.real_B.shape, data: decode(f.real_B) } };
    const losses = await model.optimize(batch);
    // Every uniform drawn once: as many dropout units as PyTorch's two Dropout calls.
    if (replay) assert.equal(replay.used, replay.u.length);
    assert.deepEqual(model.lossNames, ['G_GAN', recon === 'l2' ? 'G_L2' : 'G_L1', 'D_real', 'D_fake']);
    assertClose(model.visuals().fake_B.data, decode(f.fake_B), 1e-5, 'fake_B');
    for (const k of model.lossNames) assertClose([losses[k]], [f.losses[k]], 1e-5, `loss ${k}`);
    for (const [net, role] of [[netD, 'D'], [netG, 'G']] as const) {
      const r = assertAdamStep(net, f[`initial_${role}`], f[`final_${role}`], role, { lr: c.lr, grads: f[`grads_${role}`], relTol: 1e-3, signFloor: 1e-4 });
      assert.ok(r.refStep > 0.99 && r.exempt / r.compared < 0.01, `${role}: ${JSON.stringify(r)}`);
    }
    // BatchNorm counts batches as PyTorch does: G's forward once, D three times.
    for (const [net, key] of [[netG, 'G'], [netD, 'D']] as const) {
      const expected = Object.entries(f.num_batches_tracked_final[key] as Record<string, number>);
      assert.ok(expected.length > 0, `${key}: no BatchNorm counts in the fixture`);
      const state = net.stateDict();
      for (const [name, n] of expected) assert.equal(Number((state.get(name)!.data as BigInt64Array)[0]), n, `${key} ${name}`);
    }
  });
}
