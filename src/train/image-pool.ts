import type { Rng } from '../util/rng.js';
import type { HostTensor } from '../io/host-tensor.js';

/**
 * The reference's ImagePool (Shrivastava et al.): the discriminator sees a history of generated
 * images instead of only the latest. Until the pool is full each image is stored and returned;
 * then with probability 1/2 a stored image is returned and replaced by the new one.
 */
export class ImagePool {
  private images: Float32Array[] = [];

  constructor(readonly size: number, private readonly rng: Rng) {}

  /** images: [N, C, H, W]; returns a batch of the same shape. */
  query(batch: Float32Array, shape: readonly number[]): Float32Array {
    if (this.size === 0) return batch;
    const per = batch.length / shape[0];
    const out = new Float32Array(batch.length);
    for (let n = 0; n < shape[0]; n++) {
      const image = batch.slice(n * per, (n + 1) * per);
      if (this.images.length < this.size) {
        this.images.push(image);
        out.set(image, n * per);
      } else if (this.rng.random() > 0.5) {
        const id = this.rng.int(this.size);
        out.set(this.images[id], n * per);
        this.images[id] = image;
      } else {
        out.set(image, n * per);
      }
    }
    return out;
  }

  /** Pool contents for a checkpoint (one [K, ...] tensor), so a resumed run draws the same images. */
  toTensor(imageShape: readonly number[]): HostTensor | null {
    if (this.images.length === 0) return null;
    const per = this.images[0].length;
    const data = new Float32Array(per * this.images.length);
    this.images.forEach((im, i) => data.set(im, i * per));
    return { dtype: 'float32', shape: [this.images.length, ...imageShape], data };
  }

  load(t: HostTensor | undefined): void {
    if (!t) return;
    const per = t.data.length / t.shape[0];
    const data = t.data as Float32Array;
    this.images = Array.from({ length: t.shape[0] }, (_, i) => data.slice(i * per, (i + 1) * per));
  }
}
