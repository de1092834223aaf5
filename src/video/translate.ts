// `translate` on a video: the generator on every frame (grey generators get the frame's luma and
// give grey frames back as RGB).
import { chwToImage, imageToCHW, type Image } from '../data/image.js';
import type { Translator } from '../inference/translator.js';
import type { FrameJob } from './pipeline.js';

function toChannels(img: Image, c: number): Image {
  if (c === 3) return img;
  const { width: w, height: h } = img;
  const out = new Uint8Array(w * h);
  for (let p = 0; p < w * h; p++) out[p] = Math.round(0.299 * img.data[p * 3] + 0.587 * img.data[p * 3 + 1] + 0.114 * img.data[p * 3 + 2]);
  return { width: w, height: h, channels: 1, data: out };
}

function toRgb(img: Image): Image {
  if (img.channels === 3) return img;
  const { width: w, height: h, channels: c } = img;
  const out = new Uint8Array(w * h * 3);
  for (let p = 0; p < w * h; p++) for (let k = 0; k < 3; k++) out[p * 3 + k] = img.data[p * c + (c === 1 ? 0 : k)];
  return { width: w, height: h, channels: 3, data: out };
}

/** The frame job running `translator` (a generator with inputNc/outputNc channels) on each frame. */
export function videoTranslateJob(translator: Translator, fingerprint: unknown): FrameJob {
  const { inputNc, outputNc } = translator.config;
  return {
    fingerprint,
    async process(image) {
      const x = imageToCHW(toChannels(image, inputNc));
      const y = await translator.run(x.data, [1, ...x.shape]);
      return toRgb(chwToImage({ shape: [outputNc, image.height, image.width], data: y }));
    },
  };
}
