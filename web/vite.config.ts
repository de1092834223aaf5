// The web page's build (npm run build runs it; img2img serve serves the result, dist/web).
// The page imports the shared pure modules of src/ directly: one copy of the restoration code.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1024,
    assetsInlineLimit: 0,
    // No "plugins took long" notes: on a busy machine they are noise in npm ci's output.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  // `vite web` for page work: the same headers as img2img serve (threads need cross-origin isolation).
  server: { headers: isolation },
  preview: { headers: isolation },
});
