// Adam's two forms share one definition: the in-graph update (used for pix2pix's discriminator)
// gives the same weights and moments as the fused update (its JavaScript loop and the native
// addon, skipped with the reason when not built), with and without weight decay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as g from '../../src/graph/index.js';
import { Linear, Sequential, Tanh } from '../../src/nn/index.js';
import { Step } from '../../src/runtime/step.js';
import { Adam } from '../../src/optim/adam.js';
import { nativeKernelsUnavailable } from '../../src/optim/native-kernels.js';
import { Rng } from '../../src/util/rng.js';
import { assertClose } from '../helpers/numeric.js';

const rng = new Rng(3);
const rand = (n: number) => Float32Array.from({ length: n }, () => rng.normal());

function pair() {
  const a = new Sequential(new Linear(5, 4), Tanh(), new Linear(4, 2));
  const b = new Sequential(new Linear(5, 4), Tanh(), new Linear(4, 2));
  b.loadStateDict(new Map([...a.stateDict()].map(([k, t]) => [k, { ...t, data: (t.data as Float32Array).slice() }])));
  return { a, b };
}

for (const [weightDecay, kernels] of [[0, 'js'], [0.05, 'js'], [0, 'native'], [0.05, 'native']] as const) {
  const skip = kernels === 'native' && nativeKernelsUnavailable ? `native optimizer kernels not built: ${nativeKernelsUnavailable}` : false;
  test(`Adam in-graph update equals the fused update over 5 steps (weight decay ${weightDecay}, ${kernels} kernels)`, { skip }, async () => {
    const { a, b } = pair();
    const x = g.input('x', [3, 5]);
    const t = g.input('t', [3, 2]);
    const feeds = { x: rand(15), t: rand(6) };
    const o = { lr: 0.01, betas: [0.5, 0.999] as [number, number], weightDecay };
    const fusedOpt = new Adam(a.parameters(), { ...o, kernels });
    const fused = await Step.compile({ build: () => ({ loss: g.mseLoss(a.forward(x), t) }), loss: 'loss', wrt: a.parameters(), modules: [a] }, { threads: 1 });
    const graphOpt = new Adam(b.parameters(), o);
    const upd = graphOpt.inGraph('u');
    const inGraph = await Step.compile({
      build: () => {
        const loss = g.mseLoss(b.forward(x), t);
        return { loss, ...upd.build(loss).outputs };
      },
      into: upd.into,
      modules: [b],
    }, { threads: 1 });
    for (let i = 0; i < 5; i++) {
      const la = (await fused.run(feeds)).loss[0];
      fusedOpt.step();
      const lb = (await inGraph.run({ ...feeds, ...upd.begin() })).loss[0];
      upd.commit();
      assert.ok(Math.abs(la - lb) < 1e-5, `step ${i}: loss ${la} vs ${lb}`);
    }
    assert.equal(graphOpt.t, 5);
    const sa = fusedOpt.stateDict(), sb = graphOpt.stateDict();
    for (const [k, v] of sa.tensors) assertClose(sb.tensors.get(k)!.data as Float32Array, v.data as Float32Array, 1e-5, k);
    a.parameters().forEach((p, k) => assertClose(b.parameters()[k].data, p.data, 1e-5, `param ${k}`));
    await fused.release();
    await inGraph.release();
  });
}
