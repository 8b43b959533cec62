import { FINAL_ORDER_STATES, type Ledger, type OrderHolding } from '../ledger';
import type { Payments } from '../payments';
import type { OrderPayment } from '../payments/payment-outcomes';
import type { ProvisioningClients } from '../provisioning/provisioning-clients';

/** The kinds of drift between Stripe, the ledger and the provisioned resources. */
export const DRIFT_KINDS = [
  'captured-without-licenses',
  'licenses-without-payment',
  'authorization-uncaptured',
  'refund-without-revocation',
  'resource-without-subscription',
] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

export interface Drift {
  kind: DriftKind;
  orderId: string;
  tenantId: string;
  subscriptionId: string;
  paymentIntentId?: string;
  /** The provisioned resource's external id. */
  resource?: string;
  detail: string;
}

export interface ReconcileReport {
  since: string;
  checkedOrders: number;
  drifts: Drift[];
}

export interface ReconcileDeps {
  ledger: Ledger;
  payments: Payments;
  provisioning: ProvisioningClients;
}

export interface ReconcileOptions {
  /** Orders changed since then are compared. */
  since: string;
  /** Now, for the age of authorizations (tests pass a later time). */
  now?: number;
  /** How old an uncaptured authorization may get before it is drift (default one hour). */
  uncapturedAfterMs?: number;
}

const HOUR = 60 * 60 * 1000;
/**
 * Orders the workflow no longer moves by itself: their money and licenses must agree. In
 * every other state (`received` … `recording`) they may disagree for a moment.
 */
const SETTLED: readonly string[] = ['needs-attention', 'compensating', ...FINAL_ORDER_STATES];

/**
 * Compares, order by order, what Stripe took and gave back, what the ledger grants and
 * has been paid for, and what the providers still run. The admin services answer by
 * external id only (no listing), so the resources checked are those an order of the
 * window made: `cep-<subscription>` and `calsync-<subscription>`.
 */
export async function reconcile(
  deps: ReconcileDeps,
  options: ReconcileOptions,
): Promise<ReconcileReport> {
  const now = options.now ?? Date.now();
  const uncapturedAfterMs = options.uncapturedAfterMs ?? HOUR;
  const orders = await deps.ledger.orderHoldings(options.since);
  const drifts: Drift[] = [];
  for (const order of orders) {
    const payments = order.stripeCustomerId
      ? await deps.payments.orderPayments({
          orderId: order.orderId,
          customerId: order.stripeCustomerId,
        })
      : [];
    drifts.push(...moneyDrifts(order, payments, now, uncapturedAfterMs));
    drifts.push(...(await resourceDrifts(deps.provisioning, order)));
  }
  return { since: options.since, checkedOrders: orders.length, drifts };
}

function moneyDrifts(
  order: OrderHolding,
  payments: OrderPayment[],
  now: number,
  uncapturedAfterMs: number,
): Drift[] {
  const base = {
    orderId: order.orderId,
    tenantId: order.tenantId,
    subscriptionId: order.subscriptionId,
  };
  const drifts: Drift[] = [];
  // Seats bought and not yet assigned are licenses too, with no grant until someone is
  // seated: a plan in force with nobody seated holds what it was paid for.
  const unseatedPlan = order.kind === 'plan' && order.activeSeats === 0;
  const effective = order.inForce && (order.activeGrants > 0 || unseatedPlan);
  const kept = payments.filter((p) => p.captured - p.refunded > 0);
  const refunded = payments.filter((p) => p.refunded > 0);
  const settled = SETTLED.includes(order.state);

  for (const payment of payments) {
    if (payment.status !== 'requires_capture') continue;
    if (now - Date.parse(payment.createdAt) <= uncapturedAfterMs) continue;
    drifts.push({
      ...base,
      kind: 'authorization-uncaptured',
      paymentIntentId: payment.paymentIntentId,
      detail: `authorized at ${payment.createdAt} and still not captured or released`,
    });
  }
  if (settled && kept.length > 0 && !effective) {
    drifts.push({
      ...base,
      kind: 'captured-without-licenses',
      paymentIntentId: kept[0].paymentIntentId,
      detail: `Stripe keeps ${kept[0].captured - kept[0].refunded} but the subscription grants nothing (${order.subscriptionStatus ?? 'not recorded'}, ${order.activeGrants} active grants)`,
    });
  }
  if (effective && (kept.length === 0 || !order.currentPeriodPaid)) {
    drifts.push({
      ...base,
      kind: 'licenses-without-payment',
      paymentIntentId: order.paymentIntentId ?? undefined,
      detail:
        kept.length === 0
          ? 'licenses count but Stripe keeps no captured payment for the order'
          : 'licenses count but no paid period covers the current one',
    });
  }
  for (const payment of refunded) {
    if (!effective) continue;
    drifts.push({
      ...base,
      kind: 'refund-without-revocation',
      paymentIntentId: payment.paymentIntentId,
      detail: `${payment.refunded} of ${payment.captured} refunded, yet the licenses still count`,
    });
  }
  return drifts;
}

async function resourceDrifts(
  provisioning: ProvisioningClients,
  order: OrderHolding,
): Promise<Drift[]> {
  if (order.kind !== 'addon' || order.inForce) return [];
  const checks = [
    { externalId: `cep-${order.subscriptionId}`, get: provisioning.cep.getPortal },
    {
      externalId: `calsync-${order.subscriptionId}`,
      get: provisioning.calendarSync.getConnection,
    },
  ];
  const drifts: Drift[] = [];
  for (const { externalId, get } of checks) {
    if (!(await get(externalId))) continue;
    drifts.push({
      kind: 'resource-without-subscription',
      orderId: order.orderId,
      tenantId: order.tenantId,
      subscriptionId: order.subscriptionId,
      resource: externalId,
      detail: `${externalId} is provisioned but its subscription is ${order.subscriptionStatus ?? 'not recorded'}`,
    });
  }
  return drifts;
}
