import type { FormParams, FormValue } from './form-params';

/** A response as it went out, to be sent again byte for byte. */
export interface StoredResponse {
  status: number;
  body: string;
}

export type IdempotencyLookup =
  | { kind: 'new' }
  | { kind: 'replay'; response: StoredResponse }
  /** The first request with this key has not finished: Stripe answers 409. */
  | { kind: 'in_flight' }
  /** Same key, other endpoint or parameters: Stripe answers 400 idempotency_error. */
  | { kind: 'mismatch' };

interface Entry {
  fingerprint: string;
  createdAt: number;
  response?: StoredResponse;
}

/** Stripe prunes keys after at least 24 hours; a key reused later is a new request. */
const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;
const SWEEP_ABOVE = 10_000;

/**
 * Stripe's idempotency layer: the first request with a key runs and its answer is saved
 * (errors included, since a decline repeated must stay a decline); later requests with
 * that key get the saved answer. A request that failed before it ran saves nothing.
 */
export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  begin(key: string, fingerprint: string): IdempotencyLookup {
    if (this.entries.size > SWEEP_ABOVE) this.sweep();
    const entry = this.entries.get(key);
    if (entry && this.now() - entry.createdAt < KEY_LIFETIME_MS) {
      if (entry.response === undefined) return { kind: 'in_flight' };
      if (entry.fingerprint !== fingerprint) return { kind: 'mismatch' };
      return { kind: 'replay', response: entry.response };
    }
    this.entries.set(key, { fingerprint, createdAt: this.now() });
    return { kind: 'new' };
  }

  complete(key: string, response: StoredResponse): void {
    const entry = this.entries.get(key);
    if (entry) entry.response = response;
  }

  private sweep(): void {
    for (const [key, entry] of this.entries) {
      if (this.now() - entry.createdAt >= KEY_LIFETIME_MS) this.entries.delete(key);
    }
  }

  /** The request never ran (a fault before the write): the key is free again. */
  abandon(key: string): void {
    const entry = this.entries.get(key);
    if (entry && entry.response === undefined) this.entries.delete(key);
  }
}

/** The request as Stripe compares it: endpoint and parameters, in any key order. */
export function requestFingerprint(method: string, path: string, params: FormParams): string {
  return `${method} ${path} ${canonical(params)}`;
}

function canonical(value: FormValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key] ?? '')}`).join(',')}}`;
}
