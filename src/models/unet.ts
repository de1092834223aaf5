/**
 * The U-Net generator of pix2pix (Isola et al. 2017, after Ronneberger et al. 2015), built
 * recursively from skip-connection blocks exactly as the reference's UnetGenerator, so its
 * state_dict names are the reference's (`model.model.1.model.3.model.1.weight`, ...).
 *
 *   x ──────────────────────────── identity ─────────────────────────────┐
 *   └─ LeakyReLU ─ Conv↓ ─ Norm ─ [ submodule ] ─ ReLU ─ ConvT↑ ─ Norm ─ cat ─▶ [x, up]
 *
 * Each block halves the resolution on the way down, hands the result to the next block, and
 * doubles it again on the way up; its input is concatenated to its output (the skip).
 */
import * as g from '../graph/index.js';
import type { Tensor } from '../graph/tensor.js';
import { Conv2d, ConvTranspose2d, Dropout, LeakyReLU, Module, ReLU, Sequential, Tanh } from '../nn/index.js';
import { getNormLayer, useBias, type NormType } from './norm.js';

/**
 * outermost: the image in and out: no norm, no skip, Tanh at the end.
 * innermost: the bottleneck: no submodule, no norm right after its down-conv.
 * middle:    everything in between.
 */
export type UnetPosition = 'outermost' | 'middle' | 'innermost';

export interface UnetBlockOptions {
  /** Channels outside the block: what its up-conv produces (and, but outermost, what it takes). */
  outerNc: number;
  /** Channels inside: what its down-conv produces and its submodule takes. */
  innerNc: number;
  /** Channels of the block's input when they differ from outerNc (the image, outermost). */
  inputNc?: number;
  /** The next block inwards; required except innermost. */
  submodule?: UnetSkipConnectionBlock;
  position?: UnetPosition;
  norm?: NormType;
  /** Dropout(0.5) after the up path; only a middle block has it (as in the reference). */
  useDropout?: boolean;
}

export class UnetSkipConnectionBlock extends Module {
  readonly model: Sequential;
  readonly position: UnetPosition;

  constructor(o: UnetBlockOptions) {
    super();
    const position = (this.position = o.position ?? 'middle');
    const normName = o.norm ?? 'batch';
    const norm = getNormLayer(normName);
    const bias = useBias(normName);
    if (position === 'innermost' && o.submodule) throw new Error('UnetSkipConnectionBlock: an innermost block takes no submodule');
    if (position !== 'innermost' && !o.submodule) throw new Error(`UnetSkipConnectionBlock: a ${position} block needs a submodule`);
    const down4x4 = { stride: 2, padding: 1 } as const;
    const downconv = new Conv2d(o.inputNc ?? o.outerNc, o.innerNc, 4, { ...down4x4, bias });
    let layers: Module[];
    if (position === 'outermost') {
      // The skip is concatenated by the submodule, hence innerNc * 2; the last layer keeps its bias.
      const upconv = new ConvTranspose2d(o.innerNc * 2, o.outerNc, 4, down4x4);
      layers = [downconv, o.submodule!, ReLU(), upconv, Tanh()];
    } else if (position === 'innermost') {
      const upconv = new ConvTranspose2d(o.innerNc, o.outerNc, 4, { ...down4x4, bias });
      layers = [LeakyReLU(0.2), downconv, ReLU(), upconv, norm(o.outerNc)];
    } else {
      const upconv = new ConvTranspose2d(o.innerNc * 2, o.outerNc, 4, { ...down4x4, bias });
      layers = [LeakyReLU(0.2), downconv, norm(o.innerNc), o.submodule!, ReLU(), upconv, norm(o.outerNc)];
      // Dropout has no parameters but takes an index, as in the reference's nn.Sequential.
      if (o.useDropout) layers.push(Dropout(0.5));
    }
    this.model = this.addModule('model', new Sequential(...layers));
  }

  override forward(x: Tensor): Tensor {
    const y = this.model.forward(x);
    return this.position === 'outermost' ? y : g.concat([x, y], 1);
  }
}

/**
 * UnetGenerator(inputNc, outputNc, numDowns, ngf, norm, useDropout). `numDowns` stride-2 levels
 * take a 2^numDowns image down to 1x1: unet_256 has 8, unet_128 has 7. Widths grow ngf, 2ngf, 4ngf,
 * then stay at 8ngf; dropout goes in the middle blocks that are 8ngf wide on both sides.
 *
 * For numDowns >= 5 this is the reference's net, name for name. (The reference always builds at
 * least five levels; here numDowns < 5 gives a shallower net, which the reference cannot express.)
 */
export class UnetGenerator extends Module {
  readonly model: UnetSkipConnectionBlock;

  constructor(
    readonly inputNc: number, readonly outputNc: number, readonly numDowns: number, readonly ngf = 64, readonly norm: NormType = 'batch',
    readonly useDropout = false,
  ) {
    super();
    if (!Number.isInteger(numDowns) || numDowns < 2) throw new Error(`UnetGenerator: numDowns must be an integer >= 2, got ${numDowns}`);
    /** Channels after `level` downsamplings (level >= 1). */
    const width = (level: number) => ngf * Math.min(2 ** (level - 1), 8);
    // From the bottleneck outwards: the block at `level` maps width(level) <-> width(level + 1).
    let block = new UnetSkipConnectionBlock({ outerNc: width(numDowns - 1), innerNc: width(numDowns), position: 'innermost', norm });
    for (let level = numDowns - 2; level >= 1; level--) {
      const full = width(level) === ngf * 8;
      block = new UnetSkipConnectionBlock({ outerNc: width(level), innerNc: width(level + 1), submodule: block, norm, useDropout: useDropout && full });
    }
    const outermost = new UnetSkipConnectionBlock({ outerNc: outputNc, innerNc: ngf, inputNc, submodule: block, position: 'outermost', norm });
    this.model = this.addModule('model', outermost);
  }

  /** Height and width must be multiples of this (see forwardAnySize for other sizes). */
  get multiple(): number {
    return 2 ** this.numDowns;
  }

  override forward(x: Tensor): Tensor {
    const m = this.multiple;
    if (x.rank !== 4 || x.shape[1] !== this.inputNc || x.shape[2] % m !== 0 || x.shape[3] % m !== 0) {
      throw new Error(
        `UnetGenerator: expected input [N, ${this.inputNc}, H, W] with H and W multiples of 2^${this.numDowns} = ${m}, got [${x.shape.join(', ')}]` +
          ' (forwardAnySize pads other sizes)',
      );
    }
    return this.model.forward(x);
  }
}
