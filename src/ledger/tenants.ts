import { LedgerError, parseInput } from './errors';
import { ledgerId } from './ids';
import type { SqlExecutor } from './sql-db';

/** Idempotent: the tenant id is its own key. */
export async function ensureTenant(db: SqlExecutor, tenantId: string): Promise<void> {
  const id = parseInput(ledgerId, tenantId);
  await db.query('INSERT INTO tenants (id) VALUES ($1) ON CONFLICT (id) DO NOTHING', [id]);
}

export async function requireTenant(db: SqlExecutor, tenantId: string): Promise<void> {
  const rows = await db.query('SELECT 1 FROM tenants WHERE id = $1', [tenantId]);
  if (rows.length === 0) {
    throw new LedgerError('LEDGER.TENANT_NOT_FOUND', `tenant ${tenantId} is unknown`, 'tenantId');
  }
}
