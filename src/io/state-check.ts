import type { HostTensor } from './host-tensor.js';

const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/**
 * Checks a loaded state dict against the parameter shapes a model expects.
 * Collects every problem and throws ONE error naming `source` and listing
 * missing keys, unexpected keys and shape mismatches (`name: expected [..] got [..]`),
 * so a wrong checkpoint is diagnosed in one go rather than key by key.
 */
export function checkStateDict(expected: Map<string, number[]>, got: Map<string, HostTensor>, source: string): void {
  const missing: string[] = [];
  const mismatched: string[] = [];
  for (const [name, shape] of expected) {
    const t = got.get(name);
    if (!t) missing.push(name);
    else if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      mismatched.push(`${name}: expected ${fmt(shape)} got ${fmt(t.shape)}`);
    }
  }
  const unexpected = [...got.keys()].filter((k) => !expected.has(k));
  if (!missing.length && !unexpected.length && !mismatched.length) return;
  const lines = [`state dict from ${source} does not match the model:`];
  if (missing.length) lines.push(`  missing keys (${missing.length}): ${missing.sort().join(', ')}`);
  if (unexpected.length) lines.push(`  unexpected keys (${unexpected.length}): ${unexpected.sort().join(', ')}`);
  if (mismatched.length) lines.push(`  shape mismatches (${mismatched.length}):`, ...mismatched.sort().map((m) => `    ${m}`));
  // The most common cause in practice: a checkpoint saved from nn.DataParallel.
  if (missing.length && unexpected.some((k) => k.startsWith('module.') && expected.has(k.slice(7)))) {
    lines.push("  hint: keys start with 'module.' (saved from DataParallel); load with stripModulePrefix");
  }
  throw new Error(lines.join('\n'));
}
