// Builds the optional native addons with npm's node-gyp: the optimizer kernels (native/adam.cc)
// and the engine's ONNX Runtime binding (native/ort.cc). Never fails the install: without them
// the optimizers use their JavaScript loops and graphs run on onnxruntime-node (same results, slower).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const gyp = process.env.npm_config_node_gyp ?? (() => {
  try {
    return require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return null;
  }
})();
if (!gyp || !existsSync(gyp)) {
  console.warn('img2img: node-gyp not found; using the JavaScript optimizer kernels');
  process.exit(0);
}
const r = spawnSync(process.execPath, [gyp, 'rebuild'], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
if (r.status !== 0) {
  console.warn(`img2img: native optimizer kernels not built (${(r.stderr ?? '').trim().split('\n').slice(-2).join(' ')}); using the JavaScript loops`);
} else {
  console.log('img2img: built the native optimizer kernels and ONNX Runtime binding (build/Release/img2img_kernels.node, img2img_ort.node)');
}
