// Runs every test/**/*.test.ts with Node's test runner (Node 20 has no glob support in --test).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function findTests(dir) {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return findTests(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const filter = process.argv.slice(2);
const files = findTests('test').filter((f) => filter.length === 0 || filter.some((s) => f.includes(s)));
// Two test files run at once on CI's 2 cores: ONNX Runtime's idle threads must not spin there.
const env = { ...process.env, IMG2IMG_ORT_SPINNING: process.env.IMG2IMG_ORT_SPINNING ?? '0' };
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
