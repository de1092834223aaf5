// The queue's pieces that need no Redis: splitting a folder into one job per file with the local
// command's outputs, queued options (validated, absolute paths, no callbacks), which errors are
// transient, cleaning a killed attempt's leftovers, a retried video job resuming from its
// segments, and the in-process runner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import sharp from 'sharp';
import { add } from '../../src/mosaic/job.js';
import { fileJobHandler, prepareFileJob, removeLeftovers } from '../../src/jobs/file-jobs.js';
import { InProcessJobRunner } from '../../src/jobs/in-process.js';
import { submit } from '../../src/jobs/job.js';
import { isTransient } from '../../src/jobs/errors.js';
import { splitFileJob } from '../../src/jobs/split.js';
import type { JobStatus } from '../../src/jobs/types.js';
import { OptionsError } from '../../src/util/options.js';
import { partsDir } from '../../src/video/pipeline.js';
import { tempDir } from '../helpers/tiny-datasets.js';
import { decodeFrames, makeClip, photo } from '../video/clips.js';

const dir = tempDir('jobs');
const images = join(dir, 'in');
mkdirSync(join(images, 'sub'), { recursive: true });
for (const [i, name] of ['a.png', 'b.jpg', 'sub/c.png'].entries()) {
  await sharp(photo(i + 1)).resize(40, 32).toFile(join(images, name));
}
const box = '4,4,24,16';

test('a folder splits into one job per file, writing where the local command would', async () => {
  const specs = await splitFileJob('mosaic.add', { inputs: ['in'], output: 'out', boxes: [box] }, dir);
  assert.deepEqual(specs.map((s) => s.label), [join(images, 'a.png'), join(images, 'b.jpg'), join(images, 'sub', 'c.png')]);
  assert.deepEqual(specs.map((s) => s.options.output), [join(dir, 'out') + sep, join(dir, 'out') + sep, join(dir, 'out', 'sub') + sep]);
  assert.deepEqual(specs.map((s) => s.options.inputs), specs.map((s) => [s.label]));
  // Running the parts gives the files a local run of the whole folder gives.
  for (const s of specs) await fileJobHandler('mosaic.add').run(s.options, { attempt: 1, log: () => undefined, onProgress: () => undefined });
  await add({ inputs: [images], output: join(dir, 'out-local'), boxes: [box] });
  const list = (d: string) => readdirSync(d, { recursive: true }).map(String).sort();
  assert.deepEqual(list(join(dir, 'out')), list(join(dir, 'out-local')));
  for (const f of ['a.png', 'b.jpg', join('sub', 'c.png')]) assert.ok(readFileSync(join(dir, 'out', f)).equals(readFileSync(join(dir, 'out-local', f))), f);
  // translate flattens folders (as it does locally); one input file stays one job as given.
  const t = await splitFileJob('translate', { inputs: [images], output: join(dir, 't'), checkpoint: 'g.safetensors' }, dir);
  assert.deepEqual(new Set(t.map((s) => s.options.output)), new Set([join(dir, 't') + sep]));
  assert.equal(t[0].options.checkpoint, join(dir, 'g.safetensors'));
  const one = await splitFileJob('restore.apply', { inputs: ['in/a.png'], output: 'a-restored.png', boxes: [box], method: 'classical' }, dir);
  assert.deepEqual(one.map((s) => [s.options.inputs, s.options.output]), [[[join(images, 'a.png')], join(dir, 'a-restored.png')]]);
  await assert.rejects(splitFileJob('mosaic.add', { inputs: ['nowhere'], output: 'o', boxes: [box] }, dir), /input .*nowhere does not exist/);
});

test('queued options: validated by the job\'s schema, plain data only, paths absolute', async () => {
  assert.throws(() => prepareFileJob('mosaic.add', { inputs: ['x.png'], output: 'y.png', blockAspect: 0.01 }, dir),
    (err: Error) => err instanceof OptionsError && /option 'blockAspect'/.test(err.message));
  assert.throws(() => prepareFileJob('mosaic.add', { inputs: ['x.png'], output: 'y.png', onProgress: () => undefined }, dir), /data only \(no callbacks\)/);
  const o = prepareFileJob('restore.apply', { inputs: ['x.png'], output: 'out/', mask: 'm.png', runtime: { threads: 1 } }, '/data');
  assert.deepEqual(o, { inputs: ['/data/x.png'], output: '/data/out/', mask: '/data/m.png', runtime: { threads: 1 } });
  // submit checks the options before it connects to anything.
  await assert.rejects(submit({ redis: 'redis://127.0.0.1:1', kind: 'mosaic.add', options: { inputs: [images], output: 'o', grid: 'diagonal' } }), /option 'grid'/);
});

test('transient errors: system codes that may go away, also when a job reworded the message', () => {
  assert.ok(isTransient(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })));
  assert.ok(isTransient(new Error('/data/in/a.png: ENOSPC: no space left on device, write')));
  assert.ok(isTransient(new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'ESTALE' }) })));
  assert.ok(!isTransient(new Error('/data/in/a.png: Input file contains unsupported image format')));
  assert.ok(!isTransient(Object.assign(new Error("ENOENT: no such file or directory, open 'a.png'"), { code: 'ENOENT' })));
});

test('a retry removes the temp files a killed attempt left beside its outputs, and nothing else', async () => {
  const out = join(dir, 'left');
  mkdirSync(out);
  const names = ['.a.png.1234.0123456789ab.tmp', '.a_mask.png.99.abcdefabcdef.tmp', '.clip.mp4.77.partial', '.ab.png.1234.0123456789ab.tmp', 'a.png', '.a.png.parts'];
  for (const n of names) writeFileSync(join(out, n), 'x');
  const removed = await removeLeftovers({ inputs: [join(images, 'a.png'), '/x/clip.mp4'], output: out + sep });
  assert.deepEqual(removed.map((p) => p.slice(out.length + 1)).sort(), ['.a.png.1234.0123456789ab.tmp', '.a_mask.png.99.abcdefabcdef.tmp', '.clip.mp4.77.partial']);
  assert.deepEqual(readdirSync(out).sort(), ['.a.png.parts', '.ab.png.1234.0123456789ab.tmp', 'a.png']);
});

test('a video job killed mid-way and retried resumes from its complete segments; the output equals an uninterrupted run', { timeout: 120_000 }, async () => {
  const clip = join(dir, 'clip.mkv');
  makeClip(clip, { frames: 30 });
  const out = join(dir, 'clip-out.mkv');
  const options = prepareFileJob('mosaic.add', { inputs: [clip], output: out, boxes: ['10,10,50,40'], lossless: true, segmentSeconds: 0.2 }, dir);
  // The first attempt, killed (SIGKILL) once two segments are complete.
  const script = `import { fileJobHandler } from ${JSON.stringify(new URL('../../src/jobs/file-jobs.ts', import.meta.url).href)};
import { existsSync } from 'node:fs';
await fileJobHandler('mosaic.add').run(${JSON.stringify(options)}, { attempt: 1, log: () => {}, onProgress: (p) => {
  if (p.done >= 15 && existsSync(${JSON.stringify(join(partsDir(out), 'seg-00001.mov'))})) process.kill(process.pid, 'SIGKILL'); } });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'ignore' });
  assert.equal(await new Promise((r) => child.on('exit', (_c, s) => r(s))), 'SIGKILL');
  assert.ok(!existsSync(out), 'no output from the killed attempt');
  const progress: JobStatus['progress'][] = [];
  const { summary } = await fileJobHandler('mosaic.add').run(options, { attempt: 2, log: () => undefined, onProgress: (p) => progress.push(p) });
  assert.ok((summary.resumedFrames as number) >= 10, `resumed at frame ${summary.resumedFrames}`);
  assert.equal(summary.frames, 30);
  const fresh = join(dir, 'clip-fresh.mkv');
  await add({ inputs: [clip], output: fresh, boxes: ['10,10,50,40'], lossless: true, segmentSeconds: 0.2 });
  const a = decodeFrames(fresh), b = decodeFrames(out);
  assert.deepEqual(b.map((f) => Buffer.from(f.data).toString('base64')), a.map((f) => Buffer.from(f.data).toString('base64')));
  assert.ok(!existsSync(partsDir(out)), 'the work folder is gone');
  assert.match(progress[progress.length - 1]?.text ?? '', /processing clip\.mkv/);
});

test('the in-process runner: the same jobs and events, one at a time', async () => {
  const runner = new InProcessJobRunner({ cwd: dir });
  const updates: JobStatus[] = [];
  runner.events.on('update', (s) => updates.push(s));
  const ok = await runner.submit('mosaic.add', { inputs: ['in/a.png'], output: 'inproc/a.png', boxes: [box] }, { label: 'in/a.png' });
  const bad = await runner.submit('mosaic.add', { inputs: ['in/missing.png'], output: 'inproc/m.png', boxes: [box] });
  await assert.rejects(runner.submit('mosaic.pairs', {}), (err: Error & { status?: number }) => err.status === 404);
  await assert.rejects(runner.submit('mosaic.add', { inputs: [] }), (err: Error & { status?: number }) => err.status === 400 && /option 'inputs'/.test(err.message));
  await runner.idle();
  const s = (await runner.status(ok))!;
  assert.equal(s.state, 'done');
  assert.deepEqual(s.summary, { outputs: [join(dir, 'inproc', 'a.png')] });
  assert.ok(existsSync(join(dir, 'inproc', 'a.png')));
  const f = (await runner.status(bad))!;
  assert.equal(f.state, 'failed');
  assert.match(f.error!, /missing\.png does not exist/);
  assert.deepEqual(updates.filter((u) => u.id === ok).map((u) => u.state), ['queued', 'running', 'running', 'done']);
  assert.deepEqual({ ...(await runner.counts()) }, { queued: 0, running: 0, done: 1, failed: 1, cancelled: 0 });
  assert.deepEqual((await runner.list({ states: ['failed'] })).map((j) => j.id), [bad]);
  await runner.close();
});
