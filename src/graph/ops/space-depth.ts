// Pixel (un)shuffle as ONNX's SpaceToDepth and DepthToSpace (mode DCR), the exact inverses of
// each other, so each op's VJP is the other. A network that works at 1/b resolution on
// b*b*C channels (super-resolution style) costs b*b times fewer pixels per convolution.
import { Tensor } from '../tensor.js';
import { ShapeError } from '../shape.js';
import { defineOp, onnxOp } from './registry.js';

/**
 * [N, C, H, W] -> [N, C*b*b, H/b, W/b]; output channel (i*b + j)*C + c holds x[c, y*b + i, x*b + j]
 * (ONNX SpaceToDepth).
 */
export function spaceToDepth(x: Tensor, blocksize: number): Tensor {
  const [n, c, h, w] = x.shape;
  if (x.rank !== 4 || !Number.isInteger(blocksize) || blocksize < 1 || h % blocksize !== 0 || w % blocksize !== 0) {
    throw new ShapeError('SpaceToDepth', [x.shape], `x [N,C,H,W] with H and W multiples of the block size ${blocksize}`);
  }
  return new Tensor('SpaceToDepth', [x], { blocksize }, [n, c * blocksize * blocksize, h / blocksize, w / blocksize]);
}

/** [N, C*b*b, H, W] -> [N, C, H*b, W*b], the inverse of spaceToDepth (ONNX DepthToSpace, mode DCR). */
export function depthToSpace(x: Tensor, blocksize: number): Tensor {
  const [n, c, h, w] = x.shape;
  const bb = blocksize * blocksize;
  if (x.rank !== 4 || !Number.isInteger(blocksize) || blocksize < 1 || c % bb !== 0) {
    throw new ShapeError('DepthToSpace', [x.shape], `x [N,C,H,W] with C a multiple of ${bb} (block size ${blocksize} squared)`);
  }
  return new Tensor('DepthToSpace', [x], { blocksize }, [n, c / bb, h * blocksize, w * blocksize]);
}

defineOp('SpaceToDepth', {
  emit: onnxOp('SpaceToDepth'),
  vjp: (n, g) => [depthToSpace(g, n.attrs.blocksize as number)],
});

defineOp('DepthToSpace', {
  emit: onnxOp('DepthToSpace', (n) => ({ blocksize: n.attrs.blocksize, mode: 'DCR' })),
  vjp: (n, g) => [spaceToDepth(g, n.attrs.blocksize as number)],
});
