import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { unzipSync, zipSync } from 'fflate';
import { halfToFloat32 } from '../../src/io/dtype.js';
import { PyGlobal, unpickle } from '../../src/io/pickle.js';
import { loadPth, loadPthBuffer, loadPthObject, pickStateDict } from '../../src/io/pth.js';
import { assertTensorsMatch, FIXTURES, loadExpected, plainValues } from './expected.js';

const fixture = (name: string) => fileURLToPath(new URL(name, FIXTURES));
const enc = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
const zipPickle = (pkl: number[]) => zipSync({ 'evil/data.pkl': Uint8Array.from(pkl), 'evil/version': Uint8Array.from(enc('3\n')) });

test('loads a tiny conv net state_dict exactly (incl. BatchNorm int64 counter)', async () => {
  const sd = await loadPth(fixture('tiny_net.pth'));
  assertTensorsMatch(sd, loadExpected('tiny_net.pth'));
  assert.equal(sd.get('bn.num_batches_tracked')!.dtype, 'int64');
  assert.deepEqual(sd.get('conv.weight')!.shape, [4, 3, 3, 3]);
});

test('non-contiguous views, shared storages with offsets and every dtype come out dense and exact', async () => {
  const t = await loadPth(fixture('views.pth')); // saved from BytesIO: top folder 'archive'
  assertTensorsMatch(t, loadExpected('views.pth'));
  const half = t.get('half')!;
  assert.equal(half.dtype, 'float16');
  assert.deepEqual(Array.from(halfToFloat32(half.data as Uint16Array)).slice(0, 3), [1, -2.5, 65504]);
  assert.deepEqual(t.get('scalar')!.shape, []);
  assert.deepEqual(t.get('empty')!.shape, [0, 3]);
});

test('nested checkpoints: flattened names, key selection, module. prefix stripping', async () => {
  const path = fixture('nested.pth'); // pickle protocol 4
  assertTensorsMatch(await loadPth(path), loadExpected('nested.pth'));

  const sd = await loadPth(path, { key: 'state_dict', stripModulePrefix: true });
  assert.deepEqual([...sd.keys()], ['conv.weight', 'conv.bias']);
  assert.deepEqual(plainValues(sd.get('conv.weight')!), loadExpected('nested.pth')['history.1.tied'].values);
  await assert.rejects(loadPth(path, { key: 'model' }), /no key 'model' in the checkpoint .*available: state_dict, epoch, name, history/);

  const obj = await loadPthObject(path);
  assert.ok(obj instanceof Map);
  assert.equal(obj.get('epoch'), 7);
  assert.equal(obj.get('name'), 'pix2pix');
  assert.equal((obj.get('history') as unknown[] as Map<string, unknown>[])[1].get('lr'), 2e-4);
  assert.equal(pickStateDict(obj), obj.get('state_dict'));
});

test('a pickle that calls os.system via __reduce__ is refused with a clear error', async () => {
  await assert.rejects(loadPth(fixture('malicious.pth')),
    /refusing to load .*malicious\.pth: pickle asks for global 'posix\.system'; only tensors and plain containers are allowed/);
});

test('hand-made pickles naming dangerous globals are refused (GLOBAL and STACK_GLOBAL)', () => {
  const viaGlobal = (mod: string, name: string) => [0x80, 2, 0x63, ...enc(`${mod}\n${name}\n`), 0x58, 4, 0, 0, 0, ...enc('true'), 0x85, 0x52, 0x2e];
  const viaStack = (mod: string, name: string) => [0x80, 4, 0x8c, mod.length, ...enc(mod), 0x8c, name.length, ...enc(name), 0x93, 0x8c, 3, ...enc('1+1'), 0x85, 0x52, 0x2e];
  for (const [mod, name] of [['os', 'system'], ['builtins', 'eval'], ['__builtin__', 'exec'], ['subprocess', 'Popen']]) {
    const re = new RegExp(`refusing to load x\\.pth: pickle asks for global '${mod}\\.${name}'`);
    assert.throws(() => loadPthBuffer(zipPickle(viaGlobal(mod, name)), 'x.pth'), re);
    assert.throws(() => loadPthBuffer(zipPickle(viaStack(mod, name)), 'x.pth'), re);
  }
});

test('the unpickler only ever calls allow-listed globals', () => {
  const called: string[] = [];
  const hooks = {
    findGlobal: (m: string, n: string) => {
      if (m !== 'ok') throw new Error(`refused ${m}.${n}`);
      return new PyGlobal(m, n, () => called.push(n));
    },
  };
  // ok.a() then evil.b(): 'a' runs, 'b' is refused at GLOBAL, before its REDUCE.
  const pkl = Uint8Array.from([0x80, 2, 0x63, ...enc('ok\na\n'), 0x29, 0x52, 0x63, ...enc('evil\nb\n'), 0x29, 0x52, 0x86, 0x2e]);
  assert.throws(() => unpickle(pkl, hooks, 's'), /refused evil\.b/);
  assert.deepEqual(called, ['a']);
  // REDUCE on a plain value (a string) is not a call path.
  assert.throws(() => unpickle(Uint8Array.from([0x80, 2, 0x8c, 1, 0x78, 0x29, 0x52, 0x2e]), hooks, 's'), /REDUCE on a non-callable string/);
  // INST/OBJ and friends are not implemented at all.
  assert.throws(() => unpickle(Uint8Array.from([0x28, 0x69, ...enc('os\nsystem\n'), 0x2e]), hooks, 's'), /unsupported or disallowed opcode 0x69/);
});

test('broken archives give clear errors', () => {
  const good = readFileSync(fixture('views.pth'));
  assert.throws(() => loadPthBuffer(Uint8Array.from([0x80, 2, 0x8a, 10]), 'old.pth'), /old\.pth: legacy \(pre-1\.6, non-zip\) torch\.save format/);
  assert.throws(() => loadPthBuffer(new TextEncoder().encode('hello'), 'txt.pth'), /txt\.pth: not a PyTorch zip checkpoint/);
  assert.throws(() => loadPthBuffer(good.subarray(0, good.length - 100), 'cut.pth'), /cut\.pth: corrupt zip archive/);
  const files = unzipSync(good);
  const { 'archive/data/3': _, ...holed } = files;
  assert.throws(() => loadPthBuffer(zipSync(holed), 'hole.pth'), /hole\.pth: storage file archive\/data\/3 is missing/);
  const pkl = files['archive/data.pkl'];
  files['archive/data.pkl'] = pkl.subarray(0, pkl.length - 20);
  assert.throws(() => loadPthBuffer(zipSync(files), 'trunc.pth'), /trunc\.pth: truncated|trunc\.pth: stack underflow/);
});
