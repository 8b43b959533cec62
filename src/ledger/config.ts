import path from 'node:path';
import { z } from 'zod';
import type { OpenDatabaseOptions } from './open-database';

const ledgerEnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  PGLITE_DATA_DIR: z.string().min(1).optional(),
});

export const DEFAULT_PGLITE_DATA_DIR = path.join('.provisioner', 'pglite');

/**
 * Where the ledger lives: the PostgreSQL server of DATABASE_URL when set, otherwise
 * PGlite persisted in PGLITE_DATA_DIR (default `.provisioner/pglite` under `cwd`).
 * Throws naming the variable when one is malformed.
 */
export function ledgerOptionsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): OpenDatabaseOptions {
  const parsed = ledgerEnvSchema.safeParse({
    DATABASE_URL: env.DATABASE_URL || undefined,
    PGLITE_DATA_DIR: env.PGLITE_DATA_DIR || undefined,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${issue.path.join('.')}: ${issue.message}`);
  }
  if (parsed.data.DATABASE_URL) return { databaseUrl: parsed.data.DATABASE_URL };
  return { dataDir: path.resolve(cwd, parsed.data.PGLITE_DATA_DIR ?? DEFAULT_PGLITE_DATA_DIR) };
}
