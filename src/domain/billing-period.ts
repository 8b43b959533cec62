import { z } from 'zod';

/** A subscription is billed per calendar month or per year; prices exist for both. */
export const billingPeriodSchema = z.enum(['month', 'year']);

export type BillingPeriod = z.infer<typeof billingPeriodSchema>;
