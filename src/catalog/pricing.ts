import { billingPeriodSchema, type BillingPeriod } from '../domain/billing-period';
import type { Catalog } from './catalog-schema';
import { addonOf, planOf } from './catalog-index';
import { InvalidInputError } from './errors';

export type PriceRequest =
  | { kind: 'plan'; plan: string; seats: number; period: BillingPeriod }
  | { kind: 'addon'; addon: string; period: BillingPeriod };

/** Amounts in integer minor units of `currency` (cents for EUR). */
export interface Price {
  currency: string;
  unitAmount: number;
  quantity: number;
  amount: number;
}

/** The price of one period: plans per seat, add-ons once per tenant. */
export function priceOf(catalog: Catalog, request: PriceRequest): Price {
  const period = checkPeriod(request.period, 'period');
  if (request.kind === 'addon') {
    const { key } = addonOf(catalog, request.addon);
    const unitAmount = catalog.prices.addons[key]?.[period] ?? missingPrice(key);
    return { currency: catalog.prices.currency, unitAmount, quantity: 1, amount: unitAmount };
  }
  return planPrice(catalog, request.plan, request.seats, period, '');
}

export function planPrice(
  catalog: Catalog,
  plan: string,
  seats: number,
  period: BillingPeriod,
  fieldPrefix: string,
): Price {
  const { key } = planOf(catalog, plan, `${fieldPrefix}plan`);
  checkSeats(seats, `${fieldPrefix}seats`);
  const unitAmount = catalog.prices.plans[key]?.[period] ?? missingPrice(key);
  return {
    currency: catalog.prices.currency,
    unitAmount,
    quantity: seats,
    amount: unitAmount * seats,
  };
}

export function checkPeriod(period: unknown, field: string): BillingPeriod {
  const parsed = billingPeriodSchema.safeParse(period);
  if (!parsed.success)
    throw new InvalidInputError(field, `must be "month" or "year", not ${String(period)}`);
  return parsed.data;
}

function checkSeats(seats: number, field: string): void {
  if (!Number.isInteger(seats) || seats < 1) {
    throw new InvalidInputError(field, `must be a whole number of at least 1, not ${seats}`);
  }
}

// parseCatalog refuses a catalog without a price for every plan and add-on.
function missingPrice(key: string): never {
  throw new InvalidInputError('catalog.prices', `no price for "${key}"`);
}
