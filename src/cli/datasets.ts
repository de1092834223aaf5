// `img2img datasets list|download` and `img2img combine`: flags onto the dataset jobs. Options are
// kebab-case; the reference's snake_case spellings (--fold_A, --num_imgs, --use_AB, --base_url) are
// accepted as hidden aliases so commands copied from its docs keep working.
import { Command, Option } from 'commander';
import { describeCatalog, type DatasetKind } from '../data/dataset-catalog.js';
import { DataError } from '../data/errors.js';
import { combine, combineSchema, download, downloadSchema } from '../data/job.js';
import { int, num, withDefault } from './parse.js';
import { byteBar } from './progress.js';

/** Adds `datasets download`, `datasets list` and `combine` to `program`. */
export function registerDataCommands(program: Command): void {
  const datasets = program.command('datasets').description('the reference pix2pix and CycleGAN datasets');

  datasets
    .command('list')
    .description('list the datasets that can be downloaded')
    .action(() => {
      console.log(describeCatalog());
    });

  datasets
    .command('download')
    .description('download and extract a dataset into ROOT/NAME (resumes an interrupted download)')
    .argument('<name>', 'dataset name, e.g. facades or horse2zebra (pix2pix/maps, cyclegan/maps for names in both)')
    .option('--root <dir>', withDefault(downloadSchema, 'root', 'folder that receives the dataset'))
    .option('--base-url <url>', 'download from this mirror instead (BASE/NAME.tar.gz or BASE/NAME.zip)')
    .addOption(new Option('--base_url <url>').hideHelp())
    .addOption(new Option('--kind <kind>', 'catalog for names in both (maps, facades)').choices(['pix2pix', 'cyclegan']))
    .option('--force', 'replace an existing ROOT/NAME')
    .option('--allow-http', 'accept a plain-http mirror or redirect (it can be altered on the way)')
    .option('--max-extracted-bytes <n>', withDefault(downloadSchema, 'maxExtractedBytes', 'refuse an archive that expands to more bytes'), int(1))
    .option('--max-extracted-files <n>', withDefault(downloadSchema, 'maxExtractedFiles', 'refuse an archive with more entries'), int(1))
    .option('--max-compression-ratio <x>', withDefault(downloadSchema, 'maxCompressionRatio', 'refuse an archive that expands to more than x times its size'), num)
    .option('-q, --quiet', 'no progress bar or status lines')
    .action(async (name: string, o: Record<string, string | number | boolean | undefined>, cmd: Command) => {
      await reportErrors(cmd, () =>
        download({
          name,
          root: o.root as string | undefined,
          baseUrl: (o.baseUrl ?? o.base_url) as string | undefined,
          kind: o.kind as DatasetKind | undefined,
          force: !!o.force,
          allowHttp: !!o.allowHttp,
          maxExtractedBytes: o.maxExtractedBytes as number | undefined,
          maxExtractedFiles: o.maxExtractedFiles as number | undefined,
          maxCompressionRatio: o.maxCompressionRatio as number | undefined,
          // Status lines go to stderr, so stdout stays clean for scripts.
          ...(o.quiet ? {} : { log: (m: string) => console.error(m), progress: byteBar(name) }),
        }),
      );
    });

  program
    .command('combine')
    .description('make a pix2pix dataset: FOLD_A/SPLIT/x and FOLD_B/SPLIT/x side by side into FOLD_AB/SPLIT/x')
    .option('--fold-A <dir>', 'input folder of A images (with split subfolders: train, val, test)')
    .option('--fold-B <dir>', 'input folder of B images, same names as in A')
    .option('--fold-AB <dir>', 'output folder')
    .option('--num-imgs <n>', withDefault(combineSchema, 'numImgs', 'at most this many images per split'))
    .option('--use-AB', 'pair NAME_A.ext with NAME_B.ext and write NAME.ext')
    .addOption(new Option('--fold_A <dir>').hideHelp())
    .addOption(new Option('--fold_B <dir>').hideHelp())
    .addOption(new Option('--fold_AB <dir>').hideHelp())
    .addOption(new Option('--num_imgs <n>').hideHelp())
    .addOption(new Option('--use_AB').hideHelp())
    .addOption(new Option('--no_multiprocessing', 'accepted for compatibility; ignored').hideHelp())
    .action(async (o: Record<string, string | boolean | undefined>, cmd: Command) => {
      const pick = (kebab: string, snake: string): string | undefined => (o[snake] ?? o[kebab]) as string | undefined;
      const foldA = pick('foldA', 'fold_A');
      const foldB = pick('foldB', 'fold_B');
      const foldAB = pick('foldAB', 'fold_AB');
      const missing = [['--fold-A', foldA], ['--fold-B', foldB], ['--fold-AB', foldAB]].filter(([, v]) => !v).map(([k]) => k);
      if (missing.length > 0) cmd.error(`error: missing required option(s) ${missing.join(', ')}`);
      const given = pick('numImgs', 'num_imgs');
      const numImgs = given === undefined ? undefined : Number(given);
      if (numImgs !== undefined && (!Number.isInteger(numImgs) || numImgs < 0)) cmd.error(`error: --num-imgs must be a non-negative integer`);
      await reportErrors(cmd, () =>
        combine({ foldA: foldA!, foldB: foldB!, foldAB: foldAB!, numImgs, useAB: !!(o.useAB ?? o.use_AB), log: (m) => console.log(m) }),
      );
    });
}

/** Runs `fn`; a DataError becomes a clean commander error (message, exit code 1), anything else propagates. */
async function reportErrors(cmd: Command, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof DataError) cmd.error(`error: ${err.message}`, { exitCode: 1, code: 'img2img.data' });
    throw err;
  }
}
