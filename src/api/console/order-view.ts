import { addonOf, getCatalog } from '../../catalog';
import {
  isLedgerError,
  type GrantHistoryEntry,
  type Ledger,
  type Subscription,
} from '../../ledger';
import { STEPS } from '../../contract';
import { FINAL_STATES, orderWorkflowId, type OrderStatus } from '../../../workflows/order-types';
import type { TemporalUiLink } from './console-deps';
import { instant, money, optionalInstant, yesNo } from './view-format';

/** An order's grants are read from its tenant's history; a page holds this many at most. */
const GRANT_PAGES = 20;
const GRANT_PAGE_SIZE = 1000;

export async function orderView(
  status: OrderStatus,
  ledger: Ledger,
  temporalUi: TemporalUiLink | undefined,
  now = Date.now(),
) {
  const subscription = await ledger.getSubscription(status.subscriptionId);
  const grants = await grantsOf(ledger, status.tenantId, status.subscriptionId);
  const attention = status.attention;
  return {
    order: status,
    amount: money(status.amount),
    payment: status.payment && {
      paymentIntentId: status.payment.paymentIntentId,
      captured: yesNo(status.payment.captured),
      refunded: yesNo(status.payment.refunded),
    },
    needsAttention: status.state === 'needs-attention',
    attention: attention && {
      ...attention,
      phase: attention.phase === 'compensation' ? 'undoing' : 'forward',
      since: instant(attention.since, now),
      deadline: instant(attention.deadline, now),
    },
    steps: timeline(status),
    compensations: status.compensationsDone,
    decisions: status.decisions.map((d) => ({ ...d, at: instant(d.at, now) })),
    subscription: subscription && subscriptionRow(subscription, now),
    resource: provisionedResource(status, subscription),
    grants: grants.entries.map((entry) => grantRow(entry, now)),
    grantsTruncated: grants.truncated,
    temporalUrl: temporalUi
      ? `${temporalUi.url.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(
          temporalUi.namespace,
        )}/workflows/${encodeURIComponent(orderWorkflowId(status.orderId))}`
      : undefined,
    workflowId: orderWorkflowId(status.orderId),
  };
}

/** Each step of the order with where it stands, in the order the workflow runs them. */
function timeline(status: OrderStatus) {
  const waiting = status.attention?.phase === 'forward' ? status.attention.step : undefined;
  return STEPS.map((step) => {
    const done = status.stepsDone.includes(step);
    let state = done ? 'done' : 'not reached';
    if (!done && step === waiting) state = 'failed, waiting for ops';
    else if (!done && step === status.error?.step) state = `failed (${status.error.type})`;
    else if (!done && step === status.step && !FINAL_STATES.includes(status.state)) {
      state = 'running';
    }
    return { step, state, done };
  });
}

async function grantsOf(ledger: Ledger, tenantId: string, subscriptionId: string) {
  const entries: GrantHistoryEntry[] = [];
  let after: string | undefined;
  for (let page = 0; page < GRANT_PAGES; page += 1) {
    const history = await ledger
      .grantHistory(tenantId, { limit: GRANT_PAGE_SIZE, after })
      .catch((error: unknown) => {
        // An order that stopped before granting has left its tenant unknown to the ledger.
        if (isLedgerError(error) && error.code === 'LEDGER.TENANT_NOT_FOUND') return undefined;
        throw error;
      });
    if (!history) return { entries, truncated: false };
    entries.push(...history.entries.filter((e) => e.sourceSubscriptionId === subscriptionId));
    if (!history.nextCursor) return { entries, truncated: false };
    after = history.nextCursor;
  }
  return { entries, truncated: true };
}

export function grantRow(entry: GrantHistoryEntry, now: number) {
  return {
    ...entry,
    subject: entry.subjectType === 'tenant' ? 'tenant' : `user ${entry.subjectId}`,
    grantedAt: instant(entry.grantedAt, now),
    revokedAt: optionalInstant(entry.revokedAt, now),
    held: entry.revokedAt ? 'revoked' : 'held',
  };
}

export function subscriptionRow(subscription: Subscription, now: number) {
  const change = subscription.pendingChange;
  return {
    ...subscription,
    seats: subscription.seats ?? 'add-on',
    periodStart: instant(subscription.currentPeriodStart, now),
    periodEnd: instant(subscription.currentPeriodEnd, now),
    pendingChange: !change
      ? 'none'
      : change.kind === 'cancel'
        ? 'cancel at period end'
        : [
            'downgrade at period end',
            change.productKey && `to ${change.productKey}`,
            change.seats && `${change.seats} seats`,
            change.period && `per ${change.period}`,
            change.unassign.length > 0 && `unassigns ${change.unassign.join(', ')}`,
          ]
            .filter(Boolean)
            .join(', '),
  };
}

/**
 * What the order provisions, by the external id the order plan derives from the
 * subscription (src/orders/order-plan.ts), and whether it stands now.
 */
function provisionedResource(status: OrderStatus, subscription: Subscription | null) {
  if (status.kind !== 'addon') return undefined;
  const kind = addonProvisioning(status.product, status.catalogVersion);
  if (!kind || kind === 'none') return undefined;
  const prefix = kind === 'calendar-sync-connection' ? 'calsync' : 'cep';
  const removed = status.compensationsDone.includes('deprovision');
  return {
    kind,
    externalId: `${prefix}-${status.subscriptionId}`,
    state: removed
      ? 'removed (compensated)'
      : status.stepsDone.includes('provision')
        ? 'provisioned'
        : 'not provisioned',
    settings: subscription ? JSON.stringify(subscription.settings) : undefined,
  };
}

function addonProvisioning(product: string, catalogVersion: number): string | undefined {
  try {
    return addonOf(getCatalog(catalogVersion), product).provisioning;
  } catch {
    return undefined;
  }
}
