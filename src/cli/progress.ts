// Terminal progress bars (cli-progress): the CLI passes these as the jobs' progress callbacks,
// so library users get no terminal output unless they ask for it.
import cliProgress from 'cli-progress';
import type { TrainProgress } from '../train/options.js';
import type { DownloadProgress } from '../data/http-download.js';
import { formatBytes } from '../data/progress.js';
import type { VideoProgress } from '../video/pipeline.js';

export interface BatchBar { update: (done: number, total: number) => void; stop: () => void }

/** A bar on stderr for batches of items (cli-progress draws nothing when stderr is not a terminal). */
export function batchBar(label = ''): BatchBar {
  let bar: cliProgress.SingleBar | null = null;
  const format = label ? `${label} {bar} {value}/{total} | ETA {eta}s` : '{bar} {value}/{total} images | ETA {eta}s';
  return {
    update(done, total) {
      if (total < 2) return;
      if (!bar) {
        bar = new cliProgress.SingleBar({ stream: process.stderr, format }, cliProgress.Presets.shades_classic);
        bar.start(total, 0);
      }
      bar.update(done);
    },
    stop: () => {
      bar?.stop();
      bar = null;
    },
  };
}

/** The training bar: epoch, steps, the losses, iterations per second and ETA. */
export function trainBar(): { update: (p: TrainProgress) => void; stop: () => void } {
  let bar: cliProgress.SingleBar | null = null;
  const t0 = performance.now();
  return {
    update(p) {
      if (!bar) {
        bar = new cliProgress.SingleBar({
          format: 'epoch {epoch} |{bar}| {value}/{total} steps | {losses} | {rate} it/s | ETA {eta_formatted}',
          hideCursor: true,
          etaBuffer: 50,
        }, cliProgress.Presets.shades_classic);
        bar.start(p.totalSteps, p.startStep, { epoch: '-', losses: '', rate: '0.00' });
      }
      const elapsed = (performance.now() - t0) / 1000;
      const losses = Object.entries(p.losses).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(' ');
      bar.update(p.step, { epoch: p.epoch, losses, rate: ((p.step - p.startStep) / Math.max(elapsed, 1e-9)).toFixed(2) });
    },
    stop: () => {
      bar?.stop();
      bar = null;
    },
  };
}

/**
 * A download bar labelled `label` showing done/total bytes, speed and ETA (just bytes and speed
 * when the server sends no size), on stderr.
 */
export function byteBar(label: string): DownloadProgress & { stop(): void } {
  let bar: cliProgress.SingleBar | null = null;
  let t0 = 0;
  let b0 = 0;
  const payload = (bytes: number) => {
    const secs = (Date.now() - t0) / 1000;
    return { done: formatBytes(bytes), speed: secs > 0.5 ? `${formatBytes((bytes - b0) / secs)}/s` : '-' };
  };
  return {
    start(total, already) {
      bar?.stop();
      const known = total !== undefined;
      bar = new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: known ? `${label} [{bar}] {percentage}% | {done}/{size} | {speed} | ETA {eta_formatted}` : `${label} {done} | {speed}`,
          hideCursor: true,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      );
      t0 = Date.now();
      b0 = already;
      bar.start(total ?? 0, already, { ...payload(already), size: known ? formatBytes(total) : '?' });
    },
    update(bytes) {
      bar?.update(bytes, payload(bytes));
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}

/** Video progress: phase, frames, frames per second and ETA, one bar per phase, on stderr. */
export function videoBar(): { update: (input: string, p: VideoProgress) => void; stop: () => void } {
  let bar: cliProgress.SingleBar | null = null;
  let key = '';
  const fmtEta = (s: number | null) => (s === null || !Number.isFinite(s) ? '-' : s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`);
  return {
    update(input, p) {
      if (p.phase === 'mux') {
        bar?.stop();
        bar = null;
        return;
      }
      if (key !== `${input} ${p.phase}` || !bar) {
        bar?.stop();
        key = `${input} ${p.phase}`;
        bar = new cliProgress.SingleBar({ stream: process.stderr, format: `${p.phase === 'analyze' ? 'analysing' : 'processing'} {bar} {value}/{total} frames | {fps} fps | ETA {etaText}`, hideCursor: true },
          cliProgress.Presets.shades_classic);
        bar.start(p.total, p.frame, { fps: '-', etaText: '-' });
      }
      bar.update(p.frame, { fps: p.fps.toFixed(1), etaText: fmtEta(p.etaSeconds) });
    },
    stop: () => {
      bar?.stop();
      bar = null;
    },
  };
}
