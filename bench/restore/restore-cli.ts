// Stand-alone entry for `restore train|apply` (same commands as `img2img restore ...` once
// registerRestoreCommands is wired into src/cli/main.ts).
// Usage: npx tsx bench/restore/restore-cli.ts restore train --images DIR ...
import { Command } from 'commander';
import { registerRestoreCommands } from '../../src/restore/cli.js';

const program = new Command('img2img').showHelpAfterError();
registerRestoreCommands(program);
try {
  await program.parseAsync(process.argv);
} catch (err) {
  console.error(`img2img: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
