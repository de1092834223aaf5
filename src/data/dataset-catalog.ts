// The datasets the reference's download scripts offer (datasets/download_pix2pix_dataset.sh and
// download_cyclegan_dataset.sh), with where they live and what the extracted folder holds.
import { DataError } from './errors.js';

export type DatasetKind = 'pix2pix' | 'cyclegan';
export type ArchiveFormat = 'tar.gz' | 'zip';

/** One downloadable dataset. */
export interface DatasetEntry {
  name: string;
  kind: DatasetKind;
  format: ArchiveFormat;
  /** Subfolders the extracted dataset must have (checked before it is moved into place). */
  layout: readonly string[];
  /** Expected archive size in bytes, when known; a download of another size is rejected. */
  bytes?: number;
  /** Expected SHA-256 of the archive (hex), when known; a download with another hash is rejected and deleted. */
  sha256?: string;
  /** Why it cannot be downloaded (the reference refuses cityscapes for license reasons). */
  refused?: string;
}

/**
 * Where the reference downloads pix2pix archives (NAME.tar.gz), over https: the reference's
 * scripts use plain http, which anyone on the way can alter, and neither the reference project
 * nor the server publishes sizes or hashes of the archives, so the entries below carry none
 * (`bytes` and `sha256` are checked when an entry has them; docs/reliability.md). A mirror
 * that only speaks http needs --base-url and --allow-http.
 */
export const PIX2PIX_BASE_URL = 'https://efrosgans.eecs.berkeley.edu/pix2pix/datasets';
/** Where the reference downloads CycleGAN archives (NAME.zip), over https (see above). */
export const CYCLEGAN_BASE_URL = 'https://efrosgans.eecs.berkeley.edu/cyclegan/datasets';

/** The reference scripts' refusal, word for word, plus where the script it names lives. */
export const CITYSCAPES_REFUSAL =
  'Due to license issue, we cannot provide the Cityscapes dataset from our repository. ' +
  'Please download the Cityscapes dataset from https://cityscapes-dataset.com, and use the script ./datasets/prepare_cityscapes_dataset.py.\n' +
  'You need to download gtFine_trainvaltest.zip and leftImg8bit_trainvaltest.zip. ' +
  'For further instruction, please read ./datasets/prepare_cityscapes_dataset.py\n' +
  '(that script is part of the reference project, github.com/junyanz/pytorch-CycleGAN-and-pix2pix)';

const PAIRED = ['train', 'val'];
const UNPAIRED = ['trainA', 'trainB', 'testA', 'testB'];

const pix2pix = (name: string, refused?: string): DatasetEntry => ({ name, kind: 'pix2pix', format: 'tar.gz', layout: PAIRED, refused });
const cyclegan = (name: string, layout: readonly string[] = UNPAIRED, refused?: string): DatasetEntry => ({
  name,
  kind: 'cyclegan',
  format: 'zip',
  layout,
  refused,
});

/** Every dataset of both reference scripts, in the scripts' order. */
export const DATASET_CATALOG: readonly DatasetEntry[] = [
  pix2pix('facades'),
  pix2pix('cityscapes', CITYSCAPES_REFUSAL),
  pix2pix('maps'),
  pix2pix('edges2shoes'),
  pix2pix('edges2handbags'),
  pix2pix('night2day'),
  cyclegan('apple2orange'),
  cyclegan('summer2winter_yosemite'),
  cyclegan('horse2zebra'),
  cyclegan('monet2photo'),
  cyclegan('cezanne2photo'),
  cyclegan('ukiyoe2photo'),
  cyclegan('vangogh2photo'),
  cyclegan('maps'),
  cyclegan('cityscapes', UNPAIRED, CITYSCAPES_REFUSAL),
  cyclegan('facades'),
  cyclegan('iphone2dslr_flower'),
  // A folder of test photos, not two domains: its layout is not checked.
  cyclegan('ae_photos', []),
];

/** Base URL of a kind's archives. */
export function defaultBaseUrl(kind: DatasetKind): string {
  return kind === 'pix2pix' ? PIX2PIX_BASE_URL : CYCLEGAN_BASE_URL;
}

/** BASE/NAME.tar.gz or BASE/NAME.zip; `baseUrl` (a mirror) replaces the catalog's base. */
export function datasetUrl(entry: DatasetEntry, baseUrl?: string): string {
  const base = (baseUrl ?? defaultBaseUrl(entry.kind)).replace(/\/+$/, '');
  return `${base}/${entry.name}.${entry.format}`;
}

/** "pix2pix: facades, maps, ...\ncyclegan: ..." for messages and `datasets list`. */
export function describeCatalog(catalog: readonly DatasetEntry[] = DATASET_CATALOG): string {
  const kinds: DatasetKind[] = ['pix2pix', 'cyclegan'];
  return kinds
    .map((k) => `${k}: ${catalog.filter((e) => e.kind === k).map((e) => e.name).join(', ')}`)
    .join('\n');
}

/**
 * The catalog entry for `name`, which may be qualified as "cyclegan/maps". Throws a DataError
 * listing the known names for an unknown one, asking for a kind when the name is in both
 * catalogs (maps, facades), and with the refusal text for a refused dataset.
 */
export function findDataset(name: string, kind?: DatasetKind, catalog: readonly DatasetEntry[] = DATASET_CATALOG): DatasetEntry {
  const slash = name.indexOf('/');
  if (slash > 0) {
    const prefix = name.slice(0, slash);
    if (prefix !== 'pix2pix' && prefix !== 'cyclegan') throw new DataError(`unknown dataset kind '${prefix}' in '${name}'; use pix2pix/NAME or cyclegan/NAME`);
    if (kind && kind !== prefix) throw new DataError(`'${name}' contradicts --kind ${kind}`);
    kind = prefix;
    name = name.slice(slash + 1);
  }
  const matches = catalog.filter((e) => e.name === name && (!kind || e.kind === kind));
  if (matches.length === 0) {
    const where = kind ? `the ${kind} catalog` : 'the catalog';
    throw new DataError(`unknown dataset '${name}' in ${where}. Available datasets are:\n${describeCatalog(catalog)}`);
  }
  if (matches.every((e) => e.refused)) throw new DataError(matches[0].refused as string);
  if (matches.length > 1) {
    throw new DataError(
      `'${name}' exists as a pix2pix dataset (paired A|B images, .tar.gz) and as a CycleGAN dataset (trainA/trainB, .zip); ` +
        `pass --kind pix2pix or --kind cyclegan (or write pix2pix/${name} or cyclegan/${name})`,
    );
  }
  return matches[0];
}
