/**
 * How fast pure resolution is: one multi-plan user, then every user of a 10,000-user
 * tenant. Prints figures, asserts nothing. Run: npx tsx bench/resolution.ts
 */
import {
  getCatalog,
  impliedGrants,
  tenantEntitlements,
  userFeatures,
  type Holdings,
} from '../src/catalog';
import { TENANT_PLAN_MIX } from './tenant-mix';

const catalog = getCatalog();
const MULTI_PLAN_USER = ['sales-premium', 'service-premium', 'marketing-essentials'];
const TENANT_USERS = 10_000;
const RUNS = 5;

const MIX = TENANT_PLAN_MIX;

function main(): void {
  singleUser();
  wholeTenant();
}

function singleUser(): void {
  const iterations = 200_000;
  for (let i = 0; i < 20_000; i++) userFeatures(catalog, MULTI_PLAN_USER);
  const samples = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    userFeatures(catalog, MULTI_PLAN_USER);
    samples[i] = Number(process.hrtime.bigint() - start);
  }
  samples.sort();
  console.log(
    `single user (${MULTI_PLAN_USER.join(' + ')}), ${iterations} calls, timer overhead included:`,
  );
  console.log(
    `  median ${micros(quantile(samples, 0.5))} µs, p99 ${micros(quantile(samples, 0.99))} µs`,
  );
}

function wholeTenant(): void {
  const holdings = tenantHoldings();
  const users = Object.values(holdings.userPlans);
  const resolveAll = timed(() => {
    for (const plans of users) userFeatures(catalog, plans);
    tenantEntitlements(catalog, {
      plans: holdings.tenantPlans,
      addons: holdings.addons,
      systemLicenses: holdings.systemLicenses,
    });
  });
  let grantCount = 0;
  const allGrants = timed(() => {
    grantCount = impliedGrants(catalog, holdings).length;
  });
  console.log(`tenant of ${TENANT_USERS} users (median of ${RUNS} runs):`);
  console.log(
    `  features of every user + tenant flags: ${resolveAll.toFixed(1)} ms, ` +
      `${Math.round(TENANT_USERS / (resolveAll / 1000)).toLocaleString('en')} users/s`,
  );
  console.log(
    `  every grant the tenant holds (${grantCount} GrantSpecs): ${allGrants.toFixed(1)} ms`,
  );
}

function tenantHoldings(): Holdings {
  const total = MIX.reduce((sum, [weight]) => sum + weight, 0);
  let seed = 42;
  // A fixed-seed LCG, so every run resolves the same tenant.
  const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const userPlans: Record<string, string[]> = {};
  for (let i = 0; i < TENANT_USERS; i++) {
    let pick = next() * total;
    const entry = MIX.find(([weight]) => (pick -= weight) < 0) ?? MIX[0];
    userPlans[`user-${String(i).padStart(5, '0')}`] = entry?.[1] ?? [];
  }
  const tenantPlans = [...new Set(Object.values(userPlans).flat())];
  return { tenantId: 'bench', tenantPlans, userPlans, addons: ['cep', 'ai'], systemLicenses: [] };
}

function timed(run: () => unknown): number {
  run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)] ?? 0;
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

function micros(nanoseconds: number): string {
  return (nanoseconds / 1000).toFixed(2);
}

main();
