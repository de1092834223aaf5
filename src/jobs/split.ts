// A file command as queue jobs: one job per input file, so many workers share a folder. Each
// job's output is the folder the local command would write that file's output into (with a
// trailing separator, so the job treats it as a folder), and the job names the file itself as the
// local command does (extension rules and all), so the outputs are the same files.
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, sep } from 'node:path';
import { listImages, type ImageFile } from '../data/file-list.js';
import { VIDEO_EXTENSIONS } from '../video/encode.js';
import { VideoError } from '../video/ffmpeg.js';
import { videoInputs } from '../video/jobs.js';
import { prepareFileJob } from './file-jobs.js';
import type { FileJobKind, JobRunner } from './types.js';

/** One job to queue: its kind, its options (plain JSON, absolute paths) and what it works on. */
export interface JobSpec { kind: FileJobKind; options: Record<string, unknown>; label: string }

/** Video files under `dir` (by extension), as relative names like listImages gives. */
async function listVideos(dir: string): Promise<ImageFile[]> {
  const found: ImageFile[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const path = join(d, e.name);
      if (e.isDirectory()) await walk(path);
      else if (e.isFile() && VIDEO_EXTENSIONS.includes(extname(e.name).toLowerCase())) found.push({ path, rel: relative(dir, path) });
    }
  };
  await walk(dir);
  return found.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

const asFolder = (p: string) => (p.endsWith('/') || p.endsWith(sep) ? p : p + sep);

/**
 * Splits a file job into one job per input file. Options are validated and made absolute against
 * `cwd` (see prepareFileJob). A single input file stays one job with its options as given. Folders
 * expand to their images (as the local command) and their videos (by extension; the local command
 * takes videos only as files); each file's job writes into the folder the local command would use:
 * OUTPUT/<its subfolder>/ (translate: OUTPUT/, as it flattens folders).
 */
export async function splitFileJob(kind: FileJobKind, options: unknown, cwd = process.cwd()): Promise<JobSpec[]> {
  const o = prepareFileJob(kind, options, cwd);
  const inputs = o.inputs as string[];
  const output = o.output as string;
  const infos = await Promise.all(inputs.map((p) => stat(p).catch(() => null)));
  const missing = inputs.filter((_, i) => !infos[i]);
  if (missing.length) throw new Error(`input ${missing[0]} does not exist`);
  if (inputs.length === 1 && infos[0]!.isFile()) return [{ kind, options: o, label: inputs[0] }];
  // Files given as arguments: videos and images cannot be mixed (as in a local run).
  const fileArgs = inputs.filter((_, i) => infos[i]!.isFile());
  const videoArgs = fileArgs.length ? await videoInputs(fileArgs, output) : [];
  const files: ImageFile[] = [];
  for (const [i, input] of inputs.entries()) {
    if (infos[i]!.isDirectory()) files.push(...(await listImages(input)), ...(await listVideos(input)));
    else files.push({ path: input, rel: basename(input) });
  }
  if (files.length === 0) throw new Error(`no images found in ${inputs.join(', ')}`);
  const outputIsDir = output.endsWith('/') || output.endsWith(sep) || (await stat(output).catch(() => null))?.isDirectory() === true;
  if (videoArgs.length > 1 && videoArgs.length === fileArgs.length && !outputIsDir && extname(output)) {
    throw new VideoError(`${videoArgs.length} videos need an output folder, got the file name ${output}`);
  }
  return files.map((f) => ({
    kind,
    label: f.path,
    options: { ...o, inputs: [f.path], output: asFolder(kind === 'translate' ? output : join(output, dirname(f.rel))) },
  }));
}

/** Splits a file job (see splitFileJob) and submits each part to `runner`; returns the ids in order. */
export async function submitSplit(runner: JobRunner, kind: FileJobKind, options: unknown, cwd = process.cwd()): Promise<{ ids: string[]; specs: JobSpec[] }> {
  const specs = await splitFileJob(kind, options, cwd);
  const ids: string[] = [];
  for (const s of specs) ids.push(await runner.submit(s.kind, s.options, { label: s.label }));
  return { ids, specs };
}
