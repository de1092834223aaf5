// A PNG encoder on plain arrays (8-bit grey, RGB or RGBA; no interlace), pure TypeScript with
// fflate's zlib: the web page writes its downloads with it, so what is saved is exactly the
// restored pixels (a canvas round trip may alter colours of transparent pixels).
import { zlibSync } from 'fflate';
import type { Image } from './image-core.js';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

const COLOUR_TYPE = { 1: 0, 3: 2, 4: 6 } as const;

/** `img` as PNG bytes (each row filtered with Paeth, the usual best single choice for photos). */
export function encodePng(img: Image, level: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 = 6): Uint8Array {
  const { width: w, height: h, channels: c, data } = img;
  if (data.length !== w * h * c) throw new Error(`encodePng: ${w}x${h}x${c} needs ${w * h * c} bytes, has ${data.length}`);
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, w);
  v.setUint32(4, h);
  ihdr.set([8, COLOUR_TYPE[c], 0, 0, 0], 8);
  const stride = w * c;
  const raw = new Uint8Array(h * (stride + 1));
  for (let y = 0; y < h; y++) {
    const o = y * (stride + 1), row = y * stride, prev = row - stride;
    raw[o] = 4; // Paeth
    for (let i = 0; i < stride; i++) {
      const a = i >= c ? data[row + i - c] : 0, b = y > 0 ? data[prev + i] : 0, d = y > 0 && i >= c ? data[prev + i - c] : 0;
      const p = a + b - d, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - d);
      const pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : d;
      raw[o + 1 + i] = (data[row + i] - pred) & 0xff;
    }
  }
  const parts = [Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), chunk('IHDR', ihdr), chunk('IDAT', zlibSync(raw, { level })), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
