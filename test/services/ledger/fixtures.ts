import type { GrantSpec, SubscriptionInput } from '../../../src/ledger';

export const JANUARY = {
  currentPeriodStart: '2026-01-01T00:00:00.000Z',
  currentPeriodEnd: '2026-02-01T00:00:00.000Z',
};
export const FEBRUARY = {
  currentPeriodStart: '2026-02-01T00:00:00.000Z',
  currentPeriodEnd: '2026-03-01T00:00:00.000Z',
};

/** A month that contains now: a subscription in it is paid up to a future date. */
export function currentPeriod(): { currentPeriodStart: string; currentPeriodEnd: string } {
  const day = 24 * 60 * 60 * 1000;
  const start = Math.floor(Date.now() / day) * day - day;
  return {
    currentPeriodStart: new Date(start).toISOString(),
    currentPeriodEnd: new Date(start + 30 * day).toISOString(),
  };
}
const DAY = 24 * 60 * 60 * 1000;
/**
 * The period subscriptions get unless a test names one: around now, since licenses count
 * only while their period (plus the grace) has not lapsed.
 */
export const CURRENT_PERIOD = {
  currentPeriodStart: new Date(Date.now() - DAY).toISOString(),
  currentPeriodEnd: new Date(Date.now() + 30 * DAY).toISOString(),
};

export function planSubscription(
  id: string,
  tenantId: string,
  plan: string,
  seats: number,
  overrides: Partial<SubscriptionInput> = {},
): SubscriptionInput {
  return {
    id,
    tenantId,
    kind: 'plan',
    productKey: plan,
    seats,
    period: 'month',
    catalogVersion: 1,
    orderId: `order-of-${id}`,
    ...CURRENT_PERIOD,
    ...overrides,
  };
}

export function addonSubscription(
  id: string,
  tenantId: string,
  addon: string,
  overrides: Partial<SubscriptionInput> = {},
): SubscriptionInput {
  return {
    id,
    tenantId,
    kind: 'addon',
    productKey: addon,
    period: 'year',
    catalogVersion: 1,
    orderId: `order-of-${id}`,
    ...CURRENT_PERIOD,
    ...overrides,
  };
}

export function userFeatures(userIds: string[], features: string[]): GrantSpec[] {
  return userIds.flatMap((id) =>
    features.map((feature) => ({
      subject: { type: 'user' as const, id },
      feature,
      kind: 'feature' as const,
    })),
  );
}

export function tenantFlags(
  tenantId: string,
  features: string[],
  kind: 'system-license' | 'addon-feature',
): GrantSpec[] {
  return features.map((feature) => ({
    subject: { type: 'tenant' as const, id: tenantId },
    feature,
    kind,
  }));
}

/** Rejects with the ledger's error `code` (and `field`), or fails the test. */
export async function ledgerFailure(
  promise: Promise<unknown>,
): Promise<{ code: string; field?: string }> {
  try {
    await promise;
  } catch (error: unknown) {
    if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
      const field = 'field' in error && typeof error.field === 'string' ? error.field : undefined;
      return { code: error.code, field };
    }
    throw error;
  }
  throw new Error('expected the call to fail');
}

/** Rejects with a SQLSTATE from the database, or fails the test. */
export async function sqlState(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error: unknown) {
    if (
      typeof error === 'object' &&
      error !== null &&
      'code' in error &&
      typeof error.code === 'string'
    ) {
      return error.code;
    }
    throw error;
  }
  throw new Error('expected the statement to fail');
}
