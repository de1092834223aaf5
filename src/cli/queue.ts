// `img2img worker`, `img2img submit` and `img2img jobs`: the job queue on Redis (src/jobs).
import { relative } from 'node:path';
import cliProgress from 'cli-progress';
import { Command, CommanderError } from 'commander';
import { report, submit, worker, workerSchema, type BatchProgress, type QueueReport } from '../jobs/job.js';
import { DEFAULT_QUEUE, type FileJobKind, type JobStatus } from '../jobs/types.js';
import { normalizeArgv } from './aliases.js';
import type { JobSink } from './job-sink.js';
import { registerMosaicCommands } from './mosaic.js';
import { int, num, withDefault, withFlagNames } from './parse.js';
import { registerRestoreCommands } from './restore.js';
import { registerTranslateCommand } from './translate.js';

const QUEUEABLE = ['translate', 'restore apply', 'mosaic add', 'mosaic auto'];

const shown = (p: string) => {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') ? r : p;
};

const percent = (p: JobStatus['progress']) => (p && p.total > 0 ? `${Math.floor((100 * p.done) / p.total)}%` : '');

/**
 * Parses `<command> <args...>` with the file commands' own definitions, capturing the job's
 * options object instead of running it. Returns null when commander already answered (--help,
 * a usage error: printed, with process.exitCode set).
 */
export async function parseFileCommand(args: string[]): Promise<{ kind: FileJobKind; options: Record<string, unknown>; cmd: Command } | null> {
  const name = args[0] === 'restore' || args[0] === 'mosaic' ? `${args[0]} ${args[1] ?? ''}`.trim() : args[0] ?? '';
  if (!QUEUEABLE.includes(name)) {
    throw new Error(`submit queues ${QUEUEABLE.join(', ')}; got '${name || '(nothing)'}' (put the command after --: img2img submit --redis URL -- restore apply in/ -o out/ ...)`);
  }
  let captured: { kind: FileJobKind; options: Record<string, unknown>; cmd: Command } | null = null;
  const sink: JobSink = async (kind, options, cmd) => {
    captured = { kind, options, cmd };
  };
  const program = new Command('img2img submit --').exitOverride();
  registerTranslateCommand(program, sink);
  registerRestoreCommands(program, sink);
  registerMosaicCommands(program.command('mosaic'), sink);
  try {
    await program.parseAsync(normalizeArgv(args), { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return null;
    }
    throw err;
  }
  return captured;
}

/** A line of overall progress: done/total, failures, and the running jobs with their progress. */
function waitBar(): { update: (p: BatchProgress) => void; stop: () => void } {
  let bar: cliProgress.SingleBar | null = null;
  let lastLine = 0;
  const tty = process.stderr.isTTY;
  return {
    update(p) {
      const running = p.running.slice(0, 3).map((r) => `${shown(r.label)} ${percent(r.progress)}`.trim()).join(', ') + (p.running.length > 3 ? `, +${p.running.length - 3}` : '');
      if (tty) {
        if (!bar) {
          bar = new cliProgress.SingleBar({ stream: process.stderr, format: '{bar} {value}/{total} jobs | {failed} failed | ETA {eta}s | {running}', hideCursor: true }, cliProgress.Presets.shades_classic);
          bar.start(p.total, 0, { failed: 0, running: '' });
        }
        bar.update(p.done + p.failed, { failed: p.failed, running });
      } else if (Date.now() - lastLine > 5000 || p.done + p.failed === p.total) {
        // Not a terminal (a log file, CI): a line every few seconds.
        lastLine = Date.now();
        console.error(`${p.done + p.failed}/${p.total} jobs, ${p.failed} failed${running ? `; running: ${running}` : ''}`);
      }
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}

/** The `jobs` command's text: counts, then the active, queued, done and failed jobs (failures with their messages). */
export function formatReport(r: QueueReport): string {
  const lines: string[] = [];
  const c = r.counts;
  lines.push(`queue ${r.queue} at ${r.redis}: ${c.queued} queued, ${c.running} active, ${c.done} done, ${c.failed} failed`);
  const section = (title: string, state: JobStatus['state'], total: number, line: (j: JobStatus) => string) => {
    const list = r.jobs.filter((j) => j.state === state);
    if (!list.length) return;
    lines.push(`${title}${total > list.length ? ` (${list.length} of ${total})` : ''}:`);
    for (const j of list) lines.push(`  ${j.id}  ${j.kind}  ${line(j)}`);
  };
  const label = (j: JobStatus) => (j.label ? shown(j.label) : '');
  section('active', 'running', c.running, (j) => `${label(j)}  ${percent(j.progress)}${j.progress?.text ? ` ${j.progress.text}` : ''}${(j.attempts ?? 1) > 1 ? `  (attempt ${j.attempts})` : ''}`);
  section('queued', 'queued', c.queued, (j) => `${label(j)}${j.error ? `  (retrying after: ${j.error})` : ''}`);
  section('done (latest first)', 'done', c.done, (j) => `${label(j)}${j.startedAt && j.finishedAt ? `  ${((j.finishedAt - j.startedAt) / 1000).toFixed(2)} s` : ''}`);
  section('failed', 'failed', c.failed, (j) => `${label(j)}: ${j.error ?? ''}${(j.attempts ?? 1) > 1 ? `  (after ${j.attempts} attempts)` : ''}`);
  return lines.join('\n');
}

export function registerQueueCommands(program: Command): void {
  const w = (key: string, text: string) => withDefault(workerSchema, key, text);
  program.command('worker')
    .description('run queued jobs (img2img submit) from Redis; any number of workers on machines that see the same files at the same paths')
    .requiredOption('--redis <url>', 'Redis URL, e.g. redis://host:6379 (rediss:// for TLS)')
    .option('--queue <name>', `queue name (default: ${DEFAULT_QUEUE})`)
    .option('--concurrency <n>', w('concurrency', 'jobs run at once by this worker'), int(1))
    .option('--threads <n>', 'ONNX Runtime threads per job (default: all cores divided by --concurrency)', int(1))
    .option('--lock-seconds <s>', w('lockSeconds', 'a job whose worker stops for this long (killed, machine lost) is taken back by another worker'), num)
    .option('--stalled-seconds <s>', w('stalledSeconds', 'how often this worker looks for such stalled jobs'), num)
    .action(async (o: Record<string, any>) => {
      const stamp = () => new Date().toISOString().slice(11, 19);
      const testDelay = Number(process.env.IMG2IMG_QUEUE_TEST_DELAY_MS ?? 0);
      const running = await worker({
        redis: o.redis, queue: o.queue, concurrency: o.concurrency, threads: o.threads, lockSeconds: o.lockSeconds, stalledSeconds: o.stalledSeconds,
        ...(testDelay > 0 ? { testDelayMs: testDelay } : {}),
        log: (line) => console.log(`${stamp()} ${line}`),
      });
      console.log(`${stamp()} worker ready: queue ${o.queue ?? DEFAULT_QUEUE}, concurrency ${o.concurrency ?? 1} (Ctrl-C stops after the running jobs)`);
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = () => {
          if (stopping) {
            console.log(`${stamp()} stopping now; the running jobs go back to the queue when their locks expire`);
            void running.close(true).then(resolve);
            return;
          }
          stopping = true;
          console.log(`${stamp()} stopping after the running jobs (again to stop now)`);
          void running.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });

  program.command('submit')
    .description('queue a file command (translate, restore apply, mosaic add, mosaic auto) for workers: one job per input file')
    .usage('--redis <url> [options] -- <command> <args...>')
    .requiredOption('--redis <url>', 'Redis URL, e.g. redis://host:6379')
    .option('--queue <name>', `queue name (default: ${DEFAULT_QUEUE})`)
    .option('--wait', 'follow the jobs: overall progress; exit code 1 naming the files whose jobs failed')
    .option('--attempts <n>', 'attempts per job for transient errors (default: 4)', int(1))
    .option('--backoff <s>', 'first retry delay in seconds, doubled per retry (default: 2)', num)
    .argument('<command...>', 'the command as you would run it here, after --: paths are resolved here and must be the same on the workers')
    .action(async (args: string[], o: Record<string, any>) => {
      const parsed = await parseFileCommand(args);
      if (!parsed) return;
      const bar = waitBar();
      try {
        const r = await submit({
          redis: o.redis, queue: o.queue, kind: parsed.kind, options: parsed.options, attempts: o.attempts, backoffSeconds: o.backoff, wait: !!o.wait,
          onQueued: (jobs) => console.log(`queued ${jobs.length} ${parsed.kind} job${jobs.length === 1 ? '' : 's'} on ${o.queue ?? DEFAULT_QUEUE} (ids ${jobs[0].id}${jobs.length > 1 ? `..${jobs[jobs.length - 1].id}` : ''})`),
          onProgress: bar.update,
        }).catch((err) => {
          throw withFlagNames(err, parsed.cmd);
        });
        bar.stop();
        if (!o.wait) return;
        for (const f of r.failed ?? []) console.error(`failed: ${shown(f.label)}: ${f.error}`);
        console.log(`${r.done} done, ${r.failed!.length} failed of ${r.jobs.length}`);
        if (r.failed!.length) {
          const names = r.failed!.map((f) => shown(f.label));
          throw new Error(`${names.length} of ${r.jobs.length} jobs failed: ${names.slice(0, 20).join(', ')}${names.length > 20 ? `, ... (${names.length - 20} more)` : ''}`);
        }
      } finally {
        bar.stop();
      }
    });

  program.command('jobs')
    .description('the queue\'s jobs: counts of queued, active, done and failed, the running and queued jobs, and the failures with their messages')
    .requiredOption('--redis <url>', 'Redis URL, e.g. redis://host:6379')
    .option('--queue <name>', `queue name (default: ${DEFAULT_QUEUE})`)
    .option('--limit <n>', 'jobs listed per state (default: 20)', int(0))
    .option('--json', 'print the report as JSON')
    .action(async (o: Record<string, any>) => {
      const r = await report({ redis: o.redis, queue: o.queue, limit: o.limit });
      if (o.json) return console.log(JSON.stringify(r, null, 2));
      console.log(formatReport(r));
    });
}
