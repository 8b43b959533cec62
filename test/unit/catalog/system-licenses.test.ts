import {
  getCatalog,
  requiredSystemLicenses,
  tenantEntitlements,
  UnknownSystemLicenseError,
} from '../../../src/catalog';

const catalog = getCatalog(1);

describe('system licenses required by plans', () => {
  it.each([
    ['sales-essentials', []],
    ['sales-premium', ['quote-management', 'sales-intelligence']],
    ['service-essentials', ['customer-centre']],
    ['service-premium', ['customer-centre', 'sales-intelligence']],
    ['marketing-essentials', []],
    ['marketing-premium', []],
  ])('when a tenant holds %s, then it needs the system licenses %j', (plan, expected) => {
    expect(requiredSystemLicenses(catalog, [plan])).toEqual(expected);
  });

  it('when plans of several users are combined, then each system license appears once', () => {
    expect(requiredSystemLicenses(catalog, ['sales-premium', 'service-premium'])).toEqual([
      'customer-centre',
      'quote-management',
      'sales-intelligence',
    ]);
  });

  it('when every rule is read, then each one documents its assumption', () => {
    for (const rule of catalog.rules) expect(rule.assumption.length).toBeGreaterThan(10);
  });
});

describe('tenant entitlements', () => {
  it('when a tenant has plans, add-ons and a site license, then its flags are all of them, sorted', () => {
    expect(
      tenantEntitlements(catalog, {
        plans: ['sales-premium'],
        addons: ['ai', 'calendar-sync'],
        systemLicenses: ['site-license'],
      }),
    ).toEqual({
      systemLicenses: ['quote-management', 'sales-intelligence', 'site-license'],
      addonFeatures: [
        'ai-request-categorization',
        'calendar-sync',
        'copilot',
        'language-detection',
        'sentiment-analysis',
        'translation',
      ],
    });
  });

  it('when a tenant has CEP but no service plan, then self-service tickets bring Customer Centre', () => {
    expect(
      tenantEntitlements(catalog, { plans: [], addons: ['cep'], systemLicenses: [] })
        .systemLicenses,
    ).toEqual(['customer-centre']);
  });

  it('when a system license bought outright is unknown, then a typed error names it', () => {
    const resolve = () =>
      tenantEntitlements(catalog, { plans: [], addons: [], systemLicenses: ['satellite'] });
    expect(resolve).toThrow(UnknownSystemLicenseError);
    expect(resolve).toThrow('systemLicenses: unknown system license "satellite"');
  });
});
