// The page: open an image, draw boxes (or let the locator find the mosaic), pick a model, run it
// in the worker (onnxruntime-web), compare before and after, download the PNG. In the video mode
// the video is uploaded to the server, the boxes are drawn on its first frame, the server restores
// it (in its process or on its job queue) with progress over server-sent events, and the result
// downloads; the folder mode restores the server's --folder the same way.
import type { Image } from '../../src/data/image-core.js';
import type { JobStatus } from '../../src/jobs/types.js';
import { encodePng } from '../../src/data/png.js';
import type { Box } from '../../src/mosaic/mask.js';
import type { MosaicStyle } from '../../src/mosaic/pixelate.js';
import type { Backend, ModelRef, RegionSpec, Reply, Request } from './protocol.js';

/** Largest image the page opens (pixels); larger ones would exhaust a tab's memory in the float planes. */
const MAX_PIXELS = 40_000_000;

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page element #${id} is missing`);
  return el as T;
};
const canvas = $<HTMLCanvasElement>('canvas');
const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
const modelSelect = $<HTMLSelectElement>('model');
const runButton = $<HTMLButtonElement>('run');
const resetButton = $<HTMLButtonElement>('reset');
const autoButton = $<HTMLButtonElement>('auto');
const download = $<HTMLAnchorElement>('download');
const progress = $<HTMLProgressElement>('progress');
const compare = $<HTMLInputElement>('compare');
const params = new URLSearchParams(location.search);

interface ModelChoice { ref: ModelRef; label: string; kind: 'generator' | 'restorer' | 'classical' | null }

const state = {
  image: null as Image | null,
  name: 'image',
  before: null as ImageData | null,
  after: null as ImageData | null,
  afterImage: null as Image | null,
  regions: [] as RegionSpec[],
  drag: null as { x0: number; y0: number; x1: number; y1: number } | null,
  models: new Map<string, ModelChoice>(),
  busy: false,
  mode: 'image' as Mode,
  /** The uploaded video (video mode). */
  upload: null as VideoUpload | null,
  /** The server job running now. */
  job: null as string | null,
};

type Mode = 'image' | 'video' | 'folder';
interface VideoUpload { id: string; width: number; height: number; frames: number; fps: number; frame: string }
/** What the server says of itself (api/info). */
const server = { jobKinds: [] as string[], serverModels: [] as string[], maxVideoBytes: 0, runner: '', folder: '' };

// --- messages ------------------------------------------------------------------------------

function showError(message: string): void {
  const el = $('error');
  el.textContent = message;
  el.hidden = false;
  setStatus('');
  progress.hidden = true;
}
const clearError = () => ($('error').hidden = true);
const setStatus = (text: string) => ($('status').textContent = text);
window.addEventListener('error', (e) => showError(`unexpected error: ${e.message}`));
window.addEventListener('unhandledrejection', (e) => showError(`unexpected error: ${e.reason instanceof Error ? e.reason.message : String(e.reason)}`));

// --- worker --------------------------------------------------------------------------------

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
let pending: { resolve: (r: Reply) => void; reject: (e: Error) => void } | null = null;
worker.onmessage = (e: MessageEvent<Reply>) => {
  const r = e.data;
  if (r.type === 'progress') {
    progress.hidden = false;
    if (r.fraction === null) progress.removeAttribute('value');
    else progress.value = r.fraction;
    setStatus(r.text);
    return;
  }
  const p = pending;
  pending = null;
  if (!p) return;
  if (r.type === 'error') p.reject(new Error(r.message));
  else p.resolve(r);
};
worker.onerror = (e) => {
  const message = `the worker failed: ${e.message || 'it could not start (is this page served by img2img serve?)'}`;
  if (pending) pending.reject(new Error(message));
  else showError(message);
  pending = null;
};

/** Requests run one after another (a run waits for a model still loading, say). */
let queue: Promise<unknown> = Promise.resolve();
function call<T extends Reply['type']>(req: Request, expect: T, transfer: Transferable[] = []): Promise<Extract<Reply, { type: T }>> {
  const next = queue.then(() => new Promise<Extract<Reply, { type: T }>>((resolve, reject) => {
    pending = {
      resolve: (r) => (r.type === expect ? resolve(r as Extract<Reply, { type: T }>) : reject(new Error(`unexpected reply ${r.type}`))),
      reject,
    };
    worker.postMessage(req, transfer);
  }));
  queue = next.catch(() => undefined);
  return next;
}

/** Runs `fn` with the controls disabled, showing its errors. */
async function busy(fn: () => Promise<void>): Promise<void> {
  if (state.busy) return;
  state.busy = true;
  clearError();
  updateControls();
  try {
    await fn();
  } catch (err) {
    showError(err instanceof Error ? err.message : String(err));
  } finally {
    state.busy = false;
    progress.hidden = true;
    updateControls();
  }
}

// --- images --------------------------------------------------------------------------------

/** Decodes a file to RGB (opaque) or RGBA pixels, as stored (no colour-space conversion), EXIF-oriented. */
async function decode(file: Blob): Promise<Image> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { colorSpaceConversion: 'none', premultiplyAlpha: 'none', imageOrientation: 'from-image' });
  } catch {
    throw new Error('this file is not an image the browser can decode (PNG, JPEG or WebP)');
  }
  const { width: w, height: h } = bitmap;
  if (w * h > MAX_PIXELS) throw new Error(`the image is ${w}x${h} = ${(w * h / 1e6).toFixed(1)} MP; the page takes up to ${MAX_PIXELS / 1e6} MP`);
  const c = new OffscreenCanvas(w, h);
  const cx = c.getContext('2d', { willReadFrequently: true })!;
  cx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = cx.getImageData(0, 0, w, h).data;
  let opaque = true;
  for (let i = 3; i < rgba.length && opaque; i += 4) opaque = rgba[i] === 255;
  if (!opaque) return { width: w, height: h, channels: 4, data: new Uint8Array(rgba.buffer.slice(0)) };
  const rgb = new Uint8Array(w * h * 3);
  for (let p = 0; p < w * h; p++) {
    rgb[p * 3] = rgba[p * 4];
    rgb[p * 3 + 1] = rgba[p * 4 + 1];
    rgb[p * 3 + 2] = rgba[p * 4 + 2];
  }
  return { width: w, height: h, channels: 3, data: rgb };
}

function toImageData(img: Image): ImageData {
  const out = new ImageData(img.width, img.height);
  const c = img.channels;
  for (let p = 0; p < img.width * img.height; p++) {
    for (let k = 0; k < 3; k++) out.data[p * 4 + k] = img.data[p * c + (c < 3 ? 0 : k)];
    out.data[p * 4 + 3] = c === 4 ? img.data[p * 4 + 3] : 255;
  }
  return out;
}

async function openImage(file: File): Promise<void> {
  if (state.busy) return showError('wait for the current run to finish before opening another image');
  clearError();
  try {
    setStatus(`opening ${file.name}`);
    const img = await decode(file);
    showImage(img, file.name, `${file.name}: ${img.width}x${img.height}, ${img.channels === 4 ? 'RGBA' : 'RGB'}`, 'image-info');
  } catch (err) {
    showError(err instanceof Error ? err.message : String(err));
  }
}

/** Shows an opened image (or a video's first frame) for drawing boxes. */
function showImage(img: Image, fileName: string, info: string, infoId: string): void {
  state.image = img;
  state.name = fileName.replace(/\.[^.]*$/, '') || 'image';
  state.before = toImageData(img);
  state.after = null;
  state.afterImage = null;
  state.regions = [];
  canvas.width = img.width;
  canvas.height = img.height;
  $('stage').hidden = false;
  $('drop').hidden = true;
  $(infoId).textContent = info;
  setDownload(null);
  renderRegions();
  render();
  setStatus('drag a box over each mosaic, or press "Find mosaic"');
}

// --- drawing -------------------------------------------------------------------------------

function render(): void {
  if (!state.before) return;
  ctx.putImageData(state.before, 0, 0);
  if (state.after) {
    const split = Math.round((Number(compare.value) / 1000) * canvas.width);
    // After on the left of the split, before on the right.
    ctx.putImageData(state.after, 0, 0, 0, 0, split, canvas.height);
    ctx.fillStyle = '#fff';
    ctx.fillRect(split - 1, 0, 2, canvas.height);
    return;
  }
  const lw = Math.max(1, Math.round(canvas.width / 600));
  ctx.lineWidth = lw;
  for (const r of [...state.regions.map((x) => x.box), ...(state.drag ? [dragBox()!] : [])]) {
    ctx.strokeStyle = '#000';
    ctx.setLineDash([]);
    ctx.strokeRect(r.x - lw / 2, r.y - lw / 2, r.w + lw, r.h + lw);
    ctx.strokeStyle = '#ffd400';
    ctx.setLineDash([4 * lw, 4 * lw]);
    ctx.strokeRect(r.x - lw / 2, r.y - lw / 2, r.w + lw, r.h + lw);
  }
  ctx.setLineDash([]);
}

function dragBox(): Box | null {
  const d = state.drag;
  if (!d) return null;
  const x = Math.min(d.x0, d.x1), y = Math.min(d.y0, d.y1);
  return { x, y, w: Math.abs(d.x1 - d.x0), h: Math.abs(d.y1 - d.y0) };
}

/** The image pixel under a pointer event (corners: 0..width). */
function imagePoint(e: PointerEvent): [number, number] {
  const r = canvas.getBoundingClientRect();
  const x = Math.round(((e.clientX - r.left) / r.width) * canvas.width);
  const y = Math.round(((e.clientY - r.top) / r.height) * canvas.height);
  return [Math.min(canvas.width, Math.max(0, x)), Math.min(canvas.height, Math.max(0, y))];
}

canvas.addEventListener('pointerdown', (e) => {
  if (!state.image || state.after || state.busy) return;
  const [x, y] = imagePoint(e);
  state.drag = { x0: x, y0: y, x1: x, y1: y };
  canvas.setPointerCapture(e.pointerId);
});
canvas.addEventListener('pointermove', (e) => {
  if (!state.drag) return;
  [state.drag.x1, state.drag.y1] = imagePoint(e);
  render();
});
canvas.addEventListener('pointerup', (e) => {
  if (!state.drag) return;
  [state.drag.x1, state.drag.y1] = imagePoint(e);
  const b = dragBox()!;
  state.drag = null;
  if (b.w >= 2 && b.h >= 2) addRegion({ box: b, label: `box ${b.x},${b.y},${b.w},${b.h}` });
  render();
});

function addRegion(r: RegionSpec): void {
  state.regions.push(r);
  renderRegions();
  render();
}

function renderRegions(): void {
  const ul = $('boxes');
  ul.replaceChildren(...state.regions.map((r, i) => {
    const li = document.createElement('li');
    const text = document.createElement('span');
    text.textContent = `${r.local ? 'found ' : ''}${r.box.x},${r.box.y},${r.box.w},${r.box.h}`;
    text.dataset.box = `${r.box.x},${r.box.y},${r.box.w},${r.box.h}`;
    const rm = document.createElement('button');
    rm.type = 'button';
    rm.textContent = 'remove';
    rm.setAttribute('aria-label', `remove region ${text.textContent}`);
    rm.onclick = () => {
      state.regions.splice(i, 1);
      renderRegions();
      render();
    };
    li.append(text, rm);
    return li;
  }));
  updateControls();
}

$<HTMLFormElement>('add-box').addEventListener('submit', (e) => {
  e.preventDefault();
  clearError();
  const input = $<HTMLInputElement>('box-text');
  const m = /^\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*$/.exec(input.value);
  if (!state.image && state.mode !== 'folder') return showError('open an image first');
  if (!m) return showError(`a box is x,y,w,h in whole pixels, got '${input.value}'`);
  const [x, y, w, h] = m.slice(1).map(Number);
  // A folder's files differ in size: the server checks each box against each file.
  if (w < 1 || h < 1) return showError(`box ${x},${y},${w},${h} is empty`);
  if (state.image && (x + w > state.image.width || y + h > state.image.height)) return showError(`box ${x},${y},${w},${h} is outside the ${state.image.width}x${state.image.height} image`);
  addRegion({ box: { x, y, w, h }, label: `box ${x},${y},${w},${h}` });
  input.value = '';
});

// --- models --------------------------------------------------------------------------------

function currentModel(): ModelChoice {
  return state.models.get(modelSelect.value) ?? { ref: { source: 'classical' }, label: 'classical', kind: 'classical' };
}

function addModelOption(key: string, choice: ModelChoice, select = false): void {
  state.models.set(key, choice);
  let opt = [...modelSelect.options].find((o) => o.value === key);
  if (!opt) {
    opt = document.createElement('option');
    opt.value = key;
    modelSelect.append(opt);
  }
  opt.textContent = choice.label;
  if (select) modelSelect.value = key;
}

async function loadServerModels(): Promise<void> {
  addModelOption('classical', { ref: { source: 'classical' }, label: 'classical (no model: grid smoothing and consistency)', kind: 'classical' });
  try {
    const r = await fetch('api/models');
    if (!r.ok) throw new Error(String(r.status));
    const { models } = (await r.json()) as { models: { id: string; label: string; kind: 'restorer' | 'generator'; url: string }[] };
    models.forEach((m, i) => addModelOption(`server:${m.id}`, { ref: { source: 'server', id: m.id, url: new URL(m.url, location.href).href }, label: m.label, kind: m.kind }, i === 0));
  } catch {
    $('model-info').textContent = 'no models from the server (is the page served by img2img serve?); load an exported .onnx';
  }
  await inspectModel();
}

async function inspectModel(): Promise<void> {
  const m = currentModel();
  updateControls();
  if (m.ref.source === 'classical') {
    $('model-info').textContent = 'no model: grid smoothing, block-mean consistency and feathered paste only';
    return;
  }
  $('model-info').textContent = 'loading the model…';
  try {
    // A model file's bytes go to the worker once (moved, not copied: generators can be hundreds of MB).
    const bytes = m.ref.source === 'file' ? m.ref.bytes : undefined;
    if (m.ref.source === 'file') m.ref = { source: 'file', id: m.ref.id };
    const r = await call({ type: 'inspect', model: bytes ? { source: 'file', id: m.ref.id, bytes } : m.ref }, 'inspected', bytes ? [bytes] : []);
    m.kind = r.model.kind;
    if (currentModel() === m) $('model-info').textContent = `${r.model.description}; ${r.model.sizeRule.split(';')[0]}`;
    setStatus('');
  } catch (err) {
    $('model-info').textContent = '';
    showError(err instanceof Error ? err.message : String(err));
  } finally {
    progress.hidden = true;
    updateControls();
  }
}

let filesOpened = 0;
modelSelect.addEventListener('change', () => void inspectModel());
$<HTMLInputElement>('model-file').addEventListener('change', async (e) => {
  const input = e.target as HTMLInputElement;
  const file = input.files?.[0];
  input.value = '';
  if (!file) return;
  const bytes = await file.arrayBuffer();
  // A fresh id per file opened: the worker keeps one session per id.
  const id = `${file.name} #${++filesOpened}`;
  addModelOption(`file:${id}`, { ref: { source: 'file', id, bytes }, label: `${file.name} (from this computer)`, kind: null }, true);
  await inspectModel();
});

// --- running -------------------------------------------------------------------------------

function updateControls(): void {
  if (state.mode !== 'image') return updateServerControls();
  const m = currentModel();
  const generator = m.kind === 'generator';
  runButton.textContent = generator ? 'Translate the whole image' : 'Restore the boxes';
  runButton.disabled = state.busy || !state.image || !!state.after || (!generator && state.regions.length === 0);
  autoButton.disabled = state.busy || !state.image || !!state.after;
  resetButton.disabled = state.busy || !state.after;
  $('restore-options').hidden = generator;
  $('compare-label').hidden = !state.after;
}

function setDownload(img: Image | null): void {
  if (download.href) URL.revokeObjectURL(download.href);
  if (!img) {
    download.hidden = true;
    download.removeAttribute('href');
    return;
  }
  download.textContent = 'Download PNG';
  download.href = URL.createObjectURL(new Blob([encodePng(img) as BlobPart], { type: 'image/png' }));
  download.download = `${state.name}-${currentModel().kind === 'generator' ? 'translated' : 'restored'}.png`;
  download.hidden = false;
}

const copyImage = (img: Image): Image => ({ ...img, data: img.data.slice() });

runButton.addEventListener('click', () => void busy(async () => {
  if (state.mode !== 'image') return runOnServer();
  const img = state.image!;
  const m = currentModel();
  const started = performance.now();
  const r = m.kind === 'generator'
    ? await call({ type: 'translate', image: copyImage(img), model: m.ref }, 'result')
    : await call({
      type: 'restore', image: copyImage(img), regions: state.regions, model: m.ref,
      style: $<HTMLSelectElement>('style').value as MosaicStyle, consistency: $<HTMLInputElement>('consistency').checked,
      feather: Math.max(0, Math.min(256, Math.round(Number($<HTMLInputElement>('feather').value) || 0))), tolerance: 0,
    }, 'result');
  state.afterImage = r.image;
  state.after = toImageData(r.image);
  if (r.image.width !== canvas.width || r.image.height !== canvas.height) throw new Error('the model returned an image of another size');
  setStatus(r.text);
  const timing = $('timing');
  timing.textContent = `model run ${(r.runMs / 1000).toFixed(2)} s${r.loadMs ? `, model load ${(r.loadMs / 1000).toFixed(2)} s` : ''}, total ${((performance.now() - started) / 1000).toFixed(2)} s`;
  timing.dataset.runMs = r.runMs.toFixed(1);
  setDownload(r.image);
  render();
}));

resetButton.addEventListener('click', () => {
  state.after = null;
  state.afterImage = null;
  setDownload(null);
  setStatus('');
  render();
  updateControls();
});

autoButton.addEventListener('click', () => void busy(async () => {
  const r = await call({ type: 'locate', image: copyImage(state.image!), tolerance: 0 }, 'located');
  for (const region of r.regions) addRegion(region);
  setStatus(r.regions.length ? `found ${r.regions.length} mosaic region(s)` : 'no mosaic found (the locator needs lossless images: PNG, not JPEG)');
}));

compare.addEventListener('input', render);

// --- opening files -------------------------------------------------------------------------

$<HTMLInputElement>('image-file').addEventListener('change', (e) => {
  const f = (e.target as HTMLInputElement).files?.[0];
  if (f) void openImage(f);
});
const drop = document.body;
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  $('drop').classList.add('over');
});
drop.addEventListener('dragleave', () => $('drop').classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  $('drop').classList.remove('over');
  const f = e.dataTransfer?.files[0];
  if (f && state.mode === 'video') void openVideo(f);
  else if (f && state.mode === 'image') void openImage(f);
});

// --- server-side work: videos and the server's folder ----------------------------------------

const serverAuto = $<HTMLInputElement>('server-auto');
const cancelButton = $<HTMLButtonElement>('cancel');
const FINAL = ['done', 'failed', 'cancelled'];
const DROP_TEXT = $('drop').textContent;

async function loadServerInfo(): Promise<void> {
  try {
    const r = await fetch('api/info');
    if (!r.ok) return;
    const i = (await r.json()) as { jobKinds: string[]; serverModels?: string[]; runner?: string; limits: { maxVideoBytes?: number }; folder?: { name: string } };
    Object.assign(server, { jobKinds: i.jobKinds, serverModels: i.serverModels ?? [], runner: i.runner ?? '', maxVideoBytes: i.limits.maxVideoBytes ?? 0, folder: i.folder?.name ?? '' });
  } catch {
    return;
  }
  $('modes').hidden = !server.jobKinds.includes('video') && !server.jobKinds.includes('folder');
  $('mode-folder-label').hidden = !server.jobKinds.includes('folder');
  $('folder-name').textContent = server.folder ? `"${server.folder}"` : '';
}

for (const radio of document.querySelectorAll<HTMLInputElement>('input[name=mode]')) {
  radio.addEventListener('change', () => radio.checked && setMode(radio.value as Mode));
}

function setMode(mode: Mode): void {
  if (state.busy) return;
  state.mode = mode;
  clearError();
  state.image = state.before = state.after = state.afterImage = null;
  state.regions = [];
  state.upload = null;
  setDownload(null);
  setStatus('');
  $('timing').textContent = '';
  $('stage').hidden = true;
  $('drop').hidden = false;
  $('drop').textContent = mode === 'video' ? 'Open or drop a video. Then drag boxes over the mosaic on its first frame.'
    : mode === 'folder' ? `The server restores every image and video in its folder ${server.folder}: add boxes (x,y,w,h, the same in every file) or tick "auto".`
    : DROP_TEXT;
  $('image-open').hidden = mode !== 'image';
  $('video-open').hidden = mode !== 'video';
  $('server-auto-label').hidden = mode === 'image';
  serverAuto.parentElement!.lastChild!.textContent = mode === 'folder' ? ' find mosaics in every file (auto)' : ' also find mosaics in every frame (auto)';
  const where = server.runner === 'redis' ? 'on its job queue (img2img worker processes)' : 'in its process';
  $('server-note').hidden = mode === 'image';
  $('server-note').textContent = mode === 'video' ? `The video is uploaded to the img2img server and restored there, ${where}, with its shipped models or the classical method.`
    : `The folder stays on the server, which restores it ${where} and writes the results into a new folder beside it.`;
  renderRegions();
  updateControls();
}

function updateServerControls(): void {
  const noRegion = state.regions.length === 0 && !serverAuto.checked;
  runButton.textContent = state.mode === 'video' ? 'Restore the video on the server' : 'Restore the folder on the server';
  runButton.disabled = state.busy || (state.mode === 'video' && !state.upload) || noRegion;
  autoButton.disabled = state.busy || !state.image;
  resetButton.disabled = true;
  cancelButton.hidden = !state.job;
  $('restore-options').hidden = false;
  $('compare-label').hidden = true;
}
serverAuto.addEventListener('change', updateControls);

/** The model name the server's jobs take for the chosen model (its shipped restorers or classical). */
function serverModel(): string {
  const ref = currentModel().ref;
  const id = ref.source === 'classical' ? 'classical' : ref.source === 'server' ? ref.id : '';
  if (!server.serverModels.includes(id)) throw new Error(`the server restores with ${server.serverModels.join(', ')}: choose one of those models`);
  return id;
}

/** POSTs the video to api/uploads (upload progress on the bar); the server's answer. */
function uploadVideo(file: File): Promise<VideoUpload> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', 'api/uploads');
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => {
      if (!e.lengthComputable) return;
      progress.hidden = false;
      progress.value = e.loaded / e.total;
      setStatus(e.loaded < e.total ? `uploading ${file.name}: ${Math.round((100 * e.loaded) / e.total)}%` : `checking ${file.name} on the server`);
    };
    xhr.onload = () => {
      let body: { error?: string } & Partial<VideoUpload> = {};
      try {
        body = JSON.parse(xhr.responseText || '{}');
      } catch {
        // not JSON: the status says it
      }
      if (xhr.status === 201) resolve(body as VideoUpload);
      else reject(new Error(body.error ?? `the upload failed (${xhr.status})`));
    };
    xhr.onerror = () => reject(new Error('the upload failed (the connection to the server was lost)'));
    xhr.send(file);
  });
}

const mb = (n: number) => (n / 2 ** 20).toFixed(n < 10 * 2 ** 20 ? 1 : 0);

async function openVideo(file: File): Promise<void> {
  await busy(async () => {
    if (server.maxVideoBytes && file.size > server.maxVideoBytes) throw new Error(`${file.name} is ${mb(file.size)} MB; the server takes videos up to ${mb(server.maxVideoBytes)} MB`);
    state.upload = null;
    setDownload(null);
    const u = await uploadVideo(file);
    const frame = await fetch(u.frame);
    if (!frame.ok) throw new Error(`the server has no first frame of ${file.name} (${frame.status})`);
    showImage(await decode(await frame.blob()), file.name, `${file.name}: ${u.width}x${u.height}, ${u.frames} frames at ${u.fps} fps (first frame shown)`, 'video-info');
    state.upload = u;
  });
}

$<HTMLInputElement>('video-file').addEventListener('change', (e) => {
  const input = e.target as HTMLInputElement;
  const f = input.files?.[0];
  input.value = '';
  if (f) void openVideo(f);
});

const duration = (s: number) => (s < 60 ? `${Math.ceil(s)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`);

/** A job status as the progress bar and status line. */
function showJob(s: JobStatus): void {
  progress.hidden = false;
  const p = s.progress;
  if (s.state === 'queued') {
    progress.removeAttribute('value');
    setStatus(`waiting in the server's queue${s.position ? ` (${s.position} ahead)` : ''}`);
    return;
  }
  if (!p || p.total <= 0) {
    progress.removeAttribute('value');
    setStatus(s.state === 'running' ? 'starting' : s.state);
    return;
  }
  progress.value = p.done / p.total;
  const rate = p.rate ? ` · ${p.rate.toFixed(p.rate < 10 ? 1 : 0)} ${state.mode === 'video' ? 'fps' : 'files/s'}` : '';
  const eta = typeof p.etaSeconds === 'number' ? ` · ${duration(p.etaSeconds)} left` : '';
  setStatus(state.mode === 'video' ? `${p.text ?? 'processing'}: frame ${Math.floor(p.done)} of ${p.total}${rate}${eta}` : `${p.text ?? ''}${rate}${eta}`);
}

/** Follows a job's server-sent events until it finishes. */
function follow(events: string): Promise<JobStatus> {
  return new Promise((resolve, reject) => {
    const es = new EventSource(events);
    es.addEventListener('status', (e) => {
      const s = JSON.parse((e as MessageEvent<string>).data) as JobStatus;
      showJob(s);
      if (FINAL.includes(s.state)) {
        es.close();
        resolve(s);
      }
    });
    es.onerror = () => {
      es.close();
      reject(new Error('lost the connection to the server while the job ran (it may still be running there)'));
    };
  });
}

async function runOnServer(): Promise<void> {
  const settings = {
    boxes: state.regions.map((r) => `${r.box.x},${r.box.y},${r.box.w},${r.box.h}`), auto: serverAuto.checked, model: serverModel(),
    style: $<HTMLSelectElement>('style').value, consistency: $<HTMLInputElement>('consistency').checked,
    feather: Math.max(0, Math.min(256, Math.round(Number($<HTMLInputElement>('feather').value) || 0))),
  };
  const kind = state.mode;
  setDownload(null);
  const started = performance.now();
  const r = await fetch(`api/jobs/${kind}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(kind === 'video' ? { upload: state.upload!.id, ...settings } : settings) });
  const sub = (await r.json().catch(() => ({}))) as { id?: string; events?: string; result?: string; error?: string };
  if (!r.ok || !sub.id) throw new Error(sub.error ?? `the server answered ${r.status}`);
  state.job = sub.id;
  updateControls();
  try {
    const s = await follow(sub.events!);
    if (s.state !== 'done') throw new Error(s.error ?? `the job was ${s.state}`);
    $('timing').textContent = `on the server: ${((performance.now() - started) / 1000).toFixed(1)} s`;
    if (kind === 'video') {
      download.href = sub.result!;
      download.download = `${state.name}-restored.mp4`;
      download.textContent = 'Download video';
      download.hidden = false;
      setStatus(`restored ${s.summary?.frames ?? ''} frames`);
    } else {
      const f = s.summary as { files: number; output: string };
      setStatus(`restored ${f.files} file(s) into ${f.output} on the server`);
    }
  } finally {
    state.job = null;
  }
}

cancelButton.addEventListener('click', async () => {
  if (!state.job) return;
  const r = await fetch(`api/jobs/${state.job}`, { method: 'DELETE' });
  const { cancelled } = (await r.json().catch(() => ({}))) as { cancelled?: boolean };
  if (!cancelled) setStatus('the job cannot be stopped now (a queue worker finishes what it started)');
});

// --- start ---------------------------------------------------------------------------------

const threadSelect = $<HTMLSelectElement>('threads');
const cores = navigator.hardwareConcurrency || 2;
for (const n of [1, 2, 4, 8, 16].filter((n) => n <= Math.max(cores, 2))) threadSelect.append(new Option(String(n), String(n)));
threadSelect.value = params.get('threads') ?? String(Math.min(4, cores));
const backendSelect = $<HTMLSelectElement>('backend');
backendSelect.value = params.get('backend') ?? 'auto';

async function init(): Promise<void> {
  const wanted = backendSelect.value;
  const backend: Backend = wanted === 'wasm' ? 'wasm' : 'webgpu';
  const r = await call({ type: 'init', threads: Number(threadSelect.value), backend }, 'ready');
  $('env').textContent = `onnxruntime-web: ${r.backend === 'webgpu' ? 'WebGPU' : `WASM, ${r.threads} thread${r.threads > 1 ? 's' : ''}`}`
    + `${r.crossOriginIsolated ? '' : ' (not cross-origin isolated: one thread)'} · WebGPU ${r.webgpu ? 'available' : 'not available'}`;
  $('env').dataset.ready = '1';
}

// Thread count and backend are fixed when the first session is made: changing them reloads the page.
for (const sel of [threadSelect, backendSelect]) {
  sel.addEventListener('change', () => {
    const u = new URL(location.href);
    u.searchParams.set('threads', threadSelect.value);
    u.searchParams.set('backend', backendSelect.value);
    location.href = u.toString();
  });
}

void (async () => {
  try {
    await init();
    await loadServerModels();
    await loadServerInfo();
    updateControls();
  } catch (err) {
    showError(err instanceof Error ? err.message : String(err));
  }
})();
