import type { Command } from 'commander';
import { runtimeDefaults } from '../runtime/session.js';
import { checkProvider } from '../runtime/providers.js';
import { int } from './parse.js';

/** --threads and --device, shared by every command that runs a model. */
export function addRuntimeOptions(cmd: Command): Command {
  return cmd
    .option('--threads <n>', 'ONNX Runtime intra-op threads (default: all cores)', int(1))
    .option('--device <provider>', 'execution provider: cpu, cuda or webgpu', 'cpu')
    .option('--dump-graph <file>', 'also save the compiled graphs as .onnx (FILE, then FILE.2.onnx, ...; open in Netron)');
}

export function applyRuntimeOptions(o: { threads?: number; device?: string; dumpGraph?: string }): void {
  runtimeDefaults.threads = o.threads;
  runtimeDefaults.provider = checkProvider(o.device ?? 'cpu');
  runtimeDefaults.dumpGraph = o.dumpGraph;
}
