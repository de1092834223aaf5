// The page's worker: everything heavy runs here so the page stays responsive. Restoration is
// src/restore/restore-image.ts restoreRegions, with the same grid estimation, classical estimate,
// tiling, feathered paste and consistency as in Node; only the window model is onnxruntime-web.
import type { Image } from '../../src/data/image-core.js';
import { describeSizeRule, parseModelInfo, readOnnxMetadata, type ModelInfo } from '../../src/export/model-info.js';
import { onnxAreaRestorer, translateImage } from '../../src/export/run-onnx.js';
import { regionsFromBoxes, regionsFromLocate, type Region } from '../../src/restore/regions.js';
import { restoreRegions } from '../../src/restore/restore-image.js';
import { configureOrt, hasWebGpu, openSession, type WebSession } from './ort-web.js';
import type { Backend, ModelRef, Reply, Request } from './protocol.js';

const post = (m: Reply, transfer: Transferable[] = []) => (self as unknown as { postMessage(m: unknown, t: Transferable[]): void }).postMessage(m, transfer);

let backend: Backend = 'wasm';
const models = new Map<string, Promise<{ session: WebSession; info: ModelInfo; loadMs: number }>>();

async function fetchBytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`could not fetch the model ${url}: ${r.status} ${r.statusText}`);
  return new Uint8Array(await r.arrayBuffer());
}

/** The session and metadata of a model, loaded once per model and backend. */
function model(ref: Exclude<ModelRef, { source: 'classical' }>) {
  const key = `${backend}:${ref.source}:${ref.id}`;
  let m = models.get(key);
  if (!m) {
    m = (async () => {
      const t0 = performance.now();
      post({ type: 'progress', fraction: null, text: `loading model ${ref.id}` });
      if (ref.source === 'file' && !ref.bytes) throw new Error(`the model ${ref.id} is no longer loaded: open the file again`);
      const bytes = ref.source === 'server' ? await fetchBytes(ref.url) : new Uint8Array(ref.bytes!);
      const info = parseModelInfo(readOnnxMetadata(bytes));
      const session = await openSession(bytes, backend);
      return { session, info, loadMs: performance.now() - t0 };
    })();
    m.catch(() => models.delete(key));
    models.set(key, m);
  }
  return m;
}

const describe = (info: ModelInfo): string => {
  const a = info.architecture;
  if (info.kind === 'restorer') return `mosaic restorer (${String(a.features)} features, ${String(a.blocks)} blocks)`;
  return `${String(a.netG)} generator, ${info.inputNc} -> ${info.outputNc} channels${info.direction ? `, ${info.direction}` : ''}`;
};

async function handle(req: Request): Promise<void> {
  switch (req.type) {
    case 'init': {
      const o = configureOrt(req.threads);
      const webgpu = await hasWebGpu();
      backend = req.backend === 'webgpu' && webgpu ? 'webgpu' : 'wasm';
      post({ type: 'ready', threads: o.threads, backend, crossOriginIsolated: o.crossOriginIsolated, webgpu });
      return;
    }
    case 'inspect': {
      if (req.model.source === 'classical') return;
      const { info } = await model(req.model);
      post({ type: 'inspected', model: { id: req.model.id, kind: info.kind, sizeRule: describeSizeRule(info.size, info.kind), description: describe(info) } });
      return;
    }
    case 'locate': {
      post({ type: 'progress', fraction: null, text: 'looking for mosaic' });
      const regions = regionsFromLocate(req.image, { tolerance: req.tolerance });
      post({ type: 'located', regions: regions.map((r) => ({ box: r.box, local: r.local, label: r.label })) });
      return;
    }
    case 'restore': {
      const { image } = req;
      if (req.regions.length === 0) throw new Error('no region: draw a box over the mosaic, or let "Find mosaic" look for it');
      const regions: Region[] = req.regions.map((r) => (r.local ? { box: r.box, local: r.local, label: r.label } : regionsFromBoxes([r.box], image.width, image.height)[0]));
      let loadMs = 0;
      let runner = null;
      if (req.model.source !== 'classical') {
        const m = await model(req.model);
        if (m.info.kind !== 'restorer') throw new Error(`${req.model.id} is an image-to-image generator, not a restoration model: choose "Translate the whole image"`);
        loadMs = m.loadMs;
        let region = 0;
        runner = onnxAreaRestorer(m.session.run, (done, total) => {
          if (done === 1) region++;
          post({ type: 'progress', fraction: (region - 1 + done / total) / regions.length, text: `region ${region} of ${regions.length}: window ${done} of ${total}` });
        });
      }
      const t0 = performance.now();
      post({ type: 'progress', fraction: 0, text: `restoring ${regions.length} region(s)` });
      const { image: out, reports } = await restoreRegions(image, regions, { runner, style: req.style, consistency: req.consistency, feather: req.feather, tolerance: req.tolerance });
      const runMs = performance.now() - t0;
      const restored = reports.filter((r) => r.grid).length;
      const skipped = reports.filter((r) => !r.grid).map((r) => r.label);
      const text = `restored ${restored} of ${regions.length} region(s) in ${(runMs / 1000).toFixed(2)} s`
        + (skipped.length ? `; no mosaic grid found in ${skipped.join(', ')} (left as it was)` : '');
      post({ type: 'result', image: out, text, runMs, loadMs, restored, regions: regions.length }, [out.data.buffer]);
      return;
    }
    case 'translate': {
      if (req.model.source === 'classical') throw new Error('choose a model to translate with');
      const m = await model(req.model);
      if (m.info.kind !== 'generator') throw new Error(`${req.model.id} is a restoration model: draw boxes and choose "Restore the boxes"`);
      const t0 = performance.now();
      post({ type: 'progress', fraction: null, text: `translating ${req.image.width}x${req.image.height} with ${describe(m.info)}` });
      const out: Image = await translateImage(m.session.run, m.info, req.image);
      const runMs = performance.now() - t0;
      post({ type: 'result', image: out, text: `translated in ${(runMs / 1000).toFixed(2)} s`, runMs, loadMs: m.loadMs, restored: 0, regions: 0 }, [out.data.buffer]);
      return;
    }
  }
}

// onnxruntime-web is bundled into this script, so its WASM threads (workers named 'em-pthread')
// start this same script; there onnxruntime-web owns the message handler.
if (!(self as { name?: string }).name?.startsWith('em-pthread')) {
  self.onmessage = (e: MessageEvent<Request>) => {
    handle(e.data).catch((err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
  };
}
