import type { Command } from 'commander';
import { PROVIDERS, type Provider } from '../runtime/providers.js';
import type { RuntimeInput } from '../runtime/options.js';
import { int } from './parse.js';

/** --threads, --device and --dump-graph, shared by every command that runs a model. */
export function addRuntimeOptions(cmd: Command): Command {
  return cmd
    .option('--threads <n>', 'ONNX Runtime intra-op threads (default: all cores)', int(1))
    .option('--device <provider>', `execution provider: ${PROVIDERS.join(', ')} (default: cpu)`)
    .option('--dump-graph <file>', 'also save the compiled graphs as .onnx (FILE, then FILE.2.onnx, ...; open in Netron)');
}

/** The job's `runtime` option from those flags. */
export function runtimeFrom(o: { threads?: number; device?: string; dumpGraph?: string }): RuntimeInput {
  return { threads: o.threads, device: o.device as Provider | undefined, dumpGraph: o.dumpGraph };
}
