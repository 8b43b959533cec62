import { z } from 'zod';
import { parseInput } from './errors';
import { isoTimestamp, ledgerId } from './ids';
import type { SqlExecutor } from './sql-db';
import { IN_FORCE_STATUSES } from './subscription-schemas';

export const tenantVersionSchema = z.object({
  tenantId: z.string(),
  /** Bumped by every committed change to the tenant's grants, subscriptions or seats. */
  version: z.coerce.number().int(),
  /**
   * The earliest current period end among its subscriptions in force: entitlements can
   * change with time alone from then on (a period that lapses unpaid), without a write.
   */
  nextPeriodEnd: isoTimestamp.nullable(),
});
export type TenantVersion = z.infer<typeof tenantVersionSchema>;

const idsSchema = z.array(ledgerId).max(10_000);

/**
 * Versions of the given tenants, read in one statement (a tenant nothing was ever
 * written for has version 0 and is left out of the answer).
 */
export async function tenantVersions(
  db: SqlExecutor,
  tenantIds: string[],
): Promise<TenantVersion[]> {
  const ids = parseInput(idsSchema, tenantIds);
  if (ids.length === 0) return [];
  const rows = await db.query(
    `SELECT v.tenant_id AS "tenantId", v.version,
            (SELECT min(s.current_period_end) FROM subscriptions s
              WHERE s.tenant_id = v.tenant_id AND s.status = ANY ($2::text[])) AS "nextPeriodEnd"
       FROM tenant_versions v WHERE v.tenant_id = ANY ($1::text[])`,
    [ids, IN_FORCE_STATUSES],
  );
  return rows.map((row) => tenantVersionSchema.parse(row));
}
