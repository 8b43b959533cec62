import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { idParam } from '../domain/ids';

/** What a key may do: place orders (checkout), operate (ops), or only read. */
export const apiRoleSchema = z.enum(['checkout', 'ops', 'read']);
export type ApiRole = z.infer<typeof apiRoleSchema>;

/** The tenants a key may see and act on: every tenant (`*`) or the listed ones. */
export type TenantScope = '*' | ReadonlySet<string>;

/** Who called: the key's name (recorded as the author of ops decisions), role and tenants. */
export interface ApiPrincipal {
  name: string;
  role: ApiRole;
  tenants: TenantScope;
}

/** A configured key: the principal it stands for, and whether it used the old form. */
export interface ApiKeyEntry extends ApiPrincipal {
  secret: string;
  /** Written `KEY:ROLE` (every tenant, named after its role); only `npm start` accepts it. */
  legacy: boolean;
}

const nameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'the name must be 1-64 characters among A-Z a-z 0-9 _ . @ -');
const secretSchema = z.string().regex(/^[^\s,]+$/, 'the key must not be empty');
const tenantsSchema = z
  .string()
  .transform((tenants) => (tenants === '*' ? '*' : tenants.split('+')))
  .pipe(
    z.union([
      z.literal('*'),
      z.array(idParam.describe('tenant')).refine((ids) => new Set(ids).size === ids.length, {
        message: 'must not list a tenant twice',
      }),
    ]),
  );

const SHAPE = 'NAME:ROLE:TENANTS:KEY (TENANTS is * or tenant ids joined by +)';
const FORMAT = `must be ${SHAPE}`;

/**
 * One entry: `NAME:ROLE:TENANTS:KEY`. The key comes last so it may hold `:`. The old
 * `KEY:ROLE` form still parses (every tenant, named after the role) so that `npm start`
 * keeps working with old settings; start-up outside it refuses such entries.
 */
function parseEntry(entry: string): ApiKeyEntry | string {
  const parts = entry.split(':');
  if (parts.length === 2) {
    const [secret, role] = parts;
    const parsedRole = apiRoleSchema.safeParse(role);
    if (!parsedRole.success || secret === '') return FORMAT;
    return { name: `${role}-key`, role: parsedRole.data, tenants: '*', secret, legacy: true };
  }
  if (parts.length < 4) return FORMAT;
  const [name, role, tenants] = parts;
  const secret = parts.slice(3).join(':');
  const parsed = z
    .object({ name: nameSchema, role: apiRoleSchema, tenants: tenantsSchema, secret: secretSchema })
    .safeParse({ name, role, tenants, secret });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const part = String(issue.path[0]);
    return part === 'role'
      ? `the role must be one of ${apiRoleSchema.options.join(', ')}`
      : part === 'tenants'
        ? `the tenants must be * or tenant ids joined by + (${issue.message})`
        : issue.message;
  }
  const scope = parsed.data.tenants;
  return {
    name: parsed.data.name,
    role: parsed.data.role,
    tenants: scope === '*' ? '*' : new Set(scope),
    secret: parsed.data.secret,
    legacy: false,
  };
}

/**
 * Parses `API_KEYS`: comma-separated `NAME:ROLE:TENANTS:KEY` entries; throws naming the
 * variable and the entry (never the key itself, which would end up in logs).
 */
export function parseApiKeyEntries(
  config: string | undefined,
  variable = 'API_KEYS',
): ApiKeyEntry[] {
  const entries = (config ?? '').split(',').map((entry) => entry.trim());
  const listed = entries.filter((entry) => entry !== '');
  if (listed.length === 0) throw new Error(`${variable}: must list at least one ${SHAPE}`);
  const parsed = listed.map((entry, index) => {
    const result = parseEntry(entry);
    if (typeof result === 'string') throw new Error(`${variable} (entry ${index + 1}): ${result}`);
    return result;
  });
  if (new Set(parsed.map((e) => e.secret)).size !== parsed.length) {
    throw new Error(`${variable}: must not list a key twice`);
  }
  if (new Set(parsed.map((e) => e.name)).size !== parsed.length) {
    throw new Error(`${variable}: must not use a name twice (ops decisions are recorded by it)`);
  }
  return parsed;
}

export interface ApiKeys {
  /** The principal of the presented key, or undefined when it is not a configured key. */
  identify(presented: string): ApiPrincipal | undefined;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * The keys of `API_KEYS` (see parseApiKeyEntries). Lookups compare SHA-256 digests in
 * constant time against every key, so neither the length nor the position of a match
 * leaks through response timing.
 */
export function parseApiKeys(config: string | undefined, variable = 'API_KEYS'): ApiKeys {
  return apiKeysOf(parseApiKeyEntries(config, variable));
}

export function apiKeysOf(entries: readonly ApiKeyEntry[]): ApiKeys {
  const keys = entries.map(({ secret, name, role, tenants }) => ({
    digest: digest(secret),
    principal: { name, role, tenants },
  }));
  return {
    identify(presented) {
      const candidate = digest(presented);
      let principal: ApiPrincipal | undefined;
      for (const key of keys) {
        if (timingSafeEqual(candidate, key.digest)) principal = key.principal;
      }
      return principal;
    },
  };
}

/** Whether a key's scope covers the tenant. */
export function coversTenant(scope: TenantScope, tenantId: string): boolean {
  return scope === '*' || scope.has(tenantId);
}
