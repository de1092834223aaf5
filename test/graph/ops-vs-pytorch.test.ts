// Every op's forward output and VJP against PyTorch (fixtures from tools/fixtures/ops.py),
// and every VJP against central finite differences of the engine's own forward pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as g from '../../src/graph/index.js';
import { CompiledGraph } from '../../src/runtime/session.js';
import { OP_BUILDERS } from '../helpers/op-cases.js';
import { assertClose } from '../helpers/numeric.js';

interface Arr { shape: number[]; data: number[] }
interface Case { name: string; op: string; attrs: Record<string, unknown>; inputs: Arr[]; outputs: Arr[]; gradOutputs: (Arr | null)[]; grads: (Arr | null)[] }

const cases: Case[] = JSON.parse(readFileSync(new URL('../fixtures/ops/cases.json', import.meta.url), 'utf8'));

async function checkCase(c: Case): Promise<void> {
  const inputs = c.inputs.map((x, i) => g.input(`in${i}`, x.shape));
  const outputs = OP_BUILDERS[c.op](inputs, c.attrs);
  assert.equal(outputs.length, c.outputs.length, `${c.name}: output count`);
  // The scalar whose gradient is the VJP: sum_k <output_k, gradOutput_k>.
  const terms = outputs.flatMap((o, k) => (c.gradOutputs[k] ? [g.sum(g.mul(o, g.input(`gout${k}`, c.gradOutputs[k]!.shape)))] : []));
  const objective = terms.reduce((a, b) => g.add(a, b));
  const wrt = c.grads.flatMap((gr, i) => (gr ? [inputs[i]] : []));
  const grads = g.grad(objective, wrt);
  const named: Record<string, g.Tensor> = { objective };
  outputs.forEach((o, k) => (named[`out${k}`] = o));
  grads.forEach((gr, k) => (named[`grad${k}`] = gr));
  const graph = await CompiledGraph.compile(named, { threads: 1 });
  const feeds: Record<string, Float32Array> = {};
  c.inputs.forEach((x, i) => (feeds[`in${i}`] = Float32Array.from(x.data)));
  c.gradOutputs.forEach((go, k) => go && (feeds[`gout${k}`] = Float32Array.from(go.data)));
  const feedsFor = (names: readonly { name: string }[], f: Record<string, Float32Array>) => Object.fromEntries(names.map((s) => [s.name, f[s.name]]));
  const r = await graph.run(feedsFor(graph.inputs, feeds));
  c.outputs.forEach((o, k) => {
    assert.deepEqual([...outputs[k].shape], o.shape, `${c.name}: output ${k} shape`);
    assertClose(r[`out${k}`], o.data, 1e-5, `${c.name}: output ${k} vs PyTorch`);
  });
  const inputIndex = c.grads.flatMap((gr, i) => (gr ? [i] : []));
  inputIndex.forEach((i, k) => assertClose(r[`grad${k}`], c.grads[i]!.data, 1e-5, `${c.name}: grad of input ${i} vs PyTorch`));

  // Directional finite differences: (f(x + e v) - f(x - e v)) / 2e against <grad, v>.
  const fwd = await CompiledGraph.compile({ objective }, { threads: 1 });
  const eps = 1e-3;
  for (const [k, i] of inputIndex.entries()) {
    const x = feeds[`in${i}`];
    const v = Float32Array.from(x, (_, j) => Math.sin(j * 12.9898 + i * 78.233));
    const at = async (s: number) => {
      const f = { ...feeds, [`in${i}`]: Float32Array.from(x, (xv, j) => xv + s * eps * v[j]) };
      return (await fwd.run(feedsFor(fwd.inputs, f))).objective[0];
    };
    const fd = ((await at(1)) - (await at(-1))) / (2 * eps);
    const an = r[`grad${k}`].reduce((acc, gv, j) => acc + gv * v[j], 0);
    assert.ok(Math.abs(fd - an) <= 2e-2 * Math.max(1, Math.abs(an)), `${c.name}: input ${i} finite difference ${fd} vs VJP ${an}`);
  }
  await graph.release();
  await fwd.release();
}

for (const c of cases) test(`${c.op}: ${c.name}`, () => checkCase(c));
