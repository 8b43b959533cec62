import type { WorkflowClient } from '@temporalio/client';
import { CURRENT_CATALOG_VERSION } from '../src/catalog';
import type { Ledger } from '../src/ledger';
import type { Payments } from '../src/payments';
import type { ProvisioningClients } from '../src/provisioning/provisioning-clients';
import { grantsUnder, planRenewal } from '../src/renewals/renewal-plan';
import type {
  ChargeAttempt,
  NextPeriod,
  ProvisionedResource,
  RenewalPlan,
} from '../workflows/renewal-types';
import { classify } from './failures';
import { startRenewals, type StartRenewalsInput } from './renewal-starter';

export interface RenewalActivityDeps {
  payments: Payments;
  ledger: Ledger;
  provisioning: ProvisioningClients;
  /** Starts renewals from the sweep. */
  workflows: WorkflowClient;
}

/**
 * The renewal's and the sweep's activities: each calls a service and classifies its
 * failures; each is idempotent by the subscription and period it acts on, because
 * Temporal runs an activity at least once.
 */
export function createRenewalActivities({
  payments,
  ledger,
  provisioning,
  workflows,
}: RenewalActivityDeps) {
  const guarded =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } catch (error: unknown) {
        return classify(error, (e) => payments.classifyError(e));
      }
    };

  const setStatus = async (resources: ProvisionedResource[], status: 'active' | 'disabled') => {
    for (const resource of resources) {
      if (resource.kind === 'calendar-sync-connection') {
        if (status === 'active')
          await provisioning.calendarSync.enableConnection(resource.externalId);
        else await provisioning.calendarSync.disableConnection(resource.externalId);
      } else if (status === 'active') {
        await provisioning.cep.enablePortal(resource.externalId);
      } else {
        await provisioning.cep.disablePortal(resource.externalId);
      }
    }
  };

  return {
    /** A page of what is due as of the sweep's own time (never the database clock). */
    dueRenewals: guarded(
      async (input: {
        asOf: string;
        after?: { periodEnd: string; id: string };
        limit: number;
        only: 'all' | 'pending-change';
      }) => {
        const page = await ledger.dueSubscriptions(input);
        return {
          items: page.items.map((item) => ({
            id: item.id,
            tenantId: item.tenantId,
            periodStart: item.currentPeriodStart,
          })),
          next: page.next,
        };
      },
    ),

    startRenewals: (input: StartRenewalsInput) => startRenewals(workflows, input),

    planRenewal: guarded(
      async (input: { subscriptionId: string; periodStart: string }): Promise<RenewalPlan> =>
        planRenewal(
          await ledger.getSubscription(input.subscriptionId),
          input.periodStart,
          CURRENT_CATALOG_VERSION,
        ),
    ),

    applyPeriodEndChange: guarded(
      async (input: {
        subscriptionId: string;
        changeId: string;
        catalogVersion: number;
        renewalId: string;
      }) => {
        const sub = await ledger.getSubscription(input.subscriptionId);
        if (!sub) return;
        await ledger.applyPeriodEndChange(
          { ...input, orderId: input.renewalId },
          grantsUnder(input.catalogVersion, sub),
        );
      },
    ),

    /**
     * Charges the next period off session with the method saved on the subscription now
     * (the customer may have replaced it since the last try). A decline is an outcome.
     */
    chargeRenewal: guarded(
      async (input: {
        subscriptionId: string;
        next: NextPeriod;
        attempt: number;
      }): Promise<Omit<ChargeAttempt, 'at'>> => {
        const sub = await ledger.getSubscription(input.subscriptionId);
        if (!sub?.paymentMethodId || !sub.stripeCustomerId) {
          return { attempt: input.attempt, outcome: 'declined', code: 'no_payment_method' };
        }
        const charge = await payments.chargeOffSession({
          subscriptionId: input.subscriptionId,
          periodStart: input.next.periodStart,
          amount: input.next.amount,
          currency: input.next.currency,
          customerId: sub.stripeCustomerId,
          paymentMethod: sub.paymentMethodId,
          description: input.next.description,
          attempt: input.attempt,
        });
        if (charge.status === 'succeeded') {
          return {
            attempt: input.attempt,
            outcome: 'succeeded',
            paymentIntentId: charge.paymentIntentId,
          };
        }
        return {
          attempt: input.attempt,
          outcome: 'declined',
          paymentIntentId: charge.paymentIntentId,
          code: charge.code,
          declineCode: charge.declineCode,
        };
      },
    ),

    /** The compensation of a charge whose period could not be recorded. */
    refundRenewal: guarded(async (input: { renewalId: string; paymentIntentId: string }) => {
      await payments.refund({
        // Keyed by the intent (one refund each), which stays within the payments' id
        // limit where a renewal's workflow id may not.
        orderId: `renewal-${input.paymentIntentId}`,
        paymentIntentId: input.paymentIntentId,
        reason: 'requested_by_customer',
      });
    }),

    recordPaidPeriod: guarded(
      async (input: {
        subscriptionId: string;
        renewedPeriodStart: string;
        next: NextPeriod;
        paymentIntentId: string;
        renewalId: string;
        /** Re-resolve the grants: the period is sold under another catalog version. */
        regrant: boolean;
      }) => {
        // Read only to re-resolve its grants; the record itself reads it under its lock.
        const sub = input.regrant ? await ledger.getSubscription(input.subscriptionId) : null;
        const result = await ledger.recordPaidPeriod(
          {
            subscriptionId: input.subscriptionId,
            renewedPeriodStart: input.renewedPeriodStart,
            periodStart: input.next.periodStart,
            periodEnd: input.next.periodEnd,
            productKey: input.next.productKey,
            seats: input.next.seats,
            period: input.next.period,
            catalogVersion: input.next.catalogVersion,
            amount: input.next.amount,
            currency: input.next.currency,
            paymentIntentId: input.paymentIntentId,
            paidBy: input.renewalId,
          },
          input.regrant && sub ? grantsUnder(input.next.catalogVersion, sub) : undefined,
        );
        return { outcome: result.outcome };
      },
    ),

    markPastDue: guarded(
      async (input: { subscriptionId: string; renewalId: string; reason: string }) => {
        await ledger.updateSubscriptionStatus(input.subscriptionId, 'past_due', {
          orderId: input.renewalId,
          reason: input.reason,
        });
      },
    ),

    /** Grace is over: the grants stop counting (by status) and resources are disabled, kept. */
    suspendSubscription: guarded(
      async (input: {
        subscriptionId: string;
        renewalId: string;
        resources: ProvisionedResource[];
      }) => {
        await ledger.updateSubscriptionStatus(input.subscriptionId, 'suspended', {
          orderId: input.renewalId,
          reason: 'renewal unpaid after the grace period',
        });
        await setStatus(input.resources, 'disabled');
      },
    ),

    /** Paid after a suspension: the same grants count again; resources are enabled. */
    reactivateSubscription: guarded(async (input: { resources: ProvisionedResource[] }) => {
      await setStatus(input.resources, 'active');
    }),

    /** Revokes, frees every seat, ends the subscription, and deletes its resources. */
    terminateSubscription: guarded(
      async (input: {
        subscriptionId: string;
        renewalId: string;
        reason: string;
        resources: ProvisionedResource[];
      }) => {
        await ledger.endSubscription({
          subscriptionId: input.subscriptionId,
          orderId: input.renewalId,
          reason: input.reason,
        });
        for (const resource of input.resources) {
          if (resource.kind === 'calendar-sync-connection') {
            await provisioning.calendarSync.deleteConnection(resource.externalId);
          } else {
            await provisioning.cep.deletePortal(resource.externalId);
          }
        }
      },
    ),
  };
}

export type RenewalActivities = ReturnType<typeof createRenewalActivities>;
