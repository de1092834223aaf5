import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../../src/io/atomic.js';
import type { HostTensor } from '../../src/io/host-tensor.js';
import { decodeSafetensors, encodeSafetensors, readSafetensors, writeSafetensors } from '../../src/io/safetensors.js';
import { assertTensorsMatch, FIXTURES, loadExpected } from './expected.js';

const allDtypes: Record<string, HostTensor> = {
  'z.f32': { dtype: 'float32', shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 1e-30, -0, 7]) },
  'f64': { dtype: 'float64', shape: [2], data: Float64Array.from([Math.PI, -1e300]) },
  'f16': { dtype: 'float16', shape: [3], data: Uint16Array.from([0x3c00, 0xc000, 0x7bff]) },
  'i64': { dtype: 'int64', shape: [3], data: BigInt64Array.from([0n, -(2n ** 63n), 2n ** 63n - 1n]) },
  'i32': { dtype: 'int32', shape: [1, 2], data: Int32Array.from([-(2 ** 31), 2 ** 31 - 1]) },
  'i16': { dtype: 'int16', shape: [2], data: Int16Array.from([-32768, 32767]) },
  'i8': { dtype: 'int8', shape: [2], data: Int8Array.from([-128, 127]) },
  'u8': { dtype: 'uint8', shape: [1], data: Uint8Array.from([255]) },
  'mask': { dtype: 'bool', shape: [2, 2], data: Uint8Array.from([1, 0, 0, 1]) },
  'empty': { dtype: 'float32', shape: [0, 4], data: new Float32Array(0) },
  'scalar': { dtype: 'int32', shape: [], data: Int32Array.from([42]) },
};

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'img2img-st-'));
}

/** Builds a file from a raw header object and data bytes (for corrupt-file cases). */
function rawFile(header: unknown, data = new Uint8Array(0), lenOverride?: bigint): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, lenOverride ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

test('round-trips every dtype, empty and scalar tensors, and metadata through a file', async () => {
  const dir = await tempDir();
  try {
    const path = join(dir, 'sub', 'all.safetensors'); // parent is created
    const metadata = { name: 'pix2pix', epoch: 12, lr: 2e-4, opts: { ngf: 64, norm: 'batch' }, flag: true, looksJson: '{"a":1}' };
    await writeSafetensors(path, allDtypes, metadata);
    const { tensors, metadata: meta } = await readSafetensors(path);
    assert.deepEqual(meta, metadata);
    assert.deepEqual([...tensors.keys()], Object.keys(allDtypes).sort());
    for (const [name, t] of Object.entries(allDtypes)) assert.deepEqual(tensors.get(name), t, name);
    assert.deepEqual(await readdir(join(dir, 'sub')), ['all.safetensors']); // no temp files left
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('writes the spec layout: sorted offsets, space-padded header, string-only metadata', () => {
  const bytes = encodeSafetensors(new Map(Object.entries(allDtypes)), { epoch: 3, tag: 'x' });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal(n % 8, 0);
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  assert.match(text, /^\{.*\} *$/s); // JSON then only space padding
  const header = JSON.parse(text);
  assert.deepEqual(header.__metadata__, { epoch: '3', tag: 'x', __json_keys__: '["epoch"]' });
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  assert.deepEqual(names, [...names].sort());
  let off = 0;
  for (const k of names) {
    assert.equal(header[k].data_offsets[0], off);
    off = header[k].data_offsets[1];
  }
  assert.equal(8 + n + off, bytes.length);
  assert.deepEqual(header['i64'], { dtype: 'I64', shape: [3], data_offsets: header['i64'].data_offsets });
});

test('reads a safetensors file written by Python (incl. BF16 widened to float32)', async () => {
  const path = fileURLToPath(new URL('py_written.safetensors', FIXTURES));
  const { tensors, metadata } = await readSafetensors(path);
  assert.deepEqual(metadata, { format: 'pt', note: 'written by make_pth.py' });
  assertTensorsMatch(tensors, loadExpected('py_written.safetensors'));
});

test('corrupt files give errors naming the file and the problem', () => {
  const ok = { w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array(3), /bad\.st: truncated/],
    [rawFile(ok, new Uint8Array(8), 10_000n), /truncated: header says 10000 bytes/],
    [rawFile(ok, new Uint8Array(8), 2n ** 62n), /bad header: header length/],
    [rawFile(ok, new Uint8Array(4)), /offsets out of range: tensor 'w' wants bytes \[0, 8\)/],
    [rawFile({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)), /offsets out of range: tensor 'w' spans 8 bytes/],
    [rawFile({ w: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)), /unknown dtype "F8_E4M3" for tensor 'w'/],
    [rawFile({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }), /bad header: tensor 'w' has bad shape/],
    [rawFile([1, 2]), /bad header: not a JSON object/],
    [rawFile({ __metadata__: { a: 1 } }), /metadata 'a' is not a string/],
  ];
  const notJson = rawFile(ok);
  notJson[8] = 0x7b + 1; // break the opening brace
  cases.push([notJson, /bad header: not valid UTF-8 JSON/]);
  for (const [bytes, re] of cases) assert.throws(() => decodeSafetensors(bytes, 'bad.st'), re);
});

test('refuses to encode inconsistent tensors', () => {
  assert.throws(() => encodeSafetensors({ w: { dtype: 'float32', shape: [3], data: new Float32Array(2) } }), /has 2 elements but shape \[3\] needs 3/);
  assert.throws(() => encodeSafetensors({ w: { dtype: 'float32', shape: [2], data: new Int32Array(2) } }), /is float32 but data is Int32Array/);
  assert.throws(() => encodeSafetensors({}, { __json_keys__: 'x' }), /reserved/);
});

test('atomic write: a failed write leaves no file and no temp file; an old file survives', async () => {
  const dir = await tempDir();
  try {
    const path = join(dir, 'w.safetensors');
    const bad = { w: { dtype: 'float32' as const, shape: [3], data: new Float32Array(2) } };
    await assert.rejects(writeSafetensors(path, bad));
    assert.deepEqual(await readdir(dir), []);

    await writeSafetensors(path, { w: allDtypes['f64'] });
    const before = await readFile(path);
    await assert.rejects(writeSafetensors(path, bad));
    assert.deepEqual(await readFile(path), before);

    // Failure after the temp file was written (rename onto a non-empty folder): temp is cleaned up.
    const blocker = join(dir, 'blocked');
    await mkdir(blocker);
    await writeFile(join(blocker, 'keep'), 'x');
    await assert.rejects(writeFileAtomic(blocker, 'data'));
    assert.deepEqual((await readdir(dir)).sort(), ['blocked', 'w.safetensors']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
