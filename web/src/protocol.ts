// Messages between the page (main.ts) and its worker (worker.ts). Images travel as plain
// HWC arrays (src/data/image-core.ts), their buffers transferred, not copied.
import type { Image } from '../../src/data/image-core.js';
import type { Box } from '../../src/mosaic/mask.js';
import type { MosaicStyle } from '../../src/mosaic/pixelate.js';

export type Backend = 'wasm' | 'webgpu';

/** A model the page can run: a shipped restorer (fetched from the server), an ONNX file the user opened, or none. */
export type ModelRef =
  | { source: 'classical' }
  | { source: 'server'; id: string; url: string }
  /** bytes: sent (transferred) once; the worker keeps the session, later requests name it only. */
  | { source: 'file'; id: string; bytes?: ArrayBuffer };

/** A region to restore: a drawn box, or a mosaic the locator found (its mask local to its box). */
export interface RegionSpec { box: Box; local?: Uint8Array; label: string }

export type Request =
  | { type: 'init'; threads: number; backend: Backend }
  | { type: 'inspect'; model: ModelRef }
  | { type: 'locate'; image: Image; tolerance: number }
  | { type: 'restore'; image: Image; regions: RegionSpec[]; model: ModelRef; style: MosaicStyle; consistency: boolean; feather: number; tolerance: number }
  | { type: 'translate'; image: Image; model: ModelRef };

export interface ModelSummary { id: string; kind: 'generator' | 'restorer'; sizeRule: string; description: string }

export type Reply =
  | { type: 'ready'; threads: number; backend: Backend; crossOriginIsolated: boolean; webgpu: boolean }
  | { type: 'inspected'; model: ModelSummary }
  | { type: 'located'; regions: RegionSpec[] }
  | { type: 'progress'; fraction: number | null; text: string }
  | { type: 'result'; image: Image; text: string; runMs: number; loadMs: number; restored: number; regions: number }
  | { type: 'error'; message: string };
