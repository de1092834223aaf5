// img2img serve's server-side work in this process (the embedded default): a tiny video uploaded,
// boxes on its first frame, restored by a restore.apply file job with progress (frames, fps, ETA)
// over server-sent events, the result downloadable with the input's frame count; a folder given on
// the command line restored file by file with overall progress, equal to restore apply; and the
// rules: upload size and type (by content), no option or path of a request reaches the disk.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import sharp from 'sharp';
import { writeImage } from '../../src/data/image.js';
import type { JobStatus } from '../../src/jobs/types.js';
import { createMask } from '../../src/mosaic/mask.js';
import { applyMosaic } from '../../src/mosaic/mosaic.js';
import { fillRect } from '../../src/mosaic/shapes.js';
import { syntheticImage } from '../../src/mosaic/synthetic.js';
import { apply } from '../../src/restore/job.js';
import { serve } from '../../src/server/job.js';
import { errorOf, eventStatuses, raw, stubPage } from '../helpers/http.js';
import { tempDir } from '../helpers/tiny-datasets.js';
import { makeClip, streams } from '../video/clips.js';

const root = tempDir('server-video');
const folder = join(root, 'shots');
mkdirSync(join(folder, 'sub'), { recursive: true });
const box = { x: 16, y: 12, w: 40, h: 32 };
for (const [i, name] of ['a.png', 'b.png', 'sub/c.png'].entries()) {
  await writeImage(join(folder, name), applyMosaic(syntheticImage(80, 64, 20 + i), fillRect(createMask(80, 64), box), { blockSize: 8 }).image);
}
const clip = join(root, 'clip.mkv');
makeClip(clip, { width: 96, height: 72, frames: 12 });

const server = await serve({
  port: 0, webRoot: stubPage(join(root, 'web')), maxVideoMb: 0.5, maxPixels: 100 * 80, folder, folderOutput: join(root, 'restored'),
  workDir: root, runtime: { threads: 1 },
});
after(() => server.close());
const base = server.url;
const post = (path: string, body: Uint8Array | string, type: string) => raw(server.port, 'POST', path, { headers: { 'content-type': type }, body });
const submitJson = (kind: string, options: unknown) => post(`/api/jobs/${kind}`, JSON.stringify(options), 'application/json');

async function upload(bytes: Uint8Array): Promise<{ id: string; width: number; height: number; frames: number; frame: string }> {
  const r = await post('/api/uploads', bytes, 'application/octet-stream');
  assert.equal(r.status, 201, r.body.toString());
  return JSON.parse(r.body.toString());
}

test('a video: upload, first frame, restore with progress (frames, fps, ETA) over events, download with the input\'s frame count', { timeout: 180_000 }, async (t) => {
  const info = await (await fetch(`${base}api/info`)).json() as { jobKinds: string[]; runner: string; folder: { name: string }; limits: { maxVideoBytes: number } };
  assert.deepEqual(info.jobKinds, ['restore', 'video', 'folder']);
  assert.equal(info.runner, 'in-process');
  assert.deepEqual(info.folder, { name: 'shots' }, 'the folder by name only');
  assert.equal(info.limits.maxVideoBytes, 0.5 * 2 ** 20);

  const u = await upload(readFileSync(clip));
  assert.deepEqual([u.width, u.height, u.frames], [96, 72, 12]);
  const frame = await fetch(base + u.frame);
  assert.equal(frame.headers.get('content-type'), 'image/png');
  const meta = await sharp(Buffer.from(await frame.arrayBuffer())).metadata();
  assert.deepEqual([meta.width, meta.height], [96, 72], 'the first frame to draw boxes on');

  const sub = await submitJson('video', { upload: u.id, boxes: [`${box.x},${box.y},${box.w},${box.h}`] });
  assert.equal(sub.status, 202, sub.body.toString());
  const { id, events, result } = JSON.parse(sub.body.toString()) as { id: string; events: string; result: string };
  const seen = await eventStatuses(base + events);
  const last = seen.at(-1)!;
  assert.equal(last.state, 'done', JSON.stringify(last));
  assert.equal(last.kind, 'video');
  assert.deepEqual(last.summary?.frames, 12);
  const frames = seen.filter((s) => s.state === 'running' && s.progress?.total === 12 && /processing/.test(s.progress.text ?? ''));
  assert.ok(frames.length > 0, `frame progress: ${JSON.stringify(seen.map((s) => s.progress))}`);
  assert.ok(frames.some((s) => s.progress!.rate! > 0 && typeof s.progress!.etaSeconds === 'number'), 'fps and ETA');
  t.diagnostic(`${seen.length} events; e.g. ${JSON.stringify(frames.at(-1)!.progress)}`);
  assert.ok(seen.every((s) => !JSON.stringify(s).includes(server.workDir)), 'no server paths in the statuses');

  const r = await fetch(base + result);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'video/mp4');
  assert.match(r.headers.get('content-disposition') ?? '', /attachment; filename="restored\.mp4"/);
  const got = join(root, 'got.mp4');
  writeFileSync(got, Buffer.from(await r.arrayBuffer()));
  const v = streams(got).find((s) => s.type === 'video')!;
  assert.equal(v.frames, 12, 'the input\'s frame count');
  assert.equal((await (await fetch(`${base}api/jobs/${id}`)).json() as JobStatus).state, 'done');
});

test('video uploads: size limit, type by content, sane options only; no request part becomes a path', async () => {
  const video = readFileSync(clip);
  let r = await post('/api/uploads', readFileSync(join(folder, 'a.png')), 'application/octet-stream');
  assert.equal(r.status, 415);
  assert.match(errorOf(r), /image, not a video/);
  r = await post('/api/uploads', 'just some text, no video', 'video/mp4');
  assert.equal(r.status, 415);
  assert.match(errorOf(r), /not a video/);
  r = await post('/api/uploads', video, 'text/plain');
  assert.equal(r.status, 415, 'a CORS-simple content type (what a cross-site form can send) is refused');
  r = await post('/api/uploads', video.subarray(0, 600), 'application/octet-stream');
  assert.equal(r.status, 415, 'a truncated video');
  assert.ok(!errorOf(r).includes(server.workDir), `no server path in the message: ${errorOf(r)}`);
  const big = new Uint8Array(0.6 * 2 ** 20);
  big.set(video.subarray(0, 4096));
  r = await post('/api/uploads', big, 'application/octet-stream');
  assert.equal(r.status, 413, 'over 0.5 MB');
  const large = join(root, 'large.mkv');
  makeClip(large, { width: 128, height: 96, frames: 2 });
  r = await post('/api/uploads', readFileSync(large), 'application/octet-stream');
  assert.equal(r.status, 413, '128x96 frames are over the 100x80 pixel limit');
  assert.match(errorOf(r), /over the limit of 8000 pixels/);
  assert.deepEqual(readdirSync(join(server.workDir, 'uploads')).filter((f) => f.endsWith('.part')), [], 'refused uploads are removed');

  const u = await upload(video);
  const bad: [unknown, RegExp][] = [
    [{ upload: u.id, boxes: ['1,1,10,10'], inputs: ['/etc/passwd'] }, /inputs/],
    [{ upload: u.id, boxes: ['1,1,10,10'], output: '/tmp/x.mp4' }, /output/],
    [{ upload: '../../etc/passwd', boxes: ['1,1,10,10'] }, /upload/],
    [{ upload: '00000000-0000-4000-8000-000000000000', boxes: ['1,1,10,10'] }, /no such upload/],
    [{ upload: u.id, boxes: ['90,70,20,20'] }, /outside the 96x72 frame/],
    [{ upload: u.id }, /no region/],
    [{ upload: u.id, boxes: ['1,1,10,10'], model: '../../model' }, /model/],
    [[1, 2], /options/],
  ];
  for (const [options, message] of bad) {
    r = await submitJson('video', options);
    assert.equal(r.status, 400, JSON.stringify(options));
    assert.match(errorOf(r), message);
  }
  r = await post('/api/jobs/video', '{not json', 'application/json');
  assert.equal(r.status, 400);
  r = await post('/api/jobs/video', video, 'application/octet-stream');
  assert.equal(r.status, 415, 'a video job takes its settings, not the video');
  r = await submitJson('folder', { boxes: ['1,1,10,10'], folder: '/etc' });
  assert.equal(r.status, 400, 'a folder job takes no folder');
  r = await submitJson('translate', { inputs: ['/etc/passwd'], output: '/tmp/x' });
  assert.equal(r.status, 404, 'file job kinds are not served');
  for (const p of [`/api/uploads/../${u.id}/frame.png`, '/api/uploads/%2e%2e/frame.png', `/api/uploads/${u.id}/../../secret`, `/api/uploads/${u.id}`, '/api/uploads/x/frame.png']) {
    r = await raw(server.port, 'GET', p);
    assert.equal(r.status, 404, p);
  }
  r = await raw(server.port, 'POST', '/api/uploads', { headers: { 'content-type': 'application/octet-stream', host: 'evil.example' }, body: video });
  assert.equal(r.status, 421, 'other hosts cannot upload');
  assert.deepEqual(readdirSync(root).sort(), ['clip.mkv', 'got.mp4', 'large.mkv', 'restored', 'shots', 'web', server.workDir.slice(root.length + 1)].sort(), 'nothing written outside the work folder');
});

test('cancelling a running video job stops it between frames and removes its files', { timeout: 120_000 }, async () => {
  const long = join(root, 'long.mkv');
  makeClip(long, { width: 96, height: 72, frames: 60 });
  const u = await upload(readFileSync(long));
  const sub = await submitJson('video', { upload: u.id, boxes: ['16,12,40,32'] });
  const { id, events } = JSON.parse(sub.body.toString()) as { id: string; events: string };
  const stream = (await fetch(base + events)).body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '', cancelled: unknown;
  for (;;) {
    const { value, done } = await stream.read();
    if (done) break;
    text += value;
    if (cancelled === undefined && /"done":[1-9]\d*,"total":60,"text":"processing/.test(text)) {
      cancelled = (await (await fetch(`${base}api/jobs/${id}`, { method: 'DELETE' })).json() as { cancelled: boolean }).cancelled;
    }
  }
  assert.equal(cancelled, true, text);
  const last = JSON.parse([...text.matchAll(/^data: (.*)$/gm)].at(-1)![1]) as JobStatus;
  assert.equal(last.state, 'cancelled');
  assert.ok((last.progress?.done ?? 60) < 60, 'stopped before the end');
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(readdirSync(join(server.workDir, 'results')).filter((f) => f.includes(id)), [], 'no result, no segments left');
  assert.equal((await fetch(`${base}api/jobs/${id}/result`)).status, 409);
});

test('a folder: one restore.apply job per file with overall progress; outputs equal to restore apply on the folder', { timeout: 120_000 }, async () => {
  const sub = await submitJson('folder', { boxes: [`${box.x},${box.y},${box.w},${box.h}`], model: 'classical' });
  assert.equal(sub.status, 202, sub.body.toString());
  const { events, result } = JSON.parse(sub.body.toString()) as { events: string; result: string };
  const seen = await eventStatuses(base + events);
  const last = seen.at(-1)!;
  assert.equal(last.state, 'done', JSON.stringify(last));
  assert.equal(last.progress?.total, 3);
  assert.ok(seen.some((s) => s.state === 'running' && s.progress && s.progress.done > 0 && s.progress.done < 3), 'progress between files');
  assert.ok(seen.some((s) => /of 3 files/.test(s.progress?.text ?? '')));
  const summary = last.summary as { files: number; done: number; failed: number; output: string };
  assert.deepEqual([summary.files, summary.done, summary.failed], [3, 3, 0]);
  assert.equal(relative(join(root, 'restored'), summary.output).split('/').length, 1, 'a new folder in the output folder');
  assert.equal((await fetch(base + result)).status, 404, 'a folder job has no download');

  const local = join(root, 'local');
  await apply({ inputs: [folder], output: local, boxes: [`${box.x},${box.y},${box.w},${box.h}`], method: 'classical' });
  for (const f of ['a.png', 'b.png', 'sub/c.png']) {
    assert.ok(existsSync(join(summary.output, f)), f);
    assert.ok(readFileSync(join(summary.output, f)).equals(readFileSync(join(local, f))), `${f} equals restore apply's`);
  }
  assert.deepEqual(readdirSync(folder, { recursive: true }).map(String).sort(), ['a.png', 'b.png', 'sub', 'sub/c.png'], 'the folder is only read');
});
