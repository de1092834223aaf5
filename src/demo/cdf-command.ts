/** The `demo cdf` CLI subcommand (commander); the CLI entry point registers it. */
import { InvalidArgumentError, type Command } from 'commander';
import { runCdfDemo, type CdfDemoResult } from './cdf.js';

function intArg(name: string, min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\s*[+-]?\d+\s*$/.test(v) || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}, got "${v}"`);
    return n;
  };
}

function rangeArg(v: string): [number, number] {
  const parts = v.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 2 || !parts.every(Number.isFinite) || !(parts[0] < parts[1])) throw new InvalidArgumentError(`expected "lo,hi" with lo < hi, got "${v}"`);
  return [parts[0], parts[1]];
}

/** The lines printed after a run. */
export function formatCdfDemoResult(r: CdfDemoResult, alpha = 0.01): string {
  const verdict = (p: number) => (p >= alpha ? `consistent with the density at level ${alpha}` : `REJECTED at level ${alpha}`);
  return [
    `density: ${r.density}`,
    `samples: n=${r.n} seed=${r.seed}  mean ${r.sampleMean.toFixed(4)} (density ${r.mean.toFixed(4)})  std ${r.sampleStd.toFixed(4)} (density ${r.std.toFixed(4)})`,
    `KS: D=${r.ks.statistic.toFixed(5)} p=${r.ks.pValue.toFixed(4)}: ${verdict(r.ks.pValue)}`,
    `chi-square: ${r.chiSquare.statistic.toFixed(2)} on ${r.chiSquare.dof} dof, p=${r.chiSquare.pValue.toFixed(4)}: ${verdict(r.chiSquare.pValue)}`,
    `wrote ${r.out}`,
  ].join('\n');
}

/**
 * Adds `cdf` under the given `demo` command: inverse-CDF sampling of a 1-D density, a PNG of
 * density | histogram, and the KS / chi-square results on stdout. `log` defaults to console.log.
 */
export function registerCdfDemo(demo: Command, log: (line: string) => void = console.log): Command {
  return demo
    .command('cdf')
    .description('sample a 1-D density by inverse CDF, plot density | histogram, and test the samples (KS, chi-square)')
    .option('--pdf <expr|file.csv>', 'density: an expression in x (e.g. "exp(-x^2/2)") or a CSV of x,density rows (default: built-in staircase + cosine)')
    .option('--n <count>', 'number of samples', intArg('--n', 1), 10000)
    .option('--bins <count>', 'histogram bins', intArg('--bins', 1), 60)
    .option('--seed <int>', 'random seed', intArg('--seed', 0), 0)
    .option('--grid <points>', 'density grid points', intArg('--grid', 2), 2001)
    .option('--range <lo,hi>', 'x range of the density (default -3,3; a CSV\'s own range)', rangeArg)
    .option('-o, --out <file.png>', 'output PNG', 'demo-cdf.png')
    .action(async (o: { pdf?: string; n: number; bins: number; seed: number; grid: number; range?: [number, number]; out: string }) => {
      const r = await runCdfDemo(o);
      log(formatCdfDemoResult(r));
    });
}
