// A private redis-server for a test file: a free local port, a temp folder, no persistence, no
// daemon; stopped by stop(). redis-server comes from Debian's package (scripts/ensure-system-deps.sh
// installs it before `npm test`).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestRedis { url: string; port: number; stop(): Promise<void> }

/** Why redis-server cannot run here, or null when it can. */
export function redisMissing(): string | null {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? null : 'redis-server is not installed (apt-get install redis-server; npm test installs it as root)';
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts redis-server; resolves once it accepts connections. */
export async function startRedis(): Promise<TestRedis> {
  for (let tries = 0; ; tries++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'img2img-redis-'));
    const child: ChildProcess = spawn('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout!.on('data', (d) => (log += d));
    child.stderr!.on('data', (d) => (log += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const ready = await Promise.race([waitForPort(port), exited.then(() => false)]);
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    };
    if (ready) return { url: `redis://127.0.0.1:${port}`, port, stop };
    await stop();
    if (tries >= 2) throw new Error(`redis-server did not start: ${log}`);
  }
}

/** Resolves true once a PING on `port` gets PONG (10 s at most). */
async function waitForPort(port: number): Promise<boolean> {
  const { Socket } = await import('node:net');
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = new Socket();
      let got = '';
      s.setTimeout(500, () => (s.destroy(), resolve(false)));
      s.once('error', () => resolve(false));
      s.on('data', (d) => {
        got += d;
        if (got.includes('PONG')) {
          s.end();
          resolve(true);
        }
      });
      s.connect(port, '127.0.0.1', () => s.write('PING\r\n'));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
