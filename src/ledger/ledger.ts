import type { TenantEntitlements, UserEntitlements } from './entitlement-schemas';
import type { LicenseEvent } from './event-schemas';
import type {
  ApplyGrantsInput,
  ApplyGrantsResult,
  GrantHistoryOptions,
  GrantHistoryPage,
  RevokeGrantsInput,
  RevokeGrantsResult,
} from './grant-schemas';
import { applyGrants, grantHistory, revokeGrants } from './grants';
import {
  DEFAULT_GRACE_MS,
  tenantEntitlements,
  tenantEntitlementsPage,
  userEntitlements,
  type TenantEntitlementsPageOptions,
} from './entitlements';
import { migrate } from './migrate';
import { grantOrder, type GrantOrderInput } from './order-grants';
import { openDatabase, type OpenDatabaseOptions } from './open-database';
import { markEventsPublished, pendingEvents } from './outbox';
import type {
  AssignSeatsInput,
  AssignSeatsResult,
  PlanSeatUsage,
  ReleaseSeatsInput,
  ReleaseSeatsResult,
} from './seat-schemas';
import { assignSeats, releaseSeats, seatedUsers, seatUsage } from './seats';
import type {
  DuePage,
  DueQuery,
  EndSubscriptionInput,
  EndSubscriptionResult,
  GrantsFor,
  PaidPeriodInput,
  PaidPeriodResult,
  PeriodEndChangeInput,
  PeriodEndChangeResult,
} from './renewal-schemas';
import {
  applyPeriodEndChange,
  dueSubscriptions,
  endSubscription,
  recordPaidPeriod,
} from './renewals';
import type { SqlDb } from './sql-db';
import type {
  FirstPaidPeriodInput,
  RecordSubscriptionResult,
  Subscription,
  SubscriptionInput,
  SubscriptionStatus,
} from './subscription-schemas';
import {
  getSubscription,
  listSubscriptions,
  recordSubscription,
  updateSubscriptionStatus,
  type StatusChangeResult,
} from './subscriptions';
import { ensureTenant, getStripeCustomer, keepStripeCustomer } from './tenants';
import { orderHoldings, type OrderHolding } from './order-holdings';
import {
  getReconcileRun,
  listReconcileRuns,
  recordReconcileRun,
  type NewReconcileRun,
  type ReconcileRun,
  type ReconcileRunPage,
  type ReconcileRunPageOptions,
} from './reconcile-runs';
import {
  disputeEvents,
  orderIdByPaymentIntent,
  paymentEventRecorded,
  recordPaymentEvent,
  type PaymentEventRecord,
} from './payment-events';
import {
  getOrder,
  listOrdersSince,
  recordOrder,
  updateOrderState,
  type NewOrder,
  type OrderRow,
  type OrderStateChange,
  type RecordOrderResult,
} from './orders';
import type {
  ApplyUpgradeInput,
  ChangeOutcomeInput,
  RequestChangeInput,
  RequestChangeResult,
  RevertUpgradeInput,
  SavePaymentMethodInput,
  SchedulePendingChangeInput,
  SubscriptionChange,
  WithdrawPendingChangeInput,
} from './subscription-change-schemas';
import {
  applyUpgrade,
  getChange,
  listChanges,
  recordChangeOutcome,
  requestChange,
  revertUpgrade,
  savePaymentMethod,
  schedulePendingChange,
  withdrawPendingChange,
} from './subscription-changes';

/** The license ledger: the system of record of subscriptions, seats and grants. */
export interface Ledger {
  readonly db: SqlDb;
  /** How long licenses outlive an unpaid period end (the entitlement rule's grace). */
  readonly graceMs: number;
  ensureTenant(tenantId: string): Promise<void>;
  /**
   * With `paidPeriod`, the period the capture paid, and with `orderState`, the order's
   * mirrored state, are recorded in the same transaction.
   */
  recordSubscription(
    sub: SubscriptionInput,
    options?: { paidPeriod?: FirstPaidPeriodInput; orderState?: OrderStateChange },
  ): Promise<RecordSubscriptionResult>;
  /** An order's grant step (order state, pending subscription, seats, grants) in one transaction. */
  grantOrder(input: GrantOrderInput): Promise<ApplyGrantsResult>;
  updateSubscriptionStatus(
    id: string,
    status: SubscriptionStatus,
    options?: { orderId?: string; reason?: string },
  ): Promise<StatusChangeResult>;
  getSubscription(id: string): Promise<Subscription | null>;
  listSubscriptions(tenantId: string): Promise<Subscription[]>;
  assignSeats(input: AssignSeatsInput): Promise<AssignSeatsResult>;
  releaseSeats(input: ReleaseSeatsInput): Promise<ReleaseSeatsResult>;
  applyGrants(input: ApplyGrantsInput): Promise<ApplyGrantsResult>;
  revokeGrants(input: RevokeGrantsInput): Promise<RevokeGrantsResult>;
  /** Subscription changes a client asks for (src/ledger/subscription-changes.ts). */
  requestChange(input: RequestChangeInput): Promise<RequestChangeResult>;
  getChange(subscriptionId: string, changeId: string): Promise<SubscriptionChange | null>;
  listChanges(subscriptionId: string): Promise<SubscriptionChange[]>;
  recordChangeOutcome(input: ChangeOutcomeInput): Promise<SubscriptionChange>;
  schedulePendingChange(input: SchedulePendingChangeInput): Promise<Subscription>;
  withdrawPendingChange(input: WithdrawPendingChangeInput): Promise<Subscription>;
  applyUpgrade(input: ApplyUpgradeInput): Promise<ApplyGrantsResult>;
  revertUpgrade(input: RevertUpgradeInput): Promise<void>;
  seatedUsers(subscriptionId: string): Promise<string[]>;
  savePaymentMethod(input: SavePaymentMethodInput): Promise<Subscription>;
  /** Subscriptions in force whose period ended by `asOf` (the caller's clock), by pages. */
  dueSubscriptions(query: DueQuery): Promise<DuePage>;
  recordPaidPeriod(input: PaidPeriodInput, grantsFor?: GrantsFor): Promise<PaidPeriodResult>;
  applyPeriodEndChange(
    input: PeriodEndChangeInput,
    grantsFor: GrantsFor,
  ): Promise<PeriodEndChangeResult>;
  endSubscription(input: EndSubscriptionInput): Promise<EndSubscriptionResult>;
  tenantEntitlements(tenantId: string): Promise<TenantEntitlements>;
  tenantEntitlementsPage(
    tenantId: string,
    options?: TenantEntitlementsPageOptions,
  ): Promise<TenantEntitlements & { nextAfter: string | null }>;
  userEntitlements(tenantId: string, userId: string): Promise<UserEntitlements>;
  seatUsage(tenantId: string): Promise<PlanSeatUsage[]>;
  grantHistory(tenantId: string, options?: GrantHistoryOptions): Promise<GrantHistoryPage>;
  pendingEvents(limit?: number): Promise<LicenseEvent[]>;
  recordOrder(order: NewOrder): Promise<RecordOrderResult>;
  getOrder(orderId: string): Promise<OrderRow | null>;
  updateOrderState(change: OrderStateChange): Promise<void>;
  listOrdersSince(since: string): Promise<OrderRow[]>;
  /** Stripe events applied to the ledger (refunds and disputes), once each by event id. */
  paymentEventRecorded(stripeEventId: string): Promise<boolean>;
  recordPaymentEvent(event: PaymentEventRecord): Promise<void>;
  disputeEvents(disputeId: string): Promise<string[]>;
  orderIdByPaymentIntent(paymentIntentId: string): Promise<string | null>;
  /** Orders changed since `since` with what they hold (reconciliation). */
  orderHoldings(since: string): Promise<OrderHolding[]>;
  /** Each reconciliation's report, for ops to list (once per run id). */
  recordReconcileRun(run: NewReconcileRun): Promise<ReconcileRun>;
  listReconcileRuns(options?: ReconcileRunPageOptions): Promise<ReconcileRunPage>;
  getReconcileRun(idOrRunId: string): Promise<ReconcileRun | null>;
  /** The tenant's Stripe customer, kept here rather than behind a 24-hour idempotency key. */
  getStripeCustomer(tenantId: string): Promise<string | null>;
  keepStripeCustomer(tenantId: string, customerId: string): Promise<string>;
  markEventsPublished(ids: string[]): Promise<number>;
  /** Resolves when the database answers (health checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface LedgerOptions {
  /** How long licenses outlive an unpaid period end (default 7 days). */
  graceMs?: number;
}

/** A ledger over a migrated database. */
export function createLedger(db: SqlDb, options: LedgerOptions = {}): Ledger {
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  return {
    db,
    graceMs,
    ensureTenant: (tenantId) => ensureTenant(db, tenantId),
    recordSubscription: (sub, options) => recordSubscription(db, sub, options),
    grantOrder: (input) => grantOrder(db, input),
    updateSubscriptionStatus: (id, status, options) =>
      updateSubscriptionStatus(db, id, status, options),
    getSubscription: (id) => getSubscription(db, id),
    listSubscriptions: (tenantId) => listSubscriptions(db, tenantId),
    assignSeats: (input) => assignSeats(db, input),
    releaseSeats: (input) => releaseSeats(db, input),
    applyGrants: (input) => applyGrants(db, input),
    revokeGrants: (input) => revokeGrants(db, input),
    requestChange: (input) => requestChange(db, input),
    getChange: (subscriptionId, changeId) => getChange(db, subscriptionId, changeId),
    listChanges: (subscriptionId) => listChanges(db, subscriptionId),
    recordChangeOutcome: (input) => recordChangeOutcome(db, input),
    schedulePendingChange: (input) => schedulePendingChange(db, input),
    withdrawPendingChange: (input) => withdrawPendingChange(db, input),
    applyUpgrade: (input) => applyUpgrade(db, input),
    revertUpgrade: (input) => revertUpgrade(db, input),
    seatedUsers: (subscriptionId) => seatedUsers(db, subscriptionId),
    savePaymentMethod: (input) => savePaymentMethod(db, input),
    tenantEntitlements: (tenantId) => tenantEntitlements(db, tenantId, graceMs),
    tenantEntitlementsPage: (tenantId, options) =>
      tenantEntitlementsPage(db, tenantId, options, graceMs),
    userEntitlements: (tenantId, userId) => userEntitlements(db, tenantId, userId, graceMs),
    dueSubscriptions: (query) => dueSubscriptions(db, query),
    recordPaidPeriod: (input, grantsFor) => recordPaidPeriod(db, input, grantsFor),
    applyPeriodEndChange: (input, grantsFor) => applyPeriodEndChange(db, input, grantsFor),
    endSubscription: (input) => endSubscription(db, input),
    seatUsage: (tenantId) => seatUsage(db, tenantId),
    grantHistory: (tenantId, options) => grantHistory(db, tenantId, options),
    pendingEvents: (limit) => pendingEvents(db, limit),
    markEventsPublished: (ids) => markEventsPublished(db, ids),
    recordOrder: (order) => recordOrder(db, order),
    getOrder: (orderId) => getOrder(db, orderId),
    updateOrderState: (change) => updateOrderState(db, change),
    listOrdersSince: (since) => listOrdersSince(db, since),
    orderHoldings: (since) => orderHoldings(db, since, graceMs),
    recordReconcileRun: (run) => recordReconcileRun(db, run),
    listReconcileRuns: (options) => listReconcileRuns(db, options),
    getReconcileRun: (idOrRunId) => getReconcileRun(db, idOrRunId),
    paymentEventRecorded: (id) => paymentEventRecorded(db, id),
    recordPaymentEvent: (event) => recordPaymentEvent(db, event),
    disputeEvents: (disputeId) => disputeEvents(db, disputeId),
    orderIdByPaymentIntent: (id) => orderIdByPaymentIntent(db, id),
    getStripeCustomer: (tenantId) => getStripeCustomer(db, tenantId),
    keepStripeCustomer: (tenantId, customerId) => keepStripeCustomer(db, tenantId, customerId),
    ping: async () => {
      await db.query('SELECT 1');
    },
    close: () => db.close(),
  };
}

/** Opens the database (PostgreSQL or PGlite), applies pending migrations, returns the ledger. */
export async function openLedger(
  options: OpenDatabaseOptions & LedgerOptions = {},
): Promise<Ledger> {
  const db = await openDatabase(options);
  try {
    await migrate(db);
  } catch (error: unknown) {
    await db.close();
    throw error;
  }
  return createLedger(db, { graceMs: options.graceMs });
}
