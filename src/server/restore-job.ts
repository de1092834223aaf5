// The server's 'restore' job: the restore apply pipeline on one uploaded image (regions from
// boxes and/or the locator, restoreRegions with a shipped restorer or the classical method),
// with progress per region and window and cancellation between windows. PNG out.
import { z } from 'zod';
import { decodeImage, encodeImage } from '../data/image.js';
import { MOSAIC_STYLES } from '../mosaic/pixelate.js';
import { parseBox } from '../mosaic/shapes.js';
import { loadRestorer } from '../restore/net/checkpoint.js';
import { RestorerRunner } from '../restore/net/runner.js';
import { restoreAreaTiled, tileCount, type AreaRestorer } from '../restore/net/tiles.js';
import { DEFAULT_FEATHER } from '../restore/paste.js';
import { regionsFromBoxes, regionsFromLocate, type Region } from '../restore/regions.js';
import { restoreRegions } from '../restore/restore-image.js';
import type { RuntimeOptions } from '../runtime/session.js';
import { checkImageUpload } from './uploads.js';
import type { JobHandler } from '../jobs/types.js';

const flag = z.union([z.boolean(), z.enum(['1', '0', 'true', 'false']).transform((v) => v === '1' || v === 'true')]);
const num = (min: number, max: number) => z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).pipe(z.number().int().min(min).max(max));

/** The restoration settings the server's jobs take (an image, a video, a folder), as the page sends them. */
export function restoreFields(models: readonly string[]) {
  return {
    /** "x,y,w,h" rectangles. */
    boxes: z.array(z.string().regex(/^\d+,\d+,\d+,\d+$/, { message: "expected 'x,y,w,h' in whole pixels" })).max(64).default([]),
    /** Also restore the mosaics the locator finds. */
    auto: flag.default(false),
    /** A shipped restorer, or 'classical' (no model). */
    model: z.enum(['classical', ...models] as [string, ...string[]]).default(models[0] ?? 'classical'),
    style: z.enum(MOSAIC_STYLES as ['average', 'center', 'random']).default('average'),
    consistency: flag.default(true),
    feather: num(0, 256).default(DEFAULT_FEATHER),
    tolerance: num(0, 64).default(0),
  };
}

/** Options with no region at all are refused at submit time. */
export const hasRegion = [(o: { boxes: string[]; auto: boolean }) => o.boxes.length > 0 || o.auto, { message: 'no region: give boxes or auto' }] as const;

export function restoreOptionsSchema(models: readonly string[]) {
  return z.object(restoreFields(models)).strict().refine(...hasRegion);
}

/** `options` validated by `schema`; throws an Error listing the bad options ('bad KIND options: boxes.0: ...'). */
export function parseJobOptions<S extends z.ZodType>(schema: S, kind: string, options: unknown): z.output<S> {
  const parsed = schema.safeParse(options);
  if (!parsed.success) throw new Error(`bad ${kind} options: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

export type RestoreJobOptions = z.output<ReturnType<typeof restoreOptionsSchema>>;

export interface RestoreJobSettings {
  /** Shipped restorers by name -> file. */
  models: Record<string, string>;
  maxPixels: number;
  runtime: RuntimeOptions;
}

/** The handler, with one engine runner per model kept for the server's lifetime (compiled graphs are reused). */
export function restoreJobHandler(s: RestoreJobSettings): JobHandler<RestoreJobOptions> & { release(): Promise<void> } {
  const runners = new Map<string, Promise<RestorerRunner>>();
  const runnerFor = (name: string) => {
    let r = runners.get(name);
    if (!r) {
      r = loadRestorer(s.models[name]).then(({ net }) => new RestorerRunner(net, s.runtime));
      r.catch(() => runners.delete(name));
      runners.set(name, r);
    }
    return r;
  };
  const schema = restoreOptionsSchema(Object.keys(s.models));
  return {
    schema,
    prepare: (options) => parseJobOptions(schema, 'restore', options),
    needsInput: true,
    async run(o, ctx) {
      const input = ctx.input!;
      await checkImageUpload(input, s.maxPixels);
      const img = await decodeImage(input, 'upload');
      const regions: Region[] = [];
      if (o.boxes.length) regions.push(...regionsFromBoxes(o.boxes.map(parseBox), img.width, img.height));
      if (o.auto) regions.push(...regionsFromLocate(img, { tolerance: o.tolerance }));
      if (regions.length === 0) throw new Error('no mosaic found in the image (the locator needs lossless images)');
      let runner: AreaRestorer | null = null;
      let region = 0;
      ctx.onProgress({ done: 0, total: regions.length, text: `restoring ${regions.length} region(s)` });
      if (o.model !== 'classical') {
        const engine = await runnerFor(o.model);
        runner = {
          restoreArea: (a) => {
            region++;
            const total = tileCount(a.classical.width, a.classical.height);
            let done = 0;
            return restoreAreaTiled(a, async (x, h, w, rows) => {
              if (ctx.signal?.aborted) throw new Error('cancelled');
              const y = await engine.runWindow(x, h, w, rows);
              done++;
              ctx.onProgress({ done: region - 1 + done / total, total: regions.length, text: `region ${region} of ${regions.length}: window ${done} of ${total}` });
              return y;
            });
          },
        };
      }
      const { image, reports } = await restoreRegions(img, regions, { runner, style: o.style, consistency: o.consistency, feather: o.feather, tolerance: o.tolerance });
      const data = await encodeImage(image, 'png');
      const restored = reports.filter((r) => r.grid).length;
      ctx.onProgress({ done: regions.length, total: regions.length, text: 'done' });
      return {
        summary: { width: img.width, height: img.height, regions: regions.length, restored },
        result: { contentType: 'image/png', filename: 'restored.png', data: new Uint8Array(data.buffer, data.byteOffset, data.length) },
      };
    },
    async release() {
      for (const r of runners.values()) await (await r.catch(() => null))?.release();
      runners.clear();
    },
  };
}
