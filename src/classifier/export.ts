// Exporting the classifier as a self-contained inference ONNX model: the graph is built in eval
// mode and every parameter/buffer input is replaced by a constant holding its current value.
import { input } from '../graph/tensor.js';
import { writeOnnx } from '../graph/onnx/writer.js';
import { bakeParameters } from '../nn/bake.js';
import type { Module } from '../nn/module.js';

export { bakeParameters };

/**
 * ONNX bytes of `net` in eval mode for one image: input 'image' [1, C, S, S], output 'logits'.
 * The module's training flag is restored afterwards.
 */
export function exportClassifierOnnx(net: Module, size: number, channels = 3): Uint8Array {
  const wasTraining = net.training;
  net.eval();
  try {
    const logits = net.forward(input('image', [1, channels, size, size]));
    return writeOnnx(bakeParameters({ logits }, [net]), 'img2img-classifier').bytes;
  } finally {
    net.train(wasTraining);
  }
}
