import { initialSchema } from './0001-initial-schema';
import { userEntitlementsFunction } from './0002-user-entitlements-function';
import { subscriptionLifecycle } from './0003-subscription-lifecycle';
import { paidLicensesAndOrders } from './0006-paid-licenses-and-orders';
import { eventDeliveries } from './0008-event-deliveries';
import { tenantVersions } from './0009-tenant-versions';
import { reconcileRuns } from './0010-reconcile-runs';
import type { Migration } from './migration';

/** Every migration, in the order they apply. Append; never reorder or edit. */
export const migrations: readonly Migration[] = [
  initialSchema,
  userEntitlementsFunction,
  subscriptionLifecycle,
  paidLicensesAndOrders,
  eventDeliveries,
  tenantVersions,
  reconcileRuns,
];
