import {
  getCatalog,
  planFeatures,
  UnknownAddonError,
  UnknownPlanError,
  userFeatures,
  tenantEntitlements,
} from '../../../src/catalog';

// Written from the seed's table, independently of the catalog data.
const BASE = [
  'contact-management',
  'calendar',
  'mobile-crm',
  'document-management',
  'email-integration',
  'search-and-selections',
  'dashboards',
];
const SALES_ESSENTIALS = ['sales-pipeline', 'opportunity-management'];
const SALES_EXTRAS = [
  'sales-guide',
  'sales-targets',
  'saint',
  'quotes',
  'combined-selections',
  'project-management',
];
const SERVICE_ESSENTIALS = ['request-management', 'request-categorization', 'auto-replies'];
const SERVICE_EXTRAS = [
  'escalation',
  'auto-assign',
  'knowledge-base',
  'saint',
  'combined-selections',
  'project-management',
];
const MARKETING_ESSENTIALS = [
  'mailings',
  'forms',
  'consent-management',
  'combined-selections',
  'project-management',
];
const MARKETING_EXTRAS = ['marketing-automation'];

const sorted = (...lists: string[][]) => [...new Set(lists.flat())].sort();

const catalog = getCatalog(1);

describe('plan features in catalog version 1', () => {
  it.each([
    ['sales-essentials', sorted(BASE, SALES_ESSENTIALS)],
    ['sales-premium', sorted(BASE, SALES_ESSENTIALS, SALES_EXTRAS)],
    ['service-essentials', sorted(BASE, SERVICE_ESSENTIALS)],
    ['service-premium', sorted(BASE, SERVICE_ESSENTIALS, SERVICE_EXTRAS)],
    ['marketing-essentials', sorted(BASE, MARKETING_ESSENTIALS)],
    ['marketing-premium', sorted(BASE, MARKETING_ESSENTIALS, MARKETING_EXTRAS)],
  ])(
    'when a user holds %s, then they hold exactly the seed features of that tier',
    (plan, expected) => {
      expect(userFeatures(catalog, [plan])).toEqual(expected);
    },
  );

  it('when a premium plan is resolved, then it holds every feature of its essentials plan', () => {
    for (const solution of ['sales', 'service', 'marketing']) {
      const premium = planFeatures(catalog, `${solution}-premium`);
      expect(premium).toEqual(
        expect.arrayContaining([...planFeatures(catalog, `${solution}-essentials`)]),
      );
    }
  });

  it('when a user holds no plan, then they hold no feature, not even the base ones', () => {
    expect(userFeatures(catalog, [])).toEqual([]);
  });
});

describe('multi-plan users', () => {
  it('when a user holds sales-premium and service-essentials, then they hold the union of both', () => {
    expect(userFeatures(catalog, ['sales-premium', 'service-essentials'])).toEqual(
      sorted(BASE, SALES_ESSENTIALS, SALES_EXTRAS, SERVICE_ESSENTIALS),
    );
  });

  it('when a user holds all three essentials plans, then shared features appear once, sorted', () => {
    const features = userFeatures(catalog, [
      'marketing-essentials',
      'service-essentials',
      'sales-essentials',
    ]);
    expect(features).toEqual(
      sorted(BASE, SALES_ESSENTIALS, SERVICE_ESSENTIALS, MARKETING_ESSENTIALS),
    );
    expect(new Set(features).size).toBe(features.length);
  });

  it('when a plan is listed twice, then the features are the same as listing it once', () => {
    expect(userFeatures(catalog, ['sales-premium', 'sales-premium'])).toEqual(
      userFeatures(catalog, ['sales-premium']),
    );
  });

  it('when one of the plans is unknown, then a typed error names the plan', () => {
    const resolve = () => userFeatures(catalog, ['sales-premium', 'sales-basic']);
    expect(resolve).toThrow(UnknownPlanError);
    expect(resolve).toThrow('unknown plan "sales-basic"');
  });
});

describe('add-on features', () => {
  it.each([
    [
      'cep',
      ['customer-portal', 'self-service-tickets', 'self-service-knowledge-base', 'multi-language'],
    ],
    [
      'ai',
      [
        'ai-request-categorization',
        'sentiment-analysis',
        'language-detection',
        'translation',
        'copilot',
      ],
    ],
    [
      'expander',
      [
        'crmscript',
        'screen-designer',
        'extra-tables',
        'superoffice-apis',
        'sandbox',
        'database-mirroring',
        'scim',
        'databridge',
      ],
    ],
    ['calendar-sync', ['calendar-sync']],
  ])(
    'when the tenant holds %s, then the tenant holds exactly its seed features',
    (addon, expected) => {
      expect(
        tenantEntitlements(catalog, { plans: [], addons: [addon], systemLicenses: [] })
          .addonFeatures,
      ).toEqual([...expected].sort());
    },
  );

  it.each([
    ['cep', 'cep-portal'],
    ['calendar-sync', 'calendar-sync-connection'],
    ['ai', 'none'],
    ['expander', 'none'],
  ])('when %s is bought, then the catalog says it needs provisioning %s', (addon, provisioning) => {
    expect(catalog.addons.find((a) => a.key === addon)?.provisioning).toBe(provisioning);
  });

  it('when an add-on is unknown, then a typed error names it', () => {
    const resolve = () =>
      tenantEntitlements(catalog, { plans: [], addons: ['crm-ai'], systemLicenses: [] });
    expect(resolve).toThrow(UnknownAddonError);
    expect(resolve).toThrow('unknown add-on "crm-ai"');
  });
});
