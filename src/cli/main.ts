import { Command } from 'commander';
import { normalizeArgv } from './aliases.js';
import { registerTrainCommand } from './train-command.js';
import { registerTestCommand } from './test-command.js';
import { registerTranslateCommand } from './translate-command.js';
import { registerDataCommands } from '../data/cli.js';
import { registerMosaicCommands } from '../mosaic/cli.js';
import { registerCdfDemo } from '../demo/cdf-command.js';
import { registerGan2dDemo } from '../demo/gan2d-command.js';
import { registerCamCommand } from '../cam/cli.js';
import { registerClassifierCommands } from '../classifier/cli.js';
import { registerRestoreCommands } from '../restore/cli.js';

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
registerMosaicCommands(program.command('mosaic').description('pixelate regions, locate mosaic, build restoration training pairs'));
const demo = program.command('demo').description('small generative-model demos');
registerCdfDemo(demo);
registerGan2dDemo(demo);

try {
  await program.parseAsync(normalizeArgv(process.argv));
} catch (err) {
  console.error(`img2img: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
