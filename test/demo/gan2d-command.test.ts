import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Command } from 'commander';
import sharp from 'sharp';
import { createImage, writeImage } from '../../src/data/image.js';
import { formatGan2dResult, registerGan2dDemo } from '../../src/cli/demo.js';
import { resolveTargets } from '../../src/demo/job.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gan2d-cmd-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function program(log: string[]): Command {
  const p = new Command('img2img').exitOverride();
  const demo = p.command('demo').exitOverride();
  registerGan2dDemo(demo, (line) => log.push(line)).exitOverride();
  return p;
}

const tiny = ['--steps', '20', '--hidden', '16', '--layers', '2', '--batch-size', '32', '--eval-points', '200', '--threads', '1'];

test('demo gan2d --image: trains on the picture, writes frames, GIF and summary, prints the distances', async () => {
  const img = createImage(24, 16, 1, 255);
  for (let y = 4; y < 12; y++) for (let x = 6; x < 18; x++) img.data[y * 24 + x] = 40;
  const picture = join(dir, 'target.png');
  await writeImage(picture, img);
  const out = join(dir, 'out');
  const log: string[] = [];
  await program(log).parseAsync(['demo', 'gan2d', '--image', picture, ...tiny, '--frames', '10', '--gif', '-o', out], { from: 'user' });
  const text = log.join('\n');
  assert.match(text, /^step 0\/20 {2}SWD 0\.\d{4}$/m);
  assert.match(text, /^step 20\/20 {2}D [\d.]+ {2}G [\d.]+ {2}SWD 0\.\d{4}$/m);
  assert.match(text, new RegExp(`target\\.png: sliced Wasserstein 0\\.\\d{4} \\(initial G\\) -> \\d\\.\\d{4} \\(final G\\), x\\d\\.\\d{3}`));
  assert.match(text, /wrote 3 frames/);
  for (const f of ['frame-000000.png', 'frame-000010.png', 'frame-000020.png', 'gan2d.png']) assert.equal((await sharp(join(out, f)).metadata()).format, 'png', f);
  assert.equal((await sharp(join(out, 'gan2d.gif')).metadata()).format, 'gif');
});

test('demo gan2d --cgan with shapes per class', async () => {
  const out = join(dir, 'cgan');
  const log: string[] = [];
  await program(log).parseAsync(['demo', 'gan2d', '--cgan', '--shape', 'grid', '--shape', 'spiral', ...tiny, '-o', out], { from: 'user' });
  const text = log.join('\n');
  assert.match(text, /^class 0 grid: sliced Wasserstein 0\.\d{4} \(initial G\) -> \d\.\d{4} \(final G\), x\d\.\d{3}$/m);
  assert.match(text, /^class 1 spiral: sliced Wasserstein 0\.\d{4} \(initial G\) -> \d\.\d{4} \(final G\), x\d\.\d{3}$/m);
  // (20 steps teach nothing: the verdict is checked after real training, in the next test.)
  assert.ok(existsSync(join(out, 'gan2d.png')));
  assert.ok(!existsSync(join(out, 'frame-000000.png')));
});

test('demo gan2d --cgan on two pictures apart: the trained classes end closest to their own targets', async () => {
  // Dark (dense) squares in the left and in the right part of the same frame.
  const pictures = ['left', 'right'].map((side, k) => {
    const img = createImage(24, 16, 1, 255);
    for (let y = 4; y < 12; y++) for (let x = 2 + 12 * k; x < 10 + 12 * k; x++) img.data[y * 24 + x] = 0;
    return { img, file: join(dir, `${side}.png`) };
  });
  for (const { img, file } of pictures) await writeImage(file, img);
  const log: string[] = [];
  const args = ['--steps', '300', '--hidden', '16', '--layers', '2', '--batch-size', '32', '--eval-points', '200', '--threads', '1'];
  await program(log).parseAsync(['demo', 'gan2d', '--cgan', ...pictures.flatMap((p) => ['--image', p.file]), ...args, '-o', join(dir, 'apart')], { from: 'user' });
  const text = log.join('\n');
  for (const [c, name] of [[0, 'left.png'], [1, 'right.png']] as const) {
    const m = new RegExp(`^class ${c} ${name}: sliced Wasserstein (\\d\\.\\d{4}) \\(initial G\\) -> (\\d\\.\\d{4}) \\(final G\\)`, 'm').exec(text);
    assert.ok(m, text);
    assert.ok(Number(m[2]) < 0.8 * Number(m[1]), `class ${c} did not get closer to its target: ${m[0]}`);
  }
  assert.match(text, /^each class closest to its own target: yes$/m);
});

test('the cgan verdict: yes only when every class is closest to its own target', () => {
  const result = (swdCross: number[][]) => ({
    labels: ['a', 'b'], steps: 1, swdInitial: [1, 1], swdFinal: [swdCross[0][0], swdCross[1][1]], swdCross, history: [],
    lossD: new Float32Array(), lossG: new Float32Array(), generated: [], reference: [], frames: [], trainSeconds: 0,
  });
  assert.match(formatGan2dResult(result([[0.1, 0.5], [0.6, 0.2]])), /each class closest to its own target: yes/);
  assert.match(formatGan2dResult(result([[0.1, 0.5], [0.1, 0.2]])), /each class closest to its own target: NO/);
  assert.match(formatGan2dResult(result([[0.5, 0.1], [0.6, 0.2]])), /each class closest to its own target: NO/);
});

test('demo gan2d: targets and option errors', async () => {
  assert.deepEqual((await resolveTargets({ image: [], shape: [], maxSide: 512 })).map((t) => t.label), ['8gaussians']);
  assert.deepEqual((await resolveTargets({ image: [], shape: [], cgan: true, maxSide: 512 })).map((t) => t.label), ['ring', 'moons']);
  await assert.rejects(resolveTargets({ image: [], shape: ['ring', 'grid'], maxSide: 512 }), /2 targets given \(ring, grid\); a plain GAN takes one, use --cgan/);
  await assert.rejects(resolveTargets({ image: [], shape: ['ring'], cgan: true, maxSide: 512 }), /--cgan needs at least two classes/);
  await assert.rejects(resolveTargets({ image: [], shape: ['star'], maxSide: 512 }), /unknown shape 'star'/);
  await assert.rejects(program([]).parseAsync(['demo', 'gan2d', '--gif', ...tiny, '-o', join(dir, 'x')], { from: 'user' }), /option 'gif': gif needs frames/);
  const errors: string[] = [];
  const p = program([]);
  for (const c of [p, ...p.commands, ...p.commands[0].commands]) c.configureOutput({ writeErr: (s) => errors.push(s) });
  await assert.rejects(p.parseAsync(['demo', 'gan2d', '--steps', '0'], { from: 'user' }));
  await assert.rejects(p.parseAsync(['demo', 'gan2d', '--loss', 'wgan'], { from: 'user' }));
  assert.match(errors.join(''), /expected an integer >= 1, got '0'/);
  assert.match(errors.join(''), /expected one of vanilla, lsgan, got 'wgan'/);
});
