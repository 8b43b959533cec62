import type { ServerResponse } from 'node:http';
import type { AdminErrorBody } from '../admin-error-body';

export interface SimulatorResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export function errorResponse(
  status: number,
  code: string,
  message: string,
  field?: string,
  headers?: Record<string, string>,
): SimulatorResponse {
  const body: AdminErrorBody = { error: { code, message, ...(field ? { field } : {}) } };
  return { status, body, headers };
}

export function writeResponse(
  response: ServerResponse,
  { status, body, headers }: SimulatorResponse,
) {
  const text = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** JSON.parse for request bodies: an empty body is "no body", not a parse error. */
export function parseJsonBody(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim().length === 0) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
