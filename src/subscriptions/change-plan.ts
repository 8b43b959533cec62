import { getCatalog, grantsForPlan, planOf, type Catalog } from '../catalog';
import type { BillingPeriod } from '../domain/billing-period';
import type { PendingChange, Subscription, SubscriptionStatus } from '../ledger';
import { addPeriod } from '../domain/billing-period';
import type { CalendarSyncSetup } from '../domain/calendar-sync-settings';
import type { ProvisioningRequest } from '../../workflows/order-types';
import type { ChangePlan, Holding } from '../../workflows/subscription-change-contract';
import { renewalWorkflowId } from '../../workflows/subscription-types';
import { ChangeError } from './change-errors';
import { unusedPart, upgradeAmounts, type PricedHolding } from './change-pricing';
import type { ChangeRequest } from '../contract/change-requests';

/** What the edge reads from the ledger before planning a change. */
export interface ChangeContext {
  subscription: Subscription;
  /** Users seated on the subscription now. */
  seated: string[];
  /** Of the users to assign, those who hold the plan through another subscription. */
  heldElsewhere: string[];
  /** Upgrades paid during the current period, newest first: refunded first on cancel. */
  periodPayments: { paymentIntentId: string; amount: number }[];
  now: number;
}

const IN_FORCE: readonly SubscriptionStatus[] = ['active', 'past_due'];
const TIER_RANK = { essentials: 0, premium: 1 } as const;
const PERIOD_RANK: Record<BillingPeriod, number> = { month: 0, year: 1 };

/**
 * Decides what a change will do, against the subscription, its catalog version and the
 * clock, before anything starts: a change that cannot be made is a ChangeError naming
 * the field. Upgrades are priced here with the catalog's proration.
 */
export function planChange(request: ChangeRequest, context: ChangeContext): ChangePlan {
  const { subscription } = context;
  const catalog = getCatalog(subscription.catalogVersion);
  switch (request.kind) {
    case 'upgrade':
      return planUpgrade(catalog, request, context);
    case 'downgrade':
      return planDowngrade(catalog, request, context);
    case 'cancel':
      return request.immediately
        ? planCancelNow(catalog, context)
        : schedule(context, { kind: 'cancel', changeId: request.changeId });
    case 'seats':
      return planSeats(catalog, request, context);
    case 'payment-method':
      requireStatus(subscription, ['active', 'past_due', 'suspended', 'pending']);
      return {
        kind: 'payment-method',
        paymentMethod: request.paymentMethod,
        previousPaymentMethod: subscription.paymentMethodId,
        renewalWorkflowId: renewalWorkflowId(subscription.id, subscription.currentPeriodStart),
      };
    case 'withdraw':
      if (subscription.pendingChange?.changeId !== request.target) {
        throw new ChangeError(
          'CHANGE.NOT_SCHEDULED',
          'target',
          `change ${request.target} is not scheduled on subscription ${subscription.id}`,
        );
      }
      return { kind: 'withdraw', target: request.target };
  }
}

type Direction = { field: 'plan' | 'seats' | 'period'; step: number; text: string };

/** How each named part of the holding moves: up (+1), down (−1) or not at all. */
function directions(
  catalog: Catalog,
  subscription: Subscription,
  request: { plan?: string; seats?: number; period?: BillingPeriod },
): Direction[] {
  if (subscription.kind === 'addon' && (request.plan || request.seats)) {
    const field = request.plan ? 'plan' : 'seats';
    throw new ChangeError('CHANGE.INVALID', field, `${field}: an add-on changes only its period`);
  }
  const moves: Direction[] = [];
  if (request.plan !== undefined) {
    const from = planOf(catalog, subscription.productKey);
    const to = planOf(catalog, request.plan, 'plan');
    if (from.solution !== to.solution) {
      throw new ChangeError(
        'CHANGE.INVALID',
        'plan',
        `plan: ${to.key} is another solution than ${from.key}; buy it as a new order`,
      );
    }
    const step = Math.sign(TIER_RANK[to.tier] - TIER_RANK[from.tier]);
    moves.push({ field: 'plan', step, text: `${from.key} → ${to.key}` });
  }
  if (request.seats !== undefined) {
    const seats = subscription.seats ?? 0;
    moves.push({
      field: 'seats',
      step: Math.sign(request.seats - seats),
      text: `${seats} → ${request.seats} seats`,
    });
  }
  if (request.period !== undefined) {
    const step = Math.sign(PERIOD_RANK[request.period] - PERIOD_RANK[subscription.period]);
    moves.push({ field: 'period', step, text: `${subscription.period} → ${request.period}` });
  }
  return moves;
}

function planUpgrade(
  catalog: Catalog,
  request: Extract<ChangeRequest, { kind: 'upgrade' }>,
  { subscription, seated, now }: ChangeContext,
): ChangePlan {
  requireStatus(subscription, IN_FORCE);
  // The renewal would apply the scheduled change over the upgrade; the customer decides.
  requireNothingScheduled(subscription);
  const moves = directions(catalog, subscription, request);
  const down = moves.find((move) => move.step < 0);
  if (down) {
    throw new ChangeError(
      'CHANGE.NOT_AN_UPGRADE',
      down.field,
      `${down.field}: ${down.text} is a downgrade; it takes effect at the period end (kind "downgrade")`,
    );
  }
  if (!moves.some((move) => move.step > 0)) {
    const field = moves[0]?.field ?? 'plan';
    throw new ChangeError('CHANGE.NOT_AN_UPGRADE', field, `${field}: the request upgrades nothing`);
  }
  const from = holdingOf(subscription);
  const period = request.period ?? subscription.period;
  const to: Holding = {
    productKey: request.plan ?? subscription.productKey,
    seats: request.seats ?? subscription.seats,
    period,
    // A month that becomes a year keeps its start; its end moves a year after it.
    currentPeriodEnd:
      period === subscription.period
        ? subscription.currentPeriodEnd
        : addPeriod(new Date(subscription.currentPeriodStart), period).toISOString(),
  };
  const amounts = upgradeAmounts(
    catalog,
    priced(subscription, from),
    priced(subscription, to),
    now,
  );
  const paymentMethod = request.paymentMethod ?? subscription.paymentMethodId;
  if (amounts.amountDue > 0 && !paymentMethod) {
    throw new ChangeError(
      'CHANGE.INVALID',
      'paymentMethod',
      'paymentMethod: the subscription has no saved payment method; name one',
    );
  }
  return {
    kind: 'upgrade',
    amount: { currency: amounts.currency, total: amounts.amountDue },
    description: `${moves.map((m) => m.text).join(', ')} on ${subscription.id} (prorated)`,
    paymentMethod: paymentMethod ?? '',
    from,
    to,
    grants:
      subscription.kind === 'plan'
        ? grantsForPlan(catalog, to.productKey, seated, subscription.tenantId)
        : [],
  };
}

function planDowngrade(
  catalog: Catalog,
  request: Extract<ChangeRequest, { kind: 'downgrade' }>,
  context: ChangeContext,
): ChangePlan {
  const { subscription, seated } = context;
  requireStatus(subscription, IN_FORCE);
  const moves = directions(catalog, subscription, request);
  const up = moves.find((move) => move.step > 0);
  if (up) {
    throw new ChangeError(
      'CHANGE.NOT_A_DOWNGRADE',
      up.field,
      `${up.field}: ${up.text} is an upgrade; it takes effect now (kind "upgrade")`,
    );
  }
  if (!moves.some((move) => move.step < 0)) {
    const field = moves[0]?.field ?? 'plan';
    throw new ChangeError('CHANGE.NOT_A_DOWNGRADE', field, `${field}: the request lowers nothing`);
  }
  const unassign = request.unassign ?? [];
  requireSeated(seated, unassign, 'unassign');
  const seats = request.seats ?? subscription.seats;
  const staying = seated.length - unassign.length;
  if (seats !== null && staying > seats) {
    throw new ChangeError(
      'CHANGE.UNASSIGN_REQUIRED',
      'unassign',
      `unassign: ${seated.length} users are assigned and the new count is ${seats}: ` +
        `name ${seated.length - seats} users to unassign (${unassign.length} named)`,
    );
  }
  const changed = (field: Direction['field']) => moves.some((m) => m.field === field && m.step < 0);
  return schedule(context, {
    kind: 'downgrade',
    changeId: request.changeId,
    ...(changed('plan') ? { productKey: request.plan } : {}),
    ...(changed('seats') ? { seats: request.seats } : {}),
    ...(changed('period') ? { period: request.period } : {}),
    unassign,
  });
}

function schedule({ subscription }: ChangeContext, pendingChange: PendingChange): ChangePlan {
  requireStatus(subscription, IN_FORCE);
  requireNothingScheduled(subscription, pendingChange.changeId);
  return { kind: 'schedule', pendingChange, effectiveAt: subscription.currentPeriodEnd };
}

function planCancelNow(catalog: Catalog, context: ChangeContext): ChangePlan {
  const { subscription, periodPayments, now } = context;
  requireStatus(subscription, IN_FORCE);
  const unused = unusedPart(catalog, priced(subscription, holdingOf(subscription)), now);
  // The newest payments of the period first: an upgrade's charge, then the period's own.
  const sources = [...periodPayments];
  if (subscription.paymentIntentId) {
    sources.push({
      paymentIntentId: subscription.paymentIntentId,
      amount: Number.MAX_SAFE_INTEGER,
    });
  }
  const refunds: { paymentIntentId: string; amount: number }[] = [];
  let left = unused;
  for (const source of sources) {
    if (left <= 0) break;
    const amount = Math.min(left, source.amount);
    if (amount > 0) refunds.push({ paymentIntentId: source.paymentIntentId, amount });
    left -= amount;
  }
  const total = refunds.reduce((sum, refund) => sum + refund.amount, 0);
  return {
    kind: 'cancel-now',
    refunds,
    amount: { currency: catalog.prices.currency, total },
    provisioning: provisioningOf(catalog, subscription),
    statusBefore: subscription.status,
  };
}

function planSeats(
  catalog: Catalog,
  request: Extract<ChangeRequest, { kind: 'seats' }>,
  { subscription, seated, heldElsewhere }: ChangeContext,
): ChangePlan {
  if (subscription.kind !== 'plan') {
    throw new ChangeError('CHANGE.INVALID', 'assign', 'assign: an add-on has no seats');
  }
  requireStatus(subscription, IN_FORCE);
  const unassign = request.unassign ?? [];
  requireSeated(seated, unassign, 'unassign');
  const assign = (request.assign ?? []).filter((user) => !seated.includes(user));
  if (heldElsewhere.length > 0) {
    throw new ChangeError(
      'CHANGE.PLAN_ALREADY_ASSIGNED',
      'assign',
      `assign: ${heldElsewhere.join(', ')} already hold ${subscription.productKey} through another subscription`,
    );
  }
  const after = seated.length - unassign.length + assign.length;
  const bought = subscription.seats ?? 0;
  if (after > bought) {
    throw new ChangeError(
      'CHANGE.SEATS_EXCEEDED',
      'assign',
      `assign: ${bought} seats are bought and ${after} users would be assigned`,
    );
  }
  // A downgrade scheduled for the period end must still fit who will then be seated.
  const pending = subscription.pendingChange;
  if (pending?.kind === 'downgrade' && pending.seats !== undefined) {
    const leaving = new Set([...unassign, ...pending.unassign]);
    const staying = [...seated, ...assign].filter((user) => !leaving.has(user)).length;
    if (staying > pending.seats) {
      throw new ChangeError(
        'CHANGE.ALREADY_SCHEDULED',
        'assign',
        `assign: change ${pending.changeId} lowers the seats to ${pending.seats} at the period end, ` +
          `and ${staying} users would stay; withdraw it or unassign more`,
      );
    }
  }
  const plan = subscription.productKey;
  return {
    kind: 'seats',
    plan,
    assign,
    unassign,
    grants: assign.length > 0 ? grantsForPlan(catalog, plan, assign, subscription.tenantId) : [],
    regrants:
      unassign.length > 0 ? grantsForPlan(catalog, plan, unassign, subscription.tenantId) : [],
  };
}

function requireStatus(subscription: Subscription, allowed: readonly SubscriptionStatus[]): void {
  if (allowed.includes(subscription.status)) return;
  throw new ChangeError(
    'CHANGE.SUBSCRIPTION_NOT_CHANGEABLE',
    'subscriptionId',
    `subscription ${subscription.id} is ${subscription.status}`,
  );
}

function requireNothingScheduled(subscription: Subscription, except?: string): void {
  const pending = subscription.pendingChange;
  if (!pending || pending.changeId === except) return;
  throw new ChangeError(
    'CHANGE.ALREADY_SCHEDULED',
    'changeId',
    `change ${pending.changeId} (${pending.kind}) is scheduled for the period end; withdraw it first`,
  );
}

function requireSeated(seated: string[], users: string[], field: string): void {
  const strangers = users.filter((user) => !seated.includes(user));
  if (strangers.length > 0) {
    throw new ChangeError(
      'CHANGE.INVALID',
      field,
      `${field}: not assigned: ${strangers.join(', ')}`,
    );
  }
}

function holdingOf(subscription: Subscription): Holding {
  return {
    productKey: subscription.productKey,
    seats: subscription.seats,
    period: subscription.period,
    currentPeriodEnd: subscription.currentPeriodEnd,
  };
}

function priced(subscription: Subscription, holding: Holding): PricedHolding {
  return {
    kind: subscription.kind,
    productKey: holding.productKey,
    seats: holding.seats,
    period: holding.period,
    periodStart: Date.parse(subscription.currentPeriodStart),
    periodEnd: Date.parse(holding.currentPeriodEnd),
  };
}

/** The resource an add-on's purchase provisioned, by the id the purchase derived. */
function provisioningOf(
  catalog: Catalog,
  subscription: Subscription,
): ProvisioningRequest | undefined {
  if (subscription.kind !== 'addon') return undefined;
  const addon = catalog.addons.find((a) => a.key === subscription.productKey);
  const base = { tenantId: subscription.tenantId };
  if (addon?.provisioning === 'calendar-sync-connection') {
    return {
      ...base,
      kind: 'calendar-sync-connection',
      externalId: `calsync-${subscription.id}`,
      setup: subscription.settings as unknown as CalendarSyncSetup,
    };
  }
  if (addon?.provisioning === 'cep-portal') {
    return { ...base, kind: 'cep-portal', externalId: `cep-${subscription.id}`, languages: ['en'] };
  }
  return undefined;
}
