// Grad-CAM through the engine: the classifier's ONNX graph is imported as engine tensors, the
// engine differentiates the class score with respect to a feature map F, and
//   alpha_k = mean over (h, w) of d score_c / d F_k,   map = ReLU(sum_k alpha_k F_k).
// The class is chosen at run time through the gradient seed (a one-hot input), so one compiled
// graph serves every class.
import { input } from '../graph/tensor.js';
import { grad } from '../graph/autodiff.js';
import { add } from '../graph/ops/elementwise.js';
import { importOnnx } from '../graph/onnx/import.js';
import { CompiledGraph, type RuntimeOptions } from '../runtime/session.js';
import { numel } from '../graph/shape.js';
import { lookupNode, type OnnxClassifierFile } from './model.js';

const SEED = '__gradcam_seed';

export interface GradCamRun {
  logits: Float32Array;
  /** Feature map [K, h, w] (batch item 0). */
  feature: Float32Array;
  /** d score_c / d F, same layout. */
  gradient: Float32Array;
}

/** A compiled Grad-CAM graph for one classifier and feature map. */
export class GradCamGraph {
  private constructor(
    private readonly graph: CompiledGraph,
    private readonly inputName: string,
    readonly featureValue: string,
    /** [K, h, w]. */
    readonly featureShape: [number, number, number],
    readonly numClasses: number,
  ) {}

  /**
   * Imports `file` and builds the gradient graph. The feature map is `featureNode` (a node or
   * value name) or, by default, the last 4-D tensor with more than one pixel before the scores.
   * Unsupported ops throw UnsupportedOnnxOpError naming them.
   */
  static async build(file: OnnxClassifierFile, opts: { featureNode?: string; runtime?: RuntimeOptions } = {}): Promise<GradCamGraph> {
    const importOpts = { what: `classifier ${file.path}`, inputShape: file.inputShape, outputs: [file.logitsName] };
    const imp = importOnnx(file.model, importOpts);
    let featureValue: string;
    if (opts.featureNode) {
      const byName = file.nodesByName.get(opts.featureNode);
      if (byName) featureValue = byName.output![0];
      else {
        lookupNode(file, opts.featureNode, '--feature-node'); // throws when no node produces the value
        featureValue = opts.featureNode;
      }
      if (!imp.values.has(featureValue)) {
        throw new Error(`--feature-node ${opts.featureNode}: value '${featureValue}' of classifier ${file.path} `
          + `does not lead to the scores '${file.logitsName}'`);
      }
    } else {
      const last = [...imp.nodes].reverse().find((n) => {
        const t = imp.values.get(n.output![0]);
        return t && t.rank === 4 && t.shape[2] * t.shape[3] > 1;
      });
      if (!last) throw new Error(`classifier ${file.path}: no 4-D feature map (with H*W > 1) found before the scores; give --feature-node`);
      featureValue = last.output![0];
    }
    // Import again with the feature map routed through a no-op Add: the gradient is taken with
    // respect to that node, so backpropagation stops there and never asks for the VJP of the
    // op that produced the map (which may have none, e.g. a grouped convolution).
    let feature = imp.values.get(featureValue)!;
    const tapped = importOnnx(file.model, { ...importOpts, intercept: (name, t) => (name === featureValue ? (feature = add(t, 0)) : t) });
    const scores = tapped.outputs[file.logitsName];
    if (feature.rank !== 4 || feature.shape[0] !== 1) {
      throw new Error(`feature map '${featureValue}' of classifier ${file.path} has shape [${feature.shape}]; Grad-CAM needs [1, K, h, w]`);
    }
    const seed = input(SEED, scores.shape);
    let gradient;
    try {
      [gradient] = grad(scores, [feature], seed);
    } catch (err) {
      const why = (err as Error).message;
      throw new Error(`classifier ${file.path}: Grad-CAM cannot differentiate the scores '${file.logitsName}' with respect to '${featureValue}': ${why}`);
    }
    const graph = await CompiledGraph.compile({ gradcam_logits: scores, gradcam_feature: feature, gradcam_grad: gradient }, opts.runtime);
    const [, k, h, w] = feature.shape;
    return new GradCamGraph(graph, imp.inputName, featureValue, [k, h, w], numel(scores.shape));
  }

  /** Runs forward and backward for class `classIndex` (null: gradient of nothing, to read the logits). */
  async run(x: Float32Array, classIndex: number | null): Promise<GradCamRun> {
    const seed = new Float32Array(this.numClasses);
    if (classIndex !== null) seed[classIndex] = 1;
    const out = await this.graph.run({ [this.inputName]: x, [SEED]: seed });
    return { logits: out.gradcam_logits, feature: out.gradcam_feature, gradient: out.gradcam_grad };
  }

  async release(): Promise<void> {
    await this.graph.release();
  }
}

/** Grad-CAM before ReLU: sum_k alpha_k F_k with alpha_k = mean of the gradient over the map. */
export function gradCamFromGradients(feature: ArrayLike<number>, gradient: ArrayLike<number>, channels: number, h: number, w: number): Float32Array {
  const plane = h * w;
  const out = new Float32Array(plane);
  for (let k = 0; k < channels; k++) {
    let s = 0;
    for (let i = 0; i < plane; i++) s += gradient[k * plane + i];
    const alpha = s / plane;
    if (alpha === 0) continue;
    for (let i = 0; i < plane; i++) out[i] += alpha * feature[k * plane + i];
  }
  return out;
}
