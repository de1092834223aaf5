import * as g from '../graph/index.js';
import type { Module } from '../nn/module.js';
import { Step } from '../runtime/step.js';
import type { RuntimeOptions } from '../runtime/session.js';
import { Adam } from './optim/adam.js';
import { ganLoss, type GanMode } from './gan-loss.js';
import type { GanModel, ImageBatch } from './gan-model.js';
import { Rng } from '../util/rng.js';
import type { HostTensor } from '../io/host-tensor.js';

export interface Pix2PixOptions {
  netG: Module;
  netD: Module;
  ganMode: GanMode;
  lambdaL1: number;
  lr: number;
  beta1: number;
  /** Stream of the generator's dropout masks. */
  rng: Rng;
  runtime?: RuntimeOptions;
}

/**
 * pix2pix (Isola et al.): a conditional GAN whose discriminator judges (input, output) pairs,
 * plus an L1 term to the target. One iteration follows the reference's optimize_parameters:
 * D is updated on the (detached) fake and the real pair, then G against the updated D.
 *
 * Each half is one compiled graph. The G half recomputes G's forward pass with the same dropout
 * masks (identical fake_B) but does not count G's BatchNorm statistics a second time.
 */
export class Pix2PixModel implements GanModel {
  readonly modelName = 'pix2pix';
  readonly lossNames = ['G_GAN', 'G_L1', 'D_real', 'D_fake'] as const;
  readonly optG: Adam;
  readonly optD: Adam;
  private readonly steps = new Map<string, { d: Step; g: Step }>();
  private last: Record<string, HostTensor & { data: Float32Array }> = {};

  constructor(readonly o: Pix2PixOptions) {
    this.optG = new Adam(o.netG.parameters(), { lr: o.lr, betas: [o.beta1, 0.999] });
    this.optD = new Adam(o.netD.parameters(), { lr: o.lr, betas: [o.beta1, 0.999] });
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

  private async stepsFor(shapeA: readonly number[], shapeB: readonly number[]) {
    const key = `${shapeA}|${shapeB}`;
    let s = this.steps.get(key);
    if (!s) {
      const { netG, netD, ganMode, lambdaL1, rng, runtime } = this.o;
      netG.train();
      netD.train();
      const realA = g.input('real_A', shapeA);
      const realB = g.input('real_B', shapeB);
      const d = await Step.compile({
        build: () => {
          const fakeB = netG.forward(realA);
          const D_fake = ganLoss(netD.forward(g.concat([realA, g.detach(fakeB)], 1)), false, ganMode);
          const D_real = ganLoss(netD.forward(g.concat([realA, realB], 1)), true, ganMode);
          return { fake_B: fakeB, D_fake, D_real, loss_D: g.mul(g.add(D_fake, D_real), 0.5) };
        },
        loss: 'loss_D',
        wrt: netD.parameters(),
        rng,
      }, runtime);
      const gs = await Step.compile({
        build: () => {
          const fakeB = netG.forward(realA);
          const G_GAN = ganLoss(netD.forward(g.concat([realA, fakeB], 1)), true, ganMode);
          const G_L1 = g.mul(g.l1Loss(fakeB, realB), lambdaL1);
          return { G_GAN, G_L1, loss_G: g.add(G_GAN, G_L1) };
        },
        loss: 'loss_G',
        wrt: netG.parameters(),
        rng,
        skipStateUpdates: netG.namedBuffers().map(([, b]) => b),
      }, runtime);
      s = { d, g: gs };
      this.steps.set(key, s);
    }
    return s;
  }

  async optimize(batch: ImageBatch): Promise<Record<string, number>> {
    const steps = await this.stepsFor(batch.A.shape, batch.B.shape);
    const feeds = { real_A: batch.A.data, real_B: batch.B.data };
    const d = await steps.d.run(feeds);
    this.optD.step();
    const gOut = await steps.g.run({ ...feeds, ...steps.d.lastMasks });
    this.optG.step();
    this.last = {
      real_A: { dtype: 'float32', shape: [...batch.A.shape], data: batch.A.data },
      fake_B: { dtype: 'float32', shape: [...batch.B.shape], data: d.fake_B },
      real_B: { dtype: 'float32', shape: [...batch.B.shape], data: batch.B.data },
    };
    return { G_GAN: gOut.G_GAN[0], G_L1: gOut.G_L1[0], D_real: d.D_real[0], D_fake: d.D_fake[0] };
  }

  visuals() {
    return this.last;
  }
}
