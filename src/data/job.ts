// The dataset jobs: `download` a reference dataset, `list` the catalog, `combine` A and B folders.
import { z } from 'zod';
import { callback, int, parseOptions, type LogFn } from '../util/options.js';
import { combineFolders, type CombineSplitResult } from './combine.js';
import { DATASET_CATALOG, type DatasetEntry } from './dataset-catalog.js';
import { downloadDataset, type DownloadDatasetResult } from './download.js';
import { DEFAULT_EXTRACT_LIMITS } from './extract.js';
import type { DownloadProgress } from './http-download.js';

export const downloadSchema = z.object({
  /** Dataset name, e.g. facades or horse2zebra (pix2pix/maps, cyclegan/maps for names in both). */
  name: z.string().min(1),
  /** Folder that receives ROOT/NAME. */
  root: z.string().min(1).default('./datasets'),
  /** Mirror base URL replacing the reference's (the file is BASE/NAME.tar.gz or BASE/NAME.zip). */
  baseUrl: z.string().min(1).optional(),
  /** Which catalog, for names in both (maps, facades). */
  kind: z.enum(['pix2pix', 'cyclegan']).optional(),
  /** Replace an existing ROOT/NAME (only once the new one is fully extracted). */
  force: z.boolean().default(false),
  /** Retries after a dropped connection, their delay in ms, socket idle timeout in ms. */
  retries: int(0).optional(),
  retryDelayMs: int(0).optional(),
  timeoutMs: int(1).optional(),
  /** Allow a plain-http mirror (or a redirect to http) other than this machine. */
  allowHttp: z.boolean().default(false),
  /** Extraction limits (a zip bomb would otherwise fill the disk): total bytes, entries, bytes per archive byte. */
  maxExtractedBytes: z.number().int().positive().default(DEFAULT_EXTRACT_LIMITS.maxExtractedBytes),
  maxExtractedFiles: int(1).default(DEFAULT_EXTRACT_LIMITS.maxExtractedFiles),
  maxCompressionRatio: z.number().positive().default(DEFAULT_EXTRACT_LIMITS.maxCompressionRatio),
  /** Catalog to look the name up in (tests); default the reference's. */
  catalog: z.custom<readonly DatasetEntry[]>((v) => Array.isArray(v), { message: 'expected a list of dataset entries' }).optional(),
  /** Status lines. */
  log: callback<LogFn>().optional(),
  /** Download progress (start/update/stop), e.g. a progress bar. */
  progress: z.custom<DownloadProgress & { stop?(): void }>((v) => typeof v === 'object' && v !== null, { message: 'expected { start, update }' }).optional(),
}).strict();
export type DownloadOptions = z.input<typeof downloadSchema>;

/** Downloads (resumably) and extracts a reference dataset into ROOT/NAME; see downloadDataset. */
export async function download(options: DownloadOptions): Promise<DownloadDatasetResult> {
  const { name, ...rest } = parseOptions(downloadSchema, 'datasets.download', options);
  return downloadDataset(name, rest);
}

/** The datasets `download` knows. */
export function list(): readonly DatasetEntry[] {
  return DATASET_CATALOG;
}

export const combineSchema = z.object({
  /** Input folder of A images (with split subfolders: train, val, test). */
  foldA: z.string().min(1),
  /** Input folder of B images, same names as in A. */
  foldB: z.string().min(1),
  /** Output folder. */
  foldAB: z.string().min(1),
  /** At most this many images per split. */
  numImgs: int(0).default(1_000_000),
  /** Pair NAME_A.ext with NAME_B.ext and write NAME.ext. */
  useAB: z.boolean().default(false),
  /** Pairs processed in parallel. */
  concurrency: int(1).default(4),
  /** Per-split status lines. */
  log: callback<LogFn>().optional(),
}).strict();
export type CombineJobOptions = z.input<typeof combineSchema>;

/** A pix2pix dataset from two folders of matching images (the reference's combine_A_and_B.py). */
export async function combine(options: CombineJobOptions): Promise<CombineSplitResult[]> {
  return combineFolders(parseOptions(combineSchema, 'datasets.combine', options));
}
