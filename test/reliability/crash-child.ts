// A training run for the crash tests, in its own process so it can be killed with SIGKILL:
// argv[2] is the train job's options as JSON. Crash points come from IMG2IMG_CRASH_AT.
import { train } from '../../src/train/job.js';
import type { TrainOptions } from '../../src/train/options.js';

const r = await train(JSON.parse(process.argv[2]) as TrainOptions);
process.stdout.write(JSON.stringify({ step: r.step, epoch: r.epoch }) + '\n');
