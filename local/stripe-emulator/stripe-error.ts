/**
 * An error as Stripe answers it: `{ error: { type, code, decline_code, message, param } }`
 * with the HTTP status the SDK maps to its error classes (400 and 404 invalid request,
 * 401 authentication, 402 card, 409 conflict, 429 rate limit, 5xx API error).
 */
export type StripeErrorType =
  'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  doc_url?: string;
  charge?: string;
  payment_intent?: unknown;
}

export class EmulatedStripeError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message);
  }
}

const invalid = (status: number, message: string, code?: string, param?: string) =>
  new EmulatedStripeError(status, {
    type: 'invalid_request_error',
    message,
    ...(code
      ? { code, doc_url: `https://docs.stripe.com/error-codes/${code.replaceAll('_', '-')}` }
      : {}),
    ...(param ? { param } : {}),
  });

export const stripeErrors = {
  invalid: (message: string, options: { code?: string; param?: string } = {}) =>
    invalid(400, message, options.code, options.param),
  missingParam: (param: string) =>
    invalid(400, `Missing required param: ${param}.`, 'parameter_missing', param),
  unknownParam: (param: string) =>
    invalid(400, `Received unknown parameter: ${param}`, 'parameter_unknown', param),
  invalidParam: (param: string, message: string) =>
    invalid(400, `Invalid ${param}: ${message}`, 'parameter_invalid', param),
  /** 404 for the object a URL names; 400 naming the parameter for one a parameter names. */
  noSuch: (kind: string, id: string, param?: string) =>
    invalid(param ? 400 : 404, `No such ${kind}: '${id}'`, 'resource_missing', param),
  noRoute: (method: string, path: string) =>
    invalid(
      404,
      `Unrecognized request URL (${method}: ${path}). Please see https://docs.stripe.com/api.`,
    ),
  unexpectedState: (message: string, paymentIntent: unknown) =>
    new EmulatedStripeError(400, {
      type: 'invalid_request_error',
      code: 'payment_intent_unexpected_state',
      message,
      payment_intent: paymentIntent,
    }),
  paymentMethodRetired: (param: string) =>
    invalid(
      400,
      'This PaymentMethod was previously used without being attached to a Customer or was detached from a Customer, and may not be used again.',
      undefined,
      param,
    ),
  invalidApiKey: (key: string | undefined) =>
    invalid(
      401,
      key
        ? `Invalid API Key provided: ${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`
        : 'You did not provide an API key. Provide it in the Authorization header as a Bearer token.',
    ),
  idempotencyMismatch: (key: string) =>
    new EmulatedStripeError(400, {
      type: 'idempotency_error',
      message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
    }),
  idempotencyInFlight: () =>
    new EmulatedStripeError(409, {
      type: 'idempotency_error',
      message:
        'There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): please retry in a few seconds.',
    }),
  rateLimited: () =>
    new EmulatedStripeError(429, {
      type: 'invalid_request_error',
      code: 'rate_limit',
      message:
        'Too many requests hit the API too quickly. Please retry with an exponential backoff.',
    }),
  internal: () =>
    new EmulatedStripeError(500, {
      type: 'api_error',
      message: 'An unknown error occurred while processing your request.',
    }),
};
