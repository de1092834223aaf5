// A download progress bar (bytes, speed, ETA) on stderr through cli-progress.
import cliProgress from 'cli-progress';
import type { DownloadProgress } from './http-download.js';

/** 1536 -> "1.5 KiB". */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** A bar that can be stopped; `quiet` gives one that draws nothing. */
export interface ByteProgressBar extends DownloadProgress {
  stop(): void;
}

/**
 * A progress bar labelled `label` showing done/total bytes, speed and ETA (just bytes and speed
 * when the server sends no size). cli-progress draws nothing when stderr is not a terminal.
 */
export function createByteProgress(label: string, opts: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): ByteProgressBar {
  if (opts.quiet) return { start() {}, update() {}, stop() {} };
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
          stream: opts.stream ?? process.stderr,
          format: known
            ? `${label} [{bar}] {percentage}% | {done}/{size} | {speed} | ETA {eta_formatted}`
            : `${label} {done} | {speed}`,
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
