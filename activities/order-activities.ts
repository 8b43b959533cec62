import type { Ledger } from '../src/ledger';
import type { Payments } from '../src/payments';
import type { ProvisioningClients } from '../src/provisioning/provisioning-clients';
import { getCatalog, grantsForAddon, grantsForPlan, type GrantSpec } from '../src/catalog';
import type { ReleaseReport } from '../src/payments/payment-outcomes';
import type {
  OrderStatus,
  ProvisioningRequest,
  SubscriptionRecord,
} from '../workflows/order-types';
import { classify } from './failures';

export interface OrderActivityDeps {
  payments: Payments;
  ledger: Ledger;
  provisioning: ProvisioningClients;
}

/**
 * The order's activities: each one calls a service and classifies its failures. Every
 * call is idempotent by a business id (order, subscription, external id), because
 * Temporal runs an activity at least once.
 */
export function createOrderActivities({ payments, ledger, provisioning }: OrderActivityDeps) {
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
    /**
     * The tenant's Stripe customer: the one the ledger keeps, else a new one (created by
     * a key from the tenant id), which the ledger then keeps for good.
     */
    ensureCustomer: guarded(async (input: { tenantId: string; email?: string }) => {
      const kept = await ledger.getStripeCustomer(input.tenantId);
      if (kept) return kept;
      const created = await payments.ensureCustomer(input);
      return ledger.keepStripeCustomer(input.tenantId, created);
    }),

    authorizePayment: guarded(
      (input: {
        orderId: string;
        customerId: string;
        amount: number;
        currency: string;
        paymentMethod?: string;
        description: string;
      }) => payments.authorize(input),
    ),

    getAuthorization: guarded((input: { paymentIntentId: string }) =>
      payments.getAuthorization(input.paymentIntentId),
    ),

    capturePayment: guarded((input: { orderId: string; paymentIntentId: string }) =>
      payments.capture(input),
    ),

    /**
     * The compensation of the authorization: cancels the hold, or refunds what was
     * captured, and reports which. When the order never saw its PaymentIntent (the
     * authorization's answer was lost), it is found by the order id among the tenant's
     * customer's intents.
     */
    releasePayment: guarded(
      async (input: {
        orderId: string;
        tenantId: string;
        paymentIntentId?: string;
      }): Promise<ReleaseReport> => {
        if (input.paymentIntentId) {
          return payments.releasePayment({
            orderId: input.orderId,
            paymentIntentId: input.paymentIntentId,
          });
        }
        const customerId = await ledger.getStripeCustomer(input.tenantId);
        if (!customerId) return { outcome: 'nothing_held', captured: false, refunded: false };
        return payments.releasePayment({ orderId: input.orderId, customerId });
      },
    ),

    /**
     * `releasePayment` under the activity type name that orders and subscription changes
     * started before it schedule: their histories replay only with this name registered,
     * so it stays until they have all finished.
     */
    cancelAuthorization: guarded(async (input: { orderId: string; paymentIntentId: string }) => {
      await payments.releasePayment(input);
    }),

    /** Mirrors the order's state into the ledger, which answers for it after retention. */
    recordOrderState: guarded(
      async (input: { orderId: string; state: string; status: OrderStatus }) => {
        await ledger.updateOrderState({
          orderId: input.orderId,
          state: input.state,
          status: { ...input.status },
          paymentIntentId: input.status.payment?.paymentIntentId,
        });
      },
    ),

    /**
     * Records the subscription (so its seats can be assigned), seats the named users and
     * grants the licenses, each call idempotent on its own, so a retry after a crash
     * anywhere in between completes the rest and duplicates nothing.
     */
    grantLicenses: guarded(
      async (input: {
        orderId: string;
        tenantId: string;
        subscription: SubscriptionRecord;
        /** Orders placed before grants were computed here carry them. */
        grants?: GrantSpec[];
        seats?: { plan: string; userIds: string[] };
        /** The order's PaymentIntent, mirrored into the ledger's order with its state. */
        paymentIntentId?: string;
      }) => {
        await ledger.ensureTenant(input.tenantId);
        if (input.paymentIntentId) {
          await ledger.updateOrderState({
            orderId: input.orderId,
            state: 'granting',
            paymentIntentId: input.paymentIntentId,
          });
        }
        // Pending: granted, not paid. Its grants count once the record step, after the
        // capture, makes it active.
        await ledger.recordSubscription({ ...input.subscription, status: 'pending' });
        if (input.seats) {
          await ledger.assignSeats({
            subscriptionId: input.subscription.id,
            tenantId: input.tenantId,
            plan: input.seats.plan,
            userIds: input.seats.userIds,
            orderId: input.orderId,
          });
        }
        return ledger.applyGrants({
          orderId: input.orderId,
          tenantId: input.tenantId,
          subscriptionId: input.subscription.id,
          productKey: input.subscription.productKey,
          // Computed here rather than carried through the workflow's history: an order
          // may seat thousands of users, each with a dozen features.
          grants: input.grants ?? grantsOf(input.subscription, input.seats?.userIds ?? []),
        });
      },
    ),

    /** The compensation of grantLicenses: revoke, release seats, end the subscription. */
    revokeLicenses: guarded(
      async (input: { orderId: string; tenantId: string; subscriptionId: string }) => {
        await ledger.revokeGrants({ ...input, reason: 'order compensated' });
        const subscription = await ledger.getSubscription(input.subscriptionId);
        if (!subscription) return;
        await ledger.releaseSeats({
          subscriptionId: input.subscriptionId,
          tenantId: input.tenantId,
          orderId: input.orderId,
          reason: 'order compensated',
        });
        await ledger.updateSubscriptionStatus(input.subscriptionId, 'ended', {
          orderId: input.orderId,
          reason: 'order compensated',
        });
      },
    ),

    provision: guarded(async (request: ProvisioningRequest) => {
      if (request.kind === 'calendar-sync-connection') {
        await provisioning.calendarSync.createConnection({
          externalId: request.externalId,
          tenantId: request.tenantId,
          ...request.setup,
        });
      } else {
        await provisioning.cep.createPortal({
          externalId: request.externalId,
          tenantId: request.tenantId,
          languages: request.languages,
        });
      }
    }),

    deprovision: guarded(async (request: ProvisioningRequest) => {
      if (request.kind === 'calendar-sync-connection') {
        await provisioning.calendarSync.deleteConnection(request.externalId);
      } else {
        await provisioning.cep.deletePortal(request.externalId);
      }
    }),

    /**
     * Marks the subscription paid (active), with the payment references it was sold
     * with, and records its first paid period in the same transaction; then the order
     * is mirrored completed.
     */
    recordSubscription: guarded(
      async (input: {
        subscription: SubscriptionRecord;
        paymentIntentId: string;
        stripeCustomerId: string;
        paid?: { amount: number; currency: string };
        order?: { state: string; status: OrderStatus };
        /** The saved method renewals charge off session. */
        paymentMethodId?: string;
      }) => {
        await ledger.recordSubscription(
          {
            ...input.subscription,
            status: 'active',
            paymentIntentId: input.paymentIntentId,
            stripeCustomerId: input.stripeCustomerId,
            paymentMethodId: input.paymentMethodId ?? null,
          },
          input.paid && {
            paidPeriod: {
              amount: input.paid.amount,
              currency: input.paid.currency.toLowerCase(),
              paidBy: input.subscription.orderId,
            },
          },
        );
        if (input.order) {
          await ledger.updateOrderState({
            orderId: input.subscription.orderId,
            state: input.order.state,
            status: { ...input.order.status },
            paymentIntentId: input.paymentIntentId,
          });
        }
      },
    ),

    endSubscription: guarded(async (input: { subscriptionId: string; orderId: string }) => {
      await ledger.updateSubscriptionStatus(input.subscriptionId, 'ended', {
        orderId: input.orderId,
        reason: 'order compensated',
      });
    }),
  };
}

/** The grants a subscription implies, from the catalog version it was sold under. */
function grantsOf(subscription: SubscriptionRecord, userIds: string[]): GrantSpec[] {
  const catalog = getCatalog(subscription.catalogVersion);
  return subscription.kind === 'plan'
    ? grantsForPlan(catalog, subscription.productKey, userIds, subscription.tenantId)
    : grantsForAddon(catalog, subscription.productKey, subscription.tenantId);
}

export type OrderActivities = ReturnType<typeof createOrderActivities>;
