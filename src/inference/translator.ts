import * as g from '../graph/index.js';
import type { Module } from '../nn/module.js';
import { Step } from '../runtime/step.js';
import type { RuntimeOptions } from '../runtime/session.js';
import { forwardAnySize, paddedSize } from '../models/any-size.js';
import { generatorMinSize, generatorMultiple, type GeneratorConfig } from '../models/networks.js';
import { Rng } from '../util/rng.js';
import { definedOnly } from '../util/options.js';
import { DEFAULT_MAX_NETWORK_PIXELS, pixelLimitMessage } from '../util/limits.js';
import {
  TileNorm, blendTiles, cropPlanar, defaultTiling, measureStats, padPlanar, statFeeds,
  type LayerStats, type TiledRun, type TilingOptions,
} from './tiled.js';

/** Compiled graphs kept (one per input size); a folder of many sizes would otherwise keep them all. */
const MAX_CACHED_SIZES = 2;

/**
 * Runs a generator on images of any size: inputs are padded to what the architecture needs and
 * outputs cropped back. `evalMode` uses BatchNorm running statistics and no dropout (reference
 * --eval); without it the net runs as the reference's test.py does by default (batch statistics,
 * dropout as noise), with running statistics left untouched.
 *
 * Images above `tiling.maxPixels` run in overlapping tiles (tiled.ts), so memory stays bounded
 * at any size; normalization layers then use image-wide statistics (or each tile's own).
 */
export class Translator {
  private readonly steps = new Map<string, Step>();
  private readonly rng: Rng;
  readonly tiling: TilingOptions;
  /** Diagnostics: called with each tile's output (padded-image coordinates) of a tiled run. */
  onTile?: (y0: number, x0: number, tile: Float32Array) => void;

  constructor(
    readonly net: Module, readonly config: GeneratorConfig, readonly evalMode: boolean, readonly runtime: RuntimeOptions = {}, seed = 0,
    tiling: Partial<TilingOptions> = {},
    /**
     * Largest input run whole, H x W (memory grows with it: about 600 bytes per pixel for unet_256 at
     * ngf 64). Only reachable when tiling.maxPixels is raised above it: larger images run in tiles.
     */
    readonly maxNetworkPixels = DEFAULT_MAX_NETWORK_PIXELS,
  ) {
    this.rng = new Rng(seed);
    const multiple = generatorMultiple(config);
    this.tiling = { ...defaultTiling(multiple, config.netG.startsWith('resnet')), ...definedOnly(tiling) };
    const t = this.tiling;
    t.tile = paddedSize(t.tile, multiple, generatorMinSize(config));
    t.overlap = Math.ceil(t.overlap / multiple) * multiple;
    if (t.overlap >= t.tile) throw new Error(`tile overlap ${t.overlap} px must be smaller than the tile (${t.tile} px)`);
    if (!(t.statsPasses >= 1)) throw new Error(`statsPasses must be at least 1, got ${t.statsPasses}`);
  }

  /** Whether an H x W image runs in tiles. */
  tiled(h: number, w: number): boolean {
    const m = generatorMultiple(this.config), min = generatorMinSize(this.config);
    const ph = paddedSize(h, m, min), pw = paddedSize(w, m, min);
    return ph * pw > this.tiling.maxPixels && (ph > this.tiling.tile || pw > this.tiling.tile);
  }

  /** x: [1, C, H, W] in [-1, 1]; returns [1, outputNc, H, W]. `name` names the input in errors. */
  async run(x: Float32Array, shape: readonly number[], name = 'input'): Promise<Float32Array> {
    if (shape[1] !== this.config.inputNc) throw new Error(`input has ${shape[1]} channels; the generator expects ${this.config.inputNc} (--input-nc)`);
    if (shape[0] === 1 && this.tiled(shape[2], shape[3])) return this.runTiled(x, shape[2], shape[3]);
    if (shape[2] * shape[3] > this.maxNetworkPixels) {
      throw new Error(`cannot translate ${name}: ${pixelLimitMessage(shape[3], shape[2], this.maxNetworkPixels, 'maxNetworkPixels')}`);
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

  /** A tile graph (compiled for one pass and released after it, so only one holds memory at a time). */
  private async tileStep(th: number, tw: number, norm: TileNorm | null): Promise<Step> {
    this.net.train(!this.evalMode);
    const input = g.input('input', [1, this.config.inputNc, th, tw]);
    const build = () => {
      const output = this.net.forward(input);
      return { output, ...(norm?.outputs ?? {}) };
    };
    return Step.compile({
      build: norm ? () => g.withNormOverride(norm, build) : build,
      rng: this.rng,
      skipStateUpdates: this.net.namedBuffers().map(([, b]) => b),
      modules: [this.net],
    }, this.runtime);
  }

  /**
   * Image-wide statistics of the layers that normalize by their input's statistics, measured over
   * the tiles in `statsPasses` passes; null when the network has no such layer.
   */
  private async imageStats(padded: Float32Array, r: TiledRun): Promise<LayerStats[] | null> {
    // Which layers those are: a build (no compile) with the override says.
    const probe = new TileNorm('own', false);
    this.net.train(!this.evalMode);
    g.traced(() => g.withNormOverride(probe, () => this.net.forward(g.input('input', [1, r.channels, r.tileH, r.tileW]))));
    const layers = probe.layers;
    if (!layers.length) return null;
    const run = (step: Step) => (feeds: Record<string, Float32Array>) => step.run(feeds);
    const first = await this.tileStep(r.tileH, r.tileW, new TileNorm('own', true));
    let stats: LayerStats[];
    try {
      stats = await measureStats(padded, r, layers, run(first), null);
    } finally {
      await first.release();
    }
    if (this.tiling.statsPasses > 1) {
      const again = await this.tileStep(r.tileH, r.tileW, new TileNorm('fed', true));
      try {
        for (let p = 1; p < this.tiling.statsPasses; p++) stats = await measureStats(padded, r, layers, run(again), stats);
      } finally {
        await again.release();
      }
    }
    return stats;
  }

  private async runTiled(x: Float32Array, h: number, w: number): Promise<Float32Array> {
    const m = generatorMultiple(this.config), min = generatorMinSize(this.config), c = this.config.inputNc;
    const ph = paddedSize(h, m, min), pw = paddedSize(w, m, min);
    const padded = padPlanar(x, c, h, w, ph, pw);
    const t = this.tiling;
    const r: TiledRun = {
      channels: c, height: ph, width: pw, outChannels: this.config.outputNc,
      tileH: Math.min(t.tile, ph), tileW: Math.min(t.tile, pw), multiple: m, overlap: t.overlap,
    };
    const stats = t.normStats === 'image' ? await this.imageStats(padded.data, r) : null;
    // Without image-wide statistics (per-tile statistics asked for, or no layer that uses them) the plain network runs.
    const final = await this.tileStep(r.tileH, r.tileW, stats ? new TileNorm('fed', false) : null);
    try {
      const out = await blendTiles(padded.data, r, (feeds) => final.run(feeds), stats ? statFeeds(stats) : {}, this.onTile);
      return ph === h && pw === w ? out : cropPlanar(out, r.outChannels, ph, pw, padded.top, padded.left, h, w);
    } finally {
      await final.release();
    }
  }

  async release(): Promise<void> {
    for (const s of this.steps.values()) await s.release();
    this.steps.clear();
  }
}
