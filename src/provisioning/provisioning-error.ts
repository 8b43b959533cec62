/**
 * Why a call to an external provisioning service failed, as a stable code that
 * activities map to Temporal failures: `retryable` errors are thrown to be retried with
 * backoff, the others become non-retryable failures that send the order to ops.
 */
export const PROVISIONING_ERROR_CODES = [
  'PROVISIONING.INVALID_REQUEST',
  'PROVISIONING.CONFLICT',
  'PROVISIONING.UNAUTHORIZED',
  'PROVISIONING.UNAVAILABLE',
  'PROVISIONING.TIMEOUT',
] as const;
export type ProvisioningErrorCode = (typeof PROVISIONING_ERROR_CODES)[number];

export type ProvisioningService = 'calendar-sync' | 'cep';

export interface ProvisioningErrorDetails {
  code: ProvisioningErrorCode;
  retryable: boolean;
  service: ProvisioningService;
  /** The HTTP status the service answered with; absent for network errors and timeouts. */
  status?: number;
  /** The request field the service (or our own validation) refused, e.g. `settings.ewsUrl`. */
  field?: string;
  /** From a `Retry-After` header on 429/503, so a caller may wait at least that long. */
  retryAfterMs?: number;
  cause?: unknown;
}

export class ProvisioningError extends Error {
  override readonly name = 'ProvisioningError';
  readonly code: ProvisioningErrorCode;
  readonly retryable: boolean;
  readonly service: ProvisioningService;
  readonly status: number | undefined;
  readonly field: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, details: ProvisioningErrorDetails) {
    super(message, { cause: details.cause });
    this.code = details.code;
    this.retryable = details.retryable;
    this.service = details.service;
    this.status = details.status;
    this.field = details.field;
    this.retryAfterMs = details.retryAfterMs;
  }
}

export function isProvisioningError(error: unknown): error is ProvisioningError {
  return error instanceof ProvisioningError;
}
