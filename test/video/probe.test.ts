// The video probe and content sniffing: clips with and without audio, odd sizes, rotation
// metadata, variable frame rate; and the bad inputs (not a video, empty, truncated, no video
// stream, zero frames) as clear errors naming the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ffmpegCaps, VideoError } from '../../src/video/ffmpeg.js';
import { frameTimes, probeVideo } from '../../src/video/probe.js';
import { isVideoInput, sniffBytes } from '../../src/video/sniff.js';
import { rotateImage } from '../../src/video/frame-ops.js';
import { tempDir } from '../helpers/tiny-datasets.js';
import { decodeFrames, ffmpeg, makeClip, photo, tools } from './clips.js';

const dir = tempDir('video-probe');
const withAudio = join(dir, 'audio.mp4');
makeClip(withAudio, { audio: true, frames: 15, codec: ['-c:v', 'libx264', '-pix_fmt', 'yuv420p'] });
const odd = join(dir, 'odd.mkv');
makeClip(odd, { width: 75, height: 53, frames: 12, fps: '30000/1001' });

test('the bundled ffmpeg has H.264, lossless codecs and the filters the pipeline uses', async () => {
  const caps = await ffmpegCaps(tools.ffmpeg);
  for (const e of ['libx264', 'libx264rgb', 'ffv1', 'aac']) assert.ok(caps.encoders.has(e), e);
  for (const m of ['mp4', 'matroska', 'nut']) assert.ok(caps.muxers.has(m), m);
  assert.ok(caps.filters.has('select') && caps.filters.has('scale'));
});

test('probe: size, rate, frames, audio; odd sizes; no audio', async () => {
  const a = await probeVideo(withAudio, tools);
  assert.equal(a.video.width, 96);
  assert.equal(a.video.height, 72);
  assert.deepEqual(a.video.frameRate, { num: 25, den: 1 });
  assert.equal(a.video.rotation, 0);
  assert.equal(a.audio.length, 1);
  assert.equal(a.audio[0].codec, 'aac');
  assert.equal((await frameTimes(a, tools)).pts.length, 15);
  const o = await probeVideo(odd, tools);
  assert.equal(o.video.width, 75);
  assert.equal(o.video.height, 53);
  assert.deepEqual(o.video.frameRate, { num: 30000, den: 1001 });
  assert.equal(o.audio.length, 0);
  const t = await frameTimes(o, tools);
  assert.equal(t.pts.length, 12);
});

test('probe: rotation metadata; frames turned to display orientation match what ffmpeg shows', async () => {
  const rotated = join(dir, 'rot.mp4');
  makeClip(join(dir, 'plain.mp4'), { frames: 3, width: 64, height: 48, codec: ['-c:v', 'libx264rgb', '-qp', '0'] });
  for (const tag of [90, 180, 270]) {
    ffmpeg(['-i', join(dir, 'plain.mp4'), '-c', 'copy', '-metadata:s:v:0', `rotate=${tag}`, rotated]);
    const info = await probeVideo(rotated, tools);
    assert.notEqual(info.video.rotation, 0, `tag ${tag}`);
    const stored = decodeFrames(rotated, { noAutorotate: true })[0];
    const shown = decodeFrames(rotated)[0];
    assert.deepEqual(rotateImage(stored, info.video.rotation), shown, `tag ${tag}: rotation ${info.video.rotation}`);
  }
});

test('variable frame rate: the packet timestamps are read as they are', async () => {
  const vfr = join(dir, 'vfr.mkv');
  // frames at 0, 40, 80 ms, then a 200 ms gap, then 40 ms again
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=25', '-frames:v', '8', '-vf', "setpts='if(lt(N,3),N*0.04,0.28+(N-3)*0.04)/TB'", '-vsync', 'vfr', '-c:v', 'ffv1', vfr]);
  const info = await probeVideo(vfr, tools);
  const t = await frameTimes(info, tools);
  const s = t.pts.map((p) => Math.round((p * t.timeBase.num * 1000) / t.timeBase.den));
  assert.deepEqual(s, [0, 40, 80, 280, 320, 360, 400, 440]);
});

test('sniffing decides by content: a video named .png is a video, a PNG named .mp4 is not', async () => {
  const png = readFileSync(photo(1));
  assert.equal(sniffBytes(png), 'image');
  assert.equal(sniffBytes(readFileSync(withAudio).subarray(0, 64)), 'video');
  assert.equal(sniffBytes(readFileSync(odd).subarray(0, 64)), 'video');
  const disguised = join(dir, 'clip.png');
  writeFileSync(disguised, readFileSync(withAudio));
  assert.equal(await isVideoInput(disguised), true);
  const jpgAsMp4 = join(dir, 'photo.mp4');
  writeFileSync(jpgAsMp4, png);
  assert.equal(await isVideoInput(jpgAsMp4), false);
  const text = join(dir, 'notes.mp4');
  writeFileSync(text, 'hello');
  assert.equal(await isVideoInput(text), true, 'unknown content with a video name goes to the video path (and its clear error)');
  assert.equal(await isVideoInput(photo(1)), false);
});

test('bad inputs: clear errors naming the file', async () => {
  const expect = async (path: string, re: RegExp) => {
    await assert.rejects(async () => frameTimes(await probeVideo(path, tools), tools), (e: Error) => {
      assert.ok(e instanceof VideoError, e.message);
      assert.ok(e.message.startsWith(path), e.message);
      assert.match(e.message, re);
      return true;
    });
  };
  const text = join(dir, 'text.mp4');
  writeFileSync(text, 'not a video at all\n');
  await expect(text, /not a video/);
  const empty = join(dir, 'empty.mkv');
  writeFileSync(empty, '');
  await expect(empty, /empty file/);
  await expect(join(dir, 'missing.mp4'), /no such file/);
  const full = readFileSync(withAudio);
  const cut = join(dir, 'cut.mp4');
  writeFileSync(cut, full.subarray(0, full.length >> 1));
  await expect(cut, /truncated/);
  const mkv = readFileSync(odd);
  const cutMkv = join(dir, 'cut.mkv');
  writeFileSync(cutMkv, mkv.subarray(0, Math.floor(mkv.length * 0.6)));
  await expect(cutMkv, /truncated/);
  const audio = join(dir, 'sound.m4a');
  ffmpeg(['-f', 'lavfi', '-i', 'sine', '-t', '0.5', audio]);
  await expect(audio, /no video stream.*audio/);
  const zero = join(dir, 'zero.y4m');
  writeFileSync(zero, 'YUV4MPEG2 W32 H32 F25:1 Ip A1:1 C420jpeg\n'); // a video stream without a single frame
  await expect(zero, /no frames/);
});
