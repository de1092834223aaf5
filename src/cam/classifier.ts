// An ONNX image classifier that explains its decisions with class activation maps.
//  - method 'cam' (default): the model runs on ONNX Runtime with its last feature map F added as
//    an extra graph output; CAM_c = sum_k W[c, k] F_k with W the linear head's weights.
//  - method 'gradcam': the graph is imported into the engine, which differentiates the class
//    score with respect to F (see gradcam.ts).
// Both give a raw map at feature resolution; the image heatmap is ReLU(raw), bilinearly upsampled
// to the image size and divided by its maximum (so it lies in [0, 1]; 0 everywhere when the map
// has no positive value).
import * as ort from 'onnxruntime-node';
import type { Image } from '../data/image.js';
import { encodeOnnx, valueInfoShape, withExtraOutputs } from '../graph/onnx/import-proto.js';
import { camFromFeatures, findCamHead, type CamHead } from './head.js';
import { GradCamGraph, gradCamFromGradients } from './gradcam.js';
import { normalizeHeatmap, reluMap, upsampleBilinear } from './heatmap.js';
import { readClassifierFile, type OnnxClassifierFile } from './model.js';
import { preprocessImage, type Normalization } from './preprocess.js';

export type CamMethod = 'cam' | 'gradcam';
export const CAM_METHODS: readonly CamMethod[] = ['cam', 'gradcam'];

export interface ExplainOptions {
  method?: CamMethod;
  /** Class to explain; default the top-scoring class. */
  classIndex?: number;
  /** Node (or value) producing the feature map. */
  featureNode?: string;
  /** The linear layer's node (CAM only). */
  fcNode?: string;
}

export interface ClassifierLoadOptions {
  /** Square input side when the model's H, W are symbolic (and a check when they are not). */
  inputSize?: number;
  /** Input normalization; default the sidecar's, else 'default' (x/127.5 - 1). */
  normalize?: Normalization;
  /** ONNX Runtime intra-op threads. */
  threads?: number;
  /** Largest model file (default 2 GiB). */
  maxModelBytes?: number;
}

/** An explanation at feature-map resolution. */
export interface Explanation {
  method: CamMethod;
  classIndex: number;
  className: string | null;
  /** Class scores (the input of a final softmax, if the model ends in one). */
  logits: Float32Array;
  probabilities: Float32Array;
  /** The map before ReLU and upsampling: CAM = sum_k W[c,k] F_k; Grad-CAM = sum_k alpha_k F_k. */
  raw: Float32Array;
  rawWidth: number;
  rawHeight: number;
  /** ONNX value name of the feature map used. */
  featureValue: string;
}

/** An explanation with its heatmap at image size. */
export interface ImageExplanation extends Explanation {
  /** ReLU(raw) upsampled to width x height and divided by its maximum: values in [0, 1]. */
  heatmap: Float32Array;
  width: number;
  height: number;
}

interface CamSession { session: ort.InferenceSession; head: CamHead }

export function softmaxOf(logits: ArrayLike<number>): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const out = new Float32Array(logits.length);
  let s = 0;
  for (let i = 0; i < logits.length; i++) s += out[i] = Math.exp(logits[i] - max);
  for (let i = 0; i < logits.length; i++) out[i] /= s;
  return out;
}

export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

export class OnnxClassifier {
  private readonly camSessions = new Map<string, Promise<CamSession>>();
  private readonly gradGraphs = new Map<string, Promise<GradCamGraph>>();

  private constructor(
    readonly file: OnnxClassifierFile,
    readonly normalize: Normalization,
    readonly numClasses: number,
    private readonly threads: number | undefined,
  ) {}

  /** Reads the model (and its sidecar model.json, if any). Errors name the file. */
  static async load(path: string, opts: ClassifierLoadOptions = {}): Promise<OnnxClassifier> {
    const file = await readClassifierFile(path, { inputSize: opts.inputSize, maxBytes: opts.maxModelBytes });
    const normalize = opts.normalize ?? file.sidecar?.normalize ?? 'default';
    const threads = opts.threads;
    const n = await countClasses(file, threads);
    return new OnnxClassifier(file, normalize, n, threads);
  }

  get path(): string {
    return this.file.path;
  }

  /** Model input as [1, C, H, W]. */
  get inputShape(): readonly [number, number, number, number] {
    return this.file.inputShape;
  }

  get classNames(): readonly string[] | null {
    const c = this.file.sidecar?.classes;
    return Array.isArray(c) && c.length === this.numClasses ? c : null;
  }

  /**
   * A class given as an index or (with a sidecar) a name, checked against the model; undefined
   * stays undefined (top class). The error names the classifier and the valid range.
   */
  resolveClass(spec: number | string | undefined): number | undefined {
    if (spec === undefined || spec === '') return undefined;
    const names = this.classNames;
    const range = `it has ${this.numClasses} classes (0..${this.numClasses - 1}${names ? `: ${names.join(', ')}` : ''})`;
    let c: number;
    if (typeof spec === 'number' || /^-?\d+$/.test(spec.trim())) c = Number(spec);
    else {
      c = names ? names.indexOf(spec) : -1;
      if (c < 0) throw new Error(`class "${spec}" is not a class of classifier ${this.path}: ${range}`);
    }
    if (!Number.isInteger(c) || c < 0 || c >= this.numClasses) throw new Error(`class ${spec} is out of range for classifier ${this.path}: ${range}`);
    return c;
  }

  /** Builds what `opts` needs (head lookup, Grad-CAM import) now, so errors come before any output. */
  async prepare(opts: ExplainOptions = {}): Promise<void> {
    if (opts.classIndex !== undefined) this.resolveClass(opts.classIndex);
    if ((opts.method ?? 'cam') === 'cam') await this.camSession(opts);
    else await this.gradGraph(opts);
  }

  private camSession(opts: ExplainOptions): Promise<CamSession> {
    const key = `${opts.featureNode ?? ''}\u0000${opts.fcNode ?? ''}`;
    let s = this.camSessions.get(key);
    if (!s) {
      s = (async () => {
        const head = findCamHead(this.file, { featureNode: opts.featureNode, fcNode: opts.fcNode });
        if (head.numClasses !== this.numClasses) {
          throw new Error(`classifier ${this.path}: the linear layer '${head.fcNode}' has ${head.numClasses} outputs `
            + `but the model scores ${this.numClasses} classes`);
        }
        const bytes = encodeOnnx(withExtraOutputs(this.file.model, [this.file.logitsName, head.featureValue]));
        const session = await createSession(bytes, this.threads).catch((err: Error) => {
          throw new Error(`classifier ${this.path}: ONNX Runtime cannot load it: ${err.message}`);
        });
        return { session, head };
      })();
      this.camSessions.set(key, s);
      s.catch(() => this.camSessions.delete(key));
    }
    return s;
  }

  private gradGraph(opts: ExplainOptions): Promise<GradCamGraph> {
    const key = opts.featureNode ?? '';
    let gg = this.gradGraphs.get(key);
    if (!gg) {
      gg = GradCamGraph.build(this.file, { featureNode: opts.featureNode, runtime: { threads: this.threads } });
      this.gradGraphs.set(key, gg);
      gg.catch(() => this.gradGraphs.delete(key));
    }
    return gg;
  }

  /** Preprocesses an image into the model input [1, C, H, W]. */
  preprocess(img: Image): Promise<Float32Array> {
    const [, c, h, w] = this.file.inputShape;
    return preprocessImage(img, w, h, this.normalize, c as 1 | 3);
  }

  /** Explains a preprocessed input [1, C, H, W]; the map stays at feature resolution. */
  async explainTensor(x: Float32Array, opts: ExplainOptions = {}): Promise<Explanation> {
    const method = opts.method ?? 'cam';
    let classIndex = this.resolveClass(opts.classIndex);
    let logits: Float32Array, raw: Float32Array, h: number, w: number, featureValue: string;
    if (method === 'cam') {
      const { session, head } = await this.camSession(opts);
      const feed = { [this.file.inputName]: new ort.Tensor('float32', x, [...this.file.inputShape]) };
      const out = await session.run(feed, [this.file.logitsName, head.featureValue]);
      logits = Float32Array.from(out[this.file.logitsName].data as Float32Array);
      const f = out[head.featureValue];
      const dims = f.dims.map(Number);
      if (dims.length !== 4 || dims[0] !== 1 || dims[1] !== head.channels) {
        throw new Error(`classifier ${this.path}: feature map '${head.featureValue}' has shape [${dims}], `
          + `expected [1, ${head.channels}, h, w] to match the linear layer '${head.fcNode}'`);
      }
      [h, w] = [dims[2], dims[3]];
      classIndex ??= argmax(logits);
      raw = camFromFeatures(f.data as Float32Array, head.channels, h, w, head.weights, classIndex);
      featureValue = head.featureValue;
    } else {
      const gg = await this.gradGraph(opts);
      if (classIndex === undefined) classIndex = argmax((await gg.run(x, null)).logits);
      const r = await gg.run(x, classIndex);
      logits = Float32Array.from(r.logits);
      const [k, fh, fw] = gg.featureShape;
      [h, w] = [fh, fw];
      raw = gradCamFromGradients(r.feature, r.gradient, k, h, w);
      featureValue = gg.featureValue;
    }
    return {
      method, classIndex, className: this.classNames?.[classIndex] ?? null, logits, probabilities: softmaxOf(logits),
      raw, rawWidth: w, rawHeight: h, featureValue,
    };
  }

  /** Explains an image: the heatmap is at the image's own size. */
  async explain(img: Image, opts: ExplainOptions = {}): Promise<ImageExplanation> {
    const e = await this.explainTensor(await this.preprocess(img), opts);
    const heatmap = normalizeHeatmap(upsampleBilinear(reluMap(e.raw), e.rawHeight, e.rawWidth, img.height, img.width));
    return { ...e, heatmap, width: img.width, height: img.height };
  }

  async release(): Promise<void> {
    for (const s of this.camSessions.values()) await s.then((x) => x.session.release(), () => undefined);
    for (const gg of this.gradGraphs.values()) await gg.then((x) => x.release(), () => undefined);
    this.camSessions.clear();
    this.gradGraphs.clear();
  }
}

/** Loads an ONNX classifier for CAM / Grad-CAM; see OnnxClassifier.load. */
export function loadClassifier(path: string, opts: ClassifierLoadOptions = {}): Promise<OnnxClassifier> {
  return OnnxClassifier.load(path, opts);
}

async function createSession(bytes: Uint8Array, threads: number | undefined): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    ...(threads ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {}),
  });
}

/** The number of classes: the score output's static size, else one forward run on zeros. */
async function countClasses(file: OnnxClassifierFile, threads: number | undefined): Promise<number> {
  const g = file.model.graph!;
  const info = [...(g.output ?? []), ...(g.value_info ?? [])].find((v) => v.name === file.logitsName);
  const shape = info ? valueInfoShape(info) : null;
  if (shape && shape.length >= 1 && shape.slice(1).every((d) => d !== null)) return (shape.slice(1) as number[]).reduce((a, b) => a * b, 1);
  let session: ort.InferenceSession;
  try {
    session = await createSession(encodeOnnx(withExtraOutputs(file.model, [file.logitsName])), threads);
  } catch (err) {
    throw new Error(`classifier ${file.path}: ONNX Runtime cannot load it: ${(err as Error).message}`);
  }
  try {
    const x = new Float32Array(file.inputShape.reduce((a, b) => a * b, 1));
    const out = await session.run({ [file.inputName]: new ort.Tensor('float32', x, [...file.inputShape]) }, [file.logitsName]);
    return out[file.logitsName].data.length;
  } finally {
    await session.release();
  }
}
