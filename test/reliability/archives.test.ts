// Issue 17, items 1 and 6: hostile dataset archives. Extraction always settles (a traversal
// entry or a write error used to leave `datasets download` hanging until Node exited with code
// 13), archives that expand past the limits are stopped, the catalog download refuses plain
// http and checks a sha256 when it has one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'fflate';
import { downloadDataset } from '../../src/data/download.js';
import { extractArchive } from '../../src/data/extract.js';
import { datasetUrl, DATASET_CATALOG, type DatasetEntry } from '../../src/data/dataset-catalog.js';
import { tempDir } from '../data/helpers.js';
import { rawTar, rawTarGz, traversalTarballs, zipOf } from './hostile.js';

/** Rejects instead of hanging: the old extractor never settled on these archives. */
function settles<T>(p: Promise<T>, ms = 10_000): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms).unref())]);
}

async function serve(files: Record<string, Uint8Array>, redirect?: string) {
  const server = createServer((req, res) => {
    if (redirect) {
      res.writeHead(302, { location: redirect }).end();
      return;
    }
    const body = files[(req.url ?? '').slice(1)];
    if (!body) res.writeHead(404).end();
    else res.writeHead(200, { 'content-length': body.length }).end(Buffer.from(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

const fast = { retryDelayMs: 0, timeoutMs: 5000, retries: 0 };

test('a ../, PAX or GNU long-name traversal entry is refused and extraction settles, nothing written outside', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    for (const [kind, bytes] of Object.entries(traversalTarballs())) {
      const archive = join(dir, `${kind}.tar.gz`);
      await writeFile(archive, bytes);
      const out = join(dir, kind, 'a', 'b');
      await mkdir(out, { recursive: true });
      await assert.rejects(settles(extractArchive(archive, 'tar.gz', out)), /unsafe path in archive: (\.\.\/)+escaped\.txt/, kind);
    }
    const all = await readdir(dir, { recursive: true });
    assert.ok(!all.some((f) => String(f).includes('escaped')), `escaped file written: ${all.join(', ')}`);
  } finally {
    await cleanup();
  }
});

test('datasets download of a traversal tarball fails with a message and leaves no temp folder or archive', async () => {
  const server = await serve({ 'night2day.tar.gz': traversalTarballs().pax });
  const { dir, cleanup } = await tempDir();
  try {
    await assert.rejects(settles(downloadDataset('night2day', { ...fast, root: dir, baseUrl: server.url })),
      /^DataError: cannot extract .*night2day\.tar\.gz: unsafe path in archive: \.\.\/escaped\.txt; the archive was deleted/);
    assert.deepEqual(await readdir(dir), []);
    // A rerun repeats the same clear error instead of hanging on leftovers.
    await assert.rejects(settles(downloadDataset('night2day', { ...fast, root: dir, baseUrl: server.url })), /unsafe path/);
    assert.deepEqual(await readdir(dir), []);
  } finally {
    await cleanup();
    await server.close();
  }
});

test('the CLI: `datasets download` of a traversal tarball exits 1 with the message (it exited 13 silently)', async () => {
  const server = await serve({ 'night2day.tar.gz': traversalTarballs().gnuLongName });
  const { dir, cleanup } = await tempDir();
  try {
    const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', main, 'datasets', 'download', 'night2day', '--root', dir, '--base-url', server.url, '-q'],
      { env: { ...process.env, FORCE_COLOR: '0' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await settles(new Promise<number | null>((resolve) => child.on('close', resolve)), 60_000);
    assert.equal(code, 1, stderr);
    assert.match(stderr, /cannot extract .*night2day\.tar\.gz: unsafe path in archive: (\.\.\/)+escaped\.txt/);
    assert.deepEqual(await readdir(dir), []);
  } finally {
    await cleanup();
    await server.close();
  }
});

test('a write error during extraction (a file where a folder must go) settles with the error', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const archive = join(dir, 'clash.tar.gz');
    await writeFile(archive, rawTarGz([{ name: 'ds/a', data: 'file' }, { name: 'ds/a/b.txt', data: 'under a file' }]));
    await mkdir(join(dir, 'out'));
    await assert.rejects(settles(extractArchive(archive, 'tar.gz', join(dir, 'out'))), /cannot extract .*clash\.tar\.gz: .*(ENOTDIR|EEXIST|EISDIR)/);
  } finally {
    await cleanup();
  }
});

test('archive bombs stop at the extraction limits (bytes, compression ratio, entries)', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    // 80 MiB that compress about 60:1 (zeros would trip zlib's own 1000:1 guard first)
    const zeros = new Uint8Array(80 * 2 ** 20);
    for (let i = 0; i < zeros.length; i += 64) zeros[i] = (i * 2654435761) >>> 24;
    const tgz = join(dir, 'bomb.tar.gz');
    await writeFile(tgz, gzipSync(rawTar([{ name: 'ds/zeros.bin', data: zeros }]), { level: 9 }));
    const zip = join(dir, 'bomb.zip');
    await writeFile(zip, zipOf({ 'ds/zeros.bin': zeros }));
    for (const [archive, format] of [[tgz, 'tar.gz'], [zip, 'zip']] as const) {
      const out = join(dir, `out-${format}`);
      await mkdir(out);
      // default limits: a few hundred KB may expand to at most 64 MiB (the ratio's floor)
      await assert.rejects(settles(extractArchive(archive, format, out)), /archive expands to more than 67108864 bytes .*20 times the archive's size/);
      await assert.rejects(settles(extractArchive(archive, format, out, { maxExtractedBytes: 2 ** 20 })), /more than 1048576 bytes .*maxExtractedBytes/);
      await extractArchive(archive, format, out, { maxCompressionRatio: 1e6 }); // raised: it extracts
    }
    const many = join(dir, 'many.tar.gz');
    await writeFile(many, rawTarGz(Array.from({ length: 5 }, (_, i) => ({ name: `ds/${i}.txt`, data: 'x' }))));
    await mkdir(join(dir, 'out-many'));
    await assert.rejects(extractArchive(many, 'tar.gz', join(dir, 'out-many'), { maxExtractedFiles: 3 }), /more than 3 entries/);
  } finally {
    await cleanup();
  }
});

test('the catalog uses https; plain http is refused unless local or allowed; a sha256 in the catalog is checked', async () => {
  for (const e of DATASET_CATALOG) assert.match(datasetUrl(e), /^https:\/\//, e.name);
  const { dir, cleanup } = await tempDir();
  const tgz = rawTarGz([{ name: 'night2day/train/1.txt', data: 'a' }, { name: 'night2day/val/1.txt', data: 'b' }]);
  const server = await serve({ 'night2day.tar.gz': tgz });
  try {
    await assert.rejects(downloadDataset('night2day', { ...fast, root: dir, baseUrl: 'http://example.invalid/mirror' }), /refusing plain http .*--allow-http/);
    // allowHttp lets it through to the network (which fails here, with the network message)
    await assert.rejects(downloadDataset('night2day', { ...fast, root: dir, baseUrl: 'http://example.invalid/mirror', allowHttp: true }), /cannot download night2day/);
    const entry = (sha256: string): DatasetEntry[] => [{ name: 'night2day', kind: 'pix2pix', format: 'tar.gz', layout: ['train', 'val'], sha256 }];
    await assert.rejects(downloadDataset('night2day', { ...fast, root: dir, baseUrl: server.url, catalog: entry('0'.repeat(64)) }), /sha256 mismatch .*deleted/);
    assert.deepEqual(await readdir(dir), []);
    const good = createHash('sha256').update(tgz).digest('hex');
    await downloadDataset('night2day', { ...fast, root: dir, baseUrl: server.url, catalog: entry(good) });
    assert.ok(existsSync(join(dir, 'night2day', 'train', '1.txt')));
  } finally {
    await cleanup();
    await server.close();
  }
});

test('a redirect from https to plain http is refused', async () => {
  // The redirect check runs on the response of the first hop; a local http server stands in for
  // the https one by redirecting to a non-local http URL, which must be refused as well.
  const { checkProtocol } = await import('../../src/data/download.js');
  assert.throws(() => checkProtocol('http://mirror.example/x.zip', false), /refusing plain http/);
  assert.doesNotThrow(() => checkProtocol('http://127.0.0.1:8080/x.zip', false));
  assert.doesNotThrow(() => checkProtocol('https://mirror.example/x.zip', false));
  assert.throws(() => checkProtocol('ftp://mirror.example/x.zip', true), /unsupported protocol ftp:/);
});
