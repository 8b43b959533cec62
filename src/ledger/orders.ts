import { createHash } from 'node:crypto';
import { z } from 'zod';
import { LedgerError, parseInput } from './errors';
import { isoTimestamp, ledgerId } from './ids';
import { usersHeldElsewhere } from './seats';
import type { SqlExecutor } from './sql-db';

/**
 * Orders outlive Temporal's retention here: the row is written at checkout before the
 * workflow starts, keyed by the client's order id forever, with a fingerprint of the
 * normalized request, and the workflow mirrors its state into it as it goes.
 */
export const FINAL_ORDER_STATES = ['completed', 'declined', 'compensated'] as const;

export const newOrderSchema = z.object({
  orderId: ledgerId,
  tenantId: ledgerId,
  kind: z.enum(['plan', 'addon']),
  productKey: ledgerId,
  amount: z.number().int().min(0),
  currency: z.string().min(3).max(3),
  subscriptionId: ledgerId,
  /** The normalized request (the caller sorts what is a set): compared field by field. */
  request: z.record(z.string(), z.unknown()),
  /**
   * The users a plan order will seat: when any of them holds the plan through another
   * subscription than the order's, the order is refused (LEDGER.PLAN_ALREADY_ASSIGNED,
   * naming `assignTo`) and nothing is written, so checkout refuses before any card is held.
   */
  assigns: z.object({ plan: ledgerId, userIds: z.array(z.string().min(1)) }).optional(),
});
export type NewOrder = z.input<typeof newOrderSchema>;

export const orderRowSchema = z.object({
  orderId: z.string(),
  tenantId: z.string(),
  kind: z.enum(['plan', 'addon']),
  productKey: z.string(),
  amount: z.coerce.number(),
  currency: z.string(),
  fingerprint: z.string(),
  request: z.record(z.string(), z.unknown()),
  state: z.string(),
  status: z.record(z.string(), z.unknown()).nullable(),
  subscriptionId: z.string(),
  paymentIntentId: z.string().nullable(),
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
});
export type OrderRow = z.infer<typeof orderRowSchema>;

const COLUMNS = `order_id AS "orderId", tenant_id AS "tenantId", kind, product_key AS "productKey",
  amount, currency, fingerprint, request, state, status, subscription_id AS "subscriptionId",
  payment_intent_id AS "paymentIntentId", created_at AS "createdAt", updated_at AS "updatedAt"`;

export interface RecordOrderResult {
  /** `existing`: the same request was placed before; the stored order is returned. */
  outcome: 'created' | 'existing';
  order: OrderRow;
}

/**
 * Writes the order at checkout, or finds it: the same id with the same request is the
 * same order, forever; with any other value it is LEDGER.ORDER_CONFLICT naming the
 * differing fields, and never their stored values (they may be another tenant's).
 */
export async function recordOrder(db: SqlExecutor, input: NewOrder): Promise<RecordOrderResult> {
  const order = parseInput(newOrderSchema, input);
  const fingerprint = fingerprintOf(order.request);
  const assigns = order.assigns?.userIds.length ? order.assigns : undefined;
  // One statement (the users who hold the plan already, the tenant and the order
  // together), so checkout waits on one round trip; the tenant and the order are written
  // only when no one holds the plan, and the order's foreign key is checked at the
  // statement's end, when the tenant is there.
  const [row] = await db.query<{ holders: string[] | null; orderId: string | null }>(
    `WITH holders AS (
       ${usersHeldElsewhere({ tenant: '$2', plan: '$10', users: '$11', subscription: '$9' })}
     ), tenant AS (
       INSERT INTO tenants (id) SELECT $2 WHERE NOT EXISTS (SELECT FROM holders)
       ON CONFLICT (id) DO NOTHING
     ), inserted AS (
       INSERT INTO orders (order_id, tenant_id, kind, product_key, amount, currency,
         fingerprint, request, state, subscription_id)
       SELECT $1, $2, $3, $4, $5::bigint, $6, $7, $8::text::jsonb, 'received', $9
        WHERE NOT EXISTS (SELECT FROM holders)
       ON CONFLICT (order_id) DO NOTHING
       RETURNING ${COLUMNS}
     )
     SELECT (SELECT array_agg(user_id ORDER BY user_id COLLATE "C") FROM holders) AS holders,
            inserted.*
       FROM (SELECT) AS one LEFT JOIN inserted ON true`,
    [
      order.orderId,
      order.tenantId,
      order.kind,
      order.productKey,
      order.amount,
      order.currency,
      fingerprint,
      JSON.stringify(order.request),
      order.subscriptionId,
      assigns?.plan ?? null,
      assigns?.userIds ?? [],
    ],
  );
  if (assigns && row?.holders?.length) {
    throw new LedgerError(
      'LEDGER.PLAN_ALREADY_ASSIGNED',
      `already hold ${assigns.plan}: ${row.holders.slice(0, 5).join(', ')}`,
      'assignTo',
    );
  }
  if (row?.orderId) return { outcome: 'created', order: orderRowSchema.parse(row) };
  const existing = await getOrder(db, order.orderId);
  if (!existing) throw new Error(`order ${order.orderId} vanished while being recorded`);
  if (existing.fingerprint !== fingerprint) {
    const fields = differingFields(existing.request, order.request);
    throw new LedgerError(
      'LEDGER.ORDER_CONFLICT',
      `order ${order.orderId} was placed before with other values of: ${fields.join(', ')}`,
      fields[0] ?? 'orderId',
    );
  }
  return { outcome: 'existing', order: existing };
}

export async function getOrder(db: SqlExecutor, orderId: string): Promise<OrderRow | null> {
  const rows = await db.query(`SELECT ${COLUMNS} FROM orders WHERE order_id = $1`, [
    parseInput(ledgerId, orderId),
  ]);
  return rows.length > 0 ? orderRowSchema.parse(rows[0]) : null;
}

export const orderStateChangeSchema = z.object({
  orderId: ledgerId,
  state: z.string().regex(/^[a-z-]{1,40}$/),
  /** The workflow's status as it reported it, answered after Temporal's retention. */
  status: z.record(z.string(), z.unknown()).optional(),
  paymentIntentId: z.string().min(1).optional(),
});
export type OrderStateChange = z.input<typeof orderStateChangeSchema>;

/**
 * Mirrors the workflow's state. A final state is never left: a late retry of an earlier
 * step's activity cannot move a finished order back.
 */
export async function updateOrderState(db: SqlExecutor, input: OrderStateChange): Promise<void> {
  const change = parseInput(orderStateChangeSchema, input);
  // Nothing reads its rows: in a transaction it travels with the next statement or COMMIT.
  await db.deferWrite(
    `UPDATE orders SET state = $2, status = coalesce($3::text::jsonb, status),
       payment_intent_id = coalesce($4, payment_intent_id), updated_at = now()
     WHERE order_id = $1 AND (state <> ALL ($5::text[]) OR state = $2)`,
    [
      change.orderId,
      change.state,
      change.status === undefined ? null : JSON.stringify(change.status),
      change.paymentIntentId ?? null,
      FINAL_ORDER_STATES,
    ],
  );
}

/** Orders changed since `since`, oldest first (reconciliation). */
export async function listOrdersSince(db: SqlExecutor, since: string): Promise<OrderRow[]> {
  const rows = await db.query(
    `SELECT ${COLUMNS} FROM orders WHERE updated_at >= $1::timestamptz ORDER BY created_at, order_id`,
    [since],
  );
  return rows.map((row) => orderRowSchema.parse(row));
}

/** sha256 of the request's canonical JSON (keys sorted at every level). */
export function fingerprintOf(request: unknown): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Paths of the leaves that differ (arrays compare whole): `seats`, `customer.email`. */
export function differingFields(stored: unknown, requested: unknown, path = ''): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObject(stored) && isObject(requested)) {
    const keys = [...new Set([...Object.keys(stored), ...Object.keys(requested)])].sort();
    return keys.flatMap((key) =>
      differingFields(stored[key], requested[key], path ? `${path}.${key}` : key),
    );
  }
  return canonicalJson(stored) === canonicalJson(requested) ? [] : [path || 'request'];
}
