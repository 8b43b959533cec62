import { createHmac } from 'node:crypto';

/**
 * The `Stripe-Signature` header exactly as Stripe makes it: `t=<unix seconds>,v1=<hex
 * HMAC-SHA256 of "<t>.<payload>" keyed with the endpoint's whole secret>`, so that
 * `stripe.webhooks.constructEvent` accepts it and rejects any change to the payload.
 */
export function signWebhookPayload(
  payload: string,
  secret: string,
  timestampSeconds: number = Math.floor(Date.now() / 1000),
): string {
  const signature = createHmac('sha256', secret)
    .update(`${timestampSeconds}.${payload}`, 'utf8')
    .digest('hex');
  return `t=${timestampSeconds},v1=${signature}`;
}
