// mosaic add on videos: frames, rate and timestamps kept (variable rate too), audio copied with
// its length, pixels outside the regions unchanged (lossless codecs), rotation kept, odd sizes,
// keyframed boxes, resume after a kill, and bad inputs that leave no output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { add } from '../../src/mosaic/job.js';
import { partsDir } from '../../src/video/pipeline.js';
import { probeVideo } from '../../src/video/probe.js';
import { cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tiny-datasets.js';
import { changedOutside, decodeFrames, ffmpeg, makeClip, streams, tools, videoTimes } from './clips.js';

const dir = tempDir('video-mosaic');
const clip = join(dir, 'pan.mkv');
makeClip(clip, { audio: true, frames: 24, motion: 'pan' });
const inBox = (b: number[]) => (x: number, y: number) => x >= b[0] && y >= b[1] && x < b[0] + b[2] && y < b[1] + b[3];

test('mosaic add on a clip with audio: frames, timestamps, audio copied, pixels outside the box unchanged', async () => {
  const out = join(dir, 'out.mkv');
  const seen: number[] = [];
  const r = await add({ inputs: [clip], output: out, boxes: ['20,10,40,30'], blockSize: 6, lossless: true, segmentSeconds: 0.3, onVideoProgress: (_f, p) => { if (p.phase === 'process') seen.push(p.frame); } });
  assert.deepEqual(r.outputs, [out]);
  assert.equal(r.videos?.[0].frames, 24);
  assert.equal(seen[seen.length - 1], 24);
  const a = decodeFrames(clip), b = decodeFrames(out);
  assert.equal(b.length, 24);
  assert.equal(changedOutside(a, b, inBox([20, 10, 40, 30])), 0);
  assert.ok(changedOutside(a, b, () => false) > 0, 'the box was pixelated');
  assert.deepEqual(videoTimes(out), videoTimes(clip));
  const [si, so] = [streams(clip), streams(out)];
  const ai = si.find((s) => s.type === 'audio')!, ao = so.find((s) => s.type === 'audio')!;
  assert.equal(ao.codec, ai.codec, 'audio copied, not re-encoded');
  assert.equal(ao.frames, ai.frames, 'every audio packet kept');
  assert.ok(!existsSync(partsDir(out)), 'the work folder is gone');
});

test('mp4 with H.264 by default; no audio; zoom; odd size padded for 4:2:0 and exact with --lossless', async () => {
  const odd = join(dir, 'odd.mkv');
  makeClip(odd, { width: 75, height: 53, frames: 10, motion: 'zoom' });
  const mp4 = join(dir, 'odd.mp4');
  const r = await add({ inputs: [odd], output: mp4, boxes: ['5,5,20,20'] });
  const info = await probeVideo(mp4, tools);
  assert.equal(info.video.codec, 'h264');
  assert.equal(info.video.pixFmt, 'yuv420p');
  assert.deepEqual([info.video.width, info.video.height], [76, 54]);
  assert.match(r.videos![0].notes.join(' '), /odd/);
  assert.equal(info.audio.length, 0);
  const exact = join(dir, 'odd-exact.mp4');
  await add({ inputs: [odd], output: exact, boxes: ['5,5,20,20'], lossless: true });
  const a = decodeFrames(odd), b = decodeFrames(exact);
  assert.deepEqual([b[0].width, b[0].height], [75, 53]);
  assert.equal(changedOutside(a, b, inBox([5, 5, 20, 20])), 0);
});

test('variable frame rate and rotation metadata are kept; boxes are in display orientation', async () => {
  const vfr = join(dir, 'vfr.mp4');
  const plain = join(dir, 'vfr-plain.mp4');
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=25', '-frames:v', '9', '-vf', "setpts='if(lt(N,4),N*0.04,0.36+(N-4)*0.04)/TB'", '-vsync', 'vfr',
    '-c:v', 'libx264rgb', '-qp', '0', plain]);
  ffmpeg(['-i', plain, '-c', 'copy', '-metadata:s:v:0', 'rotate=270', vfr]);
  const src = await probeVideo(vfr, tools);
  assert.notEqual(src.video.rotation, 0);
  const out = join(dir, 'vfr-out.mp4');
  await add({ inputs: [vfr], output: out, boxes: ['4,40,20,12'], lossless: true, segmentSeconds: 0.1 });
  assert.deepEqual(videoTimes(out), videoTimes(vfr));
  assert.equal((await probeVideo(out, tools)).video.rotation, src.video.rotation);
  const a = decodeFrames(vfr), b = decodeFrames(out);
  assert.deepEqual([a[0].width, a[0].height], [48, 64], 'shown upright');
  assert.equal(changedOutside(a, b, inBox([4, 40, 20, 12])), 0);
  assert.ok(changedOutside(a, b, () => false) > 0);
});

test('subtitles: copied into .mkv, converted to mov_text in .mp4; audio not re-encoded', async () => {
  const srt = join(dir, 'subs.srt');
  await writeFile(srt, '1\n00:00:00,000 --> 00:00:00,500\nhello\n\n2\n00:00:00,500 --> 00:00:00,900\nworld\n');
  const withSubs = join(dir, 'subs.mkv');
  ffmpeg(['-i', clip, '-i', srt, '-map', '0', '-map', '1', '-c', 'copy', '-c:s', 'srt', withSubs]);
  for (const [out, codec] of [[join(dir, 'subs-out.mkv'), 'subrip'], [join(dir, 'subs-out.mp4'), 'mov_text']]) {
    const r = await add({ inputs: [withSubs], output: out, boxes: ['1,1,8,8'] });
    const s = streams(out);
    assert.equal(s.find((x) => x.type === 'subtitle')?.codec, codec, out);
    assert.equal(s.find((x) => x.type === 'audio')?.codec, 'aac');
    assert.equal(s.find((x) => x.type === 'audio')?.frames, streams(clip).find((x) => x.type === 'audio')?.frames);
    assert.deepEqual(r.videos![0].notes, []);
  }
});

test('keyframed boxes move with interpolation', async () => {
  const keys = join(dir, 'keys.json');
  await writeFile(keys, JSON.stringify({ regions: [{ id: 'sign', keyframes: [{ frame: 0, box: [0, 0, 20, 20] }, { frame: 23, box: [46, 0, 20, 20] }] }] }));
  const out = join(dir, 'keys.mkv');
  await add({ inputs: [clip], output: out, keyframes: keys, blockSize: 5, lossless: true });
  const a = decodeFrames(clip), b = decodeFrames(out);
  const boxAt = (f: number) => [Math.round((46 * f) / 23), 0, 20, 20];
  assert.equal(changedOutside(a, b, (x, y, f) => inBox(boxAt(f))(x, y)), 0);
  for (const f of [0, 12, 23]) assert.ok(changedOutside([a[f]], [b[f]], () => false) > 0, `frame ${f} pixelated`);
  const outside = join(dir, 'keys-out.json');
  await writeFile(outside, JSON.stringify({ regions: [{ keyframes: [{ frame: 0, box: [0, 0, 20, 20] }, { frame: 20, box: [90, 0, 20, 20] }] }] }));
  await assert.rejects(add({ inputs: [clip], output: join(dir, 'never.mkv'), keyframes: outside }), /region 1 at frame \d+ \(box [\d,]+\) is outside the 96x72 frame/);
  assert.ok(!existsSync(join(dir, 'never.mkv')));
});

test('resume after a kill: the complete segments are kept and the result equals an uninterrupted run', async () => {
  const longer = join(dir, 'longer.mkv');
  makeClip(longer, { audio: true, frames: 40 });
  const out = join(dir, 'resumed.mkv');
  // A run killed (SIGKILL) once its first segments are complete.
  const script = `import { add } from ${JSON.stringify(new URL('../../src/mosaic/job.ts', import.meta.url).href)};
import { existsSync } from 'node:fs';
await add({ inputs: [${JSON.stringify(longer)}], output: ${JSON.stringify(out)}, boxes: ['10,10,50,40'], lossless: true, segmentSeconds: 0.2,
  onVideoProgress: (_f, p) => { if (p.frame >= 20 && existsSync(${JSON.stringify(join(partsDir(out), 'seg-00001.mov'))})) process.kill(process.pid, 'SIGKILL'); } });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'ignore' });
  const signal = await new Promise((r) => child.on('exit', (_c, s) => r(s)));
  assert.equal(signal, 'SIGKILL');
  assert.ok(!existsSync(out), 'no output from the killed run');
  assert.ok(readdirSync(partsDir(out)).filter((f) => /^seg-\d+\.mov$/.test(f)).length >= 2);
  const r = await add({ inputs: [longer], output: out, boxes: ['10,10,50,40'], lossless: true, segmentSeconds: 0.2, resume: true });
  assert.ok(r.videos![0].resumedFrames >= 10, `resumed at frame ${r.videos![0].resumedFrames}`);
  const fresh = join(dir, 'fresh.mkv');
  await add({ inputs: [longer], output: fresh, boxes: ['10,10,50,40'], lossless: true, segmentSeconds: 0.2 });
  const a = decodeFrames(fresh), b = decodeFrames(out);
  assert.equal(b.length, 40);
  assert.deepEqual(b.map((f) => Buffer.from(f.data).toString('base64')), a.map((f) => Buffer.from(f.data).toString('base64')));
  assert.deepEqual(videoTimes(out), videoTimes(longer));
  assert.equal(streams(out).find((s) => s.type === 'audio')?.frames, streams(longer).find((s) => s.type === 'audio')?.frames);
});

test('CLI: bad inputs exit 1 with the file and the problem, and write nothing', async () => {
  const notVideo = join(dir, 'notes.mp4');
  await writeFile(notVideo, 'just text\n');
  const cases: [string[], RegExp][] = [
    [['mosaic', 'add', notVideo, '-o', join(dir, 'x1.mp4'), '--box', '1,1,4,4'], /notes\.mp4: not a video/],
    [['mosaic', 'add', clip, '-o', join(dir, 'x2.mp4'), '--box', '90,60,20,20'], /pan\.mkv: box 90,60,20,20 is outside the 96x72 frame/],
    [['restore', 'apply', clip, '-o', join(dir, 'x3.mp4'), '--box', '90,60,20,20', '--method', 'classical'], /pan\.mkv: box 90,60,20,20 is outside the 96x72 frame/],
  ];
  for (const [args, re] of cases) {
    const r = cli(args);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, re);
  }
  for (const f of ['x1.mp4', 'x2.mp4', 'x3.mp4']) assert.ok(!existsSync(join(dir, f)));
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.parts') || f.includes('.partial')), []);
});
