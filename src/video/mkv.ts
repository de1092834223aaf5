// A minimal Matroska (EBML) writer for raw RGB frames with exact timestamps: what the encoder
// reads on its stdin. ffmpeg's rawvideo input has no timestamps (it assumes a constant rate);
// this carries each frame's own presentation time, so variable frame rates survive. One frame per
// cluster (a cluster's timecode is an unsigned integer of nanoseconds, so no int16 block offsets
// limit the time scale), each a BlockGroup with its duration, codec V_UNCOMPRESSED with the
// 'RGB\x18' (rgb24) colour space. Streaming: the segment has unknown size, no cues.

const id = (n: number): Buffer => {
  const b: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) b.unshift(v & 255);
  return Buffer.from(b);
};

/** An 8-byte EBML size field. */
const size = (n: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  b[0] |= 0x01;
  return b;
};

const element = (elementId: number, ...parts: Buffer[]): Buffer => {
  const data = Buffer.concat(parts);
  return Buffer.concat([id(elementId), size(data.length), data]);
};
const uint = (elementId: number, v: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(Math.max(0, Math.round(v))));
  return element(elementId, b);
};
const text = (elementId: number, s: string): Buffer => element(elementId, Buffer.from(s, 'latin1'));

/** The stream header: EBML header, an unknown-size segment, info (1 ns timecode scale), one video track. */
export function mkvHeader(width: number, height: number): Buffer {
  const ebml = element(0x1A45DFA3, uint(0x4286, 1), uint(0x42F7, 1), uint(0x42F2, 4), uint(0x42F3, 8), text(0x4282, 'matroska'), uint(0x4287, 4), uint(0x4285, 2));
  const segment = Buffer.concat([id(0x18538067), Buffer.from([0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])]);
  const info = element(0x1549A966, uint(0x2AD7B1, 1), text(0x4D80, 'img2img'), text(0x5741, 'img2img'));
  const video = element(0xE0, uint(0xB0, width), uint(0xBA, height), element(0x2EB524, Buffer.from('RGB\x18', 'latin1')));
  const track = element(0xAE, uint(0xD7, 1), uint(0x73C5, 1), uint(0x83, 1), uint(0x9C, 0), text(0x86, 'V_UNCOMPRESSED'), video);
  return Buffer.concat([ebml, segment, info, element(0x1654AE6B, track)]);
}

/**
 * The bytes before and after one frame's pixels (so the pixels are written without a copy): a
 * cluster at `ns` nanoseconds holding a block group of `duration` ns. ns must be >= 0.
 */
export function mkvFrame(ns: number, duration: number, frameBytes: number): { head: Buffer; tail: Buffer } {
  const blockHead = Buffer.from([0x81, 0, 0, 0]); // track 1, offset 0, no flags
  const blockSize = blockHead.length + frameBytes;
  const blockPrefix = Buffer.concat([id(0xA1), size(blockSize), blockHead]);
  const tail = uint(0x9B, duration);
  const groupSize = blockPrefix.length + frameBytes + tail.length;
  const groupPrefix = Buffer.concat([id(0xA0), size(groupSize)]);
  const timecode = uint(0xE7, ns);
  const clusterSize = timecode.length + groupPrefix.length + groupSize;
  const head = Buffer.concat([id(0x1F43B675), size(clusterSize), timecode, groupPrefix, blockPrefix]);
  return { head, tail };
}
