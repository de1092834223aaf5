// Frames in and out of ffmpeg over pipes: raw rgb24 frames from a decoding ffmpeg's stdout, and
// timestamped raw frames (mkv.ts) into an encoding ffmpeg's stdin. Nothing touches the disk.
// Memory is bounded: the decoder's pipe is paused while `queue` decoded frames wait, and a write
// to the encoder waits for its pipe to drain, so ffmpeg itself blocks when we fall behind.
// Decoding, the model and encoding overlap: both ffmpegs run in their own processes while the
// model runs; the queues only hold what one stage is ahead of the next.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { ffmpegReason, VideoError } from './ffmpeg.js';
import { mkvFrame, mkvHeader } from './mkv.js';

function spawnTool(path: string, args: readonly string[]): ChildProcessWithoutNullStreams {
  return spawn(path, args, { stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Decoded frames of one video, in order, as rgb24 buffers of frameBytes each. */
export class FrameDecoder implements AsyncIterable<Buffer> {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly queue: Buffer[] = [];
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private ended = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private stderr = '';
  private readonly exited: Promise<number>;
  /** Frames handed out so far. */
  count = 0;

  constructor(ffmpeg: string, args: readonly string[], readonly frameBytes: number, readonly what: string, readonly maxQueued = 4) {
    this.child = spawnTool(ffmpeg, args);
    this.child.stdin.end();
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr += d.toString();
      if (this.stderr.length > 1 << 18) this.stderr = this.stderr.slice(-(1 << 17));
    });
    this.child.stdout.on('data', (d: Buffer) => this.take(d));
    this.exited = new Promise((resolve) => {
      this.child.on('error', (e) => {
        this.failure = new VideoError(`${what}: cannot run ffmpeg (${e.message})`);
        resolve(1);
      });
      this.child.on('close', (code) => resolve(code ?? 1));
    });
    void this.exited.then((code) => {
      if (this.partialBytes > 0 && !this.failure) this.failure = new VideoError(`${what}: the decoder stopped in the middle of a frame (a truncated or broken file)`);
      if (code !== 0 && !this.failure) this.failure = new VideoError(`${what}: decoding failed (${ffmpegReason(this.stderr)})`);
      this.ended = true;
      this.notify();
    });
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private take(d: Buffer): void {
    let off = 0;
    while (off < d.length) {
      const need = this.frameBytes - this.partialBytes;
      const n = Math.min(need, d.length - off);
      this.partial.push(d.subarray(off, off + n));
      this.partialBytes += n;
      off += n;
      if (this.partialBytes === this.frameBytes) {
        this.queue.push(this.partial.length === 1 ? Buffer.from(this.partial[0]) : Buffer.concat(this.partial, this.frameBytes));
        this.partial = [];
        this.partialBytes = 0;
      }
    }
    if (this.queue.length >= this.maxQueued) this.child.stdout.pause();
    this.notify();
  }

  /** ffmpeg's error output so far (for messages). */
  get log(): string {
    return this.stderr;
  }

  async next(): Promise<Buffer | null> {
    for (;;) {
      if (this.queue.length) {
        const f = this.queue.shift()!;
        if (this.queue.length < this.maxQueued && this.child.stdout.isPaused()) this.child.stdout.resume();
        this.count++;
        return f;
      }
      if (this.ended) {
        if (this.failure) throw this.failure;
        return null;
      }
      await new Promise<void>((r) => (this.wake = r));
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    try {
      for (let f = await this.next(); f; f = await this.next()) yield f;
    } finally {
      this.stop();
    }
  }

  /** Stops ffmpeg (when we need no more frames). */
  stop(): void {
    if (!this.ended && this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/** Raw frames with their timestamps into an encoding ffmpeg (its stdin reads Matroska). */
export class FrameEncoder {
  private readonly child: ChildProcessWithoutNullStreams;
  private stderr = '';
  private readonly exited: Promise<number>;
  private broken: Error | null = null;
  private readonly frameBytes: number;

  constructor(ffmpeg: string, args: readonly string[], readonly width: number, readonly height: number, readonly what: string) {
    this.frameBytes = width * height * 3;
    this.child = spawnTool(ffmpeg, args);
    this.child.stdout.resume();
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr += d.toString();
      if (this.stderr.length > 1 << 18) this.stderr = this.stderr.slice(-(1 << 17));
    });
    this.child.stdin.on('error', (e) => {
      this.broken ??= e;
    });
    this.exited = new Promise((resolve) => {
      this.child.on('error', (e) => {
        this.broken = e;
        resolve(1);
      });
      this.child.on('close', (code) => resolve(code ?? 1));
    });
    this.child.stdin.write(mkvHeader(width, height));
  }

  /** ffmpeg's output so far (for messages and its -benchmark line). */
  get log(): string {
    return this.stderr;
  }

  private failed(): VideoError {
    return new VideoError(`${this.what}: encoding failed (${ffmpegReason(this.stderr) || this.broken?.message || 'the encoder stopped'})`);
  }

  /** Writes one frame shown at `ns` (from the segment start) for `durationNs`; waits while the pipe is full. */
  async write(frame: Uint8Array, ns: number, durationNs: number): Promise<void> {
    if (frame.length !== this.frameBytes) throw new Error(`frame of ${frame.length} bytes, expected ${this.frameBytes}`);
    if (this.broken || this.child.exitCode !== null) {
      await this.exited;
      throw this.failed();
    }
    const { head, tail } = mkvFrame(ns, durationNs, this.frameBytes);
    this.child.stdin.write(head);
    this.child.stdin.write(frame);
    if (!this.child.stdin.write(tail)) {
      const drained = once(this.child.stdin, 'drain').then(() => true, () => false);
      const closed = this.exited.then(() => false);
      if (!(await Promise.race([drained, closed]))) {
        await this.exited;
        throw this.failed();
      }
    }
  }

  /** Closes the input and waits for ffmpeg to finish writing; throws when it failed. */
  async finish(): Promise<void> {
    this.child.stdin.end();
    const code = await this.exited;
    if (code !== 0) throw this.failed();
  }

  /** Kills the encoder (its output is incomplete and must be thrown away). */
  async abort(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}
