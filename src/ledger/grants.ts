import type { z } from 'zod';
import { parseInput } from './errors';
import { grantHistoryEntrySchema } from './grant-schemas';
import {
  applyGrantsInputSchema,
  grantHistoryOptionsSchema,
  revokeGrantsInputSchema,
  type ApplyGrantsInput,
  type ApplyGrantsResult,
  type GrantHistoryOptions,
  type GrantHistoryPage,
  type RevokeGrantsInput,
  type RevokeGrantsResult,
} from './grant-schemas';
import type { GrantSpec } from './grant-spec';
import { ledgerId } from './ids';
import { writeEvents, type EventSink, type NewEvent } from './outbox-write';
import type { SqlDb, SqlExecutor } from './sql-db';
import { requireTenant } from './tenants';

interface GrantRow {
  id: string | number;
  subjectType: string;
  subjectId: string;
  feature: string;
  kind: string;
  grantedAt: unknown;
}

const RETURNED = `id, subject_type AS "subjectType", subject_id AS "subjectId", feature, kind,
  granted_at AS "grantedAt"`;

/**
 * Grants and revocations of one subscription run one at a time (a transaction-scoped
 * advisory lock), so a revocation never misses grants committed while it ran.
 */
export async function lockSource(tx: SqlExecutor, subscriptionId: string): Promise<void> {
  await tx.query(
    `SELECT pg_advisory_xact_lock(hashtext('provisioner.ledger.grants'), hashtext($1))`,
    [subscriptionId],
  );
}

/** RETURNING has no guaranteed order; events follow the grants' order. */
function byId<Row extends GrantRow>(rows: Row[]): Row[] {
  return [...rows].sort((a, b) => Number(a.id) - Number(b.id));
}

function uniqueSpecs(specs: GrantSpec[]): GrantSpec[] {
  const byKey = new Map<string, GrantSpec>();
  for (const spec of specs)
    byKey.set(`${spec.subject.type}:${spec.subject.id}:${spec.feature}`, spec);
  return [...byKey.values()];
}

function licenseEvent(
  type: 'license.granted' | 'license.revoked',
  call: { tenantId: string; subscriptionId: string; orderId: string },
  productKey: string,
  row: GrantRow,
  extra: Record<string, unknown> = {},
): NewEvent {
  return {
    tenantId: call.tenantId,
    type,
    payload: {
      grantId: String(row.id),
      subject: { type: row.subjectType, id: row.subjectId },
      feature: row.feature,
      kind: row.kind,
      subscriptionId: call.subscriptionId,
      productKey,
      ...extra,
    },
    orderId: call.orderId,
    // A grant row is inserted once and revoked once: its id keys both of its events.
    idempotencyKey: `${type}:${row.id}`,
  };
}

/**
 * Grants features from one source subscription, with one outbox event per new grant, in
 * one transaction. Idempotent: a feature the subject already holds from this
 * subscription is counted as present (the partial unique index settles concurrent calls),
 * and a grant this order made and that was revoked since is not made again.
 */
export async function applyGrants(db: SqlDb, input: ApplyGrantsInput): Promise<ApplyGrantsResult> {
  const call = parseInput(applyGrantsInputSchema, input);
  return db.transaction(async (tx) => {
    await tx.query('INSERT INTO tenants (id) VALUES ($1) ON CONFLICT (id) DO NOTHING', [
      call.tenantId,
    ]);
    return applyGrantsIn(tx, call);
  });
}

/**
 * `applyGrants` inside the caller's transaction, with its input already parsed and its
 * tenant already recorded.
 */
export async function applyGrantsIn(
  tx: SqlExecutor,
  call: z.output<typeof applyGrantsInputSchema>,
  emit: EventSink = writeEvents,
): Promise<ApplyGrantsResult> {
  const specs = uniqueSpecs(call.grants);
  const rows = specs.map((spec) => ({
    subjectType: spec.subject.type,
    subjectId: spec.subject.id,
    feature: spec.feature,
    kind: spec.kind,
  }));
  // The check and the insert are issued with the lock and run once it is held (one round
  // trip on PGlite): the insert grants nothing to an order whose grants were revoked.
  const [, revoked, inserted] = await Promise.all([
    lockSource(tx, call.subscriptionId),
    tx.query('SELECT 1 FROM grant_revocations WHERE subscription_id = $1 AND order_id = $2', [
      call.subscriptionId,
      call.orderId,
    ]),
    tx.query<GrantRow>(
      `INSERT INTO grants (tenant_id, subject_type, subject_id, feature, kind,
         source_subscription_id, source_product_key, granted_by_order_id)
       SELECT $1, g."subjectType", g."subjectId", g.feature, g.kind, $2, $3, $4
         FROM jsonb_to_recordset($5::text::jsonb)
           AS g("subjectType" text, "subjectId" text, feature text, kind text)
        WHERE NOT EXISTS (
          SELECT 1 FROM grants x
           WHERE x.source_subscription_id = $2 AND x.granted_by_order_id = $4
             AND x.tenant_id = $1 AND x.subject_type = g."subjectType"
             AND x.subject_id = g."subjectId" AND x.feature = g.feature)
          AND NOT EXISTS (
          SELECT 1 FROM grant_revocations r WHERE r.subscription_id = $2 AND r.order_id = $4)
       ON CONFLICT (tenant_id, subject_type, subject_id, feature, source_subscription_id)
         WHERE revoked_at IS NULL DO NOTHING
       RETURNING ${RETURNED}`,
      [call.tenantId, call.subscriptionId, call.productKey, call.orderId, JSON.stringify(rows)],
    ),
  ]);
  if (revoked.length > 0) return { inserted: 0, alreadyPresent: 0, orderRevoked: true };

  await emit(
    tx,
    byId(inserted).map((row) => licenseEvent('license.granted', call, call.productKey, row)),
  );
  return {
    inserted: inserted.length,
    alreadyPresent: specs.length - inserted.length,
    orderRevoked: false,
  };
}

/**
 * Revokes every active grant of one source subscription: the compensation of the order
 * that granted them, or a cancellation. Features other subscriptions grant are other
 * rows and stay. Idempotent per (subscription, order).
 */
export async function revokeGrants(
  db: SqlDb,
  input: RevokeGrantsInput,
): Promise<RevokeGrantsResult> {
  return revokeFromSource(db, input, false);
}

/**
 * Revokes only the grants one order (or subscription change) made on a source: the undo
 * of an upgrade, which must leave what the purchase granted. Idempotent per
 * (subscription, order), and a late `applyGrants` of that order grants nothing after it.
 */
export async function revokeOrderGrants(
  db: SqlDb,
  input: RevokeGrantsInput,
): Promise<RevokeGrantsResult> {
  return revokeFromSource(db, input, true);
}

async function revokeFromSource(
  db: SqlDb,
  input: RevokeGrantsInput,
  onlyThisOrder: boolean,
): Promise<RevokeGrantsResult> {
  const call = parseInput(revokeGrantsInputSchema, input);
  return db.transaction(async (tx) => {
    await tx.query('INSERT INTO tenants (id) VALUES ($1) ON CONFLICT (id) DO NOTHING', [
      call.tenantId,
    ]);
    await lockSource(tx, call.subscriptionId);
    const first = await tx.query(
      `INSERT INTO grant_revocations (subscription_id, order_id, tenant_id, reason, revoked_count)
       VALUES ($1, $2, $3, $4, 0) ON CONFLICT (subscription_id, order_id) DO NOTHING
       RETURNING 1`,
      [call.subscriptionId, call.orderId, call.tenantId, call.reason],
    );
    if (first.length === 0) return { revoked: 0, repeated: true };

    const revoked = await tx.query<GrantRow & { productKey: string }>(
      `UPDATE grants SET revoked_at = now(), revoked_by_order_id = $3, revoke_reason = $4
        WHERE tenant_id = $1 AND source_subscription_id = $2 AND revoked_at IS NULL
          AND (NOT $5::boolean OR granted_by_order_id = $3)
        RETURNING ${RETURNED}, source_product_key AS "productKey"`,
      [call.tenantId, call.subscriptionId, call.orderId, call.reason, onlyThisOrder],
    );
    await tx.query(
      'UPDATE grant_revocations SET revoked_count = $3 WHERE subscription_id = $1 AND order_id = $2',
      [call.subscriptionId, call.orderId, revoked.length],
    );
    await writeEvents(
      tx,
      byId(revoked).map((row) =>
        licenseEvent('license.revoked', call, row.productKey, row, { reason: call.reason }),
      ),
    );
    return { revoked: revoked.length, repeated: false };
  });
}

/**
 * Revokes the user features a subscription granted to users whose seats it released,
 * in the caller's transaction (a seat is what gives its user the plan's features).
 */
export async function revokeUserGrantsFromSource(
  tx: SqlExecutor,
  call: { tenantId: string; subscriptionId: string; orderId: string; reason: string },
  userIds: string[],
): Promise<number> {
  if (userIds.length === 0) return 0;
  await lockSource(tx, call.subscriptionId);
  const revoked = await tx.query<GrantRow & { productKey: string }>(
    `UPDATE grants SET revoked_at = now(), revoked_by_order_id = $3, revoke_reason = $4
      WHERE tenant_id = $1 AND source_subscription_id = $2 AND revoked_at IS NULL
        AND subject_type = 'user' AND subject_id = ANY($5::text[])
      RETURNING ${RETURNED}, source_product_key AS "productKey"`,
    [call.tenantId, call.subscriptionId, call.orderId, call.reason, userIds],
  );
  await writeEvents(
    tx,
    byId(revoked).map((row) =>
      licenseEvent('license.revoked', call, row.productKey, row, { reason: call.reason }),
    ),
  );
  return revoked.length;
}

/** Every grant of a tenant with who granted and who revoked it, oldest first, by pages. */
export async function grantHistory(
  db: SqlExecutor,
  tenantId: string,
  options: GrantHistoryOptions = {},
): Promise<GrantHistoryPage> {
  const id = parseInput(ledgerId, tenantId);
  const page = parseInput(grantHistoryOptionsSchema, options);
  await requireTenant(db, id);
  const rows = await db.query(
    `SELECT id AS "grantId", subject_type AS "subjectType", subject_id AS "subjectId", feature,
            kind, source_subscription_id AS "sourceSubscriptionId",
            source_product_key AS "sourceProductKey", granted_at AS "grantedAt",
            granted_by_order_id AS "grantedByOrderId", revoked_at AS "revokedAt",
            revoked_by_order_id AS "revokedByOrderId", revoke_reason AS "revokeReason"
       FROM grants
      WHERE tenant_id = $1 AND id > $2::bigint
      ORDER BY id
      LIMIT $3`,
    [id, page.after ?? '0', page.limit + 1],
  );
  const entries = rows.slice(0, page.limit).map((row) => grantHistoryEntrySchema.parse(row));
  const more = rows.length > page.limit;
  return { entries, nextCursor: more ? entries[entries.length - 1].grantId : null };
}
