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
import { tenantEntitlements, userEntitlements } from './entitlements';
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
  seatedUsers,
} from './renewals';
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
  /** Subscriptions in force whose period ended by `asOf` (the caller's clock), by pages. */
  dueSubscriptions(query: DueQuery): Promise<DuePage>;
  seatedUsers(subscriptionId: string): Promise<string[]>;
  recordPaidPeriod(input: PaidPeriodInput, grantsFor?: GrantsFor): Promise<PaidPeriodResult>;
  applyPeriodEndChange(
    input: PeriodEndChangeInput,
    grantsFor: GrantsFor,
  ): Promise<PeriodEndChangeResult>;
  endSubscription(input: EndSubscriptionInput): Promise<EndSubscriptionResult>;
  tenantEntitlements(tenantId: string): Promise<TenantEntitlements>;
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
    dueSubscriptions: (query) => dueSubscriptions(db, query),
    seatedUsers: (subscriptionId) => seatedUsers(db, subscriptionId),
    recordPaidPeriod: (input, grantsFor) => recordPaidPeriod(db, input, grantsFor),
    applyPeriodEndChange: (input, grantsFor) => applyPeriodEndChange(db, input, grantsFor),
    endSubscription: (input) => endSubscription(db, input),
    tenantEntitlements: (tenantId) => tenantEntitlements(db, tenantId),
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
