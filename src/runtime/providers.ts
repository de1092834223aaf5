import * as ort from 'onnxruntime-node';

export type Provider = 'cpu' | 'cuda' | 'webgpu';
export const PROVIDERS: readonly Provider[] = ['cpu', 'cuda', 'webgpu'];

/** Checks that this onnxruntime-node build offers `provider`; the error lists what it does offer. */
export function checkProvider(provider: string): Provider {
  if (!PROVIDERS.includes(provider as Provider)) throw new Error(`--device ${provider}: unknown provider; choose one of ${PROVIDERS.join(', ')}`);
  const offered = ort.listSupportedBackends().filter((b) => b.bundled || b.name === 'cpu').map((b) => b.name);
  if (!offered.includes(provider)) {
    const here = `${process.platform}/${process.arch}`;
    throw new Error(`--device ${provider}: not available in this onnxruntime-node build on ${here} (available: ${offered.join(', ')})`);
  }
  return provider as Provider;
}
