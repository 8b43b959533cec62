import type { IncomingMessage, ServerResponse } from 'node:http';
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

const MAX_BODY_BYTES = 1024 * 1024;

/** The request body as text, or undefined when it is larger than any admin request can be. */
export async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
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
