// The `runtime` option of every job that runs a model: passed down, never global.
import { z } from 'zod';
import { PROVIDERS, checkProvider } from './providers.js';
import { GraphDump, type RuntimeOptions } from './session.js';

export const runtimeSchema = z.object({
  /** ONNX Runtime intra-op threads (default: all cores). */
  threads: z.int().min(1).optional(),
  /** Execution provider. */
  device: z.enum(PROVIDERS).default('cpu'),
  /** Let idle ONNX Runtime threads spin (its default; fastest on an idle machine). false on machines shared with other work. */
  spinning: z.boolean().optional(),
  /** Also save the compiled graphs as .onnx (PATH, then PATH.2.onnx, ...; open in Netron). */
  dumpGraph: z.string().optional(),
}).strict().default({ device: 'cpu' });

export type RuntimeInput = z.input<typeof runtimeSchema>;

/** The session options of one job run (checks that the provider is available here). */
export function runtimeOptions(r: z.output<typeof runtimeSchema>): RuntimeOptions {
  return { threads: r.threads, spinning: r.spinning, provider: checkProvider(r.device), ...(r.dumpGraph ? { dumpGraph: new GraphDump(r.dumpGraph) } : {}) };
}
