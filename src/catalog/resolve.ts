import type { Catalog } from './catalog-schema';
import { addonOf, catalogIndex, planFeatures } from './catalog-index';
import { UnknownSystemLicenseError } from './errors';

/**
 * A user's features: the union of the resolved features of every plan they hold (base
 * features included). A user without a plan holds nothing. Sorted.
 */
export function userFeatures(catalog: Catalog, plans: readonly string[]): string[] {
  if (plans.length === 1 && plans[0] !== undefined) {
    return [...planFeatures(catalog, plans[0], 'plans')];
  }
  const features = new Set<string>();
  for (const plan of plans) planFeatures(catalog, plan, 'plans').forEach((f) => features.add(f));
  return [...features].sort();
}

/** The system licenses a tenant needs for these plans' features, per the catalog's rules. Sorted. */
export function requiredSystemLicenses(catalog: Catalog, plans: readonly string[]): string[] {
  return requiredBy(catalog, userFeatures(catalog, plans));
}

export interface TenantEntitlementsInput {
  /** Every plan held by any user of the tenant. */
  plans: readonly string[];
  addons: readonly string[];
  /** System licenses bought outright, such as site licenses. */
  systemLicenses: readonly string[];
}

export interface TenantEntitlements {
  systemLicenses: string[];
  addonFeatures: string[];
}

/** Tenant-wide flags: system licenses bought or required, and add-on features. Sorted. */
export function tenantEntitlements(
  catalog: Catalog,
  input: TenantEntitlementsInput,
): TenantEntitlements {
  const addonFeatures = new Set<string>();
  for (const addon of input.addons) {
    addonOf(catalog, addon, 'addons').features.forEach((f) => addonFeatures.add(f));
  }
  const known = catalogIndex(catalog).systemLicenses;
  for (const license of input.systemLicenses) {
    if (!known.has(license)) throw new UnknownSystemLicenseError(license, 'systemLicenses');
  }
  const systemLicenses = new Set([
    ...input.systemLicenses,
    ...requiredSystemLicenses(catalog, input.plans),
    ...requiredBy(catalog, [...addonFeatures]),
  ]);
  return { systemLicenses: [...systemLicenses].sort(), addonFeatures: [...addonFeatures].sort() };
}

function requiredBy(catalog: Catalog, features: readonly string[]): string[] {
  const { requires } = catalogIndex(catalog);
  const licenses = new Set<string>();
  for (const feature of features) requires.get(feature)?.forEach((l) => licenses.add(l));
  return [...licenses].sort();
}
