// The `img2img` command. The CLI sits on top of the library: each command maps its flags onto a
// job's options object (src/*/job.ts) and passes progress bars as the job's callbacks; nothing
// below src/cli imports commander or draws on the terminal.
import { Command } from 'commander';
import { normalizeArgv } from './aliases.js';
import { withFlagNames } from './parse.js';

const program = new Command('img2img')
  .description('GAN image-to-image translation (pix2pix, CycleGAN) and mosaic tools, on ONNX Runtime')
  .showHelpAfterError();

/**
 * The command groups, each loaded only when needed: a command line naming one loads just that
 * group's modules (a third of the start-up time of loading them all); help and unknown commands
 * load every group so they can list them.
 */
const GROUPS: { names: string[]; register: (program: Command) => Promise<void> }[] = [
  { names: ['train'], register: async (p) => (await import('./train.js')).registerTrainCommand(p) },
  { names: ['test'], register: async (p) => (await import('./test.js')).registerTestCommand(p) },
  { names: ['translate'], register: async (p) => (await import('./translate.js')).registerTranslateCommand(p) },
  { names: ['datasets', 'combine'], register: async (p) => (await import('./datasets.js')).registerDataCommands(p) },
  { names: ['cam'], register: async (p) => void (await import('./cam.js')).registerCamCommand(p) },
  { names: ['classifier'], register: async (p) => void (await import('./classifier.js')).registerClassifierCommands(p) },
  { names: ['restore'], register: async (p) => void (await import('./restore.js')).registerRestoreCommands(p) },
  { names: ['export'], register: async (p) => (await import('./export.js')).registerExportCommand(p) },
  { names: ['serve'], register: async (p) => (await import('./serve.js')).registerServeCommand(p) },
  {
    names: ['mosaic'],
    register: async (p) => void (await import('./mosaic.js')).registerMosaicCommands(p.command('mosaic').description('pixelate regions, locate mosaic, build restoration training pairs')),
  },
  {
    names: ['demo'],
    register: async (p) => {
      const { registerCdfDemo, registerGan2dDemo } = await import('./demo.js');
      const demo = p.command('demo').description('small generative-model demos');
      registerCdfDemo(demo);
      registerGan2dDemo(demo);
    },
  },
  { names: ['worker', 'submit', 'jobs'], register: async (p) => (await import('./queue.js')).registerQueueCommands(p) },
];

const argv = normalizeArgv(process.argv);
const named = GROUPS.find((g) => g.names.includes(argv[2]));
for (const group of named ? [named] : GROUPS) await group.register(program);

let running: Command | undefined;
program.hook('preAction', (_root, action) => {
  running = action;
});

try {
  await program.parseAsync(argv);
} catch (err) {
  const e = withFlagNames(err, running);
  console.error(`img2img: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
}
