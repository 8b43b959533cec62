/**
 * A plausible tenant for the benchmarks: mostly single-plan Essentials users, some
 * Premium, some multi-plan. Weights add up to 100.
 */
export const TENANT_PLAN_MIX: [weight: number, plans: string[]][] = [
  [40, ['sales-essentials']],
  [15, ['sales-premium']],
  [12, ['service-essentials']],
  [8, ['service-premium']],
  [7, ['marketing-essentials']],
  [3, ['marketing-premium']],
  [6, ['sales-premium', 'service-essentials']],
  [5, ['sales-essentials', 'marketing-essentials']],
  [4, ['sales-premium', 'service-premium', 'marketing-premium']],
];
