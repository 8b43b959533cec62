/** The license ledger's public surface: the ledger, its engines, and the types it speaks. */
export { createLedger, openLedger, type Ledger, type LedgerOptions } from './ledger';
export * from './orders';
export type { GrantOrderInput } from './order-grants';
export type { OrderHolding } from './order-holdings';
export type { PaymentEventRecord } from './payment-events';
export { openDatabase, type OpenDatabaseOptions } from './open-database';
export { migrate, type MigrationReport } from './migrate';
export type { SqlDb, SqlExecutor } from './sql-db';
export { LedgerError, isLedgerError, LEDGER_ERROR_CODES, type LedgerErrorCode } from './errors';
export * from './grant-spec';
export * from './grant-schemas';
export * from './seat-schemas';
export * from './subscription-schemas';
export * from './renewal-schemas';
export * from './entitlement-schemas';
export * from './event-schemas';
export type { StatusChangeResult } from './subscriptions';
export {
  acquireLease,
  dueDeliveries,
  enqueueDeliveries,
  listDeliveries,
  recordAttempt,
  redeliver,
  releaseLease,
  deliveryStatusSchema,
  type DeliveryFilter,
  type DeliveryStatus,
  type DueDelivery,
  type EventDelivery,
} from './event-deliveries';
export { tenantVersions, type TenantVersion } from './tenant-versions';
export * from './subscription-change-schemas';
export { changeFingerprint } from './subscription-changes';
