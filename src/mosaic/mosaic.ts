// Front door of the mosaic library: resolves the block-size rule, then pixelates.
// With the 'area' rule every connected region gets its own block size (and, with a
// region grid, its own grid origin), so a small and a large region differ.
import type { Image } from '../data/image-core.js';
import { createRng } from '../util/rng.js';
import { areaBlockSize, autoBlockSize, type AreaSizeOptions, type BlockSizeSpec } from './block-size.js';
import { componentMask, connectedComponents } from './components.js';
import type { Mask } from './mask.js';
import { pixelate, PIXELATE_DEFAULTS, type PixelateOptions } from './pixelate.js';

/** The block-size rule when none is given. */
export const DEFAULT_BLOCK_SIZE: BlockSizeSpec = 'auto';

/** Options of `applyMosaic`: those of `pixelate` with a block-size rule instead of a number. */
export interface MosaicOptions extends Omit<PixelateOptions, 'blockSize'> {
  /** Pixels, 'auto' (ceil(long side / 100), >= 4) or 'area' (per region); default 'auto'. */
  blockSize?: BlockSizeSpec;
  /** Tuning of the 'area' rule. */
  area?: AreaSizeOptions;
}

/** What `applyMosaic` did: the output and the block size used per region (one entry unless 'area'). */
export interface MosaicResult {
  image: Image;
  blockSizes: number[];
}

/** Pixelates the pixels of `img` under `mask` (see pixelate for styles, grid and feathering). */
export function applyMosaic(img: Image, mask: Mask, opts: MosaicOptions = {}): MosaicResult {
  const spec = opts.blockSize ?? DEFAULT_BLOCK_SIZE;
  const rng = opts.rng ?? createRng(opts.seed ?? PIXELATE_DEFAULTS.seed);
  if (spec !== 'area') {
    const blockSize = spec === 'auto' ? autoBlockSize(img.width, img.height) : spec;
    return { image: pixelate(img, mask, { ...opts, blockSize, rng }), blockSizes: [blockSize] };
  }
  let image = img;
  const blockSizes: number[] = [];
  for (const comp of connectedComponents(mask)) {
    const blockSize = areaBlockSize(comp.area, opts.area);
    blockSizes.push(blockSize);
    image = pixelate(image, componentMask(img.width, img.height, comp), { ...opts, blockSize, rng });
  }
  return { image: image === img ? { ...img, data: img.data.slice() } : image, blockSizes };
}
