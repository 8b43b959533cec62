/** The license ledger's public surface: the ledger, its engines, and the types it speaks. */
export { createLedger, openLedger, type Ledger } from './ledger';
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
