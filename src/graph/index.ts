/** The symbolic tensor API: build graphs, differentiate them, serialize them to ONNX. */
export * from './shape.js';
export * from './tensor.js';
export * from './trace.js';
export * from './ops/elementwise.js';
export * from './ops/shape-ops.js';
export * from './ops/conv.js';
export * from './ops/matmul.js';
export * from './ops/pool.js';
export * from './ops/resize.js';
export * from './ops/softmax.js';
export * from './ops/functional.js';
export * from './ops/instance-norm.js';
export * from './ops/space-depth.js';
export { grad, topoSort } from './autodiff.js';
export { writeOnnx, encodeOnnx, onnxGraph, graphDifference, type OnnxModel, type ValueSpec, type WriteOnnxOptions, type OnnxGraphParts } from './onnx/writer.js';
