// The restoration models that ship with img2img (models/ at the package root; recipes in
// docs/restoration.md). `restore apply` uses the faithful one unless told otherwise.
import { fileURLToPath } from 'node:url';

const root = new URL('../../models/', import.meta.url);

export const SHIPPED_MODEL_NAMES = ['faithful', 'sharp'] as const;
export type ShippedModelName = (typeof SHIPPED_MODEL_NAMES)[number];

/** Paths of the shipped models by name. */
export const SHIPPED_MODELS: Record<ShippedModelName, string> = {
  faithful: fileURLToPath(new URL('restore-faithful.safetensors', root)),
  sharp: fileURLToPath(new URL('restore-sharp.safetensors', root)),
};

/** A model argument: a shipped model's name, or the path of a restorer file. */
export function resolveModel(nameOrPath: string): string {
  return (SHIPPED_MODEL_NAMES as readonly string[]).includes(nameOrPath) ? SHIPPED_MODELS[nameOrPath as ShippedModelName] : nameOrPath;
}
