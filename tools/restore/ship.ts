// Copies a trained restorer's weights (no optimizer state) to models/restore-NAME.safetensors,
// the file `restore apply` ships with, recording where it came from.
//   npx tsx tools/restore/ship.ts --from runs/faithful/model.safetensors --name faithful [--recipe "..."]
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadRestorer, saveRestorer } from '../../src/restore/net/checkpoint.js';
import { SHIPPED_MODEL_NAMES, SHIPPED_MODELS, type ShippedModelName } from '../../src/restore/shipped.js';

const { values } = parseArgs({ options: { from: { type: 'string' }, name: { type: 'string' }, recipe: { type: 'string' } } });
if (!values.from || !SHIPPED_MODEL_NAMES.includes(values.name as ShippedModelName)) {
  console.error(`usage: ship.ts --from FILE --name ${SHIPPED_MODEL_NAMES.join('|')} [--recipe TEXT]`);
  process.exit(2);
}
const { net, meta } = await loadRestorer(values.from);
const target = SHIPPED_MODELS[values.name as ShippedModelName];
await saveRestorer(target, net, { step: meta.step, info: { ...meta.info, shippedAs: values.name, ...(values.recipe ? { recipe: values.recipe } : {}) } });
console.log(`${target}: ${net.parameterCount()} parameters, step ${meta.step}, ${(statSync(target).size / 1e6).toFixed(2)} MB`);
