import * as g from '../graph/index.js';
import type { Tensor } from '../graph/tensor.js';
import type { Module } from '../nn/module.js';
import { withParameterValues } from '../nn/parameter.js';
import { Step } from '../runtime/step.js';
import type { RuntimeOptions } from '../runtime/session.js';
import { Adam } from './optim/adam.js';
import { adamUpdate } from './optim/adam-graph.js';
import { ganLoss, type GanMode } from './gan-loss.js';
import type { GanModel, ImageBatch } from './gan-model.js';
import { Rng } from '../util/rng.js';
import type { HostTensor } from '../io/host-tensor.js';

/** The reconstruction term of the generator loss (weighted by lambdaL1). */
export const RECONSTRUCTION_LOSSES = ['l1', 'l2'] as const;
export type ReconstructionLoss = (typeof RECONSTRUCTION_LOSSES)[number];

export interface Pix2PixOptions {
  netG: Module;
  netD: Module;
  ganMode: GanMode;
  lambdaL1: number;
  /**
   * The reconstruction term weighted by lambdaL1: 'l1' (the reference, default; its minimiser is
   * the conditional median) or 'l2' (mean squared error; the conditional mean, what PSNR
   * rewards). Logged as G_L1 / G_L2.
   */
  reconstructionLoss?: ReconstructionLoss;
  lr: number;
  beta1: number;
  /** Stream of the generator's dropout masks. */
  rng: Rng;
  runtime?: RuntimeOptions;
}

/**
 * pix2pix (Isola et al.): a conditional GAN whose discriminator judges (input, output) pairs,
 * plus an L1 term to the target. One iteration follows the reference's optimize_parameters:
 * fake_B = G(real_A); D is updated on the detached fake and the real pair; then G is updated
 * against the updated D, reusing the same fake_B.
 *
 * The whole iteration is ONE compiled graph: D's Adam update happens inside it (D is small),
 * so the generator loss can be evaluated at D's new weights without running G's forward pass
 * twice. G's update (most of the parameters) is the fused JS kernel after the run.
 */
export class Pix2PixModel implements GanModel {
  readonly modelName = 'pix2pix';
  /** G_L1 or G_L2 second, after the reconstruction loss. */
  readonly lossNames: readonly ['G_GAN', 'G_L1' | 'G_L2', 'D_real', 'D_fake'];
  readonly optG: Adam;
  readonly optD: Adam;
  private readonly steps = new Map<string, Step>();
  /** Scratch outputs for D's new weights and moments, copied back after each run. */
  private readonly dScratch: { w: Float32Array; m: Float32Array; v: Float32Array }[];
  private last: Record<string, HostTensor & { data: Float32Array }> = {};

  constructor(readonly o: Pix2PixOptions) {
    this.lossNames = ['G_GAN', o.reconstructionLoss === 'l2' ? 'G_L2' : 'G_L1', 'D_real', 'D_fake'];
    this.optG = new Adam(o.netG.parameters(), { lr: o.lr, betas: [o.beta1, 0.999] });
    this.optD = new Adam(o.netD.parameters(), { lr: o.lr, betas: [o.beta1, 0.999] });
    this.dScratch = this.optD.params.map((p) => ({ w: new Float32Array(p.data.length), m: new Float32Array(p.data.length), v: new Float32Array(p.data.length) }));
  }

  networks() {
    return { G: this.o.netG, D: this.o.netD };
  }

  generatorRoles() {
    return ['G'];
  }

  optimizers() {
    return { G: this.optG, D: this.optD };
  }

  setLearningRate(lr: number): void {
    this.optG.lr = lr;
    this.optD.lr = lr;
  }

  /** The iteration's graph: losses, fake_B, D's updated weights and moments (G's gradients are added by Step). */
  iterationGraph(realA: Tensor, realB: Tensor): Record<string, Tensor> {
    const { netG, netD, ganMode, lambdaL1 } = this.o;
    const fakeB = netG.forward(realA);
    const D_fake = ganLoss(netD.forward(g.concat([realA, g.detach(fakeB)], 1)), false, ganMode);
    const D_real = ganLoss(netD.forward(g.concat([realA, realB], 1)), true, ganMode);
    const lossD = g.mul(g.add(D_fake, D_real), 0.5);
    const dParams = this.optD.params;
    const gradD = g.grad(lossD, dParams.map((p) => p.tensor));
    const stepSize = g.input('d_step_size', []);
    const bc2Sqrt = g.input('d_bc2_sqrt', []);
    const out: Record<string, Tensor> = { fake_B: fakeB, D_fake, D_real };
    const updated = new Map(dParams.map((p, k) => {
      const u = adamUpdate(p.tensor, gradD[k], g.input(`d_m${k}`, p.shape), g.input(`d_v${k}`, p.shape), this.optD.betas, this.optD.eps, stepSize, bc2Sqrt);
      out[`next_d_w${k}`] = u.w;
      out[`next_d_m${k}`] = u.m;
      out[`next_d_v${k}`] = u.v;
      return [p, u.w] as const;
    }));
    // The generator's loss at the discriminator's updated weights (the reference's second half).
    const G_GAN = withParameterValues(updated, () => ganLoss(netD.forward(g.concat([realA, fakeB], 1)), true, ganMode));
    const recon = this.o.reconstructionLoss === 'l2' ? g.mseLoss(fakeB, realB) : g.l1Loss(fakeB, realB);
    const G_recon = g.mul(recon, lambdaL1);
    return { ...out, G_GAN, G_recon, loss_G: g.add(G_GAN, G_recon) };
  }

  private async stepFor(shapeA: readonly number[], shapeB: readonly number[]): Promise<Step> {
    const key = `${shapeA}|${shapeB}`;
    let s = this.steps.get(key);
    if (!s) {
      this.o.netG.train();
      this.o.netD.train();
      const realA = g.input('real_A', shapeA);
      const realB = g.input('real_B', shapeB);
      const into: Record<string, Float32Array> = {};
      this.dScratch.forEach((b, k) => Object.assign(into, { [`next_d_w${k}`]: b.w, [`next_d_m${k}`]: b.m, [`next_d_v${k}`]: b.v }));
      s = await Step.compile({ build: () => this.iterationGraph(realA, realB), loss: 'loss_G', wrt: this.optG.params, rng: this.o.rng, into }, this.o.runtime);
      this.steps.set(key, s);
    }
    return s;
  }

  async optimize(batch: ImageBatch): Promise<Record<string, number>> {
    const step = await this.stepFor(batch.A.shape, batch.B.shape);
    const { stepSize, bc2Sqrt } = this.optD.beginStep();
    const feeds: Record<string, Float32Array> = { real_A: batch.A.data, real_B: batch.B.data, d_step_size: Float32Array.of(stepSize), d_bc2_sqrt: Float32Array.of(bc2Sqrt) };
    this.optD.params.forEach((_, k) => {
      const { m, v } = this.optD.moments(k);
      feeds[`d_m${k}`] = m;
      feeds[`d_v${k}`] = v;
    });
    const r = await step.run(feeds);
    // D's new state was computed in the graph from the old one; copy it in only now.
    this.optD.params.forEach((p, k) => {
      const { m, v } = this.optD.moments(k);
      p.data.set(this.dScratch[k].w);
      m.set(this.dScratch[k].m);
      v.set(this.dScratch[k].v);
    });
    this.optG.step();
    this.last = {
      real_A: { dtype: 'float32', shape: [...batch.A.shape], data: batch.A.data },
      fake_B: { dtype: 'float32', shape: [...batch.B.shape], data: r.fake_B },
      real_B: { dtype: 'float32', shape: [...batch.B.shape], data: batch.B.data },
    };
    return { G_GAN: r.G_GAN[0], [this.lossNames[1]]: r.G_recon[0], D_real: r.D_real[0], D_fake: r.D_fake[0] };
  }

  visuals() {
    return this.last;
  }
}
