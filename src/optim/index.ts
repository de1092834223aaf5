// Optimizers (torch.optim semantics): fused updates after a graph run, and Adam's in-graph form.
export { Adam, adamKernel, adamGraphUpdate, type AdamOptions, type AdamHyper } from './adam.js';
export { Sgd, type SgdOptions } from './sgd.js';
export { type Optimizer, type OptimizerState, type InGraphUpdate } from './optimizer.js';
export { nativeKernels, nativeKernelsUnavailable, selectKernels, type KernelChoice } from './native-kernels.js';
