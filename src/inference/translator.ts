import * as g from '../graph/index.js';
import type { Module } from '../nn/module.js';
import { Step } from '../runtime/step.js';
import type { RuntimeOptions } from '../runtime/session.js';
import { forwardAnySize } from '../models/any-size.js';
import { generatorMinSize, generatorMultiple, type GeneratorConfig } from '../models/networks.js';
import { Rng } from '../util/rng.js';
import { DEFAULT_MAX_NETWORK_PIXELS, pixelLimitMessage } from '../util/limits.js';

/** Compiled graphs kept (one per input size); a folder of many sizes would otherwise keep them all. */
const MAX_CACHED_SIZES = 2;

/**
 * Runs a generator on images of any size: inputs are padded to what the architecture needs and
 * outputs cropped back. `evalMode` uses BatchNorm running statistics and no dropout (reference
 * --eval); without it the net runs as the reference's test.py does by default (batch statistics,
 * dropout as noise), with running statistics left untouched.
 */
export class Translator {
  private readonly steps = new Map<string, Step>();
  private readonly rng: Rng;

  constructor(
    readonly net: Module, readonly config: GeneratorConfig, readonly evalMode: boolean, readonly runtime: RuntimeOptions = {}, seed = 0,
    /** Largest input, H x W (memory grows with it: about 600 bytes per pixel for unet_256 at ngf 64). */
    readonly maxPixels = DEFAULT_MAX_NETWORK_PIXELS,
  ) {
    this.rng = new Rng(seed);
  }

  /** x: [1, C, H, W] in [-1, 1]; returns [1, outputNc, H, W]. `name` names the input in errors. */
  async run(x: Float32Array, shape: readonly number[], name = 'input'): Promise<Float32Array> {
    if (shape[1] !== this.config.inputNc) throw new Error(`input has ${shape[1]} channels; the generator expects ${this.config.inputNc} (--input-nc)`);
    if (shape[2] * shape[3] > this.maxPixels) {
      throw new Error(`${name}: ${pixelLimitMessage(shape[3], shape[2], this.maxPixels, 'maxNetworkPixels')}`);
    }
    const key = shape.join('x');
    let step = this.steps.get(key);
    if (step) {
      this.steps.delete(key); // most recently used last
      this.steps.set(key, step);
    } else {
      while (this.steps.size >= MAX_CACHED_SIZES) {
        const [oldest, old] = this.steps.entries().next().value!;
        this.steps.delete(oldest);
        await old.release();
      }
      this.net.train(!this.evalMode);
      const input = g.input('input', shape);
      step = await Step.compile({
        build: () => ({ output: forwardAnySize(this.net, input, generatorMultiple(this.config), generatorMinSize(this.config)) }),
        rng: this.rng,
        skipStateUpdates: this.net.namedBuffers().map(([, b]) => b),
        modules: [this.net],
      }, this.runtime);
      this.steps.set(key, step);
    }
    return (await step.run({ input: x })).output;
  }

  async release(): Promise<void> {
    for (const s of this.steps.values()) await s.release();
    this.steps.clear();
  }
}
