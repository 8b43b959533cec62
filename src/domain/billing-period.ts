import { z } from 'zod';

/** A subscription is billed per calendar month or per year; prices exist for both. */
export const billingPeriodSchema = z.enum(['month', 'year']);

export type BillingPeriod = z.infer<typeof billingPeriodSchema>;

/** Calendar arithmetic in UTC; a month from Jan 31 is the last day of February. */
export function addPeriod(start: Date, period: BillingPeriod): Date {
  const end = new Date(start.getTime());
  const day = end.getUTCDate();
  end.setUTCDate(1);
  if (period === 'month') end.setUTCMonth(end.getUTCMonth() + 1);
  else end.setUTCFullYear(end.getUTCFullYear() + 1);
  const lastDay = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() + 1, 0)).getUTCDate();
  end.setUTCDate(Math.min(day, lastDay));
  return end;
}
