import type { z } from 'zod';
import { sqlErrorInfo } from './sql-db';

export const LEDGER_ERROR_CODES = [
  'LEDGER.INVALID_INPUT',
  'LEDGER.TENANT_NOT_FOUND',
  'LEDGER.SUBSCRIPTION_NOT_FOUND',
  'LEDGER.SUBSCRIPTION_CONFLICT',
  'LEDGER.SUBSCRIPTION_NOT_IN_FORCE',
  'LEDGER.INVALID_TRANSITION',
  'LEDGER.SEATS_EXCEEDED',
  'LEDGER.PLAN_ALREADY_ASSIGNED',
  'LEDGER.CHANGE_CONFLICT',
  'LEDGER.ORDER_CONFLICT',
] as const;
export type LedgerErrorCode = (typeof LEDGER_ERROR_CODES)[number];

/**
 * A business refusal of the ledger, with a stable `code` callers branch on (activities
 * map these to non-retryable failures). `field` names the offending input when one does.
 */
export class LedgerError extends Error {
  override readonly name = 'LedgerError';

  constructor(
    readonly code: LedgerErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export function isLedgerError(error: unknown): error is LedgerError {
  return error instanceof LedgerError;
}

/** Parses a call's input; a bad value becomes LEDGER.INVALID_INPUT naming the field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.map(String).join('.') || 'input';
  throw new LedgerError('LEDGER.INVALID_INPUT', `${field}: ${issue.message}`, field);
}

// SQLSTATEs raised by the triggers of migration 0001.
const SEATS_EXCEEDED = 'PV001';
const SEAT_PLAN_MISMATCH = 'PV002';
// Raised by the trigger of migration 0003.
const ENDED_IS_FINAL = 'PV003';

/**
 * Turns a constraint the database enforced into the ledger's typed error, so a
 * violation caught by PostgreSQL (possibly under a race the application check missed)
 * reads the same as one caught before writing. Anything else is rethrown unchanged.
 */
export function translateConstraintError(error: unknown, seatsField = 'userIds'): never {
  const info = sqlErrorInfo(error);
  if (info?.code === SEATS_EXCEEDED) {
    throw new LedgerError('LEDGER.SEATS_EXCEEDED', info.message, seatsField);
  }
  if (info?.code === ENDED_IS_FINAL) {
    throw new LedgerError('LEDGER.INVALID_TRANSITION', info.message, 'status');
  }
  if (info?.code === SEAT_PLAN_MISMATCH) {
    throw new LedgerError('LEDGER.SUBSCRIPTION_CONFLICT', info.message, 'plan');
  }
  if (info?.code === '23505' && info.constraint === 'seat_assignments_one_active_plan_per_user') {
    throw new LedgerError(
      'LEDGER.PLAN_ALREADY_ASSIGNED',
      'a user already holds this plan through another subscription',
      'userIds',
    );
  }
  throw error;
}
