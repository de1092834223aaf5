// The runtime import closure of TypeScript modules: which modules a set of entry points reaches
// through non-type imports, and which of those imports need Node (see test/web/pure-modules.test.ts).
import { readFileSync, existsSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Modules Node provides or that need Node (native add-ons, file system). */
const NODE_ONLY = /^(node:|sharp$|onnxruntime-node$|protobufjs|tar$|commander$|cli-progress$|gifenc$)/;

/** Runtime (non-type) import specifiers of a TypeScript source. */
export function runtimeImports(source: string): string[] {
  const out: string[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?([^;]*?)\s*from\s*'([^']+)'/gm;
  for (const m of source.matchAll(re)) {
    if (m[2]) continue; // import type / export type
    const names = m[3];
    // import { type A, type B } from '...' is erased too
    const braces = /^\{([^}]*)\}$/.exec(names.trim());
    if (braces && braces[1].split(',').map((s) => s.trim()).filter(Boolean).every((s) => s.startsWith('type '))) continue;
    out.push(m[4]);
  }
  for (const m of source.matchAll(/^\s*import\s+'([^']+)'/gm)) out.push(m[1]);
  for (const m of source.matchAll(/import\(\s*'([^']+)'\s*\)/g)) out.push(m[1]);
  return out;
}

/** Every module reachable from `entries` and the non-relative specifiers each imports. */
export function closure(entries: readonly string[]): { files: string[]; bad: string[] } {
  const seen = new Set<string>();
  const bad: string[] = [];
  const stack = entries.map((e) => resolve(root, e));
  while (stack.length) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of runtimeImports(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
        if (!existsSync(target)) throw new Error(`${relative(root, file)} imports ${spec}, which does not exist`);
        stack.push(target);
      } else if (NODE_ONLY.test(spec)) bad.push(`${relative(root, file)} imports ${spec}`);
    }
  }
  return { files: [...seen].map((f) => relative(root, f)).sort(), bad };
}
