import { openPglite } from './pglite-db';
import { openPostgres } from './postgres-db';
import type { SqlDb } from './sql-db';

export interface OpenDatabaseOptions {
  /** A PostgreSQL server; when absent, the embedded PGlite engine is used. */
  databaseUrl?: string;
  /** PGlite's data directory; in memory when absent. Ignored with `databaseUrl`. */
  dataDir?: string;
  /** A schema to create and work in instead of the default search path. */
  schema?: string;
  /** PostgreSQL: named statements, prepared once per connection (default true). */
  preparedStatements?: boolean;
}

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<SqlDb> {
  if (options.databaseUrl) {
    return openPostgres({
      databaseUrl: options.databaseUrl,
      schema: options.schema,
      preparedStatements: options.preparedStatements,
    });
  }
  return openPglite({ dataDir: options.dataDir, schema: options.schema });
}
