// Speed of restoring a mosaic in a video: a 1280x720 30 fps clip (a slow pan over an example
// photo, with audio) with one 200x200 mosaic region, restored with the shipped model; frames per
// second and where the time goes (decode, classical, model, encode).
// Run: node --import tsx bench/video/speed.ts [frames=90] [threads=2]
import { cpus, loadavg, tmpdir } from 'node:os';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { add } from '../../src/mosaic/job.js';
import { apply } from '../../src/restore/job.js';
import { findFfmpeg } from '../../src/video/ffmpeg.js';

const frames = Number(process.argv[2] ?? 90), threads = Number(process.argv[3] ?? 2);
const dir = mkdtempSync(join(tmpdir(), 'img2img-bench-video-'));
const tools = findFfmpeg();
const photo = fileURLToPath(new URL('../../examples/photos/photo_05.jpg', import.meta.url));
const clean = join(dir, 'clean.mp4'), mosaicked = join(dir, 'mosaic.mp4'), restored = join(dir, 'restored.mp4');
const box = '540,260,200,200';

const make = spawnSync(tools.ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-loop', '1', '-framerate', '30', '-i', photo, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
  '-filter_complex', "[0:v]scale=2048:2048,zoompan=z='1.4':x='200+3*on':y='500':d=1:s=1280x720:fps=30[v]", '-map', '[v]', '-map', '1:a',
  '-frames:v', String(frames), '-t', String(frames / 30), '-c:v', 'libx264', '-crf', '16', '-pix_fmt', 'yuv420p', '-c:a', 'aac', clean]);
if (make.status !== 0) throw new Error(make.stderr.toString());
// The mosaic is put in losslessly (RGB H.264), as grid estimation needs exact block colours.
await add({ inputs: [clean], output: mosaicked, boxes: [box], blockSize: 12, lossless: true });

console.log(`${frames} frames 1280x720 @ 30 fps, one 200x200 mosaic (12 px blocks), shipped model, ${threads} ORT threads, ${cpus().length} cores, load average before ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const [r] = await apply({ inputs: [mosaicked], output: restored, boxes: [box], runtime: { threads }, preset: 'veryfast' });
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const nodeCpu = (cpu.user + cpu.system) / 1e6;
const v = r.video!;
const t = v.timings;
console.log(`restored ${v.frames} frames in ${wall.toFixed(1)} s: ${(v.frames / wall).toFixed(2)} fps overall (${(v.frames / (t.process + t.decodeWait + t.encodeWait)).toFixed(2)} fps in the frame loop), load average after ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const perFrame = (s: number) => `${((1000 * s) / v.frames).toFixed(1)} ms/frame`;
const js = v.jobStats as { model: number; total: number };
console.log(`  frame job (restore)  ${t.process.toFixed(2)} s  ${perFrame(t.process)}`);
console.log(`    model (ONNX Runtime, incl. window inputs) ${js.model.toFixed(2)} s  ${perFrame(js.model)}`);
console.log(`    classical + grid + paste + consistency    ${(js.total - js.model).toFixed(2)} s  ${perFrame(js.total - js.model)}`);
console.log(`    frame moves (rotate/pad) and the rest     ${(t.process - js.total).toFixed(2)} s`);
console.log(`  waiting for decoder  ${t.decodeWait.toFixed(2)} s   decoder CPU ${t.decodeCpu.toFixed(2)} s (${perFrame(t.decodeCpu)})`);
console.log(`  waiting for encoder  ${t.encodeWait.toFixed(2)} s   encoder CPU ${t.encodeCpu.toFixed(2)} s (${perFrame(t.encodeCpu)}, libx264 veryfast CRF 18)`);
console.log(`  final mux            ${t.mux.toFixed(2)} s`);
const cpuPerFrame = (nodeCpu + t.decodeCpu + t.encodeCpu) / v.frames;
console.log(`CPU time: img2img (JS + ONNX Runtime threads) ${nodeCpu.toFixed(1)} s + ffmpeg ${(t.decodeCpu + t.encodeCpu).toFixed(1)} s = ${(1000 * cpuPerFrame).toFixed(0)} ms per frame;`
  + ` with the ${cpus().length} cores to itself the run could do at most ${(cpus().length / cpuPerFrame).toFixed(1)} fps (${(wall * cpus().length / (nodeCpu + t.decodeCpu + t.encodeCpu)).toFixed(1)}x the CPU it got here)`);
