// Measures the test suite's strength: applies deliberate bugs ("mutations"), one at a time, to a
// scratch copy of the checkout and runs the test files that should catch each one. Every mutation
// must make those tests fail; the script prints a table and exits non-zero if any survives (or if
// the tests fail before any mutation, which would make "caught" meaningless).
//
//   npm run mutate                  all mutations (a few minutes on 2 cores)
//   npm run mutate -- adam dropout  only mutations whose name contains one of the words
//   npm run mutate -- --list        list them
//   npm run mutate -- --keep        keep the scratch copy (its path is printed), with a log per mutation
//
// The copy holds the files git tracks plus untracked, non-ignored ones (so uncommitted work is
// measured too); node_modules and build/ (the native addon) are symlinked. Each mutation replaces
// one exact piece of text in one file; if that text is not found exactly once the script stops
// with an error, so a refactor cannot silently turn a mutation into a no-op. Not part of npm test.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** file, the exact original text, its replacement, the test files that must fail. */
const MUTATIONS = [
  {
    name: '--continue-train ignored (every resume starts afresh)',
    file: 'src/train/job.ts',
    from: 'continueFrom: o.continueTrain ? o.epoch : undefined,',
    to: 'continueFrom: undefined,',
    tests: ['test/train/resume.test.ts'],
  },
  {
    name: 'resume restores step, optimizer and streams but not the network weights',
    file: 'src/train/trainer.ts',
    from: 'net.loadStateDict(tensors, { source: networkPath(dir, label, role) });',
    to: 'void tensors;',
    tests: ['test/train/resume.test.ts'],
  },
  {
    name: 'Adam fused step scaled by 0.55',
    file: 'src/optim/adam.ts',
    from: '    const { stepSize, bc2Sqrt } = this.coefficients();\n    const [b1, b2] = this.betas;',
    to: '    const { stepSize: s0, bc2Sqrt } = this.coefficients();\n    const stepSize = 0.55 * s0;\n    const [b1, b2] = this.betas;',
    tests: ['test/gan/pix2pix-step.test.ts', 'test/gan/cyclegan-step.test.ts'],
  },
  {
    name: 'Adam fused step scaled by 1.45',
    file: 'src/optim/adam.ts',
    from: '    const { stepSize, bc2Sqrt } = this.coefficients();\n    const [b1, b2] = this.betas;',
    to: '    const { stepSize: s0, bc2Sqrt } = this.coefficients();\n    const stepSize = 1.45 * s0;\n    const [b1, b2] = this.betas;',
    tests: ['test/gan/pix2pix-step.test.ts', 'test/gan/cyclegan-step.test.ts'],
  },
  {
    // Both corrections of step t + 1 at step t: the first update is 0.943x the right one.
    name: 'Adam fused step (CycleGAN path): bias corrections one step ahead',
    file: 'src/optim/adam.ts',
    from: '    const { stepSize, bc2Sqrt } = this.coefficients();\n    const [b1, b2] = this.betas;',
    to: '    const { stepSize: s0, bc2Sqrt: c0 } = this.coefficients();\n    const [b1, b2] = this.betas;\n'
      + '    const stepSize = (s0 * (1 - b1 ** this.t)) / (1 - b1 ** (this.t + 1)), bc2Sqrt = c0 * Math.sqrt((1 - b2 ** (this.t + 1)) / (1 - b2 ** this.t));',
    tests: ['test/gan/cyclegan-step.test.ts'],
  },
  {
    name: 'Adam in-graph update (pix2pix D): no second-moment bias correction',
    file: 'src/optim/adam.ts',
    from: "const feeds: Record<string, Float32Array> = { [`${prefix}_step_size`]: Float32Array.of(stepSize), [`${prefix}_bc2_sqrt`]: Float32Array.of(bc2Sqrt) };",
    to: "const feeds: Record<string, Float32Array> = { [`${prefix}_step_size`]: Float32Array.of(stepSize), [`${prefix}_bc2_sqrt`]: Float32Array.of(1) };",
    tests: ['test/gan/pix2pix-step.test.ts'],
  },
  {
    name: 'dropout keeps 95 % of units instead of 1 - p (sampling tests)',
    file: 'src/graph/ops/functional.ts',
    from: 'return mul(x, mul(randomMask(x.shape, 1 - p), 1 / (1 - p)));',
    to: 'return mul(x, mul(randomMask(x.shape, 0.95), 1 / (1 - p)));',
    tests: ['test/graph/dropout.test.ts'],
  },
  {
    name: 'dropout keeps 95 % of units instead of 1 - p (pix2pix step vs PyTorch)',
    file: 'src/graph/ops/functional.ts',
    from: 'return mul(x, mul(randomMask(x.shape, 1 - p), 1 / (1 - p)));',
    to: 'return mul(x, mul(randomMask(x.shape, 0.95), 1 / (1 - p)));',
    tests: ['test/gan/pix2pix-step.test.ts'],
  },
  {
    name: 'SGD momentum in the JavaScript loop damped (buf = m buf + (1 - m) g)',
    file: 'src/optim/sgd.ts',
    from: '(b[i] = first ? gi : momentum * b[i] + gi)',
    to: '(b[i] = first ? gi : momentum * b[i] + (1 - momentum) * gi)',
    tests: ['test/train/steps-vs-pytorch.test.ts'],
  },
  {
    name: 'VJP sign: d(a - b)/db = +g',
    file: 'src/graph/ops/elementwise.ts',
    from: "vjp: (n, g, need) => both(n, need[0] ? g : null, need[1] ? neg(g) : null)",
    to: "vjp: (n, g, need) => both(n, need[0] ? g : null, need[1] ? g : null)",
    tests: ['test/graph/ops-vs-pytorch.test.ts'],
  },
  {
    name: 'mosaic block average divides by one column too many',
    file: 'src/mosaic/pixelate.ts',
    from: 'const n = (x1 - x0) * (y1 - y0);',
    to: 'const n = (x1 - x0 + 1) * (y1 - y0);',
    tests: ['test/mosaic/pixelate.test.ts'],
  },
  {
    name: 'horizontal flip off by one column',
    file: 'src/data/transforms.ts',
    from: 'const to = row + (w - 1 - x) * c;',
    to: 'const to = row + Math.min(w - 1, w - x) * c;',
    tests: ['test/data/transforms.test.ts'],
  },
  {
    name: '--no-flip ignored',
    file: 'src/data/transforms.ts',
    from: 'if (!opt.noFlip && params.flip) out = flipHorizontal(out);',
    to: 'if (params.flip) out = flipHorizontal(out);',
    tests: ['test/data/transforms.test.ts', 'test/data/loader.test.ts'],
  },
  {
    name: 'conditional GAN demo: the one-hot ignores the class',
    file: 'src/demo/gan2d.ts',
    from: 'for (let i = start; i < start + count; i++) out[i * k + c] = 1;',
    to: 'for (let i = start; i < start + count; i++) out[i * k] = 1;',
    tests: ['test/demo/gan2d-command.test.ts'],
  },
  {
    name: 'restorer resume without the example stream (fresh batches after a resume)',
    file: 'src/restore/net/train.ts',
    from: '  if (o.resume) rng.setState(loaded!.meta.trainState?.rng as RngState);',
    to: '  void loaded;',
    tests: ['test/restore/restorer.test.ts'],
  },
  {
    name: 'restorer projection subtracts the block mean on every pixel, not only mosaic pixels',
    file: 'src/restore/net/restorer.ts',
    from: '  return g.sub(r, g.mul(g.mul(p.mask, p.consistent), spread(mean)));',
    to: '  return g.sub(r, g.mul(p.consistent, spread(mean)));',
    tests: ['test/restore/restorer.test.ts'],
  },
  {
    name: 'classical estimate: samples placed half a pixel off',
    file: 'src/restore/classical.ts',
    from: '    const u = (p - origin - offset) / size;',
    to: '    const u = (p - origin - offset + 0.5) / size;',
    tests: ['test/restore/classical.test.ts'],
  },
  {
    name: 'rotated-kernel input gradient: padding not mirrored (top/bottom swapped)',
    file: 'src/graph/ops/conv.ts',
    from: "[0, 1, 2, 3].map((i) => w.shape[2 + (i % 2)] - 1 - pads[i])",
    to: '[2, 3, 0, 1].map((i) => w.shape[2 + (i % 2)] - 1 - pads[i])',
    tests: ['test/graph/ops-vs-pytorch.test.ts', 'test/graph/conv-paths.test.ts'],
  },
  {
    name: 'strided weight-gradient taps read from the wrong SpaceToDepth phase',
    file: 'src/graph/ops/conv.ts',
    from: 'const phase = ((y0 % s) * s + (x0 % s)) * c + c0;',
    to: 'const phase = ((x0 % s) * s + (y0 % s)) * c + c0;',
    tests: ['test/graph/conv-paths.test.ts'],
  },
  {
    name: 'few-output weight gradient: stride and dilation not swapped in the correlation',
    file: 'src/graph/ops/conv.ts',
    from: "const window = { stride: [dilations[0], dilations[1]] as [number, number], dilation: [strides[0], strides[1]] as [number, number] };\n  let gw",
    to: "const window = { stride: [strides[0], strides[1]] as [number, number], dilation: [dilations[0], dilations[1]] as [number, number] };\n  let gw",
    tests: ['test/graph/ops-vs-pytorch.test.ts'],
  },
  {
    name: 'reflection-pad adjoint: the left border folded onto the wrong pixels',
    file: 'src/graph/ops/shape-ops.ts',
    from: 'pieces.push(part(b, b + 1), add(part(b + 1, 2 * b + 1), reversed(0, b)));',
    to: 'pieces.push(part(b, b + 1), add(part(b + 1, 2 * b + 1), part(0, b)));',
    tests: ['test/graph/ops-vs-pytorch.test.ts'],
  },
];

const args = process.argv.slice(2);
const keep = args.includes('--keep');
const words = args.filter((a) => !a.startsWith('--'));
if (args.includes('--list')) {
  for (const m of MUTATIONS) console.log(`${m.name}\n    ${m.file}; tests: ${m.tests.join(', ')}`);
  process.exit(0);
}
const chosen = MUTATIONS.filter((m) => words.length === 0 || words.some((w) => m.name.toLowerCase().includes(w.toLowerCase())));
if (chosen.length === 0) {
  console.error(`no mutation matches ${words.join(', ')} (see --list)`);
  process.exit(2);
}

/** The mutated text of `m`, or an error if its original text is not in the file exactly once. */
function mutated(original, m) {
  const count = original.split(m.from).length - 1;
  if (count !== 1) throw new Error(`mutation "${m.name}": the original text occurs ${count} times in ${m.file} (expected once); update the mutation:\n  ${m.from}`);
  return original.replace(m.from, () => m.to);
}

// Check every mutation before spending any time.
for (const m of chosen) {
  if (!existsSync(join(ROOT, m.file))) throw new Error(`mutation "${m.name}": no file ${m.file}`);
  mutated(readFileSync(join(ROOT, m.file), 'utf8'), m);
  for (const t of m.tests) if (!existsSync(join(ROOT, t))) throw new Error(`mutation "${m.name}": no test file ${t}`);
}

// The scratch copy.
const scratch = mkdtempSync(join(tmpdir(), 'img2img-mutate-'));
const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
for (const f of listed.stdout.split('\0').filter(Boolean)) {
  if (!existsSync(join(ROOT, f))) continue; // deleted in the work tree
  mkdirSync(dirname(join(scratch, f)), { recursive: true });
  copyFileSync(join(ROOT, f), join(scratch, f));
}
for (const linked of ['node_modules', 'build']) if (existsSync(join(ROOT, linked))) symlinkSync(join(ROOT, linked), join(scratch, linked), 'dir');
const logs = join(scratch, 'mutate-logs');
mkdirSync(logs);
console.log(`scratch copy: ${scratch}`);

/** Runs test files in the scratch copy; returns pass/fail, the first failure and the seconds taken. */
function runTests(tests, logName) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['scripts/run-tests.mjs', ...tests], {
    cwd: scratch, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' }, timeout: 15 * 60_000, maxBuffer: 64 * 1024 * 1024,
  });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  writeFileSync(join(logs, `${logName}.log`), out);
  const lines = out.split('\n');
  const at = lines.findIndex((l) => /^not ok \d+ - /.test(l));
  let failure = '';
  if (at >= 0) {
    const error = lines.slice(at + 1, at + 40).find((l) => /^\s+error: /.test(l));
    const errorText = error?.replace(/^\s+error: /, '').replace(/^\|-?$/, '').trim();
    const detail = errorText || lines.slice(at + 1, at + 40).find((l) => /^\s{4}\S/.test(l) && !/^\s+(duration_ms|location|failureType|code|name|expected|actual|operator|stack):/.test(l))?.trim();
    failure = `${lines[at].replace(/^not ok \d+ - /, '')}: ${detail ?? ''}`;
  } else if (r.status !== 0) {
    failure = r.error ? String(r.error.message) : `exit ${r.status ?? r.signal}`;
  }
  return { passed: r.status === 0, failure, seconds: (Date.now() - t0) / 1000 };
}

const started = Date.now();
const union = [...new Set(chosen.flatMap((m) => m.tests))];
console.log(`baseline: ${union.length} test files, unmutated ...`);
const baseline = runTests(union, 'baseline');
if (!baseline.passed) {
  console.error(`the tests fail without any mutation (${baseline.failure}); see ${join(logs, 'baseline.log')}`);
  process.exit(2);
}
console.log(`baseline passed in ${baseline.seconds.toFixed(0)} s`);

const rows = [];
for (const [i, m] of chosen.entries()) {
  const path = join(scratch, m.file);
  const original = readFileSync(path, 'utf8');
  writeFileSync(path, mutated(original, m));
  process.stdout.write(`[${i + 1}/${chosen.length}] ${m.name} ... `);
  let r;
  try {
    r = runTests(m.tests, `mutation-${i + 1}`);
  } finally {
    writeFileSync(path, original);
  }
  console.log(r.passed ? `SURVIVED (${r.seconds.toFixed(0)} s)` : `caught (${r.seconds.toFixed(0)} s)`);
  rows.push({ m, ...r });
}

const short = (s, n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
console.log('\n| mutation | tests run | caught? | first failing test: assertion | s |\n| --- | --- | --- | --- | --- |');
for (const r of rows) {
  const tests = r.m.tests.map((t) => t.replace(/^test\//, '').replace(/\.test\.ts$/, '')).join(', ');
  console.log(`| ${r.m.name} | ${tests} | ${r.passed ? '**NO**' : 'yes'} | ${short(r.failure.replace(/\|/g, '\\|'), 140)} | ${r.seconds.toFixed(0)} |`);
}
const survived = rows.filter((r) => r.passed);
console.log(`\n${rows.length - survived.length} of ${rows.length} mutations caught; ${((Date.now() - started) / 1000).toFixed(0)} s in all (baseline ${baseline.seconds.toFixed(0)} s)`);
if (keep) console.log(`kept ${scratch} (logs in ${logs})`);
else rmSync(scratch, { recursive: true, force: true });
process.exit(survived.length ? 1 : 0);
