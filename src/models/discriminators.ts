/**
 * The reference's discriminators, with its state_dict names: the PatchGAN NLayerDiscriminator
 * (`model.N.*`) and the 1x1 PixelDiscriminator (`net.N.*`). Both output raw scores (logits);
 * the GAN loss applies any sigmoid.
 */
import { Conv2d, LeakyReLU, Module, Sequential } from '../nn/index.js';
import type { Tensor } from '../graph/tensor.js';
import { getNormLayer, useBias, type NormType } from './norm.js';

/**
 * PatchGAN: a grid of real/fake scores, each seeing one patch of the input. With nLayers = 3
 * ('basic') each score sees 70x70 pixels.
 *
 *   Conv4x4/2(ndf) ─ LReLU                                  no norm on the first layer
 *   nLayers-1 x [Conv4x4/2 ─ Norm ─ LReLU]                  widths 2ndf, 4ndf, 8ndf, 8ndf, ...
 *   Conv4x4/1 ─ Norm ─ LReLU                                width min(2^nLayers, 8) ndf
 *   Conv4x4/1(1)                                            the score map
 */
export class NLayerDiscriminator extends Module {
  readonly model: Sequential;

  constructor(readonly inputNc: number, readonly ndf = 64, readonly nLayers = 3, readonly norm: NormType = 'batch') {
    super();
    if (!Number.isInteger(nLayers) || nLayers < 1) throw new Error(`NLayerDiscriminator: nLayers must be an integer >= 1, got ${nLayers}`);
    const normLayer = getNormLayer(norm);
    const bias = useBias(norm);
    const k4 = (stride: number) => ({ stride, padding: 1 });
    const width = (n: number) => ndf * Math.min(2 ** n, 8);
    const layers: Module[] = [new Conv2d(inputNc, ndf, 4, k4(2)), LeakyReLU(0.2)];
    for (let n = 1; n < nLayers; n++) layers.push(new Conv2d(width(n - 1), width(n), 4, { ...k4(2), bias }), normLayer(width(n)), LeakyReLU(0.2));
    layers.push(new Conv2d(width(nLayers - 1), width(nLayers), 4, { ...k4(1), bias }), normLayer(width(nLayers)), LeakyReLU(0.2));
    layers.push(new Conv2d(width(nLayers), 1, 4, k4(1)));
    this.model = this.addModule('model', new Sequential(...layers));
  }

  override forward(x: Tensor): Tensor {
    return this.model.forward(x);
  }
}

/**
 * PixelGAN: a score per pixel, from 1x1 convolutions only.
 *
 *   Conv1x1(ndf) ─ LReLU ─ Conv1x1(2ndf) ─ Norm ─ LReLU ─ Conv1x1(1)
 *
 * As in the reference, the last conv follows the use-bias rule too (no bias with BatchNorm).
 */
export class PixelDiscriminator extends Module {
  readonly net: Sequential;

  constructor(readonly inputNc: number, readonly ndf = 64, readonly norm: NormType = 'batch') {
    super();
    const bias = useBias(norm);
    this.net = this.addModule(
      'net',
      new Sequential(
        new Conv2d(inputNc, ndf, 1),
        LeakyReLU(0.2),
        new Conv2d(ndf, ndf * 2, 1, { bias }),
        getNormLayer(norm)(ndf * 2),
        LeakyReLU(0.2),
        new Conv2d(ndf * 2, 1, 1, { bias }),
      ),
    );
  }

  override forward(x: Tensor): Tensor {
    return this.net.forward(x);
  }
}
