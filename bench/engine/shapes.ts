/** Conv and conv-transpose layers of a unet_256 generator (ngf 64, batch 1, 256x256 input). */
export interface ConvShape { name: string; kind: 'conv' | 'convT'; cin: number; cout: number; h: number }

const down: [number, number, number][] = [[3, 64, 256], [64, 128, 128], [128, 256, 64], [256, 512, 32], [512, 512, 16], [512, 512, 8], [512, 512, 4], [512, 512, 2]];
const up: [number, number, number][] = [[512, 512, 1], [1024, 512, 2], [1024, 512, 4], [1024, 512, 8], [1024, 256, 16], [512, 128, 32], [256, 64, 64], [128, 3, 128]];

export const UNET256_SHAPES: ConvShape[] = [
  ...down.map(([cin, cout, h]) => ({ name: `down ${cin}->${cout} @${h}`, kind: 'conv' as const, cin, cout, h })),
  ...up.map(([cin, cout, h]) => ({ name: `up ${cin}->${cout} @${h}`, kind: 'convT' as const, cin, cout, h })),
];

/** Multiply-adds x2 of the forward pass (4x4 kernels, stride 2). */
export function forwardFlops(s: ConvShape): number {
  const outH = s.kind === 'conv' ? s.h / 2 : s.h * 2;
  const inH = s.h;
  // Both directions do cin*cout*16 MACs per low-resolution pixel.
  const lowRes = s.kind === 'conv' ? outH : inH;
  return 2 * s.cin * s.cout * 16 * lowRes * lowRes;
}
