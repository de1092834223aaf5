// A checkpoint is a set of files (the networks and the training state) that must change together:
// a run killed between two renames used to resume with G from step 40 and D from step 20. Saving
// is a two-phase commit:
//   1. every file is written in full beside its final name as .NAME.STEP.next (fsynced);
//   2. LABEL_checkpoint.json, listing each file's size and SHA-256 and the step, is written
//      atomically: this is the commit point;
//   3. each .next file is renamed over its final name.
// Recovery rolls a committed set forward (renames the .next files still there) and deletes
// uncommitted .next files and temp files of killed writes; resuming then checks every file
// against the manifest, so a mixed set can never be loaded.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDir, writeFileAtomic } from '../io/atomic.js';
import { crashPoint } from '../util/crash-points.js';
import { DataError } from '../data/errors.js';

export const checkpointManifestPath = (dir: string, label: string | number) => join(dir, `${label}_checkpoint.json`);

export interface CheckpointManifest {
  format: 'img2img-checkpoint';
  label: string;
  step: number;
  epoch: number;
  /** File name (in the run folder) -> size and SHA-256 of its bytes. */
  files: Record<string, { bytes: number; sha256: string }>;
}

const stagedName = (name: string, step: number) => `.${name}.${step}.next`;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Saves the files of checkpoint `label` as one set (see the module comment). */
export async function saveCheckpointSet(
  dir: string, label: string | number, step: number, epoch: number, files: { name: string; bytes: Uint8Array }[],
): Promise<void> {
  const manifest: CheckpointManifest = { format: 'img2img-checkpoint', label: String(label), step, epoch, files: {} };
  for (const f of files) {
    await writeFileAtomic(join(dir, stagedName(f.name, step)), f.bytes);
    manifest.files[f.name] = { bytes: f.bytes.length, sha256: sha256(f.bytes) };
    crashPoint(`save ${label}: staged ${f.name}`);
  }
  await writeFileAtomic(checkpointManifestPath(dir, label), JSON.stringify(manifest, null, 1) + '\n');
  crashPoint(`save ${label}: committed step ${step}`);
  for (const f of files) {
    renameSync(join(dir, stagedName(f.name, step)), join(dir, f.name));
    crashPoint(`save ${label}: renamed ${f.name}`);
  }
  await fsyncDir(dir);
}

/** The manifest of checkpoint `label`, or null when there is none; a damaged one throws. */
export function readCheckpointManifest(dir: string, label: string | number): CheckpointManifest | null {
  const path = checkpointManifestPath(dir, label);
  if (!existsSync(path)) return null;
  let m: CheckpointManifest;
  try {
    m = JSON.parse(readFileSync(path, 'utf8')) as CheckpointManifest;
  } catch (err) {
    throw new DataError(`cannot resume: ${path} is damaged (${(err as Error).message})`);
  }
  if (m?.format !== 'img2img-checkpoint' || !Number.isSafeInteger(m.step) || typeof m.files !== 'object' || m.files === null) {
    throw new DataError(`cannot resume: ${path} is not an img2img checkpoint manifest`);
  }
  return m;
}

/**
 * Finishes or discards an interrupted save of `label`: a committed set is rolled forward, staged
 * files of an uncommitted one are deleted. Returns the manifest (null for runs saved before
 * manifests existed, or never saved).
 */
export function recoverCheckpointSet(dir: string, label: string | number): CheckpointManifest | null {
  const m = readCheckpointManifest(dir, label);
  if (m) {
    for (const name of Object.keys(m.files)) {
      const staged = join(dir, stagedName(name, m.step));
      if (existsSync(staged)) renameSync(staged, join(dir, name));
    }
  }
  const prefix = `.${label}_`;
  for (const e of existsSync(dir) ? readdirSync(dir) : []) {
    if (e.startsWith(prefix) && e.endsWith('.next')) rmSync(join(dir, e), { force: true });
  }
  return m;
}

/** Throws unless every file of the set is there with the manifest's size and SHA-256. */
export function verifyCheckpointSet(dir: string, m: CheckpointManifest): void {
  for (const [name, want] of Object.entries(m.files)) {
    const path = join(dir, name);
    if (!existsSync(path)) throw new DataError(`cannot resume: ${path} of the step ${m.step} checkpoint is missing`);
    const size = statSync(path).size;
    if (size !== want.bytes || sha256(readFileSync(path)) !== want.sha256) {
      throw new DataError(`cannot resume: ${path} is not the file the step ${m.step} checkpoint saved (size or SHA-256 differs)`);
    }
  }
}

/**
 * Deletes temp files that killed writes left in the run folder and its web/ folders
 * (`.NAME.PID.HEX.tmp`, from writeFileAtomic). A run folder has one writer, the run itself.
 */
export function removeStaleTemps(dir: string): void {
  for (const d of [dir, join(dir, 'web'), join(dir, 'web', 'images')]) {
    if (!existsSync(d)) continue;
    for (const e of readdirSync(d)) {
      if (e.startsWith('.') && e.endsWith('.tmp')) rmSync(join(d, e), { force: true });
    }
  }
}
