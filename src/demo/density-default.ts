/**
 * The demo's default density on [-3, 3]: a three-step staircase for x < 0 and a raised cosine for
 * x >= 0, normalized. Its CDF has a closed form, so samples can be tested against the exact law.
 */

export const DEFAULT_RANGE: [number, number] = [-3, 3];

/** Human-readable formula, for titles and help. */
export const DEFAULT_PDF_FORMULA = 'x<0: round(x+3.5)/3; x>=0: 0.5cos(pi x)+0.5 (normalized on [-3,3])';

/** Integral of the unnormalized density over [-3, 3]: steps 1/3 + 2/3 + 1 = 2, cosine part 3/2. */
export const DEFAULT_PDF_TOTAL = 3.5;

/** The unnormalized default density (0 outside [-3, 3]). */
export function defaultPdfUnnormalized(x: number): number {
  if (!(x >= -3 && x <= 3)) return 0;
  return x < 0 ? Math.round(x + 3.5) / 3 : 0.5 * Math.cos(Math.PI * x) + 0.5;
}

/** The default density, normalized to integrate to 1 over [-3, 3]. */
export function defaultPdf(x: number): number {
  return defaultPdfUnnormalized(x) / DEFAULT_PDF_TOTAL;
}

/** The exact CDF of {@link defaultPdf}. */
export function defaultCdf(x: number): number {
  if (!(x > -3)) return 0;
  if (x >= 3) return 1;
  if (x < 0) {
    // Step k (1, 2, 3) covers [k-4, k-3) with height k/3; the steps before it hold k(k-1)/6.
    const k = Math.round(x + 3.5);
    return (k * (k - 1) / 6 + (x - (k - 4)) * k / 3) / DEFAULT_PDF_TOTAL;
  }
  return (2 + 0.5 * x + Math.sin(Math.PI * x) / (2 * Math.PI)) / DEFAULT_PDF_TOTAL;
}
