// Builds the package for plain Node: src/ to dist/ (JavaScript + .d.ts, tsconfig.build.json), plus
// the non-TypeScript files the code reads at run time, and the web page of `img2img serve`
// (web/, built by Vite into DIR/web). `npm ci` runs it as `prepare`.
//   node scripts/build.mjs [--out DIR] [--no-web]   (default dist)
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const i = process.argv.indexOf('--out');
const out = resolve(root, i > 0 ? process.argv[i + 1] : 'dist');

/** Files read at run time relative to the module that reads them (import.meta.url). */
const ASSETS = ['graph/onnx/onnx.proto'];

rmSync(out, { recursive: true, force: true });
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', out], { stdio: 'inherit', cwd: root });
if (r.status !== 0) {
  console.error('img2img: the TypeScript build failed');
  process.exit(r.status ?? 1);
}
for (const a of ASSETS) {
  mkdirSync(dirname(join(out, a)), { recursive: true });
  cpSync(join(root, 'src', a), join(out, a));
}

// The web page (Vite, a dev dependency: a checkout has it, an installed package ships dist/web).
if (!process.argv.includes('--no-web')) {
  const require = createRequire(import.meta.url);
  let vite;
  try {
    vite = join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  } catch {
    console.error('img2img: vite is not installed (a dev dependency), so the web page of img2img serve was not built');
    process.exit(1);
  }
  const w = spawnSync(process.execPath, [vite, 'build', '--config', join(root, 'web', 'vite.config.ts'), '--outDir', join(out, 'web'), '--logLevel', 'warn'], { stdio: 'inherit', cwd: root });
  if (w.status !== 0) {
    console.error('img2img: the web page build failed');
    process.exit(w.status ?? 1);
  }
}
