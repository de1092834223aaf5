// The package works from plain Node 20, as a user installs it: built (what `npm ci` runs as
// `prepare`), packed with `npm pack`, unpacked into a temporary node_modules and imported by name
// by `node` without tsx. A job runs there and its output pixels are checked; the bin runs too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { x as untar } from 'tar';
import { readImage, writeImage } from '../src/data/image.js';
import { syntheticImage } from '../src/mosaic/synthetic.js';
import { tempDir } from './helpers/tiny-datasets.js';

const root = fileURLToPath(new URL('..', import.meta.url));

function run(cmd: string, args: string[], cwd: string) {
  // A clean environment for the child: no tsx loader, no inherited NODE_OPTIONS.
  const env = { ...process.env, NODE_OPTIONS: '', FORCE_COLOR: '0' };
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

test('npm pack + plain node: `import { mosaic } from "img2img"` runs mosaic.add; the bin runs from dist', async () => {
  const dir = tempDir('package');
  run(process.execPath, [join(root, 'scripts', 'build.mjs')], root);
  const [packed] = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], root)) as { filename: string; files: { path: string }[] }[];
  const files = packed.files.map((f) => f.path);
  for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/graph/onnx/onnx.proto', 'dist/cli/main.js', 'dist/web/index.html', 'bin/img2img.js', 'native/adam.cc', 'binding.gyp']) {
    assert.ok(files.includes(f), `${f} is not in the package`);
  }
  assert.ok(!files.some((f) => f.startsWith('src/') || f.startsWith('test/')), 'sources and tests stay out of the package');

  // Install: unpack into node_modules/img2img; its dependencies are the checkout's (same versions).
  const pkg = join(dir, 'node_modules', 'img2img');
  mkdirSync(pkg, { recursive: true });
  await untar({ file: join(dir, packed.filename), cwd: pkg, strip: 1 });
  symlinkSync(join(root, 'node_modules'), join(pkg, 'node_modules'), 'dir');
  if (existsSync(join(root, 'build'))) symlinkSync(join(root, 'build'), join(pkg, 'build'), 'dir');

  const input = join(dir, 'in.png');
  const img = syntheticImage(40, 32, 3);
  await writeImage(input, img);
  writeFileSync(join(dir, 'use.mjs'), `
    import { mosaic, optim, nativeOrtUnavailable } from 'img2img';
    const r = await mosaic.add({ inputs: [${JSON.stringify(input)}], output: ${JSON.stringify(join(dir, 'out.png'))}, boxes: ['8,8,16,16'], blockSize: 8 });
    let bad = '';
    try { await mosaic.add({ inputs: [], output: 'x.png', blockSize: 0 }); } catch (e) { bad = e.message; }
    console.log(JSON.stringify({ outputs: r.outputs, bad, native: optim.nativeKernels !== null, ort: nativeOrtUnavailable() }));
  `);
  const out = JSON.parse(run(process.execPath, ['use.mjs'], dir).trim().split('\n').pop()!);
  assert.deepEqual(out.outputs, [join(dir, 'out.png')]);
  assert.match(out.bad, /^mosaic\.add: option 'inputs': expected at least one image file or folder, got \[\]; option 'blockSize'/);
  if (existsSync(join(root, 'build', 'Release', 'img2img_kernels.node'))) assert.ok(out.native, 'the native kernels resolve from dist/ (build/ at the package root)');
  if (existsSync(join(root, 'build', 'Release', 'img2img_ort.node'))) assert.equal(out.ort, null, 'the native ORT binding loads from dist/');

  // Average style on the image grid: each 8x8 block of the box is its mean; the rest is untouched.
  const res = await readImage(join(dir, 'out.png'));
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 40; x++) {
      for (let k = 0; k < 3; k++) {
        const i = (y * 40 + x) * 3 + k;
        if (x < 8 || x >= 24 || y < 8 || y >= 24) {
          assert.equal(res.data[i], img.data[i], `(${x},${y}) changed outside the box`);
          continue;
        }
        const bx = 8 * Math.floor(x / 8), by = 8 * Math.floor(y / 8);
        let sum = 0;
        for (let yy = by; yy < by + 8; yy++) for (let xx = bx; xx < bx + 8; xx++) sum += img.data[(yy * 40 + xx) * 3 + k];
        assert.ok(Math.abs(res.data[i] - sum / 64) <= 0.5 + 1e-9, `(${x},${y}) is not its block's mean`);
      }
    }
  }

  // The installed bin runs the compiled CLI.
  const located = run(process.execPath, [join(pkg, 'bin', 'img2img.js'), 'mosaic', 'locate', join(dir, 'out.png')], dir);
  assert.equal(JSON.parse(located).file, join(dir, 'out.png'));
});
