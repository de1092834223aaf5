// The restorer on ONNX Runtime (Node): one compiled graph per window shape, cached, so a folder
// of images compiles a handful. Tiling and blending are tiles.ts's (shared with the browser).
import * as g from '../../graph/index.js';
import type { RuntimeOptions } from '../../runtime/session.js';
import { Step } from '../../runtime/step.js';
import type { PlanarImage } from '../classical.js';
import type { WindowInputs } from './features.js';
import { MosaicRestorer, RESTORER_FEATURES } from './restorer.js';
import { restoreAreaTiled, type AreaInputs, type AreaRestorer } from './tiles.js';

export { TILE, TILE_OVERLAP, tileStarts, type AreaInputs } from './tiles.js';

export class RestorerRunner implements AreaRestorer {
  private readonly graphs = new Map<string, Promise<Step>>();

  constructor(readonly net: MosaicRestorer, readonly runtime: RuntimeOptions = {}) {
    net.eval();
  }

  private graph(h: number, w: number, rows: number): Promise<Step> {
    const key = `${h}x${w}x${rows}`;
    let s = this.graphs.get(key);
    if (!s) {
      s = Step.compile({
        build: () => {
          const p = { rows: g.input('rows', [1, 1, rows, h]), cols: g.input('cols', [1, 1, rows, w]), mask: g.input('mask', [1, 1, h, w]), consistent: g.input('consistent', [1, 1, 1, 1]) };
          return { out: this.net.restore(g.input('features', [1, RESTORER_FEATURES, h, w]), p) };
        },
        modules: [this.net],
      }, this.runtime);
      this.graphs.set(key, s);
    }
    return s;
  }

  /** One window: [3, H, W] in [-1, 1]. */
  async runWindow(x: WindowInputs, h: number, w: number, rows: number): Promise<Float32Array> {
    const step = await this.graph(h, w, rows);
    const r = await step.run({ features: x.features, rows: x.rows, cols: x.cols, mask: x.mask, consistent: Float32Array.of(x.consistent) });
    return r.out;
  }

  /** The restored area, planar 0..255. */
  restoreArea(a: AreaInputs): Promise<PlanarImage> {
    return restoreAreaTiled(a, (x, h, w, rows) => this.runWindow(x, h, w, rows));
  }

  async release(): Promise<void> {
    for (const s of this.graphs.values()) await (await s).release();
    this.graphs.clear();
  }
}
