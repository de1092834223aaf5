// A small image classifier with a CAM-ready head: a few Conv3x3-BN-ReLU blocks (2x2 max pooling
// after all but the last), then global average pooling and one linear layer.
import * as g from '../graph/index.js';
import type { Tensor } from '../graph/tensor.js';
import { BatchNorm, Conv2d, Lambda, Linear, Module, ReLU, Sequential } from '../nn/index.js';

export const DEFAULT_WIDTHS: readonly number[] = [16, 32, 64];

export class GapCnn extends Module {
  readonly features: Sequential;
  readonly fc: Linear;

  constructor(readonly numClasses: number, readonly widths: readonly number[] = DEFAULT_WIDTHS, readonly inChannels = 3) {
    super();
    if (widths.length === 0) throw new Error('GapCnn: needs at least one block');
    const layers: Module[] = [];
    let c = inChannels;
    widths.forEach((w, i) => {
      layers.push(new Conv2d(c, w, 3, { padding: 1, bias: false }), new BatchNorm(w), ReLU());
      if (i < widths.length - 1) layers.push(new Lambda('MaxPool2d', (x) => g.maxPool2d(x, { kernel: 2 })));
      c = w;
    });
    this.features = this.addModule('features', new Sequential(...layers));
    this.fc = this.addModule('fc', new Linear(c, numClasses));
  }

  /** Side of the last feature map for an input of side `size`. */
  featureSize(size: number): number {
    return Math.floor(size / 2 ** (this.widths.length - 1));
  }

  forward(x: Tensor): Tensor {
    return this.fc.forward(g.flatten(g.globalAvgPool(this.features.forward(x))));
  }
}
