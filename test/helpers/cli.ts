import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// The CLI's TypeScript sources through tsx, so tests exercise the working tree (bin/img2img.js
// runs the compiled dist/, which test/package.test.ts checks).
const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** Runs the img2img CLI as a user would; returns exit code and output. */
export function cli(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}
