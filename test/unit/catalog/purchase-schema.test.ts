import {
  addonPurchaseSchema,
  planPurchaseSchema,
  purchaseSchema,
} from '../../../src/catalog/purchase';

const planPurchase = {
  kind: 'plan',
  orderId: 'order-1',
  tenantId: 'acme',
  plan: 'sales-premium',
  seats: 3,
  period: 'month',
  assignTo: ['ann', 'bob'],
  customer: { email: 'buyer@acme.example' },
  paymentMethod: 'pm_card_visa',
};

const calendarSync = {
  kind: 'addon',
  orderId: 'order-2',
  tenantId: 'acme',
  addon: 'calendar-sync',
  period: 'year',
  settings: { provider: 'm365', settings: { tenantDomain: 'acme.onmicrosoft.com' } },
  customer: { email: 'it@acme.example' },
};

/** `field: message` for every issue, so a test reads like the error checkout returns. */
function errorsOf(
  schema: {
    safeParse(data: unknown): { error?: { issues: { path: PropertyKey[]; message: string }[] } };
  },
  data: unknown,
): string[] {
  return (schema.safeParse(data).error?.issues ?? []).map(
    (i) => `${i.path.map(String).join('.')}: ${i.message}`,
  );
}

describe('plan purchase', () => {
  it('when a valid plan purchase arrives, then it parses unchanged', () => {
    expect(planPurchaseSchema.parse(planPurchase)).toEqual(planPurchase);
  });

  it.each([
    ['orderId', { orderId: '' }],
    ['orderId', { orderId: 'order 1' }],
    ['orderId', { orderId: 'x'.repeat(65) }],
    ['tenantId', { tenantId: 'acme/evil' }],
    ['plan', { plan: 'sales-basic' }],
    ['seats', { seats: 0 }],
    ['seats', { seats: 2.5 }],
    ['seats', { seats: 10_001 }],
    ['period', { period: 'week' }],
    ['assignTo', { assignTo: ['ann', 'ann'] }],
    ['assignTo', { assignTo: ['ann', 'bob', 'cy', 'dee'] }],
    ['customer.email', { customer: {} }],
    ['customer.email', { customer: { email: 'not-an-email' } }],
    // The tenant's Stripe customer is the ledger's; a checkout cannot name one.
    ['customer', { customer: { email: 'a@acme.example', stripeCustomerId: 'cus_123' } }],
    ['paymentMethod', { paymentMethod: 'tok_visa' }],
  ])('when %s is wrong, then the error names it', (field, change) => {
    const errors = errorsOf(planPurchaseSchema, { ...planPurchase, ...change });
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.startsWith(`${field}: `))).toBe(true);
  });

  it('when the plan is unknown, then the message names the plan', () => {
    expect(errorsOf(planPurchaseSchema, { ...planPurchase, plan: 'sales-basic' })).toEqual([
      'plan: unknown plan "sales-basic"',
    ]);
  });

  it('when seats are 10,000 and no users are assigned, then the purchase is accepted', () => {
    const unassigned = { ...planPurchase, assignTo: undefined };
    expect(planPurchaseSchema.safeParse({ ...unassigned, seats: 10_000 }).success).toBe(true);
  });
});

describe('add-on purchase', () => {
  it('when calendar-sync comes with Microsoft 365 settings, then it parses', () => {
    expect(addonPurchaseSchema.parse(calendarSync).settings).toEqual({
      provider: 'm365',
      settings: { tenantDomain: 'acme.onmicrosoft.com' },
    });
  });

  it('when calendar-sync comes without settings, then the error names settings', () => {
    const bare = { ...calendarSync, settings: undefined };
    expect(errorsOf(addonPurchaseSchema, bare)).toEqual([
      'settings: required for add-on "calendar-sync"',
    ]);
  });

  it('when the Exchange URL is plain http, then the error names settings.settings.ewsUrl', () => {
    const exchange = {
      provider: 'exchange',
      settings: { ewsUrl: 'http://mail.acme.example/EWS/Exchange.asmx' },
    };
    const errors = errorsOf(addonPurchaseSchema, { ...calendarSync, settings: exchange });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^settings\.settings\.ewsUrl: /);
  });

  it('when Google settings carry no workspace domain, then the error names it', () => {
    const google = { provider: 'google', settings: {} };
    expect(errorsOf(addonPurchaseSchema, { ...calendarSync, settings: google })[0]).toMatch(
      /^settings\.settings\.workspaceDomain: /,
    );
  });

  it('when an add-on without settings is sent settings, then the error names settings', () => {
    expect(errorsOf(addonPurchaseSchema, { ...calendarSync, addon: 'cep' })).toEqual([
      'settings: add-on "cep" takes no settings',
    ]);
  });

  it('when the add-on is unknown, then the message names it', () => {
    const bare = { ...calendarSync, settings: undefined };
    expect(errorsOf(addonPurchaseSchema, { ...bare, addon: 'crm-ai' })).toEqual([
      'addon: unknown add-on "crm-ai"',
    ]);
  });
});

describe('purchase', () => {
  it('when kind is plan or addon, then the matching schema applies', () => {
    expect(purchaseSchema.parse(planPurchase).kind).toBe('plan');
    expect(purchaseSchema.parse(calendarSync).kind).toBe('addon');
  });

  it('when kind is missing or unknown, then the error names kind', () => {
    expect(errorsOf(purchaseSchema, { ...planPurchase, kind: 'bundle' })[0]).toMatch(/^kind: /);
  });
});
