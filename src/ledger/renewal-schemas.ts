import { z } from 'zod';
import type { GrantSpec } from './grant-spec';
import { catalogKey, instantInput, ledgerId } from './ids';
import { periodSchema, type Subscription } from './subscription-schemas';

/** Where the previous page of due subscriptions stopped: its last (period end, id). */
export const dueCursorSchema = z.object({ periodEnd: instantInput, id: ledgerId });
export type DueCursor = z.output<typeof dueCursorSchema>;

export const dueQuerySchema = z.object({
  /** The caller's "now" (a sweep's workflow time), never the database clock. */
  asOf: instantInput,
  after: dueCursorSchema.optional(),
  limit: z.number().int().min(1).max(10_000),
  /** `pending-change`: only those with a change scheduled for their period end. */
  only: z.enum(['all', 'pending-change']).default('all'),
});
export type DueQuery = z.input<typeof dueQuerySchema>;

export interface DueSubscription {
  id: string;
  tenantId: string;
  currentPeriodStart: string;
  currentPeriodEnd: string;
}

export interface DuePage {
  items: DueSubscription[];
  /** Pass as `after` for the next page; null on the last page. */
  next: DueCursor | null;
}

/**
 * The grants a subscription should hold for a product and its seated users, computed
 * by the caller from the catalog (the ledger does not know what a plan implies). It runs
 * inside the ledger's transaction, over the users seated at that moment.
 */
export type GrantsFor = (productKey: string, seatedUserIds: string[]) => GrantSpec[];

export const paidPeriodInputSchema = z
  .object({
    subscriptionId: ledgerId,
    /** The period this payment renews from: the subscription's current period start. */
    renewedPeriodStart: instantInput,
    periodStart: instantInput,
    periodEnd: instantInput,
    /** What the new period is sold as (after a period-end downgrade, under the current catalog). */
    productKey: catalogKey,
    seats: z.number().int().positive().nullable(),
    period: periodSchema,
    catalogVersion: z.number().int().positive(),
    amount: z.number().int().min(0),
    currency: z.string().regex(/^[A-Za-z]{3}$/, 'must be an ISO 4217 code'),
    paymentIntentId: z.string().min(1).nullable(),
    /** The renewal that paid it (its workflow id): the audit's "order". */
    paidBy: ledgerId,
  })
  .refine((input) => input.periodEnd > input.periodStart, {
    message: 'must be after periodStart',
    path: ['periodEnd'],
  });
export type PaidPeriodInput = z.input<typeof paidPeriodInputSchema>;

export interface PaidPeriodResult {
  subscription: Subscription;
  /** `already-recorded`: this period was recorded before (a retried call); nothing written. */
  outcome: 'recorded' | 'already-recorded';
  granted: number;
  revoked: number;
}

export const periodEndChangeInputSchema = z.object({
  subscriptionId: ledgerId,
  /** The pending change to apply; another (or none) pending means it was applied or withdrawn. */
  changeId: ledgerId,
  /** The catalog version the changed subscription is sold under from now on. */
  catalogVersion: z.number().int().positive(),
  /** The renewal applying it: the audit's "order". */
  orderId: ledgerId,
});
export type PeriodEndChangeInput = z.input<typeof periodEndChangeInputSchema>;

export interface PeriodEndChangeResult {
  subscription: Subscription;
  /** `not-pending`: that change is not pending (applied before, or withdrawn); nothing written. */
  outcome: 'applied' | 'not-pending';
  releasedSeats: string[];
  granted: number;
  revoked: number;
}

export const endSubscriptionInputSchema = z.object({
  subscriptionId: ledgerId,
  /** The renewal (or change) that ends it: the audit's "order". */
  orderId: ledgerId,
  reason: z.string().min(1).max(500),
});
export type EndSubscriptionInput = z.input<typeof endSubscriptionInputSchema>;

export interface EndSubscriptionResult {
  subscription: Subscription;
  revokedGrants: number;
  releasedSeats: string[];
}
