import { randomBytes } from 'node:crypto';
import { createLedger, migrate, openDatabase, type Ledger, type SqlDb } from '../../../src/ledger';

export type EngineName = 'pglite' | 'postgres';

/**
 * The engines the ledger suites run on: PGlite always, PostgreSQL when DATABASE_URL is
 * set. CI must run both, so there a missing DATABASE_URL fails instead of skipping.
 */
export function ledgerEngines(): EngineName[] {
  if (process.env.DATABASE_URL) return ['pglite', 'postgres'];
  if (process.env.CI === 'true') {
    throw new Error('DATABASE_URL is not set: in CI the ledger tests must run on PostgreSQL');
  }
  return ['pglite'];
}

export interface TestDatabase {
  db: SqlDb;
  /** PostgreSQL only: a DATABASE_URL that lands in this test's schema (for a CLI or a child process). */
  databaseUrl?: string;
  /** Opens another connection to the same database (PostgreSQL: same schema). */
  openAnother(): Promise<SqlDb>;
  dispose(): Promise<void>;
}

/**
 * A database of its own for one test file: a fresh in-memory PGlite, or a fresh schema
 * on the PostgreSQL server (dropped afterwards), so parallel jest workers never meet.
 */
export async function openTestDatabase(engine: EngineName): Promise<TestDatabase> {
  if (engine === 'pglite') {
    const db = await openDatabase();
    return {
      db,
      openAnother: async () => db,
      dispose: () => db.close(),
    };
  }
  const databaseUrl = process.env.DATABASE_URL ?? '';
  const schema = `test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const db = await openDatabase({ databaseUrl, schema });
  const others: SqlDb[] = [];
  const separator = databaseUrl.includes('?') ? '&' : '?';
  return {
    db,
    databaseUrl: `${databaseUrl}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    openAnother: async () => {
      const other = await openDatabase({ databaseUrl, schema });
      others.push(other);
      return other;
    },
    dispose: async () => {
      await Promise.all(others.map((other) => other.close()));
      await db.exec(`DROP SCHEMA "${schema}" CASCADE`);
      await db.close();
    },
  };
}

export interface TestLedger extends TestDatabase {
  ledger: Ledger;
}

export async function openTestLedger(engine: EngineName): Promise<TestLedger> {
  const database = await openTestDatabase(engine);
  await migrate(database.db);
  return { ...database, ledger: createLedger(database.db) };
}

let counter = 0;
/** Ids unique within a test file, so tests sharing a database never see each other. */
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** Opens a migrated ledger for the tests of one `describe` and disposes of it after. */
export function useTestLedger(engine: EngineName): () => TestLedger {
  let opened: TestLedger | undefined;
  beforeAll(async () => {
    opened = await openTestLedger(engine);
  });
  afterAll(async () => {
    await opened?.dispose();
  });
  return () => {
    if (!opened) throw new Error('the test ledger is not open');
    return opened;
  };
}
