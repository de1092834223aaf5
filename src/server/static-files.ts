// The built web page, read into memory when the server starts: a request's path is only ever a
// key into this map, never joined onto a folder, so no request can reach another file.
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';

export interface StaticFile { data: Uint8Array; type: string; immutable: boolean }

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8', '.map': 'application/json',
};

/** URL path ('/', '/assets/x.js') -> file, for every file under `root` (at most `maxBytes` in all). */
export function loadStaticFiles(root: string, maxBytes = 256 * 2 ** 20): Map<string, StaticFile> {
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`the web page is not built (no ${join(root, 'index.html')}): run npm run build`);
  }
  const files = new Map<string, StaticFile>();
  let total = 0;
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else if (st.isFile()) {
        total += st.size;
        if (total > maxBytes) throw new Error(`the web page under ${root} is larger than ${maxBytes} bytes`);
        const url = '/' + relative(root, path).split(sep).join('/');
        // Vite names assets by content hash: they never change under the same name.
        files.set(url, { data: readFileSync(path), type: TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream', immutable: url.startsWith('/assets/') });
      }
    }
  };
  walk(root);
  files.set('/', files.get('/index.html')!);
  return files;
}
