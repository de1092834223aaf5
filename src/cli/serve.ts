// `img2img serve`: flags onto the `serve` job; runs until Ctrl-C.
import type { Command } from 'commander';
import { serve, serveSchema } from '../server/job.js';
import { collect, int, num, withDefault } from './parse.js';
import { addRuntimeOptions, runtimeFrom } from './runtime-options.js';

const d = (key: string, text: string) => withDefault(serveSchema, key, text);

export function registerServeCommand(program: Command): void {
  const cmd = program
    .command('serve')
    .description('the web page: open an image, mark the mosaic, restore or translate it in the browser (onnxruntime-web), download the PNG')
    .option('--port <n>', d('port', 'TCP port (0 = any free port)'), int(0))
    .option('--host <address>', d('host', 'address to bind (0.0.0.0 or a LAN address makes it reachable from other computers: there is no authentication)'))
    .option('--model <file.onnx>', 'an exported model (img2img export) to offer in the page; repeatable', collect)
    .option('--max-upload-mb <n>', d('maxUploadMb', 'largest upload to the server-side jobs, MB'), num)
    .option('--max-pixels <n>', d('maxPixels', 'largest uploaded image, pixels'), int(1))
    .option('--quiet', 'do not log requests');
  addRuntimeOptions(cmd).action(async (o: Record<string, any>) => {
    const server = await serve({
      port: o.port, host: o.host, models: o.model, maxUploadMb: o.maxUploadMb, maxPixels: o.maxPixels, runtime: runtimeFrom(o),
      log: o.quiet ? undefined : (line) => console.log(line),
    });
    console.log(`img2img serve: open ${server.url} (Ctrl-C stops it)`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
  });
}
