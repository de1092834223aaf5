// The export job and command: our own checkpoints (BatchNorm running statistics in eval mode,
// train_opt.json into the metadata, G_B's direction), a shipped restorer by name, and errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readImage, writeImage } from '../../src/data/image.js';
import { exportModel } from '../../src/export/job.js';
import { META, parseModelInfo, readOnnxMetadata } from '../../src/export/model-info.js';
import { openOnnx } from '../../src/export/ort-node.js';
import { translateImage } from '../../src/export/run-onnx.js';
import { translate } from '../../src/inference/job.js';
import { saveNetwork } from '../../src/models/checkpoint.js';
import { defineG, defineD, parseGeneratorConfig, parseDiscriminatorConfig } from '../../src/models/networks.js';
import { syntheticImage } from '../../src/mosaic/synthetic.js';
import { manualSeed } from '../../src/nn/index.js';
import { cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tiny-datasets.js';

const root = tempDir('export-job');
const runtime = { threads: 1 };

// A CycleGAN-like run folder: G_B with non-trivial BatchNorm running statistics, and its options.
manualSeed(5);
const cfg = parseGeneratorConfig({ netG: 'unet_128', ngf: 4, norm: 'batch', useDropout: true });
const net = defineG(cfg);
for (const [name, b] of net.namedBuffers()) {
  if (name.endsWith('running_mean')) b.data.forEach((_, i, a) => (a[i] = 0.1 * Math.sin(i)));
  if (name.endsWith('running_var')) b.data.forEach((_, i, a) => (a[i] = 0.5 + 0.4 * Math.cos(i)));
}
const run = join(root, 'checkpoints', 'sepia');
const gB = join(run, 'latest_net_G_B.safetensors');
await saveNetwork(gB, net, { format: 'img2img-network', model: 'cycle_gan', epoch: 3, step: 30, role: 'G_B', kind: 'generator', config: cfg as unknown as Record<string, unknown> });
writeFileSync(join(run, 'train_opt.json'), JSON.stringify({ model: 'cycle_gan', direction: 'AtoB', netG: 'unet_128', ngf: 4, cropSize: 128 }));

test('our checkpoint: eval-mode export equals translate --eval, training options and G_B direction in the metadata', async () => {
  const output = join(root, 'g_b.onnx');
  const r = await exportModel({ checkpoint: gB, output, runtime });
  assert.ok(existsSync(output));
  assert.equal(r.info.kind, 'generator');
  assert.deepEqual(r.info.size, { dynamic: true, multiple: 128, min: 128 });
  assert.ok(r.verified && r.verified.maxDifference < 0.5, JSON.stringify(r.verified));
  const meta = readOnnxMetadata(readFileSync(output));
  assert.equal(meta[META.direction], 'BtoA', "G_B of an AtoB run maps B to A");
  assert.equal(JSON.parse(meta[META.training]).model, 'cycle_gan');
  assert.equal(JSON.parse(meta[META.architecture]).netG, 'unet_128');
  assert.equal(meta[META.source], 'latest_net_G_B.safetensors', 'the file name only, not the path');
  // Against the translate job on a file that needs padding (130x90 -> 256x128).
  const input = join(root, 'in.png'), want = join(root, 'want.png');
  await writeImage(input, syntheticImage(130, 90, 4));
  await translate({ inputs: [input], output: want, checkpoint: gB, eval: true, runtime });
  const session = await openOnnx(readFileSync(output), runtime);
  try {
    const got = await translateImage(session.run, parseModelInfo(meta), await readImage(input));
    const ref = await readImage(want);
    let d = 0;
    for (let i = 0; i < ref.data.length; i++) d = Math.max(d, Math.abs(ref.data[i] - got.data[i]));
    assert.ok(d <= 1, `max difference ${d}`);
  } finally {
    await session.release();
  }
});

test('export --size writes a fixed-size model', async () => {
  const r = await exportModel({ checkpoint: gB, output: join(root, 'fixed.onnx'), size: '128x256', verify: true, runtime });
  assert.deepEqual(r.info.size, { dynamic: false, height: 128, width: 256 });
  assert.equal(r.fixedBecause, 'a fixed size was asked for');
  await assert.rejects(exportModel({ checkpoint: gB, output: join(root, 'bad.onnx'), size: '100x128', verify: false, runtime }), /multiples of 128/);
});

test('the command: a shipped restorer by name; clear errors for a .pth without --netG, a discriminator, a non-.onnx output', () => {
  const ok = cli(['export', '--checkpoint', 'faithful', '-o', join(root, 'faithful.onnx'), '--threads', '1']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /wrote .*faithful\.onnx \(restorer, .* opset 17\)/);
  assert.match(ok.stdout, /largest difference to the engine 0\.000 grey levels/);
  const pth = cli(['export', '--checkpoint', 'test/fixtures/models/unet_128.pth', '-o', join(root, 'x.onnx')]);
  assert.notEqual(pth.code, 0);
  assert.match(pth.stderr, /pass --netG/);
  const dPath = join(root, 'latest_net_D.safetensors');
  return saveNetwork(dPath, defineD(parseDiscriminatorConfig({ netD: 'basic', inputNc: 6, ndf: 4 })), { format: 'img2img-network', model: 'pix2pix', epoch: 1, step: 0, role: 'D', kind: 'discriminator', config: { netD: 'basic', inputNc: 6, ndf: 4 } }).then(() => {
    const d = cli(['export', '--checkpoint', dPath, '-o', join(root, 'd.onnx')]);
    assert.notEqual(d.code, 0);
    assert.match(d.stderr, /holds a discriminator/);
    const ext = cli(['export', '--checkpoint', 'faithful', '-o', join(root, 'model.bin')]);
    assert.notEqual(ext.code, 0);
    assert.match(ext.stderr, /--output.*\.onnx/);
    assert.ok(!existsSync(join(root, 'd.onnx')) && !existsSync(join(root, 'model.bin')));
  });
});
