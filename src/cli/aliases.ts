/**
 * Accepts the reference's snake_case option spellings (--n_epochs, --lambda_L1, --checkpoints_dir)
 * by rewriting them to our kebab-case names (--n-epochs, --lambda-L1, --checkpoints-dir) before
 * commander parses. Only option names change; values and positional arguments are untouched.
 */
export function normalizeArgv(argv: readonly string[]): string[] {
  let afterDashDash = false;
  return argv.map((arg) => {
    if (afterDashDash || !arg.startsWith('--')) return arg;
    if (arg === '--') {
      afterDashDash = true;
      return arg;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    return '--' + name.slice(2).replace(/_/g, '-') + (eq < 0 ? '' : arg.slice(eq));
  });
}
