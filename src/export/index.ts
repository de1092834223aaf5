// Public API of ONNX export and of running exported models (docs in README, "ONNX export").
export { exportModel, exportSchema, type ExportOptions, type ExportResult } from './job.js';
export { exportGenerator, exportRestorer, type ExportedModel, type ExportExtras } from './onnx-export.js';
export * from './model-info.js';
export * from './run-onnx.js';
export { openOnnx, type OnnxSession } from './ort-node.js';
