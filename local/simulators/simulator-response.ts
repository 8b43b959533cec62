import type { ServerResponse } from 'node:http';
import type { z } from 'zod';
import { ADMIN_ERROR_CODES, type AdminErrorBody } from '../../src/provisioning/admin-error-body';
import { issueField } from '../../src/provisioning/issue-field';

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

/**
 * The body as JSON checked by `schema`, or the 400 that names the first failing field,
 * as the real admin services answer.
 */
export function parseBodyAs<S extends z.ZodType>(
  schema: S,
  text: string,
): { ok: true; value: z.output<S> } | { ok: false; response: SimulatorResponse } {
  const json = parseJsonBody(text);
  if (!json.ok) {
    return {
      ok: false,
      response: errorResponse(400, ADMIN_ERROR_CODES.invalidBody, 'body is not JSON', 'body'),
    };
  }
  const parsed = schema.safeParse(json.value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue ? issueField(issue) : 'body';
  const message = `${field}: ${issue?.message ?? 'is invalid'}`;
  return {
    ok: false,
    response: errorResponse(400, ADMIN_ERROR_CODES.invalidBody, message, field),
  };
}
