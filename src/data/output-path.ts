import { statSync } from 'node:fs';
import { sep } from 'node:path';
import { isImagePath } from './image.js';

/**
 * Whether a command's `-o` names a folder rather than one output image: several inputs or a
 * folder input, a trailing slash, an existing folder, or a name without an image extension.
 */
export function outputIsFolder(output: string, inputFiles: number, hadFolderInput: boolean): boolean {
  if (inputFiles > 1 || hadFolderInput || output.endsWith('/') || output.endsWith(sep)) return true;
  try {
    if (statSync(output).isDirectory()) return true;
  } catch {
    // does not exist yet: decided by its extension
  }
  return !isImagePath(output);
}
