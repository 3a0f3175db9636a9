/** Small statistics helpers for the benchmark tables. */

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const median = (values: number[]) => percentile(values, 50);

export function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** A ratio printed as `1.23x` (or `-` when it cannot be computed). */
export function ratio(value: number, floor: number): string {
  if (!Number.isFinite(value) || !Number.isFinite(floor) || floor === 0) return value === 0 && floor === 0 ? '1.00x' : '-';
  return `${(value / floor).toFixed(2)}x`;
}

/** Units with as many decimals as capacity units need (0.5 steps, amortised fractions). */
export function units(value: number): string {
  if (!Number.isFinite(value)) return '-';
  if (Number.isInteger(value)) return String(value);
  return value.toFixed(Math.abs(value) >= 10 ? 1 : 2).replace(/0$/, '');
}

export const ms = (value: number) => (Number.isFinite(value) ? `${value < 10 ? value.toFixed(1) : value.toFixed(0)} ms` : '-');
