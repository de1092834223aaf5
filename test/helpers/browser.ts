// Debian's Chromium driven by playwright-core (Playwright's own browser download is not used),
// and the web page built fresh from the working tree. scripts/ensure-system-deps.sh (npm's
// pretest) installs Chromium with apt.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Where Chromium is: $IMG2IMG_CHROMIUM, or Debian's /usr/bin/chromium; null when missing. */
export function chromiumPath(): string | null {
  const candidates = [process.env.IMG2IMG_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
  return candidates.find((p) => existsSync(p)) ?? null;
}

export const NO_CHROMIUM = 'Chromium is not installed, so the web page cannot be tested in a browser: install it with '
  + '`apt-get install chromium` (npm test does so through scripts/ensure-system-deps.sh when run as root), or point IMG2IMG_CHROMIUM at a Chromium binary';

/**
 * Headless Chromium with no background networking (the network here may be closed). launch()
 * gives it a fresh temporary profile (--user-data-dir) of its own each time.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error(NO_CHROMIUM);
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** Builds web/ with Vite into `outDir` (the working tree's page, not a stale dist/web). */
export function buildPage(outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--config', join(root, 'web', 'vite.config.ts'), '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  if (r.status !== 0) throw new Error(`vite build failed:\n${r.stdout}\n${r.stderr}`);
  return outDir;
}

/** test-artifacts/ at the repository root (gitignored): screenshots kept after the run. */
export function artifactPath(name: string): string {
  const dir = join(root, 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}
