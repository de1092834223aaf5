/**
 * The mosaic restorer: a residual CNN that adds detail to the classical estimate.
 *
 *   features [N, 14, H, W] ─ SpaceToDepth(4) ─ Conv3x3 ──┬─ B x ResBlock(F) ─ Conv3x3 ─ + ─ Conv3x3 ─ DepthToSpace(4) ─ r
 *                                                      └──────────── skip ────────────┘
 *   r ─ block-mean projection (average mosaics) ─ r'          out = classical + r'
 *
 * Features per pixel (restore/net/features.ts): the classical estimate (3), the mosaic (3), the
 * mosaic-pixel mask (1), where the pixel sits in its block (x and y phase, 2), the block size
 * (2) and the mosaic style (3). The network runs at 1/4 resolution on 16x the channels
 * (pixel unshuffle, as in super-resolution networks), so blocks of 4-24 px are 1-6 cells wide.
 * No normalization layer: nothing changes between training and apply, and any window size and
 * batch size give the same result per pixel. The tail starts at zero, so an untrained model is
 * exactly the classical estimate.
 *
 * Projection: for an 'average' mosaic the classical estimate already has the right block means,
 * so the residual's mean over each block's mosaic pixels is removed (r' = r - U(D(m*r) / D(m))
 * on mosaic pixels, with D summing blocks and U spreading back, as batched matrix products with
 * 0/1 block-membership matrices). The output then stays consistent with the mosaic, inside the
 * graph, so the loss sees exactly what apply returns.
 */
import { z } from 'zod';
import * as g from '../../graph/index.js';
import type { Tensor } from '../../graph/tensor.js';
import { Conv2d, Module, kaimingNormal } from '../../nn/index.js';

import { RESTORER_FEATURES } from './features.js';

/** Input feature planes per pixel (see the top of this file); defined in the pure features.ts. */
export { RESTORER_FEATURES };

export const RestorerConfigSchema = z.object({
  arch: z.literal('mosaic-restorer'),
  /** Channels of the network's body. */
  features: z.number().int().min(8).max(256).default(64),
  /** Residual blocks. */
  blocks: z.number().int().min(1).max(32).default(8),
  /** Pixel-unshuffle factor: the body runs at 1/scale resolution. */
  scale: z.literal(4).default(4),
});
export type RestorerConfig = z.output<typeof RestorerConfigSchema>;

/** x + Conv(ReLU(Conv(x))), the EDSR block without normalization. */
class ResBlock extends Module {
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  constructor(f: number) {
    super();
    this.conv1 = this.addModule('conv1', new Conv2d(f, f, 3, { padding: 1 }));
    this.conv2 = this.addModule('conv2', new Conv2d(f, f, 3, { padding: 1 }));
  }
  forward(x: Tensor): Tensor {
    return g.add(x, this.conv2.forward(g.relu(this.conv1.forward(x))));
  }
}

/** Block-membership matrices and mask of a batch, for the in-graph projection. */
export interface ProjectionInputs {
  /** [N, 1, G, H]: 1 where row y belongs to block row j (zero rows for unused j). */
  rows: Tensor;
  /** [N, 1, G, W]: 1 where column x belongs to block column i. */
  cols: Tensor;
  /** [N, 1, H, W]: 1 on mosaic pixels. */
  mask: Tensor;
  /** [N, 1, 1, 1]: 1 for mosaics whose block colour is the mean ('average'), else 0. */
  consistent: Tensor;
}

export class MosaicRestorer extends Module {
  readonly head: Conv2d;
  readonly body: ResBlock[];
  readonly bodyEnd: Conv2d;
  readonly tail: Conv2d;

  constructor(readonly config: RestorerConfig) {
    super();
    const { features: f, blocks, scale } = config;
    this.head = this.addModule('head', new Conv2d(RESTORER_FEATURES * scale * scale, f, 3, { padding: 1 }));
    this.body = Array.from({ length: blocks }, (_, i) => this.addModule(`body.${i}`, new ResBlock(f)));
    this.bodyEnd = this.addModule('body_end', new Conv2d(f, f, 3, { padding: 1 }));
    this.tail = this.addModule('tail', new Conv2d(f, 3 * scale * scale, 3, { padding: 1 }));
  }

  /** He init for every conv, the second conv of each block scaled by 0.1 (stable deep residual sums), the tail zero. */
  initialize(rng?: { random(): number; normal(mean?: number, std?: number): number }): this {
    for (const m of this.modules()) {
      if (!(m instanceof Conv2d)) continue;
      kaimingNormal(m.weight, 0, rng as never);
      m.bias?.data.fill(0);
    }
    for (const b of this.body) b.conv2.weight.data.forEach((v, i, a) => (a[i] = v * 0.1));
    this.tail.weight.data.fill(0);
    return this;
  }

  /** The residual r (before projection), [N, 3, H, W] in the [-1, 1] scale. */
  forward(features: Tensor): Tensor {
    const s = this.config.scale;
    const x = this.head.forward(g.spaceToDepth(features, s));
    let y = x;
    for (const b of this.body) y = b.forward(y);
    y = g.add(x, this.bodyEnd.forward(y));
    return g.depthToSpace(this.tail.forward(y), s);
  }

  /** classical + projected residual: the restored window, [N, 3, H, W] in [-1, 1] (unclamped). */
  restore(features: Tensor, p?: ProjectionInputs): Tensor {
    const classical = g.slice(features, [0], [3], [1]);
    const r = this.forward(features);
    return g.add(classical, p ? projectResidual(r, p) : r);
  }
}

/** r minus, on mosaic pixels of consistent samples, its mean over each block's mosaic pixels. */
export function projectResidual(r: Tensor, p: ProjectionInputs): Tensor {
  const blockSum = (x: Tensor) => g.matmul(g.matmul(p.rows, x), g.mT(p.cols));
  const spread = (x: Tensor) => g.matmul(g.matmul(g.mT(p.rows), x), p.cols);
  const masked = g.mul(r, p.mask);
  const mean = g.div(blockSum(masked), g.add(blockSum(p.mask), 1e-6));
  return g.sub(r, g.mul(g.mul(p.mask, p.consistent), spread(mean)));
}
