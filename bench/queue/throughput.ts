// Throughput of the Redis job queue and its overhead per job, on this machine.
//  1. restore apply (shipped model, one 96x72 mosaic per 256x256 photo) on a folder of N images:
//     locally in one call (the model loaded once), locally one call per file (loaded per file, as
//     a queue job does), and through the queue with 1 worker (2 ORT threads) and 2 workers
//     (1 thread each; worker processes started, ready and warmed up by two jobs each before the clock starts).
//  2. overhead: M tiny jobs (mosaic add on a 16x16 image) through the queue with 1 worker, through
//     the in-process runner, and as direct library calls; the difference per job is the queue's.
// A private redis-server is started on a free port (as the tests do).
// Run: node --import tsx bench/queue/throughput.ts [images=24] [tiny=100]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { add } from '../../src/mosaic/job.js';
import { apply } from '../../src/restore/job.js';
import { submit } from '../../src/jobs/job.js';
import { InProcessJobRunner } from '../../src/jobs/in-process.js';
import { startRedis } from '../../test/helpers/redis.js';

const N = Number(process.argv[2] ?? 24), M = Number(process.argv[3] ?? 100);
const dir = mkdtempSync(join(tmpdir(), 'img2img-bench-queue-'));
const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const photo = (n: number) => fileURLToPath(new URL(`../../examples/photos/photo_${String(n).padStart(2, '0')}.jpg`, import.meta.url));
const box = '80,90,96,72';
const load = () => loadavg().map((v) => v.toFixed(1)).join(' ');

const clean = join(dir, 'clean'), mosaicked = join(dir, 'mosaicked'), tinyDir = join(dir, 'tiny');
mkdirSync(clean);
mkdirSync(tinyDir);
for (let i = 0; i < N; i++) await sharp(photo((i % 30) + 1)).png().toFile(join(clean, `p${String(i).padStart(3, '0')}.png`));
await add({ inputs: [clean], output: mosaicked, boxes: [box], blockSize: 8 });
for (let i = 0; i < M; i++) await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: i % 256, g: 80, b: 160 } } }).png().toFile(join(tinyDir, `t${String(i).padStart(3, '0')}.png`));

console.log(`${cpus().length} cores; load average at start ${load()}`);
const redis = await startRedis();
const rows: string[] = [];
const row = (what: string, n: number, secs: number) => {
  const line = `${what}: ${n} in ${secs.toFixed(1)} s = ${(n / secs).toFixed(2)}/s (${((1000 * secs) / n).toFixed(0)} ms each; load ${load()})`;
  rows.push(line);
  console.log(line);
};

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return (performance.now() - t0) / 1000;
}

function startWorkers(count: number, threads: number, queue: string): Promise<ChildProcess[]> {
  return Promise.all(Array.from({ length: count }, () => new Promise<ChildProcess>((resolve, reject) => {
    const c = spawn(process.execPath, ['--import', 'tsx', main, 'worker', '--redis', redis.url, '--queue', queue, '--threads', String(threads)],
      { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, IMG2IMG_ORT_SPINNING: '0' } });
    let out = '';
    c.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('worker ready')) resolve(c);
    });
    c.once('exit', (code) => reject(new Error(`worker exited ${code}: ${out}`)));
  })));
}

async function stop(workers: ChildProcess[]) {
  await Promise.all(workers.map((w) => new Promise((r) => {
    w.removeAllListeners('exit');
    w.once('exit', r);
    w.kill('SIGTERM');
  })));
}

const restoreOptions = (output: string, threads: number) => ({ inputs: [mosaicked], output, boxes: [box], runtime: { threads, spinning: false } });

try {
  // Warm-up (module loading, first graph compilation) so the first row does not pay for it.
  await apply({ ...restoreOptions(join(dir, 'warm') + '/', 2), inputs: [join(mosaicked, 'p000.png')] });
  await add({ inputs: [join(tinyDir, 't000.png')], output: join(dir, 'warm') + '/', boxes: ['2,2,8,8'], blockSize: 4 });
  row('restore apply, local, one call for the folder (2 threads)', N, await timed(() => apply(restoreOptions(join(dir, 'r-local'), 2))));
  const files = Array.from({ length: N }, (_, i) => join(mosaicked, `p${String(i).padStart(3, '0')}.png`));
  row('restore apply, local, one call per file (2 threads)', N, await timed(async () => {
    for (const f of files) await apply({ ...restoreOptions(join(dir, 'r-each') + '/', 2), inputs: [f] });
  }));
  for (const [count, threads] of [[1, 2], [2, 1]] as const) {
    const queue = `restore-${count}`;
    const workers = await startWorkers(count, threads, queue);
    // Warm-up: workers are long-lived; their first jobs load modules and compile the model's graphs.
    await submit({ redis: redis.url, queue, kind: 'restore.apply', options: { ...restoreOptions(join(dir, 'warm') + '/', threads), inputs: files.slice(0, 2 * count), runtime: { spinning: false } }, wait: true });
    const secs = await timed(() => submit({ redis: redis.url, queue, kind: 'restore.apply', options: { ...restoreOptions(join(dir, `r-q${count}`), threads), runtime: { spinning: false } }, wait: true }));
    row(`restore apply, queue, ${count} worker${count > 1 ? 's' : ''} x ${threads} thread${threads > 1 ? 's' : ''}`, N, secs);
    await stop(workers);
  }

  const tinyFiles = Array.from({ length: M }, (_, i) => join(tinyDir, `t${String(i).padStart(3, '0')}.png`));
  const direct = await timed(async () => {
    for (const f of tinyFiles) await add({ inputs: [f], output: join(dir, 'tiny-direct') + '/', boxes: ['2,2,8,8'], blockSize: 4 });
  });
  row('tiny job (mosaic add 16x16), direct library calls', M, direct);
  const runner = new InProcessJobRunner();
  const inproc = await timed(async () => {
    for (const f of tinyFiles) await runner.submit('mosaic.add', { inputs: [f], output: join(dir, 'tiny-inproc') + '/', boxes: ['2,2,8,8'], blockSize: 4 });
    await runner.idle();
  });
  row('tiny job, in-process runner', M, inproc);
  const workers = await startWorkers(1, 1, 'tiny');
  await submit({ redis: redis.url, queue: 'tiny', kind: 'mosaic.add', options: { inputs: tinyFiles.slice(0, 3), output: join(dir, 'warm') + '/', boxes: ['2,2,8,8'], blockSize: 4 }, wait: true });
  const queued = await timed(() => submit({ redis: redis.url, queue: 'tiny', kind: 'mosaic.add', options: { inputs: [tinyDir], output: join(dir, 'tiny-queue'), boxes: ['2,2,8,8'], blockSize: 4 }, wait: true }));
  row('tiny job, queue (1 worker, submitted as one folder)', M, queued);
  await stop(workers);
  console.log(`queue overhead per job: ${((1000 * (queued - direct)) / M).toFixed(1)} ms (in-process runner: ${((1000 * (inproc - direct)) / M).toFixed(1)} ms)`);
} finally {
  await redis.stop();
}
