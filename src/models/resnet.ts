/**
 * The ResNet generator of CycleGAN (after Johnson et al. 2016, "Perceptual losses"), as the
 * reference's ResnetGenerator, with its state_dict names (`model.10.conv_block.1.weight`, ...):
 *
 *   ReflPad3 ─ Conv7x7 ─ Norm ─ ReLU                      c7s1-ngf
 *   2 x [Conv3x3/2 ─ Norm ─ ReLU]                         d(2ngf), d(4ngf)
 *   nBlocks x ResnetBlock(4ngf)                            R(4ngf) ...
 *   2 x [ConvT3x3/2 ─ Norm ─ ReLU]                        u(2ngf), u(ngf)
 *   ReflPad3 ─ Conv7x7 ─ Tanh                             c7s1-outputNc
 */
import * as g from '../graph/index.js';
import type { Tensor } from '../graph/tensor.js';
import { Conv2d, ConvTranspose2d, Dropout, Module, ReflectionPad2d, ReLU, ReplicationPad2d, Sequential, Tanh } from '../nn/index.js';
import { getNormLayer, useBias, type NormType } from './norm.js';

export const PADDING_TYPES = ['reflect', 'replicate', 'zero'] as const;
export type PaddingType = (typeof PADDING_TYPES)[number];

/** The layers that pad a 3x3 conv by one pixel: a padding layer, or the conv's own zero padding. */
function pad1(type: PaddingType): { layers: Module[]; convPadding: number } {
  switch (type) {
    case 'reflect':
      return { layers: [ReflectionPad2d(1)], convPadding: 0 };
    case 'replicate':
      return { layers: [ReplicationPad2d(1)], convPadding: 0 };
    case 'zero':
      return { layers: [], convPadding: 1 };
    default:
      throw new Error(`unknown padding type '${String(type)}'; valid: ${PADDING_TYPES.join(', ')}`);
  }
}

/**
 *   x ─────────────── identity ─────────────── + ─▶
 *   └─ Pad ─ Conv3x3 ─ Norm ─ ReLU ─ [Dropout] ─ Pad ─ Conv3x3 ─ Norm ─┘
 */
export class ResnetBlock extends Module {
  readonly convBlock: Sequential;

  constructor(readonly dim: number, paddingType: PaddingType, norm: NormType, useDropout: boolean, bias: boolean) {
    super();
    const normLayer = getNormLayer(norm);
    const conv = () => {
      const p = pad1(paddingType);
      return [...p.layers, new Conv2d(dim, dim, 3, { padding: p.convPadding, bias })];
    };
    const layers = [...conv(), normLayer(dim), ReLU(), ...(useDropout ? [Dropout(0.5)] : []), ...conv(), normLayer(dim)];
    this.convBlock = this.addModule('conv_block', new Sequential(...layers));
  }

  override forward(x: Tensor): Tensor {
    return g.add(x, this.convBlock.forward(x));
  }
}

export class ResnetGenerator extends Module {
  readonly model: Sequential;

  constructor(
    readonly inputNc: number,
    readonly outputNc: number,
    readonly ngf = 64,
    readonly norm: NormType = 'batch',
    readonly useDropout = false,
    readonly nBlocks = 6,
    readonly paddingType: PaddingType = 'reflect',
  ) {
    super();
    if (!Number.isInteger(nBlocks) || nBlocks < 0) throw new Error(`ResnetGenerator: nBlocks must be a non-negative integer, got ${nBlocks}`);
    pad1(paddingType); // validates it before anything is built
    const normLayer = getNormLayer(norm);
    const bias = useBias(norm);
    const layers: Module[] = [ReflectionPad2d(3), new Conv2d(inputNc, ngf, 7, { bias }), normLayer(ngf), ReLU()];
    const nDownsampling = 2;
    for (let i = 0; i < nDownsampling; i++) {
      const c = ngf * 2 ** i;
      layers.push(new Conv2d(c, c * 2, 3, { stride: 2, padding: 1, bias }), normLayer(c * 2), ReLU());
    }
    const dim = ngf * 2 ** nDownsampling;
    for (let i = 0; i < nBlocks; i++) layers.push(new ResnetBlock(dim, paddingType, norm, useDropout, bias));
    for (let i = 0; i < nDownsampling; i++) {
      const c = ngf * 2 ** (nDownsampling - i);
      const half = Math.floor(c / 2);
      layers.push(new ConvTranspose2d(c, half, 3, { stride: 2, padding: 1, outputPadding: 1, bias }), normLayer(half), ReLU());
    }
    layers.push(ReflectionPad2d(3), new Conv2d(ngf, outputNc, 7), Tanh());
    this.model = this.addModule('model', new Sequential(...layers));
  }

  override forward(x: Tensor): Tensor {
    if (x.rank !== 4 || x.shape[1] !== this.inputNc) throw new Error(`ResnetGenerator: expected input [N, ${this.inputNc}, H, W], got [${x.shape.join(', ')}]`);
    return this.model.forward(x);
  }
}
