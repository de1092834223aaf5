import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeChartPng } from '../plot/index.js';
import { writeImage } from '../data/image.js';
import { firstImage, hconcat } from '../data/image.js';
import { writeFileAtomic, writeFileAtomicSync } from '../io/atomic.js';
import { escapeHtml } from '../util/html.js';
import type { HostTensor } from '../io/host-tensor.js';

export interface LossRecord { epoch: number; iter: number; step: number; lr: number; losses: Record<string, number> }

/**
 * The JSONL loss log: one line per iteration; on resume, lines past the checkpoint are dropped,
 * and so are lines that do not parse (a run killed mid-append leaves half a line).
 */
export class LossLog {
  readonly records: LossRecord[] = [];
  constructor(readonly path: string, resumeStep?: number) {
    if (resumeStep !== undefined && existsSync(path)) {
      const kept = readFileSync(path, 'utf8').split('\n').map(parseRecord).filter((r): r is LossRecord => r !== null && r.step <= resumeStep);
      this.records.push(...kept);
      writeFileAtomicSync(path, kept.map((r) => JSON.stringify(r) + '\n').join(''));
    } else {
      writeFileSync(path, '');
    }
  }

  add(r: LossRecord): void {
    this.records.push(r);
    appendFileSync(this.path, JSON.stringify(r) + '\n');
  }

  /** Loss curves (one line per loss, smoothed over a window) as a PNG. */
  async plot(path: string, title: string): Promise<void> {
    if (this.records.length === 0) return;
    const names = Object.keys(this.records[0].losses);
    const window = Math.max(1, Math.floor(this.records.length / 100));
    const x = this.records.map((r) => r.step);
    const layers = names.map((name) => {
      const raw = this.records.map((r) => r.losses[name]);
      const y = raw.map((_, i) => {
        const lo = Math.max(0, i - window + 1);
        return raw.slice(lo, i + 1).reduce((a, b) => a + b, 0) / (i + 1 - lo);
      });
      return { kind: 'line' as const, x, y, label: name };
    });
    await writeChartPng(path, { title, xLabel: 'step', yLabel: 'loss', width: 800, height: 450, layers });
  }
}

/** One loss-log line, or null for a line that is empty, cut short or not a record. */
function parseRecord(line: string): LossRecord | null {
  if (!line.trim()) return null;
  try {
    const r = JSON.parse(line) as LossRecord;
    return typeof r === 'object' && r !== null && Number.isFinite(r.step) && typeof r.losses === 'object' && r.losses !== null ? r : null;
  } catch {
    return null;
  }
}

type Visual = HostTensor & { data: Float32Array };

/** Writes each visual and a side-by-side strip for an epoch; returns the strip's file name. */
export async function saveVisuals(webDir: string, epoch: number, visuals: Record<string, Visual>): Promise<string[]> {
  const names: string[] = [];
  const images = [];
  for (const [name, t] of Object.entries(visuals)) {
    const img = firstImage(t);
    const rgb = img.channels === 1
      ? { ...img, channels: 3 as const, data: Uint8Array.from({ length: img.width * img.height * 3 }, (_, i) => img.data[Math.floor(i / 3)]) }
      : img;
    images.push(rgb.channels === 4
      ? { ...rgb, channels: 3 as const, data: Uint8Array.from({ length: rgb.width * rgb.height * 3 }, (_, i) => rgb.data[Math.floor(i / 3) * 4 + (i % 3)]) }
      : rgb);
    const file = `epoch${String(epoch).padStart(3, '0')}_${name}.png`;
    await writeImage(join(webDir, 'images', file), img);
    names.push(file);
  }
  await writeImage(join(webDir, 'images', `epoch${String(epoch).padStart(3, '0')}_grid.png`), hconcat(images));
  return names;
}

/** The reference's web/index.html: per epoch, newest first, every visual with its name. */
export async function writeHtml(webDir: string, title: string, epochs: { epoch: number; files: string[] }[]): Promise<void> {
  const esc = escapeHtml;
  const cell = (f: string) =>
    `<td><a href="images/${esc(f)}"><img src="images/${esc(f)}" width="256"></a><br>${esc(f.replace(/^epoch\d+_|\.png$/g, ''))}</td>`;
  const rows = [...epochs].sort((a, b) => b.epoch - a.epoch).map((e) => `<h3>epoch [${e.epoch}]</h3>\n<table><tr>${e.files.map(cell).join('')}</tr></table>`);
  const head = `<head><meta charset="utf-8"><title>${esc(title)}</title><meta http-equiv="refresh" content="60"></head>`;
  const html = `<!DOCTYPE html>\n<html>${head}\n<body><h1>${esc(title)}</h1>\n<p><img src="../loss.png" width="800"></p>\n${rows.join('\n')}\n</body></html>\n`;
  await writeFileAtomic(join(webDir, 'index.html'), html);
}
