// img2img serve --redis: the page's video and folder jobs go to the queue on a real redis-server
// (started here) and one `img2img worker` process runs them; progress comes back over the job's
// events, the video result downloads with the input's frame count, the folder's files are restored.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeImage } from '../../src/data/image.js';
import { createMask } from '../../src/mosaic/mask.js';
import { applyMosaic } from '../../src/mosaic/mosaic.js';
import { fillRect } from '../../src/mosaic/shapes.js';
import { syntheticImage } from '../../src/mosaic/synthetic.js';
import { serve, type RunningServer } from '../../src/server/job.js';
import { errorOf, eventStatuses, raw, stubPage } from '../helpers/http.js';
import { redisMissing, startRedis, type TestRedis } from '../helpers/redis.js';
import { tempDir } from '../helpers/tiny-datasets.js';
import { makeClip, streams } from '../video/clips.js';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const missing = redisMissing();
// CI installs redis-server (scripts/ensure-system-deps.sh): there a missing one is a failure.
const skip = missing && !process.env.CI ? missing : false;

const root = tempDir('server-queue');
let redis: TestRedis | undefined;
let worker: ChildProcess | undefined;
let server: RunningServer | undefined;
let workerLog = '';

before(async () => {
  if (skip) return;
  if (missing) throw new Error(missing);
  redis = await startRedis();
  worker = spawn(process.execPath, ['--import', 'tsx', main, 'worker', '--redis', redis.url, '--queue', 'serve', '--threads', '1'], {
    env: { ...process.env, FORCE_COLOR: '0', IMG2IMG_ORT_SPINNING: '0' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  worker.stdout!.on('data', (d) => (workerLog += d));
  worker.stderr!.on('data', (d) => (workerLog += d));
  for (let t0 = Date.now(); !/worker ready/.test(workerLog); await new Promise((r) => setTimeout(r, 50))) {
    if (worker.exitCode !== null || Date.now() - t0 > 60_000) throw new Error(`the worker did not start:\n${workerLog}`);
  }
});

after(async () => {
  await server?.close();
  if (worker && worker.exitCode === null && worker.signalCode === null) {
    const exited = new Promise((r) => worker!.once('exit', r));
    worker.kill('SIGTERM');
    await exited;
  }
  await redis?.stop();
});

test('serve --redis: a video and a folder restored by a worker process, progress over events, the result downloadable', { skip, timeout: 240_000 }, async (t) => {
  const folder = join(root, 'shots');
  mkdirSync(folder);
  const box = '16,12,40,32';
  for (const name of ['a.png', 'b.png']) {
    await writeImage(join(folder, name), applyMosaic(syntheticImage(80, 64, name.length + name.charCodeAt(0)), fillRect(createMask(80, 64), { x: 16, y: 12, w: 40, h: 32 }), { blockSize: 8 }).image);
  }
  const clip = join(root, 'clip.mkv');
  makeClip(clip, { width: 96, height: 72, frames: 12 });
  const logs: string[] = [];
  server = await serve({ port: 0, webRoot: stubPage(join(root, 'web')), redis: redis!.url, queue: 'serve', folder, workDir: root, log: (l) => logs.push(l) });
  assert.ok(logs.some((l) => /go to the queue 'serve'/.test(l) && l.includes(server!.workDir)), 'says where the work goes and which folder workers must see');
  const info = await (await fetch(`${server.url}api/info`)).json() as { runner: string; jobKinds: string[] };
  assert.equal(info.runner, 'redis');
  assert.deepEqual(info.jobKinds, ['restore', 'video', 'folder']);
  const post = (path: string, body: Uint8Array | string, type: string) => raw(server!.port, 'POST', path, { headers: { 'content-type': type }, body });

  const up = await post('/api/uploads', readFileSync(clip), 'application/octet-stream');
  assert.equal(up.status, 201, up.body.toString());
  const u = JSON.parse(up.body.toString()) as { id: string; frames: number };
  const sub = await post('/api/jobs/video', JSON.stringify({ upload: u.id, boxes: [box] }), 'application/json');
  assert.equal(sub.status, 202, errorOf(sub));
  const { id, events, result } = JSON.parse(sub.body.toString()) as { id: string; events: string; result: string };
  const seen = await eventStatuses(server.url + events);
  const last = seen.at(-1)!;
  assert.equal(last.state, 'done', JSON.stringify(last));
  assert.equal(last.id, id);
  assert.equal(last.summary?.frames, 12);
  assert.ok(seen.some((s) => s.state === 'running' && s.progress?.total === 12 && (s.progress.rate ?? 0) > 0), `frame progress with fps: ${JSON.stringify(seen.map((s) => s.progress))}`);
  t.diagnostic(`${seen.length} events through the queue`);
  await logged(/start \d+ restore\.apply video 96x72, 12 frames[^]*done \d+ video 96x72/, 'the worker ran it');
  const r = await fetch(server.url + result);
  assert.equal(r.headers.get('content-type'), 'video/mp4');
  const got = join(root, 'got.mp4');
  writeFileSync(got, Buffer.from(await r.arrayBuffer()));
  assert.equal(streams(got).find((s) => s.type === 'video')!.frames, 12, 'the input\'s frame count');

  const fsub = await post('/api/jobs/folder', JSON.stringify({ boxes: [box], model: 'classical' }), 'application/json');
  assert.equal(fsub.status, 202, errorOf(fsub));
  const fseen = await eventStatuses(server.url + (JSON.parse(fsub.body.toString()) as { events: string }).events);
  const flast = fseen.at(-1)!;
  assert.equal(flast.state, 'done', JSON.stringify(flast));
  const output = (flast.summary as { output: string }).output;
  assert.ok(existsSync(join(output, 'a.png')) && existsSync(join(output, 'b.png')), 'both files restored by the worker');
  await logged(/done \d+ .*shots\/b\.png/, 'the worker logged the folder\'s last file');
});

/** The worker's stdout reaches us on its own pipe, possibly after the job's events: wait up to 5 s for a line. */
async function logged(re: RegExp, what: string): Promise<void> {
  for (let i = 0; i < 100 && !re.test(workerLog); i++) await new Promise((r) => setTimeout(r, 50));
  assert.match(workerLog, re, what);
}
