// `img2img export`: flags onto the `export` job.
import type { Command } from 'commander';
import { exportModel, exportSchema } from '../export/job.js';
import { GENERATOR_NAMES } from '../models/networks.js';
import { NORM_TYPES } from '../models/norm.js';
import { SHIPPED_MODEL_NAMES } from '../restore/shipped.js';
import { int, oneOf, withDefault } from './parse.js';
import { addRuntimeOptions, runtimeFrom } from './runtime-options.js';

const d = (key: string, text: string) => withDefault(exportSchema, key, text);

export function registerExportCommand(program: Command): void {
  const cmd = program
    .command('export')
    .description('write a generator or a restoration model as an ONNX inference model (opset 17, eval mode, dynamic height/width where the architecture allows)')
    .requiredOption('--checkpoint <file>', `a generator (*_net_G*.safetensors, or a reference .pth with --netG/--norm/--ngf), a restorer file, or a shipped restorer (${SHIPPED_MODEL_NAMES.join(', ')})`)
    .requiredOption('-o, --output <file>', 'the .onnx file to write')
    .option('--netG <name>', `.pth only: ${GENERATOR_NAMES.join(' | ')}`, oneOf(GENERATOR_NAMES))
    .option('--norm <type>', d('norm', `.pth only: ${NORM_TYPES.join(' | ')}`), oneOf(NORM_TYPES))
    .option('--ngf <n>', d('ngf', '.pth only: generator filters'), int(1))
    .option('--input-nc <n>', d('inputNc', '.pth only: input channels'), int(1))
    .option('--output-nc <n>', d('outputNc', '.pth only: output channels'), int(1))
    .option('--dropout', '.pth only: the generator was built with dropout (the default)')
    .option('--no-dropout', '.pth only: the generator was built without dropout')
    .option('--direction <d>', 'AtoB | BtoA, written into the metadata (default: from train_opt.json beside the checkpoint, else AtoB)', oneOf(['AtoB', 'BtoA'] as const))
    .option('--size <HxW>', 'generators: a fixed input size instead of dynamic height and width')
    .option('--no-verify', 'skip the check of the written model on onnxruntime against the engine');
  addRuntimeOptions(cmd).action(async (o: Record<string, any>) => {
    const r = await exportModel({
      checkpoint: o.checkpoint, output: o.output, netG: o.netG, norm: o.norm, ngf: o.ngf, inputNc: o.inputNc, outputNc: o.outputNc,
      dropout: o.dropout, direction: o.direction, size: o.size, verify: o.verify, runtime: runtimeFrom(o),
    });
    console.log(`wrote ${r.output} (${r.info.kind}, ${(r.bytes / 2 ** 20).toFixed(1)} MB, ${r.nodeCount} nodes, opset 17)`);
    console.log(`size: ${r.sizeRule}`);
    if (r.fixedBecause) console.log(`fixed size because ${r.fixedBecause}`);
    if (r.verified) console.log(`checked on onnxruntime at ${r.verified.sizes.join(', ')}: largest difference to the engine ${r.verified.maxDifference.toFixed(3)} grey levels`);
  });
}
