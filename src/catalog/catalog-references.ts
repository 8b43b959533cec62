import type { Catalog } from './catalog-schema';

/**
 * Cross-reference checks zod cannot express: every key a section mentions exists, keys
 * are unique, `extends` chains end, and every plan and add-on has a price. Each issue
 * names its entry the way `formatIssuePath` does.
 */
export function referenceIssues(catalog: Catalog): string[] {
  const features = new Set(catalog.features.map((f) => f.key));
  const systemLicenses = new Set(catalog.systemLicenses.map((s) => s.key));
  const plans = new Map(catalog.plans.map((p) => [p.key, p]));
  const addons = new Set(catalog.addons.map((a) => a.key));
  const issues = [
    ...duplicateKeys('features', catalog.features),
    ...duplicateKeys('systemLicenses', catalog.systemLicenses),
    ...duplicateKeys('plans', catalog.plans),
    ...duplicateKeys('addons', catalog.addons),
    ...unknownOrRepeated('catalog.baseFeatures', catalog.baseFeatures, features, 'feature'),
  ];
  for (const plan of catalog.plans) {
    const at = `catalog.plans[${JSON.stringify(plan.key)}]`;
    issues.push(...unknownOrRepeated(`${at}.features`, plan.features, features, 'feature'));
    if (plan.extends === undefined) continue;
    const parent = plans.get(plan.extends);
    if (!parent) issues.push(`${at}.extends: unknown plan "${plan.extends}"`);
    else if (parent.solution !== plan.solution) {
      issues.push(
        `${at}.extends: "${plan.extends}" is a ${parent.solution} plan, not ${plan.solution}`,
      );
    }
    const cycle = extendsCycle(plan.key, plans);
    if (cycle) issues.push(`${at}.extends: cycle ${cycle.join(' → ')}`);
  }
  for (const addon of catalog.addons) {
    const at = `catalog.addons[${JSON.stringify(addon.key)}].features`;
    issues.push(...unknownOrRepeated(at, addon.features, features, 'feature'));
  }
  catalog.rules.forEach((rule, index) => {
    const at = `catalog.rules[${index}]`;
    if (!features.has(rule.feature)) {
      issues.push(`${at}.feature: unknown feature "${rule.feature}"`);
    }
    if (!systemLicenses.has(rule.requires)) {
      issues.push(`${at}.requires: unknown system license "${rule.requires}"`);
    }
  });
  issues.push(...priceIssues(catalog, 'plans', new Set(plans.keys()), 'plan'));
  issues.push(...priceIssues(catalog, 'addons', addons, 'add-on'));
  return issues;
}

function duplicateKeys(section: string, entries: readonly { key: string }[]): string[] {
  const seen = new Set<string>();
  const issues: string[] = [];
  for (const { key } of entries) {
    if (seen.has(key)) {
      issues.push(`catalog.${section}[${JSON.stringify(key)}]: duplicate key "${key}"`);
    }
    seen.add(key);
  }
  return issues;
}

function unknownOrRepeated(
  at: string,
  keys: readonly string[],
  known: Set<string>,
  what: string,
): string[] {
  const issues = keys.filter((k) => !known.has(k)).map((k) => `${at}: unknown ${what} "${k}"`);
  const repeated = keys.filter((k, i) => keys.indexOf(k) !== i);
  return [...issues, ...repeated.map((k) => `${at}: ${what} "${k}" listed twice`)];
}

/** The chain from `start` back to itself, if following `extends` from it ever returns. */
function extendsCycle(
  start: string,
  plans: Map<string, { extends?: string | undefined }>,
): string[] | undefined {
  const chain = [start];
  let next = plans.get(start)?.extends;
  while (next !== undefined && plans.has(next)) {
    chain.push(next);
    if (next === start) return chain;
    // A cycle further up the chain is reported at its own members, not here.
    if (chain.indexOf(next) !== chain.length - 1) return undefined;
    next = plans.get(next)?.extends;
  }
  return undefined;
}

function priceIssues(
  catalog: Catalog,
  section: 'plans' | 'addons',
  keys: Set<string>,
  what: string,
): string[] {
  const prices = catalog.prices[section];
  const issues: string[] = [];
  for (const key of keys) {
    if (!Object.hasOwn(prices, key)) {
      issues.push(
        `catalog.prices.${section}[${JSON.stringify(key)}]: missing price for ${what} "${key}"`,
      );
    }
  }
  for (const [key, price] of Object.entries(prices)) {
    const at = `catalog.prices.${section}[${JSON.stringify(key)}]`;
    if (!keys.has(key)) issues.push(`${at}: unknown ${what} "${key}"`);
    // A yearly price is only worth offering if it beats paying monthly for a year.
    if (price.year >= 12 * price.month) {
      issues.push(`${at}.year: must be less than 12 × month (${12 * price.month})`);
    }
  }
  return issues;
}
