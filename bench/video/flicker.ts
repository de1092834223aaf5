// Flicker of restored regions: the mean absolute frame-to-frame change inside the mosaic region
// of the restored clip, against the clean clip's over the same pixels (src/video/temporal.ts
// FlickerMeter), for synthetic clips whose clean version is known: a slow pan, a zoom, and a
// still shot with sensor-like noise. Restored with the shipped model without and with temporal
// smoothing, and with the classical method. Target: restored <= 1.2x clean.
// Run: node --import tsx bench/video/flicker.ts [frames=30] [threads=2]
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Image } from '../../src/data/image.js';
import { add } from '../../src/mosaic/job.js';
import { apply } from '../../src/restore/job.js';
import { findFfmpeg } from '../../src/video/ffmpeg.js';
import { FlickerMeter } from '../../src/video/temporal.js';

const frames = Number(process.argv[2] ?? 30), threads = Number(process.argv[3] ?? 2);
const dir = mkdtempSync(join(tmpdir(), 'img2img-bench-flicker-'));
const tools = findFfmpeg();
const W = 256, H = 192, box = { x: 72, y: 48, w: 112, h: 96 };
const photo = (n: number) => fileURLToPath(new URL(`../../examples/photos/photo_${String(n).padStart(2, '0')}.jpg`, import.meta.url));

function ffmpeg(args: string[]): void {
  const r = spawnSync(tools.ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
  if (r.status !== 0) throw new Error(r.stderr.toString());
}

function decode(path: string): Image[] {
  const r = spawnSync(tools.ffmpeg, ['-hide_banner', '-loglevel', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 30 });
  const size = W * H * 3, out: Image[] = [];
  for (let o = 0; o + size <= r.stdout.length; o += size) out.push({ width: W, height: H, channels: 3, data: new Uint8Array(r.stdout.subarray(o, o + size)) });
  return out;
}

const mask = new Uint8Array(W * H);
for (let y = box.y; y < box.y + box.h; y++) for (let x = box.x; x < box.x + box.w; x++) mask[y * W + x] = 1;
function flicker(path: string): number {
  const m = new FlickerMeter();
  for (const f of decode(path)) m.add(f, mask);
  return m.value;
}

const clips: [string, number, string][] = [
  ['slow pan (0.4 px/frame)', 4, `scale=640:640,zoompan=z='1.6':x='100+on':y='150':d=1:s=${W}x${H}:fps=30`],
  ['zoom in', 7, `scale=640:640,zoompan=z='1.2+0.004*on':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d=1:s=${W}x${H}:fps=30`],
  ['still + noise', 9, `scale=${W}:${H},noise=alls=6:allf=t`],
];
console.log(`${frames} frames ${W}x${H}, mosaic ${box.w}x${box.h} (8 px blocks, grid fixed to the frame), shipped model, ${threads} threads, load average ${loadavg()[0].toFixed(1)}`);
console.log('clip                     clean   mosaic  classical  model  model+smoothing   (flicker: mean |frame t - frame t-1| in the region, grey levels; ratio to clean)');
for (const [name, p, vf] of clips) {
  const clean = join(dir, `clean-${p}.mkv`), mos = join(dir, `mosaic-${p}.mkv`);
  ffmpeg(['-loop', '1', '-framerate', '30', '-i', photo(p), '-vf', `${vf},format=rgb24`, '-frames:v', String(frames), '-c:v', 'ffv1', clean]);
  await add({ inputs: [clean], output: mos, boxes: [`${box.x},${box.y},${box.w},${box.h}`], blockSize: 8, lossless: true });
  const out = async (tag: string, o: Record<string, unknown>) => {
    const f = join(dir, `${tag}-${p}.mkv`);
    await apply({ inputs: [mos], output: f, boxes: [`${box.x},${box.y},${box.w},${box.h}`], lossless: true, runtime: { threads }, ...o });
    return flicker(f);
  };
  const c = flicker(clean), m = flicker(mos);
  const classical = await out('classical', { method: 'classical', temporal: 0 });
  const model = await out('model', { temporal: 0 });
  const smooth = await out('smooth', { temporal: 0.8 });
  const r = (v: number) => `${v.toFixed(2)} (${(v / c).toFixed(2)}x)`;
  console.log(`${name.padEnd(24)} ${c.toFixed(2).padStart(5)}  ${r(m)}  ${r(classical)}  ${r(model)}  ${r(smooth)}`);
}
