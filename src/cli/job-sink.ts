// Where a file command's options object goes when it is not run here: `img2img submit` registers
// translate, restore apply, mosaic add and mosaic auto with a sink that queues the job instead.
import type { Command } from 'commander';
import type { FileJobKind } from '../jobs/types.js';

/** Receives a file command's options object (plain data: no callbacks) and the command that parsed it. */
export type JobSink = (kind: FileJobKind, options: Record<string, unknown>, cmd: Command) => Promise<void>;
