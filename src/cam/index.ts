// Public API of class activation maps (CAM, Grad-CAM) for ONNX image classifiers.
export {
  OnnxClassifier, loadClassifier, CAM_METHODS, softmaxOf, argmax,
  type CamMethod, type ExplainOptions, type ClassifierLoadOptions, type Explanation, type ImageExplanation,
} from './classifier.js';
export { findCamHead, camFromFeatures, type CamHead, type HeadOptions } from './head.js';
export { GradCamGraph, gradCamFromGradients, type GradCamRun } from './gradcam.js';
export { upsampleBilinear, normalizeHeatmap, reluMap, heatmapPeak, jet, overlayHeatmap, heatmapToImage } from './heatmap.js';
export { preprocessImage, normalizePixels, toRgb, parseNormalization, NORMALIZATIONS, type Normalization } from './preprocess.js';
export { readClassifierFile, sidecarPath, type ClassifierSidecar, type OnnxClassifierFile } from './model.js';
export { camFiles, type CamFilesOptions, type CamFileResult } from './files.js';
export { overlays, overlaysSchema, type OverlaysOptions } from './job.js';
