import { migrations as allMigrations } from './migrations';
import type { Migration } from './migrations/migration';
import type { SqlDb } from './sql-db';

export interface MigrationReport {
  applied: number[];
  alreadyApplied: number[];
}

/**
 * Applies the pending migrations in one transaction. The advisory lock (per schema)
 * makes a second process that starts at the same time wait, then find nothing to do,
 * instead of racing on CREATE TABLE.
 */
export async function migrate(
  db: SqlDb,
  migrations: readonly Migration[] = allMigrations,
): Promise<MigrationReport> {
  return db.transaction(async (tx) => {
    await tx.query(
      `SELECT pg_advisory_xact_lock(hashtext('provisioner.ledger.migrations'),
                                    hashtext(coalesce(current_schema(), '')))`,
    );
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const rows = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((row) => row.version));
    const report: MigrationReport = { applied: [], alreadyApplied: [] };
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) {
        report.alreadyApplied.push(migration.version);
        continue;
      }
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      report.applied.push(migration.version);
    }
    return report;
  });
}
