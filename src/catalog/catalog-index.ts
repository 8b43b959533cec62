import type { Addon, Catalog, Plan } from './catalog-schema';
import { UnknownAddonError, UnknownPlanError } from './errors';

/** Lookups derived once per catalog: resolution runs per user and must stay cheap. */
export interface CatalogIndex {
  plans: ReadonlyMap<string, Plan>;
  addons: ReadonlyMap<string, Addon>;
  systemLicenses: ReadonlySet<string>;
  /** Each plan's own features, those it extends, and the base features. */
  planFeatures: ReadonlyMap<string, readonly string[]>;
  /** System licenses each feature requires, per the catalog's rules. */
  requires: ReadonlyMap<string, readonly string[]>;
}

// Memoisation only: the index is a pure function of the catalog object, which callers
// never mutate, so caching it keeps workflow code deterministic.
const indexes = new WeakMap<Catalog, CatalogIndex>();

export function catalogIndex(catalog: Catalog): CatalogIndex {
  let index = indexes.get(catalog);
  if (!index) {
    index = buildIndex(catalog);
    indexes.set(catalog, index);
  }
  return index;
}

export function planOf(catalog: Catalog, plan: string, field = 'plan'): Plan {
  const found = catalogIndex(catalog).plans.get(plan);
  if (!found) throw new UnknownPlanError(plan, field);
  return found;
}

export function addonOf(catalog: Catalog, addon: string, field = 'addon'): Addon {
  const found = catalogIndex(catalog).addons.get(addon);
  if (!found) throw new UnknownAddonError(addon, field);
  return found;
}

/** Sorted resolved features of one plan, base features included. */
export function planFeatures(catalog: Catalog, plan: string, field = 'plan'): readonly string[] {
  const features = catalogIndex(catalog).planFeatures.get(plan);
  if (!features) throw new UnknownPlanError(plan, field);
  return features;
}

function buildIndex(catalog: Catalog): CatalogIndex {
  const plans = new Map(catalog.plans.map((p) => [p.key, p]));
  const planFeatures = new Map<string, readonly string[]>();
  for (const plan of catalog.plans) {
    const features = new Set(catalog.baseFeatures);
    // parseCatalog refuses cycles; `seen` keeps a hand-built catalog from looping anyway.
    const seen = new Set<string>();
    for (let p = plans.get(plan.key); p && !seen.has(p.key); p = plans.get(p.extends ?? '')) {
      seen.add(p.key);
      p.features.forEach((f) => features.add(f));
    }
    planFeatures.set(plan.key, [...features].sort());
  }
  const requires = new Map<string, string[]>();
  for (const rule of catalog.rules) {
    requires.set(rule.feature, [...(requires.get(rule.feature) ?? []), rule.requires]);
  }
  return {
    plans,
    addons: new Map(catalog.addons.map((a) => [a.key, a])),
    systemLicenses: new Set(catalog.systemLicenses.map((s) => s.key)),
    planFeatures,
    requires,
  };
}
