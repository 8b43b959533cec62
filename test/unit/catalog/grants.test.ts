import {
  compareGrants,
  emptyHoldings,
  getCatalog,
  grantsForAddon,
  grantsForPlan,
  grantSpecSchema,
  impliedGrants,
  type GrantSpec,
  type Holdings,
  UnknownPlanError,
} from '../../../src/catalog';

const catalog = getCatalog(1);
const TENANT = 'acme';

function holdings(parts: Partial<Holdings>): Holdings {
  return { ...emptyHoldings(TENANT), ...parts };
}

/** `user:ann feature:saint`-style lines: compact to read, exact to compare. */
function lines(grants: GrantSpec[]): string[] {
  return grants.map((g) => `${g.subject.type}:${g.subject.id} ${g.kind}:${g.feature}`);
}

describe('grants a purchase implies', () => {
  it('when sales-premium is bought for two users, then each gets every feature and the tenant its system licenses', () => {
    const grants = lines(grantsForPlan(catalog, 'sales-premium', ['zoe', 'ann'], TENANT));
    expect(grants.slice(0, 2)).toEqual([
      'tenant:acme system-license:quote-management',
      'tenant:acme system-license:sales-intelligence',
    ]);
    expect(grants.filter((l) => l.startsWith('user:ann'))).toHaveLength(15);
    expect(grants.filter((l) => l.startsWith('user:zoe'))).toHaveLength(15);
    expect(grants.indexOf('user:ann feature:calendar')).toBeLessThan(
      grants.indexOf('user:zoe feature:calendar'),
    );
  });

  it('when the same purchase is resolved twice in any user order, then the grants are identical', () => {
    expect(grantsForPlan(catalog, 'service-premium', ['b', 'a', 'c'], TENANT)).toEqual(
      grantsForPlan(catalog, 'service-premium', ['c', 'a', 'b'], TENANT),
    );
  });

  it('when seats are bought without users, then only the tenant system licenses are granted', () => {
    expect(lines(grantsForPlan(catalog, 'service-essentials', [], TENANT))).toEqual([
      'tenant:acme system-license:customer-centre',
    ]);
  });

  it('when calendar-sync is bought, then the tenant gets its one feature', () => {
    expect(lines(grantsForAddon(catalog, 'calendar-sync', TENANT))).toEqual([
      'tenant:acme addon-feature:calendar-sync',
    ]);
  });

  it('when an unknown plan is bought, then a typed error names the plan', () => {
    expect(() => grantsForPlan(catalog, 'sales-basic', ['ann'], TENANT)).toThrow(UnknownPlanError);
  });

  it('when a user holds an unknown plan, then the error names the user', () => {
    expect(() => impliedGrants(catalog, holdings({ userPlans: { ann: ['sales-x'] } }))).toThrow(
      'userPlans.ann: unknown plan "sales-x"',
    );
  });
});

describe('grants of whole holdings', () => {
  const PLANS = ['sales-essentials', 'sales-premium', 'service-premium', 'marketing-essentials'];
  const ADDONS = ['cep', 'ai', 'calendar-sync'];
  // Small deterministic variations of one tenant: every user, plan and add-on in or out.
  const variants: Holdings[] = [0, 1, 2, 3, 4, 5, 6, 7].map((n) =>
    holdings({
      tenantPlans: PLANS.filter((_, i) => (n + i) % 3 !== 0),
      userPlans: {
        ann: PLANS.filter((_, i) => (n >> i) % 2 === 1),
        bob: PLANS.filter((_, i) => (n + i) % 2 === 0),
        cy: n % 4 === 0 ? [] : [PLANS[n % PLANS.length] ?? 'sales-essentials'],
      },
      addons: ADDONS.filter((_, i) => (n >> i) % 2 === 0),
      systemLicenses: n % 5 === 0 ? ['site-license', 'quote-management'] : [],
    }),
  );

  it('when grants are listed, then they are in compareGrants order', () => {
    for (const held of variants) {
      const grants = impliedGrants(catalog, held);
      expect(grants).toEqual([...grants].sort(compareGrants));
    }
  });
});

describe('GrantSpec schema', () => {
  it('when the catalog produces grants, then every one satisfies the GrantSpec schema', () => {
    const grants = [
      ...grantsForPlan(catalog, 'service-premium', ['ann'], TENANT),
      ...grantsForAddon(catalog, 'cep', TENANT),
    ];
    for (const grant of grants) expect(grantSpecSchema.parse(grant)).toEqual(grant);
  });

  it('when a user is given a system license, then the schema refuses it naming kind', () => {
    const result = grantSpecSchema.safeParse({
      subject: { type: 'user', id: 'ann' },
      feature: 'quote-management',
      kind: 'system-license',
    });
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['kind']);
  });
});
