// Exporting generators and restorers as self-contained inference ONNX models (opset 17): eval
// mode (BatchNorm running statistics, no dropout), weights as initializers, spatial dimensions
// symbolic where the graph allows it, and what the model is in its metadata (model-info.ts).
//
// Dynamic sizes: the engine builds graphs at one static size. The network is built at two
// different sizes (different heights and widths) and the two ONNX graphs compared up to value
// names (graphDifference): when they are the same, no op's ONNX form depends on the size (no
// Reshape target, Pad or Slice parameter, constant of that size), so the graph is written with
// the height and width as symbolic dimensions. When they differ, the model is written at one
// fixed size and the metadata says so.
import * as g from '../graph/index.js';
import type { OnnxGraphParts } from '../graph/index.js';
import type { Tensor } from '../graph/tensor.js';
import { traced } from '../graph/trace.js';
import { generatorMinSize, generatorMultiple, type GeneratorConfig } from '../models/networks.js';
import { bakeParameters } from '../nn/bake.js';
import type { Module } from '../nn/module.js';
import { RESTORER_FEATURES } from '../restore/net/features.js';
import type { MosaicRestorer } from '../restore/net/restorer.js';
import { TILE, TILE_OVERLAP } from '../restore/net/tiles.js';
import { describeSizeRule, EXPORT_FORMAT, META, parseModelInfo, type ModelInfo, type SizeRule } from './model-info.js';
import { GENERATOR_IO, RESTORER_IO } from './run-onnx.js';

export interface ExportedModel {
  bytes: Uint8Array;
  info: ModelInfo;
  nodeCount: number;
  /** Why the size is fixed, when it is. */
  fixedBecause?: string;
}

/** Extra facts for the metadata. */
export interface ExportExtras {
  /** AtoB / BtoA, or what the model maps. */
  direction?: string;
  /** The training options (train_opt.json), written as JSON. */
  training?: Record<string, unknown> | null;
  /** Where the weights came from (a file name). */
  source?: string;
  /** Export at this fixed size [height, width] instead of symbolic dimensions. */
  fixedSize?: [number, number];
}

interface Built { outputs: Record<string, Tensor> }

/** Builds `build` in eval mode inside traced(); refuses graphs with state updates or random masks. */
function buildEval(net: Module, build: () => Record<string, Tensor>): Built {
  const wasTraining = net.training;
  net.eval();
  try {
    const { result, updates, randoms } = traced(build);
    if (updates.length || randoms.length) throw new Error('export: the eval-mode graph still updates running statistics or draws random masks');
    return { outputs: bakeParameters(result, [net]) };
  } finally {
    net.train(wasTraining);
  }
}

/**
 * The graph parts at size a, and whether the graph at size b is the same (then its spatial
 * dimensions can be symbolic). Returns the parts of the size-a build.
 */
function partsAndCheck(build: (h: number, w: number) => Built, a: [number, number], b: [number, number]): { parts: OnnxGraphParts; difference: string | null } {
  const parts = g.onnxGraph(build(...a).outputs, { prune: true });
  const other = g.onnxGraph(build(...b).outputs, { prune: true });
  return { parts, difference: g.graphDifference(parts, other) };
}

function encode(parts: OnnxGraphParts, meta: Record<string, string>, symbolic: Record<string, (string | null)[]> | undefined, graphName: string, doc: string) {
  return g.encodeOnnx(parts, { graphName, metadata: meta, symbolicDims: symbolic, docString: doc });
}

const common = (kind: string, size: SizeRule, architecture: unknown, io: unknown, x: ExportExtras): Record<string, string> => ({
  [META.format]: EXPORT_FORMAT,
  [META.kind]: kind,
  [META.architecture]: JSON.stringify(architecture),
  [META.io]: JSON.stringify(io),
  [META.size]: JSON.stringify(size),
  [META.sizeRule]: describeSizeRule(size, kind as ModelInfo['kind']),
  [META.mode]: 'eval: BatchNorm running statistics, no dropout',
  ...(x.direction ? { [META.direction]: x.direction } : {}),
  ...(x.training ? { [META.training]: JSON.stringify(x.training) } : {}),
  ...(x.source ? { [META.source]: x.source } : {}),
});

/**
 * An image-to-image generator as ONNX: input 'input' [1, inputNc, H, W] float32 in [-1, 1]
 * (x / 127.5 - 1), output 'output' [1, outputNc, H, W] in [-1, 1]. H and W are symbolic
 * ('height', 'width'): any multiple of the architecture's multiple (2^downs for U-Nets, 4 for
 * ResNets), at least its minimum.
 */
export function exportGenerator(net: Module, config: GeneratorConfig, x: ExportExtras = {}): ExportedModel {
  const multiple = generatorMultiple(config), min = generatorMinSize(config);
  const build = (h: number, w: number) => buildEval(net, () => ({ [GENERATOR_IO.output]: net.forward(g.input(GENERATOR_IO.input, [1, config.inputNc, h, w])) }));
  const io = {
    inputs: [{ name: GENERATOR_IO.input, shape: [1, config.inputNc, 'height', 'width'], type: 'float32', range: '[-1, 1] = pixel / 127.5 - 1' }],
    outputs: [{ name: GENERATOR_IO.output, shape: [1, config.outputNc, 'height', 'width'], type: 'float32', range: '[-1, 1]; pixel = round((y + 1) * 127.5)' }],
  };
  const doc = `img2img ${config.netG} generator (eval mode)`;
  let size: SizeRule, parts: OnnxGraphParts, fixedBecause: string | undefined;
  if (x.fixedSize) {
    const [h, w] = x.fixedSize;
    if (h % multiple || w % multiple || h < min || w < min) throw new Error(`export size ${h}x${w}: ${config.netG} needs multiples of ${multiple}, at least ${min}`);
    size = { dynamic: false, height: h, width: w };
    parts = g.onnxGraph(build(h, w).outputs, { prune: true });
    fixedBecause = 'a fixed size was asked for';
  } else {
    const check = partsAndCheck(build, [min, min + multiple], [min + multiple, min]);
    parts = check.parts;
    if (check.difference) {
      size = { dynamic: false, height: min, width: min + multiple };
      fixedBecause = `the graph depends on the input size (${check.difference})`;
    } else size = { dynamic: true, multiple, min };
  }
  const symbolic = size.dynamic ? { [GENERATOR_IO.input]: [null, null, 'height', 'width'], [GENERATOR_IO.output]: [null, null, 'height', 'width'] } : undefined;
  const architecture = { ...config, multiple, minSize: min };
  const meta = common('generator', size, architecture, io, x);
  const model = encode(parts, meta, symbolic, `img2img-${config.netG}`, doc);
  return { bytes: model.bytes, info: parseModelInfo(meta), nodeCount: model.nodeCount, ...(fixedBecause ? { fixedBecause } : {}) };
}

/**
 * The mosaic restorer's window graph as ONNX: inputs 'features' [1, 14, H, W], 'rows' [1, 1, G, H],
 * 'cols' [1, 1, G, W], 'mask' [1, 1, H, W], 'consistent' [1, 1, 1, 1] (restore/net/features.ts
 * builds them), output 'restored' [1, 3, H, W] in [-1, 1] (classical estimate + projected residual).
 * H and W are symbolic (multiples of the restorer's scale, 4), G ('blocks') too.
 */
export function exportRestorer(net: MosaicRestorer, x: ExportExtras = {}): ExportedModel {
  const scale = net.config.scale;
  const build = (h: number, w: number) => buildEval(net, () => {
    const rows = Math.ceil(Math.max(h, w) / 4) + 1;
    const p = {
      rows: g.input(RESTORER_IO.rows, [1, 1, rows, h]),
      cols: g.input(RESTORER_IO.cols, [1, 1, rows, w]),
      mask: g.input(RESTORER_IO.mask, [1, 1, h, w]),
      consistent: g.input(RESTORER_IO.consistent, [1, 1, 1, 1]),
    };
    return { [RESTORER_IO.output]: net.restore(g.input(RESTORER_IO.features, [1, RESTORER_FEATURES, h, w]), p) };
  });
  const io = {
    inputs: [
      { name: RESTORER_IO.features, shape: [1, RESTORER_FEATURES, 'height', 'width'], type: 'float32', what: 'feature planes (src/restore/net/features.ts windowInputs)' },
      { name: RESTORER_IO.rows, shape: [1, 1, 'blocks', 'height'], type: 'float32', what: 'block-row membership (0/1)' },
      { name: RESTORER_IO.cols, shape: [1, 1, 'blocks', 'width'], type: 'float32', what: 'block-column membership (0/1)' },
      { name: RESTORER_IO.mask, shape: [1, 1, 'height', 'width'], type: 'float32', what: '1 on mosaic pixels' },
      { name: RESTORER_IO.consistent, shape: [1, 1, 1, 1], type: 'float32', what: '1 when block colours are block means (average style)' },
    ],
    outputs: [{ name: RESTORER_IO.output, shape: [1, 3, 'height', 'width'], type: 'float32', range: '[-1, 1] (unclamped); pixel = (y + 1) * 127.5' }],
    tiling: `areas are cut into windows of up to ${TILE} px overlapping by ${TILE_OVERLAP} px (src/restore/net/tiles.ts restoreAreaTiled)`,
  };
  // tiles.ts runs windows of many sizes, so a restorer is exported with symbolic sizes only.
  if (x.fixedSize) throw new Error('a restorer is exported with symbolic window sizes only (tiles.ts runs windows of many sizes)');
  const check = partsAndCheck(build, [4 * scale, 6 * scale], [6 * scale, 4 * scale]);
  if (check.difference) throw new Error(`the restorer graph depends on the window size (${check.difference}); it cannot be exported with symbolic sizes`);
  const size: SizeRule = { dynamic: true, multiple: scale, min: scale };
  const dims = (...d: (string | null)[]) => d;
  const symbolic = {
    [RESTORER_IO.features]: dims(null, null, 'height', 'width'),
    [RESTORER_IO.rows]: dims(null, null, 'blocks', 'height'),
    [RESTORER_IO.cols]: dims(null, null, 'blocks', 'width'),
    [RESTORER_IO.mask]: dims(null, null, 'height', 'width'),
    [RESTORER_IO.output]: dims(null, null, 'height', 'width'),
  };
  const meta = common('restorer', size, { ...net.config, inputNc: 3, outputNc: 3 }, io, { direction: 'mosaicked -> restored', ...x });
  const model = encode(check.parts, meta, symbolic, 'img2img-mosaic-restorer', 'img2img mosaic restorer window (eval mode)');
  return { bytes: model.bytes, info: parseModelInfo(meta), nodeCount: model.nodeCount };
}
