import type { FastifyInstance } from 'fastify';

/**
 * The API under test, served on a loopback port and called with fetch. (Fastify's
 * `inject` loads light-my-request, whose `cookie` dependency is ESM-only: jest's CommonJS
 * runtime on Node 20 cannot require it. A real socket tests a little more anyway.)
 */
export interface TestResponse {
  statusCode: number;
  headers: Headers;
  body: string;
  json<T = unknown>(): T;
}

export interface TestClient {
  request(
    method: string,
    path: string,
    /** `body` is sent as JSON; `raw` as it is, with the content type the headers give. */
    options?: { headers?: Record<string, string>; body?: unknown; raw?: string },
  ): Promise<TestResponse>;
}

export async function serveForTest(app: FastifyInstance): Promise<TestClient> {
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    async request(method, path, options = {}) {
      const hasBody = options.body !== undefined;
      const response = await fetch(`${address}${path}`, {
        method,
        headers: {
          ...(hasBody ? { 'content-type': 'application/json' } : {}),
          ...options.headers,
        },
        body: options.raw ?? (hasBody ? JSON.stringify(options.body) : undefined),
      });
      const body = await response.text();
      return {
        statusCode: response.status,
        headers: response.headers,
        body,
        json: <T>() => JSON.parse(body) as T,
      };
    },
  };
}
