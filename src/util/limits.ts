// Default limits on what a file may make img2img allocate (issue 17): every one has an option that
// raises it, and an error names the input, the limit and that option. README "Limits" lists them.
import { z } from 'zod';

/** Largest image decoded, in pixels: 40 MP (8K UHD is 33 MP); a 261 KB PNG may claim 16383 x 16383. */
export const DEFAULT_MAX_IMAGE_PIXELS = 40_000_000;
/** Largest image a generator runs on in translate/test: 2048 x 2048 (about 2.5 GB for unet_256 at ngf 64). */
export const DEFAULT_MAX_NETWORK_PIXELS = 2048 * 2048;
/** Largest model file (safetensors, .pth, ONNX) and most bytes decoding one may allocate: 2 GiB. */
export const DEFAULT_MAX_MODEL_BYTES = 2 * 2 ** 30;

const positiveInt = z.number().int().positive();

/** Job option: the decoded-image limit. */
export const maxImagePixelsField = positiveInt.default(DEFAULT_MAX_IMAGE_PIXELS);
/** Job option: the generator-input limit. */
export const maxNetworkPixelsField = positiveInt.default(DEFAULT_MAX_NETWORK_PIXELS);
/** Job option: the model-file limit. */
export const maxModelBytesField = positiveInt.default(DEFAULT_MAX_MODEL_BYTES);

/** "W x H = N pixels is over the limit of M (raise it with OPTION / --FLAG)". */
export function pixelLimitMessage(width: number, height: number, max: number, option: 'maxImagePixels' | 'maxNetworkPixels'): string {
  const flag = option === 'maxImagePixels' ? '--max-image-pixels' : '--max-network-pixels';
  return `${width}x${height} = ${width * height} pixels is over the limit of ${max} (raise it with ${option} / ${flag})`;
}
