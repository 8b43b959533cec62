import {
  compareGrants,
  diffHoldings,
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

describe('revoking a plan from a multi-plan user', () => {
  const before = holdings({
    tenantPlans: ['sales-premium', 'service-premium'],
    userPlans: { ann: ['sales-premium', 'service-premium'] },
  });
  const after = holdings({
    tenantPlans: ['service-premium'],
    userPlans: { ann: ['service-premium'] },
  });
  const diff = diffHoldings(catalog, before, after);

  it('when sales-premium is removed but service-premium stays, then only the sales-only features are revoked', () => {
    expect(lines(diff.revoke)).toEqual([
      'tenant:acme system-license:quote-management',
      'user:ann feature:opportunity-management',
      'user:ann feature:quotes',
      'user:ann feature:sales-guide',
      'user:ann feature:sales-pipeline',
      'user:ann feature:sales-targets',
    ]);
    expect(diff.grant).toEqual([]);
  });

  it('when sales-premium is removed, then saint, combined selections, project management and base features stay', () => {
    const revoked = diff.revoke.map((g) => g.feature);
    for (const kept of [
      'saint',
      'combined-selections',
      'project-management',
      'calendar',
      'contact-management',
    ]) {
      expect(revoked).not.toContain(kept);
    }
    expect(revoked).not.toContain('sales-intelligence');
  });

  it('when the last plan of a user is removed, then the base features go too', () => {
    const none = holdings({ userPlans: { ann: [] } });
    const revoked = lines(diffHoldings(catalog, after, none).revoke);
    expect(revoked).toContain('user:ann feature:calendar');
    expect(revoked).toContain('tenant:acme system-license:customer-centre');
  });
});

describe('system licenses shared by users', () => {
  it("when one user's plan goes but another user's plan still requires the system license, then it stays", () => {
    const before = holdings({
      tenantPlans: ['sales-premium', 'service-premium'],
      userPlans: { ann: ['sales-premium'], bob: ['service-premium'] },
    });
    const after = holdings({
      tenantPlans: ['service-premium'],
      userPlans: { bob: ['service-premium'] },
    });
    const revoked = lines(diffHoldings(catalog, before, after).revoke);
    expect(revoked).toContain('tenant:acme system-license:quote-management');
    expect(revoked).not.toContain('tenant:acme system-license:sales-intelligence');
    expect(revoked.filter((l) => l.startsWith('user:bob'))).toEqual([]);
  });

  it('when the last plan requiring a system license goes, then the system license is revoked', () => {
    const before = holdings({
      tenantPlans: ['service-essentials'],
      userPlans: { bob: ['service-essentials'] },
    });
    const after = holdings({});
    expect(lines(diffHoldings(catalog, before, after).revoke)).toContain(
      'tenant:acme system-license:customer-centre',
    );
  });

  it('when a system license was also bought outright, then removing the plan keeps it', () => {
    const before = holdings({
      tenantPlans: ['sales-premium'],
      userPlans: { ann: ['sales-premium'] },
      systemLicenses: ['quote-management'],
    });
    const after = holdings({ systemLicenses: ['quote-management'] });
    const revoked = lines(diffHoldings(catalog, before, after).revoke);
    expect(revoked).not.toContain('tenant:acme system-license:quote-management');
    expect(revoked).toContain('tenant:acme system-license:sales-intelligence');
  });

  it('when seats of a plan are still subscribed but unassigned, then its system licenses stay', () => {
    const before = holdings({
      tenantPlans: ['sales-premium'],
      userPlans: { ann: ['sales-premium'] },
    });
    const after = holdings({ tenantPlans: ['sales-premium'], userPlans: {} });
    const revoked = lines(diffHoldings(catalog, before, after).revoke);
    expect(revoked.every((l) => l.startsWith('user:ann'))).toBe(true);
  });
});

describe('revoking add-ons', () => {
  it('when CEP is removed but a service plan remains, then the CEP features go and Customer Centre stays', () => {
    const before = holdings({ tenantPlans: ['service-essentials'], addons: ['cep', 'ai'] });
    const after = holdings({ tenantPlans: ['service-essentials'], addons: ['ai'] });
    expect(lines(diffHoldings(catalog, before, after).revoke)).toEqual([
      'tenant:acme addon-feature:customer-portal',
      'tenant:acme addon-feature:multi-language',
      'tenant:acme addon-feature:self-service-knowledge-base',
      'tenant:acme addon-feature:self-service-tickets',
    ]);
  });

  it('when CEP is removed and nothing else needs Customer Centre, then Customer Centre goes too', () => {
    const before = holdings({ addons: ['cep'] });
    expect(lines(diffHoldings(catalog, before, holdings({})).revoke)).toContain(
      'tenant:acme system-license:customer-centre',
    );
  });

  it('when an add-on is added, then only its features are granted and nothing is revoked', () => {
    const diff = diffHoldings(
      catalog,
      holdings({ addons: ['ai'] }),
      holdings({ addons: ['ai', 'calendar-sync'] }),
    );
    expect(lines(diff.grant)).toEqual(['tenant:acme addon-feature:calendar-sync']);
    expect(diff.revoke).toEqual([]);
  });
});

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

  it('when holdings of two tenants are compared, then the error names the tenant field', () => {
    expect(() => diffHoldings(catalog, holdings({}), emptyHoldings('other'))).toThrow(
      'after.tenantId',
    );
  });

  it('when a user holds an unknown plan, then the error names the user', () => {
    expect(() =>
      diffHoldings(catalog, holdings({}), holdings({ userPlans: { ann: ['sales-x'] } })),
    ).toThrow('userPlans.ann: unknown plan "sales-x"');
  });
});

describe('diffs agree with the full picture', () => {
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

  it('when any diff is applied to what was held, then the result is exactly what is held after', () => {
    for (const before of variants) {
      for (const after of variants) {
        const { grant, revoke } = diffHoldings(catalog, before, after);
        const revoked = new Set(lines(revoke));
        const applied = [
          ...lines(impliedGrants(catalog, before)).filter((l) => !revoked.has(l)),
          ...lines(grant),
        ];
        expect(applied.sort()).toEqual(lines(impliedGrants(catalog, after)).sort());
      }
    }
  });

  it('when grants and diffs are listed, then they are in compareGrants order', () => {
    const inOrder = (grants: GrantSpec[]) =>
      expect(grants).toEqual([...grants].sort(compareGrants));
    for (const before of variants) {
      inOrder(impliedGrants(catalog, before));
      for (const after of variants) {
        const { grant, revoke } = diffHoldings(catalog, before, after);
        inOrder(grant);
        inOrder(revoke);
      }
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
