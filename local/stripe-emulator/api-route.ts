import type { FormParams } from './form-params';
import type { RequestContext } from './emulator-state';

export interface ApiRequest {
  params: FormParams;
  context: RequestContext;
  /** The `:name` segments of the route's path, in order. */
  args: string[];
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface ApiRoute {
  method: HttpMethod;
  pattern: RegExp;
  /** Throws EmulatedStripeError for Stripe's refusals, after any state change they imply. */
  handle(request: ApiRequest): ApiResponse;
}

/** A route on a path with `:name` segments: `/v1/payment_intents/:id/capture`. */
export function route(method: HttpMethod, path: string, handle: ApiRoute['handle']): ApiRoute {
  const source = path.replace(/:[a-z_]+/g, '([^/]+)');
  return { method, pattern: new RegExp(`^${source}$`), handle };
}

export function findRoute(
  routes: readonly ApiRoute[],
  method: string,
  path: string,
): { route: ApiRoute; args: string[] } | undefined {
  for (const candidate of routes) {
    if (candidate.method !== method) continue;
    const match = candidate.pattern.exec(path);
    if (match) return { route: candidate, args: match.slice(1).map(decodeURIComponent) };
  }
  return undefined;
}

export const ok = (body: unknown): ApiResponse => ({ status: 200, body });
