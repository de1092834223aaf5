// Finding the CAM head of an ONNX classifier: the last feature map F (the input of a
// GlobalAveragePool, or of a ReduceMean over H and W) and the linear layer after it (Gemm, or
// MatMul [+ Add]) whose weights W [classes, K] give CAM_c = sum_k W[c, k] F_k.
import { attrFloat, attrInt, nodeLabel, type OnnxNode } from '../graph/onnx/import-proto.js';
import { constantOf, lookupNode, reduceAxes, type OnnxClassifierFile } from './model.js';

export interface CamHead {
  /** ONNX value name of the feature map [1, K, h, w]. */
  featureValue: string;
  /** Node that consumes the feature map (the pooling), when found. */
  poolNode: string | null;
  /** The linear layer's node. */
  fcNode: string;
  /** W as [numClasses, channels], row-major (Gemm's B honoring transB, scaled by alpha). */
  weights: Float32Array;
  numClasses: number;
  channels: number;
}

export interface HeadOptions {
  /** Node (or value) producing the feature map. */
  featureNode?: string;
  /** The linear layer's node (Gemm or MatMul). */
  fcNode?: string;
}

/** Ops that pass a tensor through unchanged for CAM's purpose (reshapes, output activations). */
const PASS_BACK_FROM_OUTPUT = ['Identity', 'Dropout', 'Softmax', 'LogSoftmax', 'Sigmoid', 'Flatten', 'Reshape', 'Squeeze'];
const PASS_BACK_TO_POOL = ['Identity', 'Dropout', 'Flatten', 'Reshape', 'Squeeze'];

function looksFor(f: OnnxClassifierFile): string {
  return 'CAM needs a GlobalAveragePool (or ReduceMean over H,W) whose output feeds a linear layer (Gemm, or MatMul [+ Add]) with constant weights, '
    + `before output '${f.outputName}'`;
}

function noHead(f: OnnxClassifierFile, why: string): Error {
  return new Error(`classifier ${f.path}: no CAM head found: ${looksFor(f)}; ${why}. `
    + 'Use --method gradcam, or name the layers with --feature-node and --fc-node');
}

/** Locates the feature map and the linear weights; see the module comment. */
export function findCamHead(f: OnnxClassifierFile, opts: HeadOptions = {}): CamHead {
  // 1. The linear layer.
  let fc: OnnxNode;
  if (opts.fcNode) {
    fc = lookupNode(f, opts.fcNode, '--fc-node');
    if (fc.op_type !== 'Gemm' && fc.op_type !== 'MatMul') {
      throw new Error(`--fc-node ${opts.fcNode}: node '${nodeLabel(fc)}' of classifier ${f.path} is a ${fc.op_type}, not a Gemm or MatMul`);
    }
  } else {
    let v = f.outputName;
    let found: OnnxNode | null = null;
    for (let p = f.producers.get(v); p; p = f.producers.get(v)) {
      if (p.op_type === 'Gemm') {
        found = p;
        break;
      }
      if (p.op_type === 'MatMul' && constantOf(f, p.input![1])) {
        found = p;
        break;
      }
      if (p.op_type === 'Add') {
        const mm = p.input!.map((i) => f.producers.get(i)).find((q) => q?.op_type === 'MatMul' && constantOf(f, q.input![1]));
        if (mm) {
          found = mm;
          break;
        }
      }
      if (!PASS_BACK_FROM_OUTPUT.includes(p.op_type)) {
        throw noHead(f, `walking back from the output met node '${nodeLabel(p)}' (${p.op_type}) before any linear layer`);
      }
      v = p.input![0];
    }
    if (!found) throw noHead(f, 'no linear layer produces the output');
    fc = found;
  }

  // 2. The pooling before it, and the feature map.
  let featureValue: string;
  let poolNode: string | null = null;
  if (opts.featureNode) {
    const byName = f.nodesByName.get(opts.featureNode);
    if (byName) featureValue = byName.output![0];
    else {
      lookupNode(f, opts.featureNode, '--feature-node'); // throws when no node produces the value
      featureValue = opts.featureNode;
    }
  } else {
    let v = fc.input![0];
    let pool: OnnxNode | null = null;
    for (let p = f.producers.get(v); p; p = f.producers.get(v)) {
      if (p.op_type === 'GlobalAveragePool') {
        pool = p;
        break;
      }
      if (p.op_type === 'ReduceMean') {
        const axes = reduceAxes(f, p)?.map((a) => (a < 0 ? a + 4 : a)).sort();
        if (axes && axes.length === 2 && axes[0] === 2 && axes[1] === 3) {
          pool = p;
          break;
        }
        throw noHead(f, `ReduceMean node '${nodeLabel(p)}' averages over axes [${axes ?? '?'}], not H,W ([2, 3])`);
      }
      if (!PASS_BACK_TO_POOL.includes(p.op_type)) {
        throw noHead(f, `the linear layer '${nodeLabel(fc)}' is fed by node '${nodeLabel(p)}' (${p.op_type}), not by a global average pooling`);
      }
      v = p.input![0];
    }
    if (!pool) throw noHead(f, `the linear layer '${nodeLabel(fc)}' is not fed by a global average pooling`);
    featureValue = pool.input![0];
    poolNode = nodeLabel(pool);
  }

  // 3. The weights as [classes, K].
  const b = constantOf(f, fc.input![1]);
  if (!b || b.dtype !== 'float32' || b.dims.length !== 2) {
    throw new Error(`classifier ${f.path}: the linear layer '${nodeLabel(fc)}' must have a constant 2-D float weight (input '${fc.input![1]}'); `
      + 'CAM cannot read computed weights');
  }
  const transposed = fc.op_type === 'Gemm' && attrInt(fc, 'transB', 0) === 1; // B is [N, K]
  if (fc.op_type === 'Gemm' && attrInt(fc, 'transA', 0) === 1) {
    throw new Error(`classifier ${f.path}: Gemm '${nodeLabel(fc)}' has transA=1; CAM expects features as rows`);
  }
  const alpha = fc.op_type === 'Gemm' ? attrFloat(fc, 'alpha', 1) : 1;
  const [r, c] = b.dims;
  const numClasses = transposed ? r : c;
  const channels = transposed ? c : r;
  const weights = new Float32Array(numClasses * channels);
  for (let n = 0; n < numClasses; n++) {
    for (let k = 0; k < channels; k++) weights[n * channels + k] = alpha * (transposed ? b.data[n * c + k] : b.data[k * c + n]);
  }
  return { featureValue, poolNode, fcNode: nodeLabel(fc), weights, numClasses, channels };
}

/** CAM_c = sum_k W[c, k] F_k for a feature map [K, h, w] (batch item 0): an h x w map. */
export function camFromFeatures(
  feature: ArrayLike<number>, channels: number, h: number, w: number, weights: ArrayLike<number>, classIndex: number,
): Float32Array {
  const plane = h * w;
  if (feature.length < channels * plane) throw new Error(`camFromFeatures: ${feature.length} feature values, need ${channels}x${h}x${w}`);
  const out = new Float32Array(plane);
  for (let k = 0; k < channels; k++) {
    const wk = weights[classIndex * channels + k];
    if (wk === 0) continue;
    const off = k * plane;
    for (let i = 0; i < plane; i++) out[i] += wk * feature[off + i];
  }
  return out;
}
