// The fuzz suite's inputs: valid seeds per target (mutated by mutate.ts) and the hand-made hostile
// cases of issue 17, which every run replays first.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFfmpeg, runTool } from '../../src/video/ffmpeg.js';
import { buildGenerator } from '../../src/models/networks.js';
import { encodeNetwork } from '../../src/models/checkpoint.js';
import { encodeSafetensors } from '../../src/io/safetensors.js';
import { buildModel, floatTensor, node, randomValues, aints } from '../cam/onnx-build.js';
import {
  pickleBytes, rawSafetensors, rawTarGz, shortStr, stateDictPickle, torchZip, traversalTarballs, u32le, zipOf, zipWithZlib,
} from '../reliability/hostile.js';

export const TARGETS = ['safetensors', 'pth', 'onnx', 'png', 'jpeg', 'tar.gz', 'zip', 'video'] as const;
export type Target = (typeof TARGETS)[number];

/** The file extension a case of each target is written with. */
export const EXTENSION: Record<Target, string> = {
  safetensors: '.safetensors', pth: '.pth', onnx: '.onnx', png: '.png', jpeg: '.jpg', 'tar.gz': '.tar.gz', zip: '.zip',
  video: '.mp4', // the content decides: ffprobe and img2img sniff the bytes, not the name
};

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/io/${name}`, import.meta.url)));

function network(config: Record<string, unknown>): Uint8Array {
  const c = { inputNc: 3, outputNc: 3, norm: 'batch', useDropout: false, initType: 'normal', initGain: 0.02, ...config } as never;
  return encodeNetwork(buildGenerator(c), { format: 'img2img-network', role: 'G', kind: 'generator', config: c, model: 'pix2pix', epoch: 1, step: 3 });
}

function classifier(): Uint8Array {
  return buildModel({
    nodes: [
      node('Conv', ['x', 'w', 'b'], ['c'], [aints('kernel_shape', [3, 3]), aints('pads', [1, 1, 1, 1])]),
      node('Relu', ['c'], ['r']),
      node('GlobalAveragePool', ['r'], ['g']),
      node('Flatten', ['g'], ['f']),
      node('Gemm', ['f', 'fw', 'fb'], ['y'], [{ name: 'transB', type: 2, i: 1 }]),
    ],
    initializers: [
      floatTensor('w', [4, 3, 3, 3], randomValues(108, 1)), floatTensor('b', [4], randomValues(4, 2)),
      floatTensor('fw', [2, 4], randomValues(8, 3)), floatTensor('fb', [2], randomValues(2, 4)),
    ],
    input: { name: 'x', dims: [1, 3, 16, 16] },
    outputs: [{ name: 'y', dims: [1, 2] }],
  });
}

async function image(width: number, height: number, channels: 1 | 3 | 4, format: 'png' | 'jpeg'): Promise<Uint8Array> {
  const data = Buffer.alloc(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + (i >> 5) * 11) & 0xff;
  const s = sharp(data, { raw: { width, height, channels } });
  return format === 'png' ? s.png().toBuffer() : s.jpeg({ quality: 80 }).toBuffer();
}

const dataset = { 'ds/train/1.txt': new TextEncoder().encode('a'), 'ds/val/2.txt': new TextEncoder().encode('bb') };

/** Valid inputs per target. */
export async function seedCorpus(): Promise<Record<Target, Uint8Array[]>> {
  return {
    safetensors: [
      network({ netG: 'unet_128', ngf: 2, numDowns: 3 }),
      network({ netG: 'resnet_6blocks', ngf: 2 }),
      fixture('py_written.safetensors'),
    ],
    pth: [fixture('tiny_net.pth'), fixture('views.pth'), fixture('nested.pth')],
    onnx: [classifier()],
    png: [await image(24, 16, 3, 'png'), await image(9, 7, 4, 'png'), await image(16, 16, 1, 'png')],
    jpeg: [await image(32, 24, 3, 'jpeg'), await image(17, 9, 1, 'jpeg')],
    'tar.gz': [rawTarGz(Object.entries(dataset).map(([name, data]) => ({ name, data }))), rawTarGz([{ name: 'ds/', type: '5' }, { name: 'ds/a/b.png', data: 'x' }])],
    zip: [zipOf(dataset), zipOf(dataset, 0)],
    video: await videos(),
  };
}

/**
 * Tiny clips made by the bundled ffmpeg: H.264 + AAC in MP4 (6 frames of 32x24) and FFV1 in
 * Matroska without audio (4 frames of 17x9, an odd size).
 */
async function videos(): Promise<Uint8Array[]> {
  const { ffmpeg } = findFfmpeg();
  const dir = mkdtempSync(join(tmpdir(), 'img2img-fuzz-seeds-'));
  try {
    const make = async (name: string, args: string[]) => {
      const out = join(dir, name);
      const r = await runTool(ffmpeg, ['-v', 'error', ...args, '-y', out]);
      if (r.code !== 0) throw new Error(`fuzz seeds: ffmpeg could not make ${name}: ${r.stderr}`);
      return new Uint8Array(readFileSync(out));
    };
    return [
      await make('a.mp4', ['-f', 'lavfi', '-i', 'testsrc=size=32x24:rate=6:duration=1', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1',
        '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', '-movflags', '+faststart']),
      await make('b.mkv', ['-f', 'lavfi', '-i', 'testsrc=size=17x9:rate=4:duration=1', '-c:v', 'ffv1']),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** PNG header claiming width x height (valid CRC). */
async function pngClaiming(width: number, height: number): Promise<Uint8Array> {
  const { crc32 } = await import('node:zlib');
  const png = Buffer.from(await image(4, 4, 3, 'png'));
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

/** The hand-made hostile inputs of the review (issue 17), one case each. */
export async function hostileCorpus(): Promise<{ target: Target; label: string; bytes: Uint8Array }[]> {
  const f32 = (n: number) => new Uint8Array(new Float32Array(n).buffer);
  const trav = traversalTarballs();
  const zeros = new Uint8Array(2 ** 27);
  const zerosZip = zipWithZlib([{ name: 'ds/zeros.bin', bytes: zeros, deflate: true }]);
  const absurd = (config: Record<string, unknown>) =>
    encodeSafetensors({}, { format: 'img2img-network', role: 'G', kind: 'generator', config, model: 'pix2pix', epoch: 1, step: 1 });
  const deep = pickleBytes(0x80, 2, new Uint8Array(100_000).fill(0x5d), new Uint8Array(99_999).fill(0x61), 0x2e);
  return [
    { target: 'tar.gz', label: '../ traversal', bytes: trav.dotdot },
    { target: 'tar.gz', label: 'PAX path traversal', bytes: trav.pax },
    { target: 'tar.gz', label: 'GNU long-name traversal', bytes: trav.gnuLongName },
    { target: 'tar.gz', label: 'symlink out of the folder', bytes: rawTarGz([{ name: 'ds/link', type: '2', linkname: '../../etc' }, { name: 'ds/link/x', data: 'x' }]) },
    { target: 'zip', label: 'zip ../ entry', bytes: zipOf({ 'ok/1.txt': new Uint8Array(1), '../escaped.txt': new Uint8Array(1) }) },
    { target: 'zip', label: 'zip bomb (128 MiB of zeros)', bytes: zerosZip },
    { target: 'pth', label: 'stride-0 view (1.6 GB)', bytes: torchZip(stateDictPickle([{ name: 'w', storageNumel: 1, size: [20000, 20000], stride: [0, 0] }]), { 0: f32(1) }) },
    { target: 'pth', label: 'LONG4 of 1 MiB', bytes: torchZip(pickleBytes(0x80, 2, 0x8b, u32le(2 ** 20), new Uint8Array(2 ** 20).fill(0x42), 0x2e)) },
    { target: 'pth', label: 'self-referencing list', bytes: torchZip(pickleBytes(0x80, 2, 0x5d, 0x71, 0, 0x68, 0, 0x61, 0x2e)) },
    { target: 'pth', label: 'lists nested 100,000 deep', bytes: torchZip(deep) },
    { target: 'pth', label: 'set(5): TypeError inside the unpickler', bytes: torchZip(pickleBytes(0x80, 2, shortStr('builtins'), shortStr('set'), 0x93, 0x4b, 5, 0x85, 0x52, 0x2e)) },
    { target: 'pth', label: 'os.system global', bytes: torchZip(pickleBytes(0x80, 2, 0x63, 'posix\nsystem\n', shortStr('true'), 0x85, 0x52, 0x2e)) },
    { target: 'pth', label: 'unused entry of 128 MiB zeros', bytes: zipWithZlib([
      { name: 'archive/data.pkl', bytes: stateDictPickle([{ name: 'w', storageNumel: 1, size: [1], stride: [1] }]) },
      { name: 'archive/data/0', bytes: f32(1) }, { name: 'archive/unused', bytes: zeros, deflate: true },
    ]) },
    { target: 'safetensors', label: 'overlapping offsets', bytes: rawSafetensors({ a: { dtype: 'F32', shape: [1024], data_offsets: [0, 4096] }, b: { dtype: 'F32', shape: [1024], data_offsets: [0, 4096] } }, f32(1024)) },
    { target: 'safetensors', label: 'absurd ngf', bytes: absurd({ netG: 'unet_256', ngf: 16384 }) },
    { target: 'safetensors', label: 'absurd numDowns', bytes: absurd({ netG: 'unet_256', ngf: 64, numDowns: 100000 }) },
    { target: 'safetensors', label: "'__proto__' metadata", bytes: rawSafetensors({ __metadata__: { __proto__: '{"a":1}', __json_keys__: '["__proto__"]' } }) },
    { target: 'png', label: 'PNG claiming 16383 x 16383', bytes: await pngClaiming(16383, 16383) },
    { target: 'png', label: 'PNG claiming 8000 x 8000', bytes: await pngClaiming(8000, 8000) },
    { target: 'onnx', label: 'ragged initializer', bytes: raggedClassifier() },
  ];
}

/** A classifier whose initializer has 23 bytes of raw data for 6 floats (a bare RangeError in Grad-CAM before). */
function raggedClassifier(): Uint8Array {
  return buildModel({
    nodes: [node('Conv', ['x', 'w'], ['c'], [aints('kernel_shape', [1, 1])]), node('GlobalAveragePool', ['c'], ['g']), node('Flatten', ['g'], ['y'])],
    initializers: [{ name: 'w', dims: [2, 3, 1, 1], data_type: 1, raw_data: new Uint8Array(23) }],
    input: { name: 'x', dims: [1, 3, 8, 8] },
    outputs: [{ name: 'y', dims: [1, 2] }],
  });
}
