import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { create as tarCreate } from 'tar';
import { zipSync } from 'fflate';
import { downloadDataset } from '../../src/data/download.js';
import { extractArchive } from '../../src/data/extract.js';
import { CITYSCAPES_REFUSAL, findDataset, type DatasetEntry } from '../../src/data/dataset-catalog.js';
import { noisePng, tempDir } from './helpers.js';

interface Served {
  url: string;
  /** Range header of every request, '' when absent. */
  ranges: string[];
  close(): Promise<void>;
}

/**
 * Serves `files` at /NAME. `range` enables 206 answers; `dropFirst` cuts the first response
 * after that many bytes; `dropAlways` cuts every response after half the remaining bytes.
 */
async function serve(files: Record<string, Buffer>, opts: { range?: boolean; dropFirst?: number; dropAlways?: boolean } = {}): Promise<Served> {
  const ranges: string[] = [];
  const server: Server = createServer((req, res) => {
    ranges.push(req.headers.range ?? '');
    const body = files[(req.url ?? '').slice(1)];
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m && opts.range !== false) {
      start = Number(m[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
    } else {
      res.writeHead(200, { 'content-length': body.length });
    }
    const cut = ranges.length === 1 && opts.dropFirst !== undefined ? opts.dropFirst : opts.dropAlways ? Math.floor((body.length - start) / 2) : undefined;
    if (cut === undefined) {
      res.end(body.subarray(start));
      return;
    }
    res.write(body.subarray(start, start + cut), () => setTimeout(() => res.socket?.destroy(), 30));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    ranges,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

let fixtures: { dir: string; cleanup: () => Promise<void> };
let tarGz: Buffer; // night2day/{train,val}/1.png
let zip: Buffer; // horse2zebra/{trainA,trainB,testA,testB}/1.png
let pngs: Buffer[];

before(async () => {
  fixtures = await tempDir();
  pngs = [await noisePng(48, 1), await noisePng(48, 2)];
  const src = join(fixtures.dir, 'src');
  for (const split of ['train', 'val']) {
    await mkdir(join(src, 'night2day', split), { recursive: true });
    await writeFile(join(src, 'night2day', split, '1.png'), pngs[split === 'train' ? 0 : 1]);
  }
  const tarPath = join(fixtures.dir, 'night2day.tar.gz');
  await tarCreate({ gzip: true, file: tarPath, cwd: src, portable: true }, ['night2day']);
  tarGz = await readFile(tarPath);
  zip = Buffer.from(
    zipSync({
      'horse2zebra/trainA/1.png': pngs[0],
      'horse2zebra/trainB/1.png': pngs[1],
      'horse2zebra/testA/1.png': pngs[0],
      'horse2zebra/testB/1.png': pngs[1],
    }),
  );
});

after(() => fixtures.cleanup());

const fast = { retryDelayMs: 0, timeoutMs: 5000 };

/** Asserts ROOT holds only the extracted night2day (no archive, .part or temp folder left). */
async function assertNight2day(root: string): Promise<void> {
  assert.deepEqual((await readdir(root)).sort(), ['night2day']);
  assert.deepEqual((await readdir(join(root, 'night2day'))).sort(), ['train', 'val']);
  assert.deepEqual(await readFile(join(root, 'night2day', 'train', '1.png')), pngs[0]);
  assert.deepEqual(await readFile(join(root, 'night2day', 'val', '1.png')), pngs[1]);
}

test('downloads a .tar.gz into ROOT/NAME with the expected layout and removes the archive', async () => {
  const server = await serve({ 'night2day.tar.gz': tarGz });
  const { dir, cleanup } = await tempDir();
  try {
    const r = await downloadDataset('night2day', { ...fast, root: dir, baseUrl: `${server.url}/` });
    assert.equal(r.url, `${server.url}/night2day.tar.gz`);
    assert.equal(r.bytes, tarGz.length);
    assert.equal(r.dir, join(dir, 'night2day'));
    await assertNight2day(dir);
    await assert.rejects(downloadDataset('night2day', { ...fast, root: dir, baseUrl: server.url }), /already exists.*--force/);
    await downloadDataset('night2day', { ...fast, root: dir, baseUrl: server.url, force: true });
    await assertNight2day(dir);
  } finally {
    await cleanup();
    await server.close();
  }
});

test('downloads a CycleGAN .zip into ROOT/NAME/{trainA,trainB,testA,testB}', async () => {
  const server = await serve({ 'horse2zebra.zip': zip });
  const { dir, cleanup } = await tempDir();
  try {
    await downloadDataset('horse2zebra', { ...fast, root: dir, baseUrl: server.url });
    assert.deepEqual(await readdir(dir), ['horse2zebra']);
    assert.deepEqual((await readdir(join(dir, 'horse2zebra'))).sort(), ['testA', 'testB', 'trainA', 'trainB']);
    assert.deepEqual(await readFile(join(dir, 'horse2zebra', 'trainB', '1.png')), pngs[1]);
  } finally {
    await cleanup();
    await server.close();
  }
});

test('a dropped connection is resumed with a Range request and the result is complete', async () => {
  const half = Math.floor(tarGz.length / 2);
  const server = await serve({ 'night2day.tar.gz': tarGz }, { dropFirst: half });
  const { dir, cleanup } = await tempDir();
  try {
    await downloadDataset('night2day', { ...fast, root: dir, baseUrl: server.url });
    assert.equal(server.ranges.length, 2);
    assert.equal(server.ranges[0], '');
    const m = /^bytes=(\d+)-$/.exec(server.ranges[1]);
    assert.ok(m && Number(m[1]) > 0 && Number(m[1]) <= half, `second request asks for the rest: ${server.ranges[1]}`);
    await assertNight2day(dir);
  } finally {
    await cleanup();
    await server.close();
  }
});

test('an existing .part is continued from where it stopped', async () => {
  const half = Math.floor(tarGz.length / 2);
  const server = await serve({ 'night2day.tar.gz': tarGz });
  const { dir, cleanup } = await tempDir();
  try {
    await writeFile(join(dir, 'night2day.tar.gz.part'), tarGz.subarray(0, half));
    const r = await downloadDataset('night2day', { ...fast, root: dir, baseUrl: server.url });
    assert.deepEqual(server.ranges, [`bytes=${half}-`]);
    assert.equal(r.resumedFrom, half);
    await assertNight2day(dir);
  } finally {
    await cleanup();
    await server.close();
  }
});

test('a server without Range support makes it start over cleanly', async () => {
  const server = await serve({ 'night2day.tar.gz': tarGz }, { range: false });
  const { dir, cleanup } = await tempDir();
  try {
    // Garbage in the .part: appending to it would corrupt the archive.
    await writeFile(join(dir, 'night2day.tar.gz.part'), Buffer.alloc(100, 7));
    const r = await downloadDataset('night2day', { ...fast, root: dir, baseUrl: server.url });
    assert.equal(server.ranges[0], 'bytes=100-');
    assert.equal(r.resumedFrom, 0);
    await assertNight2day(dir);
  } finally {
    await cleanup();
    await server.close();
  }
});

test('a connection that keeps dropping fails clearly and keeps the .part for the next run', async () => {
  const server = await serve({ 'night2day.tar.gz': tarGz }, { dropAlways: true });
  const { dir, cleanup } = await tempDir();
  try {
    await assert.rejects(
      downloadDataset('night2day', { ...fast, root: dir, baseUrl: server.url, retries: 1 }),
      /^DataError: cannot download night2day from http:.*connection .*kept in .*night2day\.tar\.gz\.part; run the same command again to resume\); check your network, or pass --base-url to a mirror$/,
    );
    assert.deepEqual(await readdir(dir), ['night2day.tar.gz.part']);
  } finally {
    await cleanup();
    await server.close();
  }
});

test('a size different from the catalog is rejected and nothing is kept', async () => {
  const server = await serve({ 'night2day.tar.gz': tarGz });
  const { dir, cleanup } = await tempDir();
  const catalog: DatasetEntry[] = [{ name: 'night2day', kind: 'pix2pix', format: 'tar.gz', layout: ['train'], bytes: tarGz.length + 1 }];
  try {
    await assert.rejects(downloadDataset('night2day', { ...fast, root: dir, baseUrl: server.url, catalog }), /size mismatch/);
    assert.deepEqual(await readdir(dir), []);
  } finally {
    await cleanup();
    await server.close();
  }
});

test('a corrupt archive is reported and leaves no half-written dataset', async () => {
  const server = await serve({ 'night2day.tar.gz': Buffer.alloc(5000, 3), 'horse2zebra.zip': zip.subarray(0, zip.length - 300) });
  const { dir, cleanup } = await tempDir();
  try {
    await assert.rejects(downloadDataset('night2day', { ...fast, root: dir, baseUrl: server.url }), /cannot extract .*night2day\.tar\.gz/);
    await assert.rejects(downloadDataset('horse2zebra', { ...fast, root: dir, baseUrl: server.url }), /cannot extract .*horse2zebra\.zip/);
    assert.deepEqual(await readdir(dir), []);
  } finally {
    await cleanup();
    await server.close();
  }
});

test('an archive without the expected layout is refused and kept for inspection', async () => {
  const server = await serve({ 'horse2zebra.zip': Buffer.from(zipSync({ 'horse2zebra/images/1.png': pngs[0] })) });
  const { dir, cleanup } = await tempDir();
  try {
    await assert.rejects(downloadDataset('horse2zebra', { ...fast, root: dir, baseUrl: server.url }), /missing trainA, trainB, testA, testB \(found: images\)/);
    assert.deepEqual(await readdir(dir), ['horse2zebra.zip']);
  } finally {
    await cleanup();
    await server.close();
  }
});

test('connection refused and HTTP errors give the clear message', async () => {
  const closed = await serve({});
  await closed.close(); // nothing listens on this port any more
  const server = await serve({});
  const { dir, cleanup } = await tempDir();
  try {
    const url = `${closed.url}/night2day.tar.gz`;
    await assert.rejects(downloadDataset('night2day', { ...fast, root: dir, baseUrl: closed.url }), (err: Error) => {
      assert.equal(err.message, `cannot download night2day from ${url}: connection refused (ECONNREFUSED); check your network, or pass --base-url to a mirror`);
      return true;
    });
    await assert.rejects(downloadDataset('night2day', { ...fast, root: dir, baseUrl: server.url }), /from http:.*night2day\.tar\.gz: HTTP 404 Not Found; check your network/);
    assert.ok(!existsSync(join(dir, 'night2day')));
  } finally {
    await cleanup();
    await server.close();
  }
});

test('catalog: cityscapes is refused with the reference message, unknown names list the datasets, shared names need a kind', () => {
  assert.throws(() => findDataset('cityscapes'), (e: Error) => e.message === CITYSCAPES_REFUSAL);
  assert.throws(() => findDataset('cyclegan/cityscapes'), /license issue.*cityscapes-dataset\.com/s);
  assert.throws(() => findDataset('zebras'), /unknown dataset 'zebras'.*\npix2pix: facades, cityscapes, maps, edges2shoes, edges2handbags, night2day\ncyclegan: apple2orange, .*ae_photos$/s);
  assert.throws(() => findDataset('maps'), /--kind pix2pix or --kind cyclegan/);
  assert.equal(findDataset('maps', 'cyclegan').format, 'zip');
  assert.equal(findDataset('pix2pix/facades').format, 'tar.gz');
  assert.equal(findDataset('edges2shoes').kind, 'pix2pix');
});

test('extraction refuses truncated tarballs and zip entries that escape the folder', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const cut = join(dir, 'cut.tar.gz');
    await writeFile(cut, tarGz.subarray(0, Math.floor(tarGz.length * 0.6)));
    await mkdir(join(dir, 'out1'));
    await assert.rejects(extractArchive(cut, 'tar.gz', join(dir, 'out1')), /cannot extract .*cut\.tar\.gz/);
    const evil = join(dir, 'evil.zip');
    await writeFile(evil, zipSync({ 'ok/1.png': pngs[0], '../escaped.png': pngs[1] }));
    await mkdir(join(dir, 'out2'));
    await assert.rejects(extractArchive(evil, 'zip', join(dir, 'out2')), /unsafe path in archive: \.\.\/escaped\.png/);
    assert.ok(!existsSync(join(dir, 'escaped.png')));
  } finally {
    await cleanup();
  }
});
