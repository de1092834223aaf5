import * as g from '../graph/index.js';
import type { Tensor } from '../graph/tensor.js';
import type { Module } from '../nn/module.js';
import { withParameterValues } from '../nn/parameter.js';
import { Step } from '../runtime/step.js';
import type { RuntimeOptions } from '../runtime/session.js';
import { Adam } from '../optim/adam.js';
import type { InGraphUpdate } from '../optim/optimizer.js';
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
  /** D's Adam update inside the iteration graph. */
  private readonly dUpdate: InGraphUpdate;
  private last: Record<string, HostTensor & { data: Float32Array }> = {};

  constructor(readonly o: Pix2PixOptions) {
    this.lossNames = ['G_GAN', o.reconstructionLoss === 'l2' ? 'G_L2' : 'G_L1', 'D_real', 'D_fake'];
    this.optG = new Adam(o.netG.parameters(), { lr: o.lr, betas: [o.beta1, 0.999] });
    this.optD = new Adam(o.netD.parameters(), { lr: o.lr, betas: [o.beta1, 0.999] });
    this.dUpdate = this.optD.inGraph('d');
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
    const d = this.dUpdate.build(lossD);
    const out: Record<string, Tensor> = { fake_B: fakeB, D_fake, D_real, ...d.outputs };
    // The generator's loss at the discriminator's updated weights (the reference's second half).
    const G_GAN = withParameterValues(d.next, () => ganLoss(netD.forward(g.concat([realA, fakeB], 1)), true, ganMode));
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
      s = await Step.compile({
        build: () => this.iterationGraph(realA, realB), loss: 'loss_G', wrt: this.optG.params, rng: this.o.rng, into: this.dUpdate.into,
        modules: [this.o.netG, this.o.netD],
      }, this.o.runtime);
      this.steps.set(key, s);
    }
    return s;
  }

  async optimize(batch: ImageBatch): Promise<Record<string, number>> {
    const step = await this.stepFor(batch.A.shape, batch.B.shape);
    const r = await step.run({ real_A: batch.A.data, real_B: batch.B.data, ...this.dUpdate.begin() });
    this.dUpdate.commit();
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
