// Reading a mask from an image file (Node: sharp). The mask type and operations are mask.ts.
import { readImage } from '../data/image.js';
import { maskFromImage, type Mask } from './mask.js';

/**
 * Reads a mask image (greyscale; > 127 = inside). When width/height are given the
 * mask must match them; the error names the mask file and both sizes.
 */
export async function readMask(path: string, width?: number, height?: number): Promise<Mask> {
  const img = await readImage(path, { channels: 1 });
  if (width !== undefined && height !== undefined && (img.width !== width || img.height !== height)) {
    throw new Error(`mask ${path} is ${img.width}x${img.height} but the image is ${width}x${height}`);
  }
  return maskFromImage(img);
}
