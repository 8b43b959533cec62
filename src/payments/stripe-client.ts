import Stripe from 'stripe';
import { z } from 'zod';
import { parsePaymentInput } from './payment-errors';

export const stripeClientOptionsSchema = z.strictObject({
  secretKey: z
    .string()
    .regex(/^(sk|rk)_(test|live)_\S+$/, 'must be a Stripe secret key (sk_test_…)'),
  /** Another Stripe API than api.stripe.com: the local emulator or stripe-mock. */
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Per request; an activity's start-to-close timeout should be longer. */
  timeoutMs: z.int().positive().default(20_000),
});
export type StripeClientOptions = z.input<typeof stripeClientOptionsSchema>;

/**
 * The `stripe` SDK client. Network retries are off: Temporal retries the activity with
 * backoff and the same idempotency key, and shows each attempt in the workflow history;
 * SDK retries inside an attempt would multiply the attempts and hide them. (The SDK
 * still resends once when the connection closed before an answer, with the same key,
 * so Stripe replays instead of acting twice.)
 */
export function createStripeClient(options: StripeClientOptions): Stripe {
  const { secretKey, baseUrl, timeoutMs } = parsePaymentInput(stripeClientOptionsSchema, options);
  return new Stripe(secretKey, {
    maxNetworkRetries: 0,
    timeout: timeoutMs,
    appInfo: { name: 'provisioner' },
    ...(baseUrl ? endpoint(new URL(baseUrl)) : {}),
  });
}

function endpoint(url: URL): { host: string; port: number; protocol: 'http' | 'https' } {
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  const port = url.port ? Number(url.port) : protocol === 'http' ? 80 : 443;
  return { host: url.hostname, port, protocol };
}
