import type { GrantSpec } from '../src/catalog';
import type { Ledger } from '../src/ledger';
import type { ChangeOutcomeInput, PendingChange, SubscriptionStatus } from '../src/ledger';
import type { Payments } from '../src/payments';
import type { Holding } from '../workflows/subscription-change-contract';
import { classify } from './failures';

export interface SubscriptionChangeActivityDeps {
  payments: Payments;
  ledger: Ledger;
}

interface SeatCall {
  subscriptionId: string;
  tenantId: string;
  userIds: string[];
  /** The change's business id: the seats and grants it makes are recorded with it. */
  orderId: string;
}

/**
 * The activities of subscription changes. Payments and provisioning reuse the order's
 * activities; these add what only a change does. Each call is idempotent by the change's
 * business id (`changeRef`), because Temporal runs an activity at least once.
 */
export function createSubscriptionChangeActivities({
  payments,
  ledger,
}: SubscriptionChangeActivityDeps) {
  const guarded =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } catch (error: unknown) {
        return classify(error, (e) => payments.classifyError(e));
      }
    };

  return {
    /** Holds the prorated difference of an upgrade on the tenant's customer. */
    authorizeChange: guarded(
      async (input: {
        changeRef: string;
        tenantId: string;
        subscriptionId: string;
        changeId: string;
        amount: number;
        currency: string;
        paymentMethod: string;
        description: string;
      }) => {
        const customerId = await payments.ensureCustomer({ tenantId: input.tenantId });
        return payments.authorize({
          orderId: input.changeRef,
          customerId,
          amount: input.amount,
          currency: input.currency,
          paymentMethod: input.paymentMethod,
          description: input.description,
          metadata: { subscription_id: input.subscriptionId, change_id: input.changeId },
        });
      },
    ),

    applyUpgrade: guarded(
      (input: { subscriptionId: string; orderId: string; to: Holding; grants: GrantSpec[] }) =>
        ledger.applyUpgrade(input),
    ),

    revertUpgrade: guarded((input: { subscriptionId: string; orderId: string; to: Holding }) =>
      ledger.revertUpgrade(input),
    ),

    schedulePendingChange: guarded(
      async (input: { subscriptionId: string; change: PendingChange }) => {
        await ledger.schedulePendingChange(input);
      },
    ),

    withdrawPendingChange: guarded(
      async (input: { subscriptionId: string; changeId: string; byChangeId: string }) => {
        await ledger.withdrawPendingChange(input);
      },
    ),

    /** Seats the users and grants them the plan's features, under the change's id. */
    seatUsers: guarded(async (input: SeatCall & { plan: string; grants: GrantSpec[] }) => {
      await ledger.assignSeats({
        subscriptionId: input.subscriptionId,
        tenantId: input.tenantId,
        plan: input.plan,
        userIds: input.userIds,
        orderId: input.orderId,
      });
      await ledger.applyGrants({
        orderId: input.orderId,
        tenantId: input.tenantId,
        subscriptionId: input.subscriptionId,
        productKey: input.plan,
        grants: input.grants,
      });
    }),

    /** Releases the users' seats; the ledger revokes their features from this subscription. */
    unseatUsers: guarded(async (input: SeatCall) => {
      await ledger.releaseSeats({ ...input, reason: 'unassigned by a subscription change' });
    }),

    setSubscriptionStatus: guarded(
      async (input: {
        subscriptionId: string;
        status: SubscriptionStatus;
        orderId: string;
        reason: string;
      }) => {
        await ledger.updateSubscriptionStatus(input.subscriptionId, input.status, {
          orderId: input.orderId,
          reason: input.reason,
        });
      },
    ),

    /** Gives back part of a captured payment; one refund per (change, payment). */
    refundPart: guarded(
      async (input: { refundRef: string; paymentIntentId: string; amount: number }) => {
        await payments.refund({
          orderId: input.refundRef,
          paymentIntentId: input.paymentIntentId,
          amount: input.amount,
          reason: 'requested_by_customer',
        });
      },
    ),

    /** An immediate cancellation's end: every grant revoked, every seat freed, ended. */
    closeSubscription: guarded(
      async (input: { subscriptionId: string; tenantId: string; orderId: string }) => {
        const reason = 'subscription cancelled';
        await ledger.revokeGrants({ ...input, reason });
        await ledger.releaseSeats({ ...input, reason });
        await ledger.updateSubscriptionStatus(input.subscriptionId, 'ended', {
          orderId: input.orderId,
          reason,
        });
      },
    ),

    savePaymentMethod: guarded(
      async (input: { subscriptionId: string; paymentMethod: string; orderId: string }) => {
        await ledger.savePaymentMethod({
          subscriptionId: input.subscriptionId,
          paymentMethodId: input.paymentMethod,
          orderId: input.orderId,
        });
      },
    ),

    recordChangeOutcome: guarded(async (input: ChangeOutcomeInput) => {
      await ledger.recordChangeOutcome(input);
    }),
  };
}

export type SubscriptionChangeActivities = ReturnType<typeof createSubscriptionChangeActivities>;
