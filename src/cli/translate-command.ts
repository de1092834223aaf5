import type { Command } from 'commander';
import { join, basename, extname } from 'node:path';
import { readImage, writeImage, imageToCHW, chwToImage, type Channels } from '../data/image.js';
import { loadGenerator } from '../inference/load-generator.js';
import { Translator } from '../inference/translator.js';
import { expandInputs } from '../data/file-list.js';
import { int } from './parse.js';
import { outputIsFolder } from '../util/output-path.js';
import { batchProgress, forEachFile } from '../util/batch.js';
import { addRuntimeOptions, applyRuntimeOptions } from './runtime-options.js';

export function registerTranslateCommand(program: Command): void {
  const cmd = program
    .command('translate')
    .description('run a generator on images or folders of any size')
    .argument('<inputs...>', 'image files or folders')
    .requiredOption('--checkpoint <file>', 'generator: *_net_G*.safetensors (self-describing) or a reference .pth with --netG/--norm/--ngf')
    .requiredOption('-o, --output <path>', 'output folder (or an image file for a single input)')
    .option('--eval', 'eval mode: BatchNorm running statistics, no dropout')
    .option('--netG <name>', '.pth only: unet_256 | unet_128 | resnet_9blocks | resnet_6blocks')
    .option('--norm <type>', '.pth only: batch | instance | none', 'batch')
    .option('--ngf <n>', '.pth only: generator filters', int(1), 64)
    .option('--input-nc <n>', '.pth only: input channels', int(1), 3)
    .option('--output-nc <n>', '.pth only: output channels', int(1), 3)
    .option('--no-dropout', '.pth only: the generator was built without dropout')
    .option('--seed <n>', 'seed of dropout when not --eval', int(0), 0);
  addRuntimeOptions(cmd).action(async (inputs: string[], o: Record<string, any>) => {
    applyRuntimeOptions(o);
    const n = await translateFiles(inputs, o);
    console.log(`translated ${n} image(s) into ${o.output}`);
  });
}

export async function translateFiles(inputs: readonly string[], o: Record<string, any>): Promise<number> {
  const gen = await loadGenerator(o.checkpoint, { netG: o.netG, norm: o.norm, ngf: o.ngf, inputNc: o.inputNc, outputNc: o.outputNc, useDropout: o.dropout !== false });
  const { files, hadFolder } = await expandInputs(inputs);
  if (files.length === 0) throw new Error(`no images found in ${inputs.join(', ')}`);
  const singleFile = !outputIsFolder(o.output, files.length, hadFolder);
  const translator = new Translator(gen.net, gen.config, !!o.eval, {}, o.seed);
  const bar = batchProgress();
  try {
    await forEachFile(files, async ({ path }) => {
      const img = await readImage(path, { channels: gen.config.inputNc as Channels });
      const x = imageToCHW(img);
      const y = await translator.run(x.data, [1, ...x.shape]);
      const out = chwToImage({ shape: [gen.config.outputNc, img.height, img.width], data: y });
      await writeImage(singleFile ? o.output : join(o.output, `${basename(path, extname(path))}.png`), out);
    }, { onProgress: bar.update, onError: (path, err) => console.error(err.message) });
  } finally {
    bar.stop();
    await translator.release();
  }
  return files.length;
}
