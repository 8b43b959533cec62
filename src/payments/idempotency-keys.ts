/**
 * Idempotency keys from business ids, never random: a retried activity (or a second
 * worker running the same step) sends the same key, so Stripe replays the first answer
 * instead of charging twice. Stripe keeps a key for at least 24 hours; a step retried
 * later than that is still safe where Stripe's own state refuses the repeat (a second
 * capture or cancel), which the client treats as success.
 */
export const idempotencyKeys = {
  customer: (tenantId: string) => `tenant:${tenantId}:customer`,
  /** The customer's contact details, keyed by their content so a change is a new update. */
  customerUpdate: (tenantId: string, digest: string) => `tenant:${tenantId}:customer:${digest}`,
  authorize: (orderId: string) => `order:${orderId}:authorize`,
  capture: (orderId: string) => `order:${orderId}:capture`,
  cancel: (orderId: string) => `order:${orderId}:cancel`,
  refund: (orderId: string) => `order:${orderId}:refund`,
  /** The first try keeps the plain key; a dunning retry (a new decision to charge) adds its number. */
  renewalCharge: (subscriptionId: string, periodStart: string, attempt = 1) =>
    `subscription:${subscriptionId}:period:${periodStart}:charge${attempt > 1 ? `:${attempt}` : ''}`,
} as const;
