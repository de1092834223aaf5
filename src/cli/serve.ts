// `img2img serve`: flags onto the `serve` job; runs until Ctrl-C.
import type { Command } from 'commander';
import { serve, serveSchema } from '../server/job.js';
import { collect, int, num, withDefault } from './parse.js';
import { addRuntimeOptions, runtimeFrom } from './runtime-options.js';

const d = (key: string, text: string) => withDefault(serveSchema, key, text);

export function registerServeCommand(program: Command): void {
  const cmd = program
    .command('serve')
    .description('the web page: open an image, mark the mosaic, restore or translate it in the browser (onnxruntime-web), download the PNG; restore videos (and a --folder) on the server, in this process or on a --redis queue')
    .option('--port <n>', d('port', 'TCP port (0 = any free port)'), int(0))
    .option('--host <address>', d('host', 'address to bind (0.0.0.0 or a LAN address makes it reachable from other computers: there is no authentication)'))
    .option('--model <file.onnx>', 'an exported model (img2img export) to offer in the page; repeatable', collect)
    .option('--max-upload-mb <n>', d('maxUploadMb', 'largest upload to the server-side jobs, MB'), num)
    .option('--max-pixels <n>', d('maxPixels', 'largest uploaded image (or video frame), pixels'), int(1))
    .option('--max-video-mb <n>', d('maxVideoMb', 'largest uploaded video, MB'), num)
    .option('--redis <url>', 'run videos and folders on the job queue at this Redis URL (start workers with img2img worker --redis URL); default: in this process')
    .option('--queue <name>', d('queue', 'queue name on Redis (the workers\' --queue)'))
    .option('--work-dir <dir>', 'where the server makes its work folder for uploaded videos and their results, removed when it stops (default: the system temp folder; with --redis, workers must see it at the same path)')
    .option('--folder <dir>', 'a folder the page may restore, file by file (read only)')
    .option('--folder-output <dir>', 'where folder jobs write, a new subfolder per job (default: FOLDER-restored beside it)')
    .option('--quiet', 'do not log requests');
  addRuntimeOptions(cmd).action(async (o: Record<string, any>) => {
    const server = await serve({
      port: o.port, host: o.host, models: o.model, maxUploadMb: o.maxUploadMb, maxPixels: o.maxPixels, maxVideoMb: o.maxVideoMb,
      redis: o.redis, queue: o.queue, workDir: o.workDir, folder: o.folder, folderOutput: o.folderOutput, runtime: runtimeFrom(o),
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
