import {
  catalogVersions,
  CURRENT_CATALOG_VERSION,
  getCatalog,
  InvalidCatalogError,
  parseCatalog,
  UnknownCatalogVersionError,
  type CatalogInput,
} from '../../../src/catalog';
import { catalogV1 } from '../../../src/catalog/catalog-v1';

/** A deep copy of version 1 to break on purpose. */
function v1(): CatalogInput {
  return structuredClone(catalogV1);
}

function issuesOf(data: unknown): string[] {
  try {
    parseCatalog(data);
  } catch (error: unknown) {
    if (error instanceof InvalidCatalogError) return error.issues;
    throw error;
  }
  throw new Error('the catalog was accepted');
}

describe('catalog validation', () => {
  it('when version 1 is parsed, then it is accepted with its id and version', () => {
    expect(parseCatalog(v1())).toMatchObject({ id: '2026-01', version: 1 });
  });

  it('when a plan extends an unknown plan, then the error names the plan and its extends', () => {
    const data = v1();
    const premium = data.plans.find((p) => p.key === 'sales-premium');
    if (premium) premium.extends = 'sales-basic';
    expect(issuesOf(data)).toEqual([
      'catalog.plans["sales-premium"].extends: unknown plan "sales-basic"',
    ]);
  });

  it('when a plan lists an unknown feature, then the error names the plan and the feature', () => {
    const data = v1();
    data.plans[0]?.features.push('forecasting');
    expect(issuesOf(data)).toEqual([
      'catalog.plans["sales-essentials"].features: unknown feature "forecasting"',
    ]);
  });

  it('when plans extend each other in a cycle, then each plan of the cycle is named', () => {
    const data = v1();
    const essentials = data.plans.find((p) => p.key === 'service-essentials');
    if (essentials) essentials.extends = 'service-premium';
    expect(issuesOf(data)).toEqual([
      'catalog.plans["service-essentials"].extends: cycle service-essentials → service-premium → service-essentials',
      'catalog.plans["service-premium"].extends: cycle service-premium → service-essentials → service-premium',
    ]);
  });

  it('when a plan extends a plan of another solution, then the error says so', () => {
    const data = v1();
    const premium = data.plans.find((p) => p.key === 'marketing-premium');
    if (premium) premium.extends = 'sales-essentials';
    expect(issuesOf(data)).toEqual([
      'catalog.plans["marketing-premium"].extends: "sales-essentials" is a sales plan, not marketing',
    ]);
  });

  it('when a rule names an unknown system license or feature, then the error names the rule', () => {
    const data = v1();
    data.rules.push({ feature: 'quotes', requires: 'quoting', assumption: 'a typo' });
    data.rules.push({ feature: 'quoting', requires: 'quote-management', assumption: 'a typo' });
    expect(issuesOf(data)).toEqual([
      'catalog.rules[4].requires: unknown system license "quoting"',
      'catalog.rules[5].feature: unknown feature "quoting"',
    ]);
  });

  it('when two add-ons share a key, then the duplicate key is named', () => {
    const data = v1();
    data.addons.push(structuredClone(data.addons[1]));
    expect(issuesOf(data)).toEqual(['catalog.addons["ai"]: duplicate key "ai"']);
  });

  it('when a plan or add-on has no price, then the missing price is named', () => {
    const data = v1();
    delete data.prices.plans['marketing-premium'];
    delete data.prices.addons['calendar-sync'];
    expect(issuesOf(data)).toEqual([
      'catalog.prices.plans["marketing-premium"]: missing price for plan "marketing-premium"',
      'catalog.prices.addons["calendar-sync"]: missing price for add-on "calendar-sync"',
    ]);
  });

  it('when a yearly price is not below twelve months, then the price is named', () => {
    const data = v1();
    data.prices.addons.ai = { month: 1000, year: 12000 };
    expect(issuesOf(data)).toEqual([
      'catalog.prices.addons["ai"].year: must be less than 12 × month (12000)',
    ]);
  });

  it('when an entry has the wrong shape, then the error names the entry by its key', () => {
    const data: unknown = { ...v1(), plans: [{ ...v1().plans[1], tier: 'gold' }] };
    expect(issuesOf(data)[0]).toMatch(/^catalog\.plans\["sales-premium"\]\.tier: /);
  });

  it('when a price is not in integer minor units, then the price is named', () => {
    const data = v1();
    data.prices.plans['sales-essentials'] = { month: 49.5, year: 529 };
    expect(issuesOf(data)[0]).toMatch(/^catalog\.prices\.plans\["sales-essentials"\]\.month: /);
  });

  it('when the currency is left out, then prices are in EUR', () => {
    const data = v1();
    delete data.prices.currency;
    expect(parseCatalog(data).prices.currency).toBe('EUR');
  });

  it('when version 1 is read, then its prices are marked as sample prices and years are cheaper than 12 months', () => {
    const { prices } = getCatalog(1);
    expect(prices.sample).toBe(true);
    for (const price of [...Object.values(prices.plans), ...Object.values(prices.addons)]) {
      expect(price.year).toBeLessThan(12 * price.month);
    }
  });
});

describe('catalog versions', () => {
  it('when a version is asked for, then the registry returns the catalog with that version', () => {
    for (const [version, catalog] of Object.entries(catalogVersions)) {
      expect(getCatalog(Number(version)).version).toBe(Number(version));
      expect(catalog.version).toBe(Number(version));
    }
  });

  it('when no version is given, then the current version is returned', () => {
    expect(getCatalog().version).toBe(CURRENT_CATALOG_VERSION);
  });

  it('when an unknown version is asked for, then a typed error names the version', () => {
    expect(() => getCatalog(99)).toThrow(UnknownCatalogVersionError);
    expect(() => getCatalog(99)).toThrow('unknown catalog version 99');
  });
});
