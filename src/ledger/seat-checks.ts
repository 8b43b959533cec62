import { parseInput } from './errors';
import { ledgerId } from './ids';
import type { SqlExecutor } from './sql-db';

/**
 * Which of `userIds` hold `plan` in the tenant through a subscription other than
 * `exceptSubscriptionId` (the order's own, when it is placed again): checkout refuses
 * them before any card is held, as seating them would be refused after it.
 */
export async function usersHoldingPlan(
  db: SqlExecutor,
  input: { tenantId: string; plan: string; userIds: string[]; exceptSubscriptionId: string },
): Promise<string[]> {
  if (input.userIds.length === 0) return [];
  const rows = await db.query<{ userId: string }>(
    `SELECT user_id AS "userId" FROM seat_assignments
      WHERE tenant_id = $1 AND plan_key = $2 AND user_id = ANY ($3::text[])
        AND released_at IS NULL AND subscription_id <> $4
      ORDER BY user_id COLLATE "C"`,
    [
      parseInput(ledgerId, input.tenantId),
      input.plan,
      input.userIds,
      parseInput(ledgerId, input.exceptSubscriptionId),
    ],
  );
  return rows.map((row) => row.userId);
}
