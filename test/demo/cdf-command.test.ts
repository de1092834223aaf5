import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Command } from 'commander';
import sharp from 'sharp';
import { registerCdfDemo } from '../../src/cli/demo.js';

function program(log: string[]): Command {
  const p = new Command('img2img').exitOverride();
  const demo = p.command('demo').exitOverride();
  registerCdfDemo(demo, (line) => log.push(line)).exitOverride();
  return p;
}

test('demo cdf with a CSV density writes the PNG and prints the KS result', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cdf-cmd-'));
  try {
    const csv = join(dir, 'tri.csv');
    await writeFile(csv, 'x,density\n0,0\n1,1\n2,0\n');
    const out = join(dir, 'plot.png');
    const log: string[] = [];
    await program(log).parseAsync(['demo', 'cdf', '--pdf', csv, '--n', '3000', '--bins', '30', '--seed', '3', '-o', out], { from: 'user' });
    const text = log.join('\n');
    assert.match(text, /KS: D=0\.\d+ p=[\d.]+: consistent with the density at level 0\.01/);
    assert.match(text, /chi-square: [\d.]+ on \d+ dof/);
    assert.match(text, new RegExp(`wrote ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.equal((await sharp(out).metadata()).format, 'png');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('demo cdf rejects bad numbers', async () => {
  const errors: string[] = [];
  const p = program([]);
  p.configureOutput({ writeErr: (s) => errors.push(s) });
  for (const c of p.commands) c.configureOutput({ writeErr: (s) => errors.push(s) });
  for (const c of p.commands[0].commands) c.configureOutput({ writeErr: (s) => errors.push(s) });
  await assert.rejects(p.parseAsync(['demo', 'cdf', '--n', '12x'], { from: 'user' }), /--n must be an integer >= 1, got "12x"/);
  await assert.rejects(p.parseAsync(['demo', 'cdf', '--range', '3,1'], { from: 'user' }), /expected "lo,hi" with lo < hi/);
});
