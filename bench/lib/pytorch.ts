import { spawnSync } from 'node:child_process';

/** Runs a PyTorch bench script with Debian's python3 (where python3-torch lives); null when unavailable. */
export function runTorch<T>(script: string, input: unknown, args: string[] = []): T | null {
  const python = process.env.TORCH_PYTHON ?? '/usr/bin/python3';
  const r = spawnSync(python, [script, ...args], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    console.error(`PyTorch side unavailable (${python} ${script}): ${r.stderr?.split('\n').slice(-3).join(' ') ?? r.error}`);
    return null;
  }
  return JSON.parse(r.stdout) as T;
}

export async function timeIt(fn: () => Promise<unknown>, minSeconds = 0.5, warmup = 2): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  let reps = 0;
  const t0 = performance.now();
  while (reps < 3 || performance.now() - t0 < minSeconds * 1000) {
    await fn();
    reps++;
  }
  return (performance.now() - t0) / 1000 / reps;
}
