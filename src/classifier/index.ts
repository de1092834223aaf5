// Public API of the classifier trainer.
export { GapCnn, DEFAULT_WIDTHS } from './net.js';
export { bakeParameters, exportClassifierOnnx } from './export.js';
export { loadClassFolders, stratifiedSplit, type LabeledImage, type ClassFolders } from './dataset.js';
export {
  trainClassifier, trainClassifierSchema, trainClassifier as train,
  type TrainClassifierOptions, type TrainClassifierResult, type EpochStats, type FlipMode,
} from './train.js';
