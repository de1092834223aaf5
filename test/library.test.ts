// The package's library entry point exposes the documented namespaces and classes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as img2img from '../src/index.js';

test('library entry: build a generator, run it, and read its state_dict names', async () => {
  const G = img2img.models.defineG({ netG: 'unet_128', ngf: 4, useDropout: false });
  assert.ok([...G.stateDict().keys()].includes('model.model.0.weight'));
  const t = new img2img.Translator(G, img2img.models.parseGeneratorConfig({ netG: 'unet_128', ngf: 4, useDropout: false }), true, { threads: 1 });
  const out = await t.run(new Float32Array(3 * 40 * 30), [1, 3, 40, 30]);
  assert.equal(out.length, 3 * 40 * 30);
  await t.release();
  assert.equal(typeof img2img.graph.grad, 'function');
  assert.equal(typeof img2img.mosaic.pixelate, 'function');
  assert.equal(typeof img2img.restore.restoreRegions, 'function');
  assert.equal(typeof img2img.restore.apply, 'function');
  assert.equal(typeof img2img.restore.psnr, 'function');
  assert.equal(typeof img2img.exportModel, 'function');
  assert.equal(typeof img2img.onnx.translateImage, 'function');
  assert.equal(typeof img2img.serve, 'function');
  assert.equal(typeof img2img.InProcessJobRunner, 'function');
  assert.equal(typeof img2img.jobs.BullJobRunner, 'function');
  assert.equal(typeof img2img.jobs.InProcessJobRunner, 'function');
  assert.equal(typeof img2img.jobs.submit, 'function');
});
