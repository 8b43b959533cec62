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
  tenantEntitlements,
  tenantEntitlementsPage,
  userEntitlements,
  type TenantEntitlementsPageOptions,
} from './entitlements';
import { migrate } from './migrate';
import { openDatabase, type OpenDatabaseOptions } from './open-database';
import { markEventsPublished, pendingEvents } from './outbox';
import type {
  AssignSeatsInput,
  AssignSeatsResult,
  PlanSeatUsage,
  ReleaseSeatsInput,
  ReleaseSeatsResult,
} from './seat-schemas';
import { assignSeats, releaseSeats, seatUsage } from './seats';
import type { SqlDb } from './sql-db';
import type {
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
import { ensureTenant } from './tenants';
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
  seatedUsers,
  withdrawPendingChange,
} from './subscription-changes';

/** The license ledger: the system of record of subscriptions, seats and grants. */
export interface Ledger {
  readonly db: SqlDb;
  ensureTenant(tenantId: string): Promise<void>;
  recordSubscription(sub: SubscriptionInput): Promise<RecordSubscriptionResult>;
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
  tenantEntitlements(tenantId: string): Promise<TenantEntitlements>;
  tenantEntitlementsPage(
    tenantId: string,
    options?: TenantEntitlementsPageOptions,
  ): Promise<TenantEntitlements & { nextAfter: string | null }>;
  userEntitlements(tenantId: string, userId: string): Promise<UserEntitlements>;
  seatUsage(tenantId: string): Promise<PlanSeatUsage[]>;
  grantHistory(tenantId: string, options?: GrantHistoryOptions): Promise<GrantHistoryPage>;
  pendingEvents(limit?: number): Promise<LicenseEvent[]>;
  markEventsPublished(ids: string[]): Promise<number>;
  /** Resolves when the database answers (health checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A ledger over a migrated database. */
export function createLedger(db: SqlDb): Ledger {
  return {
    db,
    ensureTenant: (tenantId) => ensureTenant(db, tenantId),
    recordSubscription: (sub) => recordSubscription(db, sub),
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
    tenantEntitlements: (tenantId) => tenantEntitlements(db, tenantId),
    tenantEntitlementsPage: (tenantId, options) => tenantEntitlementsPage(db, tenantId, options),
    userEntitlements: (tenantId, userId) => userEntitlements(db, tenantId, userId),
    seatUsage: (tenantId) => seatUsage(db, tenantId),
    grantHistory: (tenantId, options) => grantHistory(db, tenantId, options),
    pendingEvents: (limit) => pendingEvents(db, limit),
    markEventsPublished: (ids) => markEventsPublished(db, ids),
    ping: async () => {
      await db.query('SELECT 1');
    },
    close: () => db.close(),
  };
}

/** Opens the database (PostgreSQL or PGlite), applies pending migrations, returns the ledger. */
export async function openLedger(options: OpenDatabaseOptions = {}): Promise<Ledger> {
  const db = await openDatabase(options);
  try {
    await migrate(db);
  } catch (error: unknown) {
    await db.close();
    throw error;
  }
  return createLedger(db);
}
