// Reading an ONNX image classifier: its input (name, size), its score output, and the
// optional JSON sidecar that `classifier train` writes next to it (class names, input size,
// normalization).
import { readFile } from 'node:fs/promises';
import { LimitError, readModelFile } from '../io/limits.js';
import { existsSync } from 'node:fs';
import {
  decodeOnnx, nodeLabel, realInputs, tensorValue, valueInfoShape, attrInts,
  type HostValue, type OnnxModelObject, type OnnxNode,
} from '../graph/onnx/import-proto.js';
import type { Normalization } from './preprocess.js';

/** What `classifier train` writes beside model.onnx as model.json. */
export interface ClassifierSidecar {
  classes: string[];
  inputSize: number;
  inputName: string;
  outputName: string;
  normalize: Normalization;
  [key: string]: unknown;
}

/** model.onnx -> model.json (other names get .json appended). */
export function sidecarPath(onnxPath: string): string {
  return /\.onnx$/i.test(onnxPath) ? onnxPath.replace(/\.onnx$/i, '.json') : `${onnxPath}.json`;
}

/** A decoded classifier file and the facts CAM needs about it. */
export interface OnnxClassifierFile {
  path: string;
  model: OnnxModelObject;
  inputName: string;
  /** [1, C, H, W] with the size resolved. */
  inputShape: [number, number, number, number];
  /** The model's first graph output. */
  outputName: string;
  /** The class scores: the output, or the input of a final Softmax/LogSoftmax (so scores are logits). */
  logitsName: string;
  sidecar: ClassifierSidecar | null;
  producers: Map<string, OnnxNode>;
  nodesByName: Map<string, OnnxNode>;
}

export interface LoadOptions {
  /** Side of the square input when the file's H, W are symbolic (and a check when they are not). */
  inputSize?: number;
  /** Largest model file (default 2 GiB). */
  maxBytes?: number;
}

export async function readClassifierFile(path: string, opts: LoadOptions = {}): Promise<OnnxClassifierFile> {
  let bytes: Uint8Array;
  try {
    bytes = await readModelFile(path, { maxBytes: opts.maxBytes }, `classifier ${path}`);
  } catch (err) {
    if (err instanceof LimitError) throw err;
    throw new Error(`cannot read classifier ${path}: ${(err as Error).message}`);
  }
  const model = decodeOnnx(bytes, `classifier ${path}`);
  const g = model.graph!;
  const ins = realInputs(g);
  if (ins.length !== 1) throw new Error(`classifier ${path}: expected one image input, found ${ins.length} (${ins.map((i) => i.name).join(', ')})`);
  const shape = valueInfoShape(ins[0]);
  if (!shape || shape.length !== 4) {
    const got = shape ? `[${shape.map((d) => d ?? '?')}]` : 'no shape';
    throw new Error(`classifier ${path}: input '${ins[0].name}' must be an image batch [N, C, H, W], got ${got}`);
  }
  const sidecarFile = sidecarPath(path);
  let sidecar: ClassifierSidecar | null = null;
  if (existsSync(sidecarFile)) {
    try {
      sidecar = JSON.parse(await readFile(sidecarFile, 'utf8')) as ClassifierSidecar;
    } catch (err) {
      throw new Error(`classifier sidecar ${sidecarFile}: ${(err as Error).message}`);
    }
  }
  const c = shape[1] ?? 3;
  if (c !== 1 && c !== 3) throw new Error(`classifier ${path}: input '${ins[0].name}' has ${c} channels; only 1 (grey) or 3 (RGB) are supported`);
  const size = opts.inputSize ?? sidecar?.inputSize;
  const hw = [shape[2], shape[3]].map((d, i) => {
    if (d !== null) {
      if (opts.inputSize !== undefined && opts.inputSize !== d) {
        throw new Error(`--input-size ${opts.inputSize} does not match classifier ${path}, whose input '${ins[0].name}' is ${shape[3]}x${shape[2]}`);
      }
      return d;
    }
    if (size === undefined) throw new Error(`classifier ${path}: input '${ins[0].name}' has a symbolic ${i === 0 ? 'height' : 'width'}; give --input-size`);
    return size;
  });
  const outputName = g.output?.[0]?.name;
  if (!outputName) throw new Error(`classifier ${path}: the graph has no output`);
  const producers = new Map<string, OnnxNode>();
  const nodesByName = new Map<string, OnnxNode>();
  for (const n of g.node ?? []) {
    for (const o of n.output ?? []) if (o) producers.set(o, n);
    if (n.name) nodesByName.set(n.name, n);
  }
  let logitsName = outputName;
  for (let p = producers.get(logitsName); p && ['Softmax', 'LogSoftmax', 'Identity'].includes(p.op_type); p = producers.get(logitsName)) {
    logitsName = p.input![0];
  }
  return { path, model, inputName: ins[0].name, inputShape: [1, c, hw[0], hw[1]], outputName, logitsName, sidecar, producers, nodesByName };
}

/** A value's constant data: an initializer or a Constant node's value; null when computed. */
export function constantOf(f: OnnxClassifierFile, name: string): HostValue | null {
  const init = f.model.graph!.initializer?.find((t) => t.name === name);
  if (init) return tensorValue(init, `classifier ${f.path}: initializer '${name}'`);
  const p = f.producers.get(name);
  if (p?.op_type === 'Constant') {
    const a = p.attribute?.find((x) => x.name === 'value');
    if (a?.t) return tensorValue(a.t, `classifier ${f.path}: constant '${name}'`);
  }
  return null;
}

/**
 * A node given by name, or the node producing a value of that name. The error lists a few
 * node names so a typo is easy to fix.
 */
export function lookupNode(f: OnnxClassifierFile, name: string, flag: string): OnnxNode {
  const n = f.nodesByName.get(name) ?? f.producers.get(name);
  if (n) return n;
  const names = (f.model.graph!.node ?? []).map(nodeLabel);
  const listed = `${names.slice(0, 12).join(', ')}${names.length > 12 ? `, ... ${names.length} in all` : ''}`;
  throw new Error(`${flag} ${name}: classifier ${f.path} has no node or value of that name (nodes: ${listed})`);
}

/** Reduction axes of a ReduceMean node (attribute before opset 18, input after). */
export function reduceAxes(f: OnnxClassifierFile, n: OnnxNode): number[] | null {
  const attr = attrInts(n, 'axes');
  if (attr) return attr;
  if (n.input?.[1]) {
    const v = constantOf(f, n.input[1]);
    return v ? Array.from(v.data, Number) : null;
  }
  return null;
}
