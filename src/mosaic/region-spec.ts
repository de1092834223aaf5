// Turns CLI region options (boxes, polygons, ellipses, a mask file) into a mask for
// one image size.
import { createMask, unionMasks, type Mask } from './mask.js';
import { readMask } from './mask-file.js';
import { fillEllipse, fillPolygon, fillRect, parseBox, parseEllipse, parsePolygon } from './shapes.js';

/** Region options as given on the command line (all optional, combined by union). */
export interface RegionSpec {
  boxes?: readonly string[];
  polygons?: readonly string[];
  ellipses?: readonly string[];
  maskFile?: string;
}

/** Throws on malformed geometry or when no region at all is given (before any file is read). */
export function checkRegionSpec(spec: RegionSpec): void {
  spec.boxes?.forEach(parseBox);
  spec.polygons?.forEach(parsePolygon);
  spec.ellipses?.forEach(parseEllipse);
  if (!spec.boxes?.length && !spec.polygons?.length && !spec.ellipses?.length && !spec.maskFile) {
    throw new Error('no region given: use --box, --polygon, --ellipse or --mask');
  }
}

/** The union of all regions for an image of the given size; the mask file must have that size. */
export async function regionMask(spec: RegionSpec, width: number, height: number): Promise<Mask> {
  const m = createMask(width, height);
  for (const b of spec.boxes ?? []) fillRect(m, parseBox(b));
  for (const p of spec.polygons ?? []) fillPolygon(m, parsePolygon(p));
  for (const e of spec.ellipses ?? []) fillEllipse(m, ...parseEllipse(e));
  if (!spec.maskFile) return m;
  return unionMasks(width, height, [m, await readMask(spec.maskFile, width, height)]);
}
