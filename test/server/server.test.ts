// img2img serve's HTTP API: security headers, loopback-only Host, no path traversal, upload
// limits and types, server-side restore jobs (equal to restore apply), events, and the job runner.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { encodeImage, readImage, writeImage, decodeImage } from '../../src/data/image.js';
import { createMask } from '../../src/mosaic/mask.js';
import { applyMosaic } from '../../src/mosaic/mosaic.js';
import { fillRect } from '../../src/mosaic/shapes.js';
import { syntheticImage } from '../../src/mosaic/synthetic.js';
import { apply } from '../../src/restore/job.js';
import { InProcessJobRunner } from '../../src/jobs/in-process.js';
import { JobError, type JobStatus } from '../../src/jobs/types.js';
import { parseJobOptions } from '../../src/server/restore-job.js';
import { serve } from '../../src/server/job.js';
import { sniffImageType } from '../../src/server/uploads.js';
import { raw as rawRequest, stubPage } from '../helpers/http.js';
import { tempDir } from '../helpers/tiny-datasets.js';

const root = tempDir('server');
const web = stubPage(join(root, 'web'));
const secret = 'SECRET-FILE-CONTENT';
writeFileSync(join(root, 'secret.txt'), secret);

const server = await serve({ port: 0, webRoot: web, maxUploadMb: 0.05, maxPixels: 150 * 120, runtime: { threads: 1 } });
after(() => server.close());
const base = server.url;

const raw = (method: string, path: string, o: { headers?: Record<string, string>; body?: Uint8Array } = {}) => rawRequest(server.port, method, path, o);

const mosaicked = (w: number, h: number) => applyMosaic(syntheticImage(w, h, 9), fillRect(createMask(w, h), { x: 20, y: 16, w: 48, h: 40 }), { blockSize: 8 }).image;
const png = async (w: number, h: number) => new Uint8Array(await encodeImage(mosaicked(w, h), 'png'));

async function waitDone(id: string): Promise<JobStatus> {
  for (let i = 0; i < 600; i++) {
    const s = (await (await fetch(`${base}api/jobs/${id}`)).json()) as JobStatus;
    if (s.state !== 'queued' && s.state !== 'running') return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('job did not finish');
}

test('the page and every response carry cross-origin isolation and a strict CSP; binds 127.0.0.1', async () => {
  assert.equal(server.host, '127.0.0.1');
  const r = await fetch(base);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('cross-origin-opener-policy'), 'same-origin');
  assert.equal(r.headers.get('cross-origin-embedder-policy'), 'require-corp');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.match(r.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  assert.equal(r.headers.get('access-control-allow-origin'), null, 'no CORS');
  const js = await fetch(`${base}assets/app-1234.js`);
  assert.match(js.headers.get('content-type') ?? '', /javascript/);
  assert.match(js.headers.get('cache-control') ?? '', /immutable/);
  const info = await (await fetch(`${base}api/info`)).json() as { limits: { maxUploadBytes: number; maxPixels: number }; jobKinds: string[] };
  assert.deepEqual(info.jobKinds, ['restore', 'video']);
  assert.equal(info.limits.maxPixels, 150 * 120);
  const models = await (await fetch(`${base}api/models`)).json() as { models: { id: string; url: string }[] };
  assert.ok(models.models.some((m) => m.id === 'faithful'));
  const onnx = new Uint8Array(await (await fetch(`${base}${models.models[0].url}`)).arrayBuffer());
  assert.ok(onnx.length > 100_000, 'the shipped restorer as ONNX');
});

test('requests addressed to other hosts are refused (DNS rebinding)', async () => {
  assert.equal((await raw('GET', '/', { headers: { host: 'evil.example:8080' } })).status, 421);
  assert.equal((await raw('GET', '/', { headers: { host: `localhost:${server.port}` } })).status, 200);
  assert.equal((await raw('GET', '/', { headers: { host: `[::1]:${server.port}` } })).status, 200);
});

test('no path reaches a file outside the page', async () => {
  const paths = ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/../../secret.txt', '/assets/..%2f..%2fsecret.txt', '//secret.txt', '/..\\secret.txt',
    '/api/models/..%2f..%2fsecret.onnx', '/api/models/../../secret.txt', '/api/jobs/..%2f..%2fsecret.txt/result', '/index.html%00.png', '/assets', '/assets/'];
  for (const p of paths) {
    const r = await raw('GET', p);
    assert.ok(r.status === 404 || r.status === 400, `${p}: ${r.status}`);
    assert.ok(!r.body.toString().includes(secret), `${p} leaked the file`);
  }
  assert.equal((await raw('POST', '/index.html')).status, 405);
  assert.equal((await raw('GET', '/api/jobs/not-a-job')).status, 404);
  assert.equal((await raw('GET', '/api/jobs/00000000-0000-0000-0000-000000000000')).status, 404);
});

test('uploads: only PNG, JPEG and WebP by their bytes, with an upload content type, within the size and pixel limits', async () => {
  const post = (body: Uint8Array, type = 'image/png', query = 'box=20,16,48,40') => raw('POST', `/api/jobs/restore?${query}`, { headers: { 'content-type': type }, body });
  const image = await png(96, 80);
  const msg = (r: { body: Buffer }) => JSON.parse(r.body.toString()).error as string;
  let r = await post(new TextEncoder().encode('just text, not an image'));
  assert.equal(r.status, 415);
  assert.match(msg(r), /not a PNG, JPEG or WebP/);
  r = await post(new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0, 1, 0, 0, 0, 0]));
  assert.equal(r.status, 415, 'GIF is not accepted');
  r = await post(image, 'text/plain');
  assert.equal(r.status, 415, 'a CORS-simple content type (what a cross-site form can send) is refused');
  r = await post(image.subarray(0, 60));
  assert.equal(r.status, 415, 'a truncated PNG');
  r = await post(await png(160, 120));
  assert.equal(r.status, 413, '160x120 is over the 150x120 pixel limit');
  assert.match(msg(r), /over the limit of 18000 pixels/);
  const big = new Uint8Array(60_000);
  big.set(image.subarray(0, 16));
  r = await post(big);
  assert.equal(r.status, 413, 'over 0.05 MB');
  r = await post(image, 'image/png', 'box=1,2,3');
  assert.equal(r.status, 400);
  assert.match(msg(r), /x,y,w,h/);
  r = await post(image, 'image/png', 'box=1,1,10,10&path=/etc/passwd');
  assert.equal(r.status, 400, 'unknown options are refused');
  r = await post(image, 'image/png', '');
  assert.equal(r.status, 400);
  assert.match(msg(r), /no region/);
  r = await raw('POST', '/api/jobs/delete-files', { headers: { 'content-type': 'image/png' }, body: image });
  assert.equal(r.status, 404);
  assert.deepEqual([sniffImageType(new Uint8Array([0xff, 0xd8, 0xff, 0xe0])), sniffImageType(new TextEncoder().encode('RIFF1234WEBPVP8 '))], ['jpeg', 'webp']);
});

test('a restore job equals restore apply on the same file; status, events and result; a box outside the image fails the job', async () => {
  const file = join(root, 'in.png');
  await writeImage(file, mosaicked(96, 80));
  const body = new Uint8Array(readFileSync(file));
  const sub = await raw('POST', '/api/jobs/restore?box=20,16,48,40&feather=6', { headers: { 'content-type': 'image/png' }, body });
  assert.equal(sub.status, 202, sub.body.toString());
  const { id, events } = JSON.parse(sub.body.toString()) as { id: string; events: string };
  const stream = await fetch(base + events);
  assert.equal(stream.headers.get('content-type'), 'text/event-stream');
  const text = await stream.text(); // ends when the job is done
  const states = [...text.matchAll(/^data: (.*)$/gm)].map((m) => (JSON.parse(m[1]) as JobStatus).state);
  assert.equal(states.at(-1), 'done', text);
  const status = await waitDone(id);
  assert.deepEqual(status.summary, { width: 96, height: 80, regions: 1, restored: 1 });
  const result = await fetch(`${base}api/jobs/${id}/result`);
  assert.equal(result.headers.get('content-type'), 'image/png');
  const got = await decodeImage(new Uint8Array(await result.arrayBuffer()), 'result');
  await apply({ inputs: [file], output: join(root, 'apply.png'), boxes: ['20,16,48,40'], feather: 6, runtime: { threads: 1 } });
  assert.deepEqual(got.data, (await readImage(join(root, 'apply.png'))).data, 'the server job is restore apply');

  const bad = await raw('POST', '/api/jobs/restore?box=90,70,20,20', { headers: { 'content-type': 'image/png' }, body });
  const failed = await waitDone(JSON.parse(bad.body.toString()).id);
  assert.equal(failed.state, 'failed');
  assert.match(failed.error ?? '', /outside the 96x80 image/);
  assert.equal((await fetch(`${base}api/jobs/${failed.id}/result`)).status, 409);
});

test('the in-process job runner: validation, uploads, queue limit, progress events, cancellation (queued and running), failures, results', async () => {
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  const schema = z.object({ n: z.number().int() }).strict();
  const runner = new InProcessJobRunner({
    handlers: {
      slow: {
        schema, prepare: (o) => parseJobOptions(schema, 'slow', o),
        run: async (o, ctx) => {
          ctx.onProgress({ done: 1, total: 2, text: 'half' });
          await gate;
          if (ctx.signal?.aborted) throw new Error('cancelled');
          if (o.n < 0) throw new Error('negative');
          return { summary: { n: o.n }, result: { contentType: 'text/plain', data: new TextEncoder().encode(String(o.n * 2)) } };
        },
      },
      upload: {
        schema: z.object({}), prepare: () => ({}), needsInput: true,
        run: async (_o, ctx) => ({ summary: { bytes: ctx.input!.length } }),
      },
    },
    maxQueued: 3,
  });
  const seen: JobStatus[] = [];
  runner.events.on('update', (s) => seen.push(s));
  await assert.rejects(runner.submit('nope', {}), (e: JobError) => e.status === 404);
  await assert.rejects(runner.submit('slow', { n: 'x' }), (e: JobError) => e.status === 400 && /n:/.test(e.message));
  await assert.rejects(runner.submit('slow', { n: 1 }, { input: new Uint8Array(1) }), (e: JobError) => e.status === 400 && /takes no upload/.test(e.message));
  await assert.rejects(runner.submit('upload', {}), (e: JobError) => e.status === 400 && /needs an uploaded file/.test(e.message));
  const a = await runner.submit('slow', { n: 2 });
  const b = await runner.submit('slow', { n: -1 });
  const c = await runner.submit('slow', { n: 3 });
  const u = await runner.submit('upload', {}, { input: new Uint8Array(5) });
  await assert.rejects(runner.submit('slow', { n: 4 }), (e: JobError) => e.status === 429);
  assert.equal((await runner.status(c))!.position, 1);
  assert.equal(await runner.cancel(c), true);
  assert.equal((await runner.status(c))!.state, 'cancelled');
  release();
  await runner.idle();
  assert.equal((await runner.status(a))!.state, 'done');
  const r = (await runner.result!(a))!;
  assert.equal(new TextDecoder().decode(r.data), '4');
  assert.deepEqual((await runner.status(b))!.error, 'negative');
  assert.deepEqual((await runner.status(u))!.summary, { bytes: 5 });
  assert.ok(seen.some((s) => s.id === a && s.progress?.text === 'half'));
  assert.equal(await runner.cancel(a), false, 'finished jobs cannot be cancelled');

  // A running job is aborted: its handler sees the signal and the job ends cancelled.
  let hold: () => void = () => {};
  const held = new Promise<void>((r) => (hold = r));
  const running = new InProcessJobRunner({
    handlers: {
      wait: {
        schema: z.object({}), prepare: () => ({}),
        run: async (_o, ctx) => {
          hold();
          await new Promise<void>((r) => ctx.signal!.addEventListener('abort', () => r()));
          throw new Error('stopped');
        },
      },
    },
  });
  const w = await running.submit('wait', {});
  await held;
  assert.equal(await running.cancel(w), true);
  await running.idle();
  assert.equal((await running.status(w))!.state, 'cancelled');
  await running.close();

  await runner.close();
  await assert.rejects(runner.submit('slow', { n: 1 }), (e: JobError) => e.status === 503);
});
