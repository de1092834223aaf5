import cliProgress from 'cli-progress';

/** A progress bar with losses, iterations per second and ETA; silent when `quiet` (tests, CI logs). */
export class TrainProgress {
  private bar?: cliProgress.SingleBar;
  private readonly t0 = performance.now();
  private done = 0;

  constructor(readonly total: number, start: number, quiet: boolean) {
    this.done = start;
    if (quiet) return;
    this.bar = new cliProgress.SingleBar({
      format: 'epoch {epoch} |{bar}| {value}/{total} steps | {losses} | {rate} it/s | ETA {eta_formatted}',
      hideCursor: true,
      etaBuffer: 50,
    }, cliProgress.Presets.shades_classic);
    this.bar.start(total, start, { epoch: '-', losses: '', rate: '0.00' });
  }

  update(step: number, epoch: number, losses: Record<string, number>): void {
    this.done++;
    const elapsed = (performance.now() - this.t0) / 1000;
    const text = Object.entries(losses).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(' ');
    this.bar?.update(step, { epoch, losses: text, rate: (this.done / Math.max(elapsed, 1e-9)).toFixed(2) });
  }

  stop(): void {
    this.bar?.stop();
  }
}
