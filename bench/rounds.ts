/**
 * The benches run the product and its reference in turns (ABBA) and report the median of
 * the rounds' ratios: one slow round of a shared machine moves a median little.
 */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
