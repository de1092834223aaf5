// The video branches of the jobs that take images (restore.apply, mosaic.add, mosaic.auto,
// translate): each job checks its inputs with videoInputs (by content) and hands videos here.
import type { Translator } from '../inference/translator.js';
import type { MosaicOptions } from '../mosaic/mosaic.js';
import type { MosaicStyle } from '../mosaic/pixelate.js';
import type { RegionSpec } from '../mosaic/region-spec.js';
import type { AreaRestorer } from '../restore/net/tiles.js';
import type { VideoAutoOptions } from './mosaic.js';
import { videoAddJob, videoAutoJob } from './mosaic.js';
import { runVideos, type VideoOptions } from './options.js';
import type { VideoResult } from './pipeline.js';
import { videoRestoreJob, type VideoRestoreOptions } from './restore.js';
import { TEMPORAL_DEFAULTS } from './temporal.js';
import { videoTranslateJob } from './translate.js';

export { videoInputs } from './sniff.js';

export interface RestoredVideo { input: string; output: string; regions: number; restored: number; video: VideoResult }

/** The video restore job's settings as restore.apply's options give them (the runner is passed apart). */
export type RestoreVideoSettings = Omit<VideoRestoreOptions, 'runner' | 'temporal' | 'track'> & {
  /** Temporal smoothing strength of the model's residual on static content (0 = off). */
  temporal: number;
};

/** restore.apply on videos. `regions`/`restored` count region-frames. */
export async function restoreVideos(videos: readonly string[], output: string, o: RestoreVideoSettings & VideoOptions, runner: AreaRestorer | null): Promise<RestoredVideo[]> {
  const stats: { regions: number; restored: number }[] = [];
  const results = await runVideos(videos, output, o, () => {
    const job = videoRestoreJob({ ...o, runner, temporal: { ...TEMPORAL_DEFAULTS, strength: o.temporal } });
    stats.push(job.stats);
    return job;
  });
  return results.map((v, i) => ({ input: v.input, output: v.output, regions: stats[i].regions, restored: stats[i].restored, video: v }));
}

/** mosaic.add on videos. */
export async function mosaicVideos(videos: readonly string[], output: string, spec: RegionSpec & { keyframes?: string }, look: Omit<MosaicOptions, 'rng'>, o: VideoOptions): Promise<VideoResult[]> {
  return runVideos(videos, output, o, () => videoAddJob(spec, look));
}

/** mosaic.auto on videos. */
export async function autoMosaicVideos(videos: readonly string[], output: string, auto: VideoAutoOptions, look: Omit<MosaicOptions, 'rng'>, o: VideoOptions): Promise<VideoResult[]> {
  const jobs: { release(): Promise<void> }[] = [];
  try {
    return await runVideos(videos, output, o, () => {
      const j = videoAutoJob(auto, look);
      jobs.push(j);
      return j;
    });
  } finally {
    for (const j of jobs) await j.release();
  }
}

/** translate on videos. */
export async function translateVideos(videos: readonly string[], output: string, translator: Translator, fingerprint: unknown, o: VideoOptions): Promise<VideoResult[]> {
  return runVideos(videos, output, o, () => videoTranslateJob(translator, fingerprint));
}
