// HTTP for the server tests: raw requests (the path goes out exactly as given, no URL
// normalization), a stub page to serve, and a job's server-sent events read to the end.
import { request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobStatus } from '../../src/jobs/types.js';

export interface RawResponse { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

/** A request to 127.0.0.1:`port`; resolves with the whole response. */
export function raw(port: number, method: string, path: string, o: { headers?: Record<string, string>; body?: Uint8Array | string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: o.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

/** The error message of a JSON error response. */
export const errorOf = (r: RawResponse): string => (JSON.parse(r.body.toString()) as { error: string }).error;

/** A minimal built page (index.html and one asset) in `dir`. */
export function stubPage(dir: string): string {
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
  return dir;
}

/** The statuses a job's event stream sends until the job finishes (the stream then ends). */
export async function eventStatuses(url: string): Promise<JobStatus[]> {
  const r = await fetch(url);
  if (r.headers.get('content-type') !== 'text/event-stream') throw new Error(`${url}: ${r.status} ${await r.text()}`);
  const text = await r.text();
  return [...text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]) as JobStatus);
}
