import { randomBytes } from 'node:crypto';

/**
 * Business ids unique to one test run. Against Stripe's test mode this matters: it keeps
 * idempotency keys for a day, so a fixed order id would replay yesterday's answer.
 */
export function runIds(): (name: string) => string {
  const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  return (name) => `${name}-${run}`;
}
