// Issue 17, items 3, 4, 5 and 6: hostile model files. The unpickler is linear in big-integer
// opcodes, tiny files cannot allocate gigabytes (stride-0 views, unused or compressed zip
// entries, overlapping safetensors offsets, absurd network configs), every error names the file,
// and a '__proto__' metadata key is an ordinary key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { unpickle } from '../../src/io/pickle.js';
import { loadPthBuffer } from '../../src/io/pth.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { tensorValue } from '../../src/graph/onnx/import-proto.js';
import { loadGenerator } from '../../src/inference/load-generator.js';
import { generatorStateElements } from '../../src/models/networks.js';
import { pickleBytes, rawSafetensors, shortStr, stateDictPickle, torchZip, u32le } from './hostile.js';

const noGlobals = { findGlobal: (m: string, n: string) => { throw new Error(`refused ${m}.${n}`); } };
const f32 = (n: number) => new Uint8Array(new Float32Array(n).fill(1).buffer);

test('LONG1/LONG4 are linear: a 1 MiB big integer parses in well under a second', () => {
  const n = 2 ** 20;
  const digits = new Uint8Array(n).fill(0x5a);
  const t0 = performance.now();
  const v = unpickle(pickleBytes(0x80, 2, 0x8b, u32le(n), digits, 0x2e), noGlobals, 'big.pkl');
  const ms = performance.now() - t0;
  assert.equal(typeof v, 'bigint');
  assert.equal((v as bigint) & 0xffn, 0x5an);
  assert.ok(ms < 1500, `took ${ms.toFixed(0)} ms (the old shift loop took over a minute)`);
  assert.equal(unpickle(pickleBytes(0x80, 2, 0x8a, 2, Uint8Array.of(0x00, 0x80), 0x2e), noGlobals, 'neg.pkl'), -32768);
  assert.throws(() => unpickle(pickleBytes(0x4c, '9'.repeat(5000), 'L\n', 0x2e), noGlobals, 'text.pkl'), /unpickle text\.pkl: INT\/LONG literal of 5001 characters is over the 4300-digit limit/);
});

test('a pickle containing itself, or nested 100,000 deep, fails naming the file (no stack overflow)', () => {
  // l = []; l.append(l)
  const selfRef = pickleBytes(0x80, 2, 0x5d, 0x71, 0, 0x68, 0, 0x61, 0x2e);
  assert.throws(() => loadPthBuffer(torchZip(selfRef), 'loop.pth'), /^Error: loop\.pth: the checkpoint contains itself/);
  const dictSelf = pickleBytes(0x80, 2, 0x7d, 0x71, 0, shortStr('a'), 0x68, 0, 0x73, 0x2e);
  assert.throws(() => loadPthBuffer(torchZip(dictSelf), 'dloop.pth'), /dloop\.pth: the checkpoint contains itself \(at 'a'\)/);
  const depth = 100_000;
  const deep = pickleBytes(0x80, 2, new Uint8Array(depth).fill(0x5d), new Uint8Array(depth - 1).fill(0x61), 0x2e);
  assert.throws(() => loadPthBuffer(torchZip(deep), 'deep.pth'), /deep\.pth: containers nested more than 1000 levels deep/);
});

test('raw TypeErrors inside the unpickler come out naming the file and the opcode', () => {
  // builtins.set(5): "number 5 is not iterable"; OrderedDict([1, 2]): "Iterator value 1 is not an entry object"
  const setOfInt = pickleBytes(0x80, 2, shortStr('builtins'), shortStr('set'), 0x93, 0x4b, 5, 0x85, 0x52, 0x2e);
  assert.throws(() => loadPthBuffer(torchZip(setOfInt), 'set.pth'), /^Error: unpickle set\.pth: .*not iterable.* \(opcode 0x52 at byte \d+\)$/);
  const badDict = pickleBytes(0x80, 2, shortStr('collections'), shortStr('OrderedDict'), 0x93, 0x28, 0x4b, 1, 0x4b, 2, 0x6c, 0x85, 0x52, 0x2e);
  assert.throws(() => loadPthBuffer(torchZip(badDict), 'od.pth'), /^Error: unpickle od\.pth: .*entry object/);
});

test('a stride-0 view of a 1-element storage is refused before it is expanded (504-byte file -> 1.6 GB)', () => {
  const pkl = stateDictPickle([{ name: 'w', storageNumel: 1, size: [20000, 20000], stride: [0, 0] }]);
  const file = torchZip(pkl, { 0: f32(1) });
  assert.ok(file.length < 1200, `${file.length} bytes`);
  const before = process.memoryUsage().arrayBuffers;
  assert.throws(() => loadPthBuffer(file, 'expand.pth'),
    /expand\.pth: tensor \[20000, 20000\] \(strides \[0, 0\]\) of storage '0' takes decoding past \d+ bytes, more than the file's size allows/);
  assert.ok(process.memoryUsage().arrayBuffers - before < 100e6);
  // the same view within a raised limit still loads exactly
  const ok = loadPthBuffer(torchZip(stateDictPickle([{ name: 'w', storageNumel: 1, size: [3, 2], stride: [0, 0] }]), { 0: f32(1) }), 'small.pth');
  assert.deepEqual([...(ok.get('w')!.data as Float32Array)], [1, 1, 1, 1, 1, 1]);
});

test('zip entries are inflated only when used, and only within the budget', () => {
  const pkl = stateDictPickle([{ name: 'w', storageNumel: 4, size: [4], stride: [1] }]);
  // An unused entry that does not even inflate: the old loader inflated every entry and failed (or took 1.1 GB).
  const files = zipSync({ 'archive/data.pkl': [pkl, { level: 0 }], 'archive/data/0': [f32(4), { level: 0 }], 'archive/unused.bin': [new Uint8Array(2 ** 20), { level: 9 }] });
  const corrupt = Uint8Array.from(files);
  const at = findBytes(corrupt, new TextEncoder().encode('archive/unused.bin')) + 'archive/unused.bin'.length;
  corrupt.fill(0xff, at, at + 50); // its deflate stream
  assert.equal(loadPthBuffer(corrupt, 'unused.pth').get('w')!.data.length, 4);
  // A used storage that inflates 1000:1 past the budget is refused before inflating.
  const bomb = zipSync({ 'archive/data.pkl': [stateDictPickle([{ name: 'w', storageNumel: 2 ** 25, size: [2 ** 25], stride: [1] }]), { level: 0 }],
    'archive/data/0': [new Uint8Array(2 ** 27), { level: 9 }] });
  assert.ok(bomb.length < 300_000);
  assert.throws(() => loadPthBuffer(bomb, 'bomb.pth'), /bomb\.pth: .*takes decoding past \d+ bytes, more than the file's size allows/);
  assert.throws(() => loadPthBuffer(bomb, 'bomb.pth', { maxBytes: 2 ** 20 }), /bomb\.pth: the file has \d+ bytes|takes decoding past the model size limit of 1048576 bytes .*--max-model-bytes/);
});

test('a forged ZIP64 entry count is refused at once instead of looping', () => {
  const good = torchZip(stateDictPickle([{ name: 'w', storageNumel: 1, size: [1], stride: [1] }]), { 0: f32(1) });
  const eocd = good.length - 22;
  // good's entries and central directory, a ZIP64 end record claiming 2^32-1 entries, its locator, good's end record
  const z64 = new Uint8Array(56);
  const zv = new DataView(z64.buffer);
  zv.setUint32(0, 0x06064b50, true);
  zv.setBigUint64(32, 0xffffffffn, true);
  zv.setBigUint64(40, 0xffffffffn, true);
  const locator = new Uint8Array(20);
  const lv = new DataView(locator.buffer);
  lv.setUint32(0, 0x07064b50, true);
  lv.setBigUint64(8, BigInt(eocd), true);
  const forged = new Uint8Array(eocd + 56 + 20 + 22);
  forged.set(good.subarray(0, eocd));
  forged.set(z64, eocd);
  forged.set(locator, eocd + 56);
  forged.set(good.subarray(eocd), eocd + 76);
  const t0 = performance.now();
  assert.throws(() => loadPthBuffer(forged, 'z64.pth'), /z64\.pth: corrupt zip archive \(central directory of 4294967295 entries does not fit the file\)/);
  assert.ok(performance.now() - t0 < 1000);
});

test('safetensors: overlapping, gapped or trailing data offsets are refused, as the reference does', () => {
  const data = f32(2 ** 10);
  const t = (begin: number, end: number) => ({ dtype: 'F32', shape: [(end - begin) / 4], data_offsets: [begin, end] });
  const overlap = rawSafetensors({ a: t(0, 4096), b: t(0, 4096), c: t(0, 4096) }, data);
  assert.throws(() => decodeSafetensors(overlap, 'overlap.safetensors'), /safetensors overlap\.safetensors: bad data_offsets: tensor 'b' \[0, 4096\) overlaps the previous tensor/);
  assert.throws(() => decodeSafetensors(rawSafetensors({ a: t(0, 1024), b: t(2048, 4096) }, data), 'gap.st'), /1024 bytes before tensor 'b' belong to no tensor/);
  assert.throws(() => decodeSafetensors(rawSafetensors({ a: t(0, 1024) }, data), 'tail.st'), /3072 bytes after the last tensor/);
  const ok = decodeSafetensors(rawSafetensors({ b: t(1024, 4096), a: t(0, 1024) }, data), 'ok.st');
  assert.deepEqual([...ok.tensors.keys()], ['a', 'b']);
});

test('a network config asking for an absurd network allocates nothing and fails the shape check', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'img2img-absurd-'));
  try {
    const path = join(dir, 'latest_net_G.safetensors');
    const config = { netG: 'unet_256', ngf: 4096, inputNc: 3, outputNc: 3, norm: 'batch', useDropout: false };
    writeFileSync(path, encodeSafetensors({}, { format: 'img2img-network', role: 'G', kind: 'generator', config, model: 'pix2pix', epoch: 1, step: 1 }));
    const before = process.memoryUsage().arrayBuffers;
    assert.ok(generatorStateElements(config as never) > 1e10);
    assert.ok(process.memoryUsage().arrayBuffers - before < 50e6, 'sizing the network allocated its weights');
    await assert.rejects(loadGenerator(path), /latest_net_G\.safetensors: the unet_256 generator \(ngf 4096\) has \d+ weights but the file holds only 0 values/);
    assert.ok(process.memoryUsage().arrayBuffers - before < 50e6);
    writeFileSync(path, encodeSafetensors({}, { format: 'img2img-network', role: 'G', kind: 'generator', config: { ...config, numDowns: 1e6 }, model: 'p', epoch: 1, step: 1 }));
    await assert.rejects(loadGenerator(path), /latest_net_G\.safetensors: invalid generator config: numDowns: Too big/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ONNX initializer with a ragged raw_data length: an error naming it, not a bare RangeError', () => {
  assert.throws(() => tensorValue({ name: 'w', dims: [2], data_type: 1, raw_data: new Uint8Array(7) }, "classifier m.onnx: initializer 'w'"),
    /^Error: classifier m\.onnx: initializer 'w': raw data has 7 bytes, dims \[2\] need 8$/);
  assert.throws(() => tensorValue({ name: 'w', dims: [-1], data_type: 1 }, 'x'), /x: bad dims \[-1\]/);
});

test("a '__proto__' metadata key or tensor name is an ordinary key (the prototype stays)", () => {
  const json = '{"__metadata__":{"__proto__":"{\\"polluted\\":1}","__json_keys__":"[\\"__proto__\\"]"}}';
  const bytes = new Uint8Array(8 + json.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
  bytes.set(new TextEncoder().encode(json), 8);
  const { metadata } = decodeSafetensors(bytes, 'proto.safetensors');
  assert.equal(Object.getPrototypeOf(metadata), Object.prototype);
  assert.equal((metadata as { polluted?: number }).polluted, undefined);
  assert.deepEqual(Object.getOwnPropertyDescriptor(metadata, '__proto__')?.value, { polluted: 1 });
  // and a tensor named __proto__ survives a round trip
  const round = decodeSafetensors(encodeSafetensors(new Map([['__proto__', { dtype: 'float32', shape: [1], data: new Float32Array([2]) }]]), { ['__proto__']: 'x' } as never), 'r');
  assert.deepEqual([...round.tensors.keys()], ['__proto__']);
});

/** First occurrence (for a zip entry name: its local header, before the data). */
function findBytes(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
