// The `cam` job: class activation map overlays of an ONNX classifier for image files and folders.
import { z } from 'zod';
import { batchHooks, callback, inputList, int, parseOptions } from '../util/options.js';
import { maxImagePixelsField, maxModelBytesField } from '../util/limits.js';
import { CAM_METHODS } from './classifier.js';
import { camFiles, DEFAULT_OVERLAY_ALPHA, type CamFileResult } from './files.js';
import { NORMALIZATIONS } from './preprocess.js';

/** How a classifier is loaded and explained (shared with `mosaic.auto`). */
export const explainFields = {
  /** ONNX image classifier (a model.json sidecar beside it gives class names). */
  classifier: z.string().min(1),
  /** cam: GAP + linear heads; gradcam: any head the importer supports. */
  method: z.enum(CAM_METHODS as ['cam', 'gradcam']).default('cam'),
  /** Node (or value) whose output is the feature map (default: found automatically). */
  featureNode: z.string().min(1).optional(),
  /** The linear layer after global average pooling (cam; default: found automatically). */
  fcNode: z.string().min(1).optional(),
  /** Square input side when the model's input size is symbolic. */
  inputSize: int(1).optional(),
  /** default = x/127.5-1, imagenet = (x/255-mean)/std; default: the sidecar's, else default. */
  normalize: z.enum(NORMALIZATIONS as ['default', 'imagenet']).optional(),
  /** ONNX Runtime intra-op threads. */
  threads: int(1).optional(),
  /** Limits: images decoded, the classifier file. */
  maxImagePixels: maxImagePixelsField,
  maxModelBytes: maxModelBytesField,
};

export const overlaysSchema = z.object({
  /** Image files or folders. */
  inputs: inputList,
  /** Output folder (or a .png file for one image). */
  output: z.string().min(1),
  ...explainFields,
  /** Class to explain: an index or (with a sidecar) a name; default the top class of each image. */
  class: z.union([int(0), z.string().min(1)]).optional(),
  /** Heatmap weight in the overlay. */
  alpha: z.number().min(0).max(1).default(DEFAULT_OVERLAY_ALPHA),
  onResult: callback<(r: CamFileResult) => void>().optional(),
  ...batchHooks,
}).strict();
export type OverlaysOptions = z.input<typeof overlaysSchema>;

/** Writes one heatmap overlay PNG per input image (see camFiles); returns each image's explanation. */
export async function overlays(options: OverlaysOptions): Promise<CamFileResult[]> {
  const o = parseOptions(overlaysSchema, 'cam.overlays', options);
  const { inputs, output, class: classSpec, ...rest } = o;
  return camFiles(inputs, output, { ...rest, classSpec });
}
