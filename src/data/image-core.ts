// 8-bit images as plain HWC arrays, and the pure operations on them (create, clone, check, crop,
// paste, side-by-side concat). No Node module: the browser page uses this file as it is; decoding,
// encoding and resizing (sharp) live in image.ts and image-ops.ts.

export type Channels = 1 | 3 | 4;

/** An 8-bit image, HWC row-major: pixel (x, y) channel c is data[(y * width + x) * channels + c]. */
export interface Image {
  width: number;
  height: number;
  channels: Channels;
  data: Uint8Array;
}

/** A new image filled with `fill` (0 by default). */
export function createImage(width: number, height: number, channels: Channels, fill = 0): Image {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new Error(`createImage: bad size ${width}x${height}`);
  }
  const data = new Uint8Array(width * height * channels);
  if (fill) data.fill(fill);
  return { width, height, channels, data };
}

/** A deep copy of `img`. */
export function cloneImage(img: Image): Image {
  return { width: img.width, height: img.height, channels: img.channels, data: img.data.slice() };
}

/** Throws when data length does not match width*height*channels. */
export function checkImage(img: Image): void {
  const n = img.width * img.height * img.channels;
  if (img.data.length !== n) {
    throw new Error(`image ${img.width}x${img.height}x${img.channels} needs ${n} bytes, has ${img.data.length}`);
  }
}

/** Copies the w x h rectangle at (x, y); it must lie inside the image. */
export function cropImage(img: Image, x: number, y: number, w: number, h: number): Image {
  if (!Number.isInteger(x) || !Number.isInteger(y) || !Number.isInteger(w) || !Number.isInteger(h) ||
      x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > img.width || y + h > img.height) {
    throw new Error(`cropImage: rectangle ${x},${y},${w},${h} is not inside the ${img.width}x${img.height} image`);
  }
  const c = img.channels;
  const out = new Uint8Array(w * h * c);
  for (let r = 0; r < h; r++) {
    const from = ((y + r) * img.width + x) * c;
    out.set(img.data.subarray(from, from + w * c), r * w * c);
  }
  return { width: w, height: h, channels: c, data: out };
}

/** Pastes `src` into `dst` with its top-left corner at (x, y), clipped to `dst`; modifies and returns `dst`. */
export function pasteImage(dst: Image, src: Image, x: number, y: number): Image {
  if (src.channels !== dst.channels) throw new Error(`pasteImage: ${src.channels} channels into ${dst.channels}`);
  const c = dst.channels;
  const x0 = Math.max(0, x), x1 = Math.min(dst.width, x + src.width);
  const y0 = Math.max(0, y), y1 = Math.min(dst.height, y + src.height);
  if (x1 <= x0) return dst;
  for (let yy = y0; yy < y1; yy++) {
    const from = ((yy - y) * src.width + (x0 - x)) * c;
    dst.data.set(src.data.subarray(from, from + (x1 - x0) * c), (yy * dst.width + x0) * c);
  }
  return dst;
}

/** Images of equal height and channels, placed left to right. */
export function hconcat(images: readonly Image[]): Image {
  const first = images[0];
  if (!first) throw new Error('hconcat: no images');
  for (const im of images) {
    if (im.height !== first.height || im.channels !== first.channels) {
      throw new Error(`hconcat: ${im.width}x${im.height}x${im.channels} does not match height ${first.height}, ${first.channels} channels`);
    }
  }
  const width = images.reduce((s, im) => s + im.width, 0);
  const out: Image = { width, height: first.height, channels: first.channels, data: new Uint8Array(width * first.height * first.channels) };
  let x = 0;
  for (const im of images) {
    pasteImage(out, im, x, 0);
    x += im.width;
  }
  return out;
}
