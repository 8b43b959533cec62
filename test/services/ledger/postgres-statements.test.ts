import { loadConfig } from '../../../src/config';
import { openPostgres } from '../../../src/ledger/postgres-db';
import { openLedgerFor } from '../../../src/runtime/services';
import type { SqlDb } from '../../../src/ledger/sql-db';
import { openTestDatabase, type TestDatabase } from './engines';

/**
 * The PostgreSQL ledger runs each query as a named statement that a connection prepares
 * the first time it runs its text: runs with other values answer for those values, and
 * one whose result columns a migration changed runs again under a new name instead of
 * failing on every connection that kept it.
 */
let database: TestDatabase;
/** One connection, so the statements it keeps can be read back from it. */
let db: SqlDb;

beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('this test needs DATABASE_URL (PostgreSQL)');
  database = await openTestDatabase('postgres');
  db = await openPostgres({ databaseUrl: database.databaseUrl!, maxConnections: 1 });
  await db.exec('CREATE TABLE things (id int PRIMARY KEY, name text, data jsonb)');
});

afterAll(async () => {
  await db?.close();
  await database?.dispose();
});

/** The statements this connection prepared from the text, and how often each ran. */
const kept = async (sql: string) =>
  (
    await db.query<{ name: string; runs: number }>(
      `SELECT name, (generic_plans + custom_plans)::int AS runs
         FROM pg_prepared_statements WHERE statement = $1`,
      [sql],
    )
  ).map(({ name, runs }) => ({ ledgers: name.startsWith('ledger_'), name, runs }));

test('when one statement runs with other values, then each run answers for its own and the connection parsed it once', async () => {
  const insert = 'INSERT INTO things (id, name, data) VALUES ($1, $2, $3) RETURNING id, name, data';
  const select = 'SELECT id, name, data FROM things WHERE id = $1';

  expect(await db.query(insert, [1, 'one', { seats: 3 }])).toEqual([
    { id: 1, name: 'one', data: { seats: 3 } },
  ]);
  expect(await db.query(insert, [2, null, { seats: [1, 2] }])).toEqual([
    { id: 2, name: null, data: { seats: [1, 2] } },
  ]);
  await db.transaction(async (tx) => {
    await tx.query(insert, [3, 'three', null]);
  });
  for (const id of [1, 2, 3, 4]) {
    expect(await db.query(select, [id])).toHaveLength(id <= 3 ? 1 : 0);
  }

  expect(await kept(insert)).toMatchObject([{ ledgers: true, runs: 3 }]);
  expect(await kept(select)).toMatchObject([{ ledgers: true, runs: 4 }]);
});

test('when a kept statement’s result columns change, then it runs again under a new name, alone and in a transaction', async () => {
  await db.exec('CREATE TABLE moving (id int)');
  await db.query('INSERT INTO moving (id) VALUES ($1)', [1]);
  const alone = 'SELECT * FROM moving';
  const inTransaction = 'SELECT * FROM moving WHERE id = $1';
  expect(await db.query(alone)).toEqual([{ id: 1 }]);
  expect(await db.transaction((tx) => tx.query(inTransaction, [1]))).toEqual([{ id: 1 }]);
  const [before] = await kept(alone);

  await db.exec('ALTER TABLE moving ADD COLUMN name text');

  // The transaction first: it runs on the connection that kept both statements.
  expect(await db.transaction((tx) => tx.query(inTransaction, [1]))).toEqual([
    { id: 1, name: null },
  ]);
  expect(await db.query(alone)).toEqual([{ id: 1, name: null }]);
  expect(await db.query(alone)).toEqual([{ id: 1, name: null }]);
  const after = await kept(alone);
  expect(after).toMatchObject([{ ledgers: true, runs: 2 }]);
  expect(after[0].name).not.toBe(before.name);
});

test('when a statement fails, then its error is PostgreSQL’s and the next statements run', async () => {
  await expect(db.query('SELEC id FROM things')).rejects.toMatchObject({ code: '42601' });
  await expect(db.query('INSERT INTO things (id) VALUES ($1)', ['x'])).rejects.toMatchObject({
    code: '22P02',
  });
  await expect(
    db.transaction(async (tx) => {
      await tx.query('INSERT INTO things (id) VALUES ($1)', [10]);
      await tx.query('INSERT INTO things (id) VALUES ($1)', [10]);
    }),
  ).rejects.toMatchObject({ code: '23505' });

  await db.transaction(async (tx) => {
    await tx.query('INSERT INTO things (id) VALUES ($1)', [10]);
  });
  expect(await db.query('SELECT id FROM things WHERE id = $1', [10])).toEqual([{ id: 10 }]);
});

test('when DATABASE_PREPARED_STATEMENTS is false, then the ledger’s statements run and none is kept on its connections', async () => {
  const preparedOn = async (value: string) => {
    const config = loadConfig({
      DATABASE_URL: database.databaseUrl,
      DATABASE_PREPARED_STATEMENTS: value,
    });
    const ledger = await openLedgerFor(config);
    try {
      return await ledger.db.transaction(async (tx) => {
        await tx.query('SELECT id FROM things WHERE id = $1', [1]);
        const [{ n }] = await tx.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM pg_prepared_statements',
        );
        return n;
      });
    } finally {
      await ledger.db.close();
    }
  };

  expect(await preparedOn('false')).toBe(0);
  expect(await preparedOn('true')).toBeGreaterThanOrEqual(2);
});
