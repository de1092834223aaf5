// ONNX export: generators (reference .pth fixtures and our own checkpoints) and the restorer are
// written with symbolic height/width, their metadata says what they are, and onnxruntime-node
// running the exported file gives PyTorch's output (the .pth fixtures), `translate`'s output
// (<= 1 grey level, at two sizes, one needing padding) and the engine restorer's output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as g from '../../src/graph/index.js';
import { ModelProto } from '../../src/graph/onnx/schema.js';
import { readImage, writeImage, type Image } from '../../src/data/image.js';
import { exportGenerator, exportRestorer } from '../../src/export/onnx-export.js';
import { openOnnx } from '../../src/export/ort-node.js';
import { parseModelInfo, readOnnxMetadata, META } from '../../src/export/model-info.js';
import { onnxAreaRestorer, padCHW, translateImage } from '../../src/export/run-onnx.js';
import { translate } from '../../src/inference/job.js';
import { loadGenerator } from '../../src/inference/load-generator.js';
import { readSafetensors } from '../../src/io/safetensors.js';
import { parseGeneratorConfig } from '../../src/models/networks.js';
import { Module } from '../../src/nn/module.js';
import { createMask } from '../../src/mosaic/mask.js';
import { applyMosaic } from '../../src/mosaic/mosaic.js';
import { fillRect } from '../../src/mosaic/shapes.js';
import { syntheticImage } from '../../src/mosaic/synthetic.js';
import { loadRestorer } from '../../src/restore/net/checkpoint.js';
import { RestorerRunner } from '../../src/restore/net/runner.js';
import { regionsFromBoxes } from '../../src/restore/regions.js';
import { restoreRegions } from '../../src/restore/restore-image.js';
import { SHIPPED_MODELS } from '../../src/restore/shipped.js';
import { hashUniform } from '../models/fixture-input.js';
import { tempDir } from '../helpers/tiny-datasets.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/models/${name}`, import.meta.url));
const small = JSON.parse(readFileSync(fixture('networks.json'), 'utf8')) as Record<string, { config: Record<string, unknown>; input: { shape: number[]; seed: number }; stride: number }>;
const root = tempDir('export');

const maxDiff = (a: Image, b: Image): number => {
  assert.deepEqual([a.width, a.height, a.channels], [b.width, b.height, b.channels]);
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
};

/** The dims of graph inputs and outputs as written: numbers or symbolic names. */
function writtenDims(bytes: Uint8Array): Record<string, (number | string)[]> {
  const m = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number }) as { graph: { input: { name: string; type: { tensor_type: { shape: { dim: { dim_value?: number; dim_param?: string }[] } } } }[]; output: typeof Array.prototype } };
  const out: Record<string, (number | string)[]> = {};
  for (const v of [...m.graph.input, ...(m.graph.output as typeof m.graph.input)]) out[v.name] = v.type.tensor_type.shape.dim.map((d) => d.dim_param ?? Number(d.dim_value));
  return out;
}

test('reference .pth generators: exported with symbolic H and W; onnxruntime equals PyTorch (eval mode) within 1e-4', async (t) => {
  const outputs = (await readSafetensors(fixture('outputs.safetensors'))).tensors;
  for (const name of ['unet_128', 'unet_256', 'resnet_9blocks', 'resnet_6blocks']) {
    await t.test(name, async () => {
      const f = small[name];
      const gen = await loadGenerator(fixture(`${name}.pth`), f.config as never);
      const exported = exportGenerator(gen.net, gen.config, { source: `${name}.pth`, direction: 'AtoB' });
      assert.equal(exported.fixedBecause, undefined);
      assert.equal(exported.info.size.dynamic, true);
      const dims = writtenDims(exported.bytes);
      assert.deepEqual(dims.input, [1, gen.config.inputNc, 'height', 'width']);
      assert.deepEqual(dims.output, [1, gen.config.outputNc, 'height', 'width']);
      const meta = readOnnxMetadata(exported.bytes);
      assert.equal(JSON.parse(meta[META.architecture]).netG, f.config.netG);
      assert.equal(meta[META.direction], 'AtoB');
      assert.match(meta[META.sizeRule], /^dynamic: height and width any multiple of \d+/);
      const session = await openOnnx(exported.bytes, { threads: 1 });
      try {
        const n = f.input.shape.reduce((a, b) => a * b, 1);
        const y = (await session.run({ input: { data: hashUniform(n, f.input.seed), dims: f.input.shape } })).output;
        const expected = outputs.get(name)!.data as Float32Array;
        let err = 0;
        for (let i = 0; i < expected.length; i++) err = Math.max(err, Math.abs(y[i * f.stride] - expected[i]));
        t.diagnostic(`${name}: max |onnx - pytorch| ${err.toExponential(2)}`);
        assert.ok(err < 1e-4, `${name}: ${err}`);
      } finally {
        await session.release();
      }
    });
  }
});

test('exported generators equal translate --eval (<= 1 grey level) at two sizes, one needing padding', async (t) => {
  for (const [name, sizes] of [['unet_128', [[128, 256], [100, 75]]], ['resnet_9blocks', [[64, 48], [37, 50]]]] as const) {
    await t.test(name, async () => {
      const f = small[name];
      const flags = { netG: f.config.netG as never, norm: f.config.norm as never, ngf: f.config.ngf as number, inputNc: f.config.inputNc as number, outputNc: f.config.outputNc as number, dropout: f.config.useDropout as boolean };
      const { dropout, ...arch } = flags;
      const gen = await loadGenerator(fixture(`${name}.pth`), { ...arch, useDropout: dropout });
      const exported = exportGenerator(gen.net, gen.config);
      const session = await openOnnx(exported.bytes, { threads: 1 });
      try {
        for (const [w, h] of sizes) {
          const input = join(root, `${name}-${w}x${h}.png`), output = join(root, `${name}-${w}x${h}-out.png`);
          await writeImage(input, syntheticImage(w, h, w + h));
          await translate({ inputs: [input], output, checkpoint: fixture(`${name}.pth`), eval: true, ...flags, runtime: { threads: 1 } });
          const ours = await translateImage(session.run, exported.info, await readImage(input, { channels: 3 }));
          const d = maxDiff(ours, await readImage(output));
          t.diagnostic(`${name} ${w}x${h}: max difference to translate ${d} grey levels`);
          assert.ok(d <= 1, `${name} ${w}x${h}: ${d}`);
        }
      } finally {
        await session.release();
      }
    });
  }
});

test('padCHW pads as forwardAnySize: reflection split evenly, edge repetition where the pad reaches the side', async () => {
  const x = Float32Array.from({ length: 2 * 3 * 2 }, (_, i) => i); // [2, 3, 2]
  const engine = g.pad(g.pad(g.input('x', [1, 2, 3, 2]), [0, 0, 1, 0, 0, 0, 2, 0], 'reflect'), [0, 0, 0, 2, 0, 0, 0, 3], 'edge');
  const { CompiledGraph } = await import('../../src/runtime/session.js');
  const graph = await CompiledGraph.compile({ y: engine }, { threads: 1 });
  const want = (await graph.run({ x })).y;
  await graph.release();
  const ours = padCHW(x, 2, 3, 2, 6, 7);
  assert.deepEqual([ours.top, ours.left], [1, 2]);
  assert.deepEqual([...ours.data], [...want]);
});

test('a graph whose ONNX form depends on the input size is exported at a fixed size, and says so', () => {
  class Flatten extends Module {
    forward(x: import('../../src/graph/tensor.js').Tensor) {
      return g.reshape(g.reshape(x, [1, x.shape[1] * x.shape[2] * x.shape[3]]), [...x.shape]);
    }
  }
  const cfg = parseGeneratorConfig({ netG: 'resnet_6blocks', ngf: 4 });
  const exported = exportGenerator(new Flatten(), cfg);
  assert.match(exported.fixedBecause ?? '', /depends on the input size .*Reshape/);
  assert.deepEqual(exported.info.size, { dynamic: false, height: 8, width: 12 });
  assert.deepEqual(writtenDims(exported.bytes).input, [1, 3, 8, 12]);
  assert.match(readOnnxMetadata(exported.bytes)[META.sizeRule], /^fixed: height 8, width 12/);
});

test('the shipped restorer exported: symbolic window sizes, and restoreRegions through onnxruntime equals the engine runner', async () => {
  const { net } = await loadRestorer(SHIPPED_MODELS.faithful);
  const exported = exportRestorer(net, { source: 'restore-faithful.safetensors' });
  const dims = writtenDims(exported.bytes);
  assert.deepEqual(dims.features, [1, 14, 'height', 'width']);
  assert.deepEqual(dims.rows, [1, 1, 'blocks', 'height']);
  assert.deepEqual(dims.restored, [1, 3, 'height', 'width']);
  const info = parseModelInfo(readOnnxMetadata(exported.bytes));
  assert.equal(info.kind, 'restorer');
  const mask = fillRect(createMask(200, 150), { x: 40, y: 30, w: 96, h: 72 });
  const img = applyMosaic(syntheticImage(200, 150, 5), mask, { blockSize: 8 }).image;
  const regions = regionsFromBoxes([{ x: 40, y: 30, w: 96, h: 72 }], 200, 150);
  const runner = new RestorerRunner(net, { threads: 1 });
  const session = await openOnnx(exported.bytes, { threads: 1 });
  try {
    const engine = await restoreRegions(img, regions, { runner });
    let windows = 0;
    const onnx = await restoreRegions(img, regions, { runner: onnxAreaRestorer(session.run, () => windows++) });
    assert.ok(windows >= 1);
    assert.ok(maxDiff(engine.image, onnx.image) <= 1, `max difference ${maxDiff(engine.image, onnx.image)}`);
    assert.ok(maxDiff(engine.image, img) > 0, 'the region was restored');
  } finally {
    await runner.release();
    await session.release();
  }
});
