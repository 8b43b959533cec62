import type { Ledger } from '../src/ledger';
import type { Payments } from '../src/payments';
import type { ProvisioningClients } from '../src/provisioning/provisioning-clients';
import type { GrantSpec } from '../src/catalog';
import type { ProvisioningRequest, SubscriptionRecord } from '../workflows/order-types';
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
    ensureCustomer: guarded((input: { tenantId: string; email?: string }) =>
      payments.ensureCustomer(input),
    ),

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

    /** Releases the hold, or refunds when the payment was captured already. */
    cancelAuthorization: guarded(async (input: { orderId: string; paymentIntentId: string }) => {
      await payments.cancelAuthorization(input);
    }),

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
        grants: GrantSpec[];
        seats?: { plan: string; userIds: string[] };
      }) => {
        await ledger.ensureTenant(input.tenantId);
        await ledger.recordSubscription(input.subscription);
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
          grants: input.grants,
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

    /** Marks the subscription paid: the payment references it was sold with. */
    recordSubscription: guarded(
      async (input: {
        subscription: SubscriptionRecord;
        paymentIntentId: string;
        stripeCustomerId: string;
        /** The saved method renewals charge off session. */
        paymentMethodId?: string;
      }) => {
        await ledger.recordSubscription({
          ...input.subscription,
          status: 'active',
          paymentIntentId: input.paymentIntentId,
          stripeCustomerId: input.stripeCustomerId,
          paymentMethodId: input.paymentMethodId ?? null,
        });
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

export type OrderActivities = ReturnType<typeof createOrderActivities>;
