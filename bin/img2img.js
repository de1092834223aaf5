#!/usr/bin/env node
// The img2img command: the compiled CLI in dist/ (built by `npm run build`, which `npm ci` runs as
// `prepare`). From a checkout, `npm run img2img -- <command>` runs the TypeScript sources instead.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('img2img: dist/ is missing; run `npm run build` (or `npm run img2img -- <command>` from a checkout)');
  process.exit(1);
}
await import(main.href);
