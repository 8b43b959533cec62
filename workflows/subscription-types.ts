/**
 * The contract of the workflows that keep a subscription alive after its first capture:
 * renewals (with dunning) and the changes a customer asks for. Plain JSON, like the
 * order's contract, and ids derived from business ids, never random: a sweep that runs
 * twice, or a change sent twice, lands on the same workflow.
 */

/** Dunning and lifecycle tuning, fixed when a renewal starts, from configuration. */
export interface SubscriptionPolicy {
  /** Days after the failed renewal on which the charge is retried (default 1, 3, 5, 7). */
  dunningRetryDays: number[];
  /** Days past due during which the licenses still count (default 7). */
  graceDays: number;
  /** Days suspended before the subscription ends for good (default 30). */
  suspendedDaysBeforeEnd: number;
}

/** One renewal per subscription and period: the period it renews from starts the id. */
export const renewalWorkflowId = (subscriptionId: string, periodStart: string) =>
  `renewal-${subscriptionId}-${periodStart}`;

/** One workflow per client change id of a subscription. */
export const subscriptionChangeWorkflowId = (subscriptionId: string, changeId: string) =>
  `change-${subscriptionId}-${changeId}`;
