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

  const keptCustomers = new BoundedMap<string, string>(KEPT_CUSTOMERS_CACHED);

  return {
    /**
     * The tenant's Stripe customer: the one the ledger keeps, else a new one (created by
     * a key from the tenant id), which the ledger then keeps for good.
     */
    ensureCustomer: guarded(async (input: { tenantId: string; email?: string }) => {
      // The ledger never replaces a kept customer, so one read is good for the process.
      const known = keptCustomers.get(input.tenantId);
      if (known) return known;
      const customer =
        (await ledger.getStripeCustomer(input.tenantId)) ??
        (await ledger.keepStripeCustomer(input.tenantId, await payments.ensureCustomer(input)));
      keptCustomers.set(input.tenantId, customer);
      return customer;
    }),

    /**
     * Holds the order's amount, under the order's idempotency key: Stripe's
     * `amount_capturable_updated` caused by this call names that key, and the webhook
     * route does not wake the order for what this call answers
     * (src/orders/payment-event-routing.ts).
     */
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
     * Records the subscription pending (granted, not paid: its grants count once the
     * record step, after the capture, makes it active), seats the named users and grants
     * the licenses, in one ledger transaction: one round trip, and a retry after a crash
     * anywhere finds all of it done or none of it.
     */
    grantLicenses: guarded(
      (input: {
        orderId: string;
        tenantId: string;
        subscription: SubscriptionRecord;
        /** Orders placed before grants were computed here carry them. */
        grants?: GrantSpec[];
        seats?: { plan: string; userIds: string[] };
        /** The order's PaymentIntent, mirrored into the ledger's order with its state. */
        paymentIntentId?: string;
      }) =>
        ledger.grantOrder({
          orderId: input.orderId,
          tenantId: input.tenantId,
          subscription: input.subscription,
          seats: input.seats,
          paymentIntentId: input.paymentIntentId,
          // Computed here rather than carried through the workflow's history: an order
          // may seat thousands of users, each with a dozen features.
          grants: input.grants ?? grantsOf(input.subscription, input.seats?.userIds ?? []),
        }),
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
     * with, and records its first paid period and the order's completed state, all in
     * one transaction.
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
          {
            paidPeriod: input.paid && {
              amount: input.paid.amount,
              currency: input.paid.currency.toLowerCase(),
              paidBy: input.subscription.orderId,
            },
            orderState: input.order && {
              orderId: input.subscription.orderId,
              state: input.order.state,
              status: { ...input.order.status },
              paymentIntentId: input.paymentIntentId,
            },
          },
        );
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

/** Tenants whose Stripe customer a worker remembers (about 100 bytes each). */
const KEPT_CUSTOMERS_CACHED = 10_000;

/** A map that forgets its oldest entry when it is full. */
class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly capacity: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.capacity) {
      this.delete(this.keys().next().value as K);
    }
    return super.set(key, value);
  }
}

/** The grants a subscription implies, from the catalog version it was sold under. */
function grantsOf(subscription: SubscriptionRecord, userIds: string[]): GrantSpec[] {
  const catalog = getCatalog(subscription.catalogVersion);
  return subscription.kind === 'plan'
    ? grantsForPlan(catalog, subscription.productKey, userIds, subscription.tenantId)
    : grantsForAddon(catalog, subscription.productKey, subscription.tenantId);
}

export type OrderActivities = ReturnType<typeof createOrderActivities>;
