import { priceOf, prorate, type Catalog } from '../catalog';
import type { BillingPeriod } from '../domain/billing-period';

/** What a subscription holds over one span of time, as pricing sees it. */
export interface PricedHolding {
  kind: 'plan' | 'addon';
  productKey: string;
  seats: number | null;
  period: BillingPeriod;
  periodStart: number;
  periodEnd: number;
}

/** Minor units, like the catalog's prices. */
export interface ChangeAmounts {
  currency: string;
  /** The unused rest of what was paid for `from`. */
  credit: number;
  /** The rest of the (possibly longer) period at the `to` price. */
  charge: number;
  amountDue: number;
}

/**
 * The prorated difference of an upgrade at `changeAt`. Within one period it is the
 * catalog's `prorate`; a month that becomes a year keeps its start and ends a year after
 * it, so the month's unused part is credited and the year's rest is charged, each by
 * `prorate` over its own period (same rounding, half up to the minor unit).
 */
export function upgradeAmounts(
  catalog: Catalog,
  from: PricedHolding,
  to: PricedHolding,
  changeAt: number,
): ChangeAmounts {
  const credit = unusedPart(catalog, from, changeAt);
  const charge = unusedPart(catalog, to, changeAt);
  return {
    currency: catalog.prices.currency,
    credit,
    charge,
    amountDue: Math.max(0, charge - credit),
  };
}

/** What the rest of the period from `at` is worth at the holding's price: a refund's size. */
export function unusedPart(catalog: Catalog, holding: PricedHolding, at: number): number {
  const span = {
    periodStart: holding.periodStart,
    periodEnd: holding.periodEnd,
    changeAt: Math.min(Math.max(at, holding.periodStart), holding.periodEnd),
  };
  if (holding.kind === 'plan') {
    const seats = { plan: holding.productKey, seats: holding.seats ?? 1 };
    return prorate(catalog, { period: holding.period, from: seats, to: seats, ...span }).credit;
  }
  // Add-ons are priced per tenant: the same share of the period, with the same rounding.
  const price = priceOf(catalog, {
    kind: 'addon',
    addon: holding.productKey,
    period: holding.period,
  });
  const remaining = BigInt(span.periodEnd - span.changeAt);
  const length = BigInt(span.periodEnd - span.periodStart);
  return Number((2n * BigInt(price.amount) * remaining + length) / (2n * length));
}
