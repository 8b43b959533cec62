import { createHash } from 'node:crypto';
import { tenantVersions, type Ledger } from '../ledger';

export interface EntitlementCacheOptions {
  ledger: Ledger;
  /** How often the versions of cached tenants are read (one query for all of them). */
  pollMs?: number;
  /**
   * A snapshot not confirmed current within this long is not served: the bound after a
   * commit within which a revocation may still be answered from memory.
   */
  maxStalenessMs?: number;
  /** Cached answers kept at most (oldest dropped first). */
  maxEntries?: number;
}

/** A user's entitlements as the API answers them: the JSON body and its entity tag. */
export interface CachedAnswer {
  body: string;
  etag: string;
}

interface TenantSnapshot {
  version: number;
  /** When a read of the ledger last confirmed `version` (the time before that read). */
  confirmedAt: number;
  /** Time alone changes entitlements from then on (a period that lapses unpaid). */
  validUntil: number;
  /** Users' answers (`user:ID`) and whole-tenant pages (`page:SIZE:CURSOR`). */
  answers: Map<string, CachedAnswer>;
}

/**
 * Answers "which features does this user hold" from memory. Each tenant's snapshot is
 * tagged with the ledger's version of that tenant (bumped in the same transaction as
 * any grant, subscription or seat change); a poller reads the versions of every cached
 * tenant every `pollMs` and drops a snapshot whose version moved. A snapshot that was
 * not confirmed within `maxStalenessMs` is bypassed, so a committed revocation or
 * suspension is never served for longer than that, even when the poller falls behind.
 */
export function createEntitlementCache(options: EntitlementCacheOptions) {
  const { ledger, pollMs = 200, maxStalenessMs = 1000, maxEntries = 200_000 } = options;
  const tenants = new Map<string, TenantSnapshot>();
  let entries = 0;
  let stats = { hits: 0, misses: 0 };

  const validUntil = (nextPeriodEnd: string | null) =>
    nextPeriodEnd === null ? Infinity : Date.parse(nextPeriodEnd) + ledger.graceMs;

  const drop = (tenantId: string) => {
    const snapshot = tenants.get(tenantId);
    if (!snapshot) return;
    entries -= snapshot.answers.size;
    tenants.delete(tenantId);
  };

  async function poll(): Promise<void> {
    const ids = [...tenants.keys()];
    if (ids.length === 0) return;
    const checked = Date.now();
    const versions = new Map(
      (await tenantVersions(ledger.db, ids)).map((row) => [row.tenantId, row]),
    );
    for (const id of ids) {
      const snapshot = tenants.get(id);
      if (!snapshot) continue;
      const current = versions.get(id);
      if ((current?.version ?? 0) !== snapshot.version) {
        drop(id);
        continue;
      }
      snapshot.confirmedAt = Math.max(snapshot.confirmedAt, checked);
      snapshot.validUntil = validUntil(current?.nextPeriodEnd ?? null);
    }
  }

  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const schedule = () => {
    if (closed) return;
    timer = setTimeout(() => {
      poll()
        .catch(() => undefined) // unconfirmed snapshots stop being served by themselves
        .finally(schedule);
    }, pollMs);
    timer.unref();
  };
  schedule();

  function evictIfFull(): void {
    // Map iteration is insertion order: the tenant cached longest ago goes first.
    for (const id of tenants.keys()) {
      if (entries <= maxEntries) return;
      drop(id);
    }
  }

  /** The answer under `key` from the tenant's current snapshot, or loaded and kept. */
  async function answer(
    tenantId: string,
    key: string,
    load: () => Promise<CachedAnswer>,
  ): Promise<CachedAnswer> {
    const now = Date.now();
    const snapshot = tenants.get(tenantId);
    if (snapshot && now - snapshot.confirmedAt <= maxStalenessMs && now < snapshot.validUntil) {
      const hit = snapshot.answers.get(key);
      if (hit) {
        stats.hits += 1;
        return hit;
      }
    }
    stats.misses += 1;
    // The version first, then the data: data newer than its tag is dropped early by
    // the next poll, never served late.
    const checked = Date.now();
    const [current] = await tenantVersions(ledger.db, [tenantId]);
    const loaded = await load();
    const version = current?.version ?? 0;
    let target = tenants.get(tenantId);
    if (!target || target.version < version) {
      drop(tenantId);
      target = {
        version,
        confirmedAt: checked,
        validUntil: validUntil(current?.nextPeriodEnd ?? null),
        answers: new Map(),
      };
      tenants.set(tenantId, target);
    }
    if (target.version === version) {
      if (!target.answers.has(key)) entries += 1;
      target.answers.set(key, loaded);
      evictIfFull();
    }
    return loaded;
  }

  return {
    /** The user's entitlements; reads the ledger only when no current snapshot has them. */
    userAnswer(tenantId: string, userId: string): Promise<CachedAnswer> {
      return answer(tenantId, `user:${userId}`, async () =>
        toAnswer(await ledger.userEntitlements(tenantId, userId)),
      );
    },

    /**
     * A page of the whole-tenant read (`key` names the page: its size and cursor), built
     * by `load` only when no current snapshot has it: pollers of the first page are
     * answered from memory, under the same version and bound as the users' answers.
     */
    pageAnswer(tenantId: string, key: string, load: () => Promise<CachedAnswer>) {
      return answer(tenantId, `page:${key}`, load);
    },

    /** Hits and misses since the last call, for benchmarks and metrics. */
    takeStats() {
      const taken = stats;
      stats = { hits: 0, misses: 0 };
      return { ...taken, entries, tenants: tenants.size };
    },

    close(): void {
      closed = true;
      clearTimeout(timer);
      tenants.clear();
      entries = 0;
    },
  };
}

export type EntitlementCache = ReturnType<typeof createEntitlementCache>;

/** The body as sent, and a strong entity tag of its bytes. */
export function toAnswer(value: unknown): CachedAnswer {
  const body = JSON.stringify(value);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return { body, etag };
}
