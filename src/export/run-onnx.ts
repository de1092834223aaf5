// Running exported models on images, for any ONNX Runtime: the caller wraps onnxruntime-node's
// or onnxruntime-web's InferenceSession as an `OnnxRun` (ort-node.ts here, the page's own in the
// browser), and everything else, padding, tiling, the restorer's window inputs, is this shared
// pure code, so Node and the browser compute the same thing.
import type { Image } from '../data/image-core.js';
import { chwToImage, imageToCHW } from '../data/image-tensor.js';
import type { PlanarImage } from '../restore/classical.js';
import { RESTORER_FEATURES } from '../restore/net/features.js';
import { restoreAreaTiled, tileCount, type AreaInputs, type AreaRestorer, type WindowModel } from '../restore/net/tiles.js';
import { paddedSide, type ModelInfo } from './model-info.js';

/** One float32 input of a run. */
export interface FeedTensor { data: Float32Array; dims: readonly number[] }

/** One run of a model session: float32 inputs by name, float32 outputs by name. */
export type OnnxRun = (feeds: Record<string, FeedTensor>) => Promise<Record<string, Float32Array>>;

/** Names of the graph inputs and outputs `img2img export` writes. */
export const GENERATOR_IO = { input: 'input', output: 'output' } as const;
export const RESTORER_IO = { features: 'features', rows: 'rows', cols: 'cols', mask: 'mask', consistent: 'consistent', output: 'restored' } as const;

/** The restorer's WindowModel (tiles.ts) over an exported restorer. */
export function restorerWindowModel(run: OnnxRun): WindowModel {
  return async (x, h, w, rows) => {
    const out = await run({
      [RESTORER_IO.features]: { data: x.features, dims: [1, RESTORER_FEATURES, h, w] },
      [RESTORER_IO.rows]: { data: x.rows, dims: [1, 1, rows, h] },
      [RESTORER_IO.cols]: { data: x.cols, dims: [1, 1, rows, w] },
      [RESTORER_IO.mask]: { data: x.mask, dims: [1, 1, h, w] },
      [RESTORER_IO.consistent]: { data: Float32Array.of(x.consistent), dims: [1, 1, 1, 1] },
    });
    return out[RESTORER_IO.output];
  };
}

/**
 * An AreaRestorer (for restoreRegions) over an exported restorer; `onWindow(done, total)` is
 * called after each window of an area.
 */
export function onnxAreaRestorer(run: OnnxRun, onWindow?: (done: number, total: number) => void): AreaRestorer {
  const model = restorerWindowModel(run);
  return {
    restoreArea: (a: AreaInputs): Promise<PlanarImage> => {
      if (!onWindow) return restoreAreaTiled(a, model);
      const total = tileCount(a.classical.width, a.classical.height);
      let done = 0;
      return restoreAreaTiled(a, async (...args) => {
        const y = await model(...args);
        onWindow(++done, total);
        return y;
      });
    },
  };
}

/** Start of the crop and the padding source index for padding a side of n to `total` (forwardAnySize's padAxis). */
function padIndex(n: number, total: number): { before: number; src: (i: number) => number } {
  const pad = total - n, before = Math.floor(pad / 2), after = pad - before;
  const reflect = Math.max(before, after) < n;
  return {
    before,
    src: (i: number) => {
      const j = i - before;
      if (j >= 0 && j < n) return j;
      if (!reflect) return j < 0 ? 0 : n - 1;
      return j < 0 ? -j : 2 * (n - 1) - j;
    },
  };
}

/**
 * `x` ([C, H, W]) padded to `ph` x `pw` as the engine's forwardAnySize pads: split evenly between
 * both sides, reflection (edge repetition where a pad reaches the side), height first.
 */
export function padCHW(x: Float32Array, c: number, h: number, w: number, ph: number, pw: number): { data: Float32Array; top: number; left: number } {
  const py = padIndex(h, ph), px = padIndex(w, pw);
  const out = new Float32Array(c * ph * pw);
  const xs = Int32Array.from({ length: pw }, (_, i) => px.src(i));
  for (let k = 0; k < c; k++) {
    for (let y = 0; y < ph; y++) {
      const sy = py.src(y), row = (k * h + sy) * w, o = (k * ph + y) * pw;
      for (let i = 0; i < pw; i++) out[o + i] = x[row + xs[i]];
    }
  }
  return { data: out, top: py.before, left: px.before };
}

/** The h x w window at (top, left) of a [C, ph, pw] array. */
export function cropCHW(y: Float32Array, c: number, ph: number, pw: number, top: number, left: number, h: number, w: number): Float32Array {
  const out = new Float32Array(c * h * w);
  for (let k = 0; k < c; k++) for (let r = 0; r < h; r++) out.set(y.subarray((k * ph + top + r) * pw + left, (k * ph + top + r) * pw + left + w), (k * h + r) * w);
  return out;
}

/** `img` with `channels` channels: alpha dropped, grey replicated, or RGB averaged to grey. */
export function toChannels(img: Image, channels: number): Image {
  if (img.channels === channels) return img;
  const n = img.width * img.height, c = img.channels;
  const data = new Uint8Array(n * channels);
  for (let p = 0; p < n; p++) {
    if (channels === 1) data[p] = c < 3 ? img.data[p * c] : Math.round((img.data[p * c] + img.data[p * c + 1] + img.data[p * c + 2]) / 3);
    else for (let k = 0; k < channels; k++) data[p * channels + k] = k < 3 ? img.data[p * c + (c < 3 ? 0 : k)] : 255;
  }
  return { width: img.width, height: img.height, channels: channels as Image['channels'], data };
}

/**
 * An exported generator on a [C, H, W] array in [-1, 1] of any size, as `translate` runs it:
 * padded to a size the model accepts, translated, cropped back to [outputNc, H, W].
 */
export async function translateCHW(run: OnnxRun, info: ModelInfo, x: Float32Array, h: number, w: number): Promise<Float32Array> {
  if (info.kind !== 'generator') throw new Error(`this model is a ${info.kind}, not an image-to-image generator`);
  const rule = info.size;
  const ph = rule.dynamic ? paddedSide(h, rule.multiple, rule.min) : rule.height;
  const pw = rule.dynamic ? paddedSide(w, rule.multiple, rule.min) : rule.width;
  if (!rule.dynamic && (h > ph || w > pw)) throw new Error(`this model was exported for ${pw}x${ph} images only; the image is ${w}x${h}`);
  if (x.length !== info.inputNc * h * w) throw new Error(`input has ${x.length} values, expected ${info.inputNc}x${h}x${w}`);
  const padded = padCHW(x, info.inputNc, h, w, ph, pw);
  const out = await run({ [GENERATOR_IO.input]: { data: padded.data, dims: [1, info.inputNc, ph, pw] } });
  const y = out[GENERATOR_IO.output];
  if (!y || y.length !== info.outputNc * ph * pw) throw new Error(`the model returned ${y?.length ?? 0} values, expected ${info.outputNc}x${ph}x${pw}`);
  return cropCHW(y, info.outputNc, ph, pw, padded.top, padded.left, h, w);
}

/** translateCHW on an 8-bit image (converted to the model's input channels); the output as an 8-bit image. */
export async function translateImage(run: OnnxRun, info: ModelInfo, img: Image): Promise<Image> {
  const src = toChannels(img, info.inputNc);
  const y = await translateCHW(run, info, imageToCHW(src).data, src.height, src.width);
  return chwToImage({ shape: [info.outputNc, src.height, src.width], data: y });
}
