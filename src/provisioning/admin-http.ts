import type { CallOptions, ResolvedAdminClientOptions } from './admin-client-options';
import { adminErrorBodySchema } from './admin-error-body';
import {
  ProvisioningError,
  type ProvisioningErrorCode,
  type ProvisioningService,
} from './provisioning-error';

export interface AdminRequest extends CallOptions {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  path: string;
  body?: unknown;
}

export interface AdminResponse {
  status: number;
  /** Parsed JSON, or undefined for an empty or non-JSON body. */
  body: unknown;
  headers: Headers;
}

export type AdminHttp = (request: AdminRequest) => Promise<AdminResponse>;

/**
 * One JSON request to an admin API with a timeout that covers the body too. Only
 * transport failures throw here (timeout → TIMEOUT, refused or reset connection →
 * UNAVAILABLE, both retryable); any HTTP answer is returned for the caller to judge.
 */
export function createAdminHttp(
  service: ProvisioningService,
  options: ResolvedAdminClientOptions,
): AdminHttp {
  return async ({ method, path, body, signal }) => {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const headers: Record<string, string> = {
      authorization: `Bearer ${options.token}`,
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      const response = await fetch(`${options.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      });
      const text = await response.text();
      return { status: response.status, body: parseJson(text), headers: response.headers };
    } catch (error: unknown) {
      if (signal?.aborted && !timeout.aborted) throw signal.reason;
      if (timeout.aborted) {
        throw new ProvisioningError(
          `${service} ${method} ${path} got no answer within ${options.timeoutMs} ms`,
          { code: 'PROVISIONING.TIMEOUT', retryable: true, service, cause: error },
        );
      }
      throw new ProvisioningError(
        `${service} ${method} ${path} failed: ${transportReason(error)}`,
        { code: 'PROVISIONING.UNAVAILABLE', retryable: true, service, cause: error },
      );
    }
  };
}

/**
 * The error for an HTTP answer the caller did not expect. 408, 429 and 5xx are transient
 * and retried; every other 4xx says the request itself is wrong and will stay wrong.
 */
export function errorFromResponse(
  service: ProvisioningService,
  request: Pick<AdminRequest, 'method' | 'path'>,
  response: AdminResponse,
): ProvisioningError {
  const { code, retryable } = classifyStatus(response.status);
  const parsed = adminErrorBodySchema.safeParse(response.body);
  const detail = parsed.success ? `: ${parsed.data.error.message}` : '';
  return new ProvisioningError(
    `${service} ${request.method} ${request.path} answered ${response.status}${detail}`,
    {
      code,
      retryable,
      service,
      status: response.status,
      field: parsed.success ? parsed.data.error.field : undefined,
      retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
    },
  );
}

function classifyStatus(status: number): { code: ProvisioningErrorCode; retryable: boolean } {
  if (status === 408) return { code: 'PROVISIONING.TIMEOUT', retryable: true };
  if (status === 429 || status >= 500) return { code: 'PROVISIONING.UNAVAILABLE', retryable: true };
  if (status === 401 || status === 403)
    return { code: 'PROVISIONING.UNAUTHORIZED', retryable: false };
  if (status === 409) return { code: 'PROVISIONING.CONFLICT', retryable: false };
  return { code: 'PROVISIONING.INVALID_REQUEST', retryable: false };
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** fetch reports "fetch failed" and hides the socket error (ECONNREFUSED, …) in `cause`. */
function transportReason(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) {
    const code = 'code' in cause && typeof cause.code === 'string' ? ` (${cause.code})` : '';
    return `${cause.message}${code}`;
  }
  return error instanceof Error ? error.message : String(error);
}
