import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** What a key may do: place orders (checkout), operate (ops), or only read. */
export const apiRoleSchema = z.enum(['checkout', 'ops', 'read']);
export type ApiRole = z.infer<typeof apiRoleSchema>;

const entrySchema = z
  .string()
  .trim()
  .regex(/^[^\s:,]+:[a-z]+$/, 'must be KEY:ROLE')
  .transform((entry) => {
    const [key, role] = entry.split(':');
    return { key, role };
  })
  .pipe(z.object({ key: z.string().min(1), role: apiRoleSchema }));

const apiKeysConfigSchema = z
  .string()
  .transform((config) => config.split(',').filter((entry) => entry.trim() !== ''))
  .pipe(z.array(entrySchema).min(1, 'must list at least one KEY:ROLE'))
  .refine((entries) => new Set(entries.map((e) => e.key)).size === entries.length, {
    message: 'must not list a key twice',
  });

export interface ApiKeys {
  /** The role of the presented key, or undefined when it is not a configured key. */
  roleOf(presented: string): ApiRole | undefined;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Parses `API_KEYS` ("k1:checkout,k2:ops,k3:read"); throws naming the variable.
 * Lookups compare SHA-256 digests in constant time against every key, so neither the
 * length nor the position of a match leaks through response timing.
 */
export function parseApiKeys(config: string | undefined, variable = 'API_KEYS'): ApiKeys {
  const parsed = apiKeysConfigSchema.safeParse(config ?? '');
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? ` (entry ${Number(issue.path[0]) + 1})` : '';
    throw new Error(`${variable}${where}: ${issue.message}`);
  }
  const keys = parsed.data.map((entry) => ({ digest: digest(entry.key), role: entry.role }));
  return {
    roleOf(presented) {
      const candidate = digest(presented);
      let role: ApiRole | undefined;
      for (const key of keys) {
        if (timingSafeEqual(candidate, key.digest)) role = key.role;
      }
      return role;
    },
  };
}
