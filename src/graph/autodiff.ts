import { Tensor, constant } from './tensor.js';
import { numel, fmt } from './shape.js';
import { opDef } from './ops/registry.js';
import { add } from './ops/elementwise.js';
import { expand } from './ops/shape-ops.js';

/** Nodes reachable from `roots`, inputs before the nodes that use them. */
export function topoSort(roots: readonly Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<number>();
  // Iterative DFS: U-Nets and their gradients are deep enough to overflow recursion.
  const stack: [Tensor, number][] = roots.map((r) => [r, 0]);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [node, i] = top;
    if (i === 0 && seen.has(node.id)) {
      stack.pop();
      continue;
    }
    if (i < node.inputs.length) {
      top[1]++;
      const child = node.inputs[i];
      if (!seen.has(child.id)) stack.push([child, 0]);
    } else {
      stack.pop();
      if (!seen.has(node.id)) {
        seen.add(node.id);
        order.push(node);
      }
    }
  }
  return order;
}

/**
 * Reverse-mode differentiation: builds the graph of d(loss)/d(w) for each w in `wrt`.
 * Only branches between the loss and `wrt` are differentiated; gradients of tensors used
 * several times are summed. `seed` is the output gradient (ones for a scalar loss).
 */
export function grad(loss: Tensor, wrt: readonly Tensor[], seed?: Tensor): Tensor[] {
  if (!seed && numel(loss.shape) !== 1) throw new Error(`grad: loss ${loss} must be a scalar (or pass a seed gradient of shape ${fmt(loss.shape)})`);
  if (loss.dtype !== 'float32') throw new Error(`grad: loss ${loss} must be float32`);
  const order = topoSort([loss]);
  const targets = new Set(wrt.map((w) => w.id));
  const needsGrad = new Set<number>();
  for (const node of order) {
    if (targets.has(node.id)) needsGrad.add(node.id);
    else if (node.dtype === 'float32' && node.inputs.some((x) => needsGrad.has(x.id)) && opDef(node.op).vjp) needsGrad.add(node.id);
  }
  const grads = new Map<number, Tensor>();
  grads.set(loss.id, seed ?? constant(new Float32Array(numel(loss.shape)).fill(1), loss.shape));
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k];
    const g = grads.get(node.id);
    if (!g || node.inputs.length === 0 || !needsGrad.has(node.id)) continue;
    const needs = node.inputs.map((x) => needsGrad.has(x.id));
    const inputGrads = opDef(node.op).vjp!(node, g, needs);
    node.inputs.forEach((x, i) => {
      const gi = inputGrads[i];
      if (!gi || !needs[i]) return;
      if (gi.shape.length !== x.shape.length || gi.shape.some((d, j) => d !== x.shape[j])) {
        throw new Error(`grad: VJP of ${node.op} gave input ${i} a gradient of shape ${fmt(gi.shape)}, expected ${fmt(x.shape)}`);
      }
      const prev = grads.get(x.id);
      grads.set(x.id, prev ? add(prev, gi) : gi);
    });
  }
  return wrt.map((w) => grads.get(w.id) ?? expand(constant(0), w.shape));
}
