import type { BillingPeriod } from '../domain/billing-period';
import type { Catalog } from './catalog-schema';
import { InvalidInputError } from './errors';
import { checkPeriod, planPrice } from './pricing';

export interface SeatHolding {
  plan: string;
  seats: number;
}

export interface ProrationRequest {
  period: BillingPeriod;
  from: SeatHolding;
  to: SeatHolding;
  /** Instants in ms since the epoch, passed in (workflows must not read a clock). */
  periodStart: number;
  periodEnd: number;
  changeAt: number;
}

/** Integer minor units of `currency`. Exactly one of amountDue and creditAmount can be non-zero. */
export interface Proration {
  currency: string;
  /** The unused rest of the period of what was paid for `from`. */
  credit: number;
  /** The rest of the period at the `to` price. */
  charge: number;
  /** What to charge now: charge − credit when that is positive. */
  amountDue: number;
  /** What the customer is owed (a downgrade or fewer seats): credit − charge when positive. */
  creditAmount: number;
}

/**
 * Prices a plan or seat change in the middle of a period: credit for the unused time of
 * the old holding, charge for the new one over the same remaining time. Each of credit
 * and charge is `full period amount × remaining ms / period ms`, rounded half up to the
 * minor unit, so an unchanged holding nets exactly zero.
 */
export function prorate(catalog: Catalog, request: ProrationRequest): Proration {
  const period = checkPeriod(request.period, 'period');
  const { periodStart, periodEnd, changeAt } = request;
  checkInstant(periodStart, 'periodStart');
  checkInstant(periodEnd, 'periodEnd');
  checkInstant(changeAt, 'changeAt');
  if (periodEnd <= periodStart)
    throw new InvalidInputError('periodEnd', 'must be after periodStart');
  if (changeAt < periodStart || changeAt > periodEnd) {
    throw new InvalidInputError('changeAt', 'must be within periodStart..periodEnd');
  }
  const old = planPrice(catalog, request.from.plan, request.from.seats, period, 'from.');
  const next = planPrice(catalog, request.to.plan, request.to.seats, period, 'to.');
  const remaining = periodEnd - changeAt;
  const length = periodEnd - periodStart;
  const credit = shareOf(old.amount, remaining, length);
  const charge = shareOf(next.amount, remaining, length);
  return {
    currency: catalog.prices.currency,
    credit,
    charge,
    amountDue: Math.max(0, charge - credit),
    creditAmount: Math.max(0, credit - charge),
  };
}

/** amount × part / whole rounded half up, exact: the product can exceed 2^53. */
function shareOf(amount: number, part: number, whole: number): number {
  const numerator = 2n * BigInt(amount) * BigInt(part) + BigInt(whole);
  return Number(numerator / (2n * BigInt(whole)));
}

function checkInstant(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidInputError(field, 'must be a whole number of ms since the epoch');
  }
}
