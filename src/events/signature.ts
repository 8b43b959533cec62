import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header every event delivery carries: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const SIGNATURE_HEADER = 'provisioner-signature';

/** How old a signed delivery may be before a receiver refuses it, as Stripe's default. */
export const DEFAULT_TOLERANCE_S = 300;

function hmac(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/**
 * Signs a delivery as Stripe signs its webhooks: an HMAC-SHA256, keyed by the
 * subscriber's secret, over the timestamp, a dot and the exact body bytes.
 */
export function signEvent(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${hmac(secret, timestamp, body)}`;
}

/**
 * What a receiver runs: true when `header` signs `body` with `secret` and is no older
 * than `toleranceS` at `now` (seconds). Any v1 signature may match (secret rotation).
 */
export function verifyEvent(
  secret: string,
  body: string,
  header: string | undefined,
  now: number,
  toleranceS = DEFAULT_TOLERANCE_S,
): boolean {
  if (!header) return false;
  const parts = header.split(',').map((part) => part.split('=', 2) as [string, string]);
  const timestamp = Number(parts.find(([key]) => key === 't')?.[1]);
  if (!Number.isInteger(timestamp) || Math.abs(now - timestamp) > toleranceS) return false;
  const expected = Buffer.from(hmac(secret, timestamp, body), 'hex');
  return parts.some(([key, value]) => {
    if (key !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
