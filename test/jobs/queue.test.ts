// The job queue on a real redis-server (started here on a free port): two CLI worker processes,
// one killed with SIGKILL mid-job; every output complete and byte-equal to a local run; a bad
// input fails at once with its message; `jobs` lists the states; transient errors are retried
// with exponential backoff, others are not.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { z } from 'zod';
import { add } from '../../src/mosaic/job.js';
import { apply } from '../../src/restore/job.js';
import { BullJobRunner, runWorker } from '../../src/jobs/bullmq.js';
import { report } from '../../src/jobs/job.js';
import { formatReport } from '../../src/cli/queue.js';
import type { JobHandler, JobStatus } from '../../src/jobs/types.js';
import { redisMissing, startRedis, type TestRedis } from '../helpers/redis.js';
import { tempDir } from '../helpers/tiny-datasets.js';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const photo = (n: number) => fileURLToPath(new URL(`../../examples/photos/photo_${String(n).padStart(2, '0')}.jpg`, import.meta.url));
const missing = redisMissing();
// CI installs redis-server (scripts/ensure-system-deps.sh): there a missing one is a failure.
const skip = missing && !process.env.CI ? missing : false;

let redis: TestRedis;
const dir = tempDir('queue');
const children: ChildProcess[] = [];

before(async () => {
  if (skip) return;
  if (missing) throw new Error(missing);
  redis = await startRedis();
});

after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await redis?.stop();
});

/** A CLI process; its output collected, with a promise of its exit. */
function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], { env: { ...process.env, FORCE_COLOR: '0', IMG2IMG_ORT_SPINNING: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d) => (out.stdout += d));
  child.stderr!.on('data', (d) => (out.stderr += d));
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const waitFor = async (re: RegExp, ms = 60_000): Promise<RegExpMatchArray> => {
    const t0 = Date.now();
    for (;;) {
      const m = out.stdout.match(re);
      if (m) return m;
      if (child.exitCode !== null || Date.now() - t0 > ms) throw new Error(`no ${re} in the output of img2img ${args.join(' ')}:\n${out.stdout}\n${out.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, out, exit, waitFor };
}

/** Every file under `root`, relative, sorted. */
const files = (root: string): string[] => readdirSync(root, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name))).sort();

function assertSameFiles(queued: string, local: string) {
  assert.deepEqual(files(queued), files(local), 'the same output files');
  for (const f of files(local)) assert.ok(readFileSync(join(queued, f)).equals(readFileSync(join(local, f))), `${f} byte-equal to the local run`);
}

test('two workers, one killed with SIGKILL mid-job: every output complete and equal to a local run; a bad input fails at once; the jobs report lists the states', { skip, timeout: 150_000 }, async () => {
  // Six small mosaicked images in a folder with a subfolder (made by a local mosaic add).
  const clean = join(dir, 'clean'), mosaicked = join(dir, 'mosaicked');
  mkdirSync(join(clean, 'sub'), { recursive: true });
  for (let i = 0; i < 6; i++) {
    await sharp(photo(i + 1)).extract({ left: 60, top: 60, width: 64, height: 48 }).png().toFile(join(clean, i < 4 ? '' : 'sub', `p${i}.png`));
  }
  const box = '8,8,40,24';
  await add({ inputs: [clean], output: mosaicked, boxes: [box], blockSize: 4 });

  const env = { IMG2IMG_QUEUE_TEST_DELAY_MS: '4000' };
  const workerArgs = ['worker', '--redis', redis.url, '--queue', 'q', '--lock-seconds', '3', '--stalled-seconds', '1'];
  const a = run([...workerArgs, '--concurrency', '3'], env);
  const b = run(workerArgs, { IMG2IMG_QUEUE_TEST_DELAY_MS: '300' });
  await Promise.all([a.waitFor(/worker ready/), b.waitFor(/worker ready/)]);

  const restored = join(dir, 'restored');
  const submit = run(['submit', '--redis', redis.url, '--queue', 'q', '--wait', '--', 'restore', 'apply', mosaicked, '-o', restored, '--method', 'classical', '--box', box]);
  const [, killedId] = await a.waitFor(/start (\d+) restore\.apply/);
  a.child.kill('SIGKILL');

  // Meanwhile (worker B alone now): mosaic add on a folder with a broken image.
  const some = join(dir, 'some');
  mkdirSync(some);
  for (const f of ['p0.png', 'p1.png']) writeFileSync(join(some, f), readFileSync(join(clean, f)));
  writeFileSync(join(some, 'broken.png'), 'not an image');
  const added = join(dir, 'added');
  const submit2 = run(['submit', '--redis', redis.url, '--queue', 'q', '--wait', '--', 'mosaic', 'add', some, '-o', added, '--box', box, '--block-size', '4']);

  assert.equal(await submit.exit, 0, submit.out.stderr);
  assert.match(submit.out.stdout, /queued 6 restore\.apply jobs/);
  assert.match(submit.out.stdout, /6 done, 0 failed of 6/);
  assert.doesNotMatch(a.out.stdout, new RegExp(`done ${killedId} `), 'the killed worker did not finish its job');
  assert.match(b.out.stdout, new RegExp(`start ${killedId} restore\\.apply .* \\(attempt 2\\)`), 'the other worker ran the killed job again');
  const local = join(dir, 'restored-local');
  await apply({ inputs: [mosaicked], output: local, method: 'classical', boxes: [box] });
  assertSameFiles(restored, local);
  assert.deepEqual(readdirSync(restored).filter((f) => f.startsWith('.')), [], 'no temp files left');

  // The mosaic add: the good images done, the broken one failed at once.
  assert.equal(await submit2.exit, 1);
  assert.match(submit2.out.stderr, /failed: .*broken\.png: .*broken\.png/);
  assert.match(submit2.out.stderr, /1 of 3 jobs failed: .*broken\.png/);
  const addedLocal = join(dir, 'added-local');
  await assert.rejects(add({ inputs: [some], output: addedLocal, boxes: [box], blockSize: 4 }), /1 of 3 images failed/);
  assertSameFiles(added, addedLocal);

  const r = await report({ redis: redis.url, queue: 'q', limit: 100 });
  assert.deepEqual({ ...r.counts }, { queued: 0, running: 0, done: 8, failed: 1, cancelled: 0 });
  const failed = r.jobs.find((j) => j.state === 'failed')!;
  assert.equal(failed.attempts, 1, 'bad input: no retries');
  assert.match(failed.label!, /broken\.png$/);
  assert.match(failed.error!, /broken\.png/);
  assert.ok(r.jobs.some((j) => j.id === killedId && j.state === 'done' && j.attempts === 2));
  // What `img2img jobs` prints for that report.
  const text = formatReport(r);
  assert.match(text, /0 queued, 0 active, 8 done, 1 failed/);
  assert.match(text, /done \(latest first\):\n( {2}\d+ {2}(restore\.apply|mosaic\.add) {2}.*\.png {2}[\d.]+ s\n){8}/);
  assert.match(text, /failed:\n {2}\d+ {2}mosaic\.add {2}.*broken\.png: .+/);
  b.child.kill('SIGTERM');
  assert.equal(await b.exit, 0, 'a worker stops cleanly on SIGTERM');
});

test('transient errors are retried with exponential backoff; other errors fail at once with their message', { skip, timeout: 60_000 }, async () => {
  const seen: { attempt: number; at: number }[] = [];
  const handlers: Record<string, JobHandler> = {
    flaky: {
      schema: z.object({ n: z.number() }),
      prepare: (o) => z.object({ n: z.number() }).parse(o),
      async run(o, ctx) {
        seen.push({ attempt: ctx.attempt, at: Date.now() });
        ctx.onProgress({ done: 1, total: 2 });
        if (ctx.attempt < 3) throw Object.assign(new Error(`read ECONNRESET (attempt ${ctx.attempt})`), { code: 'ECONNRESET' });
        return { summary: { n: o.n, attempts: ctx.attempt } };
      },
    },
    broken: {
      schema: z.object({}),
      prepare: () => ({}),
      async run() {
        throw new Error('in.png: unsupported image format');
      },
    },
  };
  const runner = new BullJobRunner({ redis: redis.url, queue: 'retries', handlers, backoffSeconds: 0.3 });
  const w = await runWorker({ redis: redis.url, queue: 'retries', handlers, lockSeconds: 5, stalledSeconds: 5 });
  try {
    await runner.ready();
    const updates: JobStatus[] = [];
    const finished = new Promise<void>((resolve) => {
      const states = new Map<string, string>();
      runner.events.on('update', (s) => {
        updates.push(s);
        states.set(s.id, s.state);
        if (states.size === 2 && [...states.values()].every((x) => x === 'done' || x === 'failed')) resolve();
      });
    });
    await assert.rejects(runner.submit('flaky', { n: 'x' }), (err: Error & { status?: number }) => err.status === 400);
    const flaky = await runner.submit('flaky', { n: 7 }, { label: 'flaky job' });
    const broken = await runner.submit('broken', {});
    await finished;
    const f = (await runner.status(flaky))!, b = (await runner.status(broken))!;
    assert.equal(f.state, 'done');
    assert.deepEqual(f.summary, { n: 7, attempts: 3 });
    assert.equal(f.attempts, 3);
    assert.equal(f.label, 'flaky job');
    assert.deepEqual(seen.map((s) => s.attempt), [1, 2, 3]);
    const gaps = [seen[1].at - seen[0].at, seen[2].at - seen[1].at];
    assert.ok(gaps[0] >= 280 && gaps[1] >= 580, `backoff doubles: ${gaps.join(', ')} ms`);
    assert.equal(b.state, 'failed');
    assert.equal(b.attempts, 1);
    assert.equal(b.error, 'in.png: unsupported image format');
    assert.ok(updates.some((s) => s.id === flaky && s.progress?.done === 1 && s.progress.total === 2), 'progress events');
    assert.deepEqual({ ...(await runner.counts()) }, { queued: 0, running: 0, done: 1, failed: 1, cancelled: 0 });
  } finally {
    await w.close();
    await runner.close();
  }
});
