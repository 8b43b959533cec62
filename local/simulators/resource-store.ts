import { randomUUID } from 'node:crypto';

export type PutResult<Resource> =
  | { kind: 'created'; resource: Resource }
  | { kind: 'existing'; resource: Resource }
  | { kind: 'conflict'; message: string; field: string };

export interface StoreSpec<Body, Resource> {
  build(meta: { id: string; externalId: string; createdAt: string }, body: Body): Resource;
  /** The part of a resource that a create request sets, to compare a repeated PUT with. */
  contentOf(resource: Resource): Body;
  /** A clash with another live resource (a portal slug already taken), if any. */
  clashWith?(body: Body, others: Resource[]): { message: string; field: string } | undefined;
  /** The resource with another status (disabled while its subscription is suspended). */
  withStatus(resource: Resource, status: 'active' | 'disabled'): Resource;
}

export interface ResourceStore<Body, Resource> {
  put(externalId: string, body: Body): PutResult<Resource>;
  get(externalId: string): Resource | undefined;
  delete(externalId: string): boolean;
  /** Disables or enables a live resource; undefined when there is none. */
  setStatus(externalId: string, status: 'active' | 'disabled'): Resource | undefined;
  list(): Resource[];
  readonly creates: number;
  readonly deletes: number;
}

/**
 * In-memory resources keyed by the caller's external id, with the semantics the real
 * services promise: a repeated identical PUT returns the existing resource, a different
 * one on the same id is a conflict, and a deleted id may be created again.
 */
export function createResourceStore<Body, Resource>(
  spec: StoreSpec<Body, Resource>,
): ResourceStore<Body, Resource> {
  const live = new Map<string, Resource>();
  let creates = 0;
  let deletes = 0;

  return {
    put(externalId, body) {
      const existing = live.get(externalId);
      if (existing !== undefined) {
        if (canonicalJson(spec.contentOf(existing)) === canonicalJson(body)) {
          return { kind: 'existing', resource: existing };
        }
        return {
          kind: 'conflict',
          field: 'externalId',
          message: `${externalId} already exists with different content`,
        };
      }
      const clash = spec.clashWith?.(body, [...live.values()]);
      if (clash) return { kind: 'conflict', ...clash };
      const resource = spec.build(
        { id: randomUUID(), externalId, createdAt: new Date().toISOString() },
        body,
      );
      live.set(externalId, resource);
      creates += 1;
      return { kind: 'created', resource };
    },
    get: (externalId) => live.get(externalId),
    delete(externalId) {
      const existed = live.delete(externalId);
      if (existed) deletes += 1;
      return existed;
    },
    setStatus(externalId, status) {
      const existing = live.get(externalId);
      if (existing === undefined) return undefined;
      const updated = spec.withStatus(existing, status);
      live.set(externalId, updated);
      return updated;
    },
    list: () => [...live.values()],
    get creates() {
      return creates;
    },
    get deletes() {
      return deletes;
    },
  };
}

/** JSON with object keys sorted, so equal content compares equal whatever the key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}
