// The `img2img` command. The CLI sits on top of the library: each command maps its flags onto a
// job's options object (src/*/job.ts) and passes progress bars as the job's callbacks; nothing
// below src/cli imports commander or draws on the terminal.
import { Command } from 'commander';
import { normalizeArgv } from './aliases.js';
import { registerTrainCommand } from './train.js';
import { registerTestCommand } from './test.js';
import { registerTranslateCommand } from './translate.js';
import { registerDataCommands } from './datasets.js';
import { registerMosaicCommands } from './mosaic.js';
import { registerCdfDemo, registerGan2dDemo } from './demo.js';
import { registerCamCommand } from './cam.js';
import { registerClassifierCommands } from './classifier.js';
import { registerRestoreCommands } from './restore.js';
import { registerExportCommand } from './export.js';
import { registerServeCommand } from './serve.js';
import { registerQueueCommands } from './queue.js';
import { withFlagNames } from './parse.js';

const program = new Command('img2img')
  .description('GAN image-to-image translation (pix2pix, CycleGAN) and mosaic tools, on ONNX Runtime')
  .showHelpAfterError();

registerTrainCommand(program);
registerTestCommand(program);
registerTranslateCommand(program);
registerDataCommands(program);
registerCamCommand(program);
registerClassifierCommands(program);
registerRestoreCommands(program);
registerExportCommand(program);
registerServeCommand(program);
registerMosaicCommands(program.command('mosaic').description('pixelate regions, locate mosaic, build restoration training pairs'));
const demo = program.command('demo').description('small generative-model demos');
registerCdfDemo(demo);
registerGan2dDemo(demo);
registerQueueCommands(program);

let running: Command | undefined;
program.hook('preAction', (_root, action) => {
  running = action;
});

try {
  await program.parseAsync(normalizeArgv(process.argv));
} catch (err) {
  const e = withFlagNames(err, running);
  console.error(`img2img: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
}
