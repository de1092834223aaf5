// The modules the browser page shares with Node import no Node module, directly or through
// others (type-only imports are erased and do not count). The page's own entry points are
// checked the same way, so a Node import sneaking into a shared module fails here, not only in
// the Vite build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closure, runtimeImports } from '../helpers/module-closure.js';

/** The shared modules (the browser page imports these). */
export const SHARED = [
  'src/data/image-core.ts',
  'src/mosaic/mask.ts',
  'src/mosaic/locate.ts',
  'src/mosaic/pixelate.ts',
  'src/restore/regions.ts',
  'src/restore/grid.ts',
  'src/restore/classical.ts',
  'src/restore/paste.ts',
  'src/restore/restore-image.ts',
  'src/restore/net/tiles.ts',
  'src/restore/net/features.ts',
];

test('modules shared with the browser import no Node module', () => {
  const { files, bad } = closure(SHARED);
  assert.deepEqual(bad, []);
  assert.ok(files.includes('src/restore/classical.ts') && files.includes('src/mosaic/locate-grid.ts'), files.join(', '));
});

test('the import scanner sees runtime imports and skips type-only ones', () => {
  const src = "import type { A } from 'sharp';\nimport { type B } from 'node:fs';\nimport { c, type D } from 'node:path';\nexport * from './x.js';\nexport type { E } from 'tar';\n";
  assert.deepEqual(runtimeImports(src), ['node:path', './x.js']);
});
