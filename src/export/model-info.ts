// What an exported model says about itself: the metadata `img2img export` writes into the ONNX
// file (ModelProto.metadata_props, shown by Netron) and a reader for it that needs no ONNX library.
// Pure TypeScript: the web page reads the models it is given with this same module.

/** Metadata keys, all prefixed `img2img.`. */
export const META = {
  format: 'img2img.format',
  kind: 'img2img.kind',
  architecture: 'img2img.architecture',
  io: 'img2img.io',
  size: 'img2img.size',
  sizeRule: 'img2img.size_rule',
  direction: 'img2img.direction',
  training: 'img2img.training',
  mode: 'img2img.mode',
  source: 'img2img.source',
} as const;

export const EXPORT_FORMAT = 'img2img-onnx/1';

/**
 * The input sizes a model runs on. Dynamic: H and W any multiple of `multiple` that is at least
 * `min` (the graph's spatial dimensions are symbolic); other sizes are padded to that (reflection,
 * split evenly between both sides; edge repetition where the pad reaches the side) and the output
 * cropped back, as `translate` does. Fixed: exactly height x width.
 */
export type SizeRule =
  | { dynamic: true; multiple: number; min: number }
  | { dynamic: false; height: number; width: number };

/** The parsed metadata of an exported model. */
export interface ModelInfo {
  kind: 'generator' | 'restorer';
  size: SizeRule;
  /** Input and output channels (generators). */
  inputNc: number;
  outputNc: number;
  architecture: Record<string, unknown>;
  direction?: string;
  /** All metadata entries as written. */
  raw: Record<string, string>;
}

/** The size rule in words (written beside the JSON form). */
export function describeSizeRule(r: SizeRule, kind: ModelInfo['kind'] = 'generator'): string {
  if (!r.dynamic) return `fixed: height ${r.height}, width ${r.width}`;
  if (kind === 'restorer') {
    return `dynamic: window height and width any multiple of ${r.multiple}, at least ${r.min}, any number of block rows; `
      + 'areas are cut into windows, their inputs built and the results blended by src/restore/net/tiles.ts';
  }
  return `dynamic: height and width any multiple of ${r.multiple}, at least ${r.min}; pad other sizes up to that `
    + '(reflection, split evenly between both sides; edge repetition where the pad reaches the side) and crop the output back';
}

/** The size a side of n px is padded to under a dynamic rule (forwardAnySize's paddedSize). */
export function paddedSide(n: number, multiple: number, min: number): number {
  return Math.ceil(Math.max(n, min, 1) / multiple) * multiple;
}

/** Reads a protobuf varint at `pos`; returns [value, next position]. Values up to 2^53 are exact. */
function varint(b: Uint8Array, pos: number): [number, number] {
  let v = 0, mul = 1;
  for (;;) {
    if (pos >= b.length) throw new Error('truncated varint');
    const byte = b[pos++];
    v += (byte & 0x7f) * mul;
    if (byte < 0x80) return [v, pos];
    mul *= 128;
    if (mul > 2 ** 63) throw new Error('varint too long');
  }
}

/** Calls fn(field, wireType, start, end) for each top-level field of a protobuf message in b[from, to). */
function fields(b: Uint8Array, from: number, to: number, fn: (field: number, start: number, end: number) => void): void {
  let pos = from;
  while (pos < to) {
    const [tag, p] = varint(b, pos);
    const field = Math.floor(tag / 8), wire = tag & 7;
    pos = p;
    if (wire === 0) pos = varint(b, pos)[1];
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const [len, q] = varint(b, pos);
      if (q + len > to) throw new Error('field runs past the end of the message');
      fn(field, q, q + len);
      pos = q + len;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  if (pos !== to) throw new Error('message ends inside a field');
}

/**
 * The metadata_props of an ONNX model (ModelProto field 14), without decoding the graph. Throws
 * when the bytes are not a protobuf message (not an ONNX file).
 */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  const text = new TextDecoder();
  let sawGraph = false;
  fields(bytes, 0, bytes.length, (field, start, end) => {
    if (field === 7) sawGraph = true;
    if (field !== 14) return;
    let key = '', value = '';
    fields(bytes, start, end, (f, s, e) => {
      if (f === 1) key = text.decode(bytes.subarray(s, e));
      else if (f === 2) value = text.decode(bytes.subarray(s, e));
    });
    out[key] = value;
  });
  if (!sawGraph) throw new Error('not an ONNX model (no graph)');
  return out;
}

const json = (raw: Record<string, string>, key: string): unknown => {
  try {
    return JSON.parse(raw[key]);
  } catch {
    throw new Error(`model metadata ${key} is missing or not JSON`);
  }
};

/** The img2img description of an exported model; throws naming what is missing for other ONNX files. */
export function parseModelInfo(raw: Record<string, string>): ModelInfo {
  if (raw[META.format] !== EXPORT_FORMAT) {
    throw new Error(`not a model exported by img2img export (metadata ${META.format} is ${raw[META.format] ? `'${raw[META.format]}'` : 'missing'}, expected '${EXPORT_FORMAT}')`);
  }
  const kind = raw[META.kind];
  if (kind !== 'generator' && kind !== 'restorer') throw new Error(`unknown model kind '${kind}'`);
  const size = json(raw, META.size) as SizeRule;
  const architecture = json(raw, META.architecture) as Record<string, unknown>;
  const nc = (k: string) => (typeof architecture[k] === 'number' ? (architecture[k] as number) : 3);
  return { kind, size, inputNc: nc('inputNc'), outputNc: nc('outputNc'), architecture, direction: raw[META.direction], raw };
}
