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

/** The tenant's Stripe customer, once one was created for it. */
export async function getStripeCustomer(db: SqlExecutor, tenantId: string): Promise<string | null> {
  const rows = await db.query<{ customer: string | null }>(
    'SELECT stripe_customer_id AS customer FROM tenants WHERE id = $1',
    [parseInput(ledgerId, tenantId)],
  );
  return rows[0]?.customer ?? null;
}

/**
 * Keeps the tenant's Stripe customer. The first one stored stays: a second customer
 * created by a race is never swapped in, and the stored one is returned to use.
 */
export async function keepStripeCustomer(
  db: SqlExecutor,
  tenantId: string,
  customerId: string,
): Promise<string> {
  const id = parseInput(ledgerId, tenantId);
  // One statement: the row as it is after the upsert is the customer kept.
  const [row] = await db.query<{ customer: string | null }>(
    `INSERT INTO tenants (id, stripe_customer_id) VALUES ($1, $2)
     ON CONFLICT (id) DO UPDATE SET stripe_customer_id = coalesce(tenants.stripe_customer_id, $2)
     RETURNING stripe_customer_id AS customer`,
    [id, customerId],
  );
  return row?.customer ?? customerId;
}
