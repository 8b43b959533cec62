import type { z } from 'zod';

/**
 * Our own refusals, before or after a Stripe call (not Stripe's errors, which the SDK
 * throws as `Stripe.errors.*`). `classifyStripeError` gives both a stable type.
 */
export class PaymentInputError extends Error {
  override readonly name = 'PaymentInputError';

  constructor(
    message: string,
    /** The input field that was refused, e.g. `amount` or `metadata.order_id`. */
    readonly field: string,
  ) {
    super(message);
  }
}

/** Stripe answered 2xx with a body we cannot read: contract drift, not worth retrying. */
export class PaymentResponseError extends Error {
  override readonly name = 'PaymentResponseError';
}

/** A webhook whose signature does not verify, or whose payload is not an event. */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Parses a call's input; a bad value becomes a PaymentInputError naming the field. */
export function parsePaymentInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue ? issue.path.map(String) : [];
  if (issue?.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  const field = path.join('.') || 'input';
  throw new PaymentInputError(`${field}: ${issue?.message ?? 'is invalid'}`, field);
}

/** Parses what Stripe returned with the schema of the fields we rely on. */
export function parseStripeObject<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue ? issue.path.map(String).join('.') : '';
  throw new PaymentResponseError(
    `unexpected ${what} from Stripe: ${field || 'object'}: ${issue?.message ?? 'is invalid'}`,
  );
}
