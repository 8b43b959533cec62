import { z } from 'zod';
import { catalogKey, instantInput, isoTimestamp, ledgerId } from './ids';

export const subscriptionStatusSchema = z.enum([
  'pending',
  'active',
  'past_due',
  'suspended',
  'cancelled',
  'ended',
]);
export type SubscriptionStatus = z.infer<typeof subscriptionStatusSchema>;

/**
 * Statuses in which a subscription's grants count and its seats can be used: paid, or
 * in the dunning grace period after a failed renewal. `pending` (granted, not yet
 * captured) does not count; `ended` is final.
 */
export const IN_FORCE_STATUSES: readonly SubscriptionStatus[] = ['active', 'past_due'];

/**
 * A change that takes effect at the period end, applied by the renewal of that period:
 * a downgrade (another plan, fewer seats, another period; `unassign` names the users
 * whose seats go) or a cancellation. `changeId` is the client's id of the change.
 */
export const pendingChangeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('downgrade'),
    changeId: ledgerId,
    productKey: catalogKey.optional(),
    seats: z.number().int().positive().optional(),
    period: z.enum(['month', 'year']).optional(),
    unassign: z.array(ledgerId).default([]),
  }),
  z.object({ kind: z.literal('cancel'), changeId: ledgerId }),
]);
export type PendingChange = z.infer<typeof pendingChangeSchema>;

export const periodSchema = z.enum(['month', 'year']);

const settingsSchema = z.record(z.string(), z.unknown());

/** What a caller records; `id` is the business id, so recording twice updates one row. */
export const subscriptionInputSchema = z
  .object({
    id: ledgerId,
    tenantId: ledgerId,
    kind: z.enum(['plan', 'addon']),
    productKey: catalogKey,
    seats: z.number().int().positive().nullable().default(null),
    period: periodSchema,
    status: subscriptionStatusSchema.default('active'),
    catalogVersion: z.number().int().positive(),
    currentPeriodStart: instantInput,
    currentPeriodEnd: instantInput,
    settings: settingsSchema.default({}),
    stripeCustomerId: z.string().min(1).nullable().default(null),
    paymentIntentId: z.string().min(1).nullable().default(null),
    /** The saved payment method renewals charge off session. */
    paymentMethodId: z.string().min(1).nullable().default(null),
    orderId: ledgerId,
  })
  .refine((sub) => (sub.kind === 'plan') === (sub.seats !== null), {
    message: 'a plan has a positive number of seats; an add-on has none (null)',
    path: ['seats'],
  })
  .refine((sub) => sub.currentPeriodEnd > sub.currentPeriodStart, {
    message: 'must be after currentPeriodStart',
    path: ['currentPeriodEnd'],
  });
export type SubscriptionInput = z.input<typeof subscriptionInputSchema>;

export const subscriptionSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  kind: z.enum(['plan', 'addon']),
  productKey: z.string(),
  seats: z.number().int().nullable(),
  period: periodSchema,
  status: subscriptionStatusSchema,
  statusReason: z.string().nullable(),
  catalogVersion: z.number().int(),
  currentPeriodStart: isoTimestamp,
  currentPeriodEnd: isoTimestamp,
  settings: settingsSchema,
  stripeCustomerId: z.string().nullable(),
  paymentIntentId: z.string().nullable(),
  paymentMethodId: z.string().nullable(),
  pendingChange: pendingChangeSchema.nullable(),
  pastDueSince: isoTimestamp.nullable(),
  suspendedAt: isoTimestamp.nullable(),
  endedAt: isoTimestamp.nullable(),
  orderId: z.string(),
  revision: z.number().int(),
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
});
export type Subscription = z.infer<typeof subscriptionSchema>;

export const recordOutcomeSchema = z.enum(['created', 'updated', 'unchanged', 'stale', 'ended']);

export interface RecordSubscriptionResult {
  subscription: Subscription;
  /**
   * `unchanged`: the same values were already recorded (a retried call). `stale`: the
   * stored subscription is in a later period (a late retry after a renewal); not written.
   * `ended`: the subscription has ended, which is final; not written.
   */
  outcome: z.infer<typeof recordOutcomeSchema>;
}

export const statusChangeSchema = z.object({
  id: ledgerId,
  status: subscriptionStatusSchema,
  orderId: ledgerId.optional(),
  reason: z.string().min(1).max(500).optional(),
});
export type StatusChange = z.input<typeof statusChangeSchema>;

/** What the capture of a subscription's current period paid (the order or a renewal). */
export const paidPeriodSchema = z.object({
  amount: z.number().int().min(0),
  currency: z.string().regex(/^[a-z]{3}$/, 'must be a lowercase ISO currency code'),
  /** The order (first period) or the renewal that paid it. */
  paidBy: ledgerId,
});
export type FirstPaidPeriodInput = z.input<typeof paidPeriodSchema>;
