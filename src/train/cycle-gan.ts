import * as g from '../graph/index.js';
import type { Tensor } from '../graph/tensor.js';
import type { Module } from '../nn/module.js';
import { Step } from '../runtime/step.js';
import type { RuntimeOptions } from '../runtime/session.js';
import { Adam } from '../optim/adam.js';
import { ganLoss, type GanMode } from './gan-loss.js';
import type { GanModel, ImageBatch } from './gan-model.js';
import { ImagePool } from './image-pool.js';
import type { Rng } from '../util/rng.js';
import type { HostTensor } from '../io/host-tensor.js';

export interface CycleGanOptions {
  netG_A: Module;
  netG_B: Module;
  netD_A: Module;
  netD_B: Module;
  ganMode: GanMode;
  lambdaA: number;
  lambdaB: number;
  lambdaIdentity: number;
  poolSize: number;
  lr: number;
  beta1: number;
  /** Dropout masks and image-pool draws. */
  rng: Rng;
  runtime?: RuntimeOptions;
}

type Visual = HostTensor & { data: Float32Array };

/**
 * CycleGAN (Zhu et al.): G_A: A -> B and G_B: B -> A trained with adversarial losses from D_A
 * (judges B) and D_B (judges A), cycle consistency and optional identity losses. One iteration as
 * the reference's optimize_parameters: both generators in one compiled graph (discriminators
 * frozen), then both discriminators on images drawn from the pools.
 */
export class CycleGanModel implements GanModel {
  readonly modelName = 'cycle_gan';
  readonly lossNames = ['D_A', 'G_A', 'cycle_A', 'idt_A', 'D_B', 'G_B', 'cycle_B', 'idt_B'] as const;
  readonly optG: Adam;
  readonly optD: Adam;
  readonly poolA: ImagePool;
  readonly poolB: ImagePool;
  private readonly steps = new Map<string, { g: Step; d: Step }>();
  private last: Record<string, Visual> = {};

  constructor(readonly o: CycleGanOptions) {
    const betas: [number, number] = [o.beta1, 0.999];
    this.optG = new Adam([...o.netG_A.parameters(), ...o.netG_B.parameters()], { lr: o.lr, betas });
    this.optD = new Adam([...o.netD_A.parameters(), ...o.netD_B.parameters()], { lr: o.lr, betas });
    this.poolA = new ImagePool(o.poolSize, o.rng);
    this.poolB = new ImagePool(o.poolSize, o.rng);
  }

  networks() {
    const { netG_A, netG_B, netD_A, netD_B } = this.o;
    return { G_A: netG_A, G_B: netG_B, D_A: netD_A, D_B: netD_B };
  }

  generatorRoles() {
    return ['G_A', 'G_B'];
  }

  optimizers() {
    return { G: this.optG, D: this.optD };
  }

  setLearningRate(lr: number): void {
    this.optG.lr = lr;
    this.optD.lr = lr;
  }

  /** The generator graph's outputs (tests check that lambda_identity 0 leaves no identity branch). */
  generatorGraph(realA: Tensor, realB: Tensor): Record<string, Tensor> {
    const { netG_A, netG_B, netD_A, netD_B, ganMode, lambdaA, lambdaB, lambdaIdentity } = this.o;
    const fakeB = netG_A.forward(realA);
    const recA = netG_B.forward(fakeB);
    const fakeA = netG_B.forward(realB);
    const recB = netG_A.forward(fakeA);
    const out: Record<string, Tensor> = { fake_B: fakeB, rec_A: recA, fake_A: fakeA, rec_B: recB };
    out.G_A = ganLoss(netD_A.forward(fakeB), true, ganMode);
    out.G_B = ganLoss(netD_B.forward(fakeA), true, ganMode);
    out.cycle_A = g.mul(g.l1Loss(recA, realA), lambdaA);
    out.cycle_B = g.mul(g.l1Loss(recB, realB), lambdaB);
    let total = g.add(g.add(out.G_A, out.G_B), g.add(out.cycle_A, out.cycle_B));
    if (lambdaIdentity > 0) {
      // G_A should leave an image that is already in B alone (and G_B one in A).
      out.idt_A = netG_A.forward(realB);
      out.idt_B = netG_B.forward(realA);
      out.loss_idt_A = g.mul(g.l1Loss(out.idt_A, realB), lambdaB * lambdaIdentity);
      out.loss_idt_B = g.mul(g.l1Loss(out.idt_B, realA), lambdaA * lambdaIdentity);
      total = g.add(total, g.add(out.loss_idt_A, out.loss_idt_B));
    }
    out.loss_G = total;
    return out;
  }

  private async stepsFor(shapeA: readonly number[], shapeB: readonly number[]) {
    const key = `${shapeA}|${shapeB}`;
    let s = this.steps.get(key);
    if (!s) {
      const { netG_A, netG_B, netD_A, netD_B, ganMode, rng, runtime } = this.o;
      for (const n of [netG_A, netG_B, netD_A, netD_B]) n.train();
      const realA = g.input('real_A', shapeA);
      const realB = g.input('real_B', shapeB);
      const gs = await Step.compile({
        build: () => this.generatorGraph(realA, realB), loss: 'loss_G', wrt: this.optG.params, rng, modules: [netG_A, netG_B, netD_A, netD_B],
      }, runtime);
      const poolFakeB = g.input('pool_fake_B', shapeB);
      const poolFakeA = g.input('pool_fake_A', shapeA);
      const dBasic = (net: Module, real: Tensor, fake: Tensor) =>
        g.mul(g.add(ganLoss(net.forward(real), true, ganMode), ganLoss(net.forward(fake), false, ganMode)), 0.5);
      const d = await Step.compile({
        build: () => {
          const D_A = dBasic(netD_A, realB, poolFakeB);
          const D_B = dBasic(netD_B, realA, poolFakeA);
          return { D_A, D_B, loss_D: g.add(D_A, D_B) };
        },
        loss: 'loss_D',
        wrt: this.optD.params,
        modules: [netD_A, netD_B],
      }, runtime);
      s = { g: gs, d };
      this.steps.set(key, s);
    }
    return s;
  }

  async optimize(batch: ImageBatch): Promise<Record<string, number>> {
    const steps = await this.stepsFor(batch.A.shape, batch.B.shape);
    const feeds = { real_A: batch.A.data, real_B: batch.B.data };
    const gOut = await steps.g.run(feeds);
    this.optG.step();
    const pool_fake_B = this.poolB.query(gOut.fake_B, batch.B.shape);
    const pool_fake_A = this.poolA.query(gOut.fake_A, batch.A.shape);
    const dOut = await steps.d.run({ ...feeds, pool_fake_B, pool_fake_A });
    this.optD.step();
    const v = (data: Float32Array, shape: readonly number[]): Visual => ({ dtype: 'float32', shape: [...shape], data });
    this.last = {
      real_A: v(batch.A.data, batch.A.shape), fake_B: v(gOut.fake_B, batch.B.shape), rec_A: v(gOut.rec_A, batch.A.shape),
      real_B: v(batch.B.data, batch.B.shape), fake_A: v(gOut.fake_A, batch.A.shape), rec_B: v(gOut.rec_B, batch.B.shape),
    };
    const idt = (k: string) => (gOut[k] ? gOut[k][0] : 0);
    return {
      D_A: dOut.D_A[0], G_A: gOut.G_A[0], cycle_A: gOut.cycle_A[0], idt_A: idt('loss_idt_A'),
      D_B: dOut.D_B[0], G_B: gOut.G_B[0], cycle_B: gOut.cycle_B[0], idt_B: idt('loss_idt_B'),
    };
  }

  visuals() {
    return this.last;
  }

  extraState() {
    const tensors = new Map<string, HostTensor>();
    const a = this.poolA.toTensor(this.last.real_A?.shape.slice(1) ?? []);
    const b = this.poolB.toTensor(this.last.real_B?.shape.slice(1) ?? []);
    if (a) tensors.set('pool_A', a);
    if (b) tensors.set('pool_B', b);
    return { json: {}, tensors };
  }

  loadExtraState(_json: Record<string, unknown>, tensors: Map<string, HostTensor>): void {
    this.poolA.load(tensors.get('pool_A'));
    this.poolB.load(tensors.get('pool_B'));
  }
}
