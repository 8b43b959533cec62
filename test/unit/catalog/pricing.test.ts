import {
  getCatalog,
  InvalidInputError,
  priceOf,
  prorate,
  type ProrationRequest,
  UnknownAddonError,
  UnknownPlanError,
} from '../../../src/catalog';

const catalog = getCatalog(1);

describe('price of a period', () => {
  it('when 3 seats of sales-premium are bought monthly, then the amount is 3 × the seat price in cents', () => {
    expect(
      priceOf(catalog, { kind: 'plan', plan: 'sales-premium', seats: 3, period: 'month' }),
    ).toEqual({
      currency: 'EUR',
      unitAmount: 8900,
      quantity: 3,
      amount: 26700,
    });
  });

  it('when an add-on is bought yearly, then it is priced once per tenant', () => {
    expect(priceOf(catalog, { kind: 'addon', addon: 'cep', period: 'year' })).toEqual({
      currency: 'EUR',
      unitAmount: 538900,
      quantity: 1,
      amount: 538900,
    });
  });

  it.each([0, -1, 1.5, Number.NaN])(
    'when seats is %p, then the error names the seats field',
    (seats) => {
      const price = () =>
        priceOf(catalog, { kind: 'plan', plan: 'sales-essentials', seats, period: 'month' });
      expect(price).toThrow(InvalidInputError);
      expect(price).toThrow(/^seats: /);
    },
  );

  it('when the plan is unknown, then a typed error names the plan field', () => {
    const price = () =>
      priceOf(catalog, { kind: 'plan', plan: 'sales-gold', seats: 1, period: 'month' });
    expect(price).toThrow(UnknownPlanError);
    expect(price).toThrow('plan: unknown plan "sales-gold"');
  });

  it('when the add-on is unknown, then a typed error names the add-on field', () => {
    expect(() => priceOf(catalog, { kind: 'addon', addon: 'crm-ai', period: 'month' })).toThrow(
      UnknownAddonError,
    );
  });

  it('when the period is not month or year, then the error names the period field', () => {
    const request: unknown = { kind: 'addon', addon: 'ai', period: 'week' };
    expect(() => priceOf(catalog, request as Parameters<typeof priceOf>[1])).toThrow(/^period: /);
  });
});

describe('proration of a change within a period', () => {
  const upgrade = (changeAt: number, periodEnd = 8000): ProrationRequest => ({
    period: 'month',
    from: { plan: 'sales-essentials', seats: 1 },
    to: { plan: 'sales-premium', seats: 1 },
    periodStart: 0,
    periodEnd,
    changeAt,
  });

  it('when an upgrade leaves an eighth of the period, then credit and charge are rounded half up to the cent', () => {
    // 4900 / 8 = 612.5 → 613 and 8900 / 8 = 1112.5 → 1113.
    expect(prorate(catalog, upgrade(7000))).toEqual({
      currency: 'EUR',
      credit: 613,
      charge: 1113,
      amountDue: 500,
      creditAmount: 0,
    });
  });

  it('when a fraction is below half a cent, then it rounds down', () => {
    // 4900 × 2/3 = 3266.67 → 3267; 8900 × 2/3 = 5933.33 → 5933.
    expect(prorate(catalog, upgrade(1000, 3000))).toMatchObject({
      credit: 3267,
      charge: 5933,
      amountDue: 2666,
    });
  });

  it('when the change is at period start, then the whole old period is credited and the new one charged', () => {
    expect(prorate(catalog, upgrade(0))).toMatchObject({
      credit: 4900,
      charge: 8900,
      amountDue: 4000,
    });
  });

  it('when the change is at period end, then nothing is credited or charged', () => {
    expect(prorate(catalog, upgrade(8000))).toMatchObject({
      credit: 0,
      charge: 0,
      amountDue: 0,
      creditAmount: 0,
    });
  });

  it('when seats go down mid-period, then the result is a credit, never a negative charge', () => {
    const result = prorate(catalog, {
      period: 'month',
      from: { plan: 'sales-premium', seats: 5 },
      to: { plan: 'sales-premium', seats: 2 },
      periodStart: 0,
      periodEnd: 2000,
      changeAt: 1000,
    });
    expect(result).toEqual({
      currency: 'EUR',
      credit: 22250,
      charge: 8900,
      amountDue: 0,
      creditAmount: 13350,
    });
  });

  it('when nothing changes, then credit and charge cancel exactly', () => {
    const same = { plan: 'service-premium', seats: 7 };
    const result = prorate(catalog, {
      period: 'year',
      from: same,
      to: same,
      periodStart: 0,
      periodEnd: 9999,
      changeAt: 1234,
    });
    expect(result.amountDue).toBe(0);
    expect(result.creditAmount).toBe(0);
  });

  it('when amounts × milliseconds exceed float precision, then the share is still exact', () => {
    const periodStart = Date.UTC(2026, 0, 1);
    const periodEnd = Date.UTC(2027, 0, 1);
    const result = prorate(catalog, {
      period: 'year',
      from: { plan: 'sales-premium', seats: 10_000 },
      to: { plan: 'sales-premium', seats: 10_000 },
      periodStart,
      periodEnd,
      changeAt: periodStart + (periodEnd - periodStart) / 2,
    });
    expect(result.credit).toBe(480_500_000);
  });

  it.each([
    ['changeAt', { changeAt: 9000 }],
    ['changeAt', { changeAt: -1 }],
    ['periodEnd', { periodEnd: 0 }],
    ['periodStart', { periodStart: 1.5 }],
    ['to.seats', { to: { plan: 'sales-premium', seats: 0 } }],
    ['from.plan', { from: { plan: 'sales-gold', seats: 1 } }],
  ])('when %s is wrong, then the error names it', (field, change) => {
    expect(() => prorate(catalog, { ...upgrade(1000), ...change })).toThrow(
      new RegExp(`^${field}: `),
    );
  });
});
